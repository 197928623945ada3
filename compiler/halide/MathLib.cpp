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

/// An unevaluated sum hi + lo of two floats (|lo| <= ulp(hi)): about 48
/// bits of precision without FMA.
struct Pair {
  Expr hi;
  Expr lo;
};

// Veltkamp's splitter 2^12 + 1 cuts a float into two 12-bit halves whose
// products are exact (Dekker 1971).
constexpr float kSplitter = 4097.0f;

Pair split(Scope &s, const Expr &a) {
  Expr c = s.bind(a * kSplitter);
  Expr hi = s.bind(c - (c - a));
  return {hi, s.bind(a - hi)};
}

/// a * b = hi + lo exactly (Dekker's product), for |a|, |b| < 2^100.
Pair twoProduct(Scope &s, const Expr &a, const Expr &b) {
  Pair as = split(s, a);
  Pair bs = split(s, b);
  Expr p = s.bind(a * b);
  Expr err = (((as.hi * bs.hi - p) + as.hi * bs.lo) + as.lo * bs.hi) + as.lo * bs.lo;
  return {p, s.bind(err)};
}

/// hi + lo = 1 + b exactly, for |b| <= 1 (Dekker's Fast2Sum).
Pair onePlus(Scope &s, const Expr &b) {
  Expr hi = s.bind(1.0f + b);
  return {hi, s.bind((1.0f - hi) + b)};
}

