// What one training run is: the options of `fmnist train` (FMNIST.md).
#ifndef ACTC_RUNTIME_TRAINCONFIG_H
#define ACTC_RUNTIME_TRAINCONFIG_H

#include "runtime/Optimizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act::runtime {

enum class Device { CPU, CUDA };

struct TrainConfig {
  std::string activation = "relu";
  /// The plugin or .act file the activation comes from (absolute); empty
  /// for the standard library.
  std::string activationLibrary;
  std::vector<int64_t> hidden = {256, 128};
  int64_t epochs = 3;
  int64_t batch = 128;
  float learningRate = 1e-3f;
  OptimizerKind optimizer = OptimizerKind::Adam;
  uint64_t seed = 0;
  Device device = Device::CPU;
  /// Threads for OpenBLAS and the Halide kernels; 0 means every core.
  int threads = 0;
  /// Train and test on the files' first examples only (0: all of them), for
  /// quick runs and tests.
  int64_t trainLimit = 0;
  int64_t testLimit = 0;
};

/// 784, hidden..., 10.
std::vector<int64_t> layerSizes(const TrainConfig &config);

} // namespace act::runtime

#endif // ACTC_RUNTIME_TRAINCONFIG_H
