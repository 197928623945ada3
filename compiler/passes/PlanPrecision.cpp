// Decides which values of an activation the lowering computes extended (the
// math library's hi + lo pairs, rounded once at the end) rather than in
// float32, and marks their ops `act.extended`, which --emit=mlir-opt shows.
//
// Extended are the values whose float32 rounding could take the result past
// its bound, by these rules, from the structure alone:
//  1. An argument of a function that magnifies its relative error without
//     bound (exp, sigmoid and erfc as |u| grows, log near 1, ...) is
//     extended if it was rounded: exp(x / 3) at x = 192 lost 25 ulp that way.
//  2. An operand of a sum or difference that can cancel (its signs are not
//     known to agree) is extended if it was rounded: x - tanh(x).
//  3. A result of exp, sigmoid or erfc that is multiplied or divided is
//     extended: it may be subnormal where the product is not (x sigmoid(x)
//     below x = -87 lost 50 ulp that way).
//  4. What an extended value feeds is extended too (pairs in, pairs out),
//     but for function calls, which take an extended argument and return
//     what their consumer needs.
// Then the rounding errors of the float32 values are bounded, in ulps, as
// their sum along each path (an operation adds half an ulp, a function its
// own bound, a sum of like signs does not magnify); where the result's bound
// could be exceeded (2 ulps forward, 4 for derivatives), the results of
// functions that feed arithmetic are extended as well, and if that is not
// enough, everything is.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "mlir/Dialect/Arithmetic/IR/Arithmetic.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace {

/// The attribute marking an op whose result is extended.
constexpr llvm::StringLiteral kExtendedAttr = "act.extended";

bool isFloat(Value v) { return v.getType().isa<FloatType>(); }

/// The operands an op's value depends on (a select's condition does not
/// carry its value).
ValueRange valueOperands(Operation &op) {
  return isa<act::SelectOp>(op) ? op.getOperands().drop_front()
                                : op.getOperands();
}

/// Library calls, whose result is rounded.
bool isCall(Operation &op) {
  return isa<math::ExpOp, math::ExpM1Op, math::LogOp, math::Log1pOp,
             math::TanhOp, math::ErfOp, math::SinOp, math::CosOp, math::AtanOp,
             math::PowFOp, math::SqrtOp, math::RsqrtOp, act::SigmoidOp,
             act::ErfcOp>(op);
}

/// Calls that take and return extended values (the others round their
/// argument to float32 and return float32).
bool takesExtended(Operation &op) {
  return isa<math::ExpOp, math::ExpM1Op, math::LogOp, math::Log1pOp,
             math::TanhOp, math::ErfOp, math::SqrtOp, act::SigmoidOp,
             act::ErfcOp>(op);
}

/// Calls whose float32 results may go subnormal (rule 3).
bool mayUnderflow(Operation &op) {
  return isa<math::ExpOp, act::SigmoidOp, act::ErfcOp>(op);
}

/// The largest error of each call's float32 result, in ulps, on every input
/// (MathLib.cpp's "Max", rounded up).
double callError(Operation &op) {
  return llvm::TypeSwitch<Operation *, double>(&op)
      .Case<math::ExpOp>([](auto) { return 1.05; })
      .Case<math::SqrtOp>([](auto) { return 0.5; })
      .Case<math::PowFOp>([](auto) { return 0.5; })
      .Case<math::RsqrtOp>([](auto) { return 0.85; })
      .Default([](Operation *) { return 0.8; });
}

/// Each value's sign where every input gives it one sign (NaN aside).
enum class Sign { Any, NonNegative, NonPositive };

Sign flip(Sign s) {
  return s == Sign::NonNegative   ? Sign::NonPositive
         : s == Sign::NonPositive ? Sign::NonNegative
                                  : Sign::Any;
}

Sign join(Sign a, Sign b) { return a == b ? a : Sign::Any; }

/// Which values are extended, and how large the float32 ones' errors may
/// be: the rules of the file comment.
class PrecisionPlan {
public:
  PrecisionPlan(act::ActivationOp activation, double bound)
      : activation(activation) {
    exact_.insert(activation.getInput());
    for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i)
      exact_.insert(activation.getParam(i));
    for (Operation &op : activation.getBlock().without_terminator())
      analyse(op);
    for (Level level : {Level::Minimal, Level::CallResults, Level::All}) {
      decide(level);
      if (finalError() <= bound)
        return;
    }
  }

  bool extended(Value v) const { return extended_.contains(v); }

