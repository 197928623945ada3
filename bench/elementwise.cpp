// Forward and backward kernels of every std.act activation against oneDNN's
// eltwise primitive for the same function and against a copy of the same
// bytes, all in one run, at 1 and 2 threads.
//
//   bench_elementwise [Google Benchmark flags] [--markdown=FILE]
//
// Each benchmark is named "<who>/<activation>/<kernel>" and takes {n,
// threads}: who is actc (ours), onednn, or copy. After the runs it prints,
// per thread count, our bandwidth, the speed ratio to oneDNN (oneDNN's time
// / ours: above 1 we are faster) and the share of the faster copy's
// bandwidth (memcpy or a plain-store copy loop, same n and threads); with
// --markdown the same tables go to FILE (bench/run.sh puts them in README.md).
//
// Bandwidth counts the bytes a kernel must move: 8 per element forward (x
// in, y out), 12 backward (x and dy in, dx out), 8 for the copy.
#include "Report.h"
#include "Copy.h"
#include "std.h"

#include "actc/abi.h"
#ifdef ACTC_BENCH_ONEDNN
#include "OneDnnEltwise.h"
#endif

#include "HalideRuntime.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

/// oneDNN's counterpart of an activation, where one computes the same
/// function with the same parameters.
struct Anchor {
#ifdef ACTC_BENCH_ONEDNN
  bench::EltwiseSpec spec;
#endif
};

/// A std.act activation, called through the packed kernels with its
/// default parameters (from the header's ACTC_STD_ACTIVATIONS).
struct Activation {
  std::string name;
  std::vector<float> defaults;
  actc_forward_fn forwardP;
  actc_backward_fn backwardP;
  std::optional<Anchor> onednn;
  /// The learnable parameters' gradients (summed by the backward kernel:
  /// part of its work, timed with it).
  mutable std::vector<float> dParams;

  int forward(const float *x, float *y, int64_t n) const {
    return forwardP(x, y, n, defaults.data());
  }
  int backward(const float *x, const float *dy, float *dx, int64_t n) const {
    return backwardP(x, dy, dx, n, defaults.data(), dParams.data());
  }
};

#ifdef ACTC_BENCH_ONEDNN
/// The oneDNN 2.6 algorithm that computes the same function as std.act's
/// activation with these parameters, if there is one. oneDNN 2.6 (Debian 12)
/// has no eltwise prelu (a separate primitive with a weights tensor),
/// selu/celu (elu scaled), hardsigmoid, hardshrink, softshrink, softsign or
/// tanhshrink; its soft_relu has no beta (it is softplus with beta = 1) and
/// its clip_v2 is clamp with the derivative 0 at both ends, as hardtanh's.
std::optional<Anchor> anchorOf(const std::string &name,
                               const std::vector<float> &p) {
  using E = bench::Eltwise;
  auto anchor = [](E algorithm, float alpha = 0, float beta = 0) {
    return std::optional<Anchor>(Anchor{{algorithm, alpha, beta}});
  };
  if (name == "relu")
    return anchor(E::Relu);
  if (name == "relu6")
    return anchor(E::ClipV2, 0, 6);
  if (name == "leaky_relu")
    return anchor(E::Relu, p[0]);
  if (name == "rrelu") // evaluation mode: the mean slope
    return anchor(E::Relu, (p[0] + p[1]) / 2);
  if (name == "elu")
    return anchor(E::Elu, p[0]);
  if (name == "gelu")
    return anchor(E::GeluErf);
  if (name == "gelu_tanh")
    return anchor(E::GeluTanh);
  if (name == "silu")
    return anchor(E::Swish, 1);
  if (name == "mish")
    return anchor(E::Mish);
  if (name == "softplus" && p[0] == 1) // oneDNN's is above 20 by rounding
    return anchor(E::SoftRelu);
  if (name == "sigmoid")
    return anchor(E::Logistic);
  if (name == "tanh")
    return anchor(E::Tanh);
  if (name == "hardtanh")
    return anchor(E::ClipV2, p[0], p[1]);
  if (name == "hardswish")
    return anchor(E::Hardswish);
  if (name == "logsigmoid")
    return anchor(E::Logsigmoid);
  if (name == "threshold" && p[0] == 0 && p[1] == 0) // relu, 0 at 0
    return anchor(E::Relu);
  return std::nullopt;
}
#endif

