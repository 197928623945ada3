// Adam and SGD over the network's parameters, as torch.optim computes them.
#ifndef ACTC_RUNTIME_OPTIMIZER_H
#define ACTC_RUNTIME_OPTIMIZER_H

#include "runtime/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act::runtime {

enum class OptimizerKind { Adam, SGD };

/// "adam" or "sgd"; false for anything else.
bool parseOptimizer(llvm::StringRef name, OptimizerKind &kind);
const char *optimizerName(OptimizerKind kind);

/// One optimiser for one list of parameters (Network::parameters()).
class Optimizer {
public:
  /// torch.optim.Adam's defaults (Kingma and Ba, 2015).
  static constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEpsilon = 1e-8f;

  Optimizer(OptimizerKind kind, float learningRate,
            std::vector<ParameterRef> parameters);

  /// Applies one update from the parameters' current gradients.
  void step();

  /// What a checkpoint keeps: the step count and Adam's moment estimates
  /// (first moments of every parameter in order, then second moments).
  int64_t steps() const { return stepCount; }
  std::vector<float> &state() { return moments; }
  void restore(int64_t steps) { stepCount = steps; }

private:
  OptimizerKind kind;
  float learningRate;
  std::vector<ParameterRef> parameters;
  std::vector<float> moments; // Adam only: m then v, one float per value.
  int64_t stepCount = 0;
};

} // namespace act::runtime

#endif // ACTC_RUNTIME_OPTIMIZER_H
