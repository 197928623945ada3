// Forward and backward passes of the MLP: OpenBLAS for the GEMMs, generated
// kernels for everything the activation touches.
#include "runtime/Network.h"

#include "runtime/Random.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

using namespace act::runtime;

Network::Network(const Activation &activation, std::vector<int64_t> sizes,
                 int64_t maxBatch, uint64_t seed)
    : act(&activation), layerSizes(std::move(sizes)) {
  // torch.nn.Linear's reset_parameters: kaiming_uniform_(a = sqrt(5)) gives
  // W ~ U(±gain·sqrt(3 / fan_in)) with gain = sqrt(2 / (1 + a²)), which is
  // U(±1 / sqrt(fan_in)); the bias is drawn with the same bound.
  SplitMix64 random = streamFor(seed, 0);
  std::vector<float> defaults = activation.defaultParams();
  for (size_t i = 0; i + 1 < layerSizes.size(); ++i) {
    int64_t inputs = layerSizes[i], outputs = layerSizes[i + 1];
    DenseLayer layer;
    layer.weight = Matrix(inputs, outputs);
    layer.bias = Matrix(1, outputs);
    layer.weightGradient = Matrix(inputs, outputs);
    layer.biasGradient = Matrix(1, outputs);
    float bound = 1.0f / std::sqrt(static_cast<float>(inputs));
    for (int64_t j = 0; j < layer.weight.size(); ++j)
      layer.weight.data()[j] = random.uniform(bound);
    for (int64_t j = 0; j < outputs; ++j)
      layer.bias.data()[j] = random.uniform(bound);
    layer.activated = i + 2 < layerSizes.size();
    if (layer.activated) {
      layer.activationParams = defaults;
      layer.activationGradients.assign(activation.numLearnable(), 0.0f);
    }
    denseLayers.push_back(std::move(layer));
    preActivations.emplace_back(maxBatch, outputs);
    layerOutputs.emplace_back(maxBatch, outputs);
    gradients.emplace_back(maxBatch, outputs);
  }
}

llvm::Error Network::kernelFailed(const char *kernel, int code) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "the " + llvm::Twine(kernel) + " kernel of '" +
                                     act->name + "' failed with code " +
                                     llvm::Twine(code));
}

void Network::setBatchRows(int64_t rows) {
  for (size_t i = 0; i < denseLayers.size(); ++i) {
    preActivations[i].setRows(rows);
    layerOutputs[i].setRows(rows);
    gradients[i].setRows(rows);
  }
}

/// output = input·W (+ b): the bias is copied into every row first and the
/// GEMM accumulates onto it (beta = 1).
void Network::linear(const Matrix &input, const DenseLayer &layer,
                     Matrix &output, bool addBias) {
  int64_t rows = input.rows(), n = layer.outputs(), k = layer.inputs();
  if (addBias)
    for (int64_t r = 0; r < rows; ++r)
      std::copy_n(layer.bias.data(), n, output.row(r));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, n, k, 1.0f,
              input.data(), k, layer.weight.data(), n, addBias ? 1.0f : 0.0f,
              output.data(), n);
}

/// Null for an empty array: the packed ABI's "no parameters".
static float *orNull(std::vector<float> &values) {
  return values.empty() ? nullptr : values.data();
}

llvm::Expected<const Matrix *> Network::forward(const Matrix &input,
                                                bool training) {
  setBatchRows(input.rows());
  const Matrix *x = &input;
  for (size_t i = 0; i < denseLayers.size(); ++i) {
    DenseLayer &layer = denseLayers[i];
    Matrix &y = layerOutputs[i];
    if (!layer.activated) {
      linear(*x, layer, y, /*addBias=*/true);
    } else if (!training && act->cpu.linear_forward) {
      if (int code = act->cpu.linear_forward(
              x->data(), layer.weight.data(), layer.bias.data(), y.data(),
              x->rows(), layer.inputs(), layer.outputs(),
              orNull(layer.activationParams)))
        return kernelFailed("linear_forward", code);
    } else {
      // Training keeps x·W: bias_backward needs f's input, x·W + b, and
      // takes it as x·W and b, so one call gives both dx and db.
      Matrix &h = preActivations[i];
      linear(*x, layer, h, /*addBias=*/false);
      if (int code = act->cpu.bias_forward(h.data(), layer.bias.data(),
                                           y.data(), h.rows(), h.cols(),
                                           orNull(layer.activationParams)))
        return kernelFailed("bias_forward", code);
    }
    x = &y;
  }
  return x;
}

