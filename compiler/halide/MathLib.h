// Vectorisable float32 math written as Halide expressions (no libm calls).
//
// Halide 14's own tanh/atanh/... call libm per element (30x slower than the
// exp-based kernels) and its erf is NaN at +-inf, so every transcendental the
// language offers is built here from range reduction and polynomials that
// vectorise on the CPU (SSE/AVX2/AVX-512) and compile for CUDA unchanged.
//
// Values are float32, optionally extended: an unevaluated sum hi + lo with a
// lo below an ulp of hi (about 48 bits in all), and a power of two the value
// is multiplied by, so that a result that would go subnormal in float32 keeps
// its digits until the final rounding. Every function takes
// an extended argument (an argument rounded before a function that magnifies
// its error, such as exp of a rounded product, would cost many ulps) and
// returns a float32 value (within the bound its comment states, about an ulp)
// or an extended one (relative error below 2^-27), which the caller rounds
// once after its own arithmetic. The lowering (LowerToHalide.cpp) decides
// which it needs. All functions follow C99 Annex F at NaN, +-inf and -0
// unless their comment says otherwise.
#ifndef ACTC_COMPILER_HALIDE_MATHLIB_H
#define ACTC_COMPILER_HALIDE_MATHLIB_H

#include "Halide.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace act::math {

/// What the target offers that changes the generated code. Passed explicitly
/// by the kernel builder for each target.
struct Options {
  /// A fused multiply-add instruction (x86 FMA and AVX-512, AArch64, CUDA):
  /// exact products and polynomial steps take one instruction. Without it,
  /// products are exact by Dekker's algorithm and polynomials round twice per
  /// step (well inside every bound: the steps' terms shrink).
  bool fma = false;
};

/// A float32 value (hi + lo) * factor. `lo` undefined: exactly hi. `factor`
/// (a power of two, Float(32)) undefined: 1; a function whose result may go
/// subnormal returns it scaled up by 2^64 with factor 2^-64, so that a product
/// with it keeps every digit and rounds once, into the subnormal range if
/// need be.
struct Ext {
  Halide::Expr hi;
  Halide::Expr lo;
  Halide::Expr factor;
  /// hi + lo is what float32 arithmetic gives where hi is inf or NaN: false
  /// after sums and products, where an overflowed hi can come with a lo of
  /// the other sign or NaN.
  bool safeSum = true;

  Ext() = default;
  /// An exact float32 value.
  Ext(Halide::Expr value) : hi(std::move(value)) {}
  Ext(Halide::Expr hi, Halide::Expr lo, Halide::Expr factor = Halide::Expr())
      : hi(std::move(hi)), lo(std::move(lo)), factor(std::move(factor)) {}

  bool extended() const { return lo.defined() || factor.defined(); }
};

/// How precisely a function's result is wanted.
enum class Precision {
  Float,     ///< Rounded to float32 (the function's stated bound).
  Unrounded, ///< The float32 result's digits before its final rounding, as
             ///< hi + lo (within about half an ulp), times a factor where it
             ///< may go subnormal: about the cost of Float.
  Extended,  ///< hi + lo relatively accurate to 2^-25.5, times a factor.
};

/// Builds the expressions of one kernel: the arithmetic of extended values and
/// the functions, every intermediate bound to a let (computed once, however
/// often used) and shared subcomputations remembered (sigmoid(x) and
/// sigmoid(-x) share exp(-|x|) and its division).
class Builder {
public:
  explicit Builder(Options options) : options_(options) {}

  const Options &options() const { return options_; }
  /// How many lets are bound so far: each is a level of the expression.
  size_t letCount() const { return lets_.size(); }

  /// `value` bound to a let, or itself if it is a constant or a variable.
  Halide::Expr bind(const Halide::Expr &value);
  Ext bind(const Ext &value);
  /// `body` wrapped in every let bound so far; strict float throughout, so
  /// that neither Halide nor LLVM reassociates, contracts or assumes away NaN,
  /// inf or -0 (the error-free transformations rely on IEEE arithmetic).
  Halide::Expr finish(const Halide::Expr &body) const;

  // --- Arithmetic ---------------------------------------------------------
  /// a * b + c rounded once where the target has FMA, twice elsewhere.
  Halide::Expr mulAdd(const Halide::Expr &a, const Halide::Expr &b,
                      const Halide::Expr &c);
  /// The value rounded to float32 once (the factor applied, subnormal
  /// results included).
  Halide::Expr round(const Ext &value);
  /// The factor applied to both parts (their sum then stays within 2^-40 of
  /// the value unless it is below 2^-126, where digits no longer matter).
  Ext normalize(const Ext &value);
  /// The constant as a float pair: hi = float(v), lo = float(v - hi).
  Ext constant(double value) const;
  Ext add(const Ext &a, const Ext &b);
  Ext sub(const Ext &a, const Ext &b);
  Ext mul(const Ext &a, const Ext &b);
  Ext div(const Ext &a, const Ext &b);
  Ext neg(const Ext &a);
  Ext abs(const Ext &a);
  Ext select(const Halide::Expr &condition, const Ext &a, const Ext &b);
  Ext sqrt(const Ext &a, Precision precision);

