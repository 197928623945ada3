// The targets of one compilation, and what actc decides from each, once.
#ifndef ACTC_COMPILER_HALIDE_TARGET_H
#define ACTC_COMPILER_HALIDE_TARGET_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include "Halide.h"

#include <optional>
#include <string>
#include <vector>

namespace act {

/// A Halide target with the two facts the algorithms and schedules depend
/// on, decided here and carried down rather than asked again at each stage:
/// where the kernels run, and whether a * b + c is one instruction.
struct KernelTarget : Halide::Target {
  enum class Device { CPU, CUDA };

  explicit KernelTarget(const Halide::Target &target);

  Device device;
  /// a * b + c rounds once (math::fma; see hasFusedMultiplyAdd).
  bool fma;

  bool isCuda() const { return device == Device::CUDA; }
};

/// The targets of one compilation (`--target=`).
struct TargetSet {
  /// CPU targets in order of preference. The generated functions use the
  /// first one the running CPU supports; the last is used unconditionally.
  std::vector<KernelTarget> cpu;
  /// With a `cuda` target: the `_cuda` kernels' target.
  std::optional<KernelTarget> cuda;
};

/// Parses `--target=` values: Halide target strings ("host" is the machine
/// running actc), several CPU targets for run-time dispatch, and `cuda` (or
/// a target with the cuda feature) for CUDA kernels. Every target gets
/// StrictFloat. Reports a bad list through `error` and fails.
mlir::FailureOr<TargetSet> parseTargets(llvm::ArrayRef<std::string> targets,
                                        std::string &error);

/// The target of a library's one Halide runtime: the most widely usable CPU
/// target (the last), with CUDA support when there are CUDA kernels.
Halide::Target runtimeTarget(const TargetSet &targets);

/// The first CPU target of `parseTargets` (what --eval and actc-accuracy
/// JIT-compile for).
mlir::FailureOr<KernelTarget> parseTarget(llvm::ArrayRef<std::string> targets,
                                          std::string &error);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_TARGET_H
