// The epoch loop, evaluation, and what --out keeps.
#include "runtime/Trainer.h"

#include "runtime/Random.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace act::runtime;
using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

static llvm::Error runtimeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error act::runtime::checkTrainable(const Activation &activation,
                                         Device device) {
  const KernelSet &kernels =
      device == Device::CPU ? activation.cpu : activation.cuda;
  const char *suffix = device == Device::CPU ? "" : "_cuda";
  if (!kernels.bias_forward || !kernels.bias_backward)
    return runtimeError(
        "activation '" + activation.name + "' has no bias_forward" + suffix +
        " or bias_backward" + suffix +
        " kernel, which training calls; build its library with all kernels "
        "(actc's default --kernels)");
  return llvm::Error::success();
}

// --- Progress ---------------------------------------------------------------

/// Redraws at most this often: a terminal cannot show more, and each redraw
/// costs a write.
constexpr std::chrono::milliseconds kRedrawInterval(100);
constexpr int kBarWidth = 30;

void Progress::startEpoch(int64_t epoch, int64_t epochs, int64_t steps) {
  this->epoch = epoch;
  this->epochs = epochs;
  this->steps = steps;
  start = Clock::now();
  lastDraw = start - kRedrawInterval;
}

void Progress::update(int64_t step, double loss, double accuracy) {
  if (!terminal)
    return;
  Clock::time_point now = Clock::now();
  if (step != steps && now - lastDraw < kRedrawInterval)
    return;
  lastDraw = now;
  int filled = static_cast<int>(kBarWidth * step / std::max<int64_t>(steps, 1));
  os << "\repoch " << epoch << "/" << epochs << " [" << std::string(filled, '#')
     << std::string(kBarWidth - filled, '.') << "] " << step << "/" << steps
     << llvm::format(" loss %.4f accuracy %.4f %.1fs", loss, accuracy,
                     secondsSince(start))
     << "\x1b[K"; // Clears what a longer previous line left.
  os.flush();
}

void Progress::endEpoch(const EpochMetrics &m, int64_t epochs) {
  if (terminal)
    os << "\r\x1b[K";
  os << "epoch " << m.epoch << "/" << epochs
     << llvm::format(" train_loss=%.4f train_accuracy=%.4f test_loss=%.4f "
                     "test_accuracy=%.4f seconds=%.2f\n",
                     m.trainLoss, m.trainAccuracy, m.testLoss, m.testAccuracy,
                     m.seconds);
  os.flush();
}

// --- Trainer ----------------------------------------------------------------

Trainer::Trainer(const TrainConfig &config, const Activation &activation,
                 const Dataset &train, const Dataset &test)
    : config(config), activation(activation), trainData(train), testData(test),
      net(activation, layerSizes(config), std::max(config.batch, kEvalBatch),
          config.seed),
      optimizer(config.optimizer, config.learningRate, net.parameters()),
      input(std::max(config.batch, kEvalBatch), kImagePixels),
      dLogits(config.batch, kNumClasses),
      labels(std::max(config.batch, kEvalBatch)) {}

/// Pixels scaled to [0, 1], as torchvision's ToTensor.
static void scalePixels(const uint8_t *__restrict pixels,
                        float *__restrict row) {
  for (int64_t i = 0; i < kImagePixels; ++i)
    row[i] = static_cast<float>(pixels[i]) / 255.0f;
}

void Trainer::gather(const Dataset &data, const uint32_t *indices,
                     int64_t rows) {
  input.setRows(rows);
  for (int64_t r = 0; r < rows; ++r) {
    scalePixels(data.pixels.data() + indices[r] * kImagePixels, input.row(r));
    labels[r] = data.labels[indices[r]];
  }
}

llvm::Expected<Score> Trainer::evaluate(const Dataset &data) {
  double lossSum = 0;
  int64_t correct = 0;
  std::vector<uint32_t> indices(kEvalBatch);
  for (int64_t first = 0; first < data.count; first += kEvalBatch) {
    int64_t rows = std::min(kEvalBatch, data.count - first);
    for (int64_t r = 0; r < rows; ++r)
      indices[r] = static_cast<uint32_t>(first + r);
    gather(data, indices.data(), rows);
    llvm::Expected<const Matrix *> logits = net.predict(input);
    if (!logits)
      return logits.takeError();
    BatchScore score = softmaxCrossEntropy(**logits, labels.data(), nullptr);
    lossSum += score.lossSum;
    correct += score.correct;
  }
  double count = static_cast<double>(std::max<int64_t>(data.count, 1));
  return Score{lossSum / count, static_cast<double>(correct) / count};
}

