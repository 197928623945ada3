// The passes over act IR and the pipeline behind --emit=mlir-opt.
#ifndef ACTC_COMPILER_PASSES_PASSES_H
#define ACTC_COMPILER_PASSES_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace llvm {
class SourceMgr;
}

#include <memory>
#include <string>

namespace act {

/// Replaces every act.call by the callee's body with its parameters bound.
std::unique_ptr<mlir::Pass> createInlineCallsPass();

/// Derives, for every activation f, `f.d_x` (df/dx) and `f.d_p` for each
/// learnable parameter p, as activations of the same arguments. An existing
/// `f.d_x` (from a `grad` clause) is kept. Calls are differentiated through
/// their callees' derivatives, so it runs before inlining.
std::unique_ptr<mlir::Pass> createDifferentiatePass();

/// The name of the derivative of `activation` with respect to `argument`.
std::string derivativeName(llvm::StringRef activation, llvm::StringRef argument);

/// Folds constant subexpressions in double precision (one rounding to f32,
/// when lowered) and applies the exact algebraic rewrites of ActCombine.td.
std::unique_ptr<mlir::Pass> createFoldConstantsPass();

/// Marks `act.extended` the ops whose values the lowering computes as
/// pairs accurate to 2^-25.5, and `act.unrounded` the function calls whose
/// results it keeps unrounded (a pair as accurate as the float32 result,
/// and a factor where it may go subnormal), because float32 could miss the
/// bound: see PlanPrecision.cpp.
std::unique_ptr<mlir::Pass> createPlanPrecisionPass();

/// Whether `value`'s op is marked extended, or unrounded.
bool isExtended(mlir::Value value);
bool isUnrounded(mlir::Value value);

/// Applies the exact algebraic rewrites of ActCombine.td alone.
std::unique_ptr<mlir::Pass> createCombinePass();
void populateCombinePatterns(mlir::RewritePatternSet &patterns);

/// differentiate -> inline -> symbol-dce -> fold constants -> canonicalize ->
/// cse -> plan precision, the last four on each activation.
void buildPipeline(mlir::OpPassManager &pm);

/// Runs buildPipeline's passes on `module`, honouring MLIR's pass-manager
/// command-line options (--mlir-print-ir-after-all...).
mlir::LogicalResult optimize(mlir::ModuleOp module);

/// Registers the passes (act-differentiate, act-inline, act-fold,
/// act-combine) and the pipeline (act-optimize) for act-opt.
void registerPasses();

/// Loads, checks, generates and optimises `path` (diagnostics through
/// `sourceMgr`'s buffers to stderr). Null if anything failed.
mlir::OwningOpRef<mlir::ModuleOp> compileFile(llvm::StringRef path,
                                              mlir::MLIRContext &context,
                                              llvm::SourceMgr &sourceMgr);

/// True if `value` is an act.constant equal to `expected` (for DRR).
bool isConstantValue(mlir::Value value, double expected);
/// True if `value` is an act.constant -0.0.
bool isNegativeZero(mlir::Value value);

} // namespace act

#endif // ACTC_COMPILER_PASSES_PASSES_H
