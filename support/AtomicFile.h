// Replacing a file atomically: what the compiler's outputs and the runtime's
// checkpoints and reports are written with.
#ifndef ACTC_SUPPORT_ATOMICFILE_H
#define ACTC_SUPPORT_ATOMICFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace act {

/// Replaces `path` with `contents` by writing a temporary file beside it and
/// renaming it, so readers see the old file or the new one, never a part.
/// On failure nothing is left behind and the error says "cannot write
/// 'PATH': why". (llvm::writeFileAtomically does the same, but its errors
/// name only the step that failed, not why: "No such file or directory".)
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

} // namespace act

#endif // ACTC_SUPPORT_ATOMICFILE_H
