// The kernels' algorithms: each one a Halide Func over the lowered activation.
#include "compiler/halide/Kernels.h"

#include "compiler/halide/LowerToHalide.h"
#include "compiler/halide/Schedule.h"

using namespace act;

llvm::StringRef act::kernelName(KernelKind kind) {
  switch (kind) {
  case KernelKind::Forward:
    return "forward";
  }
  llvm_unreachable("unknown kernel kind");
}

std::string Kernel::halideName() const {
  return "actc_" + activation + "_" + kernelName(kind).str() + "_halide";
}

std::vector<Halide::Argument> Kernel::arguments() const {
  std::vector<Halide::Argument> args;
  for (const Halide::ImageParam &input : inputs)
    args.push_back(input);
  for (const Halide::Param<float> &param : params)
    args.push_back(param);
  return args;
}

/// One scalar Param per activation parameter, named as in the source, with
/// its default (what JIT evaluation uses unless --set overrides it).
static std::vector<Halide::Param<float>> makeParams(ActivationOp activation) {
  std::vector<Halide::Param<float>> params;
  for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i) {
    Halide::Param<float> param("p_" + activation.getParamName(i).str());
    param.set(static_cast<float>(activation.getParamDefault(i)));
    params.push_back(param);
  }
  return params;
}

mlir::FailureOr<Kernel> act::buildForward(ActivationOp activation,
                                          const Halide::Target &target) {
  Kernel kernel{KernelKind::Forward, activation.sym_name().str(), {}, {}, {}};
  Halide::ImageParam x(Halide::Float(32), 1, "x");
  kernel.inputs = {x};
  kernel.params = makeParams(activation);
  std::vector<Halide::Expr> params(kernel.params.begin(), kernel.params.end());

  Halide::Var i("i");
  auto value = lowerToHalide(activation, x(i), params);
  if (mlir::failed(value))
    return mlir::failure();
  Halide::Func y("y");
  y(i) = *value;

  scheduleElementwise(y, i, {x}, target);
  kernel.pipeline = Halide::Pipeline(y);
  return kernel;
}
