// Ahead-of-time compilation through Halide: libraries and printable stages.
#include "compiler/halide/Library.h"

#include "compiler/halide/CInterface.h"
#include "support/AtomicFile.h"

#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/raw_ostream.h"

using namespace act;

/// Where a compilation's diagnostics point: its first activation.
static mlir::Location locationOf(const CompileRequest &request) {
  ActivationOp first = request.activations.front();
  return first.getLoc();
}

/// The kernels Halide's CUDA backend gets from actc.
static bool runsOnCuda(KernelKind kind) {
  switch (kind) {
  case KernelKind::FORWARD:
  case KernelKind::BACKWARD:
  case KernelKind::BIAS_FORWARD:
  case KernelKind::BIAS_BACKWARD:
    return true;
  case KernelKind::LINEAR_FORWARD: // On the GPU, cuBLAS does GEMMs.
    return false;
  }
  return false;
}

static mlir::FailureOr<TargetKernels>
buildForTarget(const CompileRequest &request, const KernelTarget &target) {
  TargetKernels set{target, {}};
  for (ActivationOp activation : request.activations)
    for (KernelKind kind : request.kernels) {
      if (target.isCuda() && !runsOnCuda(kind))
        continue;
      mlir::FailureOr<Kernel> kernel = buildKernel(kind, activation, target);
      if (mlir::failed(kernel))
        return mlir::failure();
      set.kernels.push_back(std::move(*kernel));
    }
  return set;
}

mlir::FailureOr<std::vector<TargetKernels>>
act::buildKernels(const CompileRequest &request) {
  std::vector<KernelTarget> targets = request.targets.cpu;
  if (request.targets.cuda)
    targets.push_back(*request.targets.cuda);
  std::vector<TargetKernels> built;
  for (const KernelTarget &target : targets) {
    mlir::FailureOr<TargetKernels> set = buildForTarget(request, target);
    if (mlir::failed(set))
      return mlir::failure();
    built.push_back(std::move(*set));
  }
  return built;
}

/// The Halide modules of one target's kernels, as the text stages print
/// them: one module for a CPU target; for CUDA one per function, because
/// each module embeds its GPU code in one global of a fixed name, and
/// linking modules kept only one of them (the other kernels' PTX was lost).
static std::vector<Halide::Module> kernelModules(const TargetKernels &set) {
  std::vector<Halide::Module> modules;
  for (const Kernel &kernel : set.kernels)
    for (const HalideFunction &function : kernel.functions) {
      Halide::Pipeline pipeline = function.pipeline; // A shared handle.
      modules.push_back(pipeline.compile_to_module(function.arguments,
                                                   function.name, set.target));
    }
  if (set.target.isCuda())
    return modules;
  Halide::Module linked = Halide::link_modules("actc_kernels", modules);
  // link_modules drops the flag that makes LLVM honour strict_float: without
  // it the back end contracted a * b + c into FMAs on AVX2 and AVX-512 (the
  // math library's error-free transformations assume it does not), so AOT
  // kernels differed from the JIT ones and from SSE4.1 by up to 459 ulp.
  linked.set_any_strict_float(true);
  return {linked};
}

namespace {

/// Temporary files removed when it goes out of scope.
class TemporaryFiles {
public:
  TemporaryFiles() = default;
  TemporaryFiles(const TemporaryFiles &) = delete;
  TemporaryFiles &operator=(const TemporaryFiles &) = delete;
  ~TemporaryFiles() {
    for (const std::string &path : paths)
      llvm::sys::fs::remove(path);
  }

  /// A new empty file's path, or "" if none could be created.
  std::string create(llvm::StringRef prefix, llvm::StringRef suffix) {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createTemporaryFile(prefix, suffix, path))
      return "";
    paths.push_back(std::string(path));
    return paths.back();
  }

private:
  std::vector<std::string> paths;
};

/// The members of an archive being assembled, with the buffers they point
/// into.
class ArchiveMembers {
public:
  /// `contents` as the member `name`.
  void add(std::unique_ptr<llvm::MemoryBuffer> contents, llvm::StringRef name) {
    llvm::NewArchiveMember member(contents->getMemBufferRef());
    member.MemberName = names.save(name);
    members.push_back(std::move(member));
    buffers.push_back(std::move(contents));
  }

