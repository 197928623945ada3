// The kernels' algorithms: each one Halide Funcs over the lowered activation.
#include "compiler/halide/Kernels.h"

#include "compiler/halide/LowerToHalide.h"
#include "compiler/halide/MathLib.h"
#include "compiler/halide/Schedule.h"
#include "compiler/passes/Passes.h"

using namespace act;

static const KernelKind kAllKernels[] = {
#define ACTC_KERNEL_KIND(KIND, name, ARGS, GRADIENTS) KernelKind::KIND,
    ACTC_KERNEL_KINDS(ACTC_KERNEL_KIND)
#undef ACTC_KERNEL_KIND
};

/// Each kind's name and whether it returns gradients, indexed by the kind.
static const struct {
  llvm::StringLiteral name;
  bool gradients;
} kKindInfo[] = {
#define ACTC_KERNEL_KIND(KIND, name, ARGS, GRADIENTS) {#name, GRADIENTS},
    ACTC_KERNEL_KINDS(ACTC_KERNEL_KIND)
#undef ACTC_KERNEL_KIND
};

llvm::ArrayRef<KernelKind> act::allKernelKinds() { return kAllKernels; }

llvm::StringRef act::kernelName(KernelKind kind) {
  return kKindInfo[static_cast<int>(kind)].name;
}

bool act::hasGradientOutputs(KernelKind kind) {
  return kKindInfo[static_cast<int>(kind)].gradients;
}

std::optional<KernelKind> act::parseKernelName(llvm::StringRef name) {
  for (KernelKind kind : kAllKernels)
    if (kernelName(kind) == name)
      return kind;
  return std::nullopt;
}

/// The kernel's scalar parameters, one Halide Param per activation
/// parameter, set to its default (what JIT evaluation uses unless overridden).
static Kernel makeKernel(KernelKind kind, ActivationOp activation,
                         const KernelTarget &target) {
  Kernel kernel{kind, target.device, activation.sym_name().str(), {}, {}, {},
                {}, {}};
  for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i) {
    std::string name = activation.getParamName(i).str();
    Halide::Param<float> param("p_" + name);
    param.set(static_cast<float>(activation.getParamDefault(i)));
    kernel.paramNames.push_back(name);
    kernel.params.push_back(param);
    if (activation.isLearnable(i))
      kernel.learnedParams.push_back(i);
  }
  return kernel;
}

static std::vector<Halide::Argument> arguments(const Kernel &kernel) {
  std::vector<Halide::Argument> args(kernel.inputs.begin(), kernel.inputs.end());
  args.insert(args.end(), kernel.params.begin(), kernel.params.end());
  return args;
}

/// The name of the kernel's function `part` (none for its main one): one
/// name for every CPU target (Halide's multi-target wrapper carries it),
/// another for CUDA's, since a library holds both.
static std::string halideName(const Kernel &kernel,
                              llvm::StringRef part = "") {
  bool cuda = kernel.device == KernelTarget::Device::CUDA;
  return "actc_" + kernel.activation + "_" + kernelName(kernel.kind).str() +
         (part.empty() ? "" : "_" + part.str()) + "_halide" +
         (cuda ? "_cuda" : "");
}

/// `function` at element `at` of `x`, with the kernel's parameters, using
/// the target's fused multiply-add for the math library's exact products.
static mlir::FailureOr<Halide::Expr> apply(ActivationOp function,
                                           const Kernel &kernel,
                                           const Halide::Expr &x,
                                           const KernelTarget &target) {
  std::vector<Halide::Expr> params(kernel.params.begin(), kernel.params.end());
  return lowerToHalide(function, x, params, math::Options{target.fma});
}

/// a * b + c: fused where the target has the instruction (one rounding, and
/// on targets whose adder is the FMA unit twice the throughput of a multiply
/// and an add), a multiply and an add elsewhere rather than libm's fmaf.
static Halide::Expr multiplyAdd(const Halide::Expr &a, const Halide::Expr &b,
                                const Halide::Expr &c,
                                const KernelTarget &target) {
  return target.fma ? math::fma(a, b, c) : a * b + c;
}

/// The derivative `wrt` of `activation` made by the Differentiate pass.
static ActivationOp derivativeOf(ActivationOp activation, llvm::StringRef wrt) {
  auto module = activation->getParentOfType<mlir::ModuleOp>();
  std::string name = derivativeName(activation.sym_name(), wrt);
  auto derivative = module.lookupSymbol<ActivationOp>(name);
  if (!derivative)
    activation.emitError("no derivative '") << name
                                            << "': run the optimisation pipeline first";
  return derivative;
}

