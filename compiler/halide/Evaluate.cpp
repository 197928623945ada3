// --eval: the forward kernel, JIT-compiled by Halide, applied to a buffer.
#include "compiler/halide/Evaluate.h"

#include "compiler/halide/Kernels.h"

using namespace act;

mlir::FailureOr<std::vector<float>>
act::evaluate(ActivationOp activation, const std::vector<float> &inputs,
              const std::map<std::string, float> &params,
              const Halide::Target &target) {
  mlir::FailureOr<Kernel> kernel = buildForward(activation, target);
  if (mlir::failed(kernel))
    return mlir::failure();
  for (unsigned i = 0; i < activation.getNumParams(); ++i) {
    auto it = params.find(activation.getParamName(i).str());
    if (it != params.end())
      kernel->params[i].set(it->second);
  }
  std::vector<float> outputs(inputs.size());
  if (inputs.empty())
    return outputs;
  std::vector<float> in = inputs;
  Halide::Buffer<float> x(in.data(), static_cast<int>(in.size()));
  Halide::Buffer<float> y(outputs.data(), static_cast<int>(outputs.size()));
  kernel->inputs[0].set(x);
  try {
    kernel->pipeline.realize(y, target);
  } catch (const Halide::Error &error) {
    activation.emitError("Halide failed: ") << error.what();
    return mlir::failure();
  }
  return outputs;
}
