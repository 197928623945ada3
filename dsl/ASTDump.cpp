// Prints the AST of the main files for `actc --emit=ast`: one node per line,
// children indented under their parent, each with its <line:col>.
#include "dsl/AST.h"
#include "dsl/SourceLocator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace act;

/// The shortest decimal that reads back as `value`, in positional notation
/// unless that would be long: "1", "0.001", "25000", "1e+20".
static std::string formatNumber(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  if (value == 0)
    return std::signbit(value) ? "-0" : "0";
  int digits = 1;
  char text[64];
  for (; digits < 17; ++digits) {
    std::snprintf(text, sizeof(text), "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  int exponent = int(std::floor(std::log10(std::fabs(value))));
  if (exponent < -5 || exponent > 16)
    std::snprintf(text, sizeof(text), "%.*g", digits, value);
  else
    std::snprintf(text, sizeof(text), "%.*f",
                  std::max(0, digits - 1 - exponent), value);
  return text;
}

namespace {

class ASTDumper {
public:
  ASTDumper(const llvm::SourceMgr &sourceMgr, unsigned bufferId,
            llvm::raw_ostream &os)
      : locator(sourceMgr), bufferId(bufferId), os(os) {}

  void dump(const File &file);

private:
  void dump(const Activation &activation);
  void dump(const Expr &expr);
  void dumpLet(const LetExpr &let);
  void dumpCall(const CallExpr &call);

  /// Starts the line of a node: the indentation for its depth.
  llvm::raw_ostream &line() { return os.indent(2 * indent); }
  /// Ends a node's line with its location.
  void end(llvm::SMLoc loc) {
    auto [lineNo, column] = locator.getLineAndColumn(loc, bufferId);
    os << " <" << lineNo << ':' << column << ">\n";
  }
  void dumpChild(const Expr &expr) {
    ++indent;
    dump(expr);
    --indent;
  }

  SourceLocator locator;
  unsigned bufferId;
  llvm::raw_ostream &os;
  unsigned indent = 0;
};

} // namespace

void ASTDumper::dump(const File &file) {
  os << "File \"";
  llvm::printEscapedString(file.path, os);
  os << "\"\n";
  ++indent;
  for (const Import &import : file.imports) {
    line() << "Import \"";
    llvm::printEscapedString(import.path, os);
    os << '"';
    end(import.range.Start);
  }
  for (const std::unique_ptr<Activation> &activation : file.activations)
    dump(*activation);
  --indent;
}

void ASTDumper::dump(const Activation &activation) {
  line() << "Activation " << activation.name;
  auto [lineNo, column] =
      locator.getLineAndColumn(activation.range.Start, bufferId);
  os << " <" << lineNo << ':' << column << "> input=" << activation.input
     << '\n';
  ++indent;
  if (!activation.doc.empty()) {
    line() << "Doc \"";
    llvm::printEscapedString(activation.doc, os);
    os << "\"\n";
  }
  for (const Param &param : activation.params) {
    line() << "Param " << (param.learn ? "learn " : "") << param.name << " = "
           << formatNumber(param.defaultValue);
    end(param.nameRange.Start);
  }
  line() << "Body\n";
  dumpChild(*activation.body);
  if (activation.grad) {
    line() << "Grad\n";
    dumpChild(*activation.grad);
  }
  --indent;
}

void ASTDumper::dump(const Expr &expr) {
  if (const auto *number = llvm::dyn_cast<NumberExpr>(&expr)) {
    line() << "Number " << formatNumber(number->getValue());
    return end(expr.getLoc());
  }
  if (const auto *name = llvm::dyn_cast<NameExpr>(&expr)) {
    line() << "Name " << name->getName();
    return end(expr.getLoc());
  }
  if (const auto *unary = llvm::dyn_cast<UnaryExpr>(&expr)) {
    line() << "Unary '" << (unary->getOp() == UnaryOp::Neg ? "-" : "!") << "'";
    end(expr.getLoc());
    return dumpChild(unary->getOperand());
  }
  if (const auto *binary = llvm::dyn_cast<BinaryExpr>(&expr)) {
    line() << "Binary '" << spelling(binary->getOp()) << "'";
    end(expr.getLoc());
    dumpChild(binary->getLHS());
    return dumpChild(binary->getRHS());
  }
  if (const auto *cond = llvm::dyn_cast<CondExpr>(&expr)) {
    line() << "Cond";
    end(expr.getLoc());
    dumpChild(cond->getCond());
    dumpChild(cond->getThen());
    return dumpChild(cond->getElse());
  }
  if (const auto *let = llvm::dyn_cast<LetExpr>(&expr))
    return dumpLet(*let);
  if (const auto *call = llvm::dyn_cast<CallExpr>(&expr))
    return dumpCall(*call);
}

/// The bindings, each with its value below it, then the body.
void ASTDumper::dumpLet(const LetExpr &let) {
  line() << "Let";
  end(let.getLoc());
  ++indent;
  for (const Binding &binding : let.getBindings()) {
    line() << "Binding " << binding.name;
    end(binding.nameRange.Start);
    dumpChild(*binding.value);
  }
  --indent;
  dumpChild(let.getBody());
}

/// The positional arguments, then each named one as `Arg NAME` with its
/// value below it.
void ASTDumper::dumpCall(const CallExpr &call) {
  line() << "Call " << call.getCallee();
  end(call.getLoc());
  for (const ExprPtr &arg : call.getArgs())
    dumpChild(*arg);
  ++indent;
  for (const NamedArg &arg : call.getNamedArgs()) {
    line() << "Arg " << arg.name;
    end(arg.nameRange.Start);
    dumpChild(*arg.value);
  }
  --indent;
}

void act::dumpAST(const Program &program, const llvm::SourceMgr &sourceMgr,
                  llvm::raw_ostream &os) {
  for (const File *file : program.mainFiles())
    ASTDumper(sourceMgr, file->bufferId, os).dump(*file);
}
