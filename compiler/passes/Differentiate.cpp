// Symbolic differentiation: for each activation f, f.d_x = df/dx and, for each
// learnable parameter p, f.d_p = df/dp, as new act.activation ops.
//
// Forward mode over the single block: every value gets a tangent (its
// derivative with respect to the chosen argument), computed right after the
// op. A tangent that is identically zero is represented by a null Value, so
// the product rule never builds 0 * inf = NaN and the IR stays small.
//
// Calls are differentiated before they are inlined, through the chain rule:
// d g(u, q...) = g.d_x(u, q...) du + sum_j g.d_qj(u, q...) dq_j. This is what
// makes a callee's `grad` clause (MLIRGen's g.d_x) replace its derived
// derivative inside every caller too.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using act::ActivationOp;

std::string act::derivativeName(llvm::StringRef activation,
                                llvm::StringRef argument) {
  return (activation + ".d_" + argument).str();
}

namespace {

/// 2 / sqrt(pi), the scale of erf's derivative, in double precision.
constexpr double kTwoOverSqrtPi = 1.1283791670955126;

class Differentiator {
public:
  explicit Differentiator(ModuleOp module)
      : symbols(module), builder(module.getContext()) {}

  /// The derivative of `f` with respect to its argument `argIndex` (0 is the
  /// input, i + 1 parameter i), created on first use.
  FailureOr<ActivationOp> derivative(ActivationOp f, unsigned argIndex) {
    std::string name = act::derivativeName(
        f.sym_name(),
        f.param_names()[argIndex].cast<StringAttr>().getValue());
    if (auto existing = symbols.lookup<ActivationOp>(name))
      return existing;

    OpBuilder::InsertionGuard guard(builder);
    // After f and its derivatives so far: f, f.d_x, f.d_p... in order.
    Operation *anchor = f;
    while (auto next = dyn_cast_or_null<ActivationOp>(anchor->getNextNode())) {
      if (next.derivative_of() != f.sym_name())
        break;
      anchor = next;
    }
    builder.setInsertionPointAfter(anchor);
    auto d = cast<ActivationOp>(builder.clone(*f.getOperation()));
    d.sym_nameAttr(builder.getStringAttr(name));
    d.derivative_ofAttr(builder.getStringAttr(f.sym_name()));
    d.wrtAttr(f.param_names()[argIndex].cast<StringAttr>());
    d.removeDocAttr();
    symbols.insert(d);

    Block &block = d.getBlock();
    Operation *terminator = block.getTerminator();
    Value result = cast<act::ReturnOp>(terminator).value();
    llvm::DenseMap<Value, Value> tangents;
    builder.setInsertionPointToStart(&block);
    tangents[block.getArgument(argIndex)] = constant(d.getLoc(), 1.0);
    // Tangent ops go right after the op they differentiate, so both orders
    // agree and later ops can use them.
    for (Operation &op : llvm::make_early_inc_range(block.without_terminator())) {
      builder.setInsertionPointAfter(&op);
      if (failed(differentiate(op, tangents)))
        return failure();
    }
    builder.setInsertionPoint(terminator);
    Value dResult = tangents.lookup(result);
    if (!dResult)
      dResult = constant(terminator->getLoc(), 0.0);
    terminator->setOperand(0, dResult);
    return d;
  }

private:
  /// The module's activations by name: a lookup per activation and per call
  /// must not scan the module, or a file of thousands takes minutes.
  SymbolTable symbols;
  OpBuilder builder;

  Value constant(Location loc, double value) {
    return builder.create<act::ConstantOp>(loc, value);
  }

  /// Helpers that treat a null tangent as zero.
  Value add(Location loc, Value a, Value b) {
    if (!a)
      return b;
    if (!b)
      return a;
    return builder.create<arith::AddFOp>(loc, a, b);
  }
  Value mul(Location loc, Value a, Value b) {
    if (!a || !b)
      return Value();
    return builder.create<arith::MulFOp>(loc, a, b);
  }
  Value div(Location loc, Value a, Value b) {
    if (!a)
      return Value();
    return builder.create<arith::DivFOp>(loc, a, b);
  }
  Value neg(Location loc, Value a) {
    if (!a)
      return Value();
    return builder.create<arith::NegFOp>(loc, a);
  }