llvm::Expected<TrainResult> Trainer::train(Progress &progress,
                                           const Hooks &hooks) {
  TrainResult result;
  int64_t count = trainData.count;
  int64_t stepsPerEpoch = (count + config.batch - 1) / config.batch;
  order.resize(count);
  std::optional<Score> test;
  for (int64_t epoch = doneEpochs; epoch < config.epochs; ++epoch) {
    shuffledOrder(config.seed, epoch, order);
    progress.startEpoch(epoch + 1, config.epochs, stepsPerEpoch);
    Clock::time_point start = Clock::now();
    double lossSum = 0;
    int64_t correct = 0;
    for (int64_t step = 0; step < stepsPerEpoch; ++step) {
      int64_t first = step * config.batch;
      int64_t rows = std::min(config.batch, count - first);
      gather(trainData, order.data() + first, rows);
      llvm::Expected<const Matrix *> logits = net.forwardTrain(input);
      if (!logits)
        return logits.takeError();
      dLogits.setRows(rows);
      BatchScore score = softmaxCrossEntropy(**logits, labels.data(), &dLogits);
      if (llvm::Error error = net.backward(input, dLogits))
        return std::move(error);
      optimizer.step();
      lossSum += score.lossSum;
      correct += score.correct;
      if (hooks.onStep)
        hooks.onStep({epoch + 1, optimizer.steps(), rows,
                      score.lossSum / double(rows),
                      double(score.correct) / double(rows),
                      result.trainSeconds + secondsSince(start)});
      double seen = static_cast<double>(first + rows);
      progress.update(step + 1, lossSum / seen, double(correct) / seen);
    }
    EpochMetrics metrics;
    metrics.epoch = epoch + 1;
    metrics.seconds = secondsSince(start);
    metrics.trainLoss = lossSum / double(std::max<int64_t>(count, 1));
    metrics.trainAccuracy =
        double(correct) / double(std::max<int64_t>(count, 1));
    doneEpochs = epoch + 1;
    result.trainSeconds += metrics.seconds;

    llvm::Expected<Score> score = evaluate(testData);
    if (!score)
      return score.takeError();
    test = *score;
    metrics.testLoss = score->loss;
    metrics.testAccuracy = score->accuracy;
    result.epochs.push_back(metrics);
    progress.endEpoch(metrics, config.epochs);
    if (hooks.onEpoch)
      if (llvm::Error error = hooks.onEpoch(metrics))
        return std::move(error);
  }
  if (!test) { // Resumed with every epoch already done.
    llvm::Expected<Score> score = evaluate(testData);
    if (!score)
      return score.takeError();
    test = *score;
  }
  result.test = *test;
  return result;
}

Checkpoint Trainer::snapshot() {
  Checkpoint checkpoint;
  checkpoint.config = config;
  checkpoint.activationParams = activation.params;
  checkpoint.epochsDone = doneEpochs;
  checkpoint.optimizerSteps = optimizer.steps();
  for (const ParameterRef &parameter : net.parameters())
    checkpoint.tensors.emplace_back(parameter.value,
                                    parameter.value + parameter.size);
  checkpoint.optimizerState = optimizer.state();
  return checkpoint;
}