/// Every activation of std.act, in its order.
const std::vector<Activation> &activations() {
  static const std::vector<Activation> list = [] {
    std::vector<Activation> result;
#define ACTIVATION(act, parameters, learnable, ...)                            \
  result.push_back({#act, std::vector<float>{__VA_ARGS__},                     \
                    actc_##act##_forward_p, actc_##act##_backward_p,           \
                    std::nullopt, std::vector<float>(learnable)});
    ACTC_STD_ACTIVATIONS(ACTIVATION)
#undef ACTIVATION
#ifdef ACTC_BENCH_ONEDNN
    for (Activation &activation : result)
      activation.onednn = anchorOf(activation.name, activation.defaults);
#endif
    return result;
  }();
  return list;
}

const char *const kMemcpy = "copy/memcpy/forward";
const char *const kLoop = "copy/loop/forward";

/// n = 4096 (16 KiB: in L1), 262144 (1 MiB: in L2), 16M (64 MiB: memory).
constexpr int64_t kSizes[] = {4096, 262144, 16 << 20};
constexpr int64_t kMaxSize = 16 << 20;
constexpr int kThreadCounts[] = {1, 2};

constexpr int kForwardBytes = 8;  // x in, y out
constexpr int kBackwardBytes = 12; // x, dy in, dx out
constexpr int kCopyBytes = 8;     // in, out

/// An anchor "agrees" with our kernel when no element differs by more than
/// this, relative to max(|oneDNN's value|, 1): far above either side's
/// rounding, far below a different function or parameter.
constexpr double kAgreement = 1e-3;

/// Cache lines are 64 bytes: every array starts on one, as PyTorch's do, so
/// no vector access straddles two lines.
constexpr size_t kAlignment = 64;

struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};
using Array = std::unique_ptr<float[], FreeDeleter>;

Array allocate(int64_t n) {
  size_t bytes = (n * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
  return Array(static_cast<float *>(std::aligned_alloc(kAlignment, bytes)));
}

/// The arrays, allocated and filled once for the largest size: inputs in
/// [-8, 8] on a grid of 1/125 (every branch of every activation, and its
/// kinks 0, +-1, +-3, 6 exactly).
struct Arrays {
  Array x = allocate(kMaxSize), dy = allocate(kMaxSize),
        out = allocate(kMaxSize), reference = allocate(kMaxSize);
  Arrays() {
    for (int64_t i = 0; i < kMaxSize; ++i) {
      x[i] = static_cast<float>(i % 2001 - 1000) / 125.0f;
      dy[i] = static_cast<float>(i % 7 + 1) / 4.0f;
    }
    std::memset(out.get(), 0, kMaxSize * sizeof(float));
    std::memset(reference.get(), 0, kMaxSize * sizeof(float));
  }
};

Arrays &arrays() {
  static Arrays instance;
  return instance;
}

int spawnTask(void *, int, uint8_t *) { return 0; }

/// Sets both libraries' thread counts. Halide's halide_set_num_threads only
/// ever adds workers: once its pool has spawned a second thread, that thread
/// keeps taking tasks whatever the setting. So a change of count shuts the
/// pool down, and an empty parallel loop spawns the new one before timing.
void setThreads(benchmark::State &state) {
  static int current = 0;
  int threads = static_cast<int>(state.range(1));
  if (threads != current) {
    halide_shutdown_thread_pool();
    halide_set_num_threads(threads);
    halide_do_par_for(nullptr, spawnTask, 0, threads, nullptr);
    current = threads;
  }
#ifdef ACTC_BENCH_ONEDNN
  bench::setOneDnnThreads(threads);
#endif
}

// --- The copies (Copy.cpp). The tables divide by the faster of the two:
// streaming memcpy usually, but on one core of this machine plain stores
// can be faster. ---

template <void (*Copy)(const float *, float *, int64_t, int)>
void BM_Copy(benchmark::State &state) {
  setThreads(state);
  int64_t n = state.range(0);
  int threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    Copy(arrays().x.get(), arrays().out.get(), n, threads);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * kCopyBytes);
}

// --- Our kernels. ---

