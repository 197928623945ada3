// AST -> MLIR: expressions become arith/math/act ops on f32 (and i1 for tests).
#include "compiler/mlir/MLIRGen.h"

#include "compiler/mlir/ActDialect.h"
#include "compiler/passes/Passes.h"
#include "dsl/Builtins.h"
#include "dsl/SourceLocator.h"

#include "llvm/ADT/ScopedHashTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace act;

namespace {

class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, const Program &program,
              const llvm::SourceMgr &sourceMgr)
      : builder(&context), program(program), sourceMgr(sourceMgr),
        locator(sourceMgr) {
    for (const Activation *activation : program.allActivations())
      activations.try_emplace(activation->name, activation);
  }

  OwningOpRef<ModuleOp> generate() {
    OwningOpRef<ModuleOp> module = ModuleOp::create(
        loc(program.mainFile().bufferId, llvm::SMLoc()));
    for (const auto &file : program.files)
      for (const auto &activation : file->activations) {
        builder.setInsertionPointToEnd(module->getBody());
        genActivation(*activation, /*isPrivate=*/!file->isMain);
      }
    if (failed(verify(*module))) {
      module->emitError("generated IR failed to verify");
      return nullptr;
    }
    return module;
  }

private:
  OpBuilder builder;
  const Program &program;
  const llvm::SourceMgr &sourceMgr;
  SourceLocator locator;
  /// Every activation by name (Sema has checked that names are unique).
  llvm::StringMap<const Activation *> activations;
  /// What each name in scope means: the input, a parameter, a let binding.
  llvm::ScopedHashTable<llvm::StringRef, Value> scope;
  unsigned currentBuffer = 0;

  Location loc(unsigned bufferId, llvm::SMLoc where) {
    StringRef file =
        sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier();
    if (!where.isValid())
      return FileLineColLoc::get(builder.getContext(), file, 0, 0);
    auto [line, col] = locator.getLineAndColumn(where, bufferId);
    return FileLineColLoc::get(builder.getContext(), file, line, col);
  }
  Location loc(llvm::SMLoc where) { return loc(currentBuffer, where); }

  /// The activation, and its `grad` clause as the derivative `NAME.d_x`
  /// (what the Differentiate pass would otherwise derive).
  void genActivation(const Activation &activation, bool isPrivate) {
    ActivationOp forward =
        genFunction(activation, activation.name, *activation.body, isPrivate);
    if (!activation.grad)
      return;
    ActivationOp derivative =
        genFunction(activation, derivativeName(activation.name, activation.input),
                    *activation.grad, isPrivate, forward);
    derivative.derivative_ofAttr(builder.getStringAttr(activation.name));
    derivative.wrtAttr(builder.getStringAttr(activation.input));
    derivative.removeDocAttr();
  }

  /// An act.activation with the activation's arguments computing `body`. In
  /// a grad clause (`forward` set), `y` is the forward result unless an
  /// argument is called `y`.
  ActivationOp genFunction(const Activation &activation, llvm::StringRef name,
                           const Expr &body, bool isPrivate,
                           ActivationOp forward = nullptr) {
    currentBuffer = activation.bufferId;
    SmallVector<Attribute> names{builder.getStringAttr(activation.input)};
    SmallVector<Attribute> defaults, learn;
    for (const Param &param : activation.params) {
      names.push_back(builder.getStringAttr(param.name));
      defaults.push_back(builder.getF64FloatAttr(param.defaultValue));
      learn.push_back(builder.getBoolAttr(param.learn));
    }
    Location location = loc(activation.nameRange.Start);
    auto op = builder.create<ActivationOp>(
        location, builder.getStringAttr(name),
        isPrivate ? builder.getStringAttr("private") : StringAttr(),
        builder.getArrayAttr(names), builder.getArrayAttr(defaults),
        builder.getArrayAttr(learn),
        activation.doc.empty() ? StringAttr()
                               : builder.getStringAttr(activation.doc),
        /*derivative_of=*/StringAttr(), /*wrt=*/StringAttr());

    Type f32 = builder.getF32Type();
    SmallVector<Type> argTypes(names.size(), f32);
    SmallVector<Location> argLocs{loc(activation.inputRange.Start)};
    for (const Param &param : activation.params)
      argLocs.push_back(loc(param.nameRange.Start));
    OpBuilder::InsertionGuard guard(builder);
    Block *block = builder.createBlock(&op.body(), {}, argTypes, argLocs);

    llvm::ScopedHashTableScope<llvm::StringRef, Value> argScope(scope);
    if (forward) {
      Value y = builder.create<CallOp>(loc(body.getLoc()), builder.getF32Type(),
                                       forward.sym_name(),
                                       ValueRange(block->getArguments()));
      scope.insert("y", y);
    }
    scope.insert(activation.input, block->getArgument(0));
    for (unsigned i = 0, e = activation.params.size(); i != e; ++i)
      scope.insert(activation.params[i].name, block->getArgument(i + 1));
    Value result = asFloat(genExpr(body));
    builder.create<ReturnOp>(loc(body.getLoc()), result);
    return op;
  }

  Value constant(Location location, double value) {
    return builder.create<ConstantOp>(location, value);
  }

  /// A test used as a number is 1 or 0, as in C.
  Value asFloat(Value value) {
    if (value.getType().isF32())
      return value;
    return builder.create<arith::UIToFPOp>(value.getLoc(),
                                           builder.getF32Type(), value);
  }

  /// A number used as a test is true unless it is zero (NaN is true), as in C.
  Value asBool(Value value) {
    if (value.getType().isInteger(1))
      return value;
    Value zero = constant(value.getLoc(), 0.0);
    return builder.create<arith::CmpFOp>(value.getLoc(),
                                         arith::CmpFPredicate::UNE, value,
                                         zero);
  }

  Value genExpr(const Expr &expr) {
    switch (expr.getKind()) {
    case Expr::Kind::Number:
      return constant(loc(expr.getLoc()),
                      llvm::cast<NumberExpr>(expr).getValue());
    case Expr::Kind::Name:
      return genName(llvm::cast<NameExpr>(expr));
    case Expr::Kind::Unary:
      return genUnary(llvm::cast<UnaryExpr>(expr));
    case Expr::Kind::Binary:
      return genBinary(llvm::cast<BinaryExpr>(expr));
    case Expr::Kind::Cond:
      return genCond(llvm::cast<CondExpr>(expr));
    case Expr::Kind::Let:
      return genLet(llvm::cast<LetExpr>(expr));
    case Expr::Kind::Call:
      return genCall(llvm::cast<CallExpr>(expr));
    }
    llvm_unreachable("unknown expression kind");
  }

  Value genName(const NameExpr &name) {
    if (Value bound = scope.lookup(name.getName()))
      return bound;
    // Sema has checked every other name is a named constant.
    return constant(loc(name.getLoc()),
                    namedConstantValue(*lookupNamedConstant(name.getName())));
  }

  Value genUnary(const UnaryExpr &unary) {
    Location location = loc(unary.getLoc());
    Value operand = genExpr(unary.getOperand());
    if (unary.getOp() == UnaryOp::Neg)
      return builder.create<arith::NegFOp>(location, asFloat(operand));
    Value one = builder.create<arith::ConstantIntOp>(location, 1, 1);
    return builder.create<arith::XOrIOp>(location, asBool(operand), one);
  }

  Value genBinary(const BinaryExpr &binary) {
    Location location = loc(binary.getOpLoc());
    Value lhs = genExpr(binary.getLHS());
    Value rhs = genExpr(binary.getRHS());
    switch (binary.getOp()) {
    case BinaryOp::And:
      return builder.create<arith::AndIOp>(location, asBool(lhs), asBool(rhs));
    case BinaryOp::Or:
      return builder.create<arith::OrIOp>(location, asBool(lhs), asBool(rhs));
    default:
      break;
    }
    lhs = asFloat(lhs);
    rhs = asFloat(rhs);
    switch (binary.getOp()) {
    case BinaryOp::Add:
      return builder.create<arith::AddFOp>(location, lhs, rhs);
    case BinaryOp::Sub:
      return builder.create<arith::SubFOp>(location, lhs, rhs);
    case BinaryOp::Mul:
      return builder.create<arith::MulFOp>(location, lhs, rhs);
    case BinaryOp::Div:
      return builder.create<arith::DivFOp>(location, lhs, rhs);
    case BinaryOp::Pow:
      return builder.create<math::PowFOp>(location, lhs, rhs);
    default:
      return builder.create<arith::CmpFOp>(location, comparison(binary.getOp()),
                                           lhs, rhs);
    }
  }

  /// Comparisons are ordered (false when NaN is involved) except `!=`, which
  /// is true for NaN, as in C.
  static arith::CmpFPredicate comparison(BinaryOp op) {
    switch (op) {
    case BinaryOp::Lt:
      return arith::CmpFPredicate::OLT;
    case BinaryOp::Le:
      return arith::CmpFPredicate::OLE;
    case BinaryOp::Gt:
      return arith::CmpFPredicate::OGT;
    case BinaryOp::Ge:
      return arith::CmpFPredicate::OGE;
    case BinaryOp::Eq:
      return arith::CmpFPredicate::OEQ;
    case BinaryOp::Ne:
      return arith::CmpFPredicate::UNE;
    default:
      llvm_unreachable("not a comparison");
    }
  }

  Value genCond(const CondExpr &cond) {
    Value test = asBool(genExpr(cond.getCond()));
    Value thenValue = asFloat(genExpr(cond.getThen()));
    Value elseValue = asFloat(genExpr(cond.getElse()));
    return builder.create<SelectOp>(loc(cond.getLoc()), test, thenValue,
                                    elseValue);
  }

  Value genLet(const LetExpr &let) {
    llvm::ScopedHashTableScope<llvm::StringRef, Value> letScope(scope);
    for (const Binding &binding : let.getBindings())
      scope.insert(binding.name, genExpr(*binding.value));
    return genExpr(let.getBody());
  }

  Value genCall(const CallExpr &call) {
    Location location = loc(call.getCalleeRange().Start);
    SmallVector<Value> args;
    for (const ExprPtr &arg : call.getArgs())
      args.push_back(asFloat(genExpr(*arg)));
    if (const BuiltinInfo *builtin = lookupBuiltin(call.getCallee()))
      return genBuiltin(builtin->id, args, location);
    return genActivationCall(call, args, location);
  }

  /// Binds every callee parameter: positional, then named, then its default.
  Value genActivationCall(const CallExpr &call, SmallVector<Value> args,
                          Location location) {
    const Activation *callee = activations.lookup(call.getCallee());
    SmallVector<Value> operands(callee->params.size() + 1);
    llvm::copy(args, operands.begin());
    for (const NamedArg &named : call.getNamedArgs()) {
      unsigned index = named.name == callee->input
                           ? 0
                           : *callee->findParam(named.name) + 1;
      operands[index] = asFloat(genExpr(*named.value));
    }
    for (unsigned i = 0, e = callee->params.size(); i != e; ++i)
      if (!operands[i + 1])
        operands[i + 1] = constant(location, callee->params[i].defaultValue);
    return builder.create<CallOp>(location, builder.getF32Type(),
                                  callee->name, operands);
  }

  Value genBuiltin(Builtin id, ArrayRef<Value> a, Location l) {
    switch (id) {
    case Builtin::Exp:
      return builder.create<math::ExpOp>(l, a[0]);
    case Builtin::Log:
      return builder.create<math::LogOp>(l, a[0]);
    case Builtin::Sqrt:
      return builder.create<math::SqrtOp>(l, a[0]);
    case Builtin::Rsqrt:
      return builder.create<math::RsqrtOp>(l, a[0]);
    case Builtin::Abs:
      return builder.create<math::AbsOp>(l, a[0]);
    case Builtin::Sign:
      return builder.create<SignOp>(l, a[0]);
    case Builtin::Floor:
      return builder.create<math::FloorOp>(l, a[0]);
    case Builtin::Ceil:
      return builder.create<math::CeilOp>(l, a[0]);
    case Builtin::Round:
      return builder.create<RoundOp>(l, a[0]);
    case Builtin::Expm1:
      return builder.create<math::ExpM1Op>(l, a[0]);
    case Builtin::Log1p:
      return builder.create<math::Log1pOp>(l, a[0]);
    case Builtin::Tanh:
      return builder.create<math::TanhOp>(l, a[0]);
    case Builtin::Sigmoid:
      return builder.create<SigmoidOp>(l, a[0]);
    case Builtin::Erf:
      return builder.create<math::ErfOp>(l, a[0]);
    case Builtin::Erfc:
      return builder.create<ErfcOp>(l, a[0]);
    case Builtin::Sin:
      return builder.create<math::SinOp>(l, a[0]);
    case Builtin::Cos:
      return builder.create<math::CosOp>(l, a[0]);
    case Builtin::Atan:
      return builder.create<math::AtanOp>(l, a[0]);
    case Builtin::Min:
      return builder.create<arith::MinFOp>(l, a[0], a[1]);
    case Builtin::Max:
      return builder.create<arith::MaxFOp>(l, a[0], a[1]);
    case Builtin::Clamp: {
      Value low = builder.create<arith::MaxFOp>(l, a[0], a[1]);
      return builder.create<arith::MinFOp>(l, low, a[2]);
    }
    case Builtin::Pow:
      return builder.create<math::PowFOp>(l, a[0], a[1]);
    }
    llvm_unreachable("unknown builtin");
  }
};

} // namespace

void act::loadDialects(MLIRContext &context) {
  context.loadDialect<ActDialect, arith::ArithmeticDialect, math::MathDialect>();
}

OwningOpRef<ModuleOp> act::mlirGen(MLIRContext &context, const Program &program,
                                   const llvm::SourceMgr &sourceMgr) {
  loadDialects(context);
  return MLIRGenImpl(context, program, sourceMgr).generate();
}
