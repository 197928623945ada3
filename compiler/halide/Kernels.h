// The kernels' algorithms: what each computes, apart from how (Schedule.h).
#ifndef ACTC_COMPILER_HALIDE_KERNELS_H
#define ACTC_COMPILER_HALIDE_KERNELS_H

#include "compiler/mlir/ActDialect.h"

#include "Halide.h"

#include <string>
#include <vector>

namespace act {

/// The kernels of the C interface (CLI.md), in the order the header lists them.
enum class KernelKind { Forward };

/// "forward", as `--kernels=` spells it and the C function's suffix.
llvm::StringRef kernelName(KernelKind kind);

/// One scheduled Halide pipeline and its arguments in the C interface's
/// order: buffers and scalar parameters in, then the outputs.
struct Kernel {
  KernelKind kind;
  std::string activation;
  Halide::Pipeline pipeline;
  std::vector<Halide::ImageParam> inputs;
  std::vector<Halide::Param<float>> params;

  /// The name of the Halide function the C wrapper calls.
  std::string halideName() const;
  /// The Halide arguments, inputs then parameters (outputs follow).
  std::vector<Halide::Argument> arguments() const;
};

/// y(i) = f(x(i), params...), scheduled for `target`.
mlir::FailureOr<Kernel> buildForward(ActivationOp activation,
                                     const Halide::Target &target);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_KERNELS_H
