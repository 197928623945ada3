// --eval: JIT-compiles a forward kernel and runs it on numbers.
#ifndef ACTC_COMPILER_HALIDE_EVALUATE_H
#define ACTC_COMPILER_HALIDE_EVALUATE_H

#include "compiler/mlir/ActDialect.h"

#include "Halide.h"

#include <map>
#include <string>
#include <vector>

namespace act {

/// f(x) for each x, through the same forward kernel --emit=lib compiles,
/// JIT-compiled for `target`; with `derivative`, f'(x) through the backward
/// kernel's dx with dy = 1. `params` overrides parameter defaults by name.
mlir::FailureOr<std::vector<float>>
evaluate(ActivationOp activation, bool derivative,
         const std::vector<float> &inputs,
         const std::map<std::string, float> &params,
         const Halide::Target &target);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_EVALUATE_H