  LogicalResult differentiate(Operation &op,
                              llvm::DenseMap<Value, Value> &tangents) {
    if (op.getNumResults() != 1 || !op.getResult(0).getType().isF32())
      return success(); // Tests (i1) carry no derivative.
    auto in = [&](unsigned i) { return op.getOperand(i); };
    auto d = [&](unsigned i) { return tangents.lookup(op.getOperand(i)); };
    Location loc = op.getLoc();
    Value r = op.getResult(0);
    // du * g(u): the chain rule for a unary op whose derivative is g(u).
    auto chain = [&](auto makeDerivative) -> Value {
      if (!d(0))
        return Value();
      return mul(loc, d(0), makeDerivative());
    };

    FailureOr<Value> tangent =
        llvm::TypeSwitch<Operation *, FailureOr<Value>>(&op)
            .Case([&](act::ConstantOp) { return Value(); })
            .Case([&](arith::UIToFPOp) { return Value(); })
            .Case([&](arith::AddFOp) { return add(loc, d(0), d(1)); })
            .Case([&](arith::SubFOp) { return add(loc, d(0), neg(loc, d(1))); })
            .Case([&](arith::MulFOp) {
              return add(loc, mul(loc, d(0), in(1)), mul(loc, in(0), d(1)));
            })
            .Case([&](arith::DivFOp) {
              // d(u/v) = (du - (u/v) dv) / v.
              Value numerator = add(loc, d(0), neg(loc, mul(loc, r, d(1))));
              return div(loc, numerator, in(1));
            })
            .Case([&](arith::NegFOp) { return neg(loc, d(0)); })
            .Case([&](arith::MaxFOp) { return pick(loc, op, /*max=*/true, tangents); })
            .Case([&](arith::MinFOp) { return pick(loc, op, /*max=*/false, tangents); })
            .Case([&](act::SelectOp) -> Value {
              // The chosen branch's derivative (LANGUAGE.md).
              if (!d(1) && !d(2))
                return Value();
              Value t = d(1) ? d(1) : constant(loc, 0.0);
              Value f = d(2) ? d(2) : constant(loc, 0.0);
              return builder.create<act::SelectOp>(loc, in(0), t, f);
            })
            .Case([&](math::PowFOp) { return powTangent(loc, op, tangents); })
            .Case([&](math::ExpOp) { return chain([&] { return r; }); })
            .Case([&](math::ExpM1Op) {
              return chain([&] { return builder.create<math::ExpOp>(loc, in(0)); });
            })
            .Case([&](math::LogOp) { return div(loc, d(0), in(0)); })
            .Case([&](math::Log1pOp) {
              return div(loc, d(0),
                         builder.create<arith::AddFOp>(loc, constant(loc, 1.0), in(0)));
            })
            .Case([&](math::SqrtOp) {
              return div(loc, d(0),
                         builder.create<arith::MulFOp>(loc, constant(loc, 2.0), r));
            })
            .Case([&](math::RsqrtOp) {
              // d u^(-1/2) = -1/2 u^(-3/2) du = -1/2 r^3 du.
              return chain([&] {
                Value r3 = builder.create<arith::MulFOp>(
                    loc, builder.create<arith::MulFOp>(loc, r, r), r);
                return builder.create<arith::MulFOp>(loc, constant(loc, -0.5), r3);
              });
            })
            .Case([&](math::AbsOp) {
              // sign(0) = 0: PyTorch's abs'(0).
              return chain([&] { return builder.create<act::SignOp>(loc, in(0)); });
            })
            .Case([&](act::SignOp) { return Value(); })
            .Case([&](math::FloorOp) { return Value(); })
            .Case([&](math::CeilOp) { return Value(); })
            .Case([&](act::RoundOp) { return Value(); })
            .Case([&](math::TanhOp) {
              // sech^2(u) = 4e / (1 + e)^2 with e = exp(-2|u|): 1 - tanh^2
              // cancels to nothing where tanh rounds to 1 (|u| > 9).
              return chain([&] {
                Value absU = builder.create<math::AbsOp>(loc, in(0));
                Value e = builder.create<math::ExpOp>(
                    loc, builder.create<arith::MulFOp>(loc, constant(loc, -2.0),
                                                       absU));
                Value onePlusE =
                    builder.create<arith::AddFOp>(loc, constant(loc, 1.0), e);
                Value numerator =
                    builder.create<arith::MulFOp>(loc, constant(loc, 4.0), e);
                Value square =
                    builder.create<arith::MulFOp>(loc, onePlusE, onePlusE);
                return builder.create<arith::DivFOp>(loc, numerator, square);
              });
            })
            .Case([&](act::SigmoidOp) {
              // s(u) s(-u): unlike s(1 - s), accurate where s(u) is near 1.
              return chain([&] {
                Value minusU = builder.create<arith::NegFOp>(loc, in(0));
                Value other = builder.create<act::SigmoidOp>(loc, minusU);
                return builder.create<arith::MulFOp>(loc, r, other);
              });
            })
            .Case([&](math::ErfOp) { return chain([&] { return gaussian(loc, in(0), kTwoOverSqrtPi); }); })
            .Case([&](act::ErfcOp) { return chain([&] { return gaussian(loc, in(0), -kTwoOverSqrtPi); }); })
            .Case([&](math::SinOp) {
              return chain([&] { return builder.create<math::CosOp>(loc, in(0)); });
            })
            .Case([&](math::CosOp) {
              return chain([&] {
                return builder.create<arith::NegFOp>(
                    loc, builder.create<math::SinOp>(loc, in(0)));
              });
            })
            .Case([&](math::AtanOp) {
              Value u2 = builder.create<arith::MulFOp>(loc, in(0), in(0));
              return div(loc, d(0),
                         builder.create<arith::AddFOp>(loc, constant(loc, 1.0), u2));
            })
            .Case([&](act::CallOp call) { return callTangent(call, tangents); })
            .Default([&](Operation *other) -> FailureOr<Value> {
              other->emitError("cannot differentiate '")
                  << other->getName() << "'";
              return failure();
            });
    if (failed(tangent))
      return failure();
    if (*tangent)
      tangents[r] = *tangent;
    return success();
  }