/// The function summing, for each learnable parameter p, dy * df/dp over
/// the domain `r` (`input` and `dy` are x + bias and dy at r).
static mlir::LogicalResult addParameterSums(Kernel &kernel,
                                            ActivationOp activation,
                                            Halide::RDom r,
                                            const Halide::Expr &input,
                                            const Halide::Expr &dy,
                                            const KernelTarget &target) {
  std::vector<Halide::Func> sums;
  for (unsigned index : kernel.learnedParams) {
    ActivationOp partial =
        derivativeOf(activation, activation.getParamName(index));
    if (!partial)
      return mlir::failure();
    auto value = apply(partial, kernel, input, target);
    if (mlir::failed(value))
      return mlir::failure();
    // Accumulated in double: float32 partial sums over millions of
    // elements would lose the gradient's low digits.
    Halide::Func total("total_" + kernel.paramNames[index]);
    total() = Halide::cast<double>(0);
    total() += Halide::cast<double>(dy * *value);
    scheduleSum(total, r, target);
    Halide::Func sum("d_" + kernel.paramNames[index]);
    sum() = Halide::cast<float>(total());
    sums.push_back(sum);
  }
  constrainDense(kernel.inputs);
  kernel.functions.push_back({halideName(kernel, "params"),
                              Halide::Pipeline(sums), arguments(kernel)});
  return mlir::success();
}

/// The derivative of `activation` with respect to its input.
static ActivationOp inputDerivativeOf(ActivationOp activation) {
  return derivativeOf(
      activation, activation.param_names()[0].cast<mlir::StringAttr>().getValue());
}

mlir::FailureOr<Kernel> act::buildForward(ActivationOp activation,
                                          const KernelTarget &target) {
  Kernel kernel = makeKernel(KernelKind::FORWARD, activation, target);
  Halide::ImageParam x(Halide::Float(32), 1, "x");
  kernel.inputs = {x};

  Halide::Var i("i");
  auto value = apply(activation, kernel, x(i), target);
  if (mlir::failed(value))
    return mlir::failure();
  Halide::Func y("y");
  y(i) = *value;

  scheduleElementwise(y, i, {x}, target);
  kernel.functions.push_back(
      {halideName(kernel), Halide::Pipeline(y), arguments(kernel)});
  return kernel;
}

mlir::FailureOr<Kernel> act::buildBackward(ActivationOp activation,
                                           const KernelTarget &target) {
  Kernel kernel = makeKernel(KernelKind::BACKWARD, activation, target);
  Halide::ImageParam x(Halide::Float(32), 1, "x");
  Halide::ImageParam dy(Halide::Float(32), 1, "dy");
  kernel.inputs = {x, dy};

  if (!kernel.learnedParams.empty()) {
    Halide::RDom r(0, x.dim(0).extent(), "r");
    if (mlir::failed(addParameterSums(kernel, activation, r, x(r.x),
                                      dy(r.x), target)))
      return mlir::failure();
  }

  ActivationOp derivative = inputDerivativeOf(activation);
  if (!derivative)
    return mlir::failure();
  Halide::Var i("i");
  auto slope = apply(derivative, kernel, x(i), target);
  if (mlir::failed(slope))
    return mlir::failure();
  Halide::Func dx("dx");
  dx(i) = dy(i) * *slope;
  scheduleElementwise(dx, i, {x, dy}, target);
  kernel.functions.push_back(
      {halideName(kernel), Halide::Pipeline(dx), arguments(kernel)});
  return kernel;
}

mlir::FailureOr<Kernel> act::buildBiasForward(ActivationOp activation,
                                              const KernelTarget &target) {
  Kernel kernel = makeKernel(KernelKind::BIAS_FORWARD, activation, target);
  Halide::ImageParam x(Halide::Float(32), 2, "x");
  Halide::ImageParam b(Halide::Float(32), 1, "b");
  kernel.inputs = {x, b};

  Halide::Var c("c"), r("r");
  auto value = apply(activation, kernel, x(c, r) + b(c), target);
  if (mlir::failed(value))
    return mlir::failure();
  Halide::Func y("y");
  y(c, r) = *value;
  scheduleRows(y, c, r, {x}, {b}, target);
  kernel.functions.push_back({halideName(kernel),
                              Halide::Pipeline(y), arguments(kernel)});
  return kernel;
}

mlir::FailureOr<Kernel> act::buildBiasBackward(ActivationOp activation,
                                               const KernelTarget &target) {
  Kernel kernel = makeKernel(KernelKind::BIAS_BACKWARD, activation, target);
  Halide::ImageParam x(Halide::Float(32), 2, "x");
  Halide::ImageParam b(Halide::Float(32), 1, "b");
  Halide::ImageParam dy(Halide::Float(32), 2, "dy");
  kernel.inputs = {x, b, dy};

  if (!kernel.learnedParams.empty()) {
    Halide::RDom r(0, x.dim(0).extent(), 0, x.dim(1).extent(), "r");
    if (mlir::failed(addParameterSums(kernel, activation, r,
                                      x(r.x, r.y) + b(r.x), dy(r.x, r.y),
                                      target)))
      return mlir::failure();
  }

  ActivationOp derivative = inputDerivativeOf(activation);
  if (!derivative)
    return mlir::failure();
  Halide::Var c("c"), r("r");
  auto slope = apply(derivative, kernel, x(c, r) + b(c), target);
  if (mlir::failed(slope))
    return mlir::failure();
  Halide::Func dx("dx");
  dx(c, r) = dy(c, r) * *slope;
  // db reads dx back: with the batch sizes of training (rows x cols a few
  // hundred KiB) that second pass is served from cache.
  Halide::RDom rows(0, dx.output_buffer().dim(1).extent(), "rows");
  Halide::Func sums("column_sums");
  sums(c) = Halide::cast<double>(0);
  sums(c) += Halide::cast<double>(dx(c, rows));
  Halide::Func db("db");
  db(c) = Halide::cast<float>(sums(c));
  scheduleRows(dx, c, r, {x, dy}, {b}, target);
  scheduleColumnSums(db, sums, c, rows, target);
  kernel.functions.push_back({halideName(kernel),
                              Halide::Pipeline({dx, db}), arguments(kernel)});
  return kernel;
}

