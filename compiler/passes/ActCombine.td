// Algebraic simplifications that are exact in IEEE float32, as DRR patterns.
//
// Each rewrite must hold for every input, NaN, +-inf and -0 included, which is
// why `x + 0 -> x` (wrong for x = -0) and `x * 0 -> 0` (wrong for inf, NaN)
// are absent.
#ifndef ACT_COMBINE
#define ACT_COMBINE

include "mlir/Dialect/Arithmetic/IR/ArithmeticOps.td"
include "mlir/Dialect/Math/IR/MathOps.td"
include "compiler/mlir/ActOps.td"

class IsConstant<string value>
    : Constraint<CPred<"::act::isConstantValue($0, " # value # ")">,
                 "constant " # value>;
def IsZero : IsConstant<"0.0">;
def IsNegZero : Constraint<CPred<"::act::isNegativeZero($0)">, "constant -0">;
def IsOne : IsConstant<"1.0">;
def IsMinusOne : IsConstant<"-1.0">;
def IsTwo : IsConstant<"2.0">;

def MulByOne : Pat<(Arith_MulFOp $x, $c), (replaceWithValue $x), [(IsOne $c)]>;
def OneMul : Pat<(Arith_MulFOp $c, $x), (replaceWithValue $x), [(IsOne $c)]>;
def MulByMinusOne : Pat<(Arith_MulFOp $x, $c), (Arith_NegFOp $x), [(IsMinusOne $c)]>;
def MinusOneMul : Pat<(Arith_MulFOp $c, $x), (Arith_NegFOp $x), [(IsMinusOne $c)]>;
def DivByOne : Pat<(Arith_DivFOp $x, $c), (replaceWithValue $x), [(IsOne $c)]>;
// x - (+0) == x and x + (-0) == x for every x, -0 included.
def SubZero : Pat<(Arith_SubFOp $x, $c), (replaceWithValue $x), [(IsZero $c)]>;
def AddNegZero : Pat<(Arith_AddFOp $x, $c), (replaceWithValue $x), [(IsNegZero $c)]>;
def NegNeg : Pat<(Arith_NegFOp (Arith_NegFOp $x)), (replaceWithValue $x)>;
def SubNeg : Pat<(Arith_SubFOp $x, (Arith_NegFOp $y)), (Arith_AddFOp $x, $y)>;
def AddNeg : Pat<(Arith_AddFOp $x, (Arith_NegFOp $y)), (Arith_SubFOp $x, $y)>;
// pow(x, 1) == x and pow(x, 2) == x * x, both correctly rounded.
def PowOne : Pat<(Math_PowFOp $x, $c), (replaceWithValue $x), [(IsOne $c)]>;
def PowTwo : Pat<(Math_PowFOp $x, $c), (Arith_MulFOp $x, $x), [(IsTwo $c)]>;
// select(!c, a, b) == select(c, b, a).
def SelectNot : Pat<(Act_SelectOp (Arith_XOrIOp $c, (Arith_ConstantOp ConstBoolAttrTrue)), $a, $b),
                    (Act_SelectOp $c, $b, $a)>;

#endif // ACT_COMBINE