  /// scale * exp(-u^2): the derivative of erf (scale 2/sqrt(pi)) or erfc.
  Value gaussian(Location loc, Value u, double scale) {
    Value u2 = builder.create<arith::MulFOp>(loc, u, u);
    Value e = builder.create<math::ExpOp>(
        loc, builder.create<arith::NegFOp>(loc, u2));
    return builder.create<arith::MulFOp>(loc, constant(loc, scale), e);
  }

  /// max(a, b) follows a where a > b, else b; min likewise with a < b. At a
  /// tie the second operand's derivative wins, so relu = max(x, 0) has
  /// derivative 0 at 0 and hardtanh's is 0 at its corners, as in PyTorch.
  Value pick(Location loc, Operation &op, bool max,
             llvm::DenseMap<Value, Value> &tangents) {
    Value a = op.getOperand(0), b = op.getOperand(1);
    Value da = tangents.lookup(a), db = tangents.lookup(b);
    if (!da && !db)
      return Value();
    auto predicate = max ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT;
    Value takeA = builder.create<arith::CmpFOp>(loc, predicate, a, b);
    return builder.create<act::SelectOp>(loc, takeA,
                                         da ? da : constant(loc, 0.0),
                                         db ? db : constant(loc, 0.0));
  }

  /// d u^v = v u^(v-1) du + u^v log(u) dv; the second term only when the
  /// exponent varies (so x^2 at x < 0 never meets log of a negative).
  Value powTangent(Location loc, Operation &op,
                   llvm::DenseMap<Value, Value> &tangents) {
    Value u = op.getOperand(0), v = op.getOperand(1), r = op.getResult(0);
    Value du = tangents.lookup(u), dv = tangents.lookup(v);
    Value baseTerm;
    if (du) {
      Value vMinusOne =
          builder.create<arith::SubFOp>(loc, v, constant(loc, 1.0));
      Value power = builder.create<math::PowFOp>(loc, u, vMinusOne);
      baseTerm = mul(loc, builder.create<arith::MulFOp>(loc, v, power), du);
    }
    Value exponentTerm;
    if (dv) {
      Value logU = builder.create<math::LogOp>(loc, u);
      exponentTerm = mul(loc, builder.create<arith::MulFOp>(loc, r, logU), dv);
    }
    return add(loc, baseTerm, exponentTerm);
  }

  /// The chain rule through a call, using the callee's derivative functions.
  FailureOr<Value> callTangent(act::CallOp call,
                               llvm::DenseMap<Value, Value> &tangents) {
    auto callee = symbols.lookup<ActivationOp>(call.callee());
    if (!callee) {
      call.emitError("unknown activation '") << call.callee() << "'";
      return failure();
    }
    Value total;
    for (unsigned i = 0, e = call.operands().size(); i != e; ++i) {
      Value dOperand = tangents.lookup(call.operands()[i]);
      if (!dOperand)
        continue;
      FailureOr<ActivationOp> partial = derivative(callee, i);
      if (failed(partial))
        return failure();
      Value partialValue = builder.create<act::CallOp>(
          call.getLoc(), builder.getF32Type(), partial->sym_name(),
          call.operands());
      total = add(call.getLoc(), total, mul(call.getLoc(), partialValue, dOperand));
    }
    return total;
  }
};

struct DifferentiatePass
    : public PassWrapper<DifferentiatePass, OperationPass<ModuleOp>> {
  StringRef getArgument() const final { return "act-differentiate"; }
  StringRef getDescription() const final {
    return "Derive df/dx and df/dp for learnable p of every activation";
  }

  void runOnOperation() final {
    ModuleOp module = getOperation();
    Differentiator differentiator(module);
    SmallVector<ActivationOp> activations;
    for (ActivationOp f : module.getOps<ActivationOp>())
      if (!f.derivative_of())
        activations.push_back(f);
    for (ActivationOp f : activations) {
      if (failed(differentiator.derivative(f, 0)))
        return signalPassFailure();
      for (unsigned i = 0, e = f.getNumParams(); i != e; ++i)
        if (f.isLearnable(i) && failed(differentiator.derivative(f, i + 1)))
          return signalPassFailure();
    }
  }
};

} // namespace

std::unique_ptr<Pass> act::createDifferentiatePass() {
  return std::make_unique<DifferentiatePass>();
}
