// Accuracy and special-value tests of the Halide float32 math library.
//
// Every function is JIT-compiled once per target setting (with the host's
// FMA, and without it: Dekker's products), vectorised by 16, and compared
// with a double (or long double) reference in ulps of the exact result. The
// extended results (hi + lo, times a factor) are compared unrounded, in
// units of 2^-24 relative. The disabled tests sweep all 2^32 inputs of each
// unary function (about 1.5 minutes each on two cores) and 2^28 random pairs
// for pow; run them with the flags --gtest_also_run_disabled_tests
// --gtest_filter='*Exhaustive*:*LargeSample*'.
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

using act::math::Options;
using UnaryFn = Halide::Expr (*)(const Halide::Expr &, Options);
using BinaryFn = Halide::Expr (*)(const Halide::Expr &, const Halide::Expr &,
                                  Options);
using Reference = double (*)(double);

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kDenormMin = std::numeric_limits<float>::denorm_min();
constexpr float kMaxUlp = 1.5f;
// Sampled tests take every kSampleStride-th bit pattern (4.2M inputs); those
// without FMA every 16th of them.
constexpr uint32_t kSampleStride = 1021;
constexpr uint32_t kSampleStrideWithoutFma = 16 * kSampleStride;
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

/// The host's setting: FMA where the JIT target has it.
Options hostOptions() {
  Halide::Target host = Halide::get_host_target();
  return {host.has_feature(Halide::Target::FMA) ||
          host.has_feature(Halide::Target::AVX512)};
}

/// One Kernel per function and setting per process: JIT compilation
/// dominates run time.
Kernel &unaryKernel(UnaryFn fn, Options options = hostOptions()) {
  static std::map<std::pair<UnaryFn, bool>, std::unique_ptr<Kernel>> cache;
  auto &kernel = cache[{fn, options.fma}];
  if (!kernel) {
    Halide::ImageParam in(Halide::Float(32), 1, "in");
    kernel = std::make_unique<Kernel>(
        std::vector<Halide::ImageParam>{in},
        [&](const Halide::Var &x) { return fn(in(x), options); });
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
        [&](const Halide::Var &x) { return fn(a(x), b(x), hostOptions()); });
  }
  return *kernel;
}

float apply(UnaryFn fn, float x) { return unaryKernel(fn).run({{x}})[0]; }
float apply(BinaryFn fn, float a, float b) {
  return binaryKernel(fn).run({{a}, {b}})[0];
}

// The exact functions take no options.
Halide::Expr roundFn(const Halide::Expr &x, Options) {
  return act::math::round(x);
}
Halide::Expr signFn(const Halide::Expr &x, Options) {
  return act::math::sign(x);
}
Halide::Expr fminFn(const Halide::Expr &a, const Halide::Expr &b, Options) {
  return act::math::fmin(a, b);
}
Halide::Expr fmaxFn(const Halide::Expr &a, const Halide::Expr &b, Options) {
  return act::math::fmax(a, b);
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
              float bound = kInf, Options options = hostOptions()) {
  std::vector<float> ys = unaryKernel(fn, options).run({xs});
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
       roundFn,
       [](double x) { return std::round(x); },
       {0.49999997f, 1.5f, 2.5f, 8388607.5f, 8388608.0f, 4194303.75f}},
      {"sign", signFn, refSign, {}},
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

