// Evaluates act IR in double precision: the constant folder's arithmetic and
// the reference that float32 kernels are measured against.
#ifndef ACTC_COMPILER_MLIR_INTERPRETER_H
#define ACTC_COMPILER_MLIR_INTERPRETER_H

#include "compiler/mlir/ActDialect.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace act {

/// The value of `op` on `operands` (f32 values, and i1 tests as 0 or 1) in
/// double precision; nothing for an op the interpreter does not know.
std::optional<double> evaluateOp(mlir::Operation *op,
                                 llvm::ArrayRef<double> operands);

/// A call-free activation, flattened once into steps that each apply one op
/// to a whole block of inputs, so that an input costs little more than the
/// C library's math it calls: the exhaustive accuracy sweep runs it 2^32
/// times per activation.
class Interpreter {
public:
  /// Fails (with an error at the op) if an op cannot be interpreted.
  static mlir::FailureOr<Interpreter> build(ActivationOp activation);

  /// f(x, params...) in double precision.
  double operator()(double x, llvm::ArrayRef<double> params) const;

  /// out[i] = f(xs[i], params...) for every i; the same values as one call
  /// per input.
  void evaluate(llvm::ArrayRef<float> xs, llvm::ArrayRef<double> params,
                llvm::MutableArrayRef<double> out) const;

  /// The ops the interpreter knows (listed in Interpreter.cpp).
  enum class Opcode : uint8_t;

  /// One op: what it computes and the slots of its operands.
  struct Step {
    Opcode code;
    unsigned operands[3] = {0, 0, 0};
    double constant = 0;                       // For constants.
    mlir::arith::CmpFPredicate predicate = {}; // For comparisons.
  };

private:
  unsigned numArgs = 0;
  std::vector<Step> steps;
  unsigned resultSlot = 0;
};

} // namespace act

#endif // ACTC_COMPILER_MLIR_INTERPRETER_H