void BM_Forward(benchmark::State &state, const Activation &activation) {
  setThreads(state);
  int64_t n = state.range(0);
  for (auto _ : state)
    if (activation.forward(arrays().x.get(), arrays().out.get(), n) != 0) {
      state.SkipWithError("kernel failed");
      break;
    }
  state.SetBytesProcessed(state.iterations() * n * kForwardBytes);
}

void BM_Backward(benchmark::State &state, const Activation &activation) {
  setThreads(state);
  int64_t n = state.range(0);
  for (auto _ : state)
    if (activation.backward(arrays().x.get(), arrays().dy.get(),
                            arrays().out.get(), n) != 0) {
      state.SkipWithError("kernel failed");
      break;
    }
  state.SetBytesProcessed(state.iterations() * n * kBackwardBytes);
}

#ifdef ACTC_BENCH_ONEDNN
// --- oneDNN. Before timing, its result is compared with ours on the same
// input; the largest difference is the counter "diff" (see kAgreement). ---

double largestDifference(const float *ours, const float *theirs, int64_t n) {
  double largest = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(ours[i]) && std::isnan(theirs[i]))
      continue;
    double scale = std::max(1.0, std::fabs(double(theirs[i])));
    double difference = std::fabs(double(ours[i]) - theirs[i]) / scale;
    // A NaN on one side only is as different as it gets.
    largest = std::isnan(difference) ? INFINITY : std::max(largest, difference);
  }
  return largest;
}

enum class Direction { Forward, Backward, BackwardFromDst };

void BM_OneDnn(benchmark::State &state, const Activation &activation,
               Direction direction) {
  setThreads(state);
  int64_t n = state.range(0);
  Arrays &a = arrays();
  const bench::EltwiseSpec &spec = activation.onednn->spec;
  bool forward = direction == Direction::Forward;
  // oneDNN's dst: the forward's output, in an array of its own.
  Array y;
  if (direction == Direction::BackwardFromDst) {
    y = allocate(n);
    activation.forward(a.x.get(), y.get(), n);
  }
  bench::OneDnnEltwise primitive =
      forward ? bench::OneDnnEltwise::forward(spec, a.x.get(), a.out.get(), n)
              : bench::OneDnnEltwise::backward(
                    spec, direction == Direction::BackwardFromDst,
                    y ? y.get() : a.x.get(), a.dy.get(), a.out.get(), n);
  // The check, once per kernel and size (not per repetition): ours into
  // `reference`, oneDNN's into `out`.
  static std::map<std::tuple<const Activation *, Direction, int64_t>, double>
      checked;
  auto key = std::make_tuple(&activation, direction, n);
  auto diff = checked.find(key);
  if (diff == checked.end()) {
    if (forward)
      activation.forward(a.x.get(), a.reference.get(), n);
    else
      activation.backward(a.x.get(), a.dy.get(), a.reference.get(), n);
    primitive.run();
    diff = checked
               .emplace(key, largestDifference(a.reference.get(),
                                               a.out.get(), n))
               .first;
  }
  state.counters["diff"] = diff->second;
  state.SetLabel(primitive.implementation());
  for (auto _ : state)
    primitive.run();
  state.SetBytesProcessed(state.iterations() * n *
                          (forward ? kForwardBytes : kBackwardBytes));
}
#endif

template <typename... Captures>
void registerBenchmark(const std::string &name, Captures &&...captures) {
  benchmark::internal::Benchmark *b =
      benchmark::RegisterBenchmark(name.c_str(), captures...);
  for (int64_t n : kSizes)
    for (int threads : kThreadCounts)
      b->Args({n, threads});
  b->UseRealTime();
}

void registerAll() {
  registerBenchmark(kMemcpy, BM_Copy<bench::copyByMemcpy>);
  registerBenchmark(kLoop, BM_Copy<bench::copyByLoop>);
  for (const Activation &activation : activations()) {
    std::string name = activation.name;
    registerBenchmark("actc/" + name + "/forward", BM_Forward,
                      std::cref(activation));
    registerBenchmark("actc/" + name + "/backward", BM_Backward,
                      std::cref(activation));
#ifdef ACTC_BENCH_ONEDNN
    if (!activation.onednn)
      continue;
    registerBenchmark("onednn/" + name + "/forward", BM_OneDnn,
                      std::cref(activation), Direction::Forward);
    registerBenchmark("onednn/" + name + "/backward", BM_OneDnn,
                      std::cref(activation), Direction::Backward);
    if (bench::hasDstBackward(activation.onednn->spec.algorithm))
      registerBenchmark("onednn/" + name + "/backward_dst", BM_OneDnn,
                        std::cref(activation), Direction::BackwardFromDst);
#endif
  }
}

