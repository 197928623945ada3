// act IR -> Halide expressions, op by op; transcendental ops go to MathLib.
//
// Values are float32, or extended (MathLib's hi + lo pairs, with a
// power-of-two factor where they may go subnormal) where the PlanPrecision
// pass marked their op `act.extended`; an extended result is rounded once,
// at the end.
#include "compiler/halide/LowerToHalide.h"

#include "compiler/halide/MathLib.h"
#include "compiler/mlir/Predicates.h"
#include "compiler/passes/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using act::math::Ext;
using act::math::Precision;
using Halide::Expr;

namespace {

/// Exact IEEE negation (flips the sign bit). Halide's unary minus is
/// `0 - x`, which turns +0 into +0 instead of -0.
Expr negate(const Expr &x) {
  Expr bits = Halide::reinterpret(Halide::Int(32), x);
  return Halide::reinterpret(x.type(), bits ^ Expr(INT32_MIN));
}

bool isFloat(Value v) { return v.getType().isa<FloatType>(); }

/// The operands an op's value depends on (a select's condition does not
/// carry its value).
ValueRange valueOperands(Operation &op) {
  return isa<act::SelectOp>(op) ? op.getOperands().drop_front()
                                : op.getOperands();
}

/// A lowered activation may be at most this deep: the longest path of Halide
/// nodes from the result down to a leaf, each let (the math library binds its
/// intermediate values to lets) counting as one. Halide's passes recurse once
/// per level: a chain of 7000 additions overflowed the stack in its CSE, and
/// compile time grows with the square of the depth (a chain of 2000 float
/// additions took 37 s to JIT, one of 120 extended ones, 476 lets, 10 s for
/// every kernel). std.act's deepest, mish's derivative, has 136 lets.
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
  Lowering(act::ActivationOp activation, act::math::Options options)
      : activation(activation), builder(options) {}

  FailureOr<Expr> run(const Expr &x, ArrayRef<Expr> params) {
    values[activation.getInput()] = Ext{builder.bind(x)};
    for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i)
      values[activation.getParam(i)] = Ext{builder.bind(params[i])};
    for (Operation &op : activation.getBlock().without_terminator()) {
      FailureOr<Ext> result = lower(op);
      if (failed(result))
        return failure();
      if (builder.letCount() + depth.of(result->hi) > kMaxExprDepth)
        return tooDeep(op);
      values[op.getResult(0)] = *result;
    }
    // The one rounding of an extended result.
    return builder.finish(builder.round(values.lookup(activation.getResult())));
  }

