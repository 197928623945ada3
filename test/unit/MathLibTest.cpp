// Accuracy and special-value tests of the Halide float32 math library.
//
// Every function is JIT-compiled once, vectorised by 16, and compared with a
// double (or long double) reference in ulps of the exact result. The disabled
// tests sweep all 2^32 inputs of each unary function (about 1.5 minutes each
// on two cores) and 2^28 random pairs for pow; run them with the flags
// --gtest_also_run_disabled_tests --gtest_filter='*Exhaustive*:*LargeSample*'.
#include "compiler/halide/MathLib.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using UnaryFn = Halide::Expr (*)(const Halide::Expr &);
using BinaryFn = Halide::Expr (*)(const Halide::Expr &, const Halide::Expr &);
using Reference = double (*)(double);

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kDenormMin = std::numeric_limits<float>::denorm_min();
constexpr float kMaxUlp = 1.5f;
// Sampled tests take every kSampleStride-th bit pattern (4.2M inputs).
constexpr uint32_t kSampleStride = 1021;
constexpr int kVectorWidth = 16;
// sin and cos reduce exactly (Cody-Waite) up to here.
constexpr float kTrigAccurateBelow = 102943.0f;
// Parallel chunk of the kernels; inputs are padded to a multiple of it.
constexpr int kChunkSize = 1 << 14;

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// |y - exact| in ulps of max(|exact|, 2^-126), where an ulp of v is
/// 2^(floor(log2 v) - 23). An infinite result or reference counts as 2^128,
/// the value a float rounds to infinity from; NaN must match NaN.
double ulpError(float y, double exact) {
  if (std::isnan(exact) || std::isnan(y))
    return std::isnan(exact) && std::isnan(y) ? 0.0 : INFINITY;
  if (std::isinf(y) && std::isinf(exact))
    return (y > 0) == (exact > 0) ? 0.0 : INFINITY;
  double computed = std::isinf(y) ? std::copysign(0x1p128, y) : y;
  double ref =
      std::fabs(exact) >= 0x1p128 ? std::copysign(0x1p128, exact) : exact;
  int exponent;
  std::frexp(std::max(std::fabs(ref), 0x1p-126), &exponent);
  return std::fabs(computed - ref) / std::ldexp(1.0, exponent - 1 - 23);
}

/// A JIT-compiled Func applying a function elementwise, vectorised and
/// split into parallel chunks (the chunks only matter for the exhaustive
/// sweeps).
class Kernel {
public:
  Kernel(const std::vector<Halide::ImageParam> &inputs,
         const std::function<Halide::Expr(const Halide::Var &)> &body)
      : inputs_(inputs) {
    Halide::Var x("x"), xo("xo"), xi("xi");
    func_(x) = body(x);
    func_.split(x, xo, xi, kChunkSize).parallel(xo).vectorize(xi, kVectorWidth);
    func_.compile_jit();
  }

  std::vector<float> run(const std::vector<std::vector<float>> &args) {
    size_t n = args[0].size();
    size_t padded = (n + kChunkSize - 1) / kChunkSize * kChunkSize;
    std::vector<Halide::Buffer<float>> buffers;
    for (size_t i = 0; i < args.size(); ++i) {
      buffers.emplace_back(static_cast<int>(padded));
      std::fill(buffers[i].begin(), buffers[i].end(), 1.0f);
      std::copy(args[i].begin(), args[i].end(), buffers[i].begin());
      inputs_[i].set(buffers[i]);
    }
    Halide::Buffer<float> out = func_.realize({static_cast<int>(padded)});
    return std::vector<float>(out.begin(), out.begin() + n);
  }

private:
  std::vector<Halide::ImageParam> inputs_;
  Halide::Func func_;
};

/// One Kernel per function per process: JIT compilation dominates run time.
Kernel &unaryKernel(UnaryFn fn) {
  static std::map<UnaryFn, std::unique_ptr<Kernel>> cache;
  auto &kernel = cache[fn];
  if (!kernel) {
    Halide::ImageParam in(Halide::Float(32), 1, "in");
    kernel = std::make_unique<Kernel>(
        std::vector<Halide::ImageParam>{in},
        [&](const Halide::Var &x) { return fn(in(x)); });
  }
  return *kernel;
}

Kernel &binaryKernel(BinaryFn fn) {
  static std::map<BinaryFn, std::unique_ptr<Kernel>> cache;
  auto &kernel = cache[fn];
  if (!kernel) {
    Halide::ImageParam a(Halide::Float(32), 1, "a"),
        b(Halide::Float(32), 1, "b");
    kernel = std::make_unique<Kernel>(
        std::vector<Halide::ImageParam>{a, b},
        [&](const Halide::Var &x) { return fn(a(x), b(x)); });
  }
  return *kernel;
}

float apply(UnaryFn fn, float x) { return unaryKernel(fn).run({{x}})[0]; }
float apply(BinaryFn fn, float a, float b) {
  return binaryKernel(fn).run({{a}, {b}})[0];
}

