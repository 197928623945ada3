// The table of built-in functions and named constants.
#include "dsl/Builtins.h"

#include <limits>

using namespace act;

static const BuiltinInfo kBuiltins[] = {
    {Builtin::Exp, "exp", 1},         {Builtin::Log, "log", 1},
    {Builtin::Sqrt, "sqrt", 1},       {Builtin::Rsqrt, "rsqrt", 1},
    {Builtin::Abs, "abs", 1},         {Builtin::Sign, "sign", 1},
    {Builtin::Floor, "floor", 1},     {Builtin::Ceil, "ceil", 1},
    {Builtin::Round, "round", 1},     {Builtin::Expm1, "expm1", 1},
    {Builtin::Log1p, "log1p", 1},     {Builtin::Tanh, "tanh", 1},
    {Builtin::Sigmoid, "sigmoid", 1}, {Builtin::Erf, "erf", 1},
    {Builtin::Erfc, "erfc", 1},       {Builtin::Sin, "sin", 1},
    {Builtin::Cos, "cos", 1},         {Builtin::Atan, "atan", 1},
    {Builtin::Min, "min", 2},         {Builtin::Max, "max", 2},
    {Builtin::Clamp, "clamp", 3},     {Builtin::Pow, "pow", 2},
};

llvm::ArrayRef<BuiltinInfo> act::builtins() { return kBuiltins; }

const BuiltinInfo *act::lookupBuiltin(llvm::StringRef name) {
  for (const BuiltinInfo &info : kBuiltins)
    if (info.name == name)
      return &info;
  return nullptr;
}

std::optional<NamedConstant> act::lookupNamedConstant(llvm::StringRef name) {
  if (name == "pi")
    return NamedConstant::Pi;
  if (name == "inf")
    return NamedConstant::Inf;
  if (name == "nan")
    return NamedConstant::NaN;
  return std::nullopt;
}

double act::namedConstantValue(NamedConstant c) {
  switch (c) {
  case NamedConstant::Pi:
    return 3.141592653589793;
  case NamedConstant::Inf:
    return std::numeric_limits<double>::infinity();
  case NamedConstant::NaN:
    return std::numeric_limits<double>::quiet_NaN();
  }
  return 0;
}
