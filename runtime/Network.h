// The multilayer perceptron: linear layers with the activation fused into
// them (bias + activation in one generated kernel), softmax cross-entropy.
#ifndef ACTC_RUNTIME_NETWORK_H
#define ACTC_RUNTIME_NETWORK_H

#include "runtime/Activation.h"
#include "runtime/Tensor.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace act::runtime {

/// One trainable array and its gradient, as the optimiser and checkpoint
/// see it.
struct ParameterRef {
  float *value;
  float *gradient;
  int64_t size;
};

/// A dense layer y = f(x·W + b); the last layer has no activation (logits).
/// W is inputs x outputs (row-major, as linear_forward takes it).
struct DenseLayer {
  Matrix weight, bias;
  Matrix weightGradient, biasGradient;
  /// Hidden layers: the activation's parameters (each layer has its own, as
  /// torch.nn.PReLU modules do), the learnable ones trained, and the
  /// learnable ones' gradients in order.
  std::vector<float> activationParams;
  std::vector<float> activationGradients;
  bool activated = false;

  int64_t inputs() const { return weight.rows(); }
  int64_t outputs() const { return weight.cols(); }
};

/// Loss and number of correct predictions of a batch.
struct BatchScore {
  double lossSum = 0; // Summed over the batch's rows.
  int64_t correct = 0;
};

class Network {
public:
  /// Layers of `sizes` (784, 256, 128, 10 by default) with `activation`
  /// between them, initialised as torch.nn.Linear does from `seed`, with
  /// workspaces for batches of up to `maxBatch` rows.
  Network(const Activation &activation, std::vector<int64_t> sizes,
          int64_t maxBatch, uint64_t seed);

  /// Training forward pass: keeps what backward needs. `input` has up to
  /// maxBatch rows. Returns the logits.
  llvm::Expected<const Matrix *> forwardTrain(const Matrix &input);
  /// Gradients of the mean loss from dLogits (∂loss/∂logits), after
  /// forwardTrain on the same input.
  llvm::Error backward(const Matrix &input, const Matrix &dLogits);
  /// Inference: linear_forward (GEMM with bias and activation fused) where
  /// the library has it, otherwise GEMM then bias_forward.
  llvm::Expected<const Matrix *> predict(const Matrix &input);

  /// Weights, biases, learnable activation parameters, in a fixed order.
  std::vector<ParameterRef> parameters();
  std::vector<DenseLayer> &layers() { return denseLayers; }
  const Activation &activation() const { return *act; }
  const std::vector<int64_t> &sizes() const { return layerSizes; }

private:
  llvm::Error kernelFailed(const char *kernel, int code) const;
  /// forwardTrain (training) or predict (not training: linear_forward
  /// where the library has it).
  llvm::Expected<const Matrix *> forward(const Matrix &input, bool training);
  void setBatchRows(int64_t rows);
  void linear(const Matrix &input, const DenseLayer &layer, Matrix &output,
              bool addBias);

  const Activation *act;
  std::vector<int64_t> layerSizes;
  std::vector<DenseLayer> denseLayers;
  /// Per layer: x·W before the bias and activation (hidden layers), the
  /// layer's output, and the gradient with respect to that output.
  std::vector<Matrix> preActivations, layerOutputs, gradients;
};

/// Mean softmax cross-entropy of `logits` against `labels`, with log-sum-exp
/// taken after subtracting each row's maximum (no overflow). Writes
/// dLogits = (softmax - onehot) / rows when dLogits is not null.
BatchScore softmaxCrossEntropy(const Matrix &logits, const uint8_t *labels,
                               Matrix *dLogits);

} // namespace act::runtime

#endif // ACTC_RUNTIME_NETWORK_H
