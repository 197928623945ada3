// What `fmnist compare` writes: results.csv and a self-contained report.html.
#ifndef ACTC_RUNTIME_TOOL_REPORT_REPORT_H
#define ACTC_RUNTIME_TOOL_REPORT_REPORT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act::runtime {

/// One epoch of one activation's training. `epoch` counts from 1. Accuracies
/// are fractions in [0, 1]; any value may be NaN or infinite (a run that
/// diverged), and the report shows it as such instead of breaking.
struct EpochRecord {
  int epoch = 0;
  double trainLoss = 0, trainAccuracy = 0;
  double testLoss = 0, testAccuracy = 0;
  double seconds = 0; // Training time of this epoch alone.
};

/// Everything the report shows about one activation.
struct ActivationRun {
  std::string name; // As given to --acts, e.g. "gelu".
  std::vector<EpochRecord> epochs;
  /// The final model's test metrics and the mean training time per epoch.
  double testAccuracy = 0, testLoss = 0, secondsPerEpoch = 0;
  /// The activation f and its derivative f' sampled at xs (fmnist samples
  /// [-5, 5]); the three have the same length, and may be empty.
  std::vector<float> xs, ys, dys;
};

/// The settings shared by every run, shown in the report's header. They are
/// the values the runs used (threads as resolved, not 0 for "all cores").
struct RunConfig {
  std::string model = "mlp";
  std::vector<int> hidden = {256, 128}; // Hidden widths of 784-…-10.
  int epochs = 0;
  int batch = 0;
  double learningRate = 0;
  std::string optimizer; // "adam" or "sgd".
  std::uint64_t seed = 0;
  int threads = 0;
  std::string device; // "cpu" or "cuda", or a device's name.
};

/// Writes one CSV row per run, in the order given:
///   activation,epochs,test_accuracy,test_loss,train_accuracy,train_loss,
///   seconds_per_epoch,device,threads,batch,optimizer,learning_rate,seed
/// (train_* are the last epoch's, empty when a run has no epochs; the
/// settings repeat on each row so that files from several machines can be
/// concatenated). Numbers have 6 significant digits; non-finite ones are
/// written nan, inf or -inf.
/// The file is replaced atomically (a temporary file, then a rename).
llvm::Error writeResultsCsv(llvm::StringRef path, const RunConfig &config,
                            llvm::ArrayRef<ActivationRun> runs);

/// Writes a single HTML page that needs nothing from the network (inline CSS
/// and SVG, a few lines of inline script that only add hover highlighting):
/// the settings, a table ranked by test accuracy with the best run
/// highlighted, loss and accuracy per epoch, and a grid of each activation's
/// curve and derivative. Fails, writing nothing, when `runs` is empty or a
/// run's xs, ys and dys differ in length. Replaced atomically like the CSV.
llvm::Error writeReportHtml(llvm::StringRef path, const RunConfig &config,
                            llvm::ArrayRef<ActivationRun> runs);

/// The order in which the report's table lists `runs`: by test accuracy,
/// highest first, then by test loss, lowest first; runs whose accuracy is
/// not finite come last. Ties keep the given order.
std::vector<size_t> rankRuns(llvm::ArrayRef<ActivationRun> runs);

} // namespace act::runtime

#endif // ACTC_RUNTIME_TOOL_REPORT_REPORT_H