/// The first training option in which `saved` and `current` differ, if any
/// (the number of epochs and of threads may change on resume).
static std::optional<std::string> firstDifference(const TrainConfig &saved,
                                                  const TrainConfig &current) {
  auto join = [](const std::vector<int64_t> &values) {
    return llvm::join(
        llvm::map_range(values, [](int64_t v) { return std::to_string(v); }),
        ",");
  };
  if (saved.activation != current.activation)
    return "--act " + saved.activation;
  if (saved.hidden != current.hidden)
    return "--hidden " + join(saved.hidden);
  if (saved.batch != current.batch)
    return "--batch " + std::to_string(saved.batch);
  if (saved.learningRate != current.learningRate)
    return "--lr " + std::to_string(saved.learningRate);
  if (saved.optimizer != current.optimizer)
    return std::string("--optimizer ") + optimizerName(saved.optimizer);
  if (saved.seed != current.seed)
    return "--seed " + std::to_string(saved.seed);
  if (saved.device != current.device)
    return std::string("--device ") +
           (saved.device == Device::CPU ? "cpu" : "cuda");
  if (saved.trainLimit != current.trainLimit)
    return "--train-limit " + std::to_string(saved.trainLimit);
  if (saved.testLimit != current.testLimit)
    return "--test-limit " + std::to_string(saved.testLimit);
  return std::nullopt;
}

llvm::Error Trainer::restore(const Checkpoint &checkpoint) {
  if (std::optional<std::string> option =
          firstDifference(checkpoint.config, config))
    return runtimeError("the checkpoint was trained with " + *option +
                        "; pass the options it was trained with");
  const std::vector<ActivationParam> &params = activation.params;
  bool sameParams =
      params.size() == checkpoint.activationParams.size() &&
      std::equal(params.begin(), params.end(),
                 checkpoint.activationParams.begin(),
                 [](const ActivationParam &a, const ActivationParam &b) {
                   return a.name == b.name && a.learnable == b.learnable &&
                          a.defaultValue == b.defaultValue;
                 });
  if (!sameParams)
    return runtimeError("activation '" + activation.name +
                        "' has other parameters than the one the checkpoint "
                        "was trained with");
  std::vector<ParameterRef> parameters = net.parameters();
  bool sameShapes =
      parameters.size() == checkpoint.tensors.size() &&
      optimizer.state().size() == checkpoint.optimizerState.size();
  for (size_t i = 0; sameShapes && i < parameters.size(); ++i)
    sameShapes = int64_t(checkpoint.tensors[i].size()) == parameters[i].size;
  if (!sameShapes)
    return runtimeError("the checkpoint's tensors do not fit the network");
  for (size_t i = 0; i < parameters.size(); ++i)
    std::copy(checkpoint.tensors[i].begin(), checkpoint.tensors[i].end(),
              parameters[i].value);
  optimizer.state() = checkpoint.optimizerState;
  optimizer.restore(checkpoint.optimizerSteps);
  doneEpochs = checkpoint.epochsDone;
  return llvm::Error::success();
}

// --- What --out keeps -------------------------------------------------------

namespace {

/// metrics.csv: one row per kMetricsInterval steps (the training batches'
/// mean since the previous row) and one test row per epoch.
class MetricsFile {
public:
  static constexpr const char *kHeader =
      "epoch,step,loss,accuracy,seconds,split\n";

  /// Starts the file, or with `resume` keeps the rows of the epochs the
  /// checkpoint holds (those of an interrupted epoch are trained again).
  /// Returns the training seconds those rows reached.
  llvm::Expected<double> open(llvm::StringRef directory, bool resume,
                              int64_t epochsDone) {
    llvm::sys::path::append(path, directory, kMetricsFile);
    std::string kept = kHeader;
    double seconds = 0;
    if (resume) {
      if (auto existing = llvm::MemoryBuffer::getFile(path)) {
        llvm::SmallVector<llvm::StringRef> lines;
        (*existing)->getBuffer().split(lines, '\n', -1, false);
        for (llvm::StringRef line : llvm::drop_begin(lines)) {
          llvm::SmallVector<llvm::StringRef> fields;
          line.split(fields, ',');
          int64_t epoch = 0;
          double rowSeconds = 0;
          if (fields.size() != 6 || fields[0].getAsInteger(10, epoch) ||
              epoch > epochsDone || fields[4].getAsDouble(rowSeconds))
            continue;
          kept += line.str() + "\n";
          seconds = std::max(seconds, rowSeconds);
        }
      }
    }
    std::error_code ec;
    stream = std::make_unique<llvm::raw_fd_ostream>(path, ec);
    if (ec)
      return runtimeError("cannot write '" + path + "': " + ec.message());
    *stream << kept;
    stream->flush();
    return seconds;
  }

