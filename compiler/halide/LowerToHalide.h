// act IR -> Halide: an optimised activation becomes one Halide expression.
#ifndef ACTC_COMPILER_HALIDE_LOWERTOHALIDE_H
#define ACTC_COMPILER_HALIDE_LOWERTOHALIDE_H

#include "compiler/halide/MathLib.h"
#include "compiler/mlir/ActDialect.h"

#include "Halide.h"

namespace act {

/// The value of `activation` at input `x` with parameters `params` (one
/// Float(32) expression each, in declaration order), built with the math
/// library's `options` for the target. The activation must be call-free
/// (inlined). Emits an error at the offending op and fails on an op that has
/// no lowering.
mlir::FailureOr<Halide::Expr> lowerToHalide(ActivationOp activation,
                                            const Halide::Expr &x,
                                            llvm::ArrayRef<Halide::Expr> params,
                                            math::Options options);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_LOWERTOHALIDE_H
