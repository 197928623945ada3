// Vectorisable float32 math written as Halide expressions (no libm calls).
//
// Halide 14's own tanh/atanh/... call libm per element (30x slower than the
// exp-based kernels) and its erf is NaN at +-inf, so every transcendental the
// language offers is built here from range reduction and polynomials that
// vectorise on the CPU (SSE/AVX2/AVX-512) and compile for CUDA unchanged.
// Each function takes and returns a Float(32) expression, is accurate to
// 1.5 ulp over all float32 inputs, and follows C99 Annex F at NaN, +-inf and
// -0 unless its comment says otherwise.
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

} // namespace act::math

#endif // ACTC_COMPILER_HALIDE_MATHLIB_H
