// The exact algebraic rewrites of ActCombine.td, as patterns and as a pass.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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

struct CombinePass
    : public PassWrapper<CombinePass, OperationPass<act::ActivationOp>> {
  StringRef getArgument() const final { return "act-combine"; }
  StringRef getDescription() const final {
    return "Apply the rewrites that are exact in IEEE float32 (ActCombine.td)";
  }

  void runOnOperation() final {
    RewritePatternSet patterns(&getContext());
    act::populateCombinePatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void act::populateCombinePatterns(RewritePatternSet &patterns) {
  populateWithGenerated(patterns);
}

std::unique_ptr<Pass> act::createCombinePass() {
  return std::make_unique<CombinePass>();
}