  /// Every member of the archive in `contents`, as `name`_0.o, `name`_1.o...
  /// (Halide names them after temporary files: the library would differ
  /// from one build to the next).
  llvm::Error addArchive(std::unique_ptr<llvm::MemoryBuffer> contents,
                         llvm::StringRef name) {
    llvm::Expected<std::unique_ptr<llvm::object::Archive>> archive =
        llvm::object::Archive::create(contents->getMemBufferRef());
    if (!archive)
      return archive.takeError();
    llvm::Error error = llvm::Error::success();
    unsigned index = 0;
    for (const llvm::object::Archive::Child &child :
         (*archive)->children(error)) {
      llvm::Expected<llvm::NewArchiveMember> member =
          llvm::NewArchiveMember::getOldMember(child, /*Deterministic=*/true);
      if (!member) {
        llvm::consumeError(std::move(error));
        return member.takeError();
      }
      member->MemberName =
          names.save(name + "_" + llvm::Twine(index++) + ".o");
      members.push_back(std::move(*member));
    }
    archives.push_back(std::move(*archive));
    buffers.push_back(std::move(contents));
    return error;
  }

  /// A static library of the members.
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> write() const {
    return llvm::writeArchiveToBuffer(members, /*WriteSymtab=*/true,
                                      llvm::object::Archive::K_GNU,
                                      /*Deterministic=*/true, /*Thin=*/false);
  }

private:
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
  std::vector<std::unique_ptr<llvm::object::Archive>> archives;
  std::vector<llvm::NewArchiveMember> members;
  llvm::BumpPtrAllocator allocator;
  llvm::StringSaver names{allocator};
};

} // namespace

/// Compiles pipeline `function` of kernel `kernel` for every target of
/// `group` (the CPU targets, or CUDA) into `members`, through Halide's
/// compile_multitarget: one variant per target behind a wrapper of the
/// pipeline's name that runs the first variant the CPU supports (asked once
/// through halide_can_use_target_features). Without a Halide runtime: the
/// library has one for all (runtimeTarget).
static llvm::Error compilePipeline(llvm::ArrayRef<const TargetKernels *> group,
                                   size_t kernel, size_t function,
                                   TemporaryFiles &files,
                                   ArchiveMembers &members) {
  std::vector<Halide::Target> targets;
  for (const TargetKernels *set : group)
    targets.push_back(set->target.with_feature(Halide::Target::NoRuntime));
  auto variant = [&](const std::string &name, const Halide::Target &target) {
    size_t index = llvm::find(targets, target) - targets.begin();
    const HalideFunction &pipeline =
        group[index]->kernels[kernel].functions[function];
    Halide::Pipeline handle = pipeline.pipeline; // A shared handle.
    return handle.compile_to_module(pipeline.arguments, name, target);
  };
  const std::string &name =
      group.front()->kernels[kernel].functions[function].name;
  std::string path = files.create("actc-" + name, "a");
  if (path.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot create a temporary file");
  Halide::compile_multitarget(
      name, {{Halide::OutputFileType::static_library, path}}, targets,
      /*suffixes=*/{}, variant);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> archive =
      llvm::MemoryBuffer::getFile(path);
  if (!archive)
    return llvm::errorCodeToError(archive.getError());
  return members.addArchive(std::move(*archive), name);
}

/// A library's archive: every pipeline (CPU variants behind Halide's
/// wrappers, CUDA's own), one Halide runtime, and the C functions (with a
/// `pluginManifest`, also a plugin's entry point).
static mlir::FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
buildArchive(const CompileRequest &request,
             llvm::ArrayRef<TargetKernels> built,
             llvm::StringRef pluginManifest) {
  mlir::Location location = locationOf(request);
  std::vector<const TargetKernels *> cpu, cuda;
  for (const TargetKernels &set : built)
    (set.target.isCuda() ? cuda : cpu).push_back(&set);
  TemporaryFiles files;
  ArchiveMembers members;
  try {
    for (llvm::ArrayRef<const TargetKernels *> group : {cpu, cuda}) {
      if (group.empty())
        continue;
      const std::vector<Kernel> &kernels = group.front()->kernels;
      for (size_t k = 0; k < kernels.size(); ++k)
        for (size_t f = 0; f < kernels[k].functions.size(); ++f)
          if (llvm::Error error = compilePipeline(group, k, f, files, members))
            return mlir::LogicalResult(mlir::emitError(location)
                                       << llvm::toString(std::move(error)));
    }
    std::string runtime = files.create("actc-halide-runtime", "o");
    if (runtime.empty())
      return mlir::LogicalResult(mlir::emitError(location)
                                 << "cannot create a temporary file");
    Halide::compile_standalone_runtime(runtime, runtimeTarget(request.targets));
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> object =
        llvm::MemoryBuffer::getFile(runtime);
    if (!object)
      return mlir::LogicalResult(mlir::emitError(location)
                                 << "cannot read Halide's runtime: "
                                 << object.getError().message());
    members.add(std::move(*object), "actc_halide_runtime.o");
  } catch (const Halide::Error &halideError) {
    return mlir::LogicalResult(mlir::emitError(location)
                               << "Halide failed: " << halideError.what());
  }

  std::string error;
  mlir::FailureOr<std::string> wrappers =
      compileCWrappers(built, pluginManifest, error);
  if (mlir::failed(wrappers))
    return mlir::LogicalResult(mlir::emitError(location) << error);
  members.add(llvm::MemoryBuffer::getMemBufferCopy(*wrappers),
              "actc_c_interface.o");
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> archive = members.write();
  if (!archive)
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot write the library: "
                               << llvm::toString(archive.takeError()));
  return std::move(*archive);
}

