// The act dialect: what .act adds to arith and math.
//
// An activation is an `act.activation` symbol whose single block takes the
// elementwise input and the run-time parameters (all f32) and returns f32.
// Arithmetic is arith/math; this dialect adds the definition itself, calls
// between activations, per-element selection, constants kept in double
// precision until they are folded, and the few functions math lacks.
#ifndef ACT_OPS
#define ACT_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Act_Dialect : Dialect {
  let name = "act";
  let cppNamespace = "::act";
  let summary = "Elementwise neural-network activation functions";
  let dependentDialects = ["::mlir::arith::ArithmeticDialect",
                           "::mlir::math::MathDialect"];
}

class Act_Op<string mnemonic, list<Trait> traits = []>
    : Op<Act_Dialect, mnemonic, traits>;

def Act_ActivationOp : Act_Op<"activation", [
    Symbol, IsolatedFromAbove, SingleBlock,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "an activation function: f32 input and parameters to f32";
  let description = [{
    The block's arguments are the input followed by the parameters, in
    declaration order. `param_names` names all of them; `param_defaults` and
    `param_learn` describe the parameters after the input. `doc` is the
    activation's doc comment. A derivative of another activation names it in
    `derivative_of`, and the argument it is taken with respect to in `wrt`.

    ```mlir
    act.activation @elu(%x: f32, %alpha: f32 = 1.0) {
      ...
      act.return %r : f32
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<StrAttr>:$sym_visibility,
                       StrArrayAttr:$param_names,
                       F64ArrayAttr:$param_defaults,
                       BoolArrayAttr:$param_learn,
                       OptionalAttr<StrAttr>:$doc,
                       OptionalAttr<StrAttr>:$derivative_of,
                       OptionalAttr<StrAttr>:$wrt);
  let regions = (region SizedRegion<1>:$body);
  let parser = [{ return ::parseActivationOp(parser, result); }];
  let printer = [{ ::printActivationOp(p, *this); }];
  let verifier = [{ return ::verifyActivationOp(*this); }];
  let extraClassDeclaration = [{
    /// The number of parameters after the input.
    unsigned getNumParams() { return param_defaults().size(); }
    ::mlir::Block &getBlock() { return body().front(); }
    ::mlir::Value getInput() { return getBlock().getArgument(0); }
    ::mlir::Value getParam(unsigned i) { return getBlock().getArgument(i + 1); }
    ::llvm::StringRef getParamName(unsigned i);
    double getParamDefault(unsigned i);
    bool isLearnable(unsigned i);
    /// The value the activation returns.
    ::mlir::Value getResult();
  }];
}

def Act_ReturnOp : Act_Op<"return", [NoSideEffect, Terminator,
                                      HasParent<"ActivationOp">]> {
  let summary = "the activation's result";
  let arguments = (ins F32:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

def Act_CallOp : Act_Op<"call", [NoSideEffect,
                                 DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "call another activation, every parameter bound";
  let description = [{
    Operands are the input and then every parameter of the callee, in order;
    arguments the caller left out are bound to the callee's defaults when the
    call is generated. Calls are inlined before lowering.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<F32>:$operands);
  let results = (outs F32:$result);
  let assemblyFormat = "$callee `(` $operands `)` attr-dict `:` functional-type($operands, $result)";
}

def Act_ConstantOp : Act_Op<"constant", [NoSideEffect]> {
  let summary = "an f32 constant kept in double precision";
  let description = [{
    Constant subexpressions fold in double precision; the value is rounded to
    f32 once, when it is lowered.
  }];
  let arguments = (ins F64Attr:$value);
  let results = (outs F32:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
  let builders = [OpBuilder<(ins "double":$value)>];
}

def Act_SelectOp : Act_Op<"select", [NoSideEffect,
    AllTypesMatch<["true_value", "false_value", "result"]>]> {
  let summary = "per-element choice; the branch not taken never leaks";
  let description = [{
    Unlike `c * a + (1 - c) * b`, a NaN or inf in the branch not taken does not
    reach the result. The derivative of a select is the chosen branch's.
  }];
  let arguments = (ins I1:$condition, F32:$true_value, F32:$false_value);
  let results = (outs F32:$result);
  let assemblyFormat = "$condition `,` $true_value `,` $false_value attr-dict `:` type($result)";
  let hasFolder = 1;
}

class Act_UnaryOp<string mnemonic, string what>
    : Act_Op<mnemonic, [NoSideEffect, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = (ins F32:$operand);
  let results = (outs F32:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
}

def Act_SigmoidOp : Act_UnaryOp<"sigmoid", "1 / (1 + exp(-x)), never overflowing">;
def Act_ErfcOp : Act_UnaryOp<"erfc", "1 - erf(x), accurate where erf(x) is near 1">;
def Act_SignOp : Act_UnaryOp<"sign", "-1, 0 or 1; sign(NaN) is NaN">;
def Act_RoundOp : Act_UnaryOp<"round", "round half away from zero">;

#endif // ACT_OPS
