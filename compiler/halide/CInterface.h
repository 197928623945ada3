// The generated C interface (CLI.md): raw-pointer wrappers and the C header.
#ifndef ACTC_COMPILER_HALIDE_CINTERFACE_H
#define ACTC_COMPILER_HALIDE_CINTERFACE_H

#include "compiler/halide/Library.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act {

/// An object file defining, for each kernel of `built` (the CPU targets in
/// order of preference, and CUDA), the C function of CLI.md
/// (`int actc_NAME_forward(const float *x, float *y, int64_t n, p...)`), its
/// packed variant `..._p` and, for CUDA, `..._cuda` and `..._cuda_p`. Each
/// checks its arguments, describes the arrays as halide_buffer_t and calls
/// the Halide kernel of the first target the CPU supports, in chunks when
/// an array exceeds Halide's 32-bit extents. It defines a non-aborting
/// `halide_error`, and with a `pluginManifest` also `actc_manifest()`.
mlir::FailureOr<std::string> compileCWrappers(llvm::ArrayRef<TargetKernels> built,
                                              llvm::StringRef pluginManifest,
                                              std::string &error);

/// The names a plugin exports: every wrapper and `actc_manifest`.
std::vector<std::string> exportedNames(llvm::ArrayRef<TargetKernels> built);

/// `actc_NAME_KERNEL`, with `_cuda` for the CUDA variant.
std::string cFunctionName(const Kernel &kernel, bool cuda);

/// The C declaration of `kernel`'s wrapper, without the trailing `;`.
std::string cDeclaration(const Kernel &kernel, bool cuda = false);

/// The declaration of its packed variant (`params`, `d_params` arrays).
std::string cPackedDeclaration(const Kernel &kernel, bool cuda = false);

/// Whether the kernel returns learnable parameters' gradients (d_p...).
bool hasGradientOutputs(KernelKind kind);

/// A header that compiles as C and C++, needs no Halide header, and declares
/// every wrapper with the activation's documentation, plus the registry
/// macros ACTC_<macroPrefix>_KERNELS(X) and ACTC_<macroPrefix>_MANIFEST.
std::string cHeader(llvm::ArrayRef<TargetKernels> built,
                    llvm::ArrayRef<ActivationOp> activations,
                    llvm::StringRef guard, llvm::StringRef macroPrefix,
                    llvm::StringRef source, llvm::StringRef manifest);

/// Nonzero codes the wrappers return before calling Halide (whose own codes
/// are negative).
enum CInterfaceError : int {
  kErrorNegativeSize = 1,
  kErrorNullPointer = 2,
  kErrorTooLarge = 3,
};

} // namespace act

#endif // ACTC_COMPILER_HALIDE_CINTERFACE_H
