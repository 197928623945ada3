// Inlines act.call: the callee's body is cloned with its parameters bound.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;

namespace {

struct InlineCallsPass
    : public PassWrapper<InlineCallsPass, OperationPass<ModuleOp>> {
  StringRef getArgument() const final { return "act-inline"; }
  StringRef getDescription() const final {
    return "Inline calls between activations";
  }

  void runOnOperation() final {
    ModuleOp module = getOperation();
    InlinerInterface inliner(&getContext());
    // Each round inlines the calls present at its start; a call that was
    // itself inlined is handled in the next round. Sema rejects recursion, so
    // the nesting depth is bounded by the number of activations.
    unsigned rounds = 0, maxRounds = module.getBody()->getOperations().size();
    while (true) {
      SmallVector<act::CallOp> calls;
      module.walk([&](act::CallOp call) { calls.push_back(call); });
      if (calls.empty())
        return;
      if (rounds++ > maxRounds) {
        calls.front().emitError("recursive call to '")
            << calls.front().callee() << "'";
        return signalPassFailure();
      }
      for (act::CallOp call : calls)
        if (failed(inlineCall(inliner, call)))
          return signalPassFailure();
    }
  }

  static LogicalResult inlineCall(InlinerInterface &inliner,
                                  act::CallOp call) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<act::ActivationOp>(
        call, call.calleeAttr());
    if (!callee)
      return call.emitError("unknown activation '") << call.callee() << "'";
    if (failed(inlineRegion(inliner, &callee.body(), call, call.operands(),
                            call->getResults(), call.getLoc())))
      return call.emitError("could not inline '") << call.callee() << "'";
    call.erase();
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> act::createInlineCallsPass() {
  return std::make_unique<InlineCallsPass>();
}
