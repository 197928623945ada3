// Vectorisable float32 math written as Halide expressions (no libm calls).
//
// Halide 14's own tanh/atanh/... call libm per element (30x slower than the
// exp-based kernels) and its erf is NaN at +-inf, so every transcendental the
// language offers is built here from range reduction and polynomials that
// vectorise on the CPU (SSE/AVX2/AVX-512) and compile for CUDA unchanged.
// Each function (but the wide variants below) takes and returns a Float(32)
// expression, is accurate to 1.5 ulp over all float32 inputs, and follows C99
// Annex F at NaN, +-inf and -0 unless its comment says otherwise.
#ifndef ACTC_COMPILER_HALIDE_MATHLIB_H
#define ACTC_COMPILER_HALIDE_MATHLIB_H

#include "Halide.h"

namespace act::math {

Halide::Expr exp(const Halide::Expr &x);
Halide::Expr expm1(const Halide::Expr &x);
Halide::Expr log(const Halide::Expr &x);
Halide::Expr log1p(const Halide::Expr &x);
Halide::Expr tanh(const Halide::Expr &x);
/// 1 / (1 + exp(-x)), without overflow for any x.
Halide::Expr sigmoid(const Halide::Expr &x);
Halide::Expr erf(const Halide::Expr &x);
/// 1 - erf(x), accurate where erf(x) is close to 1 (large positive x).
Halide::Expr erfc(const Halide::Expr &x);
/// sin and cos keep the 1.5 ulp bound for |x| <= 102943 only. Beyond, they
/// stay within [-1, 1] and, below 2^24, equal the function at a point about
/// an ulp from x (see MathLib.cpp).
Halide::Expr sin(const Halide::Expr &x);
Halide::Expr cos(const Halide::Expr &x);
Halide::Expr atan(const Halide::Expr &x);
/// C's pow(a, b), including negative bases with integral exponents.
Halide::Expr pow(const Halide::Expr &a, const Halide::Expr &b);
Halide::Expr sqrt(const Halide::Expr &x);
Halide::Expr rsqrt(const Halide::Expr &x);

// round, sign, fmin and fmax compute in Float(64) when an argument is
// Float(64), in Float(32) otherwise.

/// Round half away from zero, as C's round() (Halide's round is half-even).
Halide::Expr round(const Halide::Expr &x);
/// -1, 0 or 1; sign(-0) = -0, sign(NaN) = NaN.
Halide::Expr sign(const Halide::Expr &x);

/// NaN-propagating minimum and maximum (torch.minimum / torch.maximum):
/// Halide's min/max return the other operand when one is NaN.
Halide::Expr fmin(const Halide::Expr &a, const Halide::Expr &b);
Halide::Expr fmax(const Halide::Expr &a, const Halide::Expr &b);

/// a * b + c rounded once (IEEE 754 fusedMultiplyAdd), exact under strict
/// float. One instruction on targets with FMA hardware (x86 FMA and AVX-512,
/// AArch64, CUDA); a call to libm's fmaf elsewhere, so callers choose it only
/// where the hardware has it (act::hasFusedMultiplyAdd).
Halide::Expr fma(const Halide::Expr &a, const Halide::Expr &b,
                 const Halide::Expr &c);

/// While one is alive on a thread, the expressions MathLib builds there form
/// exact products (the error-free steps of its double-float arithmetic) with
/// one fma instead of Dekker's 17 operations: for targets with FMA hardware
/// (act::hasFusedMultiplyAdd). Both are exact, so results keep their bits.
class ExactProductsByFma {
public:
  explicit ExactProductsByFma(bool enable);
  ~ExactProductsByFma();
  ExactProductsByFma(const ExactProductsByFma &) = delete;
  ExactProductsByFma &operator=(const ExactProductsByFma &) = delete;

private:
  bool saved;
};

/// Wide variants for compositions: a Float(64) (or Float(32)) argument in, an
/// unrounded Float(64) result out, relatively accurate to 2^-26 (a quarter of
/// a float32 ulp at most) wherever the result is a normal double; results
/// below 2^-1021 flush to 0. They take an argument a float32 computation would
/// have rounded (x erfc(x / sqrt2) loses 180 ulp that way at x = -13) and give
/// a result that a further product or sum rounds only once, at the end, even
/// where float32 would have gone subnormal. Same NaN, inf and -0 behaviour as
/// the float32 functions.
namespace wide {
Halide::Expr exp(const Halide::Expr &x);
Halide::Expr expm1(const Halide::Expr &x);
Halide::Expr log(const Halide::Expr &x);
Halide::Expr log1p(const Halide::Expr &x);
Halide::Expr tanh(const Halide::Expr &x);
Halide::Expr sigmoid(const Halide::Expr &x);
Halide::Expr erf(const Halide::Expr &x);
Halide::Expr erfc(const Halide::Expr &x);
} // namespace wide

} // namespace act::math

#endif // ACTC_COMPILER_HALIDE_MATHLIB_H
