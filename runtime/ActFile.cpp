// Compiling an .act file at run time into a plugin, through the compiler
// library (the same path as `actc FILE.act --emit=plugin`).
#include "runtime/ActivationLibrary.h"

#include "compiler/halide/Library.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace act::runtime;

static llvm::Error actError(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + path + "': " + why);
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
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  // Diagnostics print as actc prints them: location, source line, caret.
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      act::compileFile(path, context, sourceMgr);
  if (!module)
    return actError(path, "cannot be compiled (see the errors above)");

  act::CompileRequest request;
  request.sourceName = path.str();
  request.kernels.assign(act::allKernelKinds().begin(),
                         act::allKernelKinds().end());
  // As actc: every public activation of the file, not the derivatives the
  // compiler added.
  for (act::ActivationOp op : module->getOps<act::ActivationOp>())
    if (!op.sym_visibility() && !op->hasAttr("derivative_of"))
      request.activations.push_back(op);
  if (request.activations.empty())
    return actError(path, "it defines no activation");
  // The machine running fmnist: host, as actc's default.
  std::string targetError;
  mlir::FailureOr<act::TargetSet> targets = act::parseTargets({}, targetError);
  if (mlir::failed(targets))
    return actError(path, targetError);
  request.targets = *targets;

  TemporaryDirectory directory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("fmnist-act", directory.path))
    return actError(path,
                    "cannot create a temporary directory: " + ec.message());
  llvm::SmallString<128> prefix(directory.path);
  llvm::sys::path::append(prefix, llvm::sys::path::stem(path));
  if (mlir::failed(act::emitPlugin(request, prefix)))
    return actError(path, "cannot be compiled to a plugin (see the errors "
                          "above)");
  // The loaded object stays mapped after its file is removed.
  return loadPlugin((prefix + ".so").str(), path);
}