TEST_P(MathLibAccuracy, SampledWithoutFma) {
  const UnaryCase &c = GetParam();
  std::vector<float> xs = sampledInputs(kSampleStrideWithoutFma);
  std::vector<float> edges = boundaryInputs(c.boundaries);
  xs.insert(xs.end(), edges.begin(), edges.end());
  Worst w = measure(c.fn, c.ref, xs, c.accurateBelow, Options{false});
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
  expectUnary(roundFn, "round",
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
  expectUnary(signFn, "sign",
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
  for (BinaryFn fn : {fminFn, fmaxFn}) {
    EXPECT_TRUE(std::isnan(apply(fn, kNaN, 1.0f)));
    EXPECT_TRUE(std::isnan(apply(fn, 1.0f, kNaN)));
    EXPECT_TRUE(std::isnan(apply(fn, kNaN, kNaN)));
    EXPECT_TRUE(std::isnan(apply(fn, -kInf, kNaN)));
  }
  EXPECT_EQ(apply(fminFn, 1.0f, 2.0f), 1.0f);
  EXPECT_EQ(apply(fminFn, -kInf, kInf), -kInf);
  EXPECT_EQ(apply(fmaxFn, 1.0f, 2.0f), 2.0f);
  EXPECT_EQ(apply(fmaxFn, -kInf, kInf), kInf);
  EXPECT_EQ(apply(fmaxFn, -1.0f, kDenormMin), kDenormMin);
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
// Extended results: (hi + lo) * factor, measured unrounded.
// ---------------------------------------------------------------------------

// Their relative error bound, in units of 2^-24 (a float32 ulp is 1 or 2 of
// them): 2^-25.5, a third of a float32 ulp at most.
constexpr double kExtendedMaxError = 0.35;

using ExtendedMethod = act::math::Ext (act::math::Builder::*)(
    const act::math::Ext &, act::math::Precision);

/// An extended function of an extended argument (hi + lo), JIT-compiled
/// with the host's options: its parts, combined in double.
class ExtendedKernel {
public:
  explicit ExtendedKernel(ExtendedMethod method)
      : hi_(Halide::Float(32), 1, "hi"), lo_(Halide::Float(32), 1, "lo") {
    act::math::Builder b(hostOptions());
    Halide::Var x("x"), xo("xo"), xi("xi");
    act::math::Ext arg{b.bind(hi_(x)), b.bind(lo_(x))};
    act::math::Ext r = (b.*method)(arg, act::math::Precision::Extended);
    Halide::Expr lo = r.lo.defined() ? r.lo : Halide::Expr(0.0f);
    Halide::Expr factor = r.factor.defined() ? r.factor : Halide::Expr(1.0f);
    func_(x) = Halide::Tuple(b.finish(r.hi), b.finish(lo), b.finish(factor));
    func_.split(x, xo, xi, kChunkSize).parallel(xo).vectorize(xi, kVectorWidth);
    func_.compile_jit();
  }

  std::vector<double> run(const std::vector<float> &his,
                          const std::vector<float> &los) {
    size_t padded = (his.size() + kChunkSize - 1) / kChunkSize * kChunkSize;
    Halide::Buffer<float> hi(static_cast<int>(padded)),
        lo(static_cast<int>(padded));
    std::fill(hi.begin(), hi.end(), 1.0f);
    std::fill(lo.begin(), lo.end(), 0.0f);
    std::copy(his.begin(), his.end(), hi.begin());
    std::copy(los.begin(), los.end(), lo.begin());
    hi_.set(hi);
    lo_.set(lo);
    Halide::Realization r = func_.realize({static_cast<int>(padded)});
    Halide::Buffer<float> h(r[0]), l(r[1]), f(r[2]);
    std::vector<double> out(his.size());
    for (size_t i = 0; i < his.size(); ++i)
      out[i] = (double(h(i)) + double(l(i))) * double(f(i));
    return out;
  }

private:
  Halide::ImageParam hi_, lo_;
  Halide::Func func_;
};

/// |y - exact| / max(|exact|, smallest) in units of 2^-24. NaN must match
/// NaN; a result that rounds to +-inf in float32 must be one that does too.
double relativeError(double y, double exact, double smallest) {
  if (std::isnan(exact) || std::isnan(y))
    return std::isnan(exact) && std::isnan(y) ? 0.0 : INFINITY;
  bool yOverflows = std::isinf(static_cast<float>(y));
  bool exactOverflows = std::isinf(static_cast<float>(exact));
  if (yOverflows || exactOverflows)
    return yOverflows && exactOverflows && (y > 0) == (exact > 0) ? 0.0
                                                                  : INFINITY;
  return std::fabs(y - exact) / std::max(std::fabs(exact), smallest) * 0x1p24;
}

struct ExtendedCase {
  const char *name;
  ExtendedMethod method;
  Reference ref;
  /// Below this magnitude errors are absolute: a float pair has no more
  /// digits where its low part is subnormal (2^-122).
  double smallest;
  /// Below this magnitude any result below it passes: functions that keep a
  /// factor take an argument past their clamp as 0 (e^-130).
  double flush = 0;
};

// The smallest pair relatively accurate to 2^-27.
constexpr double kSmallestPair = 0x1p-122;

std::vector<ExtendedCase> extendedCases() {
  using B = act::math::Builder;
  return {
      {"exp", &B::exp, [](double x) { return std::exp(x); }, kSmallestPair,
       0x1p-186},
      {"expm1", &B::expm1, [](double x) { return std::expm1(x); },
       kSmallestPair},
      {"log", &B::log, [](double x) { return std::log(x); }, kSmallestPair},
      {"log1p", &B::log1p, [](double x) { return std::log1p(x); },
       kSmallestPair},
      {"tanh", &B::tanh, [](double x) { return std::tanh(x); }, kSmallestPair},
      {"sigmoid", &B::sigmoid, refSigmoid, kSmallestPair, 0x1p-186},
      {"erf", &B::erf, [](double x) { return std::erf(x); }, kSmallestPair},
      {"erfc", &B::erfc, [](double x) { return std::erfc(x); }, kSmallestPair,
       0x1p-186},
  };
}

void PrintTo(const ExtendedCase &c, std::ostream *os) { *os << c.name; }

class ExtendedAccuracy : public testing::TestWithParam<ExtendedCase> {};

/// Every 1021st float32 with a low part of up to half its ulp (random), so
/// that the argument's low part is tested too.
TEST_P(ExtendedAccuracy, Sampled) {
  const ExtendedCase &c = GetParam();
  static std::map<std::string, std::unique_ptr<ExtendedKernel>> kernels;
  auto &kernel = kernels[c.name];
  if (!kernel)
    kernel = std::make_unique<ExtendedKernel>(c.method);
  std::vector<float> his = sampledInputs(kSampleStride), los(his.size());
  std::mt19937 rng(5);
  for (size_t i = 0; i < his.size(); ++i) {
    float ulp = std::nextafter(std::fabs(his[i]), kInf) - std::fabs(his[i]);
    los[i] = std::isfinite(ulp) && std::isfinite(his[i])
                 ? ulp * (static_cast<float>(rng() % 1001) / 1000.0f - 0.5f)
                 : 0.0f;
  }
  std::vector<double> ys = kernel->run(his, los);
  struct Worst {
    double error = 0, x = 0, y = 0;
  };
  Worst w = worstOnAllCores<Worst>(
      his.size(),
      [&](size_t i, Worst &worst) {
        double x = double(his[i]) + double(los[i]);
        double exact = c.ref(x);
        double err = std::fabs(exact) < c.flush && std::fabs(ys[i]) <= c.flush
                         ? 0.0
                         : relativeError(ys[i], exact, c.smallest);
        if (!(err <= worst.error))
          worst = {err, x, ys[i]};
      },
      [](const Worst &a, const Worst &b) { return a.error < b.error; });
  EXPECT_LE(w.error, kExtendedMaxError)
      << c.name << "(" << w.x << ") = " << w.y << ", exact " << c.ref(w.x);
}

INSTANTIATE_TEST_SUITE_P(MathLib, ExtendedAccuracy,
                         testing::ValuesIn(extendedCases()),
                         [](const testing::TestParamInfo<ExtendedCase> &info) {
                           return std::string(info.param.name);
                         });

TEST(MathLibSpecial, ExactFunctionsKeepDouble) {
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
