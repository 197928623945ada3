// Ahead-of-time compilation through Halide: libraries and printable stages.
#include "compiler/halide/Library.h"

#include "compiler/halide/CInterface.h"

#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace act;

mlir::FailureOr<std::vector<Kernel>>
act::buildKernels(const CompileRequest &request) {
  std::vector<Kernel> kernels;
  for (ActivationOp activation : request.activations)
    for (KernelKind kind : request.kernels) {
      mlir::FailureOr<Kernel> kernel =
          buildKernel(kind, activation, request.target);
      if (mlir::failed(kernel))
        return mlir::failure();
      kernels.push_back(std::move(*kernel));
    }
  return kernels;
}

/// One Halide module holding every kernel (and so one runtime).
static Halide::Module linkKernels(const std::vector<Kernel> &kernels,
                                  const Halide::Target &target) {
  std::vector<Halide::Module> modules;
  for (const Kernel &kernel : kernels)
    for (const HalideFunction &function : kernel.functions) {
      Halide::Pipeline pipeline = function.pipeline; // A shared handle.
      modules.push_back(pipeline.compile_to_module(function.arguments,
                                                   function.name, target));
    }
  return Halide::link_modules("actc_kernels", modules);
}

/// A fresh file name beside `path`, for writing before an atomic rename.
static std::string temporaryBeside(llvm::StringRef path) {
  llvm::SmallString<128> model(path);
  model += ".tmp%%%%%%";
  llvm::SmallString<128> result;
  llvm::sys::fs::createUniquePath(model, result, /*MakeAbsolute=*/false);
  return std::string(result);
}

static mlir::LogicalResult commit(const std::string &temporary,
                                  llvm::StringRef path,
                                  mlir::Location location) {
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    return mlir::emitError(location)
           << "cannot write '" << path << "': " << ec.message();
  }
  return mlir::success();
}

/// A static library of Halide's object (kernels and runtime) and the C
/// wrappers' object.
static bool writeArchive(const std::string &path, llvm::StringRef kernelObject,
                         const std::string &wrapperObject, std::string &error) {
  auto kernels = llvm::NewArchiveMember::getFile(kernelObject, true);
  if (!kernels) {
    error = llvm::toString(kernels.takeError());
    return false;
  }
  kernels->MemberName = "actc_kernels.o";
  llvm::NewArchiveMember wrappers(llvm::MemoryBufferRef(
      wrapperObject, "actc_c_interface.o"));
  std::vector<llvm::NewArchiveMember> members;
  members.push_back(std::move(*kernels));
  members.push_back(std::move(wrappers));
  if (llvm::Error e = llvm::writeArchive(path, members, /*WriteSymtab=*/true,
                                         llvm::object::Archive::K_GNU,
                                         /*Deterministic=*/true,
                                         /*Thin=*/false)) {
    error = llvm::toString(std::move(e));
    return false;
  }
  return true;
}

static std::string headerGuard(llvm::StringRef prefix) {
  std::string guard = "ACTC_";
  for (char c : llvm::sys::path::filename(prefix))
    guard += std::isalnum(static_cast<unsigned char>(c))
                 ? static_cast<char>(std::toupper(c))
                 : '_';
  return guard + "_H";
}

mlir::LogicalResult act::emitLibrary(const CompileRequest &request,
                                     llvm::StringRef prefix) {
  ActivationOp first = request.activations.front();
  mlir::Location location = first.getLoc();
  mlir::FailureOr<std::vector<Kernel>> kernels = buildKernels(request);
  if (mlir::failed(kernels))
    return mlir::failure();

  std::string libraryPath = (prefix + ".a").str();
  std::string headerPath = (prefix + ".h").str();
  std::string error;
  mlir::FailureOr<std::string> wrappers =
      compileCWrappers(*kernels, request.target, error);
  if (mlir::failed(wrappers))
    return mlir::emitError(location) << error;

  llvm::SmallString<128> kernelObject;
  if (llvm::sys::fs::createTemporaryFile("actc-kernels", "o", kernelObject))
    return mlir::emitError(location) << "cannot create a temporary file";
  try {
    Halide::Module module = linkKernels(*kernels, request.target);
    module.compile({{Halide::OutputFileType::object, std::string(kernelObject)}});
  } catch (const Halide::Error &halideError) {
    llvm::sys::fs::remove(kernelObject);
    return mlir::emitError(location) << "Halide failed: " << halideError.what();
  }
  std::string libraryTemp = temporaryBeside(libraryPath);
  bool archived = writeArchive(libraryTemp, kernelObject, *wrappers, error);
  llvm::sys::fs::remove(kernelObject);
  if (!archived) {
    llvm::sys::fs::remove(libraryTemp);
    return mlir::emitError(location)
           << "cannot write '" << libraryPath << "': " << error;
  }

  std::string headerTemp = temporaryBeside(headerPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(headerTemp, ec);
    if (ec) {
      llvm::sys::fs::remove(libraryTemp);
      return mlir::emitError(location)
             << "cannot write '" << headerPath << "': " << ec.message();
    }
    os << cHeader(*kernels, request.activations, headerGuard(prefix),
                  request.sourceName);
  }
  if (mlir::failed(commit(libraryTemp, libraryPath, location))) {
    llvm::sys::fs::remove(headerTemp);
    return mlir::failure();
  }
  return commit(headerTemp, headerPath, location);
}

static Halide::OutputFileType outputType(TextStage stage) {
  switch (stage) {
  case TextStage::HalideStmt:
    return Halide::OutputFileType::stmt;
  case TextStage::LLVMIR:
    return Halide::OutputFileType::llvm_assembly;
  case TextStage::Assembly:
    return Halide::OutputFileType::assembly;
  }
  llvm_unreachable("unknown stage");
}

mlir::LogicalResult act::emitText(const CompileRequest &request,
                                  TextStage stage, llvm::raw_ostream &os) {
  ActivationOp first = request.activations.front();
  mlir::Location location = first.getLoc();
  mlir::FailureOr<std::vector<Kernel>> kernels = buildKernels(request);
  if (mlir::failed(kernels))
    return mlir::failure();
  // Halide writes these stages only to files.
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("actc", "txt", path))
    return mlir::emitError(location) << "cannot create a temporary file";
  try {
    Halide::Module module = linkKernels(*kernels, request.target);
    module.compile({{outputType(stage), std::string(path)}});
  } catch (const Halide::Error &error) {
    llvm::sys::fs::remove(path);
    return mlir::emitError(location) << "Halide failed: " << error.what();
  }
  auto text = llvm::MemoryBuffer::getFile(path);
  llvm::sys::fs::remove(path);
  if (!text)
    return mlir::emitError(location) << "cannot read Halide's output";
  os << (*text)->getBuffer();
  return mlir::success();
}

mlir::FailureOr<Halide::Target>
act::parseTarget(llvm::ArrayRef<std::string> targets, std::string &error) {
  if (targets.size() > 1) {
    error = "one --target at a time is supported so far";
    return mlir::failure();
  }
  std::string name = targets.empty() ? "host" : targets.front();
  if (!Halide::Target::validate_target_string(name)) {
    error = "unknown target '" + name + "'";
    return mlir::failure();
  }
  // IEEE semantics everywhere: without strict float, Halide and LLVM rewrite
  // x * 0 to 0 and x - x to 0 (wrong for inf and NaN) and lose -0.
  return Halide::Target(name).with_feature(Halide::Target::StrictFloat);
}
