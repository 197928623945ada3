// A double-precision interpreter of act IR, op by op.
#include "compiler/mlir/Interpreter.h"

#include "compiler/mlir/Predicates.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace {

double nanPropagatingMin(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN()
                                        : std::fmin(a, b);
}

double nanPropagatingMax(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN()
                                        : std::fmax(a, b);
}

double sign(double x) {
  if (std::isnan(x) || x == 0)
    return x;
  return x > 0 ? 1.0 : -1.0;
}

} // namespace

std::optional<double> act::evaluateOp(Operation *op, ArrayRef<double> v) {
  using R = std::optional<double>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](act::ConstantOp c) { return c.value().convertToDouble(); })
      .Case([&](arith::ConstantIntOp c) { return c.value() ? 1.0 : 0.0; })
      .Case([&](arith::AddFOp) { return v[0] + v[1]; })
      .Case([&](arith::SubFOp) { return v[0] - v[1]; })
      .Case([&](arith::MulFOp) { return v[0] * v[1]; })
      .Case([&](arith::DivFOp) { return v[0] / v[1]; })
      .Case([&](arith::NegFOp) { return -v[0]; })
      .Case([&](arith::MinFOp) { return nanPropagatingMin(v[0], v[1]); })
      .Case([&](arith::MaxFOp) { return nanPropagatingMax(v[0], v[1]); })
      .Case([&](arith::CmpFOp cmp) {
        auto isNaN = [](double value) { return std::isnan(value); };
        return comparePredicate(cmp.getPredicate(), v[0], v[1], isNaN) ? 1.0
                                                                       : 0.0;
      })
      .Case([&](arith::AndIOp) { return double(v[0] != 0 && v[1] != 0); })
      .Case([&](arith::OrIOp) { return double(v[0] != 0 || v[1] != 0); })
      .Case([&](arith::XOrIOp) { return double((v[0] != 0) != (v[1] != 0)); })
      .Case([&](arith::UIToFPOp) { return v[0]; })
      .Case([&](act::SelectOp) { return v[0] != 0 ? v[1] : v[2]; })
      .Case([&](math::PowFOp) { return std::pow(v[0], v[1]); })
      .Case([&](math::ExpOp) { return std::exp(v[0]); })
      .Case([&](math::ExpM1Op) { return std::expm1(v[0]); })
      .Case([&](math::LogOp) { return std::log(v[0]); })
      .Case([&](math::Log1pOp) { return std::log1p(v[0]); })
      .Case([&](math::SqrtOp) { return std::sqrt(v[0]); })
      .Case([&](math::RsqrtOp) { return 1.0 / std::sqrt(v[0]); })
      .Case([&](math::AbsOp) { return std::fabs(v[0]); })
      .Case([&](math::FloorOp) { return std::floor(v[0]); })
      .Case([&](math::CeilOp) { return std::ceil(v[0]); })
      .Case([&](math::TanhOp) { return std::tanh(v[0]); })
      .Case([&](math::ErfOp) { return std::erf(v[0]); })
      .Case([&](math::SinOp) { return std::sin(v[0]); })
      .Case([&](math::CosOp) { return std::cos(v[0]); })
      .Case([&](math::AtanOp) { return std::atan(v[0]); })
      .Case([&](act::SigmoidOp) { return 1.0 / (1.0 + std::exp(-v[0])); })
      .Case([&](act::ErfcOp) { return std::erfc(v[0]); })
      .Case([&](act::SignOp) { return sign(v[0]); })
      .Case([&](act::RoundOp) { return std::round(v[0]); })
      .Default([](Operation *) { return R(); });
}


mlir::FailureOr<act::Interpreter> act::Interpreter::build(ActivationOp activation) {
  Interpreter interpreter;
  Block &block = activation.getBlock();
  llvm::DenseMap<Value, unsigned> slots;
  for (BlockArgument arg : block.getArguments())
    slots[arg] = interpreter.numArgs++;
  unsigned next = interpreter.numArgs;
  for (Operation &op : block.without_terminator()) {
    std::vector<double> probe(op.getNumOperands(), 1.0);
    if (op.getNumResults() != 1 || !evaluateOp(&op, probe)) {
      op.emitError("cannot interpret '") << op.getName() << "'";
      return failure();
    }
    Step step{&op, {}};
    for (Value operand : op.getOperands())
      step.operands.push_back(slots.lookup(operand));
    interpreter.steps.push_back(std::move(step));
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
  llvm::SmallVector<double, 3> operands;
  for (const Step &step : steps) {
    operands.clear();
    for (unsigned slot : step.operands)
      operands.push_back(values[slot]);
    values.push_back(*evaluateOp(step.op, operands));
  }
  return values[resultSlot];
}
