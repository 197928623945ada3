// From training results and kernels to the report's records.
#include "runtime/tool/Compare.h"

using namespace act::runtime;

ActivationRun act::runtime::summarizeRun(llvm::StringRef name,
                                         const TrainResult &result) {
  ActivationRun run;
  run.name = name.str();
  for (const EpochMetrics &m : result.epochs)
    run.epochs.push_back({static_cast<int>(m.epoch), m.trainLoss,
                          m.trainAccuracy, m.testLoss, m.testAccuracy,
                          m.seconds});
  run.testAccuracy = result.test.accuracy;
  run.testLoss = result.test.loss;
  if (!result.epochs.empty())
    run.secondsPerEpoch =
        result.trainSeconds / static_cast<double>(result.epochs.size());
  return run;
}

llvm::Error act::runtime::sampleActivation(const Activation &activation,
                                           ActivationRun &run) {
  if (!activation.cpu.forward || !activation.cpu.backward)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "activation '" + activation.name +
            "' has no forward or backward kernel to plot it with");
  run.xs.clear();
  for (int i = 0; i < kCurvePoints; ++i)
    run.xs.push_back(kCurveMin + (kCurveMax - kCurveMin) * float(i) /
                                     float(kCurvePoints - 1));
  run.ys.assign(kCurvePoints, 0.0f);
  run.dys.assign(kCurvePoints, 0.0f);
  std::vector<float> ones(kCurvePoints, 1.0f);
  std::vector<float> params = activation.defaultParams();
  std::vector<float> dParams(activation.numLearnable());
  const float *paramData = params.empty() ? nullptr : params.data();
  int code = activation.cpu.forward(run.xs.data(), run.ys.data(), kCurvePoints,
                                    paramData);
  if (code == 0)
    code = activation.cpu.backward(run.xs.data(), ones.data(), run.dys.data(),
                                   kCurvePoints, paramData,
                                   dParams.empty() ? nullptr : dParams.data());
  if (code != 0)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "sampling activation '" + activation.name +
                                       "' failed with code " +
                                       llvm::Twine(code));
  return llvm::Error::success();
}

RunConfig act::runtime::reportConfig(const TrainConfig &config, int threads) {
  RunConfig report;
  report.hidden.assign(config.hidden.begin(), config.hidden.end());
  report.epochs = static_cast<int>(config.epochs);
  report.batch = static_cast<int>(config.batch);
  report.learningRate = config.learningRate;
  report.optimizer = optimizerName(config.optimizer);
  report.seed = config.seed;
  report.threads = threads;
  report.device = config.device == Device::CPU ? "cpu" : "cuda";
  return report;
}