private:
  enum class Level { Minimal, CallResults, All };

  act::ActivationOp activation;
  llvm::DenseSet<Value> exact_, underflowing_, callResults_, extended_;
  llvm::DenseMap<Value, Sign> sign_;
  llvm::DenseMap<Value, double> error_;

  Sign signOf(Value v) const { return sign_.lookup(v); }
  bool exact(Value v) const { return exact_.contains(v); }

  /// Exactness, sign and possible underflow of each value, in op order.
  void analyse(Operation &op) {
    if (op.getNumResults() != 1 || !isFloat(op.getResult(0)))
      return;
    Value result = op.getResult(0);
    auto operands = valueOperands(op);
    auto allExact = llvm::all_of(
        operands, [&](Value v) { return !isFloat(v) || exact(v); });
    auto powerOfTwo = [](Value v) {
      auto constant = v.getDefiningOp<act::ConstantOp>();
      if (!constant)
        return false;
      int exponent;
      double mantissa =
          std::frexp(constant.value().convertToDouble(), &exponent);
      return std::fabs(mantissa) == 0.5;
    };
    Sign a = operands.empty() ? Sign::Any : signOf(operands[0]);
    Sign b = operands.size() > 1 ? signOf(operands[1]) : Sign::Any;
    bool isExact = false;
    Sign sign = Sign::Any;
    llvm::TypeSwitch<Operation *>(&op)
        .Case([&](act::ConstantOp c) {
          double v = c.value().convertToDouble();
          isExact =
              static_cast<double>(static_cast<float>(v)) == v || std::isnan(v);
          sign = v >= 0 ? Sign::NonNegative : Sign::NonPositive;
        })
        .Case([&](arith::NegFOp) {
          isExact = allExact;
          sign = flip(a);
        })
        .Case<math::AbsOp>([&](auto) {
          isExact = allExact;
          sign = Sign::NonNegative;
        })
        .Case<act::SelectOp>([&](auto) {
          isExact = allExact;
          sign = join(a, b);
        })
        .Case<arith::MinFOp>([&](auto) {
          isExact = allExact;
          sign = a == Sign::NonPositive || b == Sign::NonPositive
                     ? Sign::NonPositive
                     : join(a, b);
        })
        .Case<arith::MaxFOp>([&](auto) {
          isExact = allExact;
          sign = a == Sign::NonNegative || b == Sign::NonNegative
                     ? Sign::NonNegative
                     : join(a, b);
        })
        .Case<math::FloorOp, math::CeilOp, act::RoundOp, act::SignOp>(
            [&](auto) {
              isExact = true;
              sign = a;
            })
        .Case<arith::UIToFPOp>([&](auto) {
          isExact = true;
          sign = Sign::NonNegative;
        })
        .Case<arith::MulFOp>([&](auto) {
          isExact = allExact && llvm::any_of(operands, powerOfTwo);
          sign = a == Sign::Any || b == Sign::Any
                     ? Sign::Any
                     : (a == b ? Sign::NonNegative : Sign::NonPositive);
          if (operands[0] == operands[1])
            sign = Sign::NonNegative;
        })
        .Case<arith::DivFOp>([&](auto) {
          isExact = allExact && powerOfTwo(operands[1]);
          sign = a == Sign::Any || b == Sign::Any
                     ? Sign::Any
                     : (a == b ? Sign::NonNegative : Sign::NonPositive);
        })
        .Case<arith::AddFOp>([&](auto) { sign = a == b ? a : Sign::Any; })
        .Case<arith::SubFOp>([&](auto) { sign = a == flip(b) ? a : Sign::Any; })
        .Case<math::ExpOp, act::SigmoidOp, act::ErfcOp, math::SqrtOp,
              math::RsqrtOp>([&](auto) { sign = Sign::NonNegative; })
        .Case<math::ExpM1Op, math::TanhOp, math::ErfOp, math::AtanOp,
              math::Log1pOp>([&](auto) { sign = a; });
    if (isExact)
      exact_.insert(result);
    sign_[result] = sign;
    if (isCall(op))
      callResults_.insert(result);
    if (mayUnderflow(op) ||
        (isa<arith::MulFOp, arith::DivFOp, act::SelectOp, arith::NegFOp>(op) &&
         llvm::any_of(operands,
                      [&](Value v) { return underflowing_.contains(v); })))
      underflowing_.insert(result);
  }

  /// Whether `op` magnifies its argument's relative error without bound
  /// (rule 1), given what is known of the argument's sign.
  bool magnifies(Operation &op) const {
    Sign arg = op.getNumOperands() ? signOf(op.getOperand(0)) : Sign::Any;
    return llvm::TypeSwitch<Operation *, bool>(&op)
        .Case<math::ExpOp, act::ErfcOp, math::LogOp, math::PowFOp, math::SinOp,
              math::CosOp>([](auto) { return true; })
        // expm1(x) x e^x / expm1(x) <= 1 for x <= 0; sigmoid's x (1 - s)
        // <= 1 for x >= 0; log1p's x / ((1 + x) log1p(x)) <= 1 for x >= 0.
        .Case<math::ExpM1Op>([&](auto) { return arg != Sign::NonPositive; })
        .Case<act::SigmoidOp, math::Log1pOp>(
            [&](auto) { return arg != Sign::NonNegative; })
        .Default([](Operation *) { return false; });
  }

  /// Whether a + b (b negated for a difference) can cancel (rule 2).
  bool mayCancel(Operation &op) const {
    Sign a = signOf(op.getOperand(0)), b = signOf(op.getOperand(1));
    if (isa<arith::SubFOp>(op))
      b = flip(b);
    return a == Sign::Any || a != b;
  }

  /// The extended values for `level`: demands from consumers to producers
  /// (reverse op order), then forward propagation (rule 4).
  void decide(Level level) {
    extended_.clear();
    auto &ops = activation.getBlock().getOperations();
    auto demand = [&](Value v) {
      if (isFloat(v) && !exact(v))
        extended_.insert(v);
    };
    for (Operation &op : llvm::reverse(ops)) {
      if (op.getNumResults() != 1 || !isFloat(op.getResult(0)))
        continue;
      Value result = op.getResult(0);
      auto operands = valueOperands(op);
      bool arithmetic =
          isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp>(op);
      if (extended(result) || level == Level::All) {
        // Calls that round their argument cannot use an extended one.
        if (!isCall(op) || takesExtended(op))
          llvm::for_each(operands, demand);
        continue;
      }
      if (isCall(op) && magnifies(op) && takesExtended(op))
        demand(op.getOperand(0));
      if (isa<arith::AddFOp, arith::SubFOp>(op) && mayCancel(op))
        llvm::for_each(operands, demand);
      if (isa<arith::MulFOp, arith::DivFOp>(op))
        for (Value v : operands)
          if (underflowing_.contains(v))
            demand(v);
      if (level == Level::CallResults && (arithmetic || isCall(op)))
        for (Value v : operands)
          if (callResults_.contains(v))
            demand(v);
    }
    for (Operation &op : ops) {
      if (op.getNumResults() != 1 || !isFloat(op.getResult(0)) || isCall(op))
        continue;
      if (llvm::any_of(valueOperands(op), [&](Value v) { return extended(v); }))
        extended_.insert(op.getResult(0));
    }
  }

  /// The largest error of the result in ulps: the rounding errors of the
  /// float32 values (an operation's half ulp, a function's bound) carried
  /// along every path (summed by products, kept by sums of like signs,
  /// magnified by nothing else: other sums and magnifying functions make any
  /// error unbounded), and the final rounding of an extended result.
  double finalError() {
    error_.clear();
    for (Operation &op : activation.getBlock().without_terminator()) {
      if (op.getNumResults() != 1 || !isFloat(op.getResult(0)))
        continue;
      Value v = op.getResult(0);
      error_[v] = exact(v) ? 0.0 : propagatedError(op) + ownError(op, v);
    }
    Value result = activation.getResult();
    return error_.lookup(result) + (extended(result) ? 0.5 : 0.0);
  }

  /// What rounding `op` itself adds to its value `v`.
  double ownError(Operation &op, Value v) const {
    if (isCall(op))
      // An extended result is relatively accurate to 2^-27 or better.
      return extended(v) && takesExtended(op) ? kExtendedError : callError(op);
    if (extended(v))
      return 0.0;
    return isa<act::ConstantOp, arith::AddFOp, arith::SubFOp, arith::MulFOp,
               arith::DivFOp>(op)
               ? 0.5
               : 0.0;
  }

  /// The operands' errors as they reach `op`'s value.
  double propagatedError(Operation &op) const {
    double worst = 0, sum = 0;
    for (Value v : valueOperands(op))
      if (isFloat(v)) {
        worst = std::max(worst, error_.lookup(v));
        sum += error_.lookup(v);
      }
    return llvm::TypeSwitch<Operation *, double>(&op)
        .Case<arith::MulFOp, arith::DivFOp>([&](auto) { return sum; })
        .Case<arith::AddFOp, arith::SubFOp>([&](auto) {
          return mayCancel(op) && worst > 0 ? kUnbounded : worst;
        })
        .Case<math::SqrtOp, math::RsqrtOp>([&](auto) { return 0.5 * worst; })
        .Default([&](Operation *other) {
          return isCall(*other) && magnifies(*other) && worst > 0 ? kUnbounded
                                                                  : worst;
        });
  }

  /// The error bound of a function's extended result, in ulps.
  static constexpr double kExtendedError = 0.02;
  static constexpr double kUnbounded = 1e9;
};

/// The forward bound (LANGUAGE.md, 2 ulps) and the backward one (4 ulps).
constexpr double kForwardBound = 2.0;
constexpr double kDerivativeBound = 4.0;

struct PlanPrecision
    : public PassWrapper<PlanPrecision, OperationPass<act::ActivationOp>> {
  StringRef getArgument() const final { return "act-plan-precision"; }
  StringRef getDescription() const final {
    return "Mark the ops whose values are computed extended";
  }

  void runOnOperation() override {
    act::ActivationOp activation = getOperation();
    PrecisionPlan plan(activation, activation->hasAttr("derivative_of")
                                       ? kDerivativeBound
                                       : kForwardBound);
    for (Operation &op : activation.getBlock().without_terminator()) {
      if (op.getNumResults() == 1 && plan.extended(op.getResult(0)))
        op.setAttr(kExtendedAttr, UnitAttr::get(op.getContext()));
      else
        op.removeAttr(kExtendedAttr);
    }
  }
};

} // namespace

std::unique_ptr<Pass> act::createPlanPrecisionPass() {
  return std::make_unique<PlanPrecision>();
}

bool act::isExtended(Value value) {
  Operation *op = value.getDefiningOp();
  return op && op->hasAttr(kExtendedAttr);
}
