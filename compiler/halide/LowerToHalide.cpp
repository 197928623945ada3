// act IR -> Halide expressions, op by op; transcendental ops go to MathLib.
//
// Precision: float32, unless float32 arithmetic around the library calls can
// exceed the forward bound (needsWidePrecision: exp and erfc multiply the
// rounding error of their argument by up to |u| and 2u^2, and gelu lost 184
// ulp that way at x = -13; x - tanh(x) cancels; a product with a result that
// went subnormal, or a chain of 1-ulp steps, passes 2 ulp). Such an
// activation is computed in double around the library's wide variants and
// rounded to float32 once, at the end. Pure arithmetic, a lone call, or
// products of a call's result keep the float32 speed.
#include "compiler/halide/LowerToHalide.h"

#include "compiler/halide/MathLib.h"
#include "compiler/mlir/Predicates.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using Halide::Expr;

namespace {

/// Exact IEEE negation (flips the sign bit), of Float(32) or Float(64).
/// Halide's unary minus is `0 - x`, which turns +0 into +0 instead of -0.
Expr negate(const Expr &x) {
  Halide::Type bitsType = Halide::UInt(x.type().bits());
  Expr bits = Halide::reinterpret(bitsType, x);
  Expr signBit = Halide::Internal::make_const(
      bitsType, uint64_t(1) << (x.type().bits() - 1));
  return Halide::reinterpret(x.type(), bits ^ signBit);
}

/// Library calls whose result is rounded (every one but the exact abs,
/// floor, ceil, sign and round).
bool isRoundedCall(Operation *op) {
  return isa<math::ExpOp, math::ExpM1Op, math::LogOp, math::Log1pOp,
             math::TanhOp, math::ErfOp, math::SinOp, math::CosOp, math::AtanOp,
             math::PowFOp, math::SqrtOp, math::RsqrtOp, act::SigmoidOp,
             act::ErfcOp>(op);
}

/// Calls that magnify a relative error d of their argument u into one of
/// |u f'(u) / f(u)| d, without bound: exp, expm1, sigmoid and erfc as |u|
/// grows, log and log1p near their zeros, pow through its exponent, sin and
/// cos through the quadrant. (tanh, erf, atan, sqrt and rsqrt do not.)
bool magnifiesArgumentError(Operation *op) {
  return isa<math::ExpOp, math::ExpM1Op, math::LogOp, math::Log1pOp,
             math::PowFOp, math::SinOp, math::CosOp, act::SigmoidOp,
             act::ErfcOp>(op);
}

/// Calls whose float32 results go subnormal, losing relative precision that
/// a product with a larger factor would need.
bool mayUnderflow(Operation *op) {
  return isa<math::ExpOp, act::SigmoidOp, act::ErfcOp>(op);
}

/// Whether `value` is a constant power of two (a product with it is exact).
bool isPowerOfTwo(Value value) {
  auto constant = value.getDefiningOp<act::ConstantOp>();
  if (!constant)
    return false;
  int exponent;
  double mantissa = std::frexp(constant.value().convertToDouble(), &exponent);
  return std::fabs(mantissa) == 0.5;
}

/// Whether `value` is a constant that float32 rounds (a product with it
/// rounds twice: the constant, then the product).
bool isRoundedConstant(Value value) {
  auto constant = value.getDefiningOp<act::ConstantOp>();
  if (!constant)
    return false;
  double v = constant.value().convertToDouble();
  return static_cast<double>(static_cast<float>(v)) != v;
}

/// Whether float32 arithmetic around the library calls of `activation` can
/// exceed the forward bound, which holds if a call (each is within 1 ulp)
///  (A) magnifies argument errors and its argument was rounded;
///  (B) has its result, or a value computed from it, added to or subtracted
///      from (cancellation), or taken as another call's argument (errors
///      compound along a chain);
///  (C) may underflow and its result is multiplied or divided by a
///      non-constant (x sigmoid(x) below -87 lost 50 ulp that way);
///  (D) has its result rounded twice more (a half ulp each), counting a
///      rounded constant factor as one.
/// Exact operations (negation, abs, min, max, selects, scaling by powers of
/// two) pass these properties on.
bool needsWidePrecision(act::ActivationOp activation) {
  llvm::DenseSet<Value> rounded, underflowed;
  // For values computed from a call's result: roundings since the call.
  llvm::DenseMap<Value, unsigned> roundingsAfterCall;
  for (Operation &op : activation.getBlock().without_terminator()) {
    if (op.getNumResults() != 1 || !op.getResult(0).getType().isa<FloatType>())
      continue;
    // A select's condition does not carry its value.
    auto operands = isa<act::SelectOp>(op) ? op.getOperands().drop_front()
                                           : op.getOperands();
    auto any = [&](const llvm::DenseSet<Value> &set) {
      return llvm::any_of(operands, [&](Value v) { return set.contains(v); });
    };
    bool fromCall = llvm::any_of(
        operands, [&](Value v) { return roundingsAfterCall.count(v); });
    bool call = isRoundedCall(&op);
    bool sum = isa<arith::AddFOp, arith::SubFOp>(op);
    bool product = isa<arith::MulFOp, arith::DivFOp>(op);
    // x * 2^k and x / 2^k are exact (2^k / x is not).
    bool scaling =
        (isa<arith::MulFOp>(op) && llvm::any_of(operands, isPowerOfTwo)) ||
        (isa<arith::DivFOp>(op) && isPowerOfTwo(op.getOperand(1)));
    if (call && magnifiesArgumentError(&op) && any(rounded))
      return true; // (A)
    if ((call || sum) && fromCall)
      return true; // (B)
    if (product && any(underflowed) && !llvm::any_of(operands, [](Value v) {
          return v.getDefiningOp<act::ConstantOp>() != nullptr;
        }))
      return true; // (C)
    Value result = op.getResult(0);
    if (call) {
      roundingsAfterCall[result] = 0;
    } else if (fromCall) {
      unsigned count = 0;
      for (Value v : operands)
        count = std::max(count, roundingsAfterCall.lookup(v));
      if (product && !scaling)
        count += 1 + llvm::count_if(operands, isRoundedConstant);
      if (count >= 2)
        return true; // (D)
      roundingsAfterCall[result] = count;
    }
    if (call || sum || (product && !scaling) || any(rounded))
      rounded.insert(result);
    if (mayUnderflow(&op) || (!product && !sum && any(underflowed)))
      underflowed.insert(result);
  }
  return false;
}

/// A lowered activation may be at most this deep (the longest path of Halide
/// nodes from the result down to a leaf). Halide's passes recurse once per
/// level: a chain of 7000 additions overflowed the stack in its CSE, and
/// compile time grows with the square of the depth (a chain of 2000 took 37 s
/// to JIT). std.act's deepest, gelu's derivative, is 87.
constexpr unsigned kMaxExprDepth = 1000;

/// The depth of Halide expressions (the longest path from a node down to a
/// leaf), remembered per node so that an expression built op by op is walked
/// once in all.
class ExprDepth : public Halide::Internal::IRGraphVisitor {
public:
  unsigned of(const Expr &expr) {
    include(expr);
    return depths.lookup(expr.get());
  }

protected:
  using IRGraphVisitor::visit;