/// Replaces `path` with `contents`, or reports why it could not.
static mlir::LogicalResult writeOutput(llvm::StringRef path,
                                       llvm::StringRef contents,
                                       mlir::Location location) {
  if (llvm::Error error = writeFileAtomically(path, contents))
    return mlir::emitError(location) << llvm::toString(std::move(error));
  return mlir::success();
}

/// PREFIX's file name, upper-cased, other characters as '_'.
static std::string macroName(llvm::StringRef prefix) {
  std::string name;
  for (char c : llvm::sys::path::filename(prefix))
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::toupper(c))
                : '_';
  return name;
}

static std::string headerGuard(llvm::StringRef prefix) {
  return "ACTC_" + macroName(prefix) + "_H";
}

std::string act::manifest(const CompileRequest &request) {
  llvm::json::Array targets;
  for (const Halide::Target &target : request.targets.cpu)
    targets.push_back(target.to_string());
  llvm::json::Array activations;
  for (ActivationOp activation : request.activations) {
    llvm::json::Array params, kernels, cudaKernels;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      params.push_back(
          llvm::json::Object{{"name", activation.getParamName(i)},
                             {"default", static_cast<double>(static_cast<float>(
                                             activation.getParamDefault(i)))},
                             {"learnable", activation.isLearnable(i)}});
    for (KernelKind kind : request.kernels) {
      kernels.push_back(kernelName(kind));
      if (request.targets.cuda && runsOnCuda(kind))
        cudaKernels.push_back(kernelName(kind));
    }
    llvm::json::Object entry{{"name", activation.sym_name()},
                             {"params", std::move(params)},
                             {"kernels", std::move(kernels)},
                             {"cuda_kernels", std::move(cudaKernels)}};
    if (llvm::Optional<llvm::StringRef> doc = activation.doc())
      entry["doc"] = *doc;
    activations.push_back(std::move(entry));
  }
  llvm::json::Object root{
      {"abi_version", ACTC_ABI_VERSION},
      {"actc_version", ACTC_VERSION},
      {"source", request.sourceName},
      {"targets", std::move(targets)},
      {"cuda_target", request.targets.cuda
                          ? llvm::json::Value(request.targets.cuda->to_string())
                          : llvm::json::Value(nullptr)},
      {"activations", std::move(activations)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(root));
  return os.str();
}

/// A request's kernels and the archive of their library.
struct BuiltLibrary {
  std::vector<TargetKernels> kernels;
  std::unique_ptr<llvm::MemoryBuffer> archive;
};

static mlir::FailureOr<BuiltLibrary>
buildLibrary(const CompileRequest &request, llvm::StringRef pluginManifest) {
  mlir::FailureOr<std::vector<TargetKernels>> built = buildKernels(request);
  if (mlir::failed(built))
    return mlir::failure();
  mlir::FailureOr<std::unique_ptr<llvm::MemoryBuffer>> archive =
      buildArchive(request, *built, pluginManifest);
  if (mlir::failed(archive))
    return mlir::failure();
  return BuiltLibrary{std::move(*built), std::move(*archive)};
}

mlir::LogicalResult act::emitLibrary(const CompileRequest &request,
                                     llvm::StringRef prefix) {
  mlir::Location location = locationOf(request);
  mlir::FailureOr<BuiltLibrary> library =
      buildLibrary(request, /*pluginManifest=*/"");
  if (mlir::failed(library))
    return mlir::failure();
  std::string header =
      cHeader(library->kernels, request.activations, headerGuard(prefix),
              macroName(prefix), request.sourceName, manifest(request));
  if (mlir::failed(writeOutput((prefix + ".a").str(),
                               library->archive->getBuffer(), location)))
    return mlir::failure();
  return writeOutput((prefix + ".h").str(), header, location);
}

/// libactc_rt.a as installed beside the running executable: PREFIX/bin/actc
/// (or fmnist) and PREFIX/lib/libactc_rt.a, as in the build tree.
static std::string runtimeLibraryPath() {
  std::string executable = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&runtimeLibraryPath));
  llvm::SmallString<256> path(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(executable)));
  llvm::sys::path::append(path, "lib", "libactc_rt.a");
  return std::string(path);
}

