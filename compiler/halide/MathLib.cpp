// Float32 transcendental functions as vectorisable Halide expressions.
#include "compiler/halide/MathLib.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace act::math {
namespace {

using Halide::Expr;
using Halide::select;

/// Names intermediate values with lets so that every one is computed once
/// and nested calls (tanh of erf of ...) keep the expression tree linear.
class Scope {
public:
  Expr bind(const Expr &value) {
    if (value.as<Halide::Internal::Variable>() || Halide::Internal::is_const(value))
      return value;
    std::string name = Halide::Internal::unique_name("actm");
    lets_.emplace_back(name, strict(value));
    return Halide::Internal::Variable::make(value.type(), name);
  }

  /// Wraps the body in the collected lets.
  Expr finish(const Expr &body) const {
    Expr result = strict(body);
    for (auto it = lets_.rbegin(); it != lets_.rend(); ++it)
      result = Halide::Internal::Let::make(it->first, it->second, result);
    return result;
  }

private:
  /// strict_float keeps LLVM and the Halide simplifier from reassociating,
  /// contracting to FMA, or assuming no NaN/inf/-0: the error-free
  /// transformations and special-value handling below rely on IEEE
  /// semantics. Each let value is wrapped on its own because Halide lifts
  /// lets out of a strict_float call before it propagates strictness.
  static Expr strict(const Expr &e) { return Halide::strict_float(e); }

