// The meaning of arith.cmpf predicates, for any number type: one definition
// shared by the double-precision interpreter and the lowering to Halide.
#ifndef ACTC_COMPILER_MLIR_PREDICATES_H
#define ACTC_COMPILER_MLIR_PREDICATES_H

#include "mlir/Dialect/Arithmetic/IR/Arithmetic.h"

namespace act {

/// `a PREDICATE b` with the NaN case stated explicitly: ordered predicates
/// are false and unordered ones true when either operand is NaN. `isNaN`
/// tests one value; V is double (giving bool) or Halide::Expr (giving a
/// boolean Expr). Stating the NaN case keeps the result right even where a
/// backend treats comparisons as a total order: Halide's simplifier rewrites
/// `select(a >= b, t, f)` to `select(a < b, f, t)` and `x != x` to false.
template <typename V, typename IsNaN>
auto comparePredicate(mlir::arith::CmpFPredicate predicate, const V &a,
                      const V &b, IsNaN isNaN) {
  using mlir::arith::CmpFPredicate;
  auto unordered = isNaN(a) || isNaN(b);
  auto ordered = !unordered;
  switch (predicate) {
  case CmpFPredicate::OLT:
    return ordered && a < b;
  case CmpFPredicate::OLE:
    return ordered && a <= b;
  case CmpFPredicate::OGT:
    return ordered && a > b;
  case CmpFPredicate::OGE:
    return ordered && a >= b;
  case CmpFPredicate::OEQ:
    return ordered && a == b;
  case CmpFPredicate::ONE:
    return ordered && a != b;
  case CmpFPredicate::UNE:
    return unordered || a != b;
  case CmpFPredicate::UEQ:
    return unordered || a == b;
  case CmpFPredicate::ULT:
    return unordered || a < b;
  case CmpFPredicate::ULE:
    return unordered || a <= b;
  case CmpFPredicate::UGT:
    return unordered || a > b;
  case CmpFPredicate::UGE:
    return unordered || a >= b;
  case CmpFPredicate::ORD:
    return ordered;
  case CmpFPredicate::UNO:
    return unordered;
  case CmpFPredicate::AlwaysTrue:
    return unordered || ordered;
  case CmpFPredicate::AlwaysFalse:
    return unordered && ordered;
  }
  llvm_unreachable("unknown predicate");
}

} // namespace act

#endif // ACTC_COMPILER_MLIR_PREDICATES_H
