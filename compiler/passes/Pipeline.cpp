// The optimisation pipeline: what --emit=mlir-opt prints and lowering consumes.
#include "compiler/passes/Passes.h"

#include "compiler/mlir/ActDialect.h"
#include "compiler/mlir/MLIRGen.h"
#include "dsl/Diagnostics.h"
#include "dsl/Loader.h"

#include "llvm/Support/SourceMgr.h"
#include "mlir/IR/Diagnostics.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void act::buildPipeline(OpPassManager &pm) {
  pm.addPass(createDifferentiatePass());
  pm.addPass(createInlineCallsPass());
  // Imported activations are private; once inlined nothing refers to them.
  pm.addPass(createSymbolDCEPass());
  // Each activation on its own: the rewrite driver then works on one small
  // block at a time (a file of 4000 activations took half the time).
  OpPassManager &perActivation = pm.nest<act::ActivationOp>();
  perActivation.addPass(createFoldConstantsPass());
  perActivation.addPass(createCanonicalizerPass());
  perActivation.addPass(createCSEPass());
  perActivation.addPass(createPlanPrecisionPass());
}

LogicalResult act::optimize(ModuleOp module) {
  PassManager pm(module.getContext());
  applyPassManagerCLOptions(pm);
  buildPipeline(pm);
  return pm.run(module);
}

void act::registerPasses() {
  registerPass(createDifferentiatePass);
  registerPass(createInlineCallsPass);
  registerPass(createFoldConstantsPass);
  registerPass(createCombinePass);
  registerPass(createPlanPrecisionPass);
  PassPipelineRegistration<>("act-optimize",
                             "What --emit=mlir-opt prints: differentiate, "
                             "inline, fold and simplify",
                             buildPipeline);
}

OwningOpRef<ModuleOp> act::compileFile(llvm::StringRef path,
                                       MLIRContext &context,
                                       llvm::SourceMgr &sourceMgr) {
  DiagnosticEngine diags(sourceMgr, llvm::errs());
  std::unique_ptr<Program> program = loadProgram(path, diags);
  if (!program)
    return nullptr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = mlirGen(context, *program, sourceMgr);
  if (!module || failed(optimize(*module)))
    return nullptr;
  return module;
}
