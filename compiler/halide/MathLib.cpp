// Float32 transcendental functions as vectorisable Halide expressions.
//
// Method: Cody-Waite range reduction and a polynomial on the reduced
// argument. Where rounding an intermediate would cost more than a fraction of
// an ulp it is carried as an unevaluated float pair, built with Dekker's and
// Knuth's error-free transformations (no FMA needed), and the result is
// rounded once at the end. Everything is strict_float, so neither Halide's
// simplifier nor LLVM reassociates, contracts or assumes away NaN, inf or -0;
// results are bit-identical on SSE2, SSE4.1, AVX2+FMA and AVX-512 targets.
//
// Coefficients: fitted for this file by the Remez exchange algorithm
// (minimax of the relative error of the whole function on the stated
// interval, in double against the C library), then rounded to float one at a
// time from the lowest order up, refitting the others after each rounding.
// "Fit" below is that approximation error in units of 2^-24 relative.
//
// "Max" is the largest error over all 2^32 float inputs (sin and cos: those
// with |x| <= 102943) against a double reference (long double for sigmoid),
// in ulps of max(|exact|, 2^-126), from MathLibTest's DISABLED_Exhaustive.
#include "compiler/halide/MathLib.h"

#include <cstdint>
#include <limits>
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
    if (value.as<Halide::Internal::Variable>() ||
        Halide::Internal::is_const(value))
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

Expr constant(float v) { return Expr(v); }
Expr constant(double v) {
  return Halide::Internal::FloatImm::make(Halide::Float(64), v);
}

/// c[0] + x (c[1] + x (...)); T is float or double, matching x's type.
template <typename T, size_t N> Expr horner(const Expr &x, const T (&c)[N]) {
  Expr acc = constant(c[N - 1]);
  for (size_t i = N - 1; i-- > 0;)
    acc = constant(c[i]) + x * acc;
  return acc;
}

constexpr int kMantissaBits = 23;       // IEEE binary32 fraction field width.
constexpr int kFloatExponentBias = 127; // IEEE binary32 exponent bias.

Expr bitsOf(const Expr &x) { return Halide::reinterpret<int32_t>(x); }
Expr floatFromBits(const Expr &i) { return Halide::reinterpret<float>(i); }

/// 2^n for integer n in [-126, 127].
Expr exp2Int(const Expr &n) {
  return floatFromBits((n + kFloatExponentBias) << kMantissaBits);
}

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

constexpr float kInfinity = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Expr propagateNaN(const Expr &x, const Expr &result) {
  return select(Halide::is_nan(x), x, result);
}

/// An unevaluated sum hi + lo of two floats, lo much smaller than hi: up to
/// 48 bits of precision.
struct Pair {
  Expr hi;
  Expr lo;
};

// Exact products come from one fused multiply-add where the target has it
// (set by ExactProductsByFma), and from Dekker's algorithm elsewhere. Both
// give the exact error of the rounded product, so the two produce the same
// bits; the FMA takes 2 operations where Dekker takes 17.
thread_local bool exactProductsByFma = false;

// Veltkamp's splitter 2^12 + 1 cuts a float into two 12-bit halves whose
// products are exact (Dekker 1971).
constexpr float kSplitter = 4097.0f;

Pair split(Scope &s, const Expr &a) {
  Expr c = s.bind(a * kSplitter);
  Expr hi = s.bind(c - (c - a));
  return {hi, s.bind(a - hi)};
}

/// a * b = hi + lo exactly (Dekker's product, or an FMA), unless a partial
/// product underflows or a * 4097 overflows; callers keep |a|, |b| in
/// [2^-60, 2^60].
Pair twoProduct(Scope &s, const Expr &a, const Expr &b) {
  Expr p = s.bind(a * b);
  if (exactProductsByFma)
    return {p, s.bind(fma(a, b, 0.0f - p))};
  Pair as = split(s, a);
  Pair bs = split(s, b);
  Expr err =
      (((as.hi * bs.hi - p) + as.hi * bs.lo) + as.lo * bs.hi) + as.lo * bs.lo;
  return {p, s.bind(err)};
}

/// x * x - square exactly, where square is x * x rounded (same conditions).
Expr squareError(Scope &s, const Expr &x, const Expr &square) {
  if (exactProductsByFma)
    return fma(x, x, 0.0f - square);
  Pair xs = split(s, x);
  return ((xs.hi * xs.hi - square) + 2.0f * xs.hi * xs.lo) + xs.lo * xs.lo;
}

/// hi + lo = 1 + b exactly, for |b| <= 1 (Dekker's Fast2Sum).
Pair onePlus(Scope &s, const Expr &b) {
  Expr hi = s.bind(1.0f + b);
  return {hi, s.bind((1.0f - hi) + b)};
}

/// (n.hi + n.lo) / (d.hi + d.lo) as a pair, to about 2^-44 relative: a
/// quotient from the reciprocal, corrected by the exactly computed residual.
Pair dividePairs(Scope &s, const Pair &n, const Pair &d) {
  Expr recip = s.bind(1.0f / d.hi);
  Expr q = s.bind(n.hi * recip);
  Pair qd = twoProduct(s, q, d.hi);
  // n.hi - qd.hi is exact (Sterbenz): q d.hi is within 2 ulp of n.hi.
  Expr residual = (((n.hi - qd.hi) - qd.lo) + n.lo) - q * d.lo;
  return {q, s.bind(residual * recip)};
}

/// The pair quotient rounded once.
Expr divide(Scope &s, const Pair &n, const Pair &d) {
  Pair q = dividePairs(s, n, d);
  return q.hi + q.lo;
}

// ---------------------------------------------------------------------------
// exp range reduction: x = n ln2 + r, |r| <= ln2/2 (+ rounding slack).
// ---------------------------------------------------------------------------

constexpr float kLog2E = 1.442695022e+00f; // float(1/ln 2).
// Cody-Waite split of ln 2 (Cephes expf): kLn2Hi has 9 significant bits so
// n * kLn2Hi is exact for |n| < 2^15; kLn2Lo = float(ln 2 - kLn2Hi).
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.121944417e-04f;

// exp(r) = 1 + r + r^2 Q(r) on |r| <= 0.3467 (ln2/2 plus the slack of
// rounding n): Remez fit 0.022.
constexpr float kExpQ[] = {5.000000000e-01f, 1.666664779e-01f,
                           4.166637734e-02f, 8.336298168e-03f,
                           1.394548803e-03f, 1.894592278e-04f};

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
Expr expTail(Scope &s, const Expr &r) {
  return s.bind(r * r * horner(r, kExpQ));
}

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

