// Compiling an .act file at run time: the actc executable makes a plugin of
// it (`actc FILE.act --emit=plugin`, the same path as a user's) in a
// temporary directory, which is then loaded like any plugin. Going through
// actc keeps the compiler out of the runtime: nothing here links MLIR or
// Halide.
#include "runtime/ActivationLibrary.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace act::runtime;

static llvm::Error actError(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + path + "': " + why);
}

/// actc beside the running program (both are in PREFIX/bin, or in the
/// build's bin/), else on PATH.
static llvm::ErrorOr<std::string> findActc() {
  llvm::SmallString<256> beside(llvm::sys::path::parent_path(
      llvm::sys::fs::getMainExecutable(nullptr,
                                       reinterpret_cast<void *>(&findActc))));
  llvm::sys::path::append(beside, "actc");
  if (llvm::sys::fs::can_execute(beside))
    return std::string(beside);
  return llvm::sys::findProgramByName("actc");
}

/// Removes a directory and what it holds when it goes out of scope.
namespace {
struct TemporaryDirectory {
  llvm::SmallString<128> path;
  ~TemporaryDirectory() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};
} // namespace

llvm::Expected<Plugin> act::runtime::compileAndLoad(llvm::StringRef path) {
  if (!llvm::sys::fs::exists(path))
    return actError(path, "no such file");
  llvm::ErrorOr<std::string> actc = findActc();
  if (!actc)
    return actError(path, "compiling .act files needs actc, which is neither "
                          "beside this program nor on PATH");
  TemporaryDirectory directory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("fmnist-act", directory.path))
    return actError(path,
                    "cannot create a temporary directory: " + ec.message());
  llvm::SmallString<128> prefix(directory.path);
  llvm::sys::path::append(prefix, llvm::sys::path::stem(path));
  // Every public activation and every kernel, for the machine running this
  // (actc's defaults); actc's diagnostics go to this process's stderr.
  llvm::StringRef args[] = {*actc, path, "--emit=plugin", "-o", prefix};
  std::string error;
  int status = llvm::sys::ExecuteAndWait(*actc, args, llvm::None, {}, 0, 0,
                                         &error);
  if (status == 1)
    return actError(path, "cannot be compiled (see the errors above)");
  if (status != 0)
    return actError(path, "actc failed (" +
                              (error.empty() ? "exit status " +
                                                   std::to_string(status)
                                             : error) +
                              ")");
  // The loaded object stays mapped after its file is removed.
  return loadPlugin((prefix + ".so").str(), path);
}