llvm::Expected<const Matrix *> Network::forwardTrain(const Matrix &input) {
  return forward(input, /*training=*/true);
}

llvm::Error Network::backward(const Matrix &input, const Matrix &dLogits) {
  int64_t rows = input.rows();
  const Matrix *dOutput = &dLogits; // ∂loss/∂(layer i's output)
  for (size_t i = denseLayers.size(); i-- > 0;) {
    DenseLayer &layer = denseLayers[i];
    const Matrix &x = i == 0 ? input : layerOutputs[i - 1];
    int64_t n = layer.outputs(), k = layer.inputs();
    // ∂loss/∂(x·W + b): for a hidden layer, bias_backward computes it in
    // place over gradients[i] (dx may alias dy) together with db and the
    // learnable parameters' gradients.
    const Matrix *dPre = dOutput;
    if (layer.activated) {
      Matrix &dz = gradients[i];
      if (int code = act->cpu.bias_backward(
              preActivations[i].data(), layer.bias.data(), dz.data(), dz.data(),
              layer.biasGradient.data(), rows, n,
              orNull(layer.activationParams),
              orNull(layer.activationGradients)))
        return kernelFailed("bias_backward", code);
      dPre = &dz;
    } else {
      float *db = layer.biasGradient.data();
      std::fill_n(db, n, 0.0f);
      for (int64_t r = 0; r < rows; ++r) {
        const float *row = dPre->row(r);
        for (int64_t c = 0; c < n; ++c)
          db[c] += row[c];
      }
    }
    // dW = xᵀ·dPre; dx = dPre·Wᵀ (not needed for the input).
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, rows, 1.0f,
                x.data(), k, dPre->data(), n, 0.0f, layer.weightGradient.data(),
                n);
    if (i > 0) {
      Matrix &dx = gradients[i - 1];
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, n, 1.0f,
                  dPre->data(), n, layer.weight.data(), n, 0.0f, dx.data(), k);
      dOutput = &dx;
    }
  }
  return llvm::Error::success();
}

llvm::Expected<const Matrix *> Network::predict(const Matrix &input) {
  return forward(input, /*training=*/false);
}

std::vector<ParameterRef> Network::parameters() {
  std::vector<ParameterRef> result;
  std::vector<unsigned> learnable;
  for (unsigned j = 0; j < act->params.size(); ++j)
    if (act->params[j].learnable)
      learnable.push_back(j);
  for (DenseLayer &layer : denseLayers) {
    result.push_back({layer.weight.data(), layer.weightGradient.data(),
                      layer.weight.size()});
    result.push_back(
        {layer.bias.data(), layer.biasGradient.data(), layer.bias.size()});
    if (!layer.activated)
      continue;
    for (size_t j = 0; j < learnable.size(); ++j)
      result.push_back({&layer.activationParams[learnable[j]],
                        &layer.activationGradients[j], 1});
  }
  return result;
}

BatchScore act::runtime::softmaxCrossEntropy(const Matrix &logits,
                                             const uint8_t *labels,
                                             Matrix *dLogits) {
  BatchScore score;
  int64_t rows = logits.rows(), cols = logits.cols();
  float scale = 1.0f / static_cast<float>(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = logits.row(r);
    int64_t best = std::max_element(row, row + cols) - row;
    float maximum = row[best];
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c)
      sum += std::exp(static_cast<double>(row[c] - maximum));
    double logSumExp = maximum + std::log(sum);
    score.lossSum += logSumExp - row[labels[r]];
    score.correct += best == labels[r];
    if (!dLogits)
      continue;
    float *d = dLogits->row(r);
    for (int64_t c = 0; c < cols; ++c) {
      float probability =
          static_cast<float>(std::exp(static_cast<double>(row[c]) - logSumExp));
      d[c] = (probability - (c == labels[r] ? 1.0f : 0.0f)) * scale;
    }
  }
  return score;
}
