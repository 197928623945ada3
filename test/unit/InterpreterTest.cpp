// The double-precision interpreter: block evaluation (the accuracy sweep's
// reference) gives the same bits as evaluating one input at a time.
#include "compiler/mlir/Interpreter.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace {

bool sameValue(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(Interpreter, BlocksMatchScalarEvaluationForEveryStdFunction) {
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      act::compileFile(ACTC_STD_ACT, context, sourceMgr);
  ASSERT_TRUE(module);

  // More than one block, a partial last block, and the special values.
  std::vector<float> xs;
  for (int i = -700; i < 700; ++i)
    xs.push_back(i * 0.13f);
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0f, -0.0f, inf, -inf, std::nanf(""), 1e-40f, -3e38f})
    xs.push_back(v);

  unsigned functions = 0;
  for (act::ActivationOp op : module->getOps<act::ActivationOp>()) {
    auto interpreter = act::Interpreter::build(op);
    ASSERT_TRUE(mlir::succeeded(interpreter)) << op.sym_name().str();
    std::vector<double> params;
    for (unsigned i = 0; i < op.getNumParams(); ++i)
      params.push_back(op.getParamDefault(i));
    std::vector<double> block(xs.size());
    interpreter->evaluate(xs, params, block);
    for (size_t i = 0; i < xs.size(); ++i)
      ASSERT_TRUE(sameValue(block[i], (*interpreter)(xs[i], params)))
          << op.sym_name().str() << " at x = " << xs[i];
    ++functions;
  }
  // Every std activation and its derivatives.
  EXPECT_GE(functions, 48u);
}

} // namespace