/// The largest error seen, its input x and result y (for pow: x and y are
/// the two operands).
struct Worst {
  double ulp = 0;
  float x = 0;
  float y = 0;
};

/// visit(i, worst) for every i < n, split over all cores, each core with
/// its own worst; returns the largest of those by `less`.
template <typename W, typename Visit, typename Less>
W worstOnAllCores(size_t n, Visit visit, Less less) {
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<W> partial(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads)
        visit(i, partial[t]);
    });
  for (auto &thread : pool)
    thread.join();
  return *std::max_element(partial.begin(), partial.end(), less);
}

/// Largest ulp error of fn over the xs with |x| <= bound (NaN included),
/// with the references computed on all cores.
Worst measure(UnaryFn fn, Reference ref, const std::vector<float> &xs,
              float bound = kInf) {
  std::vector<float> ys = unaryKernel(fn).run({xs});
  return worstOnAllCores<Worst>(
      xs.size(),
      [&](size_t i, Worst &worst) {
        if (std::fabs(xs[i]) > bound)
          return;
        double err = ulpError(ys[i], ref(xs[i]));
        if (err > worst.ulp)
          worst = {err, xs[i], ys[i]};
      },
      [](const Worst &a, const Worst &b) { return a.ulp < b.ulp; });
}

/// Every stride-th float32 bit pattern, both signs, NaNs and infinities.
std::vector<float> sampledInputs(uint32_t stride) {
  std::vector<float> xs;
  for (uint64_t bits = 0; bits <= UINT32_MAX; bits += stride)
    xs.push_back(fromBits(static_cast<uint32_t>(bits)));
  return xs;
}

/// Generic boundaries plus each function's own, with their neighbours.
std::vector<float> boundaryInputs(const std::vector<float> &own) {
  std::vector<float> base = {0.0f,  kDenormMin, 1e-40f,  FLT_MIN, 1e-30f,
                             1e-8f, 0.5f,       1.0f,    2.0f,    10.0f,
                             1e10f, 1e30f,      FLT_MAX, kInf,    kNaN};
  base.insert(base.end(), own.begin(), own.end());
  std::vector<float> xs;
  for (float b : base)
    for (float v : {b, -b})
      for (int step = -2; step <= 2; ++step) {
        float x = v;
        for (int i = 0; i < std::abs(step); ++i)
          x = std::nextafter(x, step < 0 ? -kInf : kInf);
        xs.push_back(x);
      }
  return xs;
}

/// Runs fn over all 2^32 inputs in chunks and returns the worst error.
Worst exhaustive(UnaryFn fn, Reference ref, float bound) {
  constexpr uint64_t kChunk = 1 << 24;
  Worst worst;
  std::vector<float> xs(kChunk);
  for (uint64_t start = 0; start <= UINT32_MAX; start += kChunk) {
    for (uint64_t i = 0; i < kChunk; ++i)
      xs[i] = fromBits(static_cast<uint32_t>(start + i));
    Worst w = measure(fn, ref, xs, bound);
    if (w.ulp > worst.ulp)
      worst = w;
  }
  return worst;
}

// References: glibc's double functions are correctly rounded or within an
// ulp of double, 2^-29 of a float ulp.
double refSigmoid(double x) {
  return static_cast<double>(1.0L /
                             (1.0L + std::exp(-static_cast<long double>(x))));
}
double refRsqrt(double x) { return 1.0 / std::sqrt(x); }
double refSign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

struct UnaryCase {
  const char *name;
  UnaryFn fn;
  Reference ref;
  std::vector<float> boundaries; ///< Thresholds and switch points to test.
  float accurateBelow = kInf;    ///< |x| bound of the ulp guarantee.
};

