// Evaluates act IR in double precision: the constant folder's arithmetic and
// the reference that float32 kernels are measured against.
#ifndef ACTC_COMPILER_MLIR_INTERPRETER_H
#define ACTC_COMPILER_MLIR_INTERPRETER_H

#include "compiler/mlir/ActDialect.h"

#include <optional>
#include <vector>

namespace act {

/// The value of `op` on `operands` (f32 values, and i1 tests as 0 or 1) in
/// double precision; nothing for an op the interpreter does not know.
std::optional<double> evaluateOp(mlir::Operation *op,
                                 llvm::ArrayRef<double> operands);

/// A call-free activation, flattened once for fast repeated evaluation.
class Interpreter {
public:
  /// Fails (with an error at the op) if an op cannot be interpreted.
  static mlir::FailureOr<Interpreter> build(ActivationOp activation);

  /// f(x, params...) in double precision.
  double operator()(double x, llvm::ArrayRef<double> params) const;

private:
  struct Step {
    mlir::Operation *op;
    std::vector<unsigned> operands; // Slots of earlier values.
  };
  unsigned numArgs = 0;
  std::vector<Step> steps;
  unsigned resultSlot = 0;
};

} // namespace act

#endif // ACTC_COMPILER_MLIR_INTERPRETER_H
