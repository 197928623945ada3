// Ahead-of-time output: static libraries, plugins, and the printable stages.
#ifndef ACTC_COMPILER_HALIDE_LIBRARY_H
#define ACTC_COMPILER_HALIDE_LIBRARY_H

#include "compiler/halide/Kernels.h"

#include <string>
#include <vector>

namespace act {

/// What to compile: which activations, kernels, and for which targets.
struct CompileRequest {
  std::vector<ActivationOp> activations;
  std::vector<KernelKind> kernels;
  TargetSet targets;
  std::string sourceName; // For the generated header's banner.
};

/// Builds every requested kernel for every target: the CPU targets in order,
/// then CUDA. Reports at the first kernel that fails.
mlir::FailureOr<std::vector<TargetKernels>>
buildKernels(const CompileRequest &request);

/// Writes PREFIX.a (every kernel, its C functions and one Halide runtime) and
/// PREFIX.h. Each file is written to a temporary name and renamed, so a
/// failure never leaves a half-written library where an old one was. The
/// library's functions call libactc_rt, which programs link too.
mlir::LogicalResult emitLibrary(const CompileRequest &request,
                                llvm::StringRef prefix);

/// Writes PREFIX.so: the library's objects, `actc_manifest()` and libactc_rt
/// (found beside the running executable, in ../lib), linked by the system C
/// compiler (`$CC`, else `cc`) into a shared object that exports only the
/// `actc_` functions (its Halide runtime stays private).
mlir::LogicalResult emitPlugin(const CompileRequest &request,
                               llvm::StringRef prefix);

/// The JSON manifest of a library or plugin (ABI version, activations,
/// parameters, kernels, targets).
std::string manifest(const CompileRequest &request);

/// Text stages: Halide's lowered statement, LLVM IR, assembly, or the PTX
/// of the CUDA kernels.
enum class TextStage { HalideStmt, LLVMIR, Assembly, PTX };

/// Writes the stage's text for every requested kernel and target to `os`.
mlir::LogicalResult emitText(const CompileRequest &request, TextStage stage,
                             llvm::raw_ostream &os);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_LIBRARY_H
