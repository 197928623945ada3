// The C functions of a generated library: shims into libactc_rt, and the
// header.
//
// Each C function stores the address of each of its arguments in an array
// and calls libactc_rt's actc_rt_call with a constant description of its
// kernel (actc/rt.h); the checks, the Halide buffers, chunking and CUDA
// wrapping are ordinary code there. The shims are built with LLVM's IRBuilder
// and compiled into an object that joins Halide's in the library, so actc
// needs no C compiler and the library's users no Halide header. The
// description's layout is taken from rt.h itself (checkLayout).
#include "compiler/halide/CInterface.h"

#include "HalideRuntimeCuda.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cmath>
#include <cstddef>

using namespace act;

/// The name of a function declared in a header, spelled once: a typo does
/// not compile.
#define ACTC_DECLARED_NAME(function)                                           \
  (static_cast<void>(sizeof(&function)), #function)

namespace {

/// One of the arrays and sizes a kernel kind starts with (actc/abi.h).
struct FixedArgument {
  enum Role { INPUT, OUTPUT, EXTENT } role;
  llvm::StringLiteral type, name;
};

#define ACTC_FIXED_ARGUMENT(role, type, argument)                              \
  {FixedArgument::role, #type, #argument},
#define ACTC_KIND_ARGUMENTS(KIND, name, ARGS, GRADIENTS)                       \
  const FixedArgument k##KIND##Arguments[] = {ARGS(ACTC_FIXED_ARGUMENT)};
ACTC_KERNEL_KINDS(ACTC_KIND_ARGUMENTS)
#undef ACTC_KIND_ARGUMENTS
#undef ACTC_FIXED_ARGUMENT

llvm::ArrayRef<FixedArgument> fixedArguments(KernelKind kind) {
  switch (kind) {
#define ACTC_KIND_CASE(KIND, name, ARGS, GRADIENTS)                            \
  case KernelKind::KIND:                                                       \
    return k##KIND##Arguments;
    ACTC_KERNEL_KINDS(ACTC_KIND_CASE)
#undef ACTC_KIND_CASE
  }
  llvm_unreachable("unknown kernel kind");
}

bool isCuda(const Kernel &kernel) {
  return kernel.device == KernelTarget::Device::CUDA;
}

/// `actc_NAME_KIND`, `_cuda` for the CUDA variant, `_p` for the packed one.
std::string cFunctionName(const Kernel &kernel, CallingForm form) {
  return "actc_" + kernel.activation + "_" + kernelName(kernel.kind).str() +
         (isCuda(kernel) ? "_cuda" : "") +
         (form == CallingForm::Packed ? "_p" : "");
}

/// Names that a parameter must not take in the header: the kernels' own
/// arguments, and C and C++ keywords (a .act parameter may be called `default`
/// or `int`).
bool isReservedInC(llvm::StringRef name) {
  static const llvm::StringSet<> reserved = [] {
    llvm::StringSet<> names = {
        // C11 and C++17 keywords.
        "auto", "break", "case", "char", "const", "continue", "default", "do",
        "double", "else", "enum", "extern", "float", "for", "goto", "if",
        "inline", "int", "long", "register", "restrict", "return", "short",
        "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
        "unsigned", "void", "volatile", "while", "alignas", "alignof", "and",
        "and_eq", "asm", "bitand", "bitor", "bool", "catch", "class", "compl",
        "concept", "const_cast", "constexpr", "decltype", "delete",
        "dynamic_cast", "explicit", "export", "false", "friend", "mutable",
        "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
        "operator", "or", "or_eq", "private", "protected", "public",
        "reinterpret_cast", "requires", "static_assert", "static_cast",
        "template", "this", "thread_local", "throw", "true", "try", "typeid",
        "typename", "using", "virtual", "wchar_t", "xor", "xor_eq", "int64_t"};
    for (KernelKind kind : allKernelKinds())
      for (const FixedArgument &argument : fixedArguments(kind))
        names.insert(argument.name);
    return names;
  }();
  return reserved.contains(name);
}

/// The C names of the kernel's parameters, then of its gradient outputs
/// (`d_p` for each learnable p): the .act names, with `_` appended until
/// each is neither reserved nor taken.
std::vector<std::string> cArgumentNames(const Kernel &kernel) {
  llvm::StringSet<> taken;
  std::vector<std::string> names;
  auto claim = [&](std::string name) {
    while (isReservedInC(name) || taken.contains(name))
      name += '_';
    taken.insert(name);
    names.push_back(name);
  };
  for (const std::string &name : kernel.paramNames)
    claim(name);
  for (unsigned index : kernel.learnedParams)
    claim("d_" + kernel.paramNames[index]);
  return names;
}

/// How many gradient outputs the kernel's functions take.
size_t numGradients(const Kernel &kernel) {
  return hasGradientOutputs(kernel.kind) ? kernel.learnedParams.size() : 0;
}

/// The C declaration of the kernel's function, without the trailing `;`.
std::string cDeclaration(const Kernel &kernel, CallingForm form) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "int " << cFunctionName(kernel, form) << "(";
  llvm::ListSeparator comma;
  for (const FixedArgument &argument : fixedArguments(kernel.kind))
    os << comma << argument.type << (argument.type.endswith("*") ? "" : " ")
       << argument.name;
  if (form == CallingForm::Packed) {
    os << ", const float *params";
    if (hasGradientOutputs(kernel.kind))
      os << ", float *d_params";
    return os.str() + ")";
  }
  std::vector<std::string> names = cArgumentNames(kernel);
  for (size_t i = 0; i < kernel.paramNames.size(); ++i)
    os << ", float " << names[i];
  for (size_t j = 0; j < numGradients(kernel); ++j)
    os << ", float *" << names[kernel.paramNames.size() + j];
  return os.str() + ")";
}

/// The kernels of the library's CPU functions (one set: every CPU target has
/// the same kernels, behind Halide's multi-target wrappers) and of its CUDA
/// functions (none without a CUDA target).
struct LibraryKernels {
  llvm::ArrayRef<Kernel> cpu, cuda;
};

LibraryKernels libraryKernels(llvm::ArrayRef<TargetKernels> built) {
  LibraryKernels kernels;
  for (const TargetKernels &set : built) {
    if (set.target.isCuda())
      kernels.cuda = set.kernels;
    else if (kernels.cpu.empty())
      kernels.cpu = set.kernels;
  }
  return kernels;
}

/// Builds the shims of each kernel, and the constant actc_kernel each passes.
class ShimBuilder {
public:
  explicit ShimBuilder(llvm::Module &module)
      : module(module), context(module.getContext()), b(context),
        bytePtr(b.getInt8PtrTy()),
        pipelineType(llvm::FunctionType::get(
            b.getInt32Ty(), {bytePtr->getPointerTo()}, false)),
        descriptionType(llvm::StructType::create(
            context,
            {b.getInt32Ty(), b.getInt32Ty(), b.getInt32Ty(), b.getInt32Ty(),
             llvm::ArrayType::get(pipelineType->getPointerTo(),
                                  ACTC_MAX_PIPELINES),
             bytePtr},
            "actc_kernel")) {
    checkLayout();
  }

  /// The kernel's typed and packed functions.
  void build(const Kernel &kernel) {
    llvm::Constant *description = describe(kernel);
    for (CallingForm form : {CallingForm::Typed, CallingForm::Packed})
      buildShim(kernel, form, description);
  }

private:
  llvm::Module &module;
  llvm::LLVMContext &context;
  llvm::IRBuilder<> b;
  llvm::PointerType *bytePtr;
  llvm::FunctionType *pipelineType;
  llvm::StructType *descriptionType;

  /// The struct must be rt.h's actc_kernel field by field.
  void checkLayout() {
    const llvm::StructLayout *layout =
        module.getDataLayout().getStructLayout(descriptionType);
    const size_t offsets[] = {offsetof(actc_kernel, kind),
                              offsetof(actc_kernel, num_params),
                              offsetof(actc_kernel, num_gradients),
                              offsetof(actc_kernel, num_pipelines),
                              offsetof(actc_kernel, pipelines),
                              offsetof(actc_kernel, device_interface)};
    for (unsigned i = 0; i < std::size(offsets); ++i)
      if (layout->getElementOffset(i) != offsets[i])
        llvm::report_fatal_error(
            "actc_kernel's LLVM layout differs from rt.h's");
    if (layout->getSizeInBytes() != sizeof(actc_kernel))
      llvm::report_fatal_error("actc_kernel's LLVM size differs from rt.h's");
  }

  /// The kernel's actc_kernel: its kind, counts, Halide pipelines (each
  /// `NAME_argv`) and, for CUDA, Halide's CUDA device interface.
  llvm::Constant *describe(const Kernel &kernel) {
    std::vector<llvm::Constant *> pipelines;
    for (const HalideFunction &function : kernel.functions)
      pipelines.push_back(llvm::cast<llvm::Constant>(
          module.getOrInsertFunction(function.name + "_argv", pipelineType)
              .getCallee()));
    pipelines.resize(ACTC_MAX_PIPELINES, llvm::ConstantPointerNull::get(
                                             pipelineType->getPointerTo()));
    llvm::Constant *device = llvm::ConstantPointerNull::get(bytePtr);
    if (isCuda(kernel))
      device = llvm::ConstantExpr::getBitCast(
          llvm::cast<llvm::Constant>(
              module
                  .getOrInsertFunction(
                      ACTC_DECLARED_NAME(halide_cuda_device_interface),
                      llvm::FunctionType::get(bytePtr, {}, false))
                  .getCallee()),
          bytePtr);
    llvm::Constant *value = llvm::ConstantStruct::get(
        descriptionType,
        {b.getInt32(static_cast<int>(kernel.kind)),
         b.getInt32(kernel.params.size()), b.getInt32(numGradients(kernel)),
         b.getInt32(kernel.functions.size()),
         llvm::ConstantArray::get(
             llvm::cast<llvm::ArrayType>(descriptionType->getElementType(4)),
             pipelines),
         device});
    return new llvm::GlobalVariable(
        module, descriptionType, /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage, value,
        cFunctionName(kernel, CallingForm::Typed) + "_kernel");
  }

  /// The LLVM types of the function's arguments, in C order.
  std::vector<llvm::Type *> argumentTypes(const Kernel &kernel,
                                          CallingForm form) {
    llvm::Type *floatPtr = b.getFloatTy()->getPointerTo();
    std::vector<llvm::Type *> types;
    for (const FixedArgument &argument : fixedArguments(kernel.kind))
      types.push_back(argument.role == FixedArgument::EXTENT ? b.getInt64Ty()
                                                             : floatPtr);
    if (form == CallingForm::Packed) {
      types.push_back(floatPtr);
      if (hasGradientOutputs(kernel.kind))
        types.push_back(floatPtr);
      return types;
    }
    types.insert(types.end(), kernel.params.size(), b.getFloatTy());
    types.insert(types.end(), numGradients(kernel), floatPtr);
    return types;
  }

  /// int NAME(args...) { void *argv[] = {&args...};
  ///                     return actc_rt_call(&description, form, argv); }
  void buildShim(const Kernel &kernel, CallingForm form,
                 llvm::Constant *description) {
    auto *type = llvm::FunctionType::get(b.getInt32Ty(),
                                         argumentTypes(kernel, form), false);
    auto *shim = llvm::Function::Create(type, llvm::Function::ExternalLinkage,
                                        cFunctionName(kernel, form), module);
    shim->addFnAttr(llvm::Attribute::NoUnwind);
    b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", shim));
    auto *argvType = llvm::ArrayType::get(bytePtr, shim->arg_size());
    llvm::Value *argv = b.CreateAlloca(argvType, nullptr, "argv");
    for (llvm::Argument &argument : shim->args()) {
      llvm::Value *slot = b.CreateAlloca(argument.getType());
      b.CreateStore(&argument, slot);
      b.CreateStore(b.CreateBitCast(slot, bytePtr),
                    b.CreateConstInBoundsGEP2_64(argvType, argv, 0,
                                                 argument.getArgNo()));
    }
    llvm::FunctionCallee rtCall = module.getOrInsertFunction(
        ACTC_DECLARED_NAME(actc_rt_call),
        llvm::FunctionType::get(
            b.getInt32Ty(),
            {descriptionType->getPointerTo(), b.getInt32Ty(),
             bytePtr->getPointerTo()},
            false));
    b.CreateRet(b.CreateCall(
        rtCall, {description, b.getInt32(static_cast<int>(form)),
                 b.CreateConstInBoundsGEP2_64(argvType, argv, 0, 0)}));
  }
};

/// The LLVM triple of a Halide CPU target, for the targets actc supports.
std::string llvmTriple(const Halide::Target &target) {
  std::string os = target.os == Halide::Target::OSX ? "apple-macosx"
                                                    : "unknown-linux-gnu";
  if (target.arch == Halide::Target::X86 && target.bits == 64)
    return "x86_64-" + os;
  if (target.arch == Halide::Target::ARM && target.bits == 64)
    return "aarch64-" + os;
  return "";
}

/// A machine for the shims' target: generic CPU (they are scalar glue),
/// position-independent so the object also fits a shared library.
std::unique_ptr<llvm::TargetMachine> targetMachine(const Halide::Target &target,
                                                   std::string &error) {
  std::string triple = llvmTriple(target);
  if (triple.empty()) {
    error = "no C interface for target '" + target.to_string() + "'";
    return nullptr;
  }
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, "", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
}

/// `const char *actc_manifest(void)` returning `json`.
void defineManifest(llvm::Module &module, llvm::StringRef json) {
  llvm::LLVMContext &context = module.getContext();
  llvm::IRBuilder<> b(context);
  llvm::Constant *text = llvm::ConstantDataArray::getString(context, json);
  auto *global = new llvm::GlobalVariable(module, text->getType(), true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          text, "actc_manifest_json");
  auto *manifestFn = llvm::Function::Create(
      llvm::FunctionType::get(b.getInt8PtrTy(), {}, false),
      llvm::Function::ExternalLinkage, "actc_manifest", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", manifestFn));
  b.CreateRet(b.CreateConstInBoundsGEP2_64(text->getType(), global, 0, 0));
}

} // namespace

mlir::FailureOr<std::string>
act::compileCWrappers(llvm::ArrayRef<TargetKernels> built,
                      llvm::StringRef pluginManifest, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      targetMachine(built.front().target, error);
  if (!machine)
    return mlir::failure();
  llvm::LLVMContext context;
  llvm::Module module("actc_c_interface", context);
  module.setTargetTriple(machine->getTargetTriple().str());
  module.setDataLayout(machine->createDataLayout());
  ShimBuilder builder(module);
  LibraryKernels kernels = libraryKernels(built);
  for (llvm::ArrayRef<Kernel> set : {kernels.cpu, kernels.cuda})
    for (const Kernel &kernel : set)
      builder.build(kernel);
  if (!pluginManifest.empty())
    defineManifest(module, pluginManifest);
  if (llvm::verifyModule(module, &llvm::errs()))
    llvm::report_fatal_error("actc built an invalid C interface module");

  llvm::SmallString<0> object;
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   llvm::CGFT_ObjectFile)) {
    error = "LLVM cannot emit objects for '" +
            built.front().target.to_string() + "'";
    return mlir::failure();
  }
  passes.run(module);
  return std::string(object.str());
}

