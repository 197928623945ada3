// Ahead-of-time output: the static library + header, and the printable stages.
#ifndef ACTC_COMPILER_HALIDE_LIBRARY_H
#define ACTC_COMPILER_HALIDE_LIBRARY_H

#include "compiler/halide/Kernels.h"

#include <string>
#include <vector>

namespace act {

/// What to compile: which activations, kernels, and for which target.
struct CompileRequest {
  std::vector<ActivationOp> activations;
  std::vector<KernelKind> kernels;
  Halide::Target target;
  std::string sourceName; // For the generated header's banner.
};

/// Builds every requested kernel, or reports at the first that fails.
mlir::FailureOr<std::vector<Kernel>> buildKernels(const CompileRequest &request);

/// Writes PREFIX.a (every kernel, its C wrapper and one Halide runtime) and
/// PREFIX.h. Each file is written to a temporary name and renamed, so a
/// failure never leaves a half-written library where an old one was.
mlir::LogicalResult emitLibrary(const CompileRequest &request,
                                llvm::StringRef prefix);

/// Text stages: Halide's lowered statement, LLVM IR, or assembly.
enum class TextStage { HalideStmt, LLVMIR, Assembly };

/// Writes the stage's text for every requested kernel to `os`.
mlir::LogicalResult emitText(const CompileRequest &request, TextStage stage,
                             llvm::raw_ostream &os);

/// Parses `--target=` values (Halide target strings; "host" is the machine
/// running actc). Reports a bad string through `error` and fails.
mlir::FailureOr<Halide::Target>
parseTarget(llvm::ArrayRef<std::string> targets, std::string &error);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_LIBRARY_H