/// product(c, r) = sum over k of x(k, r) * w(c, k), in k order. Rows past
/// the last read the last one: the schedules compute whole blocks of rows
/// and store only those that exist.
static Halide::Func
matrixProduct(const Halide::ImageParam &x,
              llvm::function_ref<Halide::Expr(Halide::Expr, Halide::Expr)> w,
              Halide::Var c, Halide::Var r, Halide::RDom k,
              const KernelTarget &target) {
  Halide::Func product("product");
  product(c, r) = 0.0f;
  Halide::Expr row = Halide::min(r, x.dim(1).extent() - 1);
  product(c, r) = multiplyAdd(x(k, row), w(c, k), product(c, r), target);
  return product;
}

mlir::FailureOr<Kernel> act::buildLinearForward(ActivationOp activation,
                                               const KernelTarget &target) {
  Kernel kernel = makeKernel(KernelKind::LINEAR_FORWARD, activation, target);
  // Row-major matrices, innermost dimension first: x(k, row), w(col, k).
  Halide::ImageParam x(Halide::Float(32), 2, "x");
  Halide::ImageParam w(Halide::Float(32), 2, "w");
  Halide::ImageParam b(Halide::Float(32), 1, "b");
  kernel.inputs = {x, w, b};
  Halide::Var c("c"), r("r");
  Halide::RDom k(0, x.dim(0).extent(), "k");

  Halide::Func product = matrixProduct(
      x, [&](Halide::Expr column, Halide::Expr depth) { return w(column, depth); },
      c, r, k, target);
  auto value = apply(activation, kernel, product(c, r) + b(c), target);
  if (mlir::failed(value))
    return mlir::failure();
  Halide::Func y("y");
  y(c, r) = *value;
  scheduleGemm(y, product, c, r, k, {x, w}, {b}, target);
  kernel.functions.push_back({halideName(kernel),
                              Halide::Pipeline(y), arguments(kernel)});

  // Fewer columns than a vector (a classifier's last layer): w and b padded
  // with zero columns to whole vectors, the product and activation computed
  // on whole vectors, and only the real columns stored.
  Halide::Expr cols = w.dim(0).extent();
  Halide::Expr clamped = Halide::clamp(c, 0, cols - 1);
  Halide::Func paddedW("padded_w"), paddedB("padded_b");
  Halide::Var i("i");
  paddedW(c, i) = Halide::select(c < cols, w(clamped, i), 0.0f);
  paddedB(c) = Halide::select(c < cols, b(clamped), 0.0f);
  Halide::Func paddedProduct = matrixProduct(
      x,
      [&](Halide::Expr column, Halide::Expr depth) {
        return paddedW(column, depth);
      },
      c, r, k, target);
  auto paddedValue =
      apply(activation, kernel, paddedProduct(c, r) + paddedB(c), target);
  if (mlir::failed(paddedValue))
    return mlir::failure();
  Halide::Func padded("padded_y"), narrowY("y");
  padded(c, r) = *paddedValue;
  narrowY(c, r) = padded(c, r);
  scheduleNarrowGemm(narrowY, padded, paddedProduct, {paddedW, paddedB}, c, r,
                     k, {x, w}, {b}, target);
  kernel.functions.push_back({halideName(kernel, "narrow"),
                              Halide::Pipeline(narrowY), arguments(kernel)});
  return kernel;
}

mlir::FailureOr<Kernel> act::buildKernel(KernelKind kind,
                                         ActivationOp activation,
                                         const KernelTarget &target) {
  switch (kind) {
  case KernelKind::FORWARD:
    return buildForward(activation, target);
  case KernelKind::BACKWARD:
    return buildBackward(activation, target);
  case KernelKind::BIAS_FORWARD:
    return buildBiasForward(activation, target);
  case KernelKind::BIAS_BACKWARD:
    return buildBiasBackward(activation, target);
  case KernelKind::LINEAR_FORWARD:
    return buildLinearForward(activation, target);
  }
  llvm_unreachable("unknown kernel kind");
}
