// --eval: JIT-compiles a forward kernel and runs it on numbers.
#ifndef ACTC_COMPILER_HALIDE_EVALUATE_H
#define ACTC_COMPILER_HALIDE_EVALUATE_H

#include "compiler/mlir/ActDialect.h"

#include "Halide.h"

#include <map>
#include <string>
#include <vector>

namespace act {

/// f(x) for each x, through the same kernel --emit=lib compiles, JIT-compiled
/// for `target`. `params` overrides parameter defaults by name.
mlir::FailureOr<std::vector<float>>
evaluate(ActivationOp activation, const std::vector<float> &inputs,
         const std::map<std::string, float> &params,
         const Halide::Target &target);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_EVALUATE_H
