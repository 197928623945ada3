// Ahead-of-time compilation through Halide: libraries and printable stages.
#include "compiler/halide/Library.h"

#include "compiler/halide/CInterface.h"

#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
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
  case KernelKind::Forward:
  case KernelKind::Backward:
  case KernelKind::BiasForward:
  case KernelKind::BiasBackward:
    return true;
  case KernelKind::LinearForward: // On the GPU, cuBLAS does GEMMs.
    return false;
  }
  return false;
}

static mlir::FailureOr<std::vector<Kernel>>
buildForTarget(const CompileRequest &request, const Halide::Target &target) {
  std::vector<Kernel> kernels;
  bool cuda = target.has_gpu_feature();
  for (ActivationOp activation : request.activations)
    for (KernelKind kind : request.kernels) {
      if (cuda && !runsOnCuda(kind))
        continue;
      mlir::FailureOr<Kernel> kernel = buildKernel(kind, activation, target);
      if (mlir::failed(kernel))
        return mlir::failure();
      kernels.push_back(std::move(*kernel));
    }
  return kernels;
}

mlir::FailureOr<std::vector<TargetKernels>>
act::buildKernels(const CompileRequest &request) {
  std::vector<TargetKernels> built;
  const std::vector<Halide::Target> &cpu = request.targets.cpu;
  for (size_t i = 0; i < cpu.size(); ++i) {
    auto kernels = buildForTarget(request, cpu[i]);
    if (mlir::failed(kernels))
      return mlir::failure();
    // One target keeps the plain names (stable --emit=llvm/asm output).
    std::string suffix = cpu.size() == 1 ? "" : "_t" + std::to_string(i);
    built.push_back({cpu[i], suffix, std::move(*kernels)});
  }
  if (request.targets.cuda) {
    auto kernels = buildForTarget(request, *request.targets.cuda);
    if (mlir::failed(kernels))
      return mlir::failure();
    built.push_back({*request.targets.cuda, "_cuda", std::move(*kernels)});
  }
  return built;
}

/// The Halide modules of one target's kernels: one module for a CPU target;
/// for CUDA one per function, because each module embeds its GPU code in one
/// global of a fixed name, and linking modules kept only one of them (the
/// other kernels' PTX was lost). Without a runtime unless asked: a library
/// has one (see runtimeTarget).
static std::vector<Halide::Module> kernelModules(const TargetKernels &set,
                                                 bool withRuntime) {
  Halide::Target target = set.target;
  if (!withRuntime)
    target = target.with_feature(Halide::Target::NoRuntime);
  std::vector<Halide::Module> modules;
  for (const Kernel &kernel : set.kernels)
    for (const HalideFunction &function : kernel.functions) {
      Halide::Pipeline pipeline = function.pipeline; // A shared handle.
      modules.push_back(pipeline.compile_to_module(
          function.arguments, function.name + set.suffix, target));
    }
  if (set.target.has_gpu_feature())
    return modules;
  Halide::Module linked =
      Halide::link_modules("actc_kernels" + set.suffix, modules);
  // link_modules drops the flag that makes LLVM honour strict_float: without
  // it the back end contracted a * b + c into FMAs on AVX2 and AVX-512 (the
  // math library's error-free transformations assume it does not), so AOT
  // kernels differed from the JIT ones and from SSE4.1 by up to 459 ulp.
  linked.set_any_strict_float(true);
  return {linked};
}

/// The target of the library's one Halide runtime: the most widely usable
/// CPU target (the last), with CUDA support when there are CUDA kernels.
static Halide::Target runtimeTarget(const TargetSet &targets) {
  Halide::Target target = targets.cpu.back();
  if (targets.cuda)
    for (int f = 0; f < Halide::Target::FeatureEnd; ++f) {
      auto feature = static_cast<Halide::Target::Feature>(f);
      if (targets.cuda->has_feature(feature) &&
          (feature == Halide::Target::CUDA ||
           llvm::StringRef(Halide::Target::feature_to_name(feature))
               .startswith("cuda_capability")))
        target = target.with_feature(feature);
    }
  return target;
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
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot write '" << path
                               << "': " << ec.message());
  }
  return mlir::success();
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

