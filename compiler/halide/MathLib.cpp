// Float32 transcendental functions as vectorisable Halide expressions.
//
// Method: Cody-Waite range reduction and a polynomial on the reduced
// argument, with one fused multiply-add per polynomial step where the target
// has FMA. A function returns either a float32 result (about an ulp, the
// cheapest form that meets its bound) or an extended one: an unevaluated sum
// hi + lo, built with the error-free transformations (Knuth's TwoSum,
// Dekker's Fast2Sum, the exact product of an FMA or Dekker's splitting) at
// the few steps whose rounding would show, and an exponent kept apart where
// the result may go subnormal. Extended results are relatively accurate to
// 2^-27 or better, so a caller's own product or sum rounds once, at the end.
//
// Coefficients: minimax fits of the stated function on the stated interval
// (the Remez exchange algorithm in double against the C library, rounded to
// float one coefficient at a time from the lowest order up, refitting the
// others after each rounding; or Sollya's fpminimax). "Fit" is that
// approximation error relative to the function, in units of 2^-24.
//
// "Max" is the largest error over all 2^32 float inputs against a double
// reference, in ulps of max(|exact|, 2^-126), on an FMA target (MathLibTest's
// DISABLED_Exhaustive; bench/ACCURACY.md).
#include "compiler/halide/MathLib.h"

#include <cstdint>
#include <limits>

