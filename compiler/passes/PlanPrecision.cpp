// Decides how precisely the lowering computes each value of an activation:
// in float32; as the unrounded result of a function (its float32-quality
// digits kept as a pair, with a power-of-two factor where it may go
// subnormal, rounded once at the end: "unrounded"); or as a pair accurate to
// 2^-25.5 ("extended"). It marks their ops act.unrounded and act.extended,
// which --emit=mlir-opt shows.
//
// From the structure alone, by these rules:
//  1. An argument of a function that magnifies its relative error without
//     bound (exp, sigmoid and erfc as |u| grows, log near 1, ...) is
//     extended if it was rounded: exp(x / 3) at x = 192 lost 25 ulp that way.
//  2. An operand of a sum or difference that can cancel (its signs are not
//     known to agree) is extended if it was rounded: x - tanh(x).
//  3. A result of exp, sigmoid or erfc that is multiplied or divided is
//     unrounded at least: it may be subnormal where the product is not (x
//     sigmoid(x) below x = -87 lost 50 ulp that way).
//  4. What a pair feeds is computed in pairs (extended), but for function
//     calls, which take a pair argument and return what their consumer
//     needs.
// Then the rounding errors are bounded, in ulps, as their sum along each
// path (an operation adds half an ulp, a function its own bound, an
// unrounded result half an ulp, a sum of like signs does not magnify);
// where the result's bound could be exceeded (2 ulps forward, 4 for
// derivatives), the results of functions that feed arithmetic are made
// unrounded, then extended, and if that is not enough, everything is
// extended.
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

/// The attributes marking an op whose result is extended or unrounded.
constexpr llvm::StringLiteral kExtendedAttr = "act.extended";
constexpr llvm::StringLiteral kUnroundedAttr = "act.unrounded";

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
/// Zero is both non-negative and non-positive.
enum class Sign { Any, NonNegative, NonPositive, Zero };

Sign flip(Sign s) {
  return s == Sign::NonNegative   ? Sign::NonPositive
         : s == Sign::NonPositive ? Sign::NonNegative
                                  : s;
}

/// Whether a value of sign `s` is known >= 0 (or <= 0).
bool nonNegative(Sign s) { return s == Sign::NonNegative || s == Sign::Zero; }
bool nonPositive(Sign s) { return s == Sign::NonPositive || s == Sign::Zero; }

/// The sign of a value that is either of two.
Sign join(Sign a, Sign b) {
  if (a == b)
    return a;
  if (nonNegative(a) && nonNegative(b))
    return Sign::NonNegative;
  if (nonPositive(a) && nonPositive(b))
    return Sign::NonPositive;
  return Sign::Any;
}

/// The sign of a product or quotient.
Sign product(Sign a, Sign b) {
  if (a == Sign::Zero || b == Sign::Zero)
    return Sign::Zero;
  if (a == Sign::Any || b == Sign::Any)
    return Sign::Any;
  return a == b ? Sign::NonNegative : Sign::NonPositive;
}

/// How precisely a value is computed.
enum class Need { Float, Unrounded, Extended };

class PrecisionPlan {
public:
  PrecisionPlan(act::ActivationOp activation, double bound)
      : activation(activation) {
    exact_.insert(activation.getInput());
    for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i)
      exact_.insert(activation.getParam(i));
    for (Operation &op : activation.getBlock().without_terminator())
      analyse(op);
    for (Level level : {Level::Minimal, Level::UnroundedCalls,
                        Level::ExtendedCalls, Level::All}) {
      decide(level);
      if (finalError() <= bound)
        return;
    }
  }

  Need need(Value v) const { return need_.lookup(v); }

