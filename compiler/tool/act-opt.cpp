// act-opt: mlir-opt with the act dialect and its passes, for .mlir input.
#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/Support/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<act::ActDialect, mlir::arith::ArithmeticDialect,
                  mlir::math::MathDialect, mlir::StandardOpsDialect>();
  act::registerPasses();
  // What the pipeline uses besides act's own: canonicalize, cse, symbol-dce.
  mlir::registerTransformsPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "act optimizer driver\n", registry));
}
