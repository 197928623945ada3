// Ahead-of-time output: static libraries, plugins, and the printable stages.
#ifndef ACTC_COMPILER_HALIDE_LIBRARY_H
#define ACTC_COMPILER_HALIDE_LIBRARY_H

#include "compiler/halide/Kernels.h"

#include <optional>
#include <string>
#include <vector>

namespace act {

/// The version of the generated interface a runtime checks (the manifest's
/// "abi_version", the header's ACTC_ABI_VERSION). Raise it whenever a
/// generated function's signature or meaning changes.
constexpr int kAbiVersion = 1;

/// The targets of one compilation (`--target=`).
struct TargetSet {
  /// CPU targets in order of preference. The generated functions use the
  /// first one the running CPU supports; the last is used unconditionally.
  std::vector<Halide::Target> cpu;
  /// With a `cuda` target: the `_cuda` kernels' target.
  std::optional<Halide::Target> cuda;
};

/// What to compile: which activations, kernels, and for which targets.
struct CompileRequest {
  std::vector<ActivationOp> activations;
  std::vector<KernelKind> kernels;
  TargetSet targets;
  std::string sourceName; // For the generated header's banner.
};

/// The kernels of every activation built for one target.
struct TargetKernels {
  Halide::Target target;
  /// Appended to the Halide functions' names: one library holds each kernel
  /// once per target.
  std::string suffix;
  std::vector<Kernel> kernels;
};

/// Builds every requested kernel for every target: the CPU targets in order,
/// then CUDA. Reports at the first kernel that fails.
mlir::FailureOr<std::vector<TargetKernels>>
buildKernels(const CompileRequest &request);

/// Writes PREFIX.a (every kernel, its C wrappers and one Halide runtime) and
/// PREFIX.h. Each file is written to a temporary name and renamed, so a
/// failure never leaves a half-written library where an old one was.
mlir::LogicalResult emitLibrary(const CompileRequest &request,
                                llvm::StringRef prefix);

/// Writes PREFIX.so: the library's objects and `actc_manifest()`, linked by
/// the system C compiler (`$CC`, else `cc`) into a shared object that exports
/// only the `actc_` functions (its Halide runtime stays private).
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

/// Parses `--target=` values: Halide target strings ("host" is the machine
/// running actc), several CPU targets for run-time dispatch, and `cuda` (or
/// a target with the cuda feature) for CUDA kernels. Every target gets
/// StrictFloat. Reports a bad list through `error` and fails.
mlir::FailureOr<TargetSet> parseTargets(llvm::ArrayRef<std::string> targets,
                                        std::string &error);

/// The first CPU target of `parseTargets` (what --eval and actc-accuracy
/// JIT-compile for).
mlir::FailureOr<Halide::Target>
parseTarget(llvm::ArrayRef<std::string> targets, std::string &error);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_LIBRARY_H