std::vector<std::string> act::exportedNames(llvm::ArrayRef<TargetKernels> built) {
  std::vector<std::string> names{"actc_manifest"};
  LibraryKernels kernels = libraryKernels(built);
  for (llvm::ArrayRef<Kernel> set : {kernels.cpu, kernels.cuda})
    for (const Kernel &kernel : set)
      for (CallingForm form : {CallingForm::Typed, CallingForm::Packed})
        names.push_back(cFunctionName(kernel, form));
  return names;
}

/// `value` as an exact C float expression: a hexadecimal literal.
static std::string cFloatLiteral(float value) {
  if (std::isinf(value))
    return value > 0 ? "__builtin_inff()" : "(-__builtin_inff())";
  if (std::isnan(value))
    return "__builtin_nanf(\"\")";
  return llvm::formatv("{0}f", llvm::format("%a", static_cast<double>(value))).str();
}

/// `text` as a C string literal.
static std::string cStringLiteral(llvm::StringRef text) {
  std::string literal = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      literal += '\\';
    if (c == '\n') {
      literal += "\\n";
      continue;
    }
    literal += c;
  }
  return literal + "\"";
}

/// What the functions return, from abi.h's table: "1: negative size, ...".
static std::string errorCodeList() {
  std::string list;
  llvm::raw_string_ostream os(list);
  llvm::ListSeparator comma;
#define ACTC_ERROR_ITEM(name, value, meaning)                                  \
  if (value != ACTC_SUCCESS)                                                   \
    os << comma << value << ": " << meaning;
  ACTC_ERRORS(ACTC_ERROR_ITEM)
#undef ACTC_ERROR_ITEM
  return os.str();
}