std::vector<UnaryCase> unaryCases() {
  return {
      {"exp",
       act::math::exp,
       [](double x) { return std::exp(x); },
       {88.7228394f, 88.7228470f, 89.0f, -87.3365479f, -100.0f, -103.972084f,
        -103.972076f, -104.0f, 0.346573591f, 0.346573621f, 1e-7f}},
      {"expm1",
       act::math::expm1,
       [](double x) { return std::expm1(x); },
       {88.7228394f, 88.7228470f, -17.3286800f, -17.5f, -18.0f, 0.346573591f,
        0.346573621f, 0.693147182f, 16.2f, 16.9f, 17.0f, 1e-7f, 3e-8f}},
      {"log",
       act::math::log,
       [](double x) { return std::log(x); },
       {0.707106769f, 0.707106829f, 1.41421354f, 1.41421366f, 0.999999940f,
        1.00000012f}},
      {"log1p",
       act::math::log1p,
       [](double x) { return std::log1p(x); },
       {-0.292893231f, -0.292893201f, 0.414213538f, 0.414213598f, -0.999999940f,
        1e-7f, 6e-8f, 16777216.0f}},
      {"tanh",
       act::math::tanh,
       [](double x) { return std::tanh(x); },
       {0.549306154f, 0.549306035f, 9.01091290f, 9.1f, 20.0f, 1e-4f}},
      {"sigmoid",
       act::math::sigmoid,
       refSigmoid,
       {16.6355324f, 17.0f, 87.3365479f, 88.7228394f, 103.972084f, 104.0f,
        200.0f}},
      {"erf",
       act::math::erf,
       [](double x) { return std::erf(x); },
       {0.82f, 0.6f, 3.9192059f, 4.0f, 1e-4f}},
      {"erfc",
       act::math::erfc,
       [](double x) { return std::erfc(x); },
       {0.6f, 1.1f, 2.0f, 9.0f, 9.19455f, 10.0f, 10.0546875f, 10.1f, 26.0f}},
      {"sin",
       act::math::sin,
       [](double x) { return std::sin(x); },
       {0.785398185f, 1.57079637f, 3.14159274f, 4.71238899f, 252.898209f,
        505.796417f, 52516.4336f, 102942.0f, 1e5f},
       kTrigAccurateBelow},
      {"cos",
       act::math::cos,
       [](double x) { return std::cos(x); },
       {0.785398185f, 1.57079637f, 3.14159274f, 4.71238899f, 252.898209f,
        505.796417f, 52516.4336f, 102942.0f, 1e5f},
       kTrigAccurateBelow},
      {"atan",
       act::math::atan,
       [](double x) { return std::atan(x); },
       {0.414213568f, 0.414213598f, 2.41421342f, 2.41421366f, 1e30f, 3e7f}},
      {"sqrt",
       act::math::sqrt,
       [](double x) { return std::sqrt(x); },
       {4.0f, 0.25f}},
      {"rsqrt", act::math::rsqrt, refRsqrt, {0x1p64f, 0x1p-64f, 4.0f}},
      {"round",
       act::math::round,
       [](double x) { return std::round(x); },
       {0.49999997f, 1.5f, 2.5f, 8388607.5f, 8388608.0f, 4194303.75f}},
      {"sign", act::math::sign, refSign, {}},
  };
}

void PrintTo(const UnaryCase &c, std::ostream *os) { *os << c.name; }

class MathLibAccuracy : public testing::TestWithParam<UnaryCase> {};

TEST_P(MathLibAccuracy, SampledAndBoundaries) {
  const UnaryCase &c = GetParam();
  std::vector<float> xs = sampledInputs(kSampleStride);
  std::vector<float> edges = boundaryInputs(c.boundaries);
  xs.insert(xs.end(), edges.begin(), edges.end());
  Worst w = measure(c.fn, c.ref, xs, c.accurateBelow);
  EXPECT_LE(w.ulp, kMaxUlp)
      << c.name << "(" << w.x << ") = " << w.y << ", exact " << c.ref(w.x);
}

TEST_P(MathLibAccuracy, DISABLED_Exhaustive) {
  const UnaryCase &c = GetParam();
  Worst w = exhaustive(c.fn, c.ref, c.accurateBelow);
  std::printf("%s: max %.4f ulp at x = %a (%.9g), got %.9g, exact %.12g\n",
              c.name, w.ulp, w.x, w.x, w.y, c.ref(w.x));
  EXPECT_LE(w.ulp, kMaxUlp);
}

INSTANTIATE_TEST_SUITE_P(MathLib, MathLibAccuracy,
                         testing::ValuesIn(unaryCases()),
                         [](const testing::TestParamInfo<UnaryCase> &info) {
                           return std::string(info.param.name);
                         });

/// Expects bit-for-bit equality, or NaN for NaN, so that -0 and +0 differ.
void expectSame(float expected, float actual, const std::string &what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual))
        << what << " = " << actual << ", expected NaN";
    return;
  }
  EXPECT_EQ(expected, actual) << what;
  EXPECT_EQ(std::signbit(expected), std::signbit(actual))
      << what << ": sign of " << actual;
}

void expectUnary(UnaryFn fn, const char *name,
                 std::initializer_list<std::pair<float, float>> cases) {
  for (auto [x, expected] : cases)
    expectSame(expected, apply(fn, x),
               std::string(name) + "(" + std::to_string(x) + ")");
}

TEST(MathLibSpecial, ExpFamily) {
  expectUnary(act::math::exp, "exp",
              {{0.0f, 1.0f},
               {-0.0f, 1.0f},
               {-kInf, 0.0f},
               {kInf, kInf},
               {kNaN, kNaN},
               {88.7228470f, kInf},
               {-104.0f, 0.0f},
               {-103.972076f, kDenormMin}});
  expectUnary(act::math::expm1, "expm1",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {-kInf, -1.0f},
               {kInf, kInf},
               {kNaN, kNaN},
               {kDenormMin, kDenormMin},
               {-kDenormMin, -kDenormMin},
               {-20.0f, -1.0f},
               {88.7228470f, kInf}});
  // exp(-100) = 3.72e-44 is subnormal: within 1.5 * 2^-149.
  EXPECT_NEAR(apply(act::math::exp, -100.0f), std::exp(-100.0),
              1.5 * kDenormMin);
}

