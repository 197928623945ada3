// --eval: the forward kernel, JIT-compiled by Halide, applied to a buffer.
#include "compiler/halide/Evaluate.h"

#include "compiler/halide/Kernels.h"

using namespace act;

mlir::FailureOr<JitEvaluator>
JitEvaluator::build(ActivationOp activation, bool derivative,
                    const std::map<std::string, float> &params,
                    const KernelTarget &target) {
  mlir::FailureOr<Kernel> kernel = derivative
                                       ? buildBackward(activation, target)
                                       : buildForward(activation, target);
  if (mlir::failed(kernel))
    return mlir::failure();
  for (unsigned i = 0; i < activation.getNumParams(); ++i) {
    auto it = params.find(activation.getParamName(i).str());
    if (it != params.end())
      kernel->params[i].set(it->second);
  }
  JitEvaluator evaluator;
  evaluator.activation = activation;
  evaluator.derivative = derivative;
  evaluator.target = target;
  evaluator.kernel = std::make_shared<Kernel>(std::move(*kernel));
  return evaluator;
}

mlir::FailureOr<std::vector<float>>
JitEvaluator::operator()(const std::vector<float> &inputs) const {
  std::vector<float> outputs(inputs.size());
  if (inputs.empty())
    return outputs;
  std::vector<float> in = inputs, ones(inputs.size(), 1.0f);
  int n = static_cast<int>(in.size());
  Halide::Buffer<float> x(in.data(), n), dy(ones.data(), n);
  Halide::Buffer<float> y(outputs.data(), n);
  kernel->inputs[0].set(x);
  if (derivative)
    kernel->inputs[1].set(dy);
  // The last function computes y (forward) or dx (backward). The pipeline
  // keeps its JIT-compiled code, so later batches do not compile again.
  Halide::Pipeline pipeline = kernel->functions.back().pipeline;
  try {
    pipeline.realize(y, target);
  } catch (const Halide::Error &error) {
    ActivationOp op = activation;
    op.emitError("Halide failed: ") << error.what();
    return mlir::failure();
  }
  return outputs;
}

mlir::FailureOr<std::vector<float>> act::evaluate(
    ActivationOp activation, bool derivative, const std::vector<float> &inputs,
    const std::map<std::string, float> &params, const KernelTarget &target) {
  mlir::FailureOr<JitEvaluator> evaluator =
      JitEvaluator::build(activation, derivative, params, target);
  if (mlir::failed(evaluator))
    return mlir::failure();
  return (*evaluator)(inputs);
}