private:
  enum class Level { Minimal, UnroundedCalls, ExtendedCalls, All };

  act::ActivationOp activation;
  llvm::DenseSet<Value> exact_, underflowing_, callResults_;
  llvm::DenseMap<Value, Need> need_;
  llvm::DenseMap<Value, Sign> sign_;
  llvm::DenseMap<Value, double> error_;

  Sign signOf(Value v) const { return sign_.lookup(v); }
  bool exact(Value v) const { return exact_.contains(v); }
  bool paired(Value v) const { return need(v) != Need::Float; }

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
          sign = v == 0  ? Sign::Zero
                 : v > 0 ? Sign::NonNegative
                         : Sign::NonPositive;
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
          sign =
              nonPositive(a) || nonPositive(b) ? Sign::NonPositive : join(a, b);
        })
        .Case<arith::MaxFOp>([&](auto) {
          isExact = allExact;
          sign =
              nonNegative(a) || nonNegative(b) ? Sign::NonNegative : join(a, b);
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
          sign = operands[0] == operands[1] ? Sign::NonNegative : product(a, b);
        })
        .Case<arith::DivFOp>([&](auto) {
          isExact = allExact && powerOfTwo(operands[1]);
          sign = product(a, b);
        })
        .Case<arith::AddFOp>([&](auto) { sign = sumSign(a, b); })
        .Case<arith::SubFOp>([&](auto) { sign = sumSign(a, flip(b)); })
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
    return sumSign(a, b) == Sign::Any;
  }

  /// The sign of a + b: known where both agree (or one is 0).
  static Sign sumSign(Sign a, Sign b) {
    if (a == Sign::Zero)
      return b;
    if (b == Sign::Zero)
      return a;
    return join(a, b);
  }

  /// The needs for `level`: demands from consumers to producers (reverse op
  /// order), then forward propagation (rule 4).
  void decide(Level level) {
    need_.clear();
    auto &ops = activation.getBlock().getOperations();
    auto demand = [&](Value v, Need n) {
      if (isFloat(v) && !exact(v) && need(v) < n)
        need_[v] = n;
    };
    for (Operation &op : llvm::reverse(ops)) {
      if (op.getNumResults() != 1 || !isFloat(op.getResult(0)))
        continue;
      Value result = op.getResult(0);
      auto operands = valueOperands(op);
      bool arithmetic =
          isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp>(op);
      Need mine = level == Level::All ? Need::Extended : need(result);
      if (mine != Need::Float && !isCall(op)) {
        // Pairs in, pairs out: an unrounded value's operands need only be
        // unrounded themselves.
        for (Value v : operands)
          demand(v, mine);
        continue;
      }
      if (isCall(op) && takesExtended(op) &&
          (mine == Need::Extended || magnifies(op)))
        demand(op.getOperand(0), Need::Extended);
      if (isa<arith::AddFOp, arith::SubFOp>(op) && mayCancel(op))
        for (Value v : operands)
          demand(v, Need::Extended);
      if (isa<arith::MulFOp, arith::DivFOp>(op))
        for (Value v : operands)
          if (underflowing_.contains(v))
            demand(v, Need::Unrounded);
      if ((level == Level::UnroundedCalls || level == Level::ExtendedCalls) &&
          (arithmetic || isCall(op)))
        for (Value v : operands)
          if (callResults_.contains(v))
            demand(v, level == Level::UnroundedCalls ? Need::Unrounded
                                                     : Need::Extended);
    }
    // Pairs in, pairs out (calls return what was asked of them).
    for (Operation &op : ops) {
      if (op.getNumResults() != 1 || !isFloat(op.getResult(0)) || isCall(op))
        continue;
      Value result = op.getResult(0);
      if (need(result) == Need::Float &&
          llvm::any_of(valueOperands(op), [&](Value v) { return paired(v); }))
        need_[result] = Need::Extended;
      // Non-call values computed in pairs are computed exactly as pairs.
      if (need(result) == Need::Unrounded)
        need_[result] = Need::Extended;
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
    return error_.lookup(result) + (paired(result) ? 0.5 : 0.0);
  }

  /// What rounding `op` itself adds to its value `v`.
  double ownError(Operation &op, Value v) const {
    if (isCall(op)) {
      if (!takesExtended(op))
        return callError(op);
      return need(v) == Need::Extended    ? kExtendedError
             : need(v) == Need::Unrounded ? kUnroundedError
                                          : callError(op);
    }
    if (paired(v))
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

  /// The error bounds of a function's extended and unrounded results, in
  /// ulps (2^-25.5 relative; half an ulp).
  static constexpr double kExtendedError = 0.35;
  static constexpr double kUnroundedError = 0.5;
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
      op.removeAttr(kExtendedAttr);
      op.removeAttr(kUnroundedAttr);
      if (op.getNumResults() != 1)
        continue;
      Need need = plan.need(op.getResult(0));
      if (need == Need::Extended)
        op.setAttr(kExtendedAttr, UnitAttr::get(op.getContext()));
      if (need == Need::Unrounded)
        op.setAttr(kUnroundedAttr, UnitAttr::get(op.getContext()));
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

bool act::isUnrounded(Value value) {
  Operation *op = value.getDefiningOp();
  return op && op->hasAttr(kUnroundedAttr);
}
