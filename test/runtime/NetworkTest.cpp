// The network's forward and backward passes, run through generated kernels,
// against the same network written out in double precision.
#include "ReferenceActivations.h"
#include "TestSupport.h"

#include "runtime/Network.h"
#include "runtime/Random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace act::runtime;
using namespace act::runtime::reference;

namespace {

/// Largest |got - want| relative to the largest |want|: float32 GEMMs and
/// kernels keep every entry within 1e-5 of the array's scale.
constexpr double kTolerance = 1e-5;

double relativeError(const float *got, const std::vector<double> &want) {
  double error = 0, scale = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    error = std::max(error, std::abs(double(got[i]) - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  return scale == 0 ? error : error / scale;
}

using Vec = std::vector<double>;

/// y (rows x n) = x (rows x k) · w (k x n) + b.
Vec affine(const Vec &x, const float *w, const float *b, int64_t rows,
           int64_t k, int64_t n) {
  Vec y(rows * n);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < n; ++c) {
      double sum = b[c];
      for (int64_t i = 0; i < k; ++i)
        sum += x[r * k + i] * double(w[i * n + c]);
      y[r * n + c] = sum;
    }
  return y;
}

struct ReferenceGradients {
  Vec logits;
  double loss = 0;
  std::vector<Vec> dWeight, dBias, dParam; // Per layer.
};

/// Forward and backward of `net`'s weights, in double precision.
ReferenceGradients referencePass(Network &net, const ReferenceActivation &ref,
                                 const Matrix &input,
                                 const std::vector<uint8_t> &labels) {
  std::vector<DenseLayer> &layers = net.layers();
  int64_t rows = input.rows();
  std::vector<Vec> activations{Vec(input.data(), input.data() + input.size())};
  std::vector<Vec> preActivations;
  std::vector<Vec> params;
  for (DenseLayer &layer : layers) {
    Vec u = affine(activations.back(), layer.weight.data(), layer.bias.data(),
                   rows, layer.inputs(), layer.outputs());
    params.emplace_back(layer.activationParams.begin(),
                        layer.activationParams.end());
    preActivations.push_back(u);
    if (layer.activated)
      for (double &value : u)
        value = ref.f(value, params.back().data());
    activations.push_back(u);
  }
  ReferenceGradients out;
  out.logits = activations.back();
  int64_t classes = layers.back().outputs();
  Vec g(rows * classes);
  for (int64_t r = 0; r < rows; ++r) {
    const double *z = &out.logits[r * classes];
    double maximum = *std::max_element(z, z + classes), sum = 0;
    for (int64_t c = 0; c < classes; ++c)
      sum += std::exp(z[c] - maximum);
    double lse = maximum + std::log(sum);
    out.loss += (lse - z[labels[r]]) / double(rows);
    for (int64_t c = 0; c < classes; ++c)
      g[r * classes + c] =
          (std::exp(z[c] - lse) - (c == labels[r] ? 1 : 0)) / double(rows);
  }
  size_t count = layers.size();
  out.dWeight.resize(count);
  out.dBias.resize(count);
  out.dParam.resize(count);
  for (size_t l = count; l-- > 0;) {
    DenseLayer &layer = layers[l];
    int64_t k = layer.inputs(), n = layer.outputs();
    if (layer.activated) {
      double dp = 0;
      for (int64_t i = 0; i < rows * n; ++i) {
        double u = preActivations[l][i];
        if (ref.dfdp)
          dp += g[i] * ref.dfdp(u, params[l].data());
        g[i] *= ref.df(u, params[l].data());
      }
      if (ref.dfdp)
        out.dParam[l].push_back(dp);
    }
    const Vec &x = activations[l];
    out.dWeight[l].assign(k * n, 0.0);
    out.dBias[l].assign(n, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < n; ++c) {
        out.dBias[l][c] += g[r * n + c];
        for (int64_t i = 0; i < k; ++i)
          out.dWeight[l][i * n + c] += x[r * k + i] * g[r * n + c];
      }
    Vec dx(rows * k, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < k; ++i)
        for (int64_t c = 0; c < n; ++c)
          dx[r * k + i] +=
              g[r * n + c] * double(layer.weight.data()[i * n + c]);
    g = std::move(dx);
  }
  return out;
}

struct Case {
  const char *name;
  /// Parameter values set on the hidden layers (empty: the defaults), to see
  /// that the packed params array reaches the kernels.
  std::vector<float> params;
};

class NetworkMatchesReference : public ::testing::TestWithParam<Case> {};

TEST_P(NetworkMatchesReference, ForwardAndBackward) {
  const Case &test = GetParam();
  const Activation &activation = stdActivation(test.name);
  const ReferenceActivation *ref = nullptr;
  for (const ReferenceActivation &candidate : referenceActivations())
    if (candidate.name == test.name)
      ref = &candidate;
  ASSERT_NE(ref, nullptr);

  // The network's real input width and a small batch whose row count is no
  // multiple of any vector width.
  constexpr int64_t kRows = 13;
  Network net(activation, {784, 48, 24, 10}, kRows, /*seed=*/7);
  for (DenseLayer &layer : net.layers())
    if (layer.activated && !test.params.empty())
      layer.activationParams = test.params;
  Matrix input(kRows, 784);
  SplitMix64 random(11);
  for (int64_t i = 0; i < input.size(); ++i)
    input.data()[i] = random.uniform();
  std::vector<uint8_t> labels(kRows);
  for (uint8_t &label : labels)
    label = static_cast<uint8_t>(random.below(10));

  ReferenceGradients want = referencePass(net, *ref, input, labels);
  llvm::Expected<const Matrix *> logits = net.forwardTrain(input);
  ASSERT_TRUE(bool(logits)) << llvm::toString(logits.takeError());
  EXPECT_LT(relativeError((*logits)->data(), want.logits), kTolerance);
  Matrix dLogits(kRows, 10);
  BatchScore score = softmaxCrossEntropy(**logits, labels.data(), &dLogits);
  EXPECT_NEAR(score.lossSum / kRows, want.loss, kTolerance * want.loss);
  llvm::Error error = net.backward(input, dLogits);
  ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));

  for (size_t l = 0; l < net.layers().size(); ++l) {
    DenseLayer &layer = net.layers()[l];
    EXPECT_LT(relativeError(layer.weightGradient.data(), want.dWeight[l]),
              kTolerance)
        << "dW of layer " << l;
    EXPECT_LT(relativeError(layer.biasGradient.data(), want.dBias[l]),
              kTolerance)
        << "db of layer " << l;
    ASSERT_EQ(layer.activationGradients.size(), want.dParam[l].size());
    if (!want.dParam[l].empty()) {
      EXPECT_LT(relativeError(layer.activationGradients.data(), want.dParam[l]),
                kTolerance)
          << "d_a of layer " << l;
    }
  }
  // Inference (linear_forward where the library has it) gives the same
  // logits as training's forward pass.
  llvm::Expected<const Matrix *> predicted = net.predict(input);
  ASSERT_TRUE(bool(predicted)) << llvm::toString(predicted.takeError());
  EXPECT_LT(relativeError((*predicted)->data(), want.logits), kTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Activations, NetworkMatchesReference,
    ::testing::Values(Case{"relu", {}}, Case{"gelu", {}}, Case{"elu", {0.7f}},
                      Case{"softplus", {2.0f, 5.0f}}, Case{"prelu", {}},
                      Case{"prelu", {-0.3f}}),
    [](const ::testing::TestParamInfo<Case> &info) {
      return std::string(info.param.name) + "_" + std::to_string(info.index);
    });

} // namespace
