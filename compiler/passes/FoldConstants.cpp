// Folds constant subexpressions in double precision, plus exact simplifications.
//
// The language says constants fold in double and round to f32 once. MLIR's own
// folders compute in the operand type (f32), so act.constant is deliberately
// not ConstantLike: this pass is the only place constants combine.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "llvm/ADT/TypeSwitch.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;

bool act::isConstantValue(Value value, double expected) {
  auto constant = value.getDefiningOp<act::ConstantOp>();
  return constant && constant.value().convertToDouble() == expected;
}

bool act::isNegativeZero(Value value) {
  auto constant = value.getDefiningOp<act::ConstantOp>();
  return constant && constant.value().isZero() && constant.value().isNegative();
}

namespace {

#include "compiler/passes/ActCombine.inc"

/// The constant an operand carries: act.constant (f32 in double precision) or
/// arith.constant (i1 tests), as a double.
std::optional<double> constantOperand(Value value) {
  if (auto c = value.getDefiningOp<act::ConstantOp>())
    return c.value().convertToDouble();
  if (auto c = value.getDefiningOp<arith::ConstantIntOp>())
    return c.value() ? 1.0 : 0.0;
  return std::nullopt;
}

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

bool compare(arith::CmpFPredicate predicate, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (predicate) {
  case arith::CmpFPredicate::OLT:
    return a < b;
  case arith::CmpFPredicate::OLE:
    return a <= b;
  case arith::CmpFPredicate::OGT:
    return a > b;
  case arith::CmpFPredicate::OGE:
    return a >= b;
  case arith::CmpFPredicate::OEQ:
    return a == b;
  case arith::CmpFPredicate::UNE:
    return a != b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
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
    return !unordered;
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return true;
  case arith::CmpFPredicate::AlwaysFalse:
    return false;
  }
  llvm_unreachable("unknown predicate");
}

/// The value of `op` applied to constant operands, in double precision, or
/// nothing for ops this pass does not evaluate.
std::optional<double> evaluate(Operation *op, ArrayRef<double> v) {
  using R = std::optional<double>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](arith::AddFOp) { return v[0] + v[1]; })
      .Case([&](arith::SubFOp) { return v[0] - v[1]; })
      .Case([&](arith::MulFOp) { return v[0] * v[1]; })
      .Case([&](arith::DivFOp) { return v[0] / v[1]; })
      .Case([&](arith::NegFOp) { return -v[0]; })
      .Case([&](arith::MinFOp) { return nanPropagatingMin(v[0], v[1]); })
      .Case([&](arith::MaxFOp) { return nanPropagatingMax(v[0], v[1]); })
      .Case([&](arith::CmpFOp cmp) {
        return compare(cmp.getPredicate(), v[0], v[1]) ? 1.0 : 0.0;
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

/// Replaces an op whose operands are all constants by its constant value.
struct FoldConstantOp : public RewritePattern {
  FoldConstantOp(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || op->getNumOperands() == 0)
      return failure();
    SmallVector<double> values;
    for (Value operand : op->getOperands()) {
      std::optional<double> value = constantOperand(operand);
      if (!value)
        return failure();
      values.push_back(*value);
    }
    std::optional<double> result = evaluate(op, values);
    if (!result)
      return failure();
    Type type = op->getResult(0).getType();
    if (type.isF32())
      rewriter.replaceOpWithNewOp<act::ConstantOp>(op, *result);
    else
      rewriter.replaceOpWithNewOp<arith::ConstantIntOp>(op, *result != 0, 1);
    return success();
  }
};

struct FoldConstantsPass
    : public PassWrapper<FoldConstantsPass, OperationPass<ModuleOp>> {
  StringRef getArgument() const final { return "act-fold"; }
  StringRef getDescription() const final {
    return "Fold constants in double precision and simplify exactly";
  }

  void runOnOperation() final {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConstantOp>(&getContext());
    populateWithGenerated(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> act::createFoldConstantsPass() {
  return std::make_unique<FoldConstantsPass>();
}
