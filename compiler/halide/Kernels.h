// The kernels' algorithms: what each computes, apart from how (Schedule.h).
#ifndef ACTC_COMPILER_HALIDE_KERNELS_H
#define ACTC_COMPILER_HALIDE_KERNELS_H

#include "compiler/halide/Target.h"
#include "compiler/mlir/ActDialect.h"

#include "actc/rt.h"

#include "Halide.h"

#include <optional>
#include <string>
#include <vector>

namespace act {

/// The kernels of the C interface (actc/abi.h), in the order the header
/// lists them.
enum class KernelKind {
#define ACTC_KERNEL_KIND(KIND, name, ARGS, GRADIENTS) KIND = ACTC_KERNEL_##KIND,
  ACTC_KERNEL_KINDS(ACTC_KERNEL_KIND)
#undef ACTC_KERNEL_KIND
};

/// "forward", "bias_backward"...: as `--kernels=` spells them, and the C
/// function's suffix.
llvm::StringRef kernelName(KernelKind kind);
/// The kernel `--kernels=` calls `name`, if any.
std::optional<KernelKind> parseKernelName(llvm::StringRef name);
/// Every kernel kind, in header order.
llvm::ArrayRef<KernelKind> allKernelKinds();
/// Whether the kernel also returns the learnable parameters' gradients.
bool hasGradientOutputs(KernelKind kind);

/// One Halide pipeline and the name and arguments it is compiled with.
struct HalideFunction {
  std::string name;
  Halide::Pipeline pipeline;
  std::vector<Halide::Argument> arguments; // Inputs; outputs follow in Halide.
};

/// One C-interface kernel: the Halide functions its C wrapper calls, in the
/// order actc/rt.h gives for its kind. All of them share the kernel's inputs
/// and scalar parameters.
struct Kernel {
  KernelKind kind;
  KernelTarget::Device device;
  std::string activation;
  std::vector<std::string> paramNames;  // Every parameter, in order.
  std::vector<unsigned> learnedParams;  // Indices of `learn` parameters.
  std::vector<Halide::ImageParam> inputs;
  std::vector<Halide::Param<float>> params;
  std::vector<HalideFunction> functions;
};

/// forward: y(i) = f(x(i), params...).
mlir::FailureOr<Kernel> buildForward(ActivationOp activation,
                                     const KernelTarget &target);

/// backward: dx(i) = dy(i) f'(x(i)), and for each learnable parameter p,
/// d_p = sum_i dy(i) df/dp(x(i)). The sums are a first function (they read
/// dy before dx, which may alias it, is written), dx the second.
mlir::FailureOr<Kernel> buildBackward(ActivationOp activation,
                                      const KernelTarget &target);

/// bias_forward: y(c, r) = f(x(c, r) + b(c)) over a rows x cols matrix.
mlir::FailureOr<Kernel> buildBiasForward(ActivationOp activation,
                                         const KernelTarget &target);

/// bias_backward: dx(c, r) = dy(c, r) f'(x(c, r) + b(c)) and the column sums
/// db(c) = sum_r dx(c, r); learnable parameters' gradients as in backward.
/// Functions: the parameter sums (reading dy before dx may overwrite it),
/// then dx and db together.
mlir::FailureOr<Kernel> buildBiasBackward(ActivationOp activation,
                                          const KernelTarget &target);

/// linear_forward: y(c, r) = f(sum_k x(k, r) w(c, k) + b(c)), the product
/// of an m x k and a k x n row-major matrix with the bias and activation
/// applied to each register tile of the product before it is stored. The
/// sum runs over k in order, one rounding per step (a fused multiply-add
/// where the target has one), so it does not depend on the tiling or the
/// number of threads. Two functions, with the same results: the first needs
/// at least one vector of columns (it fails on fewer), the second pads w to
/// whole vectors and takes any shape; libactc_rt sends matrices with fewer
/// than ACTC_LINEAR_NARROW_COLUMNS (actc/rt.h) columns to the second.
mlir::FailureOr<Kernel> buildLinearForward(ActivationOp activation,
                                           const KernelTarget &target);

mlir::FailureOr<Kernel> buildKernel(KernelKind kind, ActivationOp activation,
                                    const KernelTarget &target);

/// The kernels of every activation built for one target.
struct TargetKernels {
  KernelTarget target;
  std::vector<Kernel> kernels;
};

} // namespace act

#endif // ACTC_COMPILER_HALIDE_KERNELS_H