std::string act::cHeader(llvm::ArrayRef<TargetKernels> built,
                         llvm::ArrayRef<ActivationOp> activations,
                         llvm::StringRef guard, llvm::StringRef macroPrefix,
                         llvm::StringRef source, llvm::StringRef manifest) {
  LibraryKernels kernels = libraryKernels(built);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by actc from " << source << "; do not edit.\n"
     << " * Arrays are float32, contiguous, matrices row-major (rows x cols); y\n"
     << " * may alias x and dx may alias dy (linear_forward's y must not overlap\n"
     << " * x, w or b). backward kernels store in *d_p the gradient of each\n"
     << " * learnable parameter p summed over all elements.\n"
     << " * Each function returns 0 on success, nonzero on failure ("
     << errorCodeList() << ", <0: the kernel failed).\n"
     << " * NAME_p: the same kernel with the parameters in one array `params`\n"
     << " * (declaration order) and the learnable ones' gradients in `d_params`.\n"
     << " * Link with libactc_rt (pkg-config --libs actc).\n";
  if (!kernels.cuda.empty())
    os << " * NAME_cuda: the kernel on the GPU (Halide's CUDA runtime; arrays are\n"
       << " * device pointers, d_p host pointers); it runs asynchronously on Halide's\n"
       << " * CUDA context and stream (define halide_cuda_acquire_context to share\n"
       << " * yours), and needs libcuda.so (dlopen \"libcuda.so.1\" RTLD_GLOBAL first).\n";
  os << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
  for (ActivationOp activation : activations) {
    os << "\n/* " << activation.sym_name();
    if (llvm::Optional<llvm::StringRef> doc = activation.doc())
      os << ": " << *doc;
    os << " */\n";
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      os << "/*   " << activation.getParamName(i) << ": default "
         << llvm::format("%.9g", activation.getParamDefault(i))
         << (activation.isLearnable(i) ? ", learnable" : "") << " */\n";
    for (llvm::ArrayRef<Kernel> set : {kernels.cpu, kernels.cuda})
      for (const Kernel &kernel : set)
        if (kernel.activation == activation.sym_name())
          for (CallingForm form : {CallingForm::Typed, CallingForm::Packed})
            os << cDeclaration(kernel, form) << ";\n";
  }

  // The registry: every packed function, for runtimes that load by name.
  os << "\n/* ACTC_" << macroPrefix << "_KERNELS(X) expands X(activation, kernel) "
     << "for each NAME_p above;\n * ACTC_" << macroPrefix
     << "_MANIFEST is the JSON a plugin's actc_manifest() returns. */\n"
     << "#define ACTC_ABI_VERSION " << ACTC_ABI_VERSION << "\n"
     << "#define ACTC_" << macroPrefix << "_KERNELS(X)";
  for (llvm::ArrayRef<Kernel> set : {kernels.cpu, kernels.cuda})
    for (const Kernel &kernel : set)
      os << " \\\n  X(" << kernel.activation << ", " << kernelName(kernel.kind)
         << (isCuda(kernel) ? "_cuda" : "") << ")";
  os << "\n/* ACTC_" << macroPrefix << "_ACTIVATIONS(X) expands X(activation, "
     << "parameters, learnable,\n * defaults...) for each activation. */\n"
     << "#define ACTC_" << macroPrefix << "_ACTIVATIONS(X)";
  for (ActivationOp activation : activations) {
    unsigned learnable = 0;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      learnable += activation.isLearnable(i);
    os << " \\\n  X(" << activation.sym_name() << ", " << activation.getNumParams()
       << ", " << learnable;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      os << ", " << cFloatLiteral(static_cast<float>(activation.getParamDefault(i)));
    os << ")";
  }
  os << "\n#define ACTC_" << macroPrefix << "_MANIFEST " << cStringLiteral(manifest)
     << "\n";
  os << "\n#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
  return os.str();
}
