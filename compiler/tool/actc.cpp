// actc: the activation compiler driver. Each --emit= stops after one stage.
#include "compiler/halide/Evaluate.h"
#include "compiler/halide/Library.h"
#include "compiler/mlir/MLIRGen.h"
#include "compiler/passes/Passes.h"
#include "dsl/Diagnostics.h"
#include "dsl/Loader.h"
#include "support/AtomicFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace cl = llvm::cl;
using namespace act;

namespace {

/// Exit statuses (CLI.md).
enum ExitCode { kSuccess = 0, kInputError = 1, kUsageError = 2 };

enum class Emit { AST, MLIR, MLIROpt, Halide, LLVM, Asm, PTX, Lib, Plugin };

cl::OptionCategory actcCategory("actc options");

cl::list<std::string> inputFiles(
    cl::Positional,
    cl::desc("<FILE.act... | ->> (several: one library of all their "
             "activations)"),
    cl::cat(actcCategory));

cl::opt<Emit> emit(
    "emit", cl::desc("Stop after this stage and print it"), cl::init(Emit::Lib),
    cl::values(clEnumValN(Emit::AST, "ast", "the syntax tree"),
               clEnumValN(Emit::MLIR, "mlir", "MLIR as generated"),
               clEnumValN(Emit::MLIROpt, "mlir-opt",
                          "MLIR after inlining, folding and simplification"),
               clEnumValN(Emit::Halide, "halide", "Halide's lowered statement"),
               clEnumValN(Emit::LLVM, "llvm", "LLVM IR of the kernels"),
               clEnumValN(Emit::Asm, "asm", "assembly of the kernels"),
               clEnumValN(Emit::PTX, "ptx", "PTX of the CUDA kernels"),
               clEnumValN(Emit::Lib, "lib",
                          "a static library PATH.a and C header PATH.h"),
               clEnumValN(Emit::Plugin, "plugin",
                          "a shared object the runtime can load")),
    cl::cat(actcCategory));

cl::opt<std::string> outputPath(
    "o", cl::desc("Output file, or the prefix for lib (PATH.a, PATH.h) and "
                  "plugin (PATH.so)"),
    cl::value_desc("PATH"), cl::cat(actcCategory));

cl::list<std::string> actNames(
    "act", cl::desc("Only these activations (default: every one in FILE)"),
    cl::value_desc("NAME[,NAME]"), cl::CommaSeparated, cl::cat(actcCategory));

cl::list<std::string> targets(
    "target",
    cl::desc("Halide targets (default: host); several CPU targets are "
             "picked from at run time, first usable first; 'cuda' adds "
             "CUDA kernels"),
    cl::value_desc("T[,T]"), cl::CommaSeparated, cl::cat(actcCategory));

cl::list<std::string> kernelNames(
    "kernels",
    cl::desc("Kernels to generate (default: all): forward, backward, "
             "bias_forward, bias_backward, linear_forward"),
    cl::value_desc("K[,K]"), cl::CommaSeparated, cl::cat(actcCategory));

cl::opt<std::string> evalName(
    "eval", cl::desc("Evaluate activation NAME on numbers read from stdin"),
    cl::value_desc("NAME"), cl::cat(actcCategory));

cl::opt<bool> evalGrad("grad", cl::desc("With --eval: print f'(x) instead"),
                       cl::cat(actcCategory));

cl::opt<std::string> depfilePath(
    "depfile",
    cl::desc("Also write a Make/Ninja depfile: the output (PATH.a, PATH.so "
             "or -o) depends on every FILE and every file they import"),
    cl::value_desc("DEPFILE"), cl::cat(actcCategory));

cl::list<std::string> setParams(
    "set", cl::desc("With --eval: override a parameter's default"),
    cl::value_desc("P=V"), cl::cat(actcCategory));

/// A usage error: message, hint, exit 2.
int usageError(const llvm::Twine &message) {
  llvm::errs() << "actc: error: " << message << "\n"
               << "Run 'actc --help' for usage.\n";
  return kUsageError;
}

int inputError(const llvm::Twine &message) {
  llvm::errs() << "actc: error: " << message << "\n";
  return kInputError;
}

/// Parses "P=V" options into names and float values.
bool parseSetOptions(std::map<std::string, float> &values,
                     std::string &error) {
  for (const std::string &option : setParams) {
    auto [name, text] = llvm::StringRef(option).split('=');
    char *end = nullptr;
    std::string valueText = text.str();
    float value = std::strtof(valueText.c_str(), &end);
    if (name.empty() || valueText.empty() || *end != '\0') {
      error = "--set expects P=V with a number V, got '" + option + "'";
      return false;
    }
    values[name.str()] = value;
  }
  return true;
}

/// One token of --eval input: a float, or nan/inf/-inf.
bool parseNumber(llvm::StringRef token, float &value) {
  std::string text = token.lower();
  char *end = nullptr;
  value = std::strtof(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}

void printNumber(llvm::raw_ostream &os, float value) {
  if (std::isnan(value))
    os << "nan\n";
  else if (std::isinf(value))
    os << (value > 0 ? "inf\n" : "-inf\n");
  else
    os << llvm::format("%.9g\n", static_cast<double>(value));
}

/// The activations a compile covers: --act, else every one in the main file.
bool selectActivations(mlir::ModuleOp module, std::vector<ActivationOp> &out) {
  if (actNames.empty()) {
    for (ActivationOp op : module.getOps<ActivationOp>())
      if (!op.sym_visibility() && !op.derivative_of())
        out.push_back(op);
    return true;
  }
  for (const std::string &name : actNames) {
    auto op = module.lookupSymbol<ActivationOp>(name);
    if (!op) {
      inputError("no activation named '" + name + "'");
      return false;
    }
    out.push_back(op);
  }
  return true;
}

bool selectKernels(std::vector<KernelKind> &out, std::string &error) {
  if (kernelNames.empty()) {
    out.assign(allKernelKinds().begin(), allKernelKinds().end());
    return true;
  }
  for (const std::string &name : kernelNames) {
    std::optional<KernelKind> kind = parseKernelName(name);
    if (!kind) {
      std::string known;
      for (KernelKind each : allKernelKinds())
        known += (known.empty() ? "" : ", ") + kernelName(each).str();
      error = "unknown kernel '" + name + "' (known: " + known + ")";
      return false;
    }
    out.push_back(*kind);
  }
  return true;
}

/// The output stream of a text stage: -o PATH, else stdout.
std::unique_ptr<llvm::ToolOutputFile> openOutput(std::string &error) {
  std::string path = outputPath.empty() ? "-" : outputPath.getValue();
  std::error_code ec;
  auto file = std::make_unique<llvm::ToolOutputFile>(path, ec,
                                                     llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return nullptr;
  }
  return file;
}

/// The library prefix: -o PATH, else the first FILE without its extension.
std::string libraryPrefix() {
  if (!outputPath.empty())
    return outputPath;
  llvm::SmallString<128> prefix(llvm::sys::path::filename(inputFiles.front()));
  llvm::sys::path::replace_extension(prefix, "");
  return std::string(prefix);
}

/// Whether the source is standard input (then the only FILE).
bool readsStdin() { return inputFiles.front() == "-"; }

/// The FILEs as messages and the generated header name them.
std::string sourceNames() {
  return readsStdin() ? "<stdin>" : llvm::join(inputFiles, ", ");
}

/// `path` as a Make depfile spells a file name.
std::string escapeForMake(llvm::StringRef path) {
  std::string escaped;
  for (char c : path) {
    if (c == '$')
      escaped += '$';
    else if (c == ' ' || c == '#')
      escaped += '\\';
    escaped += c;
  }
  return escaped;
}

/// Writes --depfile: the output a build rule produces, then every file on
/// disk the program was read from (the embedded std.act is part of actc).
int writeDepfile(const Program &program) {
  llvm::SmallString<256> output(emit == Emit::Lib      ? libraryPrefix() + ".a"
                                : emit == Emit::Plugin ? libraryPrefix() + ".so"
                                                       : outputPath.getValue());
  llvm::sys::fs::make_absolute(output);
  std::string text = escapeForMake(output) + ":";
  for (const auto &file : program.files)
    if (!file->realPath.empty())
      text += " \\\n  " + escapeForMake(file->realPath);
  text += "\n";
  if (llvm::Error error = writeFileAtomically(depfilePath, text))
    return inputError(llvm::toString(std::move(error)));
  return kSuccess;
}

int runEval(mlir::ModuleOp module, const TargetSet &targets) {
  if (targets.cuda)
    return usageError("--eval runs on the CPU: leave 'cuda' out of --target");
  const KernelTarget &target = targets.cpu.front();
  if (readsStdin())
    return usageError("--eval reads numbers from stdin, so FILE cannot be '-'");
  auto activation = module.lookupSymbol<ActivationOp>(evalName);
  if (!activation)
    return inputError("no activation named '" + evalName + "' in '" +
                      sourceNames() + "'");
  std::map<std::string, float> params;
  std::string error;
  if (!parseSetOptions(params, error))
    return usageError(error);
  for (const auto &[name, value] : params) {
    bool known = false;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      known |= activation.getParamName(i) == name;
    if (!known)
      return inputError("'" + evalName + "' has no parameter '" + name + "'");
  }

  auto stdinText = llvm::MemoryBuffer::getSTDIN();
  if (!stdinText)
    return inputError("cannot read standard input");
  llvm::SmallVector<llvm::StringRef> tokens;
  llvm::SplitString((*stdinText)->getBuffer(), tokens);
  std::vector<float> inputs;
  for (llvm::StringRef token : tokens) {
    float value;
    if (!parseNumber(token, value))
      return inputError("'" + token + "' on standard input is not a number");
    inputs.push_back(value);
  }
  auto outputs = evaluate(activation, evalGrad, inputs, params, target);
  if (mlir::failed(outputs))
    return kInputError;
  for (float value : *outputs)
    printNumber(llvm::outs(), value);
  return kSuccess;
}

int runCompile(mlir::ModuleOp module, const TargetSet &targets) {
  CompileRequest request;
  request.targets = targets;
  request.sourceName = sourceNames();
  std::string error;
  if (!selectKernels(request.kernels, error))
    return usageError(error);
  if (!selectActivations(module, request.activations))
    return kInputError;
  if (request.activations.empty())
    return inputError("'" + request.sourceName + "' defines no activation");

  if (emit == Emit::Lib) {
    if (readsStdin() && outputPath.empty())
      return usageError("-o is required for --emit=lib when FILE is '-'");
    return mlir::succeeded(emitLibrary(request, libraryPrefix()))
               ? kSuccess
               : kInputError;
  }
  if (emit == Emit::Plugin) {
    if (readsStdin() && outputPath.empty())
      return usageError("-o is required for --emit=plugin when FILE is '-'");
    return mlir::succeeded(emitPlugin(request, libraryPrefix()))
               ? kSuccess
               : kInputError;
  }
  if (emit == Emit::PTX && !targets.cuda)
    return usageError("--emit=ptx needs a CUDA target, e.g. --target=host,cuda");

  auto output = openOutput(error);
  if (!output)
    return inputError(error);
  TextStage stage = emit == Emit::Halide ? TextStage::HalideStmt
                    : emit == Emit::LLVM ? TextStage::LLVMIR
                    : emit == Emit::PTX  ? TextStage::PTX
                                         : TextStage::Assembly;
  if (mlir::failed(emitText(request, stage, output->os())))
    return kInputError;
  output->keep();
  return kSuccess;
}

/// Prints the module, or with --act only those activations.
int printMLIR(mlir::ModuleOp module) {
  std::vector<ActivationOp> selected;
  if (!actNames.empty() && !selectActivations(module, selected))
    return kInputError;
  std::string error;
  auto output = openOutput(error);
  if (!output)
    return inputError(error);
  if (actNames.empty())
    module.print(output->os());
  for (ActivationOp op : selected) {
    op.print(output->os());
    output->os() << "\n";
  }
  output->keep();
  return kSuccess;
}

/// Every stage up to --emit's (or --eval) on the loaded program.
int runStages(const Program &program, llvm::SourceMgr &sourceMgr) {
  std::string error;
  if (emit == Emit::AST) {
    auto output = openOutput(error);
    if (!output)
      return inputError(error);
    dumpAST(program, sourceMgr, output->os());
    output->keep();
    return kSuccess;
  }

  mlir::MLIRContext context;
  // MLIR's own errors (verifier, passes) print like the front end's: the
  // location, the source line and a caret.
  mlir::SourceMgrDiagnosticHandler mlirDiagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlirGen(context, program, sourceMgr);
  if (!module)
    return kInputError;
  if (emit == Emit::MLIR)
    return printMLIR(*module);
  if (mlir::failed(optimize(*module)))
    return kInputError;
  if (emit == Emit::MLIROpt)
    return printMLIR(*module);

  auto target = parseTargets(targets, error);
  if (mlir::failed(target))
    return usageError(error);
  if (!evalName.empty())
    return runEval(*module, *target);
  return runCompile(*module, *target);
}

int run() {
  llvm::SourceMgr sourceMgr;
  DiagnosticEngine diags(sourceMgr, llvm::errs());
  std::unique_ptr<Program> program = loadProgramFromFiles(inputFiles, diags);
  if (!program)
    return kInputError;
  int status = runStages(*program, sourceMgr);
  if (status != kSuccess || depfilePath.empty())
    return status;
  return writeDepfile(*program);
}

void printVersion(llvm::raw_ostream &os) {
  os << "actc " << ACTC_VERSION << " (MLIR 14, Halide 14)\n";
}

} // namespace

int main(int argc, char **argv) {
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(actcCategory);
  cl::SetVersionPrinter(printVersion);

  std::string parseErrors;
  llvm::raw_string_ostream errorStream(parseErrors);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "actc: compile activation functions (.act) to CPU kernels\n\n"
          "  actc FILE.act... [options]           compile (default: "
          "--emit=lib)\n"
          "  actc FILE.act --eval=NAME [options]  run one activation on "
          "numbers from stdin\n",
          &errorStream)) {
    errorStream.flush();
    llvm::errs() << parseErrors;
    llvm::errs() << "Run 'actc --help' for usage.\n";
    return kUsageError;
  }
  if (inputFiles.empty())
    return usageError("no input file");
  if (inputFiles.size() > 1 && llvm::is_contained(inputFiles, "-"))
    return usageError("'-' (standard input) cannot be combined with other "
                      "files");
  if (!depfilePath.empty() &&
      (!evalName.empty() ||
       (emit != Emit::Lib && emit != Emit::Plugin && outputPath.empty())))
    return usageError("--depfile lists what an output file depends on: use "
                      "it with --emit=lib, --emit=plugin or -o");
  if (!evalName.empty() && emit.getNumOccurrences() != 0)
    return usageError("--eval and --emit cannot be combined");
  if (evalName.empty() && (evalGrad || !setParams.empty()))
    return usageError("--grad and --set need --eval=NAME");
  return run();
}
