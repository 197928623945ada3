// Prints clang-style diagnostics through llvm::SourceMgr and suggests fixes.
#include "dsl/Diagnostics.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace act;

/// Past this many errors the rest are counted but not printed, as clang's
/// -ferror-limit does: a file of binary garbage would otherwise print (and
/// spend time locating) one error per byte.
static constexpr unsigned kMaxPrintedErrors = 100;

/// Source lines longer than this are not echoed under the message: locating a
/// column in, and printing, a megabyte-long line for every error would make a
/// minified or binary file take quadratic time.
static constexpr size_t kMaxEchoedLineLength = 4096;

/// Names longer than this get no "did you mean" (see closestMatch).
static constexpr size_t kMaxCorrectedNameLength = 64;

DiagnosticEngine::DiagnosticEngine(llvm::SourceMgr &sourceMgr,
                                   llvm::raw_ostream &os)
    : sourceMgr(sourceMgr), os(os) {}

/// The length of the source line that contains `loc`, up to the limit + 1.
static size_t lineLength(const llvm::SourceMgr &sourceMgr, llvm::SMLoc loc) {
  unsigned bufferId = sourceMgr.FindBufferContainingLoc(loc);
  if (bufferId == 0)
    return 0;
  llvm::StringRef buffer = sourceMgr.getMemoryBuffer(bufferId)->getBuffer();
  size_t offset = loc.getPointer() - buffer.data();
  size_t begin = offset, end = offset;
  while (begin > 0 && buffer[begin - 1] != '\n' && buffer[begin - 1] != '\r' &&
         offset - begin <= kMaxEchoedLineLength)
    --begin;
  while (end < buffer.size() && buffer[end] != '\n' && buffer[end] != '\r' &&
         end - begin <= kMaxEchoedLineLength)
    ++end;
  return end - begin;
}

/// Prints `FILE:LINE:COL: KIND: MESSAGE` and, for lines of sane length, the
/// line with a caret and tildes under `ranges`.
static void print(llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os,
                  llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
                  const llvm::Twine &message,
                  llvm::ArrayRef<llvm::SMRange> ranges) {
  if (lineLength(sourceMgr, loc) <= kMaxEchoedLineLength) {
    sourceMgr.PrintMessage(os, loc, kind, message, ranges, {},
                           /*ShowColors=*/false);
    return;
  }
  unsigned bufferId = sourceMgr.FindBufferContainingLoc(loc);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, bufferId);
  os << sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier() << ':'
     << line << ':' << column << ": "
     << (kind == llvm::SourceMgr::DK_Note ? "note" : "error") << ": " << message
     << '\n';
}

void DiagnosticEngine::error(llvm::SMLoc loc, const llvm::Twine &message,
                             llvm::ArrayRef<llvm::SMRange> ranges) {
  if (++numErrors > kMaxPrintedErrors) {
    if (numErrors == kMaxPrintedErrors + 1)
      os << "actc: error: too many errors; the rest are not shown\n";
    return;
  }
  print(sourceMgr, os, loc, llvm::SourceMgr::DK_Error, message, ranges);
}

bool DiagnosticEngine::printsNextError() const {
  return numErrors < kMaxPrintedErrors;
}

void DiagnosticEngine::error(llvm::SMRange range, const llvm::Twine &message) {
  error(range.Start, message, {range});
}

void DiagnosticEngine::note(llvm::SMRange range, const llvm::Twine &message) {
  // A note belongs to the error before it; it is dropped with that error.
  if (numErrors > kMaxPrintedErrors)
    return;
  print(sourceMgr, os, range.Start, llvm::SourceMgr::DK_Note, message, {range});
}

void DiagnosticEngine::error(const llvm::Twine &message) {
  ++numErrors;
  os << "actc: error: " << message << '\n';
}

llvm::StringRef act::closestMatch(llvm::StringRef name,
                                  llvm::ArrayRef<llvm::StringRef> candidates) {
  // clang's typo-correction bound: about one edit per three characters, so
  // 'tahn' (two edits from 'tanh') is corrected but 'ab' is not turned into
  // 'exp'. A one-letter name is as likely another name as a typo of 'x'.
  // A name longer than any typo worth correcting gets no suggestion: the
  // edit distance takes time in the product of the lengths.
  if (name.size() < 2 || name.size() > kMaxCorrectedNameLength)
    return "";
  unsigned maxDistance = (name.size() + 2) / 3;
  llvm::StringRef best;
  unsigned bestDistance = maxDistance + 1;
  for (llvm::StringRef candidate : candidates) {
    size_t longer = std::max(name.size(), candidate.size());
    if (longer - std::min(name.size(), candidate.size()) > maxDistance)
      continue;
    unsigned distance =
        name.edit_distance(candidate, /*AllowReplacements=*/true, maxDistance);
    if (distance != 0 && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
