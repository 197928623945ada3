// AST -> MLIR: one act.activation per activation, source locations kept.
#ifndef ACTC_COMPILER_MLIR_MLIRGEN_H
#define ACTC_COMPILER_MLIR_MLIRGEN_H

#include "dsl/AST.h"
#include "mlir/IR/BuiltinOps.h"

namespace llvm {
class SourceMgr;
}

namespace act {

/// Builds the module of a checked program. Activations of imported files are
/// private symbols (inlined into their callers, then dropped); those of the
/// main file are public. Returns null if the result fails verification.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          const Program &program,
                                          const llvm::SourceMgr &sourceMgr);

/// Loads the dialects the generated IR uses.
void loadDialects(mlir::MLIRContext &context);

} // namespace act

#endif // ACTC_COMPILER_MLIR_MLIRGEN_H
