// act IR -> Halide expressions, op by op; transcendental ops go to MathLib.
#include "compiler/halide/LowerToHalide.h"

#include "compiler/halide/MathLib.h"

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

/// A float comparison with the NaN case explicit. Halide's simplifier treats
/// float comparisons as a total order (it rewrites `select(a >= b, t, f)` to
/// `select(a < b, f, t)` and `x != x` to false, even in strict-float mode),
/// so each predicate states what NaN gives, and the rewrites it may do are
/// then exact for the remaining, ordered, inputs.
Expr compare(arith::CmpFPredicate predicate, const Expr &a, const Expr &b) {
  Expr unordered = Halide::is_nan(a) || Halide::is_nan(b);
  Expr ordered = !unordered;
  switch (predicate) {
  case arith::CmpFPredicate::OLT:
    return ordered && a < b;
  case arith::CmpFPredicate::OLE:
    return ordered && a <= b;
  case arith::CmpFPredicate::OGT:
    return ordered && a > b;
  case arith::CmpFPredicate::OGE:
    return ordered && a >= b;
  case arith::CmpFPredicate::OEQ:
    return ordered && a == b;
  case arith::CmpFPredicate::ONE:
    return ordered && a != b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ORD:
    return ordered;
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return Halide::Internal::const_true();
  case arith::CmpFPredicate::AlwaysFalse:
    return Halide::Internal::const_false();
  }
  llvm_unreachable("unknown predicate");
}

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
    }
    return values.lookup(activation.getResult());
  }

private:
  llvm::DenseMap<Value, Expr> values;

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
          return compare(cmp.getPredicate(), a(), b());
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
