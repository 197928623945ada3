// Line and column of source locations, in logarithmic time.
#ifndef ACTC_DSL_SOURCELOCATOR_H
#define ACTC_DSL_SOURCELOCATOR_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/SMLoc.h"

#include <utility>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace act {

/// Answers what llvm::SourceMgr::getLineAndColumn answers, in O(log n).
/// SourceMgr finds the line quickly but the column by scanning back to the
/// line's start: locating every token of a megabyte-long line (a MLIR
/// location per operation, a line per AST node) took time in its square.
class SourceLocator {
public:
  explicit SourceLocator(const llvm::SourceMgr &sourceMgr)
      : sourceMgr(sourceMgr) {}

  /// The 1-based line and column of `loc` in buffer `bufferId`, as
  /// SourceMgr counts them: lines end at '\n'; a column counts from the last
  /// '\n' or '\r' (so CRLF and LF files agree).
  std::pair<unsigned, unsigned> getLineAndColumn(llvm::SMLoc loc,
                                                 unsigned bufferId);

private:
  struct LineTable {
    std::vector<size_t> newlines; // Offsets of '\n'.
    std::vector<size_t> breaks;   // Offsets of '\n' and '\r'.
  };
  const LineTable &table(unsigned bufferId);

  const llvm::SourceMgr &sourceMgr;
  llvm::DenseMap<unsigned, LineTable> tables;
};

} // namespace act

#endif // ACTC_DSL_SOURCELOCATOR_H
