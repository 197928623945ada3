// The generated C interface (CLI.md): raw-pointer wrappers and the C header.
#ifndef ACTC_COMPILER_HALIDE_CINTERFACE_H
#define ACTC_COMPILER_HALIDE_CINTERFACE_H

#include "compiler/halide/Kernels.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act {

/// An object file defining, for each kernel, the C function of CLI.md
/// (`int actc_NAME_forward(const float *x, float *y, int64_t n, p...)`). Each
/// checks its arguments, describes the arrays as halide_buffer_t and calls
/// the Halide kernel, in chunks when an array exceeds Halide's 32-bit extents.
mlir::FailureOr<std::string> compileCWrappers(const std::vector<Kernel> &kernels,
                                              const Halide::Target &target,
                                              std::string &error);

/// The C declaration of `kernel`'s wrapper, without the trailing `;`.
std::string cDeclaration(const Kernel &kernel);

/// A header that compiles as C and C++, needs no Halide header, and declares
/// every wrapper with the activation's documentation.
std::string cHeader(const std::vector<Kernel> &kernels,
                    llvm::ArrayRef<ActivationOp> activations,
                    llvm::StringRef guard, llvm::StringRef source);

/// Nonzero codes the wrappers return before calling Halide (whose own codes
/// are negative).
enum CInterfaceError : int {
  kErrorNegativeSize = 1,
  kErrorNullPointer = 2,
  kErrorTooLarge = 3,
};

} // namespace act

#endif // ACTC_COMPILER_HALIDE_CINTERFACE_H