TEST(MathLibSpecial, LogFamily) {
  expectUnary(act::math::log, "log",
              {{0.0f, -kInf},
               {-0.0f, -kInf},
               {1.0f, 0.0f},
               {-1.0f, kNaN},
               {-kInf, kNaN},
               {kInf, kInf},
               {kNaN, kNaN},
               {-kDenormMin, kNaN}});
  expectUnary(act::math::log1p, "log1p",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {-1.0f, -kInf},
               {-2.0f, kNaN},
               {-kInf, kNaN},
               {kInf, kInf},
               {kNaN, kNaN},
               {kDenormMin, kDenormMin},
               {-kDenormMin, -kDenormMin}});
}

TEST(MathLibSpecial, Activations) {
  expectUnary(act::math::tanh, "tanh",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {kInf, 1.0f},
               {-kInf, -1.0f},
               {kNaN, kNaN},
               {20.0f, 1.0f},
               {-20.0f, -1.0f},
               {kDenormMin, kDenormMin}});
  expectUnary(act::math::sigmoid, "sigmoid",
              {{0.0f, 0.5f},
               {-0.0f, 0.5f},
               {-kInf, 0.0f},
               {kInf, 1.0f},
               {kNaN, kNaN},
               {-FLT_MAX, 0.0f},
               {FLT_MAX, 1.0f},
               {-200.0f, 0.0f},
               {20.0f, 1.0f}});
  expectUnary(act::math::erf, "erf",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {kInf, 1.0f},
               {-kInf, -1.0f},
               {kNaN, kNaN},
               {5.0f, 1.0f},
               {-5.0f, -1.0f}});
  expectUnary(act::math::erfc, "erfc",
              {{0.0f, 1.0f},
               {-0.0f, 1.0f},
               {kInf, 0.0f},
               {-kInf, 2.0f},
               {kNaN, kNaN},
               {11.0f, 0.0f},
               {-11.0f, 2.0f}});
  // erfc stays accurate (relatively) where gelu(x) = x erfc(-x/sqrt2)/2 needs
  // it, down to erfc(10) = 2.09e-45, a subnormal.
  for (float x : {5.0f, 9.0f, 9.5f, 10.0f})
    EXPECT_LE(ulpError(apply(act::math::erfc, x), std::erfc(double(x))),
              kMaxUlp)
        << x;
}

TEST(MathLibSpecial, Trigonometric) {
  constexpr float kPiOver2 = 1.57079637f;
  expectUnary(act::math::sin, "sin",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {kInf, kNaN},
               {-kInf, kNaN},
               {kNaN, kNaN},
               {kDenormMin, kDenormMin},
               {-kDenormMin, -kDenormMin}});
  expectUnary(
      act::math::cos, "cos",
      {{0.0f, 1.0f}, {-0.0f, 1.0f}, {kInf, kNaN}, {-kInf, kNaN}, {kNaN, kNaN}});
  expectUnary(act::math::atan, "atan",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {kInf, kPiOver2},
               {-kInf, -kPiOver2},
               {kNaN, kNaN},
               {1.0f, 0.785398185f},
               {FLT_MAX, kPiOver2}});
}

TEST(MathLibSpecial, TrigonometricLargeArguments) {
  // Beyond |x| = 102943 the reduction is not exact: the documented promise
  // is a result in [-1, 1], within 2^-22 |x| (two ulps of x) below 2^24.
  std::vector<float> xs;
  std::mt19937 rng(7);
  while (xs.size() < 1 << 16) {
    float magnitude = std::ldexp(1.0f + (rng() >> 9) * 0x1p-23f,
                                 16 + static_cast<int>(rng() % 112));
    if (magnitude > kTrigAccurateBelow)
      xs.push_back(rng() & 1 ? magnitude : -magnitude);
  }
  for (UnaryFn fn : {act::math::sin, act::math::cos}) {
    std::vector<float> ys = unaryKernel(fn).run({xs});
    for (size_t i = 0; i < xs.size(); ++i) {
      ASSERT_TRUE(std::isfinite(ys[i])) << xs[i];
      ASSERT_LE(std::fabs(ys[i]), 1.0f) << xs[i];
      double exact = fn == act::math::sin ? std::sin(double(xs[i]))
                                          : std::cos(double(xs[i]));
      if (std::fabs(xs[i]) < 0x1p24f) {
        EXPECT_NEAR(ys[i], exact, std::fabs(xs[i]) * 0x1p-22) << xs[i];
      }
    }
  }
}