/// The objects of a library: one per target (kernels only), the Halide
/// runtime, and the C wrappers.
struct LibraryObjects {
  std::vector<std::string> paths;
  std::vector<std::string> memberNames;
};

} // namespace

/// Compiles every target's kernels, the runtime and the wrappers (with
/// `pluginManifest`, the plugin's entry points) into temporary objects.
static mlir::FailureOr<LibraryObjects>
compileObjects(const CompileRequest &request,
               const std::vector<TargetKernels> &built,
               llvm::StringRef pluginManifest, TemporaryFiles &files) {
  mlir::Location location = locationOf(request);
  LibraryObjects objects;
  auto add = [&](const std::string &memberName) -> std::string {
    std::string path = files.create("actc-" + memberName, "o");
    if (!path.empty()) {
      objects.paths.push_back(path);
      objects.memberNames.push_back(memberName + ".o");
    }
    return path;
  };
  try {
    for (const TargetKernels &set : built) {
      std::vector<Halide::Module> modules =
          kernelModules(set, /*withRuntime=*/false);
      for (size_t i = 0; i < modules.size(); ++i) {
        std::string path = add(modules.size() == 1 ? modules[i].name()
                                                   : modules[i].name() + "_" +
                                                         std::to_string(i));
        if (path.empty())
          return mlir::LogicalResult(mlir::emitError(location)
                                     << "cannot create a temporary file");
        modules[i].compile({{Halide::OutputFileType::object, path}});
      }
    }
    std::string runtime = add("actc_halide_runtime");
    if (runtime.empty())
      return mlir::LogicalResult(mlir::emitError(location)
                                 << "cannot create a temporary file");
    Halide::compile_standalone_runtime(runtime, runtimeTarget(request.targets));
  } catch (const Halide::Error &halideError) {
    return mlir::LogicalResult(mlir::emitError(location)
                               << "Halide failed: " << halideError.what());
  }

  std::string error;
  mlir::FailureOr<std::string> wrappers =
      compileCWrappers(built, pluginManifest, error);
  if (mlir::failed(wrappers))
    return mlir::LogicalResult(mlir::emitError(location) << error);
  std::string path = add("actc_c_interface");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (path.empty() || ec)
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot create a temporary file");
  os << *wrappers;
  return objects;
}