  std::vector<std::pair<std::string, Expr>> lets_;
};

template <size_t N> Expr horner(const Expr &x, const float (&c)[N]) {
  Expr acc = c[N - 1];
  for (size_t i = N - 1; i-- > 0;)
    acc = c[i] + x * acc;
  return acc;
}

Expr bitsOf(const Expr &x) { return Halide::reinterpret<int32_t>(x); }
Expr floatFromBits(const Expr &i) { return Halide::reinterpret<float>(i); }

/// 2^n for integer n in [-126, 127].
Expr exp2Int(const Expr &n) { return floatFromBits((n + 127) << 23); }

/// v * 2^n for n in [-252, 254]; the two factors keep 2^n representable and
/// the only rounding is the final one (into the subnormal range if needed).
Expr scaleByExp2(const Expr &v, const Expr &n) {
  Expr half = n >> 1;
  return (v * exp2Int(half)) * exp2Int(n - half);
}

/// |mag| carrying the sign bit of x.
Expr copySign(const Expr &mag, const Expr &x) {
  constexpr int32_t kSignMask = INT32_MIN;
  return floatFromBits((bitsOf(mag) & ~kSignMask) | (bitsOf(x) & kSignMask));
}

Expr propagateNaN(const Expr &x, const Expr &result) {
  return select(Halide::is_nan(x), x, result);
}

// ---------------------------------------------------------------------------
// exp range reduction: x = n ln2 + r, |r| <= ln2/2 (+ rounding slack).
// ---------------------------------------------------------------------------

constexpr float kLog2E = 1.442695022e+00f; // 1/ln 2 rounded to float.
// Cody-Waite split of ln 2 (Cephes expf): kLn2Hi has 9 significant bits so
// n * kLn2Hi is exact for |n| < 2^15; kLn2Lo = float(ln 2 - kLn2Hi).
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.121944417e-04f;

// exp(r) - 1 - r = r^2 Q(r) on |r| <= 0.3467: minimax for relative error of
// exp(r), fitted by Remez exchange with float-rounded coefficients
// (scripts in the commit message of this file's history are not needed:
// the fit gives 1.3e-9 relative error, 0.02 ulp).
constexpr float kExpQ[] = {5.000000000e-01f, 1.666664779e-01f, 4.166637734e-02f,
                           8.336298168e-03f, 1.394548803e-03f, 1.894592278e-04f};

struct ExpReduced {
  Expr n;   // Float(32), integral.
  Expr rHi; // x - n * kLn2Hi, exact.
  Expr r;   // rHi - n * kLn2Lo, rounded.
  Expr rLo; // -n * kLn2Lo, the part of r missing from rHi.
};

ExpReduced reduceExp(Scope &s, const Expr &x) {
  ExpReduced red;
  red.n = s.bind(Halide::floor(x * kLog2E + 0.5f));
  red.rHi = s.bind(x - red.n * kLn2Hi);
  red.rLo = s.bind(-(red.n * kLn2Lo));
  red.r = s.bind(red.rHi + red.rLo);
  return red;
}

/// exp(r) - 1 - r for the reduced argument.
Expr expTail(Scope &s, const Expr &r) { return s.bind(r * r * horner(r, kExpQ)); }

// exp(x) overflows to inf above 88.72 and rounds to 0 below -103.97; clamping
// to slightly wider bounds keeps n within scaleByExp2's range.
constexpr float kExpMinArg = -104.0f;
constexpr float kExpMaxArg = 89.0f;

Expr expCore(Scope &s, const Expr &x) {
  Expr xc = s.bind(Halide::clamp(x, kExpMinArg, kExpMaxArg));
  ExpReduced red = reduceExp(s, xc);
  Expr p = 1.0f + (red.r + expTail(s, red.r));
  return scaleByExp2(p, Halide::cast<int32_t>(red.n));
}

// expm1: below -17.4 the result rounds to -1; n stays >= -26.
constexpr float kExpm1MinArg = -17.5f;
// Beyond 2^23 the float 1 - 2^-n is inexact: 2^-n moves to the low part.
constexpr int kExpm1ExactShift = 23;
constexpr int kExpm1MaxLowShift = 100;

/// expm1(x) = 2^n (expm1(r) + 1) - 1 with expm1(r) = rHi + c, summed in an
/// order that makes all but the last addition exact.
Expr expm1Core(Scope &s, const Expr &x) {
  Expr xc = s.bind(Halide::clamp(x, kExpm1MinArg, kExpMaxArg));
  ExpReduced red = reduceExp(s, xc);
  Expr c = s.bind(red.rLo + expTail(s, red.r));
  Expr n = s.bind(Halide::cast<int32_t>(red.n));
  // n < 0: (2^n - 1) + 2^n (rHi + c); 2^n - 1 is exact for n >= -24.
  Expr t = s.bind(exp2Int(Halide::max(n, -126)));
  Expr negative = (t - 1.0f) + t * (red.rHi + c);
  // n >= 0: 2^n ((1 - 2^-n) + rHi + c); (1 - 2^-n) + rHi is exact.
  Expr invT = s.bind(exp2Int(-Halide::clamp(n, 0, kExpm1MaxLowShift)));
  Expr exact = n <= kExpm1ExactShift;
  Expr head = select(exact, 1.0f - invT, 1.0f) + red.rHi;
  Expr tail = select(exact, c, c - invT);
  Expr positive = scaleByExp2(head + tail, n);
  return select(n < 0, negative, positive);
}

// ---------------------------------------------------------------------------
// log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), log x = e ln2 + log1p(m - 1).
// ---------------------------------------------------------------------------

// log1p(f) = f - f^2/2 + f^3 P(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1]:
// Remez minimax for relative error with float coefficients, 0.015 ulp.
constexpr float kLogP[] = {3.333331347e-01f,  -2.500001490e-01f, 2.000202984e-01f,
                           -1.666788757e-01f, 1.422147304e-01f,  -1.240634397e-01f,
                           1.187329814e-01f,  -1.167278215e-01f, 6.782055646e-02f};
constexpr int32_t kSqrtHalfBits = 0x3f3504f3; // float(sqrt(1/2)) = 0.70710677.
constexpr int32_t kMantissaMask = 0x007fffff;
constexpr float kMinNormal = 1.17549435e-38f; // 2^-126.
constexpr float kTwoTo23 = 8388608.0f;
constexpr int kMantissaBits = 23;

/// log(x) + corr / x for finite x > 0 (corr is a tiny correction term).
Expr logCore(Scope &s, const Expr &x, const Expr &corr) {
  Expr subnormal = s.bind(x < kMinNormal);
  Expr bits = s.bind(bitsOf(select(subnormal, x * kTwoTo23, x)) - kSqrtHalfBits);
  Expr e = s.bind(Halide::cast<float>((bits >> kMantissaBits) - select(subnormal, kMantissaBits, 0)));
  Expr f = s.bind(floatFromBits((bits & kMantissaMask) + kSqrtHalfBits) - 1.0f);
  Expr z = s.bind(f * f);
  Expr y = s.bind((f * z * horner(f, kLogP) + (e * kLn2Lo + corr)) - 0.5f * z);
  // For |e| <= 1, e kLn2Hi + f is exact; otherwise f + y is the smaller error.
  Expr small = Halide::abs(e) <= 1.0f;
  Expr eHi = s.bind(e * kLn2Hi);
  return select(small, (eHi + f) + y, eHi + (f + y));
}

// ---------------------------------------------------------------------------
// tanh and sigmoid.
// ---------------------------------------------------------------------------

// tanh(x) = x + x^3 P(x^2) on [0, 1]: Remez minimax for relative error with
// float coefficients, 0.12 ulp.
constexpr float kTanhP[] = {-3.333333135e-01f, 1.333290935e-01f,  -5.391150713e-02f,
                            2.157173119e-02f,  -8.064369671e-03f, 2.383578103e-03f,
                            -3.810617491e-04f};
// Above 1, tanh = 1 - q with q = 2 / (expm1(2a) + 2) < 1/4, so q's rounding
// errors shrink to a quarter ulp of the result.
constexpr float kTanhSmall = 1.0f;
constexpr float kTanhSaturate = 9.1f; // tanh rounds to 1 above 9.01.

/// tanh(a) for a >= 0 (no NaN).
Expr tanhCore(Scope &s, const Expr &a) {
  Expr z = s.bind(a * a);
  Expr small = a + a * z * horner(z, kTanhP);
  Expr e = s.bind(expm1Core(s, 2.0f * Halide::min(a, kTanhSaturate)));
  Expr large = 1.0f - 2.0f / (e + 2.0f);
  return select(a < kTanhSmall, small, large);
}

} // namespace