TEST(MathLibSpecial, Elementary) {
  expectUnary(act::math::sqrt, "sqrt",
              {{0.0f, 0.0f},
               {-0.0f, -0.0f},
               {-1.0f, kNaN},
               {kInf, kInf},
               {-kInf, kNaN},
               {kNaN, kNaN},
               {4.0f, 2.0f}});
  expectUnary(act::math::rsqrt, "rsqrt",
              {{0.0f, kInf},
               {-0.0f, -kInf},
               {kInf, 0.0f},
               {-1.0f, kNaN},
               {kNaN, kNaN},
               {4.0f, 0.5f},
               {0x1p-148f, 0x1p74f}});
  expectUnary(act::math::round, "round",
              {{0.5f, 1.0f},
               {-0.5f, -1.0f},
               {0.49999997f, 0.0f},
               {-0.4f, -0.0f},
               {-0.0f, -0.0f},
               {2.5f, 3.0f},
               {-2.5f, -3.0f},
               {8388607.5f, 8388608.0f},
               {1e30f, 1e30f},
               {kInf, kInf},
               {-kInf, -kInf},
               {kNaN, kNaN}});
  expectUnary(act::math::sign, "sign",
              {{3.0f, 1.0f},
               {-3.0f, -1.0f},
               {0.0f, 0.0f},
               {-0.0f, -0.0f},
               {kNaN, kNaN},
               {kInf, 1.0f},
               {-kInf, -1.0f},
               {kDenormMin, 1.0f},
               {-kDenormMin, -1.0f}});
}

TEST(MathLibSpecial, MinMaxPropagateNaN) {
  for (BinaryFn fn : {act::math::fmin, act::math::fmax}) {
    EXPECT_TRUE(std::isnan(apply(fn, kNaN, 1.0f)));
    EXPECT_TRUE(std::isnan(apply(fn, 1.0f, kNaN)));
    EXPECT_TRUE(std::isnan(apply(fn, kNaN, kNaN)));
    EXPECT_TRUE(std::isnan(apply(fn, -kInf, kNaN)));
  }
  EXPECT_EQ(apply(act::math::fmin, 1.0f, 2.0f), 1.0f);
  EXPECT_EQ(apply(act::math::fmin, -kInf, kInf), -kInf);
  EXPECT_EQ(apply(act::math::fmax, 1.0f, 2.0f), 2.0f);
  EXPECT_EQ(apply(act::math::fmax, -kInf, kInf), kInf);
  EXPECT_EQ(apply(act::math::fmax, -1.0f, kDenormMin), kDenormMin);
}

TEST(MathLibPow, AnnexF) {
  struct Case {
    float x, y, expected;
  };
  const Case cases[] = {
      {kNaN, 0.0f, 1.0f},      {kNaN, -0.0f, 1.0f},
      {1.0f, kNaN, 1.0f},      {1.0f, kInf, 1.0f},
      {-1.0f, kInf, 1.0f},     {-1.0f, -kInf, 1.0f},
      {2.0f, kNaN, kNaN},      {kNaN, 2.0f, kNaN},
      {-2.0f, 2.0f, 4.0f},     {-2.0f, 3.0f, -8.0f},
      {-2.0f, 0.5f, kNaN},     {-2.0f, -1.0f, -0.5f},
      {0.0f, -1.0f, kInf},     {-0.0f, -1.0f, -kInf},
      {-0.0f, -2.0f, kInf},    {0.0f, -0.5f, kInf},
      {-0.0f, -kInf, kInf},    {0.0f, 3.0f, 0.0f},
      {-0.0f, 3.0f, -0.0f},    {-0.0f, 2.0f, 0.0f},
      {-0.0f, 0.5f, 0.0f},     {0.5f, -kInf, kInf},
      {2.0f, -kInf, 0.0f},     {0.5f, kInf, 0.0f},
      {2.0f, kInf, kInf},      {-0.5f, kInf, 0.0f},
      {-2.0f, kInf, kInf},     {-kInf, -3.0f, -0.0f},
      {-kInf, -2.0f, 0.0f},    {-kInf, 3.0f, -kInf},
      {-kInf, 2.0f, kInf},     {-kInf, 0.5f, kInf},
      {kInf, -1.0f, 0.0f},     {kInf, 0.5f, kInf},
      {2.0f, 128.0f, kInf},    {2.0f, -149.0f, kDenormMin},
      {2.0f, -151.0f, 0.0f},   {10.0f, 2.0f, 100.0f},
      {-3.0f, 1e30f, kInf},    {-0.5f, 1e30f, 0.0f},
      {-8.0f, 1.0f / 3, kNaN}, {4.0f, 0.5f, 2.0f},
  };
  for (const Case &c : cases)
    expectSame(c.expected, apply(act::math::pow, c.x, c.y),
               "pow(" + std::to_string(c.x) + ", " + std::to_string(c.y) + ")");
}

/// Random bit patterns for both operands, plus integral exponents with
/// negative bases and bases near 1 with large exponents (where an error in
/// log x is magnified).
std::pair<std::vector<float>, std::vector<float>> powInputs(size_t n,
                                                            uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> xs(n), ys(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = rng(), v = rng();
    switch (i % 3) {
    case 0:
      xs[i] = fromBits(u);
      ys[i] = fromBits(v);
      break;
    case 1:
      xs[i] = std::ldexp(1.0f + (u & 0xffff) * 0x1p-16f,
                         static_cast<int>(u >> 26) - 32) *
              ((u >> 25) & 1 ? -1.0f : 1.0f);
      ys[i] = static_cast<float>(static_cast<int>(v % 61) - 30);
      break;
    default:
      xs[i] = 1.0f + std::ldexp(static_cast<float>(static_cast<int32_t>(u)),
                                -31 - static_cast<int>(v % 24));
      ys[i] = std::ldexp(static_cast<float>(static_cast<int32_t>(v)),
                         -static_cast<int>(u % 40));
    }
  }
  return {xs, ys};
}

