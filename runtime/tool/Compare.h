// `fmnist compare`: what the report (runtime/report) shows of each run.
#ifndef ACTC_RUNTIME_TOOL_COMPARE_H
#define ACTC_RUNTIME_TOOL_COMPARE_H

#include "runtime/Trainer.h"
#include "runtime/tool/report/Report.h"

namespace act::runtime {

/// Each activation is plotted from kCurvePoints samples of
/// [kCurveMin, kCurveMax].
constexpr int kCurvePoints = 401;
constexpr float kCurveMin = -5.0f, kCurveMax = 5.0f;

/// The run's name, per-epoch metrics, final test score and seconds per
/// epoch, from one activation's training.
ActivationRun summarizeRun(llvm::StringRef name, const TrainResult &result);

/// Fills `run`'s xs, ys and dys: the forward kernel, and the backward kernel
/// with dy = 1, at the parameters' defaults.
llvm::Error sampleActivation(const Activation &activation, ActivationRun &run);

/// The report's header: `config`'s settings, with the thread count resolved.
RunConfig reportConfig(const TrainConfig &config, int threads);

} // namespace act::runtime

#endif // ACTC_RUNTIME_TOOL_COMPARE_H