// --- The tables. ---

std::string fixed(double value, int digits) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

int bytesOf(const std::string &kernel) {
  return kernel == "forward" ? kForwardBytes : kBackwardBytes;
}

std::string threadsText(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

std::string timeText(int threads) {
  return threads == 1 ? " (by CPU time)" : " (by wall time)";
}

constexpr int64_t kLargest = kSizes[std::size(kSizes) - 1];

class Tables {
public:
  explicit Tables(const bench::Collector &results) : results_(results) {}

  /// Our kernels: bandwidth, share of the copy's, and oneDNN's time over ours.
  void ours(std::ostream &out, int threads) const {
    out << "\n**Ours, " << threadsText(threads) << timeText(threads)
        << "**: GB/s (% of the faster copy's GB/s at the same n and threads); "
           "× oneDNN: oneDNN's time / ours (above 1: ours is faster; ≠: the "
           "results differ, see diff below).\n\n| kernel |";
    for (int64_t n : kSizes)
      out << " n=" << n << " | × oneDNN |";
    out << "\n|---|";
    for (size_t i = 0; i < std::size(kSizes); ++i)
      out << "---|---|";
    out << "\n";
    row(out, "memcpy", kMemcpy, kCopyBytes, threads, {});
    row(out, "copy loop (plain stores)", kLoop, kCopyBytes,
        threads, {});
    for (const Activation &activation : activations())
      for (std::string kernel : {"forward", "backward"})
        row(out, std::string(activation.name) + " " + kernel,
            "actc/" + std::string(activation.name) + "/" + kernel,
            bytesOf(kernel), threads,
            "onednn/" + std::string(activation.name) + "/" + kernel);
  }

  /// oneDNN's kernels, with the implementation it picked and how far its
  /// results are from ours.
  void onednn(std::ostream &out, int threads) const {
    out << "\n**oneDNN, " << threadsText(threads) << timeText(threads)
        << "**: GB/s (% of the faster copy's); backward_dst reads y = f(x) instead of "
           "x; diff: largest difference from ours relative to max(|oneDNN's "
           "value|, 1), at n=" << kLargest << ".\n\n| kernel | implementation |";
    for (int64_t n : kSizes)
      out << " n=" << n << " |";
    out << " diff |\n|---|---|";
    for (size_t i = 0; i < std::size(kSizes); ++i)
      out << "---|";
    out << "---|\n";
    for (const Activation &activation : activations())
      for (std::string kernel : {"forward", "backward", "backward_dst"}) {
        std::string name = "onednn/" + std::string(activation.name) + "/" + kernel;
        if (results_.label(name).empty())
          continue; // not run
        out << "| " << activation.name << " " << kernel << " | "
            << results_.label(name) << " |";
        for (int64_t n : kSizes)
          out << " " << bandwidth(name, n, threads, bytesOf(kernel)) << " |";
        std::optional<double> diff =
            results_.counter({name, kLargest, threads}, "diff");
        out << " " << (diff ? fixed(*diff, 7) : "—") << " |\n";
      }
  }

  /// The targets at 2 threads, counted and the misses named.
  void summary(std::ostream &out) const {
    constexpr int threads = 2;
    std::vector<std::string> slower, belowCopy;
    int compared = 0, measured = 0;
    for (const Activation &activation : activations())
      for (std::string kernel : {"forward", "backward"}) {
        std::string label = std::string(activation.name) + " " + kernel;
        std::string ours = "actc/" + std::string(activation.name) + "/" + kernel;
        std::string theirs = "onednn/" + std::string(activation.name) + "/" + kernel;
        std::optional<double> a = time(ours, kSizes[0], threads);
        std::optional<double> b = time(theirs, kSizes[0], threads);
        if (a && b) {
          ++compared;
          if (*b < *a)
            slower.push_back(label);
        }
        std::optional<double> rate = gbps(ours, kLargest, threads, bytesOf(kernel));
        std::optional<double> copy = this->copy(kLargest, threads);
        if (rate && copy) {
          ++measured;
          if (*rate < 0.9 * *copy)
            belowCopy.push_back(label);
        }
      }
    out << "\n**Targets at 2 threads.** ≥ 1.0× oneDNN at n=" << kSizes[0]
        << ": " << compared - slower.size() << " of " << compared
        << " kernels" << missing(slower) << ". ≥ 90 % of the copy at n="
        << kLargest << ": " << measured - belowCopy.size() << " of "
        << measured << missing(belowCopy) << ".\n";
  }

private:
  /// One thread: the thread's CPU time, which excludes the turns of other
  /// processes on a shared machine (all the work runs on the benchmark
  /// thread: Halide's pool with one thread, OpenMP with one, one memcpy).
  /// Two threads: wall-clock time, the only measure of parallel speed.
  std::optional<double> time(const std::string &name, int64_t n,
                             int threads) const {
    return results_.seconds({name, n, threads}, /*cpu=*/threads == 1);
  }

  std::optional<double> gbps(const std::string &name, int64_t n, int threads,
                             int bytes) const {
    std::optional<double> seconds = time(name, n, threads);
    if (!seconds)
      return std::nullopt;
    return bench::gigabytesPerSecond(n, bytes, *seconds);
  }

  /// The faster copy's GB/s: streaming memcpy usually, but on one core of
  /// this machine plain stores can beat it.
  std::optional<double> copy(int64_t n, int threads) const {
    std::optional<double> a = gbps(kMemcpy, n, threads, kCopyBytes);
    std::optional<double> b = gbps(kLoop, n, threads, kCopyBytes);
    if (a && b)
      return std::max(*a, *b);
    return a ? a : b;
  }

  /// "GB/s (% of the copy)", or "—" when it was not run.
  std::string bandwidth(const std::string &name, int64_t n, int threads,
                        int bytes) const {
    std::optional<double> rate = gbps(name, n, threads, bytes);
    if (!rate)
      return "—";
    std::optional<double> copy = this->copy(n, threads);
    return fixed(*rate, 1) +
           (copy ? " (" + fixed(100 * *rate / *copy, 0) + " %)" : "");
  }

  /// oneDNN's time over ours, marked ≠ when the results disagree; "" when
  /// there is nothing to compare.
  std::string ratio(const std::string &ours, const std::string &theirs,
                    int64_t n, int threads) const {
    std::optional<double> a = time(ours, n, threads);
    std::optional<double> b = time(theirs, n, threads);
    if (!a || !b)
      return "";
    std::optional<double> diff = results_.counter({theirs, n, threads}, "diff");
    return fixed(*b / *a, 2) + (diff && *diff > kAgreement ? " ≠" : "");
  }

  void row(std::ostream &out, const std::string &label, const std::string &name,
           int bytes, int threads, const std::string &anchor) const {
    out << "| " << label << " |";
    for (int64_t n : kSizes)
      out << " " << bandwidth(name, n, threads, bytes) << " | "
          << (anchor.empty() ? "" : ratio(name, anchor, n, threads)) << " |";
    out << "\n";
  }

  static std::string missing(const std::vector<std::string> &labels) {
    if (labels.empty())
      return "";
    std::string text = " (not: ";
    for (size_t i = 0; i < labels.size(); ++i)
      text += (i ? ", " : "") + labels[i];
    return text + ")";
  }

  const bench::Collector &results_;
};

} // namespace

int main(int argc, char **argv) {
  std::string markdown = bench::takeMarkdownFlag(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 2;
#ifndef ACTC_BENCH_ONEDNN
  std::cerr << "bench_elementwise: built without oneDNN (libdnnl-dev), so "
               "there is no oneDNN column\n";
#endif
  arrays(); // allocate and fill before any timing
  registerAll();

  bench::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();

  Tables tables(collector);
  std::ostringstream text;
  for (int threads : kThreadCounts)
    tables.ours(text, threads);
#ifdef ACTC_BENCH_ONEDNN
  for (int threads : kThreadCounts)
    tables.onednn(text, threads);
#endif
  tables.summary(text);
  return bench::writeTables(text.str(), markdown, "bench_elementwise") ? 0 : 1;
}