  void include(const Expr &expr) override {
    auto known = depths.find(expr.get());
    unsigned depth;
    if (known != depths.end()) {
      depth = known->second;
    } else {
      unsigned outer = deepestChild;
      deepestChild = 0;
      expr.accept(this);
      depth = deepestChild + 1;
      depths[expr.get()] = depth;
      deepestChild = outer;
    }
    deepestChild = std::max(deepestChild, depth);
  }

private:
  llvm::DenseMap<const Halide::Internal::IRNode *, unsigned> depths;
  unsigned deepestChild = 0;
};

class Lowering {
public:
  FailureOr<Expr> run(act::ActivationOp activation, const Expr &x,
                      ArrayRef<Expr> params) {
    // Derivatives stay float32: their bound (4 ulp + 2^-24) absorbs what
    // the forward bound does not (every std derivative is within 81% of it).
    wide =
        !activation->hasAttr("derivative_of") && needsWidePrecision(activation);
    values[activation.getInput()] = real(x);
    for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i)
      values[activation.getParam(i)] = real(params[i]);
    for (Operation &op : activation.getBlock().without_terminator()) {
      FailureOr<Expr> result = lower(op);
      if (failed(result))
        return failure();
      values[op.getResult(0)] = *result;
      if (depth.of(*result) > kMaxExprDepth)
        return tooDeep(activation, op);
    }
    // The one rounding of a wide activation.
    return Halide::cast<float>(values.lookup(activation.getResult()));
  }

private:
  llvm::DenseMap<Value, Expr> values;
  ExprDepth depth;
  /// Whether real values are Float(64) (see the file comment).
  bool wide = false;

  Halide::Type realType() const {
    return wide ? Halide::Float(64) : Halide::Float(32);
  }
  Expr real(const Expr &value) const { return Halide::cast(realType(), value); }

  /// A library function: float32, or its wide variant on the Float(64) value.
  Expr call(Expr (*narrow)(const Expr &), Expr (*wideFn)(const Expr &),
            const Expr &arg) const {
    return wide ? wideFn(arg) : narrow(arg);
  }
  /// A library function without a wide variant: computed in float32 (a wide
  /// argument rounds to float first) and widened again.
  Expr callNarrow(Expr (*narrow)(const Expr &), const Expr &arg) const {
    return real(narrow(Halide::cast<float>(arg)));
  }