// expm1 rounds to -1 below -17.33; clamping keeps n >= -26, so 2^n is normal.
constexpr float kExpm1MinArg = -17.5f;
// Beyond 2^23 the float 1 - 2^-n is inexact: 2^-n moves to the low part.
constexpr int kExpm1ExactShift = 23;
// 2^-n is needed only as a correction below 2^-24: 2^-100 stays normal.
constexpr int kExpm1MaxLowShift = 100;

/// expm1(x) = 2^n (expm1(r) + 1) - 1 with expm1(r) = rHi + c, summed in an
/// order that makes all but the last addition exact.
Expr expm1Core(Scope &s, const Expr &x) {
  Expr xc = s.bind(Halide::clamp(x, kExpm1MinArg, kExpMaxArg));
  ExpReduced red = reduceExp(s, xc);
  Expr c = s.bind(red.rLo + expTail(s, red.r));
  Expr n = s.bind(Halide::cast<int32_t>(red.n));
  // n < 0: (2^n - 1) + 2^n (rHi + c); 2^n - 1 is exact for n >= -24.
  Expr t = s.bind(exp2Int(n));
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
// Remez fit 0.015.
constexpr float kLogP[] = {
    3.333331347e-01f,  -2.500001490e-01f, 2.000202984e-01f,
    -1.666788757e-01f, 1.422147304e-01f,  -1.240634397e-01f,
    1.187329814e-01f,  -1.167278215e-01f, 6.782055646e-02f};
constexpr int32_t kSqrtHalfBits = 0x3f3504f3; // float(sqrt(1/2)) = 0.70710677.
constexpr int32_t kMantissaMask = 0x007fffff;
constexpr float kMinNormal = 0x1p-126f;
// Subnormals are scaled by 2^23 into the normal range first.
constexpr int kSubnormalShift = 23;
constexpr float kSubnormalScale = 0x1p23f;

/// x = 2^e (1 + f) with f in [sqrt(1/2) - 1, sqrt(2) - 1), both exact floats.
struct LogReduced {
  Expr e;
  Expr f;
};

/// For finite x > 0. Subtracting the bits of sqrt(1/2) makes the exponent
/// field e and leaves m = 1 + f in [sqrt(1/2), sqrt(2)) without a branch.
LogReduced reduceLog(Scope &s, const Expr &x) {
  Expr subnormal = s.bind(x < kMinNormal);
  Expr bits =
      s.bind(bitsOf(select(subnormal, x * kSubnormalScale, x)) - kSqrtHalfBits);
  Expr e = s.bind(Halide::cast<float>((bits >> kMantissaBits) -
                                      select(subnormal, kSubnormalShift, 0)));
  Expr f = s.bind(floatFromBits((bits & kMantissaMask) + kSqrtHalfBits) - 1.0f);
  return {e, f};
}

/// log(x) + corr / x for finite x > 0 (corr is a tiny correction term).
Expr logCore(Scope &s, const Expr &x, const Expr &corr) {
  LogReduced red = reduceLog(s, x);
  Expr e = red.e;
  Expr f = red.f;
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

// tanh(x) = x + x^3 P(x^2) on [0, atanh(1/2)]: Remez fit 0.027.
constexpr float kTanhP[] = {-3.333333135e-01f, 1.333296001e-01f,
                            -5.388586596e-02f, 2.119444311e-02f,
                            -6.432258058e-03f};
constexpr float kTanhSmall = 0.5493061f; // atanh(1/2).
constexpr float kTanhSaturate = 9.1f;    // tanh rounds to 1 above 9.01.

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

// erf(a) = a + a K(a^2) on [0, 1]: Remez fit 0.024.
constexpr float kErfK[] = {
    1.283791661e-01f, -3.761262596e-01f, 1.128357872e-01f, -2.685334720e-02f,
    5.187162198e-03f, -7.997853099e-04f, 7.806903886e-05f};
// erf = 1 - erfc above kErfSmall, where erfc < 1/4 and its error shrinks.
constexpr float kErfSmall = 0.82f;
// erfc = 1 - erf below kErfcSmall, where erfc > 0.39 so that the rounding of
// the small part of (1 - x) - x K costs under a quarter ulp.
constexpr float kErfcSmall = 0.6f;
constexpr float kErfcMax = 10.1f; // erfc rounds to 0 above 10.0546.

// erfc(x) = exp(-x^2) H(x) / x with H(x) = x exp(x^2) erfc(x) smooth and in
// [0.33, 0.57]. H is a degree-8 polynomial on three pieces: in t = x - mid
// on [0.6, 1.1] and [1.1, 2], in w = 1/x^2 on [2, 10.1]. Remez fits 0.010,
// 0.014, 0.060, with c0 kept in double and stored as a float pair.
constexpr float kErfcSplit1 = 1.1f;
constexpr float kErfcSplit2 = 2.0f;
// Expansion points with few bits: x - mid is exact (Sterbenz) on the piece.
constexpr float kErfcMid1 = 0.84375f;
constexpr float kErfcMid2 = 1.546875f;
constexpr float kErfcC0Hi[] = {4.002480507e-01f, 4.858418703e-01f,
                               5.641895533e-01f};
constexpr float kErfcC0Lo[] = {1.008305350e-08f, -7.808480973e-09f,
                               -1.518302817e-08f};
constexpr float kErfcTail1[] = {
    1.977167577e-01f, -1.610595286e-01f, 1.071203277e-01f, -6.218285114e-02f,
    3.258076683e-02f, -1.565845124e-02f, 7.131854072e-03f, -3.544537816e-03f};
constexpr float kErfcTail2[] = {
    7.169131935e-02f, -4.579791427e-02f, 2.446263283e-02f, -1.161212567e-02f,
    5.039049778e-03f, -2.040725667e-03f, 8.254711865e-04f, -2.958555706e-04f};
constexpr float kErfcTail3[] = {
    -2.820859849e-01f, 4.225162268e-01f, -1.035391331e+00f, 3.227185488e+00f,
    -1.006025124e+01f, 2.496576500e+01f, -3.977797318e+01f, 2.916390800e+01f};
constexpr size_t kErfcTailLen = sizeof(kErfcTail1) / sizeof(kErfcTail1[0]);

/// erfc(a) for a >= kErfcSmall (smaller a is clamped), no NaN: every product is
/// kept exact as a pair so that only the final sum rounds.
Expr erfcCore(Scope &s, const Expr &a) {
  Expr x = s.bind(Halide::clamp(a, kErfcSmall, kErfcMax));
  // x^2 = sqHi + sqLo exactly: exp(-x^2) would otherwise lose x^2 ulp(1).
  Expr sqHi = s.bind(x * x);
  Expr sqLo = squareError(s, x, sqHi);
  ExpSplit e = expSplit(s, 0.0f - sqHi, 0.0f - sqLo);
  // 1/x = uHi + uLo from the exact residual 1 - uHi x.
  Expr uHi = s.bind(1.0f / x);
  Pair ux = twoProduct(s, uHi, x);
  Expr uLo = s.bind(uHi * ((1.0f - ux.hi) - ux.lo));
  Expr in1 = s.bind(x < kErfcSplit1);
  Expr in2 = s.bind(x < kErfcSplit2);
  auto pick = [&](const float(&c)[3]) {
    return select(in1, c[0], select(in2, c[1], c[2]));
  };
  Expr v = s.bind(select(in2, x - select(in1, kErfcMid1, kErfcMid2),
                         uHi * (uHi + 2.0f * uLo)));
  Expr acc = pick({kErfcTail1[kErfcTailLen - 1], kErfcTail2[kErfcTailLen - 1],
                   kErfcTail3[kErfcTailLen - 1]});
  for (size_t i = kErfcTailLen - 1; i-- > 1;)
    acc = pick({kErfcTail1[i], kErfcTail2[i], kErfcTail3[i]}) + v * acc;
  // H = c0 + c1 v + v^2 (c2 + ...) as a pair: c1 v is up to 16% of H, too
  // large to round, so it is an exact product added with Fast2Sum.
  Pair c1v =
      twoProduct(s, pick({kErfcTail1[0], kErfcTail2[0], kErfcTail3[0]}), v);
  Expr c0Hi = s.bind(pick(kErfcC0Hi));
  Expr hHi = s.bind(c0Hi + c1v.hi);
  Expr hLo = s.bind(((c0Hi - hHi) + c1v.hi) +
                    ((pick(kErfcC0Lo) + c1v.lo) + v * (v * acc)));
  // (m.hi + m.lo)(uHi + uLo)(hHi + hLo), rounded once.
  Pair mu = twoProduct(s, e.m.hi, uHi);
  Expr muLo = s.bind(mu.lo + e.m.lo * uHi + e.m.hi * uLo);
  Pair p = twoProduct(s, mu.hi, hHi);
  Expr lo = p.lo + mu.hi * hLo + muLo * hHi;
  return scaleByExp2(p.hi + lo, e.n);
}

// ---------------------------------------------------------------------------
// atan: reduced to |y| <= tan(pi/8) by atan a = pi/4 + atan((a - 1)/(a + 1))
// and atan a = pi/2 - atan(1/a) (Cephes atanf's reduction).
// ---------------------------------------------------------------------------

// atan(y) = y + y z P(z), z = y^2, on |y| <= tan(pi/8): Remez fit 0.018.
constexpr float kAtanP[] = {-3.333333135e-01f, 1.999924183e-01f,
                            -1.425567269e-01f, 1.067172810e-01f,
                            -6.254067272e-02f};
constexpr float kTanPiOver8 = 4.142135680e-01f;  // float(sqrt(2) - 1).
constexpr float kTan3PiOver8 = 2.414213657e+00f; // float(sqrt(2) + 1).
// pi/4 and pi/2 as float pairs (hi = float(v), lo = float(v - hi)).
constexpr float kPiOver4Hi = 7.853981853e-01f;
constexpr float kPiOver4Lo = -2.185569414e-08f;
constexpr float kPiOver2Hi = 1.570796371e+00f;
constexpr float kPiOver2Lo = -4.371138829e-08f;
// atan rounds to pi/2 far below this; clamping keeps 1/a and its exact
// residual finite at infinity.
constexpr float kAtanMaxArg = 1.0e30f;

/// atan(a) for a >= 0 (no NaN): y is an exact pair quotient and the offset
/// is added with Fast2Sum, so only the final sum rounds.
Expr atanCore(Scope &s, const Expr &a) {
  Expr ac = s.bind(Halide::min(a, kAtanMaxArg));
  Expr big = s.bind(ac > kTan3PiOver8);
  Expr mid = s.bind(ac > kTanPiOver8);
  Expr inMid = s.bind(mid && !big);
  // a - 1 and a + 1 as exact pairs (Fast2Sum is exact here for a < 4).
  Expr acMinusOne = s.bind(ac - 1.0f);
  Pair acPlusOne = onePlus(s, ac);
  Pair num{select(big, -1.0f, select(mid, acMinusOne, ac)),
           select(inMid, (-1.0f - acMinusOne) + ac, 0.0f)};
  Pair den{select(big, ac, select(mid, acPlusOne.hi, 1.0f)),
           select(inMid, acPlusOne.lo, 0.0f)};
  Pair y = dividePairs(s, num, den);
  Expr z = s.bind(y.hi * y.hi);
  Expr offsetHi =
      s.bind(select(big, kPiOver2Hi, select(mid, kPiOver4Hi, 0.0f)));
  Expr offsetLo = select(big, kPiOver2Lo, select(mid, kPiOver4Lo, 0.0f));
  Expr sum = s.bind(offsetHi + y.hi);
  Expr sumErr = (offsetHi - sum) + y.hi;
  // atan(y.hi + y.lo) = atan(y.hi) + y.lo / (1 + z) to first order.
  Expr lo =
      (sumErr + offsetLo) + ((y.lo - y.lo * z) + y.hi * z * horner(z, kAtanP));
  return sum + lo;
}

// ---------------------------------------------------------------------------
// sin and cos: x = j pi/2 + r, |r| <= pi/4 (+ 0.0062 from rounding j), by
// Cody-Waite with pi/2 cut into 8-bit pieces so that j P_k is exact for
// |j| < 2^16, i.e. |x| < 102943.
// ---------------------------------------------------------------------------

constexpr float kTwoOverPi = 6.366197467e-01f; // float(2/pi).
// pi/2 = sum of these to 2^-82: six 8-bit pieces (round to nearest of the
// remainder at 8 significant bits) and a float for the rest. The smallest
// |x - j pi/2| over floats below 2^17 is 2^-27.8 (x = 252.898), so r needs
// about 2^-54 absolute accuracy.
constexpr float kPiOver2Piece[] = {0x1.92p+0f,     0x1.fcp-12f, -0x1.58p-21f,
                                   0x1.1p-30f,     0x1.68p-39f, 0x1.84p-48f,
                                   0x1.a62634p-58f};
constexpr size_t kPiOver2Pieces =
    sizeof(kPiOver2Piece) / sizeof(kPiOver2Piece[0]);
// (2^16 - 1/2) pi/2: beyond, |j| >= 2^16 and j P_k is no longer exact.
constexpr float kTrigMaxExact = 102943.0f;
// j is clamped here before its conversion to int; it is exact below 2^24.
constexpr float kTrigMaxQuadrant = 0x1p24f;
// |r| <= pi/4 + 2^-8 pi/2: x 2/pi rounds by at most 2^-8 below kTrigMaxExact.
constexpr float kPiOver4Bound = 0.7916f;

// sin r = r + r z S(z), cos r = 1 - z/2 + z^2 C(z), z = r^2, |r| <= 0.7916:
// Remez fits 0.008 and 0.004.
constexpr float kSinS[] = {-1.666666716e-01f, 8.333403617e-03f,
                           -1.986320131e-04f, 2.934026270e-06f};
constexpr float kCosC[] = {4.166665673e-02f, -1.388774952e-03f,
                           2.447432962e-05f};

/// sin(x) for quadrantShift = 0, cos(x) for quadrantShift = 1.
Expr sinCosCore(Scope &s, const Expr &x, int quadrantShift) {
  Expr j = s.bind(Halide::round(x * kTwoOverPi));
  // The first two steps are exact (Sterbenz, then |r| < 2^24 lsb(P_1)); the
  // rest are summed exactly with Knuth's TwoSum into hi + lo.
  Expr hi = s.bind((x - j * kPiOver2Piece[0]) - j * kPiOver2Piece[1]);
  Expr lo = 0.0f;
  for (size_t k = 2; k + 1 < kPiOver2Pieces; ++k) {
    Expr b = s.bind(j * -kPiOver2Piece[k]);
    Expr sum = s.bind(hi + b);
    Expr bPart = s.bind(sum - hi);
    lo = s.bind(lo + ((hi - (sum - bPart)) + (b - bPart)));
    hi = sum;
  }
  lo = s.bind(lo - j * kPiOver2Piece[kPiOver2Pieces - 1]);
  // Past kTrigMaxExact the reduction is inexact: keep r in range so the
  // result stays within [-1, 1].
  Expr inRange = s.bind(Halide::abs(x) <= kTrigMaxExact);
  hi = s.bind(
      select(inRange, hi, Halide::clamp(hi, -kPiOver4Bound, kPiOver4Bound)));
  lo = s.bind(select(inRange, lo, 0.0f));

  Expr z = s.bind(hi * hi);
  // sin(hi + lo) = sin hi + lo cos hi, cos hi = 1 - z/2 to the needed order.
  Expr sinR = hi + ((lo - lo * z * 0.5f) + hi * z * horner(z, kSinS));
  // cos(hi + lo) = cos hi - lo hi with 1 - hi^2/2 formed exactly (Dekker's
  // square and Fast2Sum): hi^2/2 reaches 0.31, too large to round.
  Expr zLo = squareError(s, hi, z);
  Expr halfZ = s.bind(z * 0.5f);
  Expr w = s.bind(1.0f - halfZ);
  Expr cosR = w + ((((1.0f - w) - halfZ) - zLo * 0.5f - hi * lo) +
                   z * z * horner(z, kCosC));

  Expr q = s.bind((Halide::cast<int32_t>(
                       Halide::clamp(j, -kTrigMaxQuadrant, kTrigMaxQuadrant)) +
                   quadrantShift) &
                  3);
  Expr value = select((q & 1) == 0, sinR, cosR);
  return select(q >= 2, 0.0f - value, value);
}

// ---------------------------------------------------------------------------
// pow: 2^(b log2|a|) evaluated in double, where the product's absolute error
// (up to 150 * 2^-24 in float) would otherwise cost thousands of ulps. The
// internal relative error is below 2^-40, so the final conversion to float is
// the only visible rounding (0.5 ulp, subnormal and overflow included).
// ---------------------------------------------------------------------------

constexpr double kInvLn2 = 1.4426950408889634; // 1/ln 2, correctly rounded.
constexpr double kLn2 = 0.69314718055994531;   // ln 2, correctly rounded.
// log(1 + f) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), s = f / (2 + f),
// |s| <= 0.1716: the atanh Taylor series to s^14/15, truncation 2^-44.
constexpr double kAtanhSeries[] = {1.0,     1.0 / 3,  1.0 / 5,  1.0 / 7,
                                   1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15};
// e^u = sum u^k / k! to k = 10 for |u| <= ln2/2: truncation 2^-42.
constexpr double kExpSeries[] = {
    1.0,       1.0,        1.0 / 2,     1.0 / 6,      1.0 / 24,     1.0 / 120,
    1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800};
// |b log2|a|| beyond this over- or underflows float by far; clamping keeps
// the double exponent field valid.
constexpr double kPowMaxLog2 = 200.0;
constexpr int kDoubleMantissaBits = 52;   // IEEE binary64 fraction field width.
constexpr int kDoubleExponentBias = 1023; // IEEE binary64 exponent bias.
// Floats from 2^24 up are even integers.
constexpr float kTwoTo24 = 0x1p24f;

/// |a|^b for finite a > 0 (b any non-NaN; a = 1 or b = 0 give 1 elsewhere).
Expr powCore(Scope &s, const Expr &absA, const Expr &b) {
  using Halide::cast;
  LogReduced red = reduceLog(s, absA);
  Expr f = s.bind(cast<double>(red.f));
  Expr t = s.bind(f / (constant(2.0) + f));
  Expr log1pF = constant(2.0) * t * horner(t * t, kAtanhSeries);
  Expr log2A = cast<double>(red.e) + log1pF * constant(kInvLn2);
  Expr y = s.bind(Halide::clamp(cast<double>(b) * log2A, constant(-kPowMaxLog2),
                                constant(kPowMaxLog2)));
  Expr n = s.bind(Halide::round(y));
  Expr scale = Halide::reinterpret<double>(
      cast<int64_t>(cast<int32_t>(n) + kDoubleExponentBias)
      << kDoubleMantissaBits);
  return cast<float>(horner((y - n) * constant(kLn2), kExpSeries) * scale);
}

// rsqrt scales |x| outside [2^-64, 2^64] by 2^-+64 so that 1/x neither
// overflows nor goes subnormal, and rescales the root by 2^-+32 exactly.
constexpr float kRsqrtLarge = 0x1p64f;
constexpr float kRsqrtSmall = 0x1p-64f;
constexpr float kRsqrtLargeRoot = 0x1p32f;
constexpr float kRsqrtSmallRoot = 0x1p-32f;

// ---------------------------------------------------------------------------
// Wide variants (namespace wide): Float(64) in and out, for compositions such
// as x erfc(u) or tanh(log1p(exp(x))) that a float32 result would round, and
// an argument u that a float32 computation would round, before the function
// amplifies the error (exp(u) by |u|, erfc(u) by 2u^2). The range reduction,
// the leading terms of each expansion and the final scaling are in double;
// only the polynomial tails, a few percent of the result, are float32 (the
// same fits as above), so the relative error stays below 2^-26 and the double
// range keeps results that float32 would flush to subnormals exact. They cost
// about what the float32 functions do (sigmoid, tanh, erfc) or up to twice
// (exp, expm1, log1p), which is why the lowering uses them only where float32
// cannot meet the bound.
// ---------------------------------------------------------------------------

// exp overflows double above log(DBL_MAX) = 709.78. Below -708 its
// result (under 2^-1021) flushes to 0: a float32 result could come of such a
// value only through a factor beyond 2^870.
constexpr double kWideExpMax = 710.0;
constexpr double kWideExpMin = -708.0;
constexpr double kDoubleInfinity = std::numeric_limits<double>::infinity();
constexpr double kDoubleNaN = std::numeric_limits<double>::quiet_NaN();
// Adding 1.5 * 2^52 rounds a double below 2^51 in magnitude to an integer,
// which the low bits of the sum then hold: no float-to-integer conversion.
constexpr double kRoundToIntMagic = 0x1.8p52;

/// v = n ln2 + r, |r| <= ln2/2 (+ rounding), for v in double's exp range.
struct ExpReducedWide {
  Expr n;     // Float(64), integral, in [-1021, 1024].
  Expr nBits; // Int(64): n in the low bits (n + kRoundToIntMagic's bits).
  Expr r;     // Float(64), to about 2^-43 absolute (n ln2 rounds in double).
};

/// For v clamped to [lowest, kWideExpMax].
ExpReducedWide reduceExpWide(Scope &s, const Expr &v,
                             double lowest = kWideExpMin) {
  Expr vc = s.bind(Halide::clamp(v, constant(lowest), constant(kWideExpMax)));
  Expr t = s.bind(vc * constant(kInvLn2) + constant(kRoundToIntMagic));
  Expr n = s.bind(t - constant(kRoundToIntMagic));
  return {n, s.bind(Halide::reinterpret<int64_t>(t)),
          s.bind(vc - n * constant(kLn2))};
}

/// 2^(n - 1) from nBits for n in [-1021, 1024]: the exponent field is built
/// from the low bits directly (the magic's own bits shift out).
Expr exp2MinusOneWide(const Expr &nBits) {
  return Halide::reinterpret<double>(
      (nBits + Expr(int64_t(kDoubleExponentBias - 1)))
      << Expr(int64_t(kDoubleMantissaBits)));
}

/// v * 2^n, exact but for the final rounding (overflow included).
Expr scaleByExp2Wide(const Expr &v, const Expr &nBits) {
  return (v * exp2MinusOneWide(nBits)) * constant(2.0);
}

/// expm1(r) = r + r^2 (Q0 + r Q'(r)): all in double but Q', whose float32
/// rounding stays under 2^-24 of a term at most 1% of the result (expm1 near
/// ln2/2, where (2^n - 1) + 2^n expm1(r) cancels by 1.4, needs that margin).
Expr expm1Reduced(Scope &s, const Expr &r) {
  static_assert(kExpQ[0] == 0.5f, "Q0 is exact");
  Expr rest = Halide::cast<double>(
      horner(Halide::cast<float>(r),
             {kExpQ[1], kExpQ[2], kExpQ[3], kExpQ[4], kExpQ[5]}));
  return s.bind(r + (r * r) * (constant(0.5) + r * rest));
}

/// exp(v) for v in [kWideExpMin, kWideExpMax] (clamped), no NaN.
Expr expWideCore(Scope &s, const Expr &v) {
  ExpReducedWide red = reduceExpWide(s, v);
  Expr e = scaleByExp2Wide(constant(1.0) + expm1Reduced(s, red.r), red.nBits);
  return select(v < constant(kWideExpMin), constant(0.0), e);
}

constexpr int64_t kSqrtHalfBitsWide = 0x3fe6a09e667f3bcd; // double(sqrt(1/2))
constexpr int64_t kDoubleMantissaMask = (int64_t(1) << kDoubleMantissaBits) - 1;
constexpr double kDoubleMinNormal = 0x1p-1022;
// Subnormal doubles are scaled by 2^54 into the normal range first.
constexpr int kWideSubnormalShift = 54;
constexpr double kWideSubnormalScale = 0x1p54;

/// log(v) for finite v > 0: v = 2^e (1 + f) with 1 + f in [sqrt(1/2),
/// sqrt(2)) exact, log1p(f) = f - f^2/2 + f^3 P(f), P in float32 (under 6% of
/// the result).
Expr logWideCore(Scope &s, const Expr &v) {
  using Halide::cast;
  Expr subnormal = s.bind(v < constant(kDoubleMinNormal));
  Expr sqrtHalfBits = Expr(kSqrtHalfBitsWide);
  Expr bits = s.bind(Halide::reinterpret<int64_t>(select(
                         subnormal, v * constant(kWideSubnormalScale), v)) -
                     sqrtHalfBits);
  Expr e =
      cast<double>(cast<int32_t>(bits >> Expr(int64_t(kDoubleMantissaBits))) -
                   select(subnormal, kWideSubnormalShift, 0));
  Expr f = s.bind(Halide::reinterpret<double>(
                      (bits & Expr(kDoubleMantissaMask)) + sqrtHalfBits) -
                  constant(1.0));
  Expr z = s.bind(f * f);
  Expr p = cast<double>(horner(cast<float>(f), kLogP));
  return e * constant(kLn2) + ((f - constant(0.5) * z) + f * z * p);
}

/// K(v^2) of erf(v) = v + v K(v^2), in double: its first terms cancel to a
/// twentieth of their size (K(0.36) = 0.0064 from 0.128 - 0.135).
Expr erfKWide(const Expr &v) { return horner(v * v, kErfK); }

// erfc rounds to 0 in double above 27.226.
constexpr double kWideErfcMax = 27.25;
constexpr double kInvSqrtPi = 0.56418958354775628; // 1/sqrt(pi)
// Past kErfcMax (10.1), where the float32 fit of H ends, H is its asymptotic
// series (1/sqrt(pi)) sum (-1)^k (2k-1)!! / 2^k w^k in w = 1/x^2: the first
// omitted term is below 2^-44 of H there. c1..c8 as kErfcTail*.
constexpr float kErfcAsymptotic[] = {
    -0.5f * kInvSqrtPi,          0.75f * kInvSqrtPi,
    -1.875f * kInvSqrtPi,        6.5625f * kInvSqrtPi,
    -29.53125f * kInvSqrtPi,     162.421875f * kInvSqrtPi,
    -1055.7421875f * kInvSqrtPi, 7918.06640625f * kInvSqrtPi};
static_assert(sizeof(kErfcAsymptotic) == sizeof(kErfcTail3),
              "one coefficient per power of w, as the fitted pieces");

/// erfc(a) for a >= kErfcSmall (smaller a is clamped), no NaN: exp(-x^2) H(x)
/// / x with x^2, 1/x, exp and H's first two terms in double, the rest of H
/// (under 3% of it) in float32.
Expr erfcWideCore(Scope &s, const Expr &a) {
  using Halide::cast;
  Expr x = s.bind(
      Halide::clamp(a, constant(double(kErfcSmall)), constant(kWideErfcMax)));
  Expr e = s.bind(expWideCore(s, constant(0.0) - x * x));
  Expr u = s.bind(constant(1.0) / x);
  Expr in1 = s.bind(x < constant(double(kErfcSplit1)));
  Expr in2 = s.bind(x < constant(double(kErfcSplit2)));
  Expr in3 = s.bind(x < constant(double(kErfcMax)));
  auto pick = [&](float c1, float c2, float c3, float c4) {
    return select(in1, c1, select(in2, c2, select(in3, c3, c4)));
  };
  auto tail = [&](size_t i) {
    return pick(kErfcTail1[i], kErfcTail2[i], kErfcTail3[i],
                kErfcAsymptotic[i]);
  };
  Expr mid = cast<double>(select(in1, kErfcMid1, kErfcMid2));
  Expr v = s.bind(select(in2, x - mid, u * u));
  Expr vf = s.bind(cast<float>(v));
  Expr acc = tail(kErfcTailLen - 1);
  for (size_t i = kErfcTailLen - 1; i-- > 1;)
    acc = tail(i) + vf * acc;
  Expr c0 = select(
      in3,
      cast<double>(pick(kErfcC0Hi[0], kErfcC0Hi[1], kErfcC0Hi[2], 0)) +
          cast<double>(pick(kErfcC0Lo[0], kErfcC0Lo[1], kErfcC0Lo[2], 0)),
      constant(kInvSqrtPi));
  Expr h = (c0 + cast<double>(tail(0)) * v) + v * v * cast<double>(acc);
  return e * u * h;
}
} // namespace

// exp: x = n ln2 + r, exp r = 1 + r + r^2 Q(r), times 2^n in two steps so
// that a subnormal result rounds once. Max 0.966 ulp at x = -81.4342422.
Expr exp(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(propagateNaN(v, expCore(s, v)));
}

// expm1: the exp reduction, then 2^n (expm1 r + 1) - 1 summed so that only
// the last addition rounds. Max 1.005 ulp at x = 0.399062008.
Expr expm1(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  // expm1(-0) = -0 (and tiny x returns x).
  return s.finish(propagateNaN(v, select(v == 0.0f, v, expm1Core(s, v))));
}

// log: x = 2^e (1 + f), log x = e ln2 + log1p f with f in
// [sqrt(1/2) - 1, sqrt(2) - 1). Max 0.822 ulp at x = 0.701828778.
Expr log(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr special = select(v == 0.0f, -kInfinity, select(v == kInfinity, v, kNaN));
  Expr finite = v > 0.0f && v < kInfinity;
  return s.finish(select(finite, logCore(s, v, 0.0f), special));
}

// log1p: u = 1 + x rounded, its error err recovered exactly, log u by the
// log reduction plus err / u. Max 0.851 ulp at x = 0.405482799.
Expr log1p(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  // u + err = 1 + v exactly (Knuth's TwoSum), log1p(v) = log(u) + err / u.
  Expr u = s.bind(1.0f + v);
  Expr bv = s.bind(u - 1.0f);
  Expr err = s.bind((1.0f - (u - bv)) + (v - bv));
  Expr corr = s.bind(err / u);
  Expr special =
      select(v == -1.0f, -kInfinity, select(v == kInfinity, v, kNaN));
  Expr finite = v > -1.0f && v < kInfinity;
  Expr result = select(v == 0.0f, v, logCore(s, u, corr));
  return s.finish(select(finite, result, special));
}

// tanh: odd polynomial below atanh(1/2), (1 - F) / (1 + F) with
// F = exp(-2|x|) above. Max 0.792 ulp at x = 0.540679455.
Expr tanh(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(propagateNaN(v, copySign(tanhCore(s, Halide::abs(v)), v)));
}

// sigmoid: N / (1 + F) with F = exp(-|x|), never overflowing; subnormal
// results (x < -87.3) round once. Max 0.780 ulp at x = -87.6740189.
Expr sigmoid(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(propagateNaN(v, sigmoidCore(s, v)));
}

// erf: a + a K(a^2) below 0.82, 1 - erfc above. Max 0.883 ulp at
// x = 0.816469967.
Expr erf(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr a = s.bind(Halide::abs(v));
  Expr small = a + a * horner(a * a, kErfK);
  Expr result = select(a < kErfSmall, small, 1.0f - erfcCore(s, a));
  return s.finish(propagateNaN(v, copySign(result, v)));
}

// erfc: 1 - erf below 0.6 (an exact 1 - x plus x K), exp(-x^2) H(x) / x
// above, relatively accurate until it underflows at 10.05 (what gelu needs
// for very negative x). Max 0.796 ulp at x = 9.21529102 (a subnormal).
Expr erfc(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr a = s.bind(Halide::abs(v));
  // 1 - erf(x) = (1 + y) + y K(y^2) with y = -x and 1 + y split exactly.
  Expr y = s.bind(0.0f - v);
  Pair onePlusY = onePlus(s, y);
  Expr small = onePlusY.hi + (onePlusY.lo + y * horner(y * y, kErfK));
  Expr large = s.bind(erfcCore(s, a));
  Expr result =
      select(a < kErfcSmall, small, select(v < 0.0f, 2.0f - large, large));
  return s.finish(propagateNaN(v, result));
}

// sin and cos: x = j pi/2 + r by Cody-Waite with pi/2 in seven pieces to
// 2^-82, exact for |x| <= 102943 (|j| < 2^16); a polynomial for sin r and
// cos r picked by j mod 4. Max 0.766 ulp (sin, x = 336.88855) and 0.776 ulp
// (cos, x = 0.795007348) over |x| <= 102943. Beyond, the products j P_k
// round: the result is sin or cos of a point within about one ulp of x
// (absolute error below 2^-22 |x|, tested up to 2^24); above 2^24 it is only
// guaranteed to be in [-1, 1]. Snake-style activations stay far below.
Expr sin(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  // sin(+-0) = +-0; sin(inf) and sin(NaN) are NaN.
  Expr result = select(v == 0.0f, v, sinCosCore(s, v, 0));
  return s.finish(select(Halide::is_finite(v), result, kNaN));
}

Expr cos(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(select(Halide::is_finite(v), sinCosCore(s, v, 1), kNaN));
}

// atan: pi/2 - atan(1/|x|) above tan(3pi/8), pi/4 + atan((|x| - 1)/(|x| + 1))
// above tan(pi/8), the quotient as a pair and the offset added exactly. Max
// 0.692 ulp at x = 0.429892689.
Expr atan(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  return s.finish(propagateNaN(v, copySign(atanCore(s, Halide::abs(v)), v)));
}

// pow: C99 F.9.4.4 special cases by selects, |a|^b by powCore in double (the
// only double code of the float32 functions, about six times exp's cost on
// x86). Max 0.500 ulp over 2^28 random pairs (exhaustive is out of reach for
// two arguments).
Expr pow(const Expr &a, const Expr &b) {
  Scope s;
  Expr x = s.bind(Halide::cast<float>(a));
  Expr y = s.bind(Halide::cast<float>(b));
  Expr absX = s.bind(Halide::abs(x));
  Expr absY = s.bind(Halide::abs(y));
  Expr yInteger = s.bind(Halide::floor(y) == y);
  Expr yOdd = yInteger && absY < kTwoTo24 &&
              (Halide::cast<int32_t>(Halide::min(absY, kTwoTo24)) & 1) == 1;
  // C99 F.9.4.4: |x|^y for x = 0 and x = inf by their limits, finite x
  // through powCore.
  Expr magnitude =
      select(absX == 0.0f, select(y < 0.0f, kInfinity, 0.0f),
             select(absX == kInfinity, select(y < 0.0f, 0.0f, kInfinity),
                    powCore(s, absX, y)));
  // The sign bit, not x < 0, so that pow(-0, -1) = -inf.
  Expr signed_ = select(bitsOf(x) < 0 && yOdd, magnitude * -1.0f, magnitude);
  // Negative finite x with non-integral finite y has no real result.
  Expr invalid =
      (x < 0.0f && Halide::is_finite(x) && !yInteger && Halide::is_finite(y)) ||
      Halide::is_nan(x) || Halide::is_nan(y);
  // pow(x, +-0) = 1 for every x, pow(1, y) = 1 for every y and
  // pow(-1, +-inf) = 1.
  Expr one = y == 0.0f || x == 1.0f || (absX == 1.0f && absY == kInfinity);
  return s.finish(select(one, 1.0f, select(invalid, kNaN, signed_)));
}

// sqrt: the IEEE square root (sqrtps), correctly rounded: max 0.500 ulp.
Expr sqrt(const Expr &x) {
  Scope s;
  return s.finish(Halide::sqrt(Halide::cast<float>(x)));
}

// rsqrt: sqrt(1/x), with |x| scaled into [2^-64, 2^64] first. Max 0.850 ulp
// at x = 5.87001965e-39.
Expr rsqrt(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<float>(x));
  Expr large = s.bind(Halide::abs(v) > kRsqrtLarge);
  Expr small = s.bind(Halide::abs(v) < kRsqrtSmall);
  Expr scaled =
      v * select(large, kRsqrtSmall, select(small, kRsqrtLarge, 1.0f));
  // sqrt(1/x) halves the reciprocal's rounding error, unlike 1/sqrt(x).
  Expr root = Halide::sqrt(1.0f / scaled);
  Expr unscale =
      select(large, kRsqrtSmallRoot, select(small, kRsqrtLargeRoot, 1.0f));
  // rsqrt(-0) = -inf and rsqrt(+0) = +inf as 1/sqrt(x) gives; -inf would
  // otherwise reach sqrt(-0).
  return s.finish(
      select(v == 0.0f, 1.0f / v, select(v < 0.0f, kNaN, root * unscale)));
}