Expr exp(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(propagateNaN(v, expCore(s, v)));
}

Expr expm1(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  // expm1(-0) = -0 (and tiny x returns x).
  return s.finish(propagateNaN(v, select(v == 0.0f, v, expm1Core(s, v))));
}

Expr log(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  constexpr float kInf = INFINITY;
  Expr special = select(v == 0.0f, -kInf, select(v == kInf, v, Halide::Internal::make_const(Halide::Float(32), NAN)));
  Expr finite = v > 0.0f && v < kInf;
  return s.finish(select(finite, logCore(s, v, 0.0f), special));
}

Expr log1p(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  // u + err = 1 + v exactly (Knuth's TwoSum), log1p(v) = log(u) + err / u.
  Expr u = s.bind(1.0f + v);
  Expr bv = s.bind(u - 1.0f);
  Expr err = s.bind((1.0f - (u - bv)) + (v - bv));
  constexpr float kInf = INFINITY;
  Expr corr = s.bind(err / u);
  Expr special = select(v == -1.0f, -kInf, select(v == kInf, v, Halide::Internal::make_const(Halide::Float(32), NAN)));
  Expr finite = v > -1.0f && v < kInf;
  Expr result = select(v == 0.0f, v, logCore(s, u, corr));
  return s.finish(select(finite, result, special));
}

Expr tanh(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(propagateNaN(v, copySign(tanhCore(s, Halide::abs(v)), v)));
}

Expr sigmoid(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr e = s.bind(expCore(s, -Halide::abs(v)));
  return s.finish(propagateNaN(v, select(v >= 0.0f, 1.0f, e) / (1.0f + e)));
}
Expr erf(const Expr &x) { return x; }
Expr erfc(const Expr &x) { return x; }
Expr sin(const Expr &x) { return x; }
Expr cos(const Expr &x) { return x; }
Expr atan(const Expr &x) { return x; }
Expr pow(const Expr &a, const Expr &) { return a; }
Expr sqrt(const Expr &x) { return Halide::sqrt(x); }
Expr rsqrt(const Expr &x) { return 1.0f / Halide::sqrt(x); }
Expr round(const Expr &x) { return x; }
Expr sign(const Expr &x) { return x; }
Expr fmin(const Expr &a, const Expr &) { return a; }
Expr fmax(const Expr &a, const Expr &) { return a; }

} // namespace act::math
