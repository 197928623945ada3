// act IR -> Halide expressions, op by op; transcendental ops go to MathLib.
#include "compiler/halide/LowerToHalide.h"

#include "compiler/halide/MathLib.h"
#include "compiler/mlir/Predicates.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using Halide::Expr;

namespace {

/// Exact IEEE negation (flips the sign bit). Halide's unary minus is `0 - x`,
/// which turns +0 into +0 instead of -0.
Expr negate(const Expr &x) {
  Expr bits = Halide::reinterpret(Halide::UInt(32), x);
  return Halide::reinterpret(Halide::Float(32),
                             bits ^ Halide::Expr(uint32_t(0x80000000u)));
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
    values[activation.getInput()] = x;
    for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i)
      values[activation.getParam(i)] = params[i];
    for (Operation &op : activation.getBlock().without_terminator()) {
      FailureOr<Expr> result = lower(op);
      if (failed(result))
        return failure();
      values[op.getResult(0)] = *result;
      if (depth.of(*result) > kMaxExprDepth)
        return tooDeep(activation, op);
    }
    return values.lookup(activation.getResult());
  }

private:
  llvm::DenseMap<Value, Expr> values;
  ExprDepth depth;

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
          // The one rounding of a constant folded in double precision.
          return Expr(static_cast<float>(c.value().convertToDouble()));
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
        .Case([&](arith::UIToFPOp) {
          return Halide::cast(Halide::Float(32), a());
        })
        .Case([&](act::SelectOp) {
          return Halide::select(a(), b(), operand(op, 2));
        })
        .Case([&](math::PowFOp) { return act::math::pow(a(), b()); })
        .Case([&](math::ExpOp) { return act::math::exp(a()); })
        .Case([&](math::ExpM1Op) { return act::math::expm1(a()); })
        .Case([&](math::LogOp) { return act::math::log(a()); })
        .Case([&](math::Log1pOp) { return act::math::log1p(a()); })
        .Case([&](math::SqrtOp) { return act::math::sqrt(a()); })
        .Case([&](math::RsqrtOp) { return act::math::rsqrt(a()); })
        .Case([&](math::AbsOp) { return Halide::abs(a()); })
        .Case([&](math::FloorOp) { return Halide::floor(a()); })
        .Case([&](math::CeilOp) { return Halide::ceil(a()); })
        .Case([&](math::TanhOp) { return act::math::tanh(a()); })
        .Case([&](math::ErfOp) { return act::math::erf(a()); })
        .Case([&](math::SinOp) { return act::math::sin(a()); })
        .Case([&](math::CosOp) { return act::math::cos(a()); })
        .Case([&](math::AtanOp) { return act::math::atan(a()); })
        .Case([&](act::SigmoidOp) { return act::math::sigmoid(a()); })
        .Case([&](act::ErfcOp) { return act::math::erfc(a()); })
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