// round, sign, fmin and fmax are exact, in Float(32) or, given a Float(64)
// argument, in Float(64) (the wide lowering's arithmetic).
namespace {

/// x as Float(64) if it is, else as Float(32).
Expr floating(const Expr &x) {
  return x.type() == Halide::Float(64) ? x : Halide::cast<float>(x);
}

/// The wider of a's and b's floating types.
Halide::Type widerFloating(const Expr &a, const Expr &b) {
  return a.type() == Halide::Float(64) || b.type() == Halide::Float(64)
             ? Halide::Float(64)
             : Halide::Float(32);
}

Expr typed(const Expr &like, double value) {
  return Halide::Internal::make_const(like.type(), value);
}

} // namespace

Expr round(const Expr &x) {
  Scope s;
  Expr v = s.bind(floating(x));
  // x - trunc(x) is exact, so ties are detected without the classic
  // trunc(x + 0.5) error at 0.49999997; |x - t| >= 1/2 implies x != 0.
  Expr t = s.bind(Halide::trunc(v));
  Expr away = select(v < typed(v, 0), typed(v, -1), typed(v, 1));
  return s.finish(select(Halide::abs(v - t) >= typed(v, 0.5), t + away, t));
}

Expr sign(const Expr &x) {
  Scope s;
  Expr v = s.bind(floating(x));
  return s.finish(select(v > typed(v, 0), typed(v, 1),
                         select(v < typed(v, 0), typed(v, -1), v)));
}