Worst measurePow(size_t n, uint32_t seed) {
  auto [xs, ys] = powInputs(n, seed);
  std::vector<float> rs = binaryKernel(act::math::pow).run({xs, ys});
  Worst worst;
  for (size_t i = 0; i < n; ++i) {
    double err = ulpError(rs[i], std::pow(double(xs[i]), double(ys[i])));
    if (err > worst.ulp)
      worst = {err, xs[i], ys[i]};
  }
  return worst;
}

TEST(MathLibPow, Sampled) {
  Worst w = measurePow(1 << 21, 1);
  EXPECT_LE(w.ulp, kMaxUlp) << "pow(" << w.x << ", " << w.y << ")";
}

TEST(MathLibPow, DISABLED_LargeSample) {
  Worst w;
  for (uint32_t seed = 0; seed < 64; ++seed) {
    Worst s = measurePow(1 << 22, seed + 100);
    if (s.ulp > w.ulp)
      w = s;
  }
  std::printf("pow: max %.4f ulp at pow(%a, %a)\n", w.ulp, w.x, w.y);
  EXPECT_LE(w.ulp, kMaxUlp);
}

// ---------------------------------------------------------------------------
// Wide variants: Float(64) in and out, measured unrounded.
// ---------------------------------------------------------------------------

// Their relative error bound, in units of 2^-24 (a float32 ulp is 1 or 2 of
// them): a quarter of a float32 ulp at most.
constexpr double kWideMaxError = 0.25;

// Wide results below 2^-1021 may flush to 0.
constexpr double kWideFlush = 0x1p-1021;

/// |y - exact| / |exact| in units of 2^-24. Infinities must match, as must
/// NaN; below kWideFlush, any result below it passes.
double wideError(double y, double exact) {
  if (std::isnan(exact) || std::isnan(y))
    return std::isnan(exact) && std::isnan(y) ? 0.0 : INFINITY;
  if (std::isinf(y) || std::isinf(exact))
    return y == exact ? 0.0 : INFINITY;
  if (std::fabs(exact) < kWideFlush && std::fabs(y) <= kWideFlush)
    return 0.0;
  return std::fabs(y - exact) / std::max(std::fabs(exact), DBL_MIN) * 0x1p24;
}

/// A JIT-compiled Float(64) -> Float(64) function, vectorised by 16.
class WideKernel {
public:
  explicit WideKernel(UnaryFn fn) : in_(Halide::Float(64), 1, "in") {
    Halide::Var x("x"), xo("xo"), xi("xi");
    func_(x) = fn(in_(x));
    func_.split(x, xo, xi, kChunkSize).parallel(xo).vectorize(xi, kVectorWidth);
    func_.compile_jit();
  }

  std::vector<double> run(const std::vector<double> &xs) {
    size_t padded = (xs.size() + kChunkSize - 1) / kChunkSize * kChunkSize;
    Halide::Buffer<double> in(static_cast<int>(padded));
    std::fill(in.begin(), in.end(), 1.0);
    std::copy(xs.begin(), xs.end(), in.begin());
    in_.set(in);
    Halide::Buffer<double> out = func_.realize({static_cast<int>(padded)});
    return std::vector<double>(out.begin(), out.begin() + xs.size());
  }

private:
  Halide::ImageParam in_;
  Halide::Func func_;
};

WideKernel &wideKernel(UnaryFn fn) {
  static std::map<UnaryFn, std::unique_ptr<WideKernel>> cache;
  auto &kernel = cache[fn];
  if (!kernel)
    kernel = std::make_unique<WideKernel>(fn);
  return *kernel;
}

double applyWide(UnaryFn fn, double x) { return wideKernel(fn).run({x})[0]; }

struct WideWorst {
  double error = 0;
  double x = 0;
  double y = 0;
};

WideWorst measureWide(UnaryFn fn, Reference ref,
                      const std::vector<double> &xs) {
  std::vector<double> ys = wideKernel(fn).run(xs);
  return worstOnAllCores<WideWorst>(
      xs.size(),
      [&](size_t i, WideWorst &worst) {
        double err = wideError(ys[i], ref(xs[i]));
        if (!(err <= worst.error))
          worst = {err, xs[i], ys[i]};
      },
      [](const WideWorst &a, const WideWorst &b) { return a.error < b.error; });
}

/// Doubles a float32 computation could not have produced: floats moved by
/// up to 2^-24 relative, and random bit patterns over the double range.
std::vector<double> wideRandomInputs(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> xs(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t u = rng();
    if (i % 2 == 0) {
      double f = fromBits(static_cast<uint32_t>(u));
      xs[i] =
          f * (1.0 + std::ldexp(static_cast<double>(int32_t(u >> 32)), -55));
    } else {
      std::memcpy(&xs[i], &u, sizeof u);
    }
  }
  return xs;
}

