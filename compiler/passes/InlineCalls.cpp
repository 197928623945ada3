// Inlines act.call: the callee's body is cloned with its parameters bound.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;

/// The module may grow to at most this many operations once every call is
/// inlined. Sema bounds each activation's own size, but not what the
/// derivatives add (the derivative of a composition calls both the callee and
/// its derivative, so it grows faster than the activation), nor a file of many
/// activations that each inline a large one. Past this the pipeline would run
/// for minutes and gigabytes; below it, it takes seconds on this machine
/// (about half a million operations per second; std.act inlines to 908).
static constexpr uint64_t kMaxInlinedOps = 2000000;

namespace {

/// Counts the operations of activations with their calls inlined.
class InlinedSizes {
public:
  explicit InlinedSizes(SymbolTable &symbols) : symbols(symbols) {}

  /// The size of `activation` with its calls inlined, at most the limit + 1.
  /// Recursion follows calls, whose depth Sema bounds; a cycle (which Sema
  /// also rejects) counts once.
  uint64_t of(act::ActivationOp activation) {
    auto [it, inserted] = sizes.try_emplace(activation, 0);
    if (!inserted)
      return it->second;
    uint64_t size = 0;
    activation.walk([&](Operation *op) {
      ++size;
      auto call = dyn_cast<act::CallOp>(op);
      if (!call)
        return;
      if (auto callee = symbols.lookup<act::ActivationOp>(call.callee()))
        size += of(callee);
      size = std::min(size, kMaxInlinedOps + 1);
    });
    sizes[activation] = size;
    return size;
  }

private:
  SymbolTable &symbols;
  llvm::DenseMap<Operation *, uint64_t> sizes;
};

struct InlineCallsPass
    : public PassWrapper<InlineCallsPass, OperationPass<ModuleOp>> {
  StringRef getArgument() const final { return "act-inline"; }
  StringRef getDescription() const final {
    return "Inline calls between activations";
  }

  void runOnOperation() final {
    ModuleOp module = getOperation();
    InlinerInterface inliner(&getContext());
    // Looked up by name once per call: a hash table, not a scan of the module.
    SymbolTable symbols(module);
    if (failed(checkInlinedSize(module, symbols)))
      return signalPassFailure();
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
        if (failed(inlineCall(inliner, symbols, call)))
          return signalPassFailure();
    }
  }

  /// Fails, at the activation that crosses it, if inlining would take the
  /// module past kMaxInlinedOps.
  static LogicalResult checkInlinedSize(ModuleOp module, SymbolTable &symbols) {
    InlinedSizes sizes(symbols);
    uint64_t total = 0;
    for (auto activation : module.getOps<act::ActivationOp>()) {
      uint64_t size = sizes.of(activation);
      total += size;
      if (total <= kMaxInlinedOps)
        continue;
      // A derivative has the location of its activation; name that too.
      StringRef name =
          activation.derivative_of().getValueOr(activation.sym_name());
      InFlightDiagnostic error = emitError(activation.getLoc());
      if (size > kMaxInlinedOps)
        error << "'" << name << "' is too large once its calls are inlined: "
              << "with its derivatives it has more than " << kMaxInlinedOps
              << " operations";
      else
        error << "too many operations once calls are inlined: the "
              << "activations up to '" << name << "' and their derivatives "
              << "have more than " << kMaxInlinedOps;
      return failure();
    }
    return success();
  }

  static LogicalResult inlineCall(InlinerInterface &inliner,
                                  SymbolTable &symbols, act::CallOp call) {
    auto callee = symbols.lookup<act::ActivationOp>(call.callee());
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
