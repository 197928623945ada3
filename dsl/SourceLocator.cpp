// Line and column of source locations, in logarithmic time.
#include "dsl/SourceLocator.h"

#include "llvm/Support/SourceMgr.h"

#include <algorithm>

using namespace act;

const SourceLocator::LineTable &SourceLocator::table(unsigned bufferId) {
  auto [it, inserted] = tables.try_emplace(bufferId);
  if (!inserted)
    return it->second;
  llvm::StringRef text = sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  for (size_t i = 0, e = text.size(); i != e; ++i) {
    if (text[i] == '\n')
      it->second.newlines.push_back(i);
    if (text[i] == '\n' || text[i] == '\r')
      it->second.breaks.push_back(i);
  }
  return it->second;
}

std::pair<unsigned, unsigned>
SourceLocator::getLineAndColumn(llvm::SMLoc loc, unsigned bufferId) {
  const LineTable &lines = table(bufferId);
  const char *start =
      sourceMgr.getMemoryBuffer(bufferId)->getBufferStart();
  size_t offset = loc.getPointer() - start;
  auto before = [&](const std::vector<size_t> &offsets) {
    return std::lower_bound(offsets.begin(), offsets.end(), offset) -
           offsets.begin();
  };
  size_t line = 1 + before(lines.newlines);
  size_t breaksBefore = before(lines.breaks);
  // The column counts from the last break, or from before the buffer.
  size_t column = breaksBefore == 0 ? offset + 1
                                    : offset - lines.breaks[breaksBefore - 1];
  return {static_cast<unsigned>(line), static_cast<unsigned>(column)};
}
