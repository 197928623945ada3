// Clang-style diagnostics over llvm::SourceMgr: FILE:LINE:COL, the line, a caret.
#ifndef ACTC_DSL_DIAGNOSTICS_H
#define ACTC_DSL_DIAGNOSTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"

namespace llvm {
class raw_ostream;
class SourceMgr;
} // namespace llvm

namespace act {

/// Prints diagnostics as the language spec requires and counts the errors.
/// Every error is printed when it is found; the driver exits 1 when
/// `hadError()`.
class DiagnosticEngine {
public:
  DiagnosticEngine(llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os);

  /// An error with a caret at `loc` and tildes under each range.
  void error(llvm::SMLoc loc, const llvm::Twine &message,
             llvm::ArrayRef<llvm::SMRange> ranges = {});
  /// An error whose caret is at the start of `range`, tildes under the rest.
  void error(llvm::SMRange range, const llvm::Twine &message);
  /// A note pointing at another place ("previous definition is here").
  void note(llvm::SMRange range, const llvm::Twine &message);
  /// An error with no source location: `actc: error: message`.
  void error(const llvm::Twine &message);

  unsigned errorCount() const { return numErrors; }
  /// Whether the next error will be printed (or only counted, past the
  /// limit): work done only for a message, such as finding a "did you mean"
  /// among thousands of names, can be skipped when it will not be.
  bool printsNextError() const;
  bool hadError() const { return numErrors != 0; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
  unsigned numErrors = 0;
};

/// The closest of `candidates` to `name` by edit distance, or "" when none is
/// close enough to suggest ("did you mean 'tanh'?").
llvm::StringRef closestMatch(llvm::StringRef name,
                             llvm::ArrayRef<llvm::StringRef> candidates);

} // namespace act

#endif // ACTC_DSL_DIAGNOSTICS_H