/// (n.hi + n.lo) / (d.hi + d.lo) with one rounding plus O(2^-40): a
/// quotient from the reciprocal, corrected by the exactly computed residual.
Expr divide(Scope &s, const Pair &n, const Pair &d) {
  Expr recip = s.bind(1.0f / d.hi);
  Expr q = s.bind(n.hi * recip);
  Pair qd = twoProduct(s, q, d.hi);
  // n.hi - qd.hi is exact (Sterbenz): q d.hi is within 2 ulp of n.hi.
  Expr residual = (((n.hi - qd.hi) - qd.lo) + n.lo) - q * d.lo;
  return q + residual * recip;
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

/// Reduces x + xLo, where xLo is a low-order part below ulp(x).
ExpReduced reduceExp(Scope &s, const Expr &x, const Expr &xLo = 0.0f) {
  ExpReduced red;
  red.n = s.bind(Halide::floor(x * kLog2E + 0.5f));
  red.rHi = s.bind(x - red.n * kLn2Hi);
  red.rLo = s.bind(xLo - red.n * kLn2Lo);
  red.r = s.bind(red.rHi + red.rLo);
  return red;
}

/// exp(r) - 1 - r for the reduced argument.
Expr expTail(Scope &s, const Expr &r) { return s.bind(r * r * horner(r, kExpQ)); }

/// exp(x) = 2^n (m.hi + m.lo) with m in [1/sqrt2, sqrt2] to about 2^-26
/// absolute, for x already clamped to [kExpMinArg, kExpMaxArg].
struct ExpSplit {
  Expr n; // Int(32).
  Pair m;
};

ExpSplit expSplit(Scope &s, const Expr &x, const Expr &xLo = 0.0f) {
  ExpReduced red = reduceExp(s, x, xLo);
  // expm1(r) = rHi + c summed exactly (Knuth's TwoSum), then 1 + that.
  Expr c = s.bind(red.rLo + expTail(s, red.r));
  Expr sum = s.bind(red.rHi + c);
  Expr cPart = s.bind(sum - red.rHi);
  Expr sumErr = (red.rHi - (sum - cPart)) + (c - cPart);
  Pair m = onePlus(s, sum);
  m.lo = s.bind(m.lo + sumErr);
  return {s.bind(Halide::cast<int32_t>(red.n)), m};
}

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

// tanh(x) = x + x^3 P(x^2) on [0, atanh(1/2)]: Remez minimax for relative
// error with float coefficients, 0.027 ulp.
constexpr float kTanhP[] = {-3.333333135e-01f, 1.333296001e-01f, -5.388586596e-02f,
                            2.119444311e-02f, -6.432258058e-03f};
constexpr float kTanhSmall = 0.5493061f; // atanh(1/2).
constexpr float kTanhSaturate = 9.1f;     // tanh rounds to 1 above 9.01.

/// tanh(a) for a >= 0 (no NaN). Above atanh(1/2) it is (1 - F) / (1 + F)
/// with F = exp(-2a) as a pair, divided with a single rounding.
Expr tanhCore(Scope &s, const Expr &a) {
  Expr z = s.bind(a * a);
  Expr small = a + a * z * horner(z, kTanhP);
  ExpSplit f = expSplit(s, -2.0f * Halide::clamp(a, kTanhSmall, kTanhSaturate));
  // n is in [-27, -1]: the scaled halves stay normal.
  Expr scale = s.bind(exp2Int(f.n));
  Expr fHi = s.bind(f.m.hi * scale);
  Expr fLo = s.bind(f.m.lo * scale);
  Expr numHi = s.bind(1.0f - fHi);
  Pair num{numHi, ((1.0f - numHi) - fHi) - fLo};
  Pair den = onePlus(s, fHi);
  den.lo = den.lo + fLo;
  return select(a < kTanhSmall, small, divide(s, num, den));
}

/// sigmoid(x) = N / (1 + F) with F = exp(-|x|) = 2^n m, N = 1 for x >= 0
/// and N = F for x < 0, the 2^n of N applied after the division.
Expr sigmoidCore(Scope &s, const Expr &x) {
  Expr negative = s.bind(x < 0.0f);
  ExpSplit f = expSplit(s, Halide::max(-Halide::abs(x), kExpMinArg));
  Expr fHi = s.bind(scaleByExp2(f.m.hi, f.n));
  Pair den = onePlus(s, fHi);
  den.lo = den.lo + scaleByExp2(f.m.lo, f.n);
  Pair num{select(negative, f.m.hi, 1.0f), select(negative, f.m.lo, 0.0f)};
  return scaleByExp2(divide(s, num, den), select(negative, f.n, 0));
}

// ---------------------------------------------------------------------------
// erf and erfc.
// ---------------------------------------------------------------------------

// erf(a) = a + a K(a^2) on [0, 1]: Remez minimax for relative error with
// float coefficients, 0.024 ulp.
constexpr float kErfK[] = {1.283791661e-01f,  -3.761262596e-01f, 1.128357872e-01f,
                           -2.685334720e-02f, 5.187162198e-03f,  -7.997853099e-04f,
                           7.806903886e-05f};
// erf = 1 - erfc above kErfSmall, where erfc < 1/4 and its error shrinks.
constexpr float kErfSmall = 0.82f;
// erfc = 1 - erf below kErfcSmall, where erfc > 0.39 and the subtraction
// 1/2 + ((1/2 - a) - a K) loses little.
constexpr float kErfcSmall = 0.6f;
constexpr float kErfcMax = 10.1f;   // erfc rounds to 0 above 10.0546.

// erfc(x) = exp(-x^2) H(x) / x with H(x) = x exp(x^2) erfc(x) smooth and in
// [0.33, 0.57]. H is a degree-8 polynomial on three pieces: in t = x - mid
// on [0.6, 1.1] and [1.1, 2], in w = 1/x^2 on [2, 10.1]. Remez minimax for
// relative error with c0 kept as a float pair: 0.010, 0.014, 0.060 ulp.
constexpr float kErfcSplit1 = 1.1f;
constexpr float kErfcSplit2 = 2.0f;
constexpr float kErfcMid1 = 0.84375f; // x - mid is exact (Sterbenz) on the piece.
constexpr float kErfcMid2 = 1.546875f;
constexpr float kErfcC0Hi[] = {4.002480507e-01f, 4.858418703e-01f, 5.641895533e-01f};
constexpr float kErfcC0Lo[] = {1.008305350e-08f, -7.808480973e-09f, -1.518302817e-08f};
constexpr float kErfcTail1[] = {1.977167577e-01f,  -1.610595286e-01f, 1.071203277e-01f,
                                -6.218285114e-02f, 3.258076683e-02f,  -1.565845124e-02f,
                                7.131854072e-03f,  -3.544537816e-03f};
constexpr float kErfcTail2[] = {7.169131935e-02f,  -4.579791427e-02f, 2.446263283e-02f,
                                -1.161212567e-02f, 5.039049778e-03f,  -2.040725667e-03f,
                                8.254711865e-04f,  -2.958555706e-04f};
constexpr float kErfcTail3[] = {-2.820859849e-01f, 4.225162268e-01f,  -1.035391331e+00f,
                                3.227185488e+00f,  -1.006025124e+01f, 2.496576500e+01f,
                                -3.977797318e+01f, 2.916390800e+01f};
constexpr size_t kErfcTailLen = sizeof(kErfcTail1) / sizeof(kErfcTail1[0]);

/// erfc(a) for a >= kErfcSmall (smaller a is clamped), no NaN: every product is
/// kept exact as a pair so that only the final sum rounds.
Expr erfcCore(Scope &s, const Expr &a) {
  Expr x = s.bind(Halide::clamp(a, kErfcSmall, kErfcMax));
  // x^2 = sqHi + sqLo exactly: exp(-x^2) would otherwise lose x^2 ulp(1).
  Pair xs = split(s, x);
  Expr sqHi = s.bind(x * x);
  Expr sqLo = ((xs.hi * xs.hi - sqHi) + 2.0f * xs.hi * xs.lo) + xs.lo * xs.lo;
  ExpSplit e = expSplit(s, 0.0f - sqHi, 0.0f - sqLo);
  // 1/x = uHi + uLo from the exact residual 1 - uHi x.
  Expr uHi = s.bind(1.0f / x);
  Pair ux = twoProduct(s, uHi, x);
  Expr uLo = s.bind(uHi * ((1.0f - ux.hi) - ux.lo));
  Expr in1 = s.bind(x < kErfcSplit1);
  Expr in2 = s.bind(x < kErfcSplit2);
  auto pick = [&](const float (&c)[3]) { return select(in1, c[0], select(in2, c[1], c[2])); };
  Expr v = s.bind(select(in2, x - select(in1, kErfcMid1, kErfcMid2), uHi * (uHi + 2.0f * uLo)));
  Expr acc = pick({kErfcTail1[kErfcTailLen - 1], kErfcTail2[kErfcTailLen - 1],
                   kErfcTail3[kErfcTailLen - 1]});
  for (size_t i = kErfcTailLen - 1; i-- > 1;)
    acc = pick({kErfcTail1[i], kErfcTail2[i], kErfcTail3[i]}) + v * acc;
  // H = c0 + c1 v + v^2 (c2 + ...) as a pair: c1 v is up to 16% of H, too
  // large to round, so it is an exact product added with Fast2Sum.
  Pair c1v = twoProduct(s, pick({kErfcTail1[0], kErfcTail2[0], kErfcTail3[0]}), v);
  Expr c0Hi = s.bind(pick(kErfcC0Hi));
  Expr hHi = s.bind(c0Hi + c1v.hi);
  Expr hLo = s.bind(((c0Hi - hHi) + c1v.hi) + ((pick(kErfcC0Lo) + c1v.lo) + v * (v * acc)));
  // (m.hi + m.lo)(uHi + uLo)(hHi + hLo), rounded once.
  Pair mu = twoProduct(s, e.m.hi, uHi);
  Expr muLo = s.bind(mu.lo + e.m.lo * uHi + e.m.hi * uLo);
  Pair p = twoProduct(s, mu.hi, hHi);
  Expr lo = p.lo + mu.hi * hLo + muLo * hHi;
  return scaleByExp2(p.hi + lo, e.n);
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
  return s.finish(propagateNaN(v, sigmoidCore(s, v)));
}
Expr erf(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr a = s.bind(Halide::abs(v));
  Expr small = a + a * horner(a * a, kErfK);
  Expr result = select(a < kErfSmall, small, 1.0f - erfcCore(s, a));
  return s.finish(propagateNaN(v, copySign(result, v)));
}

Expr erfc(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr a = s.bind(Halide::abs(v));
  // 1 - erf(x) = (1 + y) + y K(y^2) with y = -x and 1 + y split exactly.
  Expr y = s.bind(0.0f - v);
  Pair onePlusY = onePlus(s, y);
  Expr small = onePlusY.hi + (onePlusY.lo + y * horner(y * y, kErfK));
  Expr large = s.bind(erfcCore(s, a));
  Expr result = select(a < kErfcSmall, small, select(v < 0.0f, 2.0f - large, large));
  return s.finish(propagateNaN(v, result));
}
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
