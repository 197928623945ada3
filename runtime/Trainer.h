// Training and evaluating the network on Fashion-MNIST: the epoch loop, the
// checkpoints and metrics of --out, and the progress display.
#ifndef ACTC_RUNTIME_TRAINER_H
#define ACTC_RUNTIME_TRAINER_H

#include "runtime/Checkpoint.h"
#include "runtime/Dataset.h"
#include "runtime/Network.h"
#include "runtime/Optimizer.h"
#include "runtime/TrainConfig.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <optional>

namespace act::runtime {

/// Mean loss and accuracy over a data set.
struct Score {
  double loss = 0;
  double accuracy = 0;
};

struct EpochMetrics {
  int64_t epoch = 0;                       // 1-based, as printed.
  double trainLoss = 0, trainAccuracy = 0; // Means over the epoch's batches.
  double testLoss = 0, testAccuracy = 0;
  double seconds = 0; // Training only, not the evaluation.
};

struct TrainResult {
  std::vector<EpochMetrics> epochs; // Those trained by this call.
  Score test;                       // After the last epoch.
  double trainSeconds = 0;          // Including earlier runs when resumed.
};

/// The activation has the kernels training on `device` calls, or an error
/// naming the missing one.
llvm::Error checkTrainable(const Activation &activation, Device device);

/// The progress display: on a terminal a bar redrawn in place, otherwise
/// nothing until the epoch's line.
class Progress {
public:
  Progress(llvm::raw_ostream &os, bool terminal) : os(os), terminal(terminal) {}
  void startEpoch(int64_t epoch, int64_t epochs, int64_t steps);
  void update(int64_t step, double loss, double accuracy);
  void endEpoch(const EpochMetrics &metrics, int64_t epochs);

private:
  using Clock = std::chrono::steady_clock;
  llvm::raw_ostream &os;
  bool terminal;
  int64_t epoch = 0, epochs = 0, steps = 0;
  Clock::time_point start, lastDraw;
};

/// One network, its optimiser and the data, trained epoch by epoch.
class Trainer {
public:
  /// Larger batches for evaluation: no gradients to keep, and a taller GEMM
  /// runs closer to peak.
  static constexpr int64_t kEvalBatch = 1000;
  /// A metrics.csv row every this many steps (the mean since the last row).
  static constexpr int64_t kMetricsInterval = 50;

  Trainer(const TrainConfig &config, const Activation &activation,
          const Dataset &train, const Dataset &test);

  /// Continues from `checkpoint`, which must come from the same model and
  /// training options (epochs and threads may differ).
  llvm::Error restore(const Checkpoint &checkpoint);
  Checkpoint snapshot();

  /// What one step measured: the batch's mean loss and accuracy, and the
  /// training seconds of this call so far.
  struct StepMetrics {
    int64_t epoch, step; // 1-based epoch; step counts every optimiser step.
    int64_t rows;
    double loss, accuracy, seconds;
  };
  /// Called after each step, and after each epoch (with the test score).
  struct Hooks {
    llvm::function_ref<void(const StepMetrics &)> onStep;
    llvm::function_ref<llvm::Error(const EpochMetrics &)> onEpoch;
  };
  /// Trains epochs epochsDone() + 1 .. config.epochs.
  llvm::Expected<TrainResult> train(Progress &progress, const Hooks &hooks);

  llvm::Expected<Score> evaluate(const Dataset &data);

  Network &network() { return net; }
  int64_t epochsDone() const { return doneEpochs; }
  int64_t steps() const { return optimizer.steps(); }

private:
  /// Copies examples order[first..first+rows) into the input batch.
  void gather(const Dataset &data, const uint32_t *indices, int64_t rows);

  TrainConfig config;
  const Activation &activation;
  const Dataset &trainData, &testData;
  Network net;
  Optimizer optimizer;
  int64_t doneEpochs = 0;
  Matrix input, dLogits;
  std::vector<uint8_t> labels;
  std::vector<uint32_t> order;
};

/// Where `train` keeps its files, and whether to continue from them.
struct OutputOptions {
  std::string directory; // Empty: keep nothing.
  bool resume = false;
};

/// A whole `fmnist train`: restores from DIR/checkpoint.bin with --resume,
/// trains, keeps DIR/metrics.csv and the checkpoint after each epoch.
/// Notes (e.g. "resuming after epoch 2") go to `log`.
llvm::Expected<TrainResult>
trainAndSave(const TrainConfig &config, const Activation &activation,
             const Dataset &train, const Dataset &test,
             const OutputOptions &output, Progress &progress,
             llvm::raw_ostream &log);

/// The checkpoint's file name inside --out.
constexpr const char *kCheckpointFile = "checkpoint.bin";
constexpr const char *kMetricsFile = "metrics.csv";

/// `test_accuracy=A test_loss=L train_seconds=S`, fmnist's last line.
std::string finalLine(const Score &test, double trainSeconds);

} // namespace act::runtime

#endif // ACTC_RUNTIME_TRAINER_H
