// The act dialect: op verifiers, the activation's assembly format, inlining.
#include "compiler/mlir/ActDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace act;

#include "compiler/mlir/ActDialect.cpp.inc"

namespace {
/// Activations are pure and have a single block, so any call can be inlined.
struct ActInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;

  bool isLegalToInline(Operation *call, Operation *callable,
                       bool wouldBeCloned) const final {
    return true;
  }
  bool isLegalToInline(Region *dest, Region *src, bool wouldBeCloned,
                       BlockAndValueMapping &valueMapping) const final {
    return true;
  }
  bool isLegalToInline(Operation *op, Region *dest, bool wouldBeCloned,
                       BlockAndValueMapping &valueMapping) const final {
    return true;
  }
  /// The inlined `act.return` becomes the call's result.
  void handleTerminator(Operation *op,
                        ArrayRef<Value> valuesToReplace) const final {
    auto ret = cast<ReturnOp>(op);
    valuesToReplace.front().replaceAllUsesWith(ret.value());
  }
};
} // namespace

void ActDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "compiler/mlir/ActOps.cpp.inc"
      >();
  addInterfaces<ActInlinerInterface>();
}

//===----------------------------------------------------------------------===//
// ActivationOp
//===----------------------------------------------------------------------===//

StringRef ActivationOp::getParamName(unsigned i) {
  return param_names()[i + 1].cast<StringAttr>().getValue();
}

double ActivationOp::getParamDefault(unsigned i) {
  return param_defaults()[i].cast<FloatAttr>().getValueAsDouble();
}

bool ActivationOp::isLearnable(unsigned i) {
  return param_learn()[i].cast<BoolAttr>().getValue();
}

Value ActivationOp::getResult() {
  return cast<ReturnOp>(getBlock().getTerminator()).value();
}

void ActivationOp::getAsmBlockArgumentNames(Region &region,
                                            OpAsmSetValueNameFn setNameFn) {
  for (auto [arg, name] : llvm::zip(region.getArguments(), param_names()))
    setNameFn(arg, name.cast<StringAttr>().getValue());
}

static LogicalResult verifyActivationOp(ActivationOp op) {
  unsigned numParams = op.param_defaults().size();
  if (op.param_learn().size() != numParams)
    return op.emitOpError("has ") << numParams << " parameter defaults but "
                               << op.param_learn().size() << " learn flags";
  if (op.param_names().size() != numParams + 1)
    return op.emitOpError("needs ") << numParams + 1 << " names, has "
                                    << op.param_names().size();
  Block &block = op.getBlock();
  if (block.getNumArguments() != numParams + 1)
    return op.emitOpError("block takes ") << block.getNumArguments()
                                       << " arguments, expected "
                                       << numParams + 1;
  for (BlockArgument arg : block.getArguments())
    if (!arg.getType().isF32())
      return op.emitOpError("arguments must be f32, got ") << arg.getType();
  if (block.empty() || !isa<ReturnOp>(block.back()))
    return op.emitOpError("must end with act.return");
  if (op.derivative_of().hasValue() != op.wrt().hasValue())
    return op.emitOpError("needs both 'derivative_of' and 'wrt', or neither");
  if (Optional<StringRef> wrt = op.wrt();
      wrt && !llvm::is_contained(op.param_names().getAsValueRange<StringAttr>(),
                                 *wrt))
    return op.emitOpError("is a derivative with respect to '")
           << *wrt << "', which is not one of its arguments";
  return success();
}

// act.activation [private] @name(%x: f32, [learn] %p: f32 = 1.0, ...) attrs {...}
static void printActivationOp(OpAsmPrinter &p, ActivationOp op) {
  p << ' ';
  if (auto visibility = op.sym_visibility())
    p << *visibility << ' ';
  p.printSymbolName(op.sym_name());
  p << '(';
  Block &block = op.getBlock();
  p.printRegionArgument(block.getArgument(0));
  for (unsigned i = 0, e = op.getNumParams(); i != e; ++i) {
    p << ", ";
    if (op.isLearnable(i))
      p << "learn ";
    p.printRegionArgument(op.getParam(i).cast<BlockArgument>());
    p << " = ";
    p.printAttributeWithoutType(op.param_defaults()[i]);
  }
  p << ')';
  p.printOptionalAttrDictWithKeyword(
      op->getAttrs(), {"sym_name", "sym_visibility", "param_names",
                            "param_defaults", "param_learn"});
  p << ' ';
  p.printRegion(op.body(), /*printEntryBlockArgs=*/false);
}

static ParseResult parseActivationOp(OpAsmParser &parser,
                                     OperationState &result) {
  Builder &b = parser.getBuilder();
  std::string visibility;
  if (succeeded(parser.parseOptionalKeywordOrString(&visibility)))
    result.addAttribute("sym_visibility", b.getStringAttr(visibility));
  StringAttr name;
  if (parser.parseSymbolName(name, "sym_name", result.attributes) ||
      parser.parseLParen())
    return failure();

  SmallVector<OpAsmParser::OperandType> args;
  SmallVector<Type> types;
  SmallVector<Attribute> names, defaults, learn;
  auto parseArg = [&]() -> ParseResult {
    OpAsmParser::OperandType arg;
    Type type;
    if (parser.parseRegionArgument(arg) || parser.parseColonType(type))
      return failure();
    args.push_back(arg);
    types.push_back(type);
    names.push_back(b.getStringAttr(arg.name.drop_front()));
    return success();
  };
  if (parseArg())
    return failure();
  while (succeeded(parser.parseOptionalComma())) {
    bool isLearn = succeeded(parser.parseOptionalKeyword("learn"));
    double value;
    if (parseArg() || parser.parseEqual() || parser.parseFloat(value))
      return failure();
    defaults.push_back(b.getF64FloatAttr(value));
    learn.push_back(b.getBoolAttr(isLearn));
  }
  if (parser.parseRParen() ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  result.addAttribute("param_names", b.getArrayAttr(names));
  result.addAttribute("param_defaults", b.getArrayAttr(defaults));
  result.addAttribute("param_learn", b.getArrayAttr(learn));
  Region *body = result.addRegion();
  return parser.parseRegion(*body, args, types, /*argLocations=*/{},
                            /*enableNameShadowing=*/true);
}

//===----------------------------------------------------------------------===//
// CallOp, ConstantOp, SelectOp
//===----------------------------------------------------------------------===//

LogicalResult CallOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee =
      symbolTable.lookupNearestSymbolFrom<ActivationOp>(*this, calleeAttr());
  if (!callee)
    return emitOpError("calls '") << this->callee() << "', not an activation";
  if (operands().size() != callee.getNumParams() + 1)
    return emitOpError("passes ") << operands().size() << " operands to '"
                                  << this->callee() << "', which takes "
                                  << callee.getNumParams() + 1;
  return success();
}

void ConstantOp::build(OpBuilder &builder, OperationState &state,
                       double value) {
  build(builder, state, builder.getF32Type(), builder.getF64FloatAttr(value));
}

OpFoldResult SelectOp::fold(ArrayRef<Attribute> operands) {
  if (true_value() == false_value())
    return true_value();
  if (auto cond = operands[0].dyn_cast_or_null<BoolAttr>())
    return cond.getValue() ? true_value() : false_value();
  if (auto cond = operands[0].dyn_cast_or_null<IntegerAttr>())
    return cond.getValue().isAllOnes() ? true_value() : false_value();
  return {};
}

#define GET_OP_CLASSES
#include "compiler/mlir/ActOps.cpp.inc"