std::vector<double> asDoubles(const std::vector<float> &xs) {
  return std::vector<double>(xs.begin(), xs.end());
}

struct WideCase {
  const char *name;
  UnaryFn fn;
  Reference ref;
  std::vector<double> boundaries; ///< Switch points and range limits.
};

std::vector<WideCase> wideCases() {
  return {
      {"exp",
       act::math::wide::exp,
       [](double x) { return std::exp(x); },
       // Within 2^-26 of DBL_MAX the result may overflow early: 709.78 is
       // the last boundary tested below log(DBL_MAX).
       {709.78, 709.79, -707.7, -708.0, -708.3964185322641, -745.1332191019411,
        710.0, -746.0, 0.34657359027997264, 1e-300}},
      {"expm1",
       act::math::wide::expm1,
       [](double x) { return std::expm1(x); },
       {-37.42994775023705, -40.0, 0.34657359027997264, 36.7368005696771, 37.0,
        709.78, 709.79, 1e-300, 1e-17}},
      {"log",
       act::math::wide::log,
       [](double x) { return std::log(x); },
       {0.7071067811865476, 0.7071067811865475, 1.4142135623730951, 1.0,
        DBL_MIN, DBL_TRUE_MIN, DBL_MAX, 1.0 + 0x1p-52}},
      {"log1p",
       act::math::wide::log1p,
       [](double x) { return std::log1p(x); },
       {-0.2928932188134524, 0.41421356237309515, -1.0 + 0x1p-53, 1e-17, 0x1p53,
        DBL_MAX, DBL_TRUE_MIN}},
      {"tanh",
       act::math::wide::tanh,
       [](double x) { return std::tanh(x); },
       {0.5493061443340549, 0.549306144334055, 19.06, 19.5, 1e-300, 1e10}},
      {"sigmoid",
       act::math::wide::sigmoid,
       [](double x) {
         return static_cast<double>(
             1.0L / (1.0L + std::exp(-static_cast<long double>(x))));
       },
       {36.7, 37.0, 708.0, 709.0, 744.0, 745.2, 746.0, 1e10}},
      {"erf",
       act::math::wide::erf,
       [](double x) { return std::erf(x); },
       {0.82, 0.8199999999999999, 5.9, 6.0, 27.0, 28.0, 1e-300}},
      {"erfc",
       act::math::wide::erfc,
       [](double x) { return std::erfc(x); },
       {0.6, 0.5999999999999999, 1.1, 1.1000000238418579, 2.0, 10.1, 15.0, 20.0,
        26.5, 27.2, 27.226, 27.25, 27.3, 1e-300}},
  };
}

void PrintTo(const WideCase &c, std::ostream *os) { *os << c.name; }

class WideAccuracy : public testing::TestWithParam<WideCase> {};

/// Every 1021st float32 (as a double), the boundaries with their neighbours
/// and 2^20 random doubles.
TEST_P(WideAccuracy, SampledAndBoundaries) {
  const WideCase &c = GetParam();
  std::vector<double> xs = asDoubles(sampledInputs(kSampleStride));
  for (double b : c.boundaries)
    for (double v : {b, -b})
      for (double x :
           {std::nextafter(v, -INFINITY), v, std::nextafter(v, INFINITY)})
        xs.push_back(x);
  std::vector<double> random = wideRandomInputs(1 << 20, 1);
  xs.insert(xs.end(), random.begin(), random.end());
  WideWorst w = measureWide(c.fn, c.ref, xs);
  EXPECT_LE(w.error, kWideMaxError)
      << c.name << "(" << w.x << ") = " << w.y << ", exact " << c.ref(w.x);
}

TEST_P(WideAccuracy, DISABLED_Exhaustive) {
  const WideCase &c = GetParam();
  constexpr uint64_t kChunk = 1 << 24;
  WideWorst worst;
  std::vector<double> xs(kChunk);
  for (uint64_t start = 0; start <= UINT32_MAX; start += kChunk) {
    for (uint64_t i = 0; i < kChunk; ++i)
      xs[i] = fromBits(static_cast<uint32_t>(start + i));
    WideWorst w = measureWide(c.fn, c.ref, xs);
    if (w.error > worst.error)
      worst = w;
  }
  for (uint32_t seed = 0; seed < 16; ++seed) {
    WideWorst w = measureWide(c.fn, c.ref, wideRandomInputs(1 << 24, seed + 2));
    if (w.error > worst.error)
      worst = w;
  }
  std::printf("wide %s: max %.4f (2^-24 relative) at x = %a (%.17g), got "
              "%.17g, exact %.17g\n",
              c.name, worst.error, worst.x, worst.x, worst.y, c.ref(worst.x));
  EXPECT_LE(worst.error, kWideMaxError);
}

INSTANTIATE_TEST_SUITE_P(MathLib, WideAccuracy, testing::ValuesIn(wideCases()),
                         [](const testing::TestParamInfo<WideCase> &info) {
                           return std::string(info.param.name);
                         });

