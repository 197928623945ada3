// A double-precision interpreter of act IR. Each op's meaning is written once,
// in ACT_INTERPRETED_OPS, and expanded into the scalar evaluation (constant
// folding) and the block evaluation (the accuracy reference).
#include "compiler/mlir/Interpreter.h"

#include "compiler/mlir/Predicates.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace {

double nanPropagatingMin(double a, double b) {
  return std::isnan(a) || std::isnan(b)
             ? std::numeric_limits<double>::quiet_NaN()
             : std::fmin(a, b);
}

double nanPropagatingMax(double a, double b) {
  return std::isnan(a) || std::isnan(b)
             ? std::numeric_limits<double>::quiet_NaN()
             : std::fmax(a, b);
}

double sign(double x) {
  if (std::isnan(x) || x == 0)
    return x;
  return x > 0 ? 1.0 : -1.0;
}

double compare(arith::CmpFPredicate predicate, double a, double b) {
  auto isNaN = [](double value) { return std::isnan(value); };
  return act::comparePredicate(predicate, a, b, isNaN) ? 1.0 : 0.0;
}

} // namespace

// X(name, op class, value of operands a, b, c). Tests (i1) are 0 or 1.
// clang-format off
#define ACT_INTERPRETED_OPS(X)                                                 \
  X(AddF, arith::AddFOp, a + b)                                                \
  X(SubF, arith::SubFOp, a - b)                                                \
  X(MulF, arith::MulFOp, a * b)                                                \
  X(DivF, arith::DivFOp, a / b)                                                \
  X(NegF, arith::NegFOp, -a)                                                   \
  X(MinF, arith::MinFOp, nanPropagatingMin(a, b))                              \
  X(MaxF, arith::MaxFOp, nanPropagatingMax(a, b))                              \
  X(AndI, arith::AndIOp, double(a != 0 && b != 0))                             \
  X(OrI, arith::OrIOp, double(a != 0 || b != 0))                               \
  X(XOrI, arith::XOrIOp, double((a != 0) != (b != 0)))                         \
  X(UIToFP, arith::UIToFPOp, a)                                                \
  X(Select, act::SelectOp, a != 0 ? b : c)                                     \
  X(Pow, math::PowFOp, std::pow(a, b))                                         \
  X(Exp, math::ExpOp, std::exp(a))                                             \
  X(ExpM1, math::ExpM1Op, std::expm1(a))                                       \
  X(Log, math::LogOp, std::log(a))                                             \
  X(Log1p, math::Log1pOp, std::log1p(a))                                       \
  X(Sqrt, math::SqrtOp, std::sqrt(a))                                          \
  X(Rsqrt, math::RsqrtOp, 1.0 / std::sqrt(a))                                  \
  X(Abs, math::AbsOp, std::fabs(a))                                            \
  X(Floor, math::FloorOp, std::floor(a))                                       \
  X(Ceil, math::CeilOp, std::ceil(a))                                          \
  X(Tanh, math::TanhOp, std::tanh(a))                                          \
  X(Erf, math::ErfOp, std::erf(a))                                             \
  X(Sin, math::SinOp, std::sin(a))                                             \
  X(Cos, math::CosOp, std::cos(a))                                             \
  X(Atan, math::AtanOp, std::atan(a))                                          \
  X(Sigmoid, act::SigmoidOp, 1.0 / (1.0 + std::exp(-a)))                       \
  X(Erfc, act::ErfcOp, std::erfc(a))                                           \
  X(Sign, act::SignOp, sign(a))                                                \
  X(Round, act::RoundOp, std::round(a))
// clang-format on

enum class act::Interpreter::Opcode : uint8_t {
  Constant,
  Compare,
#define ACT_OPCODE(name, op, value) name,
  ACT_INTERPRETED_OPS(ACT_OPCODE)
#undef ACT_OPCODE
};

namespace {

using Opcode = act::Interpreter::Opcode;
using Step = act::Interpreter::Step;

/// What `op` computes, apart from where its operands come from.
std::optional<Step> decode(Operation *op) {
  using R = std::optional<Step>;
  auto step = [](Opcode code) { return R(Step{code}); };
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](act::ConstantOp c) {
        Step s{Opcode::Constant};
        s.constant = c.value().convertToDouble();
        return R(s);
      })
      .Case([&](arith::ConstantIntOp c) {
        Step s{Opcode::Constant};
        s.constant = c.value() ? 1.0 : 0.0;
        return R(s);
      })
      .Case([&](arith::CmpFOp cmp) {
        Step s{Opcode::Compare};
        s.predicate = cmp.getPredicate();
        return R(s);
      })
