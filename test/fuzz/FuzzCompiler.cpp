// libFuzzer target: input bytes as a .act file, through the front end, MLIR
// generation, the optimisation pipeline and lowering to Halide expressions.
//
// Lowering stops at the Halide Expr: JIT-compiling every input would take
// seconds each. A finding is a crash, a sanitizer report, a hang (libFuzzer's
// -timeout), runaway memory (-rss_limit_mb), or a stage that fails without
// reporting an error (actc would exit 1 saying nothing); rejected input is
// not one.
#include "compiler/halide/LowerToHalide.h"
#include "compiler/mlir/MLIRGen.h"
#include "compiler/passes/Passes.h"
#include "dsl/Diagnostics.h"
#include "dsl/Loader.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

/// Imports resolve relative to this path, so inputs can import the lit
/// suite's files (`import "../sema/Inputs/cycle-a.act"`) but never depend on
/// the fuzzer's working directory or corpus.
#ifndef ACTC_FUZZ_INPUT_PATH
#define ACTC_FUZZ_INPUT_PATH "fuzz.act"
#endif

/// Aborts, so that libFuzzer saves the input, when a stage failed but
/// reported no error.
static void requireError(unsigned errors, const char *stage) {
  if (errors != 0)
    return;
  llvm::errs() << "actc-fuzz: " << stage << " failed without an error\n";
  std::abort();
}

/// Every activation of the optimised module as one Halide expression of a
/// variable input and variable parameters.
static void lowerAll(mlir::ModuleOp module, const unsigned &errors) {
  Halide::Var x("x");
  Halide::Expr input = Halide::cast<float>(x);
  for (act::ActivationOp activation : module.getOps<act::ActivationOp>()) {
    std::vector<Halide::Expr> params;
    for (unsigned i = 0, e = activation.getNumParams(); i != e; ++i)
      params.push_back(Halide::cast<float>(Halide::Var("p" + std::to_string(i))));
    if (mlir::failed(act::lowerToHalide(activation, input, params)))
      requireError(errors, "lowering to Halide");
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
  llvm::SourceMgr sourceMgr;
  act::DiagnosticEngine diags(sourceMgr, llvm::nulls());
  std::unique_ptr<act::Program> program =
      act::loadProgramFromSource(source, ACTC_FUZZ_INPUT_PATH, diags);
  if (!program) {
    requireError(diags.errorCount(), "the front end");
    return 0;
  }

  // One thread: MLIR's thread pool would cost more than the passes here.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  unsigned errors = 0;
  mlir::ScopedDiagnosticHandler countErrors(
      &context, [&](mlir::Diagnostic &diagnostic) {
        errors += diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error;
        return mlir::success();
      });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      act::mlirGen(context, *program, sourceMgr);
  if (!module) {
    requireError(errors, "MLIR generation");
    return 0;
  }
  if (mlir::failed(act::optimize(*module))) {
    requireError(errors, "the pipeline");
    return 0;
  }
  lowerAll(*module, errors);
  return 0;
}