  /// Rejects an activation whose expression `op` takes past kMaxExprDepth,
  /// before Halide sees it.
  static LogicalResult tooDeep(act::ActivationOp activation, Operation &op) {
    auto of = activation->getAttrOfType<StringAttr>("derivative_of");
    emitError(op.getLoc())
        << "'" << (of ? of.getValue() : activation.sym_name())
        << "' is too deep to compile: its expression has more than "
        << kMaxExprDepth << " levels once lowered to Halide";
    return failure();
  }

  Expr operand(Operation &op, unsigned i) {
    return values.lookup(op.getOperand(i));
  }

  FailureOr<Expr> lower(Operation &op) {
    auto a = [&] { return operand(op, 0); };
    auto b = [&] { return operand(op, 1); };
    using R = FailureOr<Expr>;
    return llvm::TypeSwitch<Operation *, R>(&op)
        .Case([&](act::ConstantOp c) {
          // Float32: the one rounding of a constant folded in double.
          return real(Halide::Internal::FloatImm::make(
              Halide::Float(64), c.value().convertToDouble()));
        })
        .Case([&](arith::ConstantIntOp c) {
          return c.value() ? Halide::Internal::const_true()
                           : Halide::Internal::const_false();
        })
        .Case([&](arith::AddFOp) { return a() + b(); })
        .Case([&](arith::SubFOp) { return a() - b(); })
        .Case([&](arith::MulFOp) { return a() * b(); })
        .Case([&](arith::DivFOp) { return a() / b(); })
        .Case([&](arith::NegFOp) { return negate(a()); })
        .Case([&](arith::MinFOp) { return act::math::fmin(a(), b()); })
        .Case([&](arith::MaxFOp) { return act::math::fmax(a(), b()); })
        .Case([&](arith::CmpFOp cmp) {
          auto isNaN = [](const Expr &value) { return Halide::is_nan(value); };
          return act::comparePredicate(cmp.getPredicate(), a(), b(), isNaN);
        })
        .Case([&](arith::AndIOp) { return a() && b(); })
        .Case([&](arith::OrIOp) { return a() || b(); })
        .Case([&](arith::XOrIOp) { return a() != b(); })
        .Case([&](arith::UIToFPOp) { return real(a()); })
        .Case([&](act::SelectOp) {
          return Halide::select(a(), b(), operand(op, 2));
        })
        .Case([&](math::PowFOp) {
          // pow evaluates in double inside; its arguments are float32.
          return real(act::math::pow(Halide::cast<float>(a()),
                                     Halide::cast<float>(b())));
        })
        .Case([&](math::ExpOp) {
          return call(act::math::exp, act::math::wide::exp, a());
        })
        .Case([&](math::ExpM1Op) {
          return call(act::math::expm1, act::math::wide::expm1, a());
        })
        .Case([&](math::LogOp) {
          return call(act::math::log, act::math::wide::log, a());
        })
        .Case([&](math::Log1pOp) {
          return call(act::math::log1p, act::math::wide::log1p, a());
        })
        .Case([&](math::SqrtOp) {
          // The IEEE square root is correctly rounded in either type.
          return wide ? Halide::sqrt(a()) : act::math::sqrt(a());
        })
        .Case([&](math::RsqrtOp) {
          // In double, 1 / sqrt(x) neither overflows nor loses a digit that
          // matters to float32 (and gives rsqrt(-0) = -inf).
          return wide ? Halide::Internal::make_const(Halide::Float(64), 1.0) /
                            Halide::sqrt(a())
                      : act::math::rsqrt(a());
        })
        .Case([&](math::AbsOp) { return Halide::abs(a()); })
        .Case([&](math::FloorOp) { return Halide::floor(a()); })
        .Case([&](math::CeilOp) { return Halide::ceil(a()); })
        .Case([&](math::TanhOp) {
          return call(act::math::tanh, act::math::wide::tanh, a());
        })
        .Case([&](math::ErfOp) {
          return call(act::math::erf, act::math::wide::erf, a());
        })
        .Case([&](math::SinOp) { return callNarrow(act::math::sin, a()); })
        .Case([&](math::CosOp) { return callNarrow(act::math::cos, a()); })
        .Case([&](math::AtanOp) { return callNarrow(act::math::atan, a()); })
        .Case([&](act::SigmoidOp) {
          return call(act::math::sigmoid, act::math::wide::sigmoid, a());
        })
        .Case([&](act::ErfcOp) {
          return call(act::math::erfc, act::math::wide::erfc, a());
        })
        .Case([&](act::SignOp) { return act::math::sign(a()); })
        .Case([&](act::RoundOp) { return act::math::round(a()); })
        .Default([](Operation *other) -> R {
          other->emitError("cannot lower '")
              << other->getName() << "' to Halide";
          return failure();
        });
  }
};

} // namespace

FailureOr<Expr> act::lowerToHalide(ActivationOp activation, const Expr &x,
                                   ArrayRef<Expr> params) {
  return Lowering().run(activation, x, params);
}