#define ACT_DECODE(name, opClass, value)                                       \
  .Case([&](opClass) { return step(Opcode::name); })
          ACT_INTERPRETED_OPS(ACT_DECODE)
#undef ACT_DECODE
      .Default([](Operation *) { return R(); });
}

/// out[i] = step(a[i], b[i], c[i]) for i < n; operands past the op's own
/// point at any valid block and are not read.
void apply(const Step &step, const double *as, const double *bs,
           const double *cs, double *out, size_t n) {
  switch (step.code) {
  case Opcode::Constant:
    std::fill(out, out + n, step.constant);
    return;
  case Opcode::Compare:
    for (size_t i = 0; i < n; ++i)
      out[i] = compare(step.predicate, as[i], bs[i]);
    return;
#define ACT_APPLY(name, opClass, value)                                        \
  case Opcode::name:                                                           \
    for (size_t i = 0; i < n; ++i) {                                           \
      [[maybe_unused]] double a = as[i], b = bs[i], c = cs[i];                 \
      out[i] = value;                                                          \
    }                                                                          \
    return;
    ACT_INTERPRETED_OPS(ACT_APPLY)
#undef ACT_APPLY
  }
}

} // namespace

std::optional<double> act::evaluateOp(Operation *op, ArrayRef<double> v) {
  std::optional<Step> step = decode(op);
  if (!step || v.size() != op->getNumOperands() || v.size() > 3)
    return std::nullopt;
  double operands[3] = {0, 0, 0}, out = 0;
  std::copy(v.begin(), v.end(), operands);
  apply(*step, &operands[0], &operands[1], &operands[2], &out, 1);
  return out;
}

mlir::FailureOr<act::Interpreter>
act::Interpreter::build(ActivationOp activation) {
  Interpreter interpreter;
  Block &block = activation.getBlock();
  llvm::DenseMap<Value, unsigned> slots;
  for (BlockArgument arg : block.getArguments())
    slots[arg] = interpreter.numArgs++;
  unsigned next = interpreter.numArgs;
  for (Operation &op : block.without_terminator()) {
    std::optional<Step> step = decode(&op);
    if (op.getNumResults() != 1 || op.getNumOperands() > 3 || !step) {
      op.emitError("cannot interpret '") << op.getName() << "'";
      return failure();
    }
    for (unsigned i = 0; i < op.getNumOperands(); ++i)
      step->operands[i] = slots.lookup(op.getOperand(i));
    interpreter.steps.push_back(*step);
    slots[op.getResult(0)] = next++;
  }
  interpreter.resultSlot = slots.lookup(activation.getResult());
  return interpreter;
}

double act::Interpreter::operator()(double x, ArrayRef<double> params) const {
  llvm::SmallVector<double, 64> values;
  values.reserve(numArgs + steps.size());
  values.push_back(x);
  values.append(params.begin(), params.end());
  for (const Step &step : steps) {
    double out = 0;
    apply(step, &values[step.operands[0]], &values[step.operands[1]],
          &values[step.operands[2]], &out, 1);
    values.push_back(out);
  }
  return values[resultSlot];
}

void act::Interpreter::evaluate(ArrayRef<float> xs, ArrayRef<double> params,
                                MutableArrayRef<double> out) const {
  // One row of kBlock values per slot: the arguments, then each step's result.
  constexpr size_t kBlock = 256;
  std::vector<double> values((numArgs + steps.size()) * kBlock);
  auto row = [&](unsigned slot) { return &values[slot * kBlock]; };
  for (unsigned p = 1; p < numArgs; ++p)
    std::fill(row(p), row(p) + kBlock, params[p - 1]);
  for (size_t first = 0; first < xs.size(); first += kBlock) {
    size_t n = std::min(kBlock, xs.size() - first);
    std::copy(xs.begin() + first, xs.begin() + first + n, row(0));
    for (size_t i = 0; i < steps.size(); ++i)
      apply(steps[i], row(steps[i].operands[0]), row(steps[i].operands[1]),
            row(steps[i].operands[2]), row(numArgs + i), n);
    std::copy(row(resultSlot), row(resultSlot) + n, out.begin() + first);
  }
}