/// A static library of the objects.
static bool writeArchive(const std::string &path, const LibraryObjects &objects,
                         std::string &error) {
  std::vector<llvm::NewArchiveMember> members;
  for (size_t i = 0; i < objects.paths.size(); ++i) {
    auto member = llvm::NewArchiveMember::getFile(objects.paths[i], true);
    if (!member) {
      error = llvm::toString(member.takeError());
      return false;
    }
    member->MemberName = objects.memberNames[i];
    members.push_back(std::move(*member));
  }
  if (llvm::Error e = llvm::writeArchive(path, members, /*WriteSymtab=*/true,
                                         llvm::object::Archive::K_GNU,
                                         /*Deterministic=*/true,
                                         /*Thin=*/false)) {
    error = llvm::toString(std::move(e));
    return false;
  }
  return true;
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
    if (auto doc = activation->getAttrOfType<mlir::StringAttr>("doc"))
      entry["doc"] = doc.getValue();
    activations.push_back(std::move(entry));
  }
  llvm::json::Object root{
      {"abi_version", kAbiVersion},
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

/// A request's kernels, built for every target and compiled to objects.
struct CompiledRequest {
  std::vector<TargetKernels> built;
  LibraryObjects objects;
};

/// Builds and compiles `request` into `files`; a plugin's wrappers also
/// define its entry points (actc_manifest).
static mlir::FailureOr<CompiledRequest>
compile(const CompileRequest &request, bool plugin, TemporaryFiles &files) {
  mlir::FailureOr<std::vector<TargetKernels>> built = buildKernels(request);
  if (mlir::failed(built))
    return mlir::failure();
  mlir::FailureOr<LibraryObjects> objects = compileObjects(
      request, *built, plugin ? manifest(request) : "", files);
  if (mlir::failed(objects))
    return mlir::failure();
  return CompiledRequest{std::move(*built), std::move(*objects)};
}

mlir::LogicalResult act::emitLibrary(const CompileRequest &request,
                                     llvm::StringRef prefix) {
  mlir::Location location = locationOf(request);
  TemporaryFiles files;
  mlir::FailureOr<CompiledRequest> compiled = compile(request, false, files);
  if (mlir::failed(compiled))
    return mlir::failure();
  const std::vector<TargetKernels> *built = &compiled->built;
  const LibraryObjects *objects = &compiled->objects;

  std::string libraryPath = (prefix + ".a").str();
  std::string headerPath = (prefix + ".h").str();
  std::string error;
  std::string libraryTemp = temporaryBeside(libraryPath);
  if (!writeArchive(libraryTemp, *objects, error)) {
    llvm::sys::fs::remove(libraryTemp);
    return mlir::LogicalResult(mlir::emitError(location)
                               << "cannot write '" << libraryPath
                               << "': " << error);
  }

  std::string headerTemp = temporaryBeside(headerPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(headerTemp, ec);
    if (ec) {
      llvm::sys::fs::remove(libraryTemp);
      return mlir::LogicalResult(mlir::emitError(location)
                                 << "cannot write '" << headerPath
                                 << "': " << ec.message());
    }
    os << cHeader(*built, request.activations, headerGuard(prefix),
                  macroName(prefix), request.sourceName, manifest(request));
  }
  if (mlir::failed(commit(libraryTemp, libraryPath, location))) {
    llvm::sys::fs::remove(headerTemp);
    return mlir::failure();
  }
  return commit(headerTemp, headerPath, location);
}

mlir::LogicalResult act::emitPlugin(const CompileRequest &request,
                                    llvm::StringRef prefix) {
  mlir::Location location = locationOf(request);
  TemporaryFiles files;
  mlir::FailureOr<CompiledRequest> compiled = compile(request, true, files);
  if (mlir::failed(compiled))
    return mlir::failure();
  const std::vector<TargetKernels> *built = &compiled->built;
  const LibraryObjects *objects = &compiled->objects;

  // Only the C interface is exported: the plugin's Halide runtime (weak
  // symbols) must not merge with another library's in the process.
  std::string versionScript = files.create("actc-exports", "map");
  std::string logPath = files.create("actc-link", "log");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(versionScript, ec);
    if (versionScript.empty() || logPath.empty() || ec)
      return mlir::LogicalResult(mlir::emitError(location)
                                 << "cannot create a temporary file");
    os << "{\n  global:\n";
    for (const std::string &name : exportedNames(*built))
      os << "    " << name << ";\n";
    os << "  local: *;\n};\n";
  }
  const char *ccEnv = std::getenv("CC");
  std::string ccName = ccEnv && *ccEnv ? ccEnv : "cc";
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName(ccName);
  if (!cc)
    return mlir::LogicalResult(mlir::emitError(location)
                               << "--emit=plugin links with a C compiler, and '"
                               << ccName
                               << "' was not found (install gcc or set CC)");

  std::string soPath = (prefix + ".so").str();
  std::string soTemp = temporaryBeside(soPath);
  std::vector<std::string> argStorage = {*cc, "-shared", "-o", soTemp};
  argStorage.insert(argStorage.end(), objects->paths.begin(),
                    objects->paths.end());
  argStorage.push_back("-Wl,--version-script=" + versionScript);
  for (const char *lib : {"-lpthread", "-ldl", "-lm"})
    argStorage.push_back(lib);
  std::vector<llvm::StringRef> args(argStorage.begin(), argStorage.end());
  llvm::Optional<llvm::StringRef> redirects[] = {
      llvm::None, llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string error;
  int status =
      llvm::sys::ExecuteAndWait(*cc, args, llvm::None, redirects, 0, 0, &error);
  if (status != 0) {
    llvm::sys::fs::remove(soTemp);
    auto log = llvm::MemoryBuffer::getFile(logPath);
    return mlir::LogicalResult(
        mlir::emitError(location)
        << "linking '" << soPath << "' failed"
        << (error.empty() ? "" : ": " + error)
        << (log ? ":\n" + (*log)->getBuffer().rtrim().str() : ""));
  }
  return commit(soTemp, soPath, location);
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
    for (Halide::Module &module : kernelModules(set, /*withRuntime=*/true)) {
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
    bool cuda = set.target.has_gpu_feature();
    if ((stage == TextStage::PTX) != cuda)
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

/// Adds StrictFloat: IEEE semantics everywhere. Without it, Halide and LLVM
/// rewrite x * 0 to 0 and x - x to 0 (wrong for inf and NaN) and lose -0.
static Halide::Target strict(const Halide::Target &target) {
  return target.with_feature(Halide::Target::StrictFloat);
}

/// The CUDA capability actc compiles for unless a target names one: the
/// newest Halide 14 knows; newer GPUs JIT its PTX.
constexpr Halide::Target::Feature kDefaultCudaCapability =
    Halide::Target::CUDACapability86;

static bool hasCudaCapability(const Halide::Target &target) {
  for (int f = 0; f < Halide::Target::FeatureEnd; ++f) {
    auto feature = static_cast<Halide::Target::Feature>(f);
    if (target.has_feature(feature) &&
        llvm::StringRef(Halide::Target::feature_to_name(feature))
            .startswith("cuda_capability"))
      return true;
  }
  return false;
}

/// `target` without its GPU features: the host part of "host-cuda".
static Halide::Target withoutGpu(Halide::Target target) {
  for (int f = 0; f < Halide::Target::FeatureEnd; ++f) {
    auto feature = static_cast<Halide::Target::Feature>(f);
    llvm::StringRef name = Halide::Target::feature_to_name(feature);
    if (feature == Halide::Target::CUDA || name.startswith("cuda_capability"))
      target = target.without_feature(feature);
  }
  return target;
}

mlir::FailureOr<TargetSet>
act::parseTargets(llvm::ArrayRef<std::string> targets, std::string &error) {
  TargetSet set;
  bool wantCuda = false;
  for (const std::string &name : targets) {
    if (name == "cuda") {
      wantCuda = true;
      continue;
    }
    if (!Halide::Target::validate_target_string(name)) {
      error = "unknown target '" + name + "'";
      return mlir::failure();
    }
    Halide::Target target(name);
    if (target.has_gpu_feature() && !target.has_feature(Halide::Target::CUDA)) {
      error = "target '" + name + "': only CUDA is supported among GPU targets";
      return mlir::failure();
    }
    if (target.has_feature(Halide::Target::CUDA)) {
      if (set.cuda) {
        error = "more than one CUDA target";
        return mlir::failure();
      }
      set.cuda = target;
      target = withoutGpu(target);
    }
    set.cpu.push_back(strict(target));
  }
  if (set.cpu.empty())
    set.cpu.push_back(strict(Halide::get_host_target()));
  for (const Halide::Target &target : set.cpu)
    if (target.os != set.cpu.front().os ||
        target.arch != set.cpu.front().arch ||
        target.bits != set.cpu.front().bits) {
      error = "CPU targets '" + set.cpu.front().to_string() + "' and '" +
              target.to_string() + "' differ in OS or architecture";
      return mlir::failure();
    }
  if (wantCuda && !set.cuda)
    set.cuda = set.cpu.back().with_feature(Halide::Target::CUDA);
  if (set.cuda) {
    if (!hasCudaCapability(*set.cuda))
      set.cuda = set.cuda->with_feature(kDefaultCudaCapability);
    set.cuda = strict(*set.cuda);
  }
  return set;
}

mlir::FailureOr<Halide::Target>
act::parseTarget(llvm::ArrayRef<std::string> targets, std::string &error) {
  mlir::FailureOr<TargetSet> set = parseTargets(targets, error);
  if (mlir::failed(set))
    return mlir::failure();
  return set->cpu.front();
}
