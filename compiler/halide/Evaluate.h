// --eval: JIT-compiles a forward kernel and runs it on numbers.
#ifndef ACTC_COMPILER_HALIDE_EVALUATE_H
#define ACTC_COMPILER_HALIDE_EVALUATE_H

#include "compiler/halide/Target.h"
#include "compiler/mlir/ActDialect.h"

#include "Halide.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace act {

struct Kernel;

/// The forward kernel (or the backward kernel's dx with dy = 1), built and
/// JIT-compiled once and then applied to any number of input batches.
class JitEvaluator {
public:
  /// `params` overrides parameter defaults by name.
  static mlir::FailureOr<JitEvaluator>
  build(ActivationOp activation, bool derivative,
        const std::map<std::string, float> &params,
        const KernelTarget &target);

  /// f(x) (or f'(x)) for each x; fails with an error at the activation.
  mlir::FailureOr<std::vector<float>>
  operator()(const std::vector<float> &inputs) const;

private:
  ActivationOp activation;
  bool derivative = false;
  Halide::Target target;
  std::shared_ptr<Kernel> kernel;
};

/// f(x) for each x, through the same forward kernel --emit=lib compiles,
/// JIT-compiled for `target`; with `derivative`, f'(x) through the backward
/// kernel's dx with dy = 1. `params` overrides parameter defaults by name.
mlir::FailureOr<std::vector<float>> evaluate(
    ActivationOp activation, bool derivative, const std::vector<float> &inputs,
    const std::map<std::string, float> &params, const KernelTarget &target);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_EVALUATE_H
