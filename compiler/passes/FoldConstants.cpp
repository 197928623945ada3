// Folds constant subexpressions in double precision, plus exact simplifications.
//
// The language says constants fold in double and round to f32 once. MLIR's own
// folders compute in the operand type (f32), so act.constant is deliberately
// not ConstantLike: this pass is the only place constants combine. It applies
// Combine.cpp's rewrites in the same sweep: a fold can expose a rewrite and a
// rewrite a fold.
#include "compiler/mlir/ActDialect.h"
#include "compiler/mlir/Interpreter.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <optional>

using namespace mlir;

namespace {

/// The constant an operand carries: act.constant (f32 in double precision) or
/// arith.constant (i1 tests), as a double.
std::optional<double> constantOperand(Value value) {
  if (auto c = value.getDefiningOp<act::ConstantOp>())
    return c.value().convertToDouble();
  if (auto c = value.getDefiningOp<arith::ConstantIntOp>())
    return c.value() ? 1.0 : 0.0;
  return std::nullopt;
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
    std::optional<double> result = act::evaluateOp(op, values);
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
    : public PassWrapper<FoldConstantsPass, OperationPass<act::ActivationOp>> {
  StringRef getArgument() const final { return "act-fold"; }
  StringRef getDescription() const final {
    return "Fold constants in double precision and simplify exactly";
  }

  void runOnOperation() final {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConstantOp>(&getContext());
    act::populateCombinePatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> act::createFoldConstantsPass() {
  return std::make_unique<FoldConstantsPass>();
}