Expr fmin(const Expr &a, const Expr &b) {
  Scope s;
  Halide::Type type = widerFloating(a, b);
  Expr x = s.bind(Halide::cast(type, a));
  Expr y = s.bind(Halide::cast(type, b));
  return s.finish(
      select(Halide::is_nan(x) || Halide::is_nan(y), x + y, Halide::min(x, y)));
}

Expr fmax(const Expr &a, const Expr &b) {
  Scope s;
  Halide::Type type = widerFloating(a, b);
  Expr x = s.bind(Halide::cast(type, a));
  Expr y = s.bind(Halide::cast(type, b));
  return s.finish(
      select(Halide::is_nan(x) || Halide::is_nan(y), x + y, Halide::max(x, y)));
}

// Halide 14 has no fma. Its code generator declares an unknown pure extern
// function by its name, so calling "llvm.fma.f32" declares LLVM's intrinsic;
// vector calls are emitted lane by lane and LLVM's SLP vectoriser rejoins
// them into one vector fma (vfmadd231ps on AVX-512, checked in the GEMM's
// assembly). StrictFloat does not touch it: only fmul/fadd pairs need
// "contract" to fuse, an explicit fma is already one operation.
Expr fma(const Expr &a, const Expr &b, const Expr &c) {
  return Halide::Internal::Call::make(
      Halide::Float(32), "llvm.fma.f32",
      {Halide::cast<float>(a), Halide::cast<float>(b), Halide::cast<float>(c)},
      Halide::Internal::Call::PureExtern);
}