mlir::LogicalResult act::emitPlugin(const CompileRequest &request,
                                    llvm::StringRef prefix) {
  mlir::Location location = locationOf(request);
  mlir::FailureOr<BuiltLibrary> library =
      buildLibrary(request, manifest(request));
  if (mlir::failed(library))
    return mlir::failure();
  std::string rt = runtimeLibraryPath();
  if (!llvm::sys::fs::exists(rt))
    return mlir::LogicalResult(
        mlir::emitError(location)
        << "--emit=plugin links libactc_rt, and '" << rt
        << "' does not exist (is actc installed whole?)");

  TemporaryFiles files;
  std::string archivePath = files.create("actc-plugin", "a");
  std::string soTemp = files.create("actc-plugin", "so");
  // Only the C interface is exported: the plugin's Halide runtime (weak
  // symbols) must not merge with another library's in the process.
  std::string versionScript = files.create("actc-exports", "map");
  std::string logPath = files.create("actc-link", "log");
  if (archivePath.empty() || soTemp.empty() || versionScript.empty() ||
      logPath.empty())
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot create a temporary file");
  std::string exports = "{\n  global:\n";
  for (const std::string &name : exportedNames(library->kernels))
    exports += "    " + name + ";\n";
  exports += "  local: *;\n};\n";
  for (auto [path, contents] :
       {std::pair{&archivePath, library->archive->getBuffer()},
        std::pair{&versionScript, llvm::StringRef(exports)}})
    if (mlir::failed(writeOutput(*path, contents, location)))
      return mlir::failure();

  const char *ccEnv = std::getenv("CC");
  std::string ccName = ccEnv && *ccEnv ? ccEnv : "cc";
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName(ccName);
  if (!cc)
    return mlir::LogicalResult(mlir::emitError(location)
                               << "--emit=plugin links with a C compiler, and '"
                               << ccName
                               << "' was not found (install gcc or set CC)");
  // Every member of the library (nothing refers to the exported functions
  // yet), then what they need of libactc_rt.
  std::vector<std::string> argStorage = {
      *cc, "-shared", "-o", soTemp, "-Wl,--whole-archive", archivePath,
      "-Wl,--no-whole-archive", rt, "-Wl,--version-script=" + versionScript,
      "-lpthread", "-ldl", "-lm"};
  std::vector<llvm::StringRef> args(argStorage.begin(), argStorage.end());
  llvm::Optional<llvm::StringRef> redirects[] = {
      llvm::None, llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string error;
  int status =
      llvm::sys::ExecuteAndWait(*cc, args, llvm::None, redirects, 0, 0, &error);
  std::string soPath = (prefix + ".so").str();
  if (status != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    return mlir::LogicalResult(
        mlir::emitError(location)
        << "linking '" << soPath << "' failed"
        << (error.empty() ? "" : ": " + error)
        << (log ? ":\n" + (*log)->getBuffer().rtrim().str() : ""));
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> so =
      llvm::MemoryBuffer::getFile(soTemp);
  if (!so)
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot read the linked '" << soPath
                               << "': " << so.getError().message());
  return writeOutput(soPath, (*so)->getBuffer(), location);
}

static Halide::OutputFileType outputType(TextStage stage) {
  switch (stage) {
  case TextStage::HalideStmt:
    return Halide::OutputFileType::stmt;
  case TextStage::LLVMIR:
  case TextStage::PTX: // Found in the host module's IR, see extractPTX.
    return Halide::OutputFileType::llvm_assembly;
  case TextStage::Assembly:
    return Halide::OutputFileType::assembly;
  }
  llvm_unreachable("unknown stage");
}

/// A line comment in the stage's syntax.
static llvm::StringRef commentLeader(TextStage stage) {
  switch (stage) {
  case TextStage::HalideStmt:
  case TextStage::PTX:
    return "//";
  case TextStage::LLVMIR:
    return ";";
  case TextStage::Assembly:
    return "#";
  }
  llvm_unreachable("unknown stage");
}

/// The PTX Halide embeds in the host module of CUDA kernels, read back from
/// that module's LLVM IR: each kernel's constant string holding the NVPTX
/// back end's output, `@cuda_gpu_source_kernels.data[.N] = private constant
/// [M x i8] c"//\0A// Generated by LLVM NVPTX..."`.
static mlir::FailureOr<std::string> extractPTX(llvm::StringRef hostIR,
                                               mlir::Location location) {
  std::string ptx;
  llvm::SmallVector<llvm::StringRef> lines;
  hostIR.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    if (!line.startswith("@cuda_gpu_source_kernels.data"))
      continue;
    size_t start = line.find("c\"");
    if (start == llvm::StringRef::npos)
      continue;
    for (size_t i = start + 2; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\' || i + 2 >= line.size()) {
        ptx += line[i];
        continue;
      }
      unsigned byte = 0;
      line.substr(i + 1, 2).getAsInteger(16, byte);
      if (byte != 0) // The string's terminator.
        ptx += static_cast<char>(byte);
      i += 2;
    }
  }
  if (ptx.empty())
    return mlir::LogicalResult(mlir::emitError(location)
                               << "no PTX found in Halide's CUDA module");
  return ptx;
}