private:
  act::ActivationOp activation;
  act::math::Builder builder;
  llvm::DenseMap<Value, Ext> values;

  static bool extended(Value v) { return act::isExtended(v); }
  ExprDepth depth;

  /// Rejects an activation whose expression `op` takes past kMaxExprDepth,
  /// before Halide sees it.
  LogicalResult tooDeep(Operation &op) {
    auto of = activation->getAttrOfType<StringAttr>("derivative_of");
    emitError(op.getLoc())
        << "'" << (of ? of.getValue() : activation.sym_name())
        << "' is too deep to compile: its expression has more than "
        << kMaxExprDepth << " levels once lowered to Halide";
    return failure();
  }

  Ext operand(Operation &op, unsigned i) {
    return values.lookup(op.getOperand(i));
  }
  /// An operand as a float32 value (rounded, if it is extended).
  Expr rounded(Operation &op, unsigned i) {
    Ext v = operand(op, i);
    return v.extended() ? builder.bind(builder.round(v)) : v.hi;
  }

  /// A unary function of MathLib's builder, at the precision the plan asks.
  Ext call(Operation &op,
           Ext (act::math::Builder::*fn)(const Ext &, Precision)) {
    return (builder.*fn)(operand(op, 0), precisionOf(op.getResult(0)));
  }

  /// The precision the plan asks of a call's result.
  static Precision precisionOf(Value result) {
    return extended(result)           ? Precision::Extended
           : act::isUnrounded(result) ? Precision::Unrounded
                                      : Precision::Float;
  }

  /// Arithmetic: float32, or extended by the builder.
  Ext arithmetic(Operation &op,
                 Ext (act::math::Builder::*pairs)(const Ext &, const Ext &),
                 Expr (*plain)(const Expr &, const Expr &)) {
    if (extended(op.getResult(0)))
      return (builder.*pairs)(operand(op, 0), operand(op, 1));
    return Ext{plain(rounded(op, 0), rounded(op, 1))};
  }

  FailureOr<Ext> lower(Operation &op) {
    bool ext = op.getNumResults() == 1 && extended(op.getResult(0));
    using R = FailureOr<Ext>;
    return llvm::TypeSwitch<Operation *, R>(&op)
        .Case([&](act::ConstantOp c) -> R {
          double v = c.value().convertToDouble();
          if (ext)
            return builder.constant(v);
          // Float32: the one rounding of a constant folded in double. -0 is
          // written as its bits: Halide's CSE takes the float constants -0
          // and +0 for one and would merge them.
          if (v == 0 && std::signbit(v))
            return Ext{Halide::reinterpret<float>(Expr(INT32_MIN))};
          return Ext{Expr(static_cast<float>(v))};
        })
        .Case([&](arith::ConstantIntOp c) -> R {
          return Ext{c.value() ? Halide::Internal::const_true()
                               : Halide::Internal::const_false()};
        })
        .Case([&](arith::AddFOp) {
          return arithmetic(op, &act::math::Builder::add,
                            [](const Expr &a, const Expr &b) { return a + b; });
        })
        .Case([&](arith::SubFOp) {
          return arithmetic(op, &act::math::Builder::sub,
                            [](const Expr &a, const Expr &b) { return a - b; });
        })
        .Case([&](arith::MulFOp) {
          return arithmetic(op, &act::math::Builder::mul,
                            [](const Expr &a, const Expr &b) { return a * b; });
        })
        .Case([&](arith::DivFOp) {
          return arithmetic(op, &act::math::Builder::div,
                            [](const Expr &a, const Expr &b) { return a / b; });
        })
        .Case([&](arith::NegFOp) -> R {
          return ext ? builder.neg(operand(op, 0))
                     : Ext{negate(rounded(op, 0))};
        })
        .Case([&](math::AbsOp) -> R {
          return ext ? builder.abs(operand(op, 0))
                     : Ext{Halide::abs(rounded(op, 0))};
        })
        .Case<arith::MinFOp, arith::MaxFOp>([&](auto) -> R {
          bool isMin = isa<arith::MinFOp>(op);
          if (!ext) {
            Expr a = rounded(op, 0), b = rounded(op, 1);
            return Ext{isMin ? act::math::fmin(a, b) : act::math::fmax(a, b)};
          }
          // NaN-propagating choice of the operand, by the rounded values.
          Expr a = rounded(op, 0), b = rounded(op, 1);
          Expr pickA = Halide::is_nan(a) ||
                       (!Halide::is_nan(b) && (isMin ? a <= b : a >= b));
          return builder.select(pickA, operand(op, 0), operand(op, 1));
        })
        .Case([&](arith::CmpFOp cmp) -> R {
          auto isNaN = [](const Expr &value) { return Halide::is_nan(value); };
          return Ext{act::comparePredicate(cmp.getPredicate(), rounded(op, 0),
                                           rounded(op, 1), isNaN)};
        })
        .Case([&](arith::AndIOp) -> R {
          return Ext{operand(op, 0).hi && operand(op, 1).hi};
        })
        .Case([&](arith::OrIOp) -> R {
          return Ext{operand(op, 0).hi || operand(op, 1).hi};
        })
        .Case([&](arith::XOrIOp) -> R {
          return Ext{operand(op, 0).hi != operand(op, 1).hi};
        })
        .Case([&](arith::UIToFPOp) -> R {
          return Ext{Halide::cast<float>(operand(op, 0).hi)};
        })
        .Case([&](act::SelectOp) -> R {
          Expr condition = operand(op, 0).hi;
          if (ext)
            return builder.select(condition, operand(op, 1), operand(op, 2));
          return Ext{Halide::select(condition, rounded(op, 1), rounded(op, 2))};
        })
        .Case([&](math::PowFOp) -> R {
          return Ext{builder.pow(rounded(op, 0), rounded(op, 1))};
        })
        .Case([&](math::ExpOp) -> R {
          return call(op, &act::math::Builder::exp);
        })
        .Case([&](math::ExpM1Op) -> R {
          return call(op, &act::math::Builder::expm1);
        })
        .Case([&](math::LogOp) -> R {
          return call(op, &act::math::Builder::log);
        })
        .Case([&](math::Log1pOp log1p) -> R {
          // log1p(exp(-|y|)), softplus's shape: fused.
          if (auto exp = log1p.getOperand().getDefiningOp<math::ExpOp>())
            if (auto neg = exp.getOperand().getDefiningOp<arith::NegFOp>())
              if (neg.getOperand().getDefiningOp<math::AbsOp>())
                return builder.log1pExp(values.lookup(exp.getOperand()),
                                        precisionOf(op.getResult(0)));
          return call(op, &act::math::Builder::log1p);
        })
        .Case([&](math::SqrtOp) -> R {
          return call(op, &act::math::Builder::sqrt);
        })
        .Case([&](math::TanhOp) -> R {
          return call(op, &act::math::Builder::tanh);
        })
        .Case([&](math::ErfOp) -> R {
          return call(op, &act::math::Builder::erf);
        })
        .Case([&](act::SigmoidOp) -> R {
          return call(op, &act::math::Builder::sigmoid);
        })
        .Case([&](act::ErfcOp) -> R {
          return call(op, &act::math::Builder::erfc);
        })
        .Case([&](math::RsqrtOp) -> R {
          return Ext{builder.rsqrt(rounded(op, 0))};
        })
        .Case(
            [&](math::SinOp) -> R { return Ext{builder.sin(rounded(op, 0))}; })
        .Case(
            [&](math::CosOp) -> R { return Ext{builder.cos(rounded(op, 0))}; })
        .Case([&](math::AtanOp) -> R {
          return Ext{builder.atan(rounded(op, 0))};
        })
        .Case([&](math::FloorOp) -> R {
          return Ext{Halide::floor(rounded(op, 0))};
        })
        .Case([&](math::CeilOp) -> R {
          return Ext{Halide::ceil(rounded(op, 0))};
        })
        .Case([&](act::SignOp) -> R {
          return Ext{act::math::sign(rounded(op, 0))};
        })
        .Case([&](act::RoundOp) -> R {
          return Ext{act::math::round(rounded(op, 0))};
        })
        .Default([](Operation *other) -> R {
          other->emitError("cannot lower '")
              << other->getName() << "' to Halide";
          return failure();
        });
  }
};

} // namespace

FailureOr<Expr> act::lowerToHalide(ActivationOp activation, const Expr &x,
                                   ArrayRef<Expr> params,
                                   math::Options options) {
  return Lowering(activation, options).run(x, params);
}