  // --- Functions ----------------------------------------------------------
  Ext exp(const Ext &x, Precision precision);
  Ext expm1(const Ext &x, Precision precision);
  Ext log(const Ext &x, Precision precision);
  Ext log1p(const Ext &x, Precision precision);
  /// log1p(exp(v)) for v <= 0 (softplus's and log-sigmoid's shape): exp's
  /// reduced result goes straight into log's reduction, with no 1 + e to
  /// round and no special cases.
  Ext log1pExp(const Ext &v, Precision precision);
  Ext tanh(const Ext &x, Precision precision);
  /// 1 / (1 + exp(-x)), without overflow for any x.
  Ext sigmoid(const Ext &x, Precision precision);
  Ext erf(const Ext &x, Precision precision);
  /// 1 - erf(x), accurate where erf(x) is close to 1 (large positive x).
  Ext erfc(const Ext &x, Precision precision);

  // Functions of float32 arguments with float32 results.
  Halide::Expr sin(const Halide::Expr &x);
  Halide::Expr cos(const Halide::Expr &x);
  Halide::Expr atan(const Halide::Expr &x);
  /// C's pow(a, b), including negative bases with integral exponents.
  Halide::Expr pow(const Halide::Expr &a, const Halide::Expr &b);
  Halide::Expr rsqrt(const Halide::Expr &x);

  /// How much of exp's reduced result a caller needs.
  enum class ExpForm {
    Float, ///< m as a float and its rounding error, s as a float (2^-24).
    Pair,  ///< m as a pair (2^-30).
    Expm1, ///< m and s = m - 1 as pairs.
  };
  /// An unevaluated sum hi + lo (lo undefined: 0).
  struct Pair {
    Halide::Expr hi;
    Halide::Expr lo;
  };

private:
  /// exp(x) = 2^n (m.hi + m.lo) = 2^n (1 + s.hi + s.lo).
  struct ExpParts {
    Halide::Expr n;     ///< Int(32).
    Halide::Expr shift; ///< Int(32): n << 23, the exponent field of 2^n.
    Pair s;
    Pair m;
    /// Whether x was below `lowest`: exp(x) is then taken as 0 (exp(lowest)
    /// times a large factor would not be).
    Halide::Expr belowRange;
  };
  /// What sigmoid(x) and sigmoid(-x) share: F = exp(-|x|) = 2^n m, the
  /// denominator 1 + F as a pair and its reciprocal, and m 2^(n + 64).
  struct LogisticCore {
    ExpParts f;
    Pair numerator;
    Pair denominator;
    Halide::Expr inverse;
  };

  ExpParts expParts(const Ext &x, float lowest, float highest, ExpForm form);
  /// 2^(n + 64) for n in [-190, 63] (`shift` from ExpParts): the multiplier
  /// of a result kept scaled by 2^64.
  Halide::Expr powerOfTwoPlus64(const ExpParts &e);
  LogisticCore logisticCore(const Ext &absX, ExpForm form);
  /// |v|, the same let for v and for -v (so that their cores are shared).
  Ext absOf(const Ext &v);
  Ext expm1Core(const Ext &x, Precision precision);
  Ext erfcOfAbs(const Halide::Expr &a, const Halide::Expr &aLo, ExpForm form);
  /// log(2^e (1 + f)) + corr for f in [sqrt(1/2) - 1, sqrt(2) - 1) and a
  /// small correction, as a pair (to about 2^-29).
  Pair logCore(const Halide::Expr &e, const Halide::Expr &f,
               const Halide::Expr &corr);
  /// num - q d, exactly or to 2^-47 of num (q about num / d).
  Halide::Expr residual(const Halide::Expr &num, const Halide::Expr &q,
                        const Halide::Expr &d);

  Options options_;
  std::vector<std::pair<std::string, Halide::Expr>> lets_;
  /// Logistic cores by the name of the let |x| is bound to and the form of
  /// their exp.
  std::map<std::pair<std::string, ExpForm>, LogisticCore> logisticCores_;
  /// neg's results by name, with what they negate; absOf's results by the
  /// name of their argument.
  std::map<std::string, Ext> negationOf_;
  std::map<std::string, Ext> absoluteOf_;
};

// Single functions of a float32 argument with a float32 result, each a
// complete expression (for tests, and callers without a Builder).
Halide::Expr exp(const Halide::Expr &x, Options options = {});
Halide::Expr expm1(const Halide::Expr &x, Options options = {});
Halide::Expr log(const Halide::Expr &x, Options options = {});
Halide::Expr log1p(const Halide::Expr &x, Options options = {});
Halide::Expr tanh(const Halide::Expr &x, Options options = {});
Halide::Expr sigmoid(const Halide::Expr &x, Options options = {});
Halide::Expr erf(const Halide::Expr &x, Options options = {});
Halide::Expr erfc(const Halide::Expr &x, Options options = {});
/// sin and cos keep the bound for |x| <= 102943 only. Beyond, they stay
/// within [-1, 1] and, below 2^24, equal the function at a point about an ulp
/// from x (see MathLib.cpp).
Halide::Expr sin(const Halide::Expr &x, Options options = {});
Halide::Expr cos(const Halide::Expr &x, Options options = {});
Halide::Expr atan(const Halide::Expr &x, Options options = {});
Halide::Expr pow(const Halide::Expr &a, const Halide::Expr &b,
                 Options options = {});
Halide::Expr sqrt(const Halide::Expr &x, Options options = {});
Halide::Expr rsqrt(const Halide::Expr &x, Options options = {});

// round, sign, fmin and fmax are exact, in the type of their argument.

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
/// where the hardware has it (Options::fma).
Halide::Expr fma(const Halide::Expr &a, const Halide::Expr &b,
                 const Halide::Expr &c);

} // namespace act::math

#endif // ACTC_COMPILER_HALIDE_MATHLIB_H
