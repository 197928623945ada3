// The optimisation pipeline: what --emit=mlir-opt prints and lowering consumes.
#include "compiler/passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

LogicalResult act::optimize(ModuleOp module) {
  PassManager pm(module.getContext());
  applyPassManagerCLOptions(pm);
  pm.addPass(createDifferentiatePass());
  pm.addPass(createInlineCallsPass());
  // Imported activations are private; once inlined nothing refers to them.
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createFoldConstantsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  return pm.run(module);
}