/// The stage's text for one target's kernels.
static mlir::FailureOr<std::string>
stageText(const TargetKernels &set, TextStage stage, mlir::Location location) {
  // Halide writes these stages only to files.
  TemporaryFiles files;
  std::string path = files.create("actc", "txt");
  if (path.empty())
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot create a temporary file");
  std::string text;
  try {
    for (Halide::Module &module : kernelModules(set)) {
      module.compile({{outputType(stage), path}});
      auto file = llvm::MemoryBuffer::getFile(path);
      if (!file)
        return mlir::LogicalResult(mlir::emitError(location)
                                   << "cannot read Halide's output");
      if (stage != TextStage::PTX) {
        text += (*file)->getBuffer();
        continue;
      }
      // One PTX module per kernel function.
      mlir::FailureOr<std::string> ptx =
          extractPTX((*file)->getBuffer(), location);
      if (mlir::failed(ptx))
        return mlir::failure();
      text += "// actc: PTX module of " + module.name() + "\n" + *ptx;
    }
  } catch (const Halide::Error &error) {
    return mlir::LogicalResult(mlir::emitError(location)
                               << "Halide failed: " << error.what());
  }
  return text;
}

mlir::LogicalResult act::emitText(const CompileRequest &request,
                                  TextStage stage, llvm::raw_ostream &os) {
  mlir::Location location = locationOf(request);
  if (stage == TextStage::PTX && !request.targets.cuda)
    return mlir::LogicalResult(
        mlir::emitError(location)
        << "--emit=ptx needs a CUDA target (--target=host,cuda)");
  mlir::FailureOr<std::vector<TargetKernels>> built = buildKernels(request);
  if (mlir::failed(built))
    return mlir::failure();
  for (const TargetKernels &set : *built) {
    if ((stage == TextStage::PTX) != set.target.isCuda())
      continue;
    mlir::FailureOr<std::string> text = stageText(set, stage, location);
    if (mlir::failed(text))
      return mlir::failure();
    if (built->size() > 1)
      os << commentLeader(stage) << " actc: target " << set.target.to_string()
         << "\n";
    os << *text;
  }
  return mlir::success();
}