ExactProductsByFma::ExactProductsByFma(bool enable)
    : saved(exactProductsByFma) {
  exactProductsByFma = enable;
}

ExactProductsByFma::~ExactProductsByFma() { exactProductsByFma = saved; }

namespace wide {

// Max below: the largest relative error of the unrounded result, in units of
// 2^-24 (a float32 ulp is one or two), over every 16th float32 and 2^25
// random doubles, against the C library in double (long double for sigmoid).

// exp: v = n ln2 + r in double, 2^n (1 + r + r^2 Q(r)). Max 0.030 at
// x = 7.97.
Expr exp(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  return s.finish(propagateNaN(v, expWideCore(s, v)));
}

// expm1 is -1 in double below -37.43.
constexpr double kWideExpm1Min = -40.0;

// expm1: expm1(r) itself for n = 0 (|v| < ln2/2); beyond, |expm1(v)| > 0.29
// and 2^n (1 + expm1(r)) - 1 cancels by at most 3.4, harmless in double.
// Max 0.102 at x = 0.3466.
Expr expm1(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  ExpReducedWide red = reduceExpWide(s, v, kWideExpm1Min);
  Expr em1r = expm1Reduced(s, red.r);
  Expr result =
      select(red.n == constant(0.0), em1r,
             scaleByExp2Wide(constant(1.0) + em1r, red.nBits) - constant(1.0));
  // expm1(+-0) = +-0; the clamps give -1 and +inf beyond the range.
  result = select(v == constant(0.0), v, result);
  return s.finish(propagateNaN(v, result));
}

// log: v = 2^e (1 + f), e ln2 + log1p(f). Max 0.078 at x = 1.39976.
Expr log(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  Expr special =
      select(v == constant(0.0), constant(-kDoubleInfinity),
             select(v == constant(kDoubleInfinity), v, constant(kDoubleNaN)));
  Expr finite = v > constant(0.0) && v < constant(kDoubleInfinity);
  return s.finish(select(finite, logWideCore(s, v), special));
}

// log1p: u + err = 1 + v exactly (Knuth's TwoSum in double), then
// log(u) + err / u. Max 0.089 at x = 0.39462.
Expr log1p(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  Expr one = constant(1.0);
  Expr u = s.bind(one + v);
  Expr bv = s.bind(u - one);
  Expr err = s.bind((one - (u - bv)) + (v - bv));
  Expr result = select(v == constant(0.0), v, logWideCore(s, u) + err / u);
  Expr special =
      select(v == -one, constant(-kDoubleInfinity),
             select(v == constant(kDoubleInfinity), v, constant(kDoubleNaN)));
  Expr finite = v > -one && v < constant(kDoubleInfinity);
  return s.finish(select(finite, result, special));
}

// tanh rounds to +-1 in double beyond 19.06.
constexpr double kWideTanhSaturate = 19.5;

// tanh: v + v^3 P(v^2) below atanh(1/2), (1 - F) / (1 + F) with
// F = exp(-2|v|) above, both in double but for P. Max 0.124 at x = 0.5304.
Expr tanh(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  Expr a = s.bind(Halide::abs(v));
  Expr z = s.bind(v * v);
  // v (1 + z P) keeps tanh(-0) = -0.
  Expr small =
      v * (constant(1.0) +
           z * Halide::cast<double>(horner(Halide::cast<float>(z), kTanhP)));
  Expr f = s.bind(expWideCore(
      s, constant(-2.0) * Halide::min(a, constant(kWideTanhSaturate))));
  Expr large = s.bind((constant(1.0) - f) / (constant(1.0) + f));
  Expr result = select(a < constant(double(kTanhSmall)), small,
                       select(v < constant(0.0), constant(0.0) - large, large));
  return s.finish(propagateNaN(v, result));
}

// sigmoid: N / (1 + F) with F = exp(-|v|), N = 1 for v >= 0 and F below.
// Max 0.030 at x = -4.505.
Expr sigmoid(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  Expr a = s.bind(Halide::abs(v));
  Expr f = s.bind(expWideCore(s, constant(0.0) - a));
  Expr result =
      select(v < constant(0.0), f, constant(1.0)) / (constant(1.0) + f);
  return s.finish(propagateNaN(v, result));
}

// erf: v (1 + K(v^2)) below 0.82, 1 - erfc(|v|) above, with v's sign. Max
// 0.024 at x = -0.792.
Expr erf(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  Expr a = s.bind(Halide::abs(v));
  Expr small = v * (constant(1.0) + erfKWide(v));
  Expr large = s.bind(constant(1.0) - erfcWideCore(s, a));
  Expr result = select(a < constant(double(kErfSmall)), small,
                       select(v < constant(0.0), constant(0.0) - large, large));
  return s.finish(propagateNaN(v, result));
}

// erfc: (1 - v) - v K(v^2) below 0.6, exp(-v^2) H(v) / v above (2 minus
// that for negative v), 0 past 27.25. Max 0.134 at x = 2.1246.
Expr erfc(const Expr &x) {
  Scope s;
  Expr v = s.bind(Halide::cast<double>(x));
  Expr a = s.bind(Halide::abs(v));
  Expr small = (constant(1.0) - v) - v * erfKWide(v);
  Expr large = s.bind(
      select(a > constant(kWideErfcMax), constant(0.0), erfcWideCore(s, a)));
  Expr result = select(a < constant(double(kErfcSmall)), small,
                       select(v < constant(0.0), constant(2.0) - large, large));
  return s.finish(propagateNaN(v, result));
}

} // namespace wide

} // namespace act::math
