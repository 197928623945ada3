// Replacing a file atomically: a temporary beside it, then a rename.
#include "support/AtomicFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

static llvm::Error cannotWrite(llvm::StringRef path, std::error_code ec) {
  return llvm::createStringError(ec, "cannot write '%s': %s",
                                 path.str().c_str(), ec.message().c_str());
}

llvm::Error act::writeFileAtomically(llvm::StringRef path,
                                     llvm::StringRef contents) {
  llvm::SmallString<128> model(path);
  model += ".tmp%%%%%%";
  llvm::SmallString<128> temporary;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(model, fd, temporary))
    return cannotWrite(path, ec);
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << contents;
    os.close();
    if (os.has_error()) {
      ec = os.error();
      os.clear_error(); // Reported below; raw_fd_ostream aborts otherwise.
    }
  }
  if (!ec)
    ec = llvm::sys::fs::rename(temporary, path);
  if (ec) {
    llvm::sys::fs::remove(temporary);
    return cannotWrite(path, ec);
  }
  return llvm::Error::success();
}
