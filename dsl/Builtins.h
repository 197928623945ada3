// The built-in functions and named constants of the language (LANGUAGE.md).
#ifndef ACTC_DSL_BUILTINS_H
#define ACTC_DSL_BUILTINS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace act {

enum class Builtin {
  Exp, Log, Sqrt, Rsqrt, Abs, Sign, Floor, Ceil, Round, Expm1, Log1p,
  Tanh, Sigmoid, Erf, Erfc, Sin, Cos, Atan, Min, Max, Clamp, Pow,
};

struct BuiltinInfo {
  Builtin id;
  llvm::StringLiteral name;
  unsigned arity;
};

/// Every built-in function, in the order LANGUAGE.md lists them.
llvm::ArrayRef<BuiltinInfo> builtins();
/// The built-in called `name`, if there is one. Built-ins take precedence over
/// activations of the same name, so std.act may define `act tanh(x) = tanh(x)`.
const BuiltinInfo *lookupBuiltin(llvm::StringRef name);

enum class NamedConstant { Pi, Inf, NaN };
std::optional<NamedConstant> lookupNamedConstant(llvm::StringRef name);
double namedConstantValue(NamedConstant c);

} // namespace act

#endif // ACTC_DSL_BUILTINS_H
