// Synthetic comparison results for the report tests: plausible curves for
// working runs, and a run that diverged.
#ifndef ACTC_TEST_REPORT_SYNTHETIC_H
#define ACTC_TEST_REPORT_SYNTHETIC_H

#include "runtime/tool/report/Report.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace act::runtime::testing {

constexpr int kCurveSamples = 201; // [-5, 5] in steps of 0.05.

/// A run whose losses fall and accuracies rise towards `finalAccuracy`, and
/// whose curve samples `f` and its derivative `df`.
inline ActivationRun
makeRun(std::string name, int epochs, double finalAccuracy,
        double secondsPerEpoch, const std::function<double(double)> &f,
        const std::function<double(double)> &df) {
  ActivationRun run;
  run.name = std::move(name);
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    // Rises quickly, then levels off at 1 in the last epoch.
    double progress = (1 - std::exp(-0.6 * epoch)) / (1 - std::exp(-0.6 * epochs));
    EpochRecord record;
    record.epoch = epoch;
    record.trainAccuracy = 0.7 + (finalAccuracy + 0.02 - 0.7) * progress;
    record.testAccuracy = 0.7 + (finalAccuracy - 0.7) * progress;
    record.trainLoss = 0.9 - 0.6 * progress;
    record.testLoss = 0.95 - 0.6 * progress;
    record.seconds = secondsPerEpoch;
    run.epochs.push_back(record);
  }
  run.testAccuracy = run.epochs.back().testAccuracy;
  run.testLoss = run.epochs.back().testLoss;
  run.secondsPerEpoch = secondsPerEpoch;
  for (int i = 0; i < kCurveSamples; ++i) {
    double x = -5 + 10.0 * i / (kCurveSamples - 1);
    run.xs.push_back(static_cast<float>(x));
    run.ys.push_back(static_cast<float>(f(x)));
    run.dys.push_back(static_cast<float>(df(x)));
  }
  return run;
}

inline ActivationRun makeRelu(int epochs = 5) {
  return makeRun(
      "relu", epochs, 0.885, 1.2, [](double x) { return x > 0 ? x : 0; },
      [](double x) { return x > 0 ? 1 : 0; });
}

inline ActivationRun makeTanh(int epochs = 5) {
  return makeRun(
      "tanh", epochs, 0.872, 1.5, [](double x) { return std::tanh(x); },
      [](double x) { return 1 - std::tanh(x) * std::tanh(x); });
}

/// A run whose loss became NaN in epoch 3 (and infinite in its curve's
/// derivative), as a too-large learning rate does.
inline ActivationRun makeDiverged(int epochs = 5) {
  ActivationRun run = makeRun(
      "exp", epochs, 0.5, 1.1, [](double x) { return std::exp(3 * x); },
      [](double x) { return 3 * std::exp(3 * x); });
  for (EpochRecord &record : run.epochs)
    if (record.epoch >= 3)
      record.trainLoss = record.testLoss = record.trainAccuracy =
          record.testAccuracy = NAN;
  run.epochs[1].trainLoss = 1e30; // The step before the NaN.
  run.testAccuracy = run.testLoss = NAN;
  run.ys.back() = INFINITY;
  run.dys.back() = NAN;
  return run;
}

inline RunConfig makeConfig() {
  RunConfig config;
  config.epochs = 5;
  config.batch = 128;
  config.learningRate = 1e-3;
  config.optimizer = "adam";
  config.seed = 0;
  config.threads = 2;
  config.device = "cpu";
  return config;
}

/// A fresh directory, removed with its files when the test ends.
class TemporaryDirectory {
public:
  TemporaryDirectory() {
    std::error_code ec =
        llvm::sys::fs::createUniqueDirectory("actc-report-test", path);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TemporaryDirectory() { llvm::sys::fs::remove_directories(path); }

  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> result(path);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }

  /// The names of the files in the directory, sorted.
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(names.begin(), names.end());
    return names;
  }

  llvm::SmallString<128> path;
};

inline std::string readFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return "<unreadable: " + buffer.getError().message() + ">";
  return (*buffer)->getBuffer().str();
}

} // namespace act::runtime::testing

#endif // ACTC_TEST_REPORT_SYNTHETIC_H
