// The generated C interface (actc/abi.h): its functions and its header.
#ifndef ACTC_COMPILER_HALIDE_CINTERFACE_H
#define ACTC_COMPILER_HALIDE_CINTERFACE_H

#include "compiler/halide/Kernels.h"

#include <string>
#include <vector>

namespace act {

/// How a generated function takes the activation's parameters (actc/rt.h):
/// one float each, or `NAME_p` with them in an array.
enum class CallingForm { Typed = ACTC_TYPED, Packed = ACTC_PACKED };

/// An object file defining every C function of the kernels in `built` (the
/// CPU targets' kernels, and CUDA's as `..._cuda`), typed and packed. Each
/// is a shim that hands its arguments to libactc_rt's actc_rt_call with a
/// description of its kernel: its Halide pipelines, which for several CPU
/// targets are Halide's multi-target wrappers. With a `pluginManifest`, the
/// object also defines `actc_manifest()`.
mlir::FailureOr<std::string>
compileCWrappers(llvm::ArrayRef<TargetKernels> built,
                 llvm::StringRef pluginManifest, std::string &error);

/// The names a plugin exports: every C function and `actc_manifest`.
std::vector<std::string> exportedNames(llvm::ArrayRef<TargetKernels> built);

/// A header that compiles as C and C++, needs no Halide header, and declares
/// every function with the activation's documentation, plus the registry
/// macros ACTC_<macroPrefix>_KERNELS(X) and ACTC_<macroPrefix>_MANIFEST.
std::string cHeader(llvm::ArrayRef<TargetKernels> built,
                    llvm::ArrayRef<ActivationOp> activations,
                    llvm::StringRef guard, llvm::StringRef macroPrefix,
                    llvm::StringRef source, llvm::StringRef manifest);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_CINTERFACE_H
