// The network shape a configuration implies.
#include "runtime/TrainConfig.h"

#include "runtime/Dataset.h"

using namespace act::runtime;

std::vector<int64_t> act::runtime::layerSizes(const TrainConfig &config) {
  std::vector<int64_t> sizes{kImagePixels};
  sizes.insert(sizes.end(), config.hidden.begin(), config.hidden.end());
  sizes.push_back(kNumClasses);
  return sizes;
}