namespace act::math {
namespace {

using Halide::Expr;

Expr constant(float v) { return Expr(v); }
Expr constant(double v) {
  return Halide::Internal::FloatImm::make(Halide::Float(64), v);
}

constexpr int kMantissaBits = 23;       // IEEE binary32 fraction field width.
constexpr int kFloatExponentBias = 127; // IEEE binary32 exponent bias.
constexpr int32_t kSignMask = INT32_MIN;
constexpr float kInfinity = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Expr bitsOf(const Expr &x) { return Halide::reinterpret<int32_t>(x); }
Expr floatFromBits(const Expr &i) { return Halide::reinterpret<float>(i); }

/// 2^n for integer n in [-126, 127] (n = 128 gives inf).
Expr exp2Int(const Expr &n) {
  return floatFromBits((n + kFloatExponentBias) << kMantissaBits);
}

/// Exact IEEE negation (flips the sign bit): Halide's `-x` is `0 - x`, which
/// turns +0 into +0.
Expr negate(const Expr &x) {
  return floatFromBits(bitsOf(x) ^ Expr(kSignMask));
}

/// The negation of a let-bound operand of an FMA: -0 - v is LLVM's fneg,
/// which folds into the FMA (vfnmadd, vfmsub). Only for variables: Halide's
/// simplifier does not keep -0 - c for a constant c (or a select of them)
/// exact, which negate() does. The -0 is written as its bits: Halide's CSE
/// takes the float constants -0 and +0 for one and would merge them.
Expr fmaNegate(const Expr &v) {
  if (!v.as<Halide::Internal::Variable>())
    return negate(v);
  return floatFromBits(Expr(kSignMask)) - v;
}

/// |x| by clearing the sign bit.
Expr absolute(const Expr &x) {
  return floatFromBits(bitsOf(x) & Expr(~kSignMask));
}

/// The sign bit of x alone, as Int(32) (0 or INT32_MIN).
Expr signBit(const Expr &x) { return bitsOf(x) & Expr(kSignMask); }

/// v with its sign bit flipped where `sign` (0 or INT32_MIN) is set.
Expr flipSign(const Expr &v, const Expr &sign) {
  return floatFromBits(bitsOf(v) ^ sign);
}

/// max(x, lo) and min(x, hi) that keep a NaN x: x86's maxps/minps return the
/// second operand when either is NaN, and the select below compiles to one of
/// them with x second.
Expr atLeast(const Expr &x, float lo) {
  return Halide::select(Expr(lo) > x, Expr(lo), x);
}
Expr atMost(const Expr &x, float hi) {
  return Halide::select(Expr(hi) < x, Expr(hi), x);
}

bool isConstant(const Expr &e, double *value = nullptr) {
  if (const auto *imm = e.as<Halide::Internal::FloatImm>()) {
    if (value)
      *value = imm->value;
    return true;
  }
  return false;
}

/// Whether e is a constant power of two (a product with it is exact, barring
/// overflow and underflow).
bool isPowerOfTwo(const Expr &e) {
  double v;
  if (!isConstant(e, &v) || v == 0 || !std::isfinite(v))
    return false;
  int exponent;
  return std::fabs(std::frexp(v, &exponent)) == 0.5;
}

Expr loOf(const Ext &v) { return v.lo.defined() ? v.lo : Expr(0.0f); }

// ---------------------------------------------------------------------------
// exp: x = n ln2 + r, |r| <= ln2/2 (plus the slack of rounding n).
// ---------------------------------------------------------------------------

constexpr float kLog2E = 1.442695022e+00f; // float(1/ln 2).
// Adding 1.5 * 2^23 rounds a float below 2^22 in magnitude to an integer,
// which the low bits of the sum then hold (two's complement, biased by the
// magic's own bits): no conversion instruction, and n comes out as both a
// float and an integer.
constexpr float kRoundMagic = 0x1.8p23f;
// Cody-Waite split of ln 2 (Cephes expf): kLn2Hi has 16 significant bits so
// n * kLn2Hi is exact for |n| < 2^8 and x - n * kLn2Hi is exact;
// kLn2Lo = float(ln 2 - kLn2Hi).
constexpr float kLn2Hi = 0.693145751953125f;
constexpr float kLn2Lo = 1.428606765330187e-06f;
// The residual of ln 2 - kLn2Hi - kLn2Lo is 5e-15, 2^-47 of r at most.

// expm1(r) = r + r^2 Q(r) on |r| <= 0.3467 (ln2/2 plus the slack of rounding
// n). Extended results: degree 5, Remez fit 0.022 (of exp). Float results:
// degree 4 (Sollya fpminimax), Q relatively within 2^-22.8, which costs under
// 0.1 ulp of exp.
constexpr float kExpQ[] = {5.000000000e-01f, 1.666664779e-01f,
                           4.166637734e-02f, 8.336298168e-03f,
                           1.394548803e-03f, 1.894592278e-04f};
// Q's terms from the first power of r on: Q = 1/2 + r Q'(r).
constexpr float kExpQRest[] = {kExpQ[1], kExpQ[2], kExpQ[3], kExpQ[4],
                               kExpQ[5]};
constexpr float kExpQShort[] = {
    0.5f, 0.166665732860565185546875f, 4.166670143604278564453125e-2f,
    8.363776840269565582275390625e-3f, 1.391207915730774402618408203125e-3f};

// exp overflows above 88.72 and rounds to 0 below -103.97, but an extended
// result may still be multiplied by a large number before it rounds (x e^x is
// 2^-149 at x = -108.4): below -130, e^x is 2^-187 and no float32 factor
// brings it back. The clamps keep n in [-188, 128].
constexpr float kExpMinArg = -130.0f;
constexpr float kExpMaxArg = 89.0f;

/// c[0] + x (c[1] + x (...)), each step one multiply-add.
template <size_t N>
Expr horner(Builder &b, const Expr &x, const float (&c)[N]) {
  Expr acc = constant(c[N - 1]);
  for (size_t i = N - 1; i-- > 0;)
    acc = b.mulAdd(x, acc, constant(c[i]));
  return acc;
}

using Pair = Builder::Pair;

// Veltkamp's splitter 2^12 + 1 cuts a float into two 12-bit halves whose
// products are exact (Dekker 1971).
constexpr float kSplitter = 4097.0f;

} // namespace

// ---------------------------------------------------------------------------
// The builder: lets, and the arithmetic of extended values.
// ---------------------------------------------------------------------------

Expr Builder::bind(const Expr &value) {
  // Conditions stay unbound: a let of a vector of booleans is stored as
  // bytes and widened again at each use (six instructions per select on
  // AVX2), where comparing again takes one.
  if (!value.defined() || value.as<Halide::Internal::Variable>() ||
      Halide::Internal::is_const(value) || value.type().is_bool())
    return value;
  std::string name = Halide::Internal::unique_name("actm");
  // Each let value is strict on its own: Halide lifts lets out of a
  // strict_float call before it propagates strictness.
  lets_.emplace_back(name, Halide::strict_float(value));
  return Halide::Internal::Variable::make(value.type(), name);
}

Ext Builder::bind(const Ext &value) {
  Ext result = value;
  result.hi = bind(value.hi);
  result.lo = bind(value.lo);
  result.factor = bind(value.factor);
  return result;
}

Expr Builder::finish(const Expr &body) const {
  Expr result = Halide::strict_float(body);
  for (auto it = lets_.rbegin(); it != lets_.rend(); ++it)
    result = Halide::Internal::Let::make(it->first, it->second, result);
  return result;
}

Expr Builder::mulAdd(const Expr &a, const Expr &b, const Expr &c) {
  return options_.fma ? math::fma(a, b, c) : a * b + c;
}

namespace {

/// Zero where x is not finite: the low part of an operation whose high part
/// is inf or NaN (or whose operand was) is meaningless.
Expr finiteOrZero(const Expr &x) {
  return Halide::select(absolute(x) < kInfinity, x, 0.0f);
}

/// a * b = hi + lo exactly (an FMA, or Dekker's product), unless a partial
/// product underflows. Without FMA, a * 4097 overflows for |a| > 2^115: the
/// low part is then 0 (hi is the rounded product, all a float result needs).
Pair twoProduct(Builder &b, const Expr &x, const Expr &y) {
  Expr p = b.bind(x * y);
  if (b.options().fma)
    return {p, b.bind(fma(x, y, fmaNegate(p)))};
  auto split = [&](const Expr &a) {
    Expr c = b.bind(a * kSplitter);
    Expr hi = b.bind(c - (c - a));
    return Pair{hi, b.bind(a - hi)};
  };
  Pair xs = split(x), ys = split(y);
  Expr lo =
      (((xs.hi * ys.hi - p) + xs.hi * ys.lo) + xs.lo * ys.hi) + xs.lo * ys.lo;
  return {p, b.bind(finiteOrZero(lo))};
}

/// hi + lo = a + b exactly, for |a| >= |b| or a = 0 (Dekker's Fast2Sum).
Pair fastTwoSum(Builder &b, const Expr &x, const Expr &y) {
  Expr s = b.bind(x + y);
  return {s, b.bind(y - (s - x))};
}

/// hi + lo = a + b exactly, whatever their magnitudes (Knuth's TwoSum).
Pair twoSum(Builder &b, const Expr &x, const Expr &y) {
  Expr s = b.bind(x + y);
  Expr yPart = b.bind(s - x);
  Expr xPart = s - yPart;
  return {s, b.bind((x - xPart) + (y - yPart))};
}

/// 2^-64, the factor of results kept scaled by 2^64.
constexpr float kUnscale64 = 0x1p-64f;

} // namespace

Expr Builder::residual(const Expr &num, const Expr &q, const Expr &d) {
  // With an FMA, num - q d rounds once, at 2^-24 of a residual already below
  // 2^-22 of num; Dekker's product makes it exact elsewhere.
  if (options_.fma)
    return fma(fmaNegate(q), d, num);
  Pair qd = twoProduct(*this, q, d);
  return (num - qd.hi) - qd.lo;
}

Expr Builder::round(const Ext &value) {
  Expr sum = value.hi;
  if (value.lo.defined()) {
    // An inf hi keeps its value: the low part counts only where hi is finite.
    Expr lo = value.safeSum ? value.lo
                            : Halide::select(absolute(value.hi) < kInfinity,
                                             value.lo, 0.0f);
    // A zero hi keeps its sign (-0 + +0 would be +0; lo is then 0 too).
    sum = Halide::select(value.hi == 0.0f, value.hi, value.hi + lo);
  }
  // Multiplying by a power of two rounds only if the result is subnormal.
  return value.factor.defined() ? sum * value.factor : sum;
}

Ext Builder::normalize(const Ext &value) {
  if (!value.factor.defined())
    return value;
  Ext result{bind(value.hi * value.factor)};
  if (value.lo.defined()) {
    result.lo = bind(value.lo * value.factor);
    result.safeSum = value.safeSum;
  }
  return result;
}

Ext Builder::constant(double value) const {
  // -0 as its bits: Halide's CSE takes the float constants -0 and +0 for one.
  if (value == 0 && std::signbit(value))
    return {floatFromBits(Expr(kSignMask))};
  float hi = static_cast<float>(value);
  float lo = static_cast<float>(value - static_cast<double>(hi));
  if (lo == 0.0f || !std::isfinite(value))
    return {Expr(hi)};
  return {Expr(hi), Expr(lo)};
}

Ext Builder::add(const Ext &a, const Ext &b) {
  Ext x = normalize(a), y = normalize(b);
  Pair s = twoSum(*this, x.hi, y.hi);
  Expr lo = s.lo;
  if (x.lo.defined())
    lo = lo + x.lo;
  if (y.lo.defined())
    lo = lo + y.lo;
  Ext result{s.hi, bind(lo)};
  result.safeSum = false;
  return result;
}

Ext Builder::sub(const Ext &a, const Ext &b) { return add(a, neg(b)); }

namespace {
/// The product (or quotient, for `divide`) of two optional factors.
Expr combineFactors(Builder &b, const Expr &x, const Expr &y, bool divide) {
  if (!y.defined())
    return x;
  Expr yy = divide ? 1.0f / y : y;
  return b.bind(x.defined() ? x * yy : yy);
}
} // namespace

Ext Builder::mul(const Ext &a, const Ext &b) {
  Ext result;
  result.factor = combineFactors(*this, a.factor, b.factor, false);
  result.safeSum = false;
  // A product with a power of two is exact.
  for (auto [x, y] : {std::pair(&a, &b), std::pair(&b, &a)})
    if (!y->lo.defined() && isPowerOfTwo(y->hi)) {
      result.hi = bind(x->hi * y->hi);
      if (x->lo.defined())
        result.lo = bind(x->lo * y->hi);
      result.safeSum = x->safeSum;
      return result;
    }
  Pair p = twoProduct(*this, a.hi, b.hi);
  Expr lo = p.lo;
  if (b.lo.defined())
    lo = mulAdd(a.hi, b.lo, lo);
  if (a.lo.defined())
    lo = mulAdd(a.lo, b.hi, lo);
  result.hi = p.hi;
  result.lo = bind(lo);
  return result;
}

Ext Builder::div(const Ext &a, const Ext &b) {
  // q = a / b from the reciprocal, then the residual a - q b divided by b:
  // hi + lo to about 2^-44.
  Expr inverse = bind(1.0f / b.hi);
  Expr q = bind(a.hi * inverse);
  Expr r = residual(a.hi, q, b.hi);
  if (a.lo.defined())
    r = r + a.lo;
  if (b.lo.defined())
    r = mulAdd(fmaNegate(q), b.lo, r);
  // A non-finite quotient or divisor leaves the residual meaningless.
  return {q, bind(finiteOrZero(r * inverse)),
          combineFactors(*this, a.factor, b.factor, true)};
}

namespace {
/// The name of the let (or variable) an expression is, if it is one.
std::string nameOf(const Expr &e) {
  const auto *var = e.as<Halide::Internal::Variable>();
  return var ? var->name : std::string();
}
} // namespace

Ext Builder::neg(const Ext &a) {
  Ext result = a;
  result.hi = bind(negate(a.hi));
  if (a.lo.defined())
    result.lo = bind(negate(a.lo));
  std::string name = nameOf(result.hi);
  if (!name.empty())
    negationOf_[name] = a;
  return result;
}

Ext Builder::abs(const Ext &a) {
  Ext result = a;
  if (!a.lo.defined()) {
    result.hi = bind(absolute(a.hi));
    return result;
  }
  Expr sign = bind(signBit(a.hi));
  result.hi = bind(flipSign(a.hi, sign));
  result.lo = bind(flipSign(a.lo, sign));
  return result;
}

Ext Builder::absOf(const Ext &v) {
  Ext base = v;
  auto negated = negationOf_.find(nameOf(v.hi));
  if (negated != negationOf_.end())
    base = negated->second;
  std::string name = nameOf(base.hi);
  if (name.empty())
    return abs(base);
  auto known = absoluteOf_.find(name);
  if (known != absoluteOf_.end())
    return known->second;
  return absoluteOf_[name] = abs(base);
}

Ext Builder::select(const Expr &condition, const Ext &a, const Ext &b) {
  Expr c = bind(condition);
  Ext r{bind(Halide::select(c, a.hi, b.hi))};
  if (a.lo.defined() || b.lo.defined())
    r.lo = bind(Halide::select(c, loOf(a), loOf(b)));
  if (a.factor.defined() || b.factor.defined())
    r.factor =
        bind(Halide::select(c, a.factor.defined() ? a.factor : Expr(1.0f),
                            b.factor.defined() ? b.factor : Expr(1.0f)));
  r.safeSum = a.safeSum && b.safeSum;
  return r;
}

Ext Builder::sqrt(const Ext &a, Precision precision) {
  Ext x = normalize(a);
  Expr root = bind(Halide::sqrt(x.hi));
  if (!x.lo.defined() && precision == Precision::Float)
    return {root};
  // sqrt(hi + lo) = root + (hi - root^2 + lo) / (2 root).
  Expr r = residual(x.hi, root, root) + loOf(x);
  Expr lo = bind(finiteOrZero(r * (0.5f / root)));
  if (precision == Precision::Float)
    return {bind(root + lo)};
  return {root, lo};
}

// ---------------------------------------------------------------------------
// exp
// ---------------------------------------------------------------------------

Builder::ExpParts Builder::expParts(const Ext &x, float lowest, float highest,
                                    ExpForm form) {
  // An infinite `highest` is no bound (the argument is known not to exceed
  // where exp overflows, e.g. -|x|).
  Expr v = atLeast(x.hi, lowest);
  if (highest < kInfinity)
    v = atMost(v, highest);
  v = bind(v);
  ExpParts e;
  e.belowRange = bind(x.hi < lowest);
  Expr magic = bind(mulAdd(v, kLog2E, kRoundMagic));
  Expr nFloat = bind(magic - kRoundMagic);
  // The magic's low bits are n (two's complement): shifted into the
  // exponent field they give 2^n's bits less the bias.
  e.shift = bind(bitsOf(magic) << kMantissaBits);
  e.n = bind(bitsOf(magic) - bitsOf(Expr(kRoundMagic)));
  // rHi is exact (the Cody-Waite split); r rounds.
  Expr rHi = bind(mulAdd(nFloat, -kLn2Hi, v));
  Expr r = bind(mulAdd(nFloat, -kLn2Lo, rHi));
  // The argument's low part, unless the clamp replaced its high part.
  Expr xLo = x.lo.defined()
                 ? bind(Halide::select(v == x.hi, finiteOrZero(x.lo), 0.0f))
                 : Expr();
  if (form == ExpForm::Float) {
    // s = expm1(r) = r + c, c = r^2 Q(r), and m = 1 + s, each sum with its
    // rounding error (Fast2Sums: additions, which the FMA pipes do not
    // take); what is left out is c's rounding, r's (2^-25.5 of m at most)
    // and Q's fit (2^-25).
    if (xLo.defined())
      r = bind(r + xLo);
    Expr r2 = bind(r * r);
    Expr c = bind(r2 * horner(*this, r, kExpQShort));
    e.s = fastTwoSum(*this, r, c);
    e.m.hi = bind(1.0f + e.s.hi);
    e.m.lo = bind(((1.0f - e.m.hi) + e.s.hi) + e.s.lo);
    return e;
  }
  // The part of r that rounding lost: r + rLo = x - n ln2 to about 2^-48.
  Expr rLo = mulAdd(nFloat, -kLn2Lo, rHi - r);
  if (xLo.defined()) {
    // The argument's low part (up to 2^-18 at |x| = 64) joins r before the
    // polynomial, which would otherwise need its cross terms.
    Pair sum = twoSum(*this, r, xLo);
    r = sum.hi;
    rLo = rLo + sum.lo;
  }
  // expm1(r + rLo) = r + r^2/2 + (rLo (1 + r) + r^3 Q'(r)) to 2^-30
  // relative: rLo is below 2^-24 of r, the next term rLo r^2/2 below 2^-26
  // of rLo. r + r^2/2 is exact (the exact square, halved, and a Fast2Sum):
  // what rounds, r^3 Q', is under a fiftieth of the result.
  static_assert(kExpQ[0] == 0.5f, "Q(0) is 1/2");
  Pair r2 = twoProduct(*this, r, r);
  Expr lo = bind(rLo);
  Expr cubic = mulAdd(r2.hi * r, horner(*this, r, kExpQRest),
                      mulAdd(r2.lo, 0.5f, mulAdd(lo, r, lo)));
  Pair quadratic = fastTwoSum(*this, r, bind(r2.hi * 0.5f));
  r = quadratic.hi;
  Expr c = bind(cubic + quadratic.lo);
  if (form == ExpForm::Expm1) {
    e.s = fastTwoSum(*this, r, c);
    Pair m = fastTwoSum(*this, 1.0f, e.s.hi);
    e.m = {m.hi, bind(m.lo + e.s.lo)};
    return e;
  }
  // m = 1 + (r + c): 1 - m.hi is exact (Sterbenz), and so is adding r to it
  // but for bits below 2^-30 (|r| < 2^-5, where c is tiny).
  Expr sum = bind(r + c);
  e.m.hi = bind(1.0f + sum);
  e.m.lo = bind(((1.0f - e.m.hi) + r) + c);
  return e;
}

Expr Builder::powerOfTwoPlus64(const ExpParts &e) {
  constexpr int32_t kBiasPlus64 = (kFloatExponentBias + 64) << kMantissaBits;
  return bind(floatFromBits(e.shift + kBiasPlus64));
}

/// exp's form for a result of this precision.
static Builder::ExpForm expFormFor(Precision precision) {
  return precision == Precision::Extended ? Builder::ExpForm::Pair
                                          : Builder::ExpForm::Float;
}

// exp: Max 1.05 ulp (float result).
Ext Builder::exp(const Ext &x, Precision precision) {
  ExpParts e = expParts(x, kExpMinArg, kExpMaxArg, expFormFor(precision));
  // n is in [-188, 128]: m 2^n is a normal float for n in [-125, 127], and
  // the factor 1 (an extended value's high part then has the magnitude of
  // the result, which products with small numbers keep normal). Below, the
  // result may go subnormal (m may be below 1): 2^(n + 64) and 2^-64. At
  // 128, 2^127 and 2.
  Expr subnormal = bind(e.n < -125);
  Expr top = bind(e.n > 127);
  constexpr int32_t kBias = kFloatExponentBias << kMantissaBits;
  constexpr int32_t kBiasPlus64 = (kFloatExponentBias + 64) << kMantissaBits;
  constexpr int32_t kBiasMinus1 = (kFloatExponentBias - 1) << kMantissaBits;
  Expr power = bind(floatFromBits(
      e.shift + Halide::select(subnormal, kBiasPlus64,
                               Halide::select(top, kBiasMinus1, kBias))));
  Expr factor = bind(
      Halide::select(subnormal, kUnscale64, Halide::select(top, 2.0f, 1.0f)));
  if (precision == Precision::Float)
    return {bind((e.m.hi * power) * factor)};
  Expr power0 = bind(Halide::select(e.belowRange, 0.0f, power));
  return {bind(e.m.hi * power0), bind(e.m.lo * power0), factor};
}

// ---------------------------------------------------------------------------
// expm1
// ---------------------------------------------------------------------------

// expm1 rounds to -1 below -17.33, and its extended result is within 2^-28
// of -1 below -20, where the clamp keeps n >= -29.
constexpr float kExpm1MinArg = -20.0f;
// Below this |x|, expm1(x) rounds to x (x^2/2 is under half an ulp of x).
constexpr float kExpm1Tiny = 0x1p-25f;

/// expm1(x) = 2 (T (1 + s) - 1/2) with T = 2^(n - 1) and s = expm1(r) as a
/// pair: T - 1/2 as a pair (TwoSum), T s exact, and their sum a Fast2Sum
/// (|T - 1/2| >= |T s| or T - 1/2 = 0). Halving first keeps T finite at
/// n = 128, where the result overflows.
Ext Builder::expm1Core(const Ext &x, Precision precision) {
  ExpParts p = expParts(x, kExpm1MinArg, kExpMaxArg,
                        precision == Precision::Extended ? ExpForm::Expm1
                                                         : ExpForm::Float);
  constexpr int32_t kBiasMinus1 = (kFloatExponentBias - 1) << kMantissaBits;
  Expr t = bind(floatFromBits(p.shift + kBiasMinus1));
  Pair a = twoSum(*this, t, -0.5f);
  Pair sum = fastTwoSum(*this, a.hi, bind(t * p.s.hi));
  Expr lo = sum.lo + a.lo;
  if (p.s.lo.defined())
    lo = lo + t * p.s.lo;
  lo = bind(lo);
  Ext result{bind(sum.hi * 2.0f), bind(lo * 2.0f)};
  if (precision == Precision::Float)
    result = {bind(round(result))};
  // Tiny x (and +-0) is its own expm1; 2 T s would lose a subnormal's bit.
  Expr tiny = bind(absolute(x.hi) < kExpm1Tiny);
  return select(tiny, x, result);
}

// expm1: Max 0.62 ulp (float result).
Ext Builder::expm1(const Ext &x, Precision precision) {
  return expm1Core(normalize(x), precision);
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

namespace {
/// x = 2^e (1 + f) with f in [sqrt(1/2) - 1, sqrt(2) - 1), for finite x > 0.
/// Subtracting the bits of sqrt(1/2) makes the exponent field e and leaves
/// 1 + f in [sqrt(1/2), sqrt(2)) without a branch.
struct LogReduced {
  Expr e; ///< Float(32), integral.
  Expr f;
};

LogReduced reduceLog(Builder &b, const Expr &x) {
  Expr subnormal = b.bind(x < kMinNormal);
  Expr bits = b.bind(bitsOf(Halide::select(subnormal, x * kSubnormalScale, x)) -
                     kSqrtHalfBits);
  Expr e = b.bind(Halide::cast<float>(
      (bits >> kMantissaBits) - Halide::select(subnormal, kSubnormalShift, 0)));
  Expr f = b.bind(floatFromBits((bits & kMantissaMask) + kSqrtHalfBits) - 1.0f);
  return {e, f};
}
} // namespace

Pair Builder::logCore(const Expr &e, const Expr &f, const Expr &corr) {
  // f - f^2/2 exactly (the exact square and a Fast2Sum): its second term is
  // up to a fifth of the result near x = 1; f^3 P(f), under a sixteenth, is
  // what rounds.
  Pair z = twoProduct(*this, f, f);
  Pair quadratic = fastTwoSum(*this, f, bind(-0.5f * z.hi));
  Expr tail = bind(mulAdd(f * z.hi, horner(*this, f, kLogP),
                          mulAdd(e, kLn2Lo, corr) - 0.5f * z.lo) +
                   quadratic.lo);
  // e kLn2Hi is exact; adding f - f^2/2 is exact for e = 0 and a Fast2Sum
  // beyond.
  Pair head = fastTwoSum(*this, bind(e * kLn2Hi), quadratic.hi);
  Pair sum = fastTwoSum(*this, head.hi, tail);
  return {sum.hi, bind(sum.lo + head.lo)};
}

namespace {
/// log's value at 0, +inf and below 0 (NaN passes through as NaN).
Expr logSpecial(const Expr &v, const Expr &zero) {
  return Halide::select(v == zero, -kInfinity,
                        Halide::select(v == kInfinity, v, kNaN + v));
}

/// `value` where `finite`, else `special` (and a zero low part).
Ext pick(Builder &b, const Expr &finite, const Pair &value, const Expr &special,
         Precision precision) {
  Expr condition = b.bind(finite);
  if (precision == Precision::Float)
    return {b.bind(Halide::select(condition, value.hi + value.lo, special))};
  return {b.bind(Halide::select(condition, value.hi, special)),
          b.bind(Halide::select(condition, value.lo, 0.0f))};
}
} // namespace

// log: Max 0.56 ulp.
Ext Builder::log(const Ext &x, Precision precision) {
  Ext v = normalize(x);
  Expr hi = bind(v.hi);
  Expr corr = v.lo.defined() ? finiteOrZero(v.lo) / hi : Expr(0.0f);
  Expr finite = bind(hi > 0.0f && hi < kInfinity);
  LogReduced reduced = reduceLog(*this, Halide::select(finite, hi, 1.0f));
  Pair result = logCore(reduced.e, reduced.f, corr);
  return pick(*this, finite, result, logSpecial(hi, 0.0f), precision);
}

// The interval of f in log's reduction, where log1p(x) is the polynomial in
// x itself.
constexpr float kLog1pDirectLow = -0.29289321f; // sqrt(1/2) - 1, rounded up.
constexpr float kLog1pDirectHigh = 0.41421356f; // sqrt(2) - 1, rounded down.

// log1p: x itself in log's polynomial for x in [sqrt(1/2) - 1, sqrt(2) - 1]
// (1 + x would lose x's low digits); beyond, u + err = 1 + x exactly and
// log(u) + err / u. Max 0.56 ulp.
Ext Builder::log1p(const Ext &x, Precision precision) {
  Ext v = normalize(x);
  Expr hi = bind(v.hi);
  Expr lo = v.lo.defined() ? bind(finiteOrZero(v.lo)) : Expr(0.0f);
  Pair u = twoSum(*this, 1.0f, hi);
  // With the argument's low part, u is renormalised (a Fast2Sum: the low
  // parts are below an ulp of u, and near x = -1, where u is as small as an
  // ulp of x, below u) so that err / u stays a small correction.
  if (v.lo.defined())
    u = fastTwoSum(*this, u.hi, bind(u.lo + lo));
  Expr direct = bind(hi >= kLog1pDirectLow && hi <= kLog1pDirectHigh);
  Expr finite = bind(hi > -1.0f && hi < kInfinity);
  LogReduced reduced = reduceLog(*this, Halide::select(finite, u.hi, 1.0f));
  Expr e = Halide::select(direct, 0.0f, reduced.e);
  Expr f = Halide::select(direct, hi, reduced.f);
  // The part of the argument left out of the polynomial, over 1 + x.
  Expr corr = bind(Halide::select(direct, lo, u.lo) / u.hi);
  Pair result = logCore(bind(e), bind(f), corr);
  // log1p(+-0) = +-0 (the polynomial gives +0 for -0).
  Expr zero = bind(hi == 0.0f);
  result = {bind(Halide::select(zero, hi, result.hi)),
            bind(Halide::select(zero, hi, result.lo))};
  return pick(*this, finite, result, logSpecial(hi, -1.0f), precision);
}

// log1p(exp(v)), v <= 0: e = exp(v) in (0, 1]; below sqrt(2) - 1, e itself
// is log's reduced argument; above, 1 + e is in (sqrt 2, 2] and
// (1 + e) / 2 - 1 = (e - 1) / 2, exact as a pair. Max 0.7 ulp.
Ext Builder::log1pExp(const Ext &v, Precision precision) {
  ExpParts p =
      expParts(normalize(v), kExpMinArg, kExpMaxArg, expFormFor(precision));
  // e = 2^n m, n in [-188, 0]: (m 2^(n + 64)) 2^-64, exact unless e is
  // below 2^-126, where log1p(e) = e rounds once, the same way.
  Expr power = bind(Halide::select(p.belowRange, 0.0f, powerOfTwoPlus64(p)) *
                    kUnscale64);
  Expr e = bind(p.m.hi * power);
  Expr eLo = bind(p.m.lo * power);
  Expr big = e > kLog1pDirectHigh;
  Pair eMinusOne = fastTwoSum(*this, -1.0f, e);
  Expr f = bind(Halide::select(big, eMinusOne.hi * 0.5f, e));
  // What the reduced argument left out, over 1 + e (a few bits suffice:
  // it is a correction below 2^-24 of the result).
  Expr left = Halide::select(big, eMinusOne.lo + eLo, eLo);
  Expr corr = bind(left * Halide::fast_inverse(1.0f + e));
  Pair result = logCore(bind(Halide::select(big, 1.0f, 0.0f)), f, corr);
  if (precision == Precision::Float)
    return {bind(result.hi + result.lo)};
  return {result.hi, result.lo};
}

// ---------------------------------------------------------------------------
// sigmoid: N / (1 + F) with F = exp(-|x|) = 2^n m, N = 1 for x >= 0 and
// N = F for x < 0, N kept scaled by 2^64 (factor 2^-64) where it may go
// subnormal.
// ---------------------------------------------------------------------------

Builder::LogisticCore Builder::logisticCore(const Ext &absX, ExpForm form) {
  // Keyed by the let variable |x| is bound to (see sigmoid).
  std::pair<std::string, ExpForm> key{nameOf(absX.hi), form};
  if (!key.first.empty()) {
    auto found = logisticCores_.find(key);
    if (found != logisticCores_.end())
      return found->second;
  }
  LogisticCore core;
  core.f = expParts(neg(absX), kExpMinArg, kInfinity, form);
  // n is in [-188, 0]: m 2^(n + 64) is normal, and F = that times 2^-64
  // (which rounds only below 2^-126, where 1 + F = 1 anyway).
  Expr power =
      bind(Halide::select(core.f.belowRange, 0.0f, powerOfTwoPlus64(core.f)));
  core.numerator = {bind(core.f.m.hi * power), bind(core.f.m.lo * power)};
  Expr fHi = bind(core.numerator.hi * kUnscale64);
  Pair d = fastTwoSum(*this, 1.0f, fHi);
  core.denominator = {d.hi, bind(mulAdd(core.numerator.lo, kUnscale64, d.lo))};
  core.inverse = bind(1.0f / d.hi);
  if (!key.first.empty())
    logisticCores_[key] = core;
  return core;
}

// sigmoid: Max 0.52 ulp.
Ext Builder::sigmoid(const Ext &x, Precision precision) {
  Ext v = normalize(x);
  LogisticCore core = logisticCore(absOf(v), expFormFor(precision));
  // sigmoid(|x|) = 1 / d and sigmoid(-|x|) = m / d (times 2^n), with the
  // residual and d's and m's low parts.
  Expr isNegative = bind(v.hi < 0.0f);
  Expr num = bind(Halide::select(isNegative, core.numerator.hi, 1.0f));
  Expr numLo = Halide::select(isNegative, core.numerator.lo, 0.0f);
  Expr q = bind(num * core.inverse);
  Expr r = residual(num, q, core.denominator.hi) + numLo;
  r = mulAdd(fmaNegate(q), core.denominator.lo, r);
  Ext result{q, bind(r * core.inverse),
             bind(Halide::select(isNegative, kUnscale64, 1.0f))};
  if (precision == Precision::Float)
    return {bind(round(result))};
  return result;
}

// ---------------------------------------------------------------------------
// tanh = E / (E + 2) with E = expm1(2|x|), the sign of x applied.
// ---------------------------------------------------------------------------

// tanh(20) is 1 - 8.5e-18: beyond, the extended result's low part is below
// 2^-56 of it.
constexpr float kTanhSaturate = 20.0f;

// tanh: Max 0.56 ulp.
Ext Builder::tanh(const Ext &x, Precision precision) {
  Ext v = normalize(x);
  Expr sign = bind(signBit(v.hi));
  Expr a = bind(atMost(absolute(v.hi), kTanhSaturate));
  // The argument's low part, unless the clamp replaced its high part.
  Ext twoA{bind(a * 2.0f),
           v.lo.defined()
               ? bind(Halide::select(absolute(v.hi) > kTanhSaturate, 0.0f,
                                     flipSign(finiteOrZero(v.lo), sign)) *
                      2.0f)
               : Expr()};
  Ext e =
      expm1Core(twoA, precision == Precision::Extended ? Precision::Extended
                                                       : Precision::Unrounded);
  // E + 2 for E >= 0, a Fast2Sum with the larger first.
  Expr larger = bind(Halide::max(e.hi, 2.0f));
  Expr smaller = bind(Halide::min(e.hi, 2.0f));
  Pair d = fastTwoSum(*this, larger, smaller);
  Ext quotient = div(e, Ext{d.hi, bind(d.lo + e.lo)});
  Ext result{bind(flipSign(quotient.hi, sign)),
             bind(flipSign(quotient.lo, sign))};
  if (precision == Precision::Float)
    return {bind(round(result))};
  return result;
}

// ---------------------------------------------------------------------------
// erfc(a) = exp(-a^2) t H(t) for a >= 0, t = 1 / (1 + a/2); erf = a + a K(a^2)
// below 0.82 and 1 - erfc above.
// ---------------------------------------------------------------------------

// erfc rounds to 0 above 10.0546, but as exp, an extended result may be
// multiplied by a large number: past 11.4, exp(-a^2) is clamped at e^-130.
constexpr float kErfcMax = 11.4f;
// t = 1 / (1 + kErfcT a) maps a in [0, 11.4] into [0.149, 1].
constexpr float kErfcT = 0.5f;
// H(t) = erfc(a) exp(a^2) / t, smooth on [0.149, 1], as a polynomial in
// u = t - 1/2: c0 as a float pair, then c1..c11 (S is c2 + u c3 + ...).
// Sollya fpminimax, relative error 2^-28.8.
constexpr float kErfcH0Hi = 0.510791361331939697265625f;
constexpr float kErfcH0Lo = -8.46790726427570916712284088134765625e-9f;
constexpr float kErfcH1 = 0.687160670757293701171875f;
constexpr float kErfcHTail[] = {
    0.558944046497344970703125f,      0.14576947689056396484375f,
    -0.17207629978656768798828125f,   -0.103667609393596649169921875f,
    9.867544472217559814453125e-2f,   5.34775517880916595458984375e-2f,
    -8.2091219723224639892578125e-2f, -8.5365585982799530029296875e-3f,
    5.64148426055908203125e-2f,       -2.426818571984767913818359375e-2f};

// erf(a) = a + a K(a^2) on [0, 0.82]: Remez fit 0.024.
constexpr float kErfK[] = {
    1.283791661e-01f, -3.761262596e-01f, 1.128357872e-01f, -2.685334720e-02f,
    5.187162198e-03f, -7.997853099e-04f, 7.806903886e-05f};
// erf = 1 - erfc above kErfSmall, where erfc < 0.4 and its error shrinks
// (below, K's last step cancels ever more: its rounding cost half a 2^-24
// of erf at 0.82).
constexpr float kErfSmall = 0.6f;

/// erfc(a) for a >= 0 (a + aLo, clamped to kErfcMax; no NaN), extended:
/// exp(-a^2) with a^2 exact, times t H(t) with t = tHi (1 + e) exactly.
Ext Builder::erfcOfAbs(const Expr &aIn, const Expr &aLoIn, ExpForm form) {
  Expr a = bind(atMost(aIn, kErfcMax));
  Expr aLo =
      aLoIn.defined()
          ? bind(Halide::select(aIn > kErfcMax, 0.0f, finiteOrZero(aLoIn)))
          : Expr();
  Pair square = twoProduct(*this, a, a);
  Expr squareLo = aLo.defined() ? mulAdd(2.0f * a, aLo, square.lo) : square.lo;
  ExpParts g = expParts(Ext{bind(negate(square.hi)), bind(negate(squareLo))},
                        kExpMinArg, kInfinity, form);
  // d = 1 + a/2 exactly as a pair; tHi = 1/d rounded, t = tHi (1 + e).
  Expr d = bind(mulAdd(a, kErfcT, 1.0f));
  Expr dLo = (1.0f - d) + a * kErfcT;
  if (aLo.defined())
    dLo = mulAdd(aLo, kErfcT, dLo);
  Expr tHi = bind(1.0f / d);
  Expr e = bind(mulAdd(fmaNegate(tHi), dLo, residual(1.0f, tHi, d)));
  // u = t - 1/2 = u0 + du exactly: u0 = tHi - 1/2 rounded (exact for
  // tHi >= 1/4), du what it and tHi lost. H(u) = H(u0) + H'(u0) du, with H'
  // from its first two terms (du is below 2^-25).
  Pair u0 = fastTwoSum(*this, -0.5f, tHi);
  Expr u = u0.hi;
  Expr du = mulAdd(tHi, e, u0.lo);
  Expr slope = mulAdd(u, 2.0f * kErfcHTail[0], kErfcH1);
  // H = c0 + u (c1 + u S): the last two steps exact (u S is up to a third of
  // c1, u T up to c0), S in float32 (its error shrinks by u^2).
  Expr tail = horner(*this, u, kErfcHTail);
  Pair us = twoProduct(*this, u, tail);
  Pair t1 = fastTwoSum(*this, kErfcH1, us.hi);
  Expr t1Lo = bind(t1.lo + us.lo);
  Pair ut = twoProduct(*this, u, t1.hi);
  Pair head = fastTwoSum(*this, kErfcH0Hi, ut.hi);
  Expr hLo =
      bind(head.lo + ((kErfcH0Lo + ut.lo) + mulAdd(u, t1Lo, du * slope)));
  // t H = tHi (1 + e) (head.hi + hLo): products kept exact to 2^-44.
  Pair th = twoProduct(*this, tHi, head.hi);
  Expr thLo = bind(mulAdd(tHi, hLo, mulAdd(th.hi, e, th.lo)));
  // times exp(-a^2) = m 2^n, n in [-188, 0]: kept scaled by 2^64.
  Expr power = bind(Halide::select(aIn > kErfcMax, 0.0f, powerOfTwoPlus64(g)));
  Expr mHi = bind(g.m.hi * power), mLo = bind(g.m.lo * power);
  Pair prod = twoProduct(*this, mHi, th.hi);
  Expr lo = mulAdd(mHi, thLo, mulAdd(mLo, th.hi, prod.lo));
  return {prod.hi, bind(lo), Expr(kUnscale64)};
}

// erfc: Max 0.58 ulp.
Ext Builder::erfc(const Ext &x, Precision precision) {
  Ext v = normalize(x);
  Expr sign = bind(signBit(v.hi));
  Expr a = bind(absolute(v.hi));
  Expr aLo = v.lo.defined() ? bind(flipSign(finiteOrZero(v.lo), sign)) : Expr();
  Ext positive = erfcOfAbs(a, aLo, expFormFor(precision));
  // erfc(-a) = 2 - erfc(a), in [1, 2]: the factor is applied first (a small
  // erfc(a) only loses digits below those of 2). NaN stays NaN throughout.
  Ext unscaled = normalize(positive);
  Pair twoMinus = fastTwoSum(*this, 2.0f, negate(unscaled.hi));
  Ext negative{twoMinus.hi, bind(twoMinus.lo - unscaled.lo)};
  Ext result = select(sign != 0, negative, positive);
  if (precision == Precision::Float)
    return {bind(round(result))};
  return result;
}

// erf: Max 0.6 ulp.
Ext Builder::erf(const Ext &x, Precision precision) {
  Ext v = normalize(x);
  Expr sign = bind(signBit(v.hi));
  Expr a = bind(absolute(v.hi));
  Expr aLo = v.lo.defined() ? bind(flipSign(finiteOrZero(v.lo), sign)) : Expr();
  // a + a K(a^2): |a K| < 0.13 a, a Fast2Sum.
  // K(a^2) with a^2's rounding error corrected to first order (K' ~ -0.38:
  // uncorrected, it costs a quarter of an ulp of erf near 0.8).
  Pair z = twoProduct(*this, a, a);
  Expr k = bind(mulAdd(z.lo, kErfK[1], horner(*this, z.hi, kErfK)));
  Pair aK = twoProduct(*this, a, k);
  Pair small = fastTwoSum(*this, a, aK.hi);
  Expr smallLo = small.lo + aK.lo;
  // The argument's low part times erf's slope, 1 + K (+ 2 a^2 K', whose
  // share is below 2^-3).
  if (aLo.defined())
    smallLo = mulAdd(aLo, 1.0f + k, smallLo);
  // 1 - erfc(a), erfc(a) < 1/4 there: a Fast2Sum.
  Ext c = normalize(erfcOfAbs(a, aLo, expFormFor(precision)));
  Pair large = fastTwoSum(*this, 1.0f, negate(c.hi));
  Expr isSmall = bind(a < kErfSmall);
  Ext magnitude{bind(Halide::select(isSmall, small.hi, large.hi)),
                bind(Halide::select(isSmall, smallLo, large.lo - c.lo))};
  Ext result{bind(flipSign(magnitude.hi, sign)),
             bind(flipSign(magnitude.lo, sign))};
  if (precision == Precision::Float)
    return {bind(round(result))};
  return result;
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

// atan: pi/2 - atan(1/|x|) above tan(3pi/8), pi/4 + atan((|x| - 1)/(|x| + 1))
// above tan(pi/8), the quotient as a pair and the offset added exactly. Max
// 0.692 ulp at x = 0.429892689.
Expr Builder::atan(const Expr &x) {
  Expr v = bind(x);
  Expr ac = bind(Halide::min(absolute(v), kAtanMaxArg));
  Expr big = bind(ac > kTan3PiOver8);
  Expr mid = bind(ac > kTanPiOver8);
  Expr inMid = bind(mid && !big);
  // a - 1 and a + 1 as exact pairs (Fast2Sum is exact here for a < 4).
  Expr acMinusOne = bind(ac - 1.0f);
  Pair acPlusOne = fastTwoSum(*this, 1.0f, ac);
  Ext num{Halide::select(big, -1.0f, Halide::select(mid, acMinusOne, ac)),
          Halide::select(inMid, (-1.0f - acMinusOne) + ac, 0.0f)};
  Ext den{Halide::select(big, ac, Halide::select(mid, acPlusOne.hi, 1.0f)),
          Halide::select(inMid, acPlusOne.lo, 0.0f)};
  Ext y = div(bind(num), bind(den));
  Expr z = bind(y.hi * y.hi);
  Expr offsetHi = bind(
      Halide::select(big, kPiOver2Hi, Halide::select(mid, kPiOver4Hi, 0.0f)));
  Expr offsetLo =
      Halide::select(big, kPiOver2Lo, Halide::select(mid, kPiOver4Lo, 0.0f));
  Pair sum = fastTwoSum(*this, offsetHi, y.hi);
  // atan(y.hi + y.lo) = atan(y.hi) + y.lo / (1 + z) to first order.
  Expr lo = (sum.lo + offsetLo) +
            ((y.lo - y.lo * z) + y.hi * z * horner(*this, z, kAtanP));
  Expr magnitude = sum.hi + lo;
  return Halide::select(Halide::is_nan(v), v, flipSign(magnitude, signBit(v)));
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

namespace {
/// sin(x) for quadrantShift = 0, cos(x) for quadrantShift = 1.
Expr sinCos(Builder &b, const Expr &x, int quadrantShift) {
  Expr j = b.bind(Halide::round(x * kTwoOverPi));
  // The first two steps are exact (Sterbenz, then |r| < 2^24 lsb(P_1)); the
  // rest are summed exactly with Knuth's TwoSum into hi + lo.
  Expr hi = b.bind((x - j * kPiOver2Piece[0]) - j * kPiOver2Piece[1]);
  Expr lo = 0.0f;
  for (size_t k = 2; k + 1 < kPiOver2Pieces; ++k) {
    Pair s = twoSum(b, hi, b.bind(j * -kPiOver2Piece[k]));
    lo = b.bind(lo + s.lo);
    hi = s.hi;
  }
  lo = b.bind(lo - j * kPiOver2Piece[kPiOver2Pieces - 1]);
  // Past kTrigMaxExact the reduction is inexact: keep r in range so the
  // result stays within [-1, 1].
  Expr inRange = b.bind(absolute(x) <= kTrigMaxExact);
  hi = b.bind(Halide::select(inRange, hi,
                             Halide::clamp(hi, -kPiOver4Bound, kPiOver4Bound)));
  lo = b.bind(Halide::select(inRange, lo, 0.0f));

  Expr z = b.bind(hi * hi);
  // sin(hi + lo) = sin hi + lo cos hi, cos hi = 1 - z/2 to the needed order.
  Expr sinR = hi + ((lo - lo * z * 0.5f) + hi * z * horner(b, z, kSinS));
  // cos(hi + lo) = cos hi - lo hi with 1 - hi^2/2 formed exactly (exact
  // square and Fast2Sum): hi^2/2 reaches 0.31, too large to round.
  Expr zLo = twoProduct(b, hi, hi).lo;
  Expr halfZ = b.bind(z * 0.5f);
  Expr w = b.bind(1.0f - halfZ);
  Expr cosR = w + ((((1.0f - w) - halfZ) - zLo * 0.5f - hi * lo) +
                   z * z * horner(b, z, kCosC));

  Expr q = b.bind((Halide::cast<int32_t>(
                       Halide::clamp(j, -kTrigMaxQuadrant, kTrigMaxQuadrant)) +
                   quadrantShift) &
                  3);
  Expr value = Halide::select((q & 1) == 0, sinR, cosR);
  return Halide::select(q >= 2, negate(value), value);
}
} // namespace

// sin and cos: x = j pi/2 + r by Cody-Waite with pi/2 in seven pieces to
// 2^-82, exact for |x| <= 102943 (|j| < 2^16); a polynomial for sin r and
// cos r picked by j mod 4. Max 0.766 ulp (sin, x = 336.88855) and 0.776 ulp
// (cos, x = 0.795007348) over |x| <= 102943. Beyond, the products j P_k
// round: the result is sin or cos of a point within about one ulp of x
// (absolute error below 2^-22 |x|, tested up to 2^24); above 2^24 it is only
// guaranteed to be in [-1, 1].
Expr Builder::sin(const Expr &x) {
  Expr v = bind(x);
  // sin(+-0) = +-0; sin(inf) and sin(NaN) are NaN.
  Expr result = Halide::select(v == 0.0f, v, sinCos(*this, v, 0));
  return Halide::select(Halide::is_finite(v), result, kNaN);
}

Expr Builder::cos(const Expr &x) {
  Expr v = bind(x);
  return Halide::select(Halide::is_finite(v), sinCos(*this, v, 1), kNaN);
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

namespace {
/// c[0] + x (c[1] + x (...)) in double (no FMA: exact enough).
template <size_t N> Expr hornerDouble(const Expr &x, const double (&c)[N]) {
  Expr acc = constant(c[N - 1]);
  for (size_t i = N - 1; i-- > 0;)
    acc = constant(c[i]) + x * acc;
  return acc;
}

/// |a|^b for finite a > 0 (b any non-NaN; a = 1 or b = 0 give 1 elsewhere).
Expr powOfPositive(Builder &s, const Expr &absA, const Expr &b) {
  using Halide::cast;
  Expr subnormal = s.bind(absA < kMinNormal);
  Expr bits =
      s.bind(bitsOf(Halide::select(subnormal, absA * kSubnormalScale, absA)) -
             kSqrtHalfBits);
  Expr e = s.bind(cast<double>((bits >> kMantissaBits) -
                               Halide::select(subnormal, kSubnormalShift, 0)));
  Expr f = s.bind(
      cast<double>(floatFromBits((bits & kMantissaMask) + kSqrtHalfBits)) -
      constant(1.0));
  Expr t = s.bind(f / (constant(2.0) + f));
  Expr log1pF = constant(2.0) * t * hornerDouble(t * t, kAtanhSeries);
  Expr log2A = e + log1pF * constant(kInvLn2);
  Expr y = s.bind(Halide::clamp(cast<double>(b) * log2A, constant(-kPowMaxLog2),
                                constant(kPowMaxLog2)));
  Expr n = s.bind(Halide::round(y));
  Expr scale = Halide::reinterpret<double>(
      cast<int64_t>(cast<int32_t>(n) + kDoubleExponentBias)
      << kDoubleMantissaBits);
  return cast<float>(hornerDouble((y - n) * constant(kLn2), kExpSeries) *
                     scale);
}
} // namespace

// pow: C99 F.9.4.4 special cases by selects, |a|^b in double (about six times
// exp's cost on x86). Max 0.500 ulp over 2^28 random pairs (exhaustive is out
// of reach for two arguments).
Expr Builder::pow(const Expr &a, const Expr &b) {
  Expr x = bind(a);
  Expr y = bind(b);
  Expr absX = bind(absolute(x));
  Expr absY = bind(absolute(y));
  Expr yInteger = bind(Halide::floor(y) == y);
  Expr yOdd = yInteger && absY < kTwoTo24 &&
              (Halide::cast<int32_t>(Halide::min(absY, kTwoTo24)) & 1) == 1;
  // C99 F.9.4.4: |x|^y for x = 0 and x = inf by their limits, finite x
  // through powOfPositive.
  Expr magnitude =
      Halide::select(absX == 0.0f, Halide::select(y < 0.0f, kInfinity, 0.0f),
                     Halide::select(absX == kInfinity,
                                    Halide::select(y < 0.0f, 0.0f, kInfinity),
                                    powOfPositive(*this, absX, y)));
  // The sign bit, not x < 0, so that pow(-0, -1) = -inf.
  Expr signed_ =
      Halide::select(bitsOf(x) < 0 && yOdd, negate(magnitude), magnitude);
  // Negative finite x with non-integral finite y has no real result.
  Expr invalid =
      (x < 0.0f && Halide::is_finite(x) && !yInteger && Halide::is_finite(y)) ||
      Halide::is_nan(x) || Halide::is_nan(y);
  // pow(x, +-0) = 1 for every x, pow(1, y) = 1 for every y and
  // pow(-1, +-inf) = 1.
  Expr one = y == 0.0f || x == 1.0f || (absX == 1.0f && absY == kInfinity);
  return Halide::select(one, 1.0f, Halide::select(invalid, kNaN, signed_));
}

// rsqrt scales |x| outside [2^-64, 2^64] by 2^-+64 so that 1/x neither
// overflows nor goes subnormal, and rescales the root by 2^-+32 exactly.
constexpr float kRsqrtLarge = 0x1p64f;
constexpr float kRsqrtSmall = 0x1p-64f;
constexpr float kRsqrtLargeRoot = 0x1p32f;
constexpr float kRsqrtSmallRoot = 0x1p-32f;

// rsqrt: sqrt(1/x), with |x| scaled into [2^-64, 2^64] first. Max 0.850 ulp
// at x = 5.87001965e-39.
Expr Builder::rsqrt(const Expr &x) {
  Expr v = bind(x);
  Expr large = bind(absolute(v) > kRsqrtLarge);
  Expr small = bind(absolute(v) < kRsqrtSmall);
  Expr scaled = v * Halide::select(large, kRsqrtSmall,
                                   Halide::select(small, kRsqrtLarge, 1.0f));
  // sqrt(1/x) halves the reciprocal's rounding error, unlike 1/sqrt(x).
  Expr root = Halide::sqrt(1.0f / scaled);
  Expr unscale = Halide::select(large, kRsqrtSmallRoot,
                                Halide::select(small, kRsqrtLargeRoot, 1.0f));
  // rsqrt(-0) = -inf and rsqrt(+0) = +inf as 1/sqrt(x) gives; -inf would
  // otherwise reach sqrt(-0).
  return Halide::select(v == 0.0f, 1.0f / v,
                        Halide::select(v < 0.0f, kNaN, root * unscale));
}

// ---------------------------------------------------------------------------
// Single functions.
// ---------------------------------------------------------------------------

namespace {
using UnaryMethod = Ext (Builder::*)(const Ext &, Precision);

Expr single(UnaryMethod method, const Expr &x, Options options) {
  Builder b(options);
  Expr v = b.bind(Halide::cast<float>(x));
  return b.finish(b.round((b.*method)(Ext{v}, Precision::Float)));
}

Expr single(Expr (Builder::*method)(const Expr &), const Expr &x,
            Options options) {
  Builder b(options);
  Expr v = b.bind(Halide::cast<float>(x));
  return b.finish((b.*method)(v));
}
} // namespace

Expr exp(const Expr &x, Options o) { return single(&Builder::exp, x, o); }
Expr expm1(const Expr &x, Options o) { return single(&Builder::expm1, x, o); }
Expr log(const Expr &x, Options o) { return single(&Builder::log, x, o); }
Expr log1p(const Expr &x, Options o) { return single(&Builder::log1p, x, o); }
Expr tanh(const Expr &x, Options o) { return single(&Builder::tanh, x, o); }
Expr sigmoid(const Expr &x, Options o) {
  return single(&Builder::sigmoid, x, o);
}
Expr erf(const Expr &x, Options o) { return single(&Builder::erf, x, o); }
Expr erfc(const Expr &x, Options o) { return single(&Builder::erfc, x, o); }
Expr sqrt(const Expr &x, Options o) { return single(&Builder::sqrt, x, o); }
Expr sin(const Expr &x, Options o) { return single(&Builder::sin, x, o); }
Expr cos(const Expr &x, Options o) { return single(&Builder::cos, x, o); }
Expr atan(const Expr &x, Options o) { return single(&Builder::atan, x, o); }
Expr rsqrt(const Expr &x, Options o) { return single(&Builder::rsqrt, x, o); }

Expr pow(const Expr &a, const Expr &b, Options options) {
  Builder builder(options);
  Expr x = builder.bind(Halide::cast<float>(a));
  Expr y = builder.bind(Halide::cast<float>(b));
  return builder.finish(builder.pow(x, y));
}

// round, sign, fmin and fmax are exact, in Float(32) or, given a Float(64)
// argument, in Float(64).
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
  Builder b({});
  Expr v = b.bind(floating(x));
  // x - trunc(x) is exact, so ties are detected without the classic
  // trunc(x + 0.5) error at 0.49999997; |x - t| >= 1/2 implies x != 0.
  Expr t = b.bind(Halide::trunc(v));
  Expr away = Halide::select(v < typed(v, 0), typed(v, -1), typed(v, 1));
  return b.finish(
      Halide::select(Halide::abs(v - t) >= typed(v, 0.5), t + away, t));
}

Expr sign(const Expr &x) {
  Builder b({});
  Expr v = b.bind(floating(x));
  return b.finish(
      Halide::select(v > typed(v, 0), typed(v, 1),
                     Halide::select(v < typed(v, 0), typed(v, -1), v)));
}

Expr fmin(const Expr &a, const Expr &b) {
  Builder builder({});
  Halide::Type type = widerFloating(a, b);
  Expr x = builder.bind(Halide::cast(type, a));
  Expr y = builder.bind(Halide::cast(type, b));
  return builder.finish(Halide::select(Halide::is_nan(x) || Halide::is_nan(y),
                                       x + y, Halide::min(x, y)));
}

Expr fmax(const Expr &a, const Expr &b) {
  Builder builder({});
  Halide::Type type = widerFloating(a, b);
  Expr x = builder.bind(Halide::cast(type, a));
  Expr y = builder.bind(Halide::cast(type, b));
  return builder.finish(Halide::select(Halide::is_nan(x) || Halide::is_nan(y),
                                       x + y, Halide::max(x, y)));
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

} // namespace act::math