/// Bit-for-bit (or NaN) results of a wide function, -0 told from +0.
void expectWide(UnaryFn fn, const char *name,
                std::initializer_list<std::pair<double, double>> cases) {
  for (auto [x, expected] : cases) {
    double actual = applyWide(fn, x);
    std::string what =
        std::string("wide::") + name + "(" + std::to_string(x) + ")";
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(actual)) << what << " = " << actual;
      continue;
    }
    EXPECT_EQ(expected, actual) << what;
    EXPECT_EQ(std::signbit(expected), std::signbit(actual)) << what;
  }
}

TEST(MathLibWideSpecial, ExpAndLog) {
  constexpr double inf = INFINITY, nan = NAN;
  expectWide(act::math::wide::exp, "exp",
             {{0.0, 1.0},
              {-0.0, 1.0},
              {inf, inf},
              {-inf, 0.0},
              {nan, nan},
              {710.0, inf},
              {1e300, inf},
              {-746.0, 0.0},
              {-1e300, 0.0}});
  expectWide(act::math::wide::expm1, "expm1",
             {{0.0, 0.0},
              {-0.0, -0.0},
              {inf, inf},
              {-inf, -1.0},
              {nan, nan},
              {1e-300, 1e-300},
              {-1e-300, -1e-300},
              {-50.0, -1.0},
              {710.0, inf},
              {DBL_TRUE_MIN, DBL_TRUE_MIN}});
  expectWide(act::math::wide::log, "log",
             {{0.0, -inf},
              {-0.0, -inf},
              {1.0, 0.0},
              {-1.0, nan},
              {-inf, nan},
              {inf, inf},
              {nan, nan},
              {-DBL_TRUE_MIN, nan}});
  expectWide(act::math::wide::log1p, "log1p",
             {{0.0, 0.0},
              {-0.0, -0.0},
              {-1.0, -inf},
              {-2.0, nan},
              {-inf, nan},
              {inf, inf},
              {nan, nan},
              {1e-300, 1e-300},
              {-1e-300, -1e-300}});
  // Subnormal doubles keep their full relative accuracy in log (and are
  // what exp flushes to 0).
  EXPECT_NEAR(applyWide(act::math::wide::log, DBL_TRUE_MIN),
              std::log(DBL_TRUE_MIN), 1e-9);
}

TEST(MathLibWideSpecial, Activations) {
  constexpr double inf = INFINITY, nan = NAN;
  expectWide(act::math::wide::tanh, "tanh",
             {{0.0, 0.0},
              {-0.0, -0.0},
              {inf, 1.0},
              {-inf, -1.0},
              {nan, nan},
              {1e300, 1.0},
              {-1e300, -1.0},
              {1e-300, 1e-300}});
  expectWide(act::math::wide::sigmoid, "sigmoid",
             {{0.0, 0.5},
              {-0.0, 0.5},
              {inf, 1.0},
              {-inf, 0.0},
              {nan, nan},
              {1e300, 1.0},
              {-1e300, 0.0},
              {-746.0, 0.0}});
  expectWide(act::math::wide::erf, "erf",
             {{0.0, 0.0},
              {-0.0, -0.0},
              {inf, 1.0},
              {-inf, -1.0},
              {nan, nan},
              {1e300, 1.0},
              {-1e300, -1.0}});
  expectWide(act::math::wide::erfc, "erfc",
             {{0.0, 1.0},
              {-0.0, 1.0},
              {inf, 0.0},
              {-inf, 2.0},
              {nan, nan},
              {28.0, 0.0},
              {-28.0, 2.0},
              {1e300, 0.0}});
  // Where float32 would be subnormal, the wide result keeps its relative
  // accuracy: erfc(9.5) = 1.8e-41, sigmoid(-100) = 3.7e-44.
  EXPECT_LE(wideError(applyWide(act::math::wide::erfc, 9.5), std::erfc(9.5)),
            kWideMaxError);
  EXPECT_LE(
      wideError(applyWide(act::math::wide::sigmoid, -100.0), std::exp(-100.0)),
      kWideMaxError);
}

TEST(MathLibWideSpecial, ExactFunctionsKeepDouble) {
  // round, sign, fmin and fmax compute in the argument's type.
  Halide::Func f;
  Halide::Var x;
  f(x) = Halide::Tuple(
      act::math::round(Halide::Expr(2.5)),
      act::math::sign(Halide::Expr(-1e-300)),
      act::math::fmin(Halide::Expr(1e-300), Halide::Expr(2.0f)),
      act::math::fmax(Halide::Expr(std::nan("")), Halide::Expr(1.0)));
  Halide::Realization r = f.realize({1});
  EXPECT_EQ(Halide::Buffer<double>(r[0])(0), 3.0);
  EXPECT_EQ(Halide::Buffer<double>(r[1])(0), -1.0);
  EXPECT_EQ(Halide::Buffer<double>(r[2])(0), 1e-300);
  EXPECT_TRUE(std::isnan(Halide::Buffer<double>(r[3])(0)));
}

} // namespace
