// The update rules, written as torch.optim's single-tensor implementations
// order their float operations.
#include "runtime/Optimizer.h"

#include <cmath>

using namespace act::runtime;

bool act::runtime::parseOptimizer(llvm::StringRef name, OptimizerKind &kind) {
  if (name == "adam")
    kind = OptimizerKind::Adam;
  else if (name == "sgd")
    kind = OptimizerKind::SGD;
  else
    return false;
  return true;
}

const char *act::runtime::optimizerName(OptimizerKind kind) {
  return kind == OptimizerKind::Adam ? "adam" : "sgd";
}

Optimizer::Optimizer(OptimizerKind kind, float learningRate,
                     std::vector<ParameterRef> parameters)
    : kind(kind), learningRate(learningRate),
      parameters(std::move(parameters)) {
  if (kind != OptimizerKind::Adam)
    return;
  int64_t total = 0;
  for (const ParameterRef &parameter : this->parameters)
    total += parameter.size;
  moments.assign(2 * total, 0.0f);
}

/// The element loops are compiled for AVX-512, AVX2 and baseline x86-64, and
/// the loader picks the widest the CPU has (the update is memory- and
/// divide-bound; baseline SSE alone made Adam a quarter of an epoch). Every
/// operation is correctly rounded and nothing is contracted into FMAs
/// (-std=c++17 sets -ffp-contract=off), so each version gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__)
#define ACTC_VECTOR_CLONES                                                     \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ACTC_VECTOR_CLONES
#endif

ACTC_VECTOR_CLONES
static void sgdUpdate(float *__restrict value, const float *__restrict gradient,
                      int64_t size, float learningRate) {
  for (int64_t i = 0; i < size; ++i)
    value[i] -= learningRate * gradient[i];
}

ACTC_VECTOR_CLONES
static void adamUpdate(float *__restrict value,
                       const float *__restrict gradient, float *__restrict m,
                       float *__restrict v, int64_t size, float beta1,
                       float beta2, float epsilon, float stepSize,
                       float sqrtCorrection2) {
  for (int64_t i = 0; i < size; ++i) {
    float g = gradient[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * g;
    v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
    float denominator = std::sqrt(v[i]) / sqrtCorrection2 + epsilon;
    value[i] -= stepSize * m[i] / denominator;
  }
}

void Optimizer::step() {
  ++stepCount;
  if (kind == OptimizerKind::SGD) {
    for (const ParameterRef &p : parameters)
      sgdUpdate(p.value, p.gradient, p.size, learningRate);
    return;
  }
  // Adam with bias correction: step = lr / (1 - β1^t) and the denominator
  // sqrt(v) / sqrt(1 - β2^t) + ε, as torch.optim.Adam (not the ε-hat form).
  double t = static_cast<double>(stepCount);
  float correction1 = static_cast<float>(1.0 - std::pow(double(kBeta1), t));
  float correction2 = static_cast<float>(1.0 - std::pow(double(kBeta2), t));
  float stepSize = learningRate / correction1;
  float sqrtCorrection2 = std::sqrt(correction2);
  size_t total = moments.size() / 2;
  float *m = moments.data(), *v = moments.data() + total;
  for (const ParameterRef &p : parameters) {
    adamUpdate(p.value, p.gradient, m, v, p.size, kBeta1, kBeta2, kEpsilon,
               stepSize, sqrtCorrection2);
    m += p.size;
    v += p.size;
  }
}
