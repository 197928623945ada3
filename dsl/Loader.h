// Loads a .act file with its imports into a checked Program.
#ifndef ACTC_DSL_LOADER_H
#define ACTC_DSL_LOADER_H

#include "dsl/AST.h"

#include "llvm/ADT/ArrayRef.h"

#include <memory>
#include <string>

namespace act {

class DiagnosticEngine;

/// Reads `path` ("-" for standard input), parses it and every file it imports
/// (relative to the importing file; "std.act" is always the shipped standard
/// library), and runs the semantic checks. Every error found is reported
/// through `diags`; returns null when there was any.
std::unique_ptr<Program> loadProgram(llvm::StringRef path,
                                     DiagnosticEngine &diags);

/// Like loadProgram, with several main files: one program whose public
/// activations are those of all of them.
std::unique_ptr<Program> loadProgramFromFiles(llvm::ArrayRef<std::string> paths,
                                              DiagnosticEngine &diags);

/// Like loadProgram, for source text already in memory (tests, tools): `path`
/// names it in diagnostics, and its imports are resolved relative to it.
std::unique_ptr<Program> loadProgramFromSource(llvm::StringRef source,
                                               llvm::StringRef path,
                                               DiagnosticEngine &diags);

/// The text of the shipped standard library (dsl/std.act, embedded at build
/// time so that actc needs no file beside it).
llvm::StringRef standardLibrarySource();

} // namespace act

#endif // ACTC_DSL_LOADER_H