  void step(const Trainer::StepMetrics &m, double secondsBefore) {
    lossSum += m.loss * double(m.rows);
    correct += m.accuracy * double(m.rows);
    rows += m.rows;
    if (m.step % Trainer::kMetricsInterval == 0)
      flushTrain(m.epoch, m.step, secondsBefore + m.seconds);
    lastEpoch = m.epoch;
    lastStep = m.step;
    lastSeconds = secondsBefore + m.seconds;
  }

  llvm::Error epoch(const EpochMetrics &m) {
    flushTrain(lastEpoch, lastStep, lastSeconds);
    row(m.epoch, lastStep, m.testLoss, m.testAccuracy, lastSeconds, "test");
    stream->flush();
    if (stream->has_error())
      return runtimeError("cannot write '" + path +
                          "': " + stream->error().message());
    return llvm::Error::success();
  }

private:
  void flushTrain(int64_t epoch, int64_t step, double seconds) {
    if (rows == 0)
      return;
    row(epoch, step, lossSum / double(rows), correct / double(rows), seconds,
        "train");
    lossSum = correct = 0;
    rows = 0;
  }
  void row(int64_t epoch, int64_t step, double loss, double accuracy,
           double seconds, const char *split) {
    *stream << epoch << "," << step
            << llvm::format(",%.6g,%.6g,%.3f,", loss, accuracy, seconds)
            << split << "\n";
  }

  llvm::SmallString<256> path;
  std::unique_ptr<llvm::raw_fd_ostream> stream;
  double lossSum = 0, correct = 0;
  int64_t rows = 0, lastEpoch = 0, lastStep = 0;
  double lastSeconds = 0;
};

} // namespace

llvm::Expected<TrainResult>
act::runtime::trainAndSave(const TrainConfig &config,
                           const Activation &activation, const Dataset &train,
                           const Dataset &test, const OutputOptions &output,
                           Progress &progress, llvm::raw_ostream &log) {
  Trainer trainer(config, activation, train, test);
  if (output.directory.empty()) {
    Trainer::Hooks none{};
    return trainer.train(progress, none);
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(output.directory))
    return runtimeError("cannot create '" + output.directory +
                        "': " + ec.message());
  llvm::SmallString<256> checkpointPath(output.directory);
  llvm::sys::path::append(checkpointPath, kCheckpointFile);
  if (output.resume) {
    if (llvm::sys::fs::exists(checkpointPath)) {
      llvm::Expected<Checkpoint> checkpoint = readCheckpoint(checkpointPath);
      if (!checkpoint)
        return checkpoint.takeError();
      if (llvm::Error error = trainer.restore(*checkpoint))
        return runtimeError("cannot resume from '" + checkpointPath +
                            "': " + llvm::toString(std::move(error)));
      log << "resuming after epoch " << trainer.epochsDone() << " of "
          << config.epochs << "\n";
    } else {
      log << "no checkpoint in '" << output.directory
          << "' yet; training from the start\n";
    }
  }

  MetricsFile metrics;
  llvm::Expected<double> secondsBefore =
      metrics.open(output.directory, output.resume, trainer.epochsDone());
  if (!secondsBefore)
    return secondsBefore.takeError();
  auto onStep = [&](const Trainer::StepMetrics &m) {
    metrics.step(m, *secondsBefore);
  };
  auto onEpoch = [&](const EpochMetrics &m) -> llvm::Error {
    if (llvm::Error error = metrics.epoch(m))
      return error;
    return writeCheckpoint(checkpointPath, trainer.snapshot());
  };
  llvm::Expected<TrainResult> result =
      trainer.train(progress, Trainer::Hooks{onStep, onEpoch});
  if (result)
    result->trainSeconds += *secondsBefore;
  return result;
}

std::string act::runtime::finalLine(const Score &test, double trainSeconds) {
  std::string line;
  llvm::raw_string_ostream os(line);
  os << llvm::format("test_accuracy=%.4f test_loss=%.4f train_seconds=%.2f",
                     test.accuracy, test.loss, trainSeconds);
  return os.str();
}
