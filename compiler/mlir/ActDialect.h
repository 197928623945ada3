// The act MLIR dialect: activations, calls, select, double-precision constants.
#ifndef ACTC_COMPILER_MLIR_ACTDIALECT_H
#define ACTC_COMPILER_MLIR_ACTDIALECT_H

#include "mlir/Dialect/Arithmetic/IR/Arithmetic.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "compiler/mlir/ActDialect.h.inc"

#define GET_OP_CLASSES
#include "compiler/mlir/ActOps.h.inc"

#endif // ACTC_COMPILER_MLIR_ACTDIALECT_H
