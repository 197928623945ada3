// The abstract syntax tree of a .act program: expressions, activations, files.
#ifndef ACTC_DSL_AST_H
#define ACTC_DSL_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
class SourceMgr;
} // namespace llvm

namespace act {

/// Every node knows the source text it came from; diagnostics and MLIR
/// locations are derived from these ranges.
class Expr {
public:
  enum class Kind { Number, Name, Unary, Binary, Cond, Let, Call };

  Expr(Kind kind, llvm::SMRange range, unsigned height = 1)
      : kind(kind), range(range), height(height) {}
  virtual ~Expr() = default;

  Kind getKind() const { return kind; }
  /// The source text of the node; `End` is one past its last character.
  llvm::SMRange getRange() const { return range; }
  llvm::SMLoc getLoc() const { return range.Start; }
  /// The number of nodes on the longest path from here down to a leaf (a leaf
  /// is 1). The parser bounds it, so recursive walks cannot exhaust the stack.
  unsigned getHeight() const { return height; }

private:
  Kind kind;
  llvm::SMRange range;
  unsigned height;
};

using ExprPtr = std::unique_ptr<Expr>;

/// A numeric literal, kept in double precision (constants fold in double).
class NumberExpr : public Expr {
public:
  NumberExpr(llvm::SMRange range, double value)
      : Expr(Kind::Number, range), value(value) {}
  double getValue() const { return value; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Number; }

private:
  double value;
};

/// A reference to the input, a parameter, a let binding, `y` in a grad
/// clause, or a named constant (pi, inf, nan).
class NameExpr : public Expr {
public:
  NameExpr(llvm::SMRange range, std::string name)
      : Expr(Kind::Name, range), name(std::move(name)) {}
  llvm::StringRef getName() const { return name; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Name; }

private:
  std::string name;
};

enum class UnaryOp { Neg, Not };

class UnaryExpr : public Expr {
public:
  UnaryExpr(llvm::SMRange range, UnaryOp op, ExprPtr operand)
      : Expr(Kind::Unary, range, 1 + operand->getHeight()), op(op),
        operand(std::move(operand)) {}
  UnaryOp getOp() const { return op; }
  const Expr &getOperand() const { return *operand; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Unary; }

private:
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp { Add, Sub, Mul, Div, Pow, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

/// The operator's spelling as written in .act ("+", "<=", "&&", ...).
llvm::StringRef spelling(BinaryOp op);

class BinaryExpr : public Expr {
public:
  BinaryExpr(llvm::SMRange range, BinaryOp op, llvm::SMLoc opLoc, ExprPtr lhs,
             ExprPtr rhs)
      : Expr(Kind::Binary, range,
             1 + std::max(lhs->getHeight(), rhs->getHeight())),
        op(op), opLoc(opLoc), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BinaryOp getOp() const { return op; }
  llvm::SMLoc getOpLoc() const { return opLoc; }
  const Expr &getLHS() const { return *lhs; }
  const Expr &getRHS() const { return *rhs; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Binary; }

private:
  BinaryOp op;
  llvm::SMLoc opLoc;
  ExprPtr lhs, rhs;
};

/// `cond ? thenExpr : elseExpr`, selected per element.
class CondExpr : public Expr {
public:
  CondExpr(llvm::SMRange range, ExprPtr cond, ExprPtr thenExpr,
           ExprPtr elseExpr)
      : Expr(Kind::Cond, range,
             1 + std::max({cond->getHeight(), thenExpr->getHeight(),
                           elseExpr->getHeight()})),
        cond(std::move(cond)), thenExpr(std::move(thenExpr)),
        elseExpr(std::move(elseExpr)) {}
  const Expr &getCond() const { return *cond; }
  const Expr &getThen() const { return *thenExpr; }
  const Expr &getElse() const { return *elseExpr; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Cond; }

private:
  ExprPtr cond, thenExpr, elseExpr;
};

struct Binding {
  std::string name;
  llvm::SMRange nameRange;
  ExprPtr value;
};

/// `let a = e1, b = e2 in body`; each binding sees the ones before it.
class LetExpr : public Expr {
public:
  LetExpr(llvm::SMRange range, std::vector<Binding> bindings, ExprPtr body)
      : Expr(Kind::Let, range, 1 + heightOf(bindings, *body)),
        bindings(std::move(bindings)), body(std::move(body)) {}
  const std::vector<Binding> &getBindings() const { return bindings; }
  const Expr &getBody() const { return *body; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Let; }

private:
  static unsigned heightOf(const std::vector<Binding> &bindings,
                           const Expr &body) {
    unsigned height = body.getHeight();
    for (const Binding &binding : bindings)
      height = std::max(height, binding.value->getHeight());
    return height;
  }

  std::vector<Binding> bindings;
  ExprPtr body;
};

struct NamedArg {
  std::string name;
  llvm::SMRange nameRange;
  ExprPtr value;
};

/// A call of a built-in function or of another activation. Positional
/// arguments come first, then named ones.
class CallExpr : public Expr {
public:
  CallExpr(llvm::SMRange range, std::string callee, llvm::SMRange calleeRange,
           std::vector<ExprPtr> args, std::vector<NamedArg> namedArgs)
      : Expr(Kind::Call, range, 1 + heightOf(args, namedArgs)),
        callee(std::move(callee)), calleeRange(calleeRange),
        args(std::move(args)), namedArgs(std::move(namedArgs)) {}
  llvm::StringRef getCallee() const { return callee; }
  llvm::SMRange getCalleeRange() const { return calleeRange; }
  const std::vector<ExprPtr> &getArgs() const { return args; }
  const std::vector<NamedArg> &getNamedArgs() const { return namedArgs; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Call; }

private:
  static unsigned heightOf(const std::vector<ExprPtr> &args,
                           const std::vector<NamedArg> &namedArgs) {
    unsigned height = 0;
    for (const ExprPtr &arg : args)
      height = std::max(height, arg->getHeight());
    for (const NamedArg &arg : namedArgs)
      height = std::max(height, arg.value->getHeight());
    return height;
  }

  std::string callee;
  llvm::SMRange calleeRange;
  std::vector<ExprPtr> args;
  std::vector<NamedArg> namedArgs;
};

/// A scalar parameter after the input: `alpha = 1.0` or `learn a = 0.25`.
struct Param {
  std::string name;
  llvm::SMRange nameRange;
  double defaultValue = 0;
  bool learn = false;
};

/// `act NAME(x, params...) = body [grad gradExpr]`.
struct Activation {
  std::string name;
  llvm::SMRange nameRange;
  llvm::SMRange range; // From `act` to the end of the last expression.
  std::string input;   // The name of the elementwise input, usually `x`.
  llvm::SMRange inputRange;
  std::vector<Param> params;
  ExprPtr body;
  ExprPtr grad; // Null when the derivative is derived automatically.
  /// The source file (SourceMgr buffer id) that defines it.
  unsigned bufferId = 0;
  /// The `#` comment lines directly above the definition, without the `#`.
  std::string doc;

  /// The index of the parameter called `name`, if there is one.
  std::optional<unsigned> findParam(llvm::StringRef name) const;
};

struct Import {
  std::string path; // As written, without quotes.
  llvm::SMRange range;
  llvm::SMRange pathRange; // The quoted path.
};

/// One parsed .act file.
struct File {
  std::string path; // As opened (what diagnostics print).
  /// Where it is on disk, for the dependency files of builds; empty for
  /// standard input, the standard library compiled into actc and source
  /// text given in memory.
  std::string realPath;
  /// Given to actc rather than imported: its activations are public (an
  /// imported file's are private to the files that call them).
  bool isMain = false;
  unsigned bufferId = 0;
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Activation>> activations;
};

/// A file with everything it imports, checked and ready for MLIR generation.
struct Program {
  /// The files in dependency order: every import before its importer.
  std::vector<std::unique_ptr<File>> files;

  /// The main files, in dependency order.
  std::vector<const File *> mainFiles() const;
  /// The first main file (the only one, but for `actc A.act B.act`).
  const File &mainFile() const { return *mainFiles().front(); }
  /// The activation called `name` in any file, or null.
  const Activation *lookup(llvm::StringRef name) const;
  /// Every activation, imported ones first, in source order.
  std::vector<const Activation *> allActivations() const;
};

/// Prints the tree for `actc --emit=ast`.
void dumpAST(const Program &program, const llvm::SourceMgr &sourceMgr,
             llvm::raw_ostream &os);

} // namespace act

#endif // ACTC_DSL_AST_H
