// Semantic checks of a parsed program: names, calls, definitions, recursion.
#ifndef ACTC_DSL_SEMA_H
#define ACTC_DSL_SEMA_H

#include "dsl/AST.h"

#include "llvm/ADT/StringSet.h"

namespace act {

class DiagnosticEngine;

/// Checks every activation of `program` and reports each error found through
/// `diags`; returns false when there was any. `brokenActivations` names the
/// activations the parser left out for syntax errors: calls to them are not
/// reported again as calls of unknown functions.
bool checkProgram(const Program &program,
                  const llvm::StringSet<> &brokenActivations,
                  DiagnosticEngine &diags);

} // namespace act

#endif // ACTC_DSL_SEMA_H
