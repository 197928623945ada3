// Forward and backward kernels of every std.act activation against oneDNN's
// eltwise primitive and PyTorch's aten kernel for the same function and
// against a copy of the same bytes, all in one run, at 1 and 2 threads; and
// the user activations of bench/user.act against the same formulas as
// PyTorch eager ops.
//
//   bench_elementwise [Google Benchmark flags] [--markdown=FILE]
//
// Each benchmark is named "<who>/<activation>/<kernel>" and takes {n,
// threads}: who is actc (ours), onednn, torch, or copy. After the runs it
// prints, per thread count, our bandwidth, the speed ratios to oneDNN and
// PyTorch (their time / ours: above 1 we are faster) and the share of the
// faster copy's bandwidth (memcpy or a plain-store copy loop, same n and
// threads); with --markdown the same tables go to FILE (bench/run.sh puts
// them in README.md).
//
// Bandwidth counts the bytes a kernel must move: 8 per element forward (x
// in, y out), 12 backward (x and dy in, dx out), 8 for the copy.
#include "Copy.h"
#include "Report.h"
#include "std.h"
#include "user.h"

#include "actc/abi.h"
#ifdef ACTC_BENCH_ONEDNN
#include "OneDnnEltwise.h"
#endif
#ifdef ACTC_BENCH_TORCH
#include "TorchEltwise.h"
#endif

#include "HalideRuntime.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
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

/// A std.act activation, or a user activation of bench/user.act, called
/// through the packed kernels with its default parameters (from the headers'
/// ACTC_STD_ACTIVATIONS and ACTC_USER_ACTIVATIONS).
struct Activation {
  std::string name;
  std::vector<float> defaults;
  actc_forward_fn forwardP;
  actc_backward_fn backwardP;
  std::optional<Anchor> onednn;
  /// From bench/user.act: timed forward, and forward + backward (what
  /// PyTorch's autograd does), against PyTorch eager ops.
  bool user = false;
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

/// Every activation of std.act, in its order, then bench/user.act's.
const std::vector<Activation> &activations() {
  static const std::vector<Activation> list = [] {
    std::vector<Activation> result;
#define ACTIVATION(act, parameters, learnable, ...)                            \
  result.push_back({#act, std::vector<float>{__VA_ARGS__},                     \
                    actc_##act##_forward_p, actc_##act##_backward_p,           \
                    std::nullopt, false, std::vector<float>(learnable)});
    ACTC_STD_ACTIVATIONS(ACTIVATION)
#undef ACTIVATION
#define ACTIVATION(act, parameters, learnable, ...)                            \
  result.push_back({#act, std::vector<float>{__VA_ARGS__},                     \
                    actc_##act##_forward_p, actc_##act##_backward_p,           \
                    std::nullopt, true, std::vector<float>(learnable)});
    ACTC_USER_ACTIVATIONS(ACTIVATION)
#undef ACTIVATION
#ifdef ACTC_BENCH_ONEDNN
    for (Activation &activation : result)
      if (!activation.user)
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
constexpr int64_t kLargest = kSizes[std::size(kSizes) - 1];
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
#ifdef ACTC_BENCH_TORCH
  bench::setTorchThreads(threads);
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

/// What PyTorch's autograd runs for a training step: the forward kernel,
/// then the backward one.
void BM_ForwardBackward(benchmark::State &state, const Activation &activation) {
  setThreads(state);
  int64_t n = state.range(0);
  Arrays &a = arrays();
  for (auto _ : state)
    if (activation.forward(a.x.get(), a.reference.get(), n) != 0 ||
        activation.backward(a.x.get(), a.dy.get(), a.out.get(), n) != 0) {
      state.SkipWithError("kernel failed");
      break;
    }
  state.SetBytesProcessed(state.iterations() * n *
                          (kForwardBytes + kBackwardBytes));
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

// --- The anchors. Before timing, each one's result is compared with ours
// on the same input; the largest difference is the counter "diff" (see
// kAgreement). ---

[[maybe_unused]] double largestDifference(const float *ours,
                                          const float *theirs, int64_t n) {
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

enum class Direction { Forward, Backward, BackwardFromDst, ForwardBackward };

/// The check, once per kernel and size (not per repetition): ours into
/// `reference`, the anchor's (run once by `anchor`) into `out`.
[[maybe_unused]] double checkOnce(const Activation &activation,
                                  Direction direction, int64_t n,
                                  const std::function<void()> &anchor) {
  static std::map<std::tuple<const Activation *, Direction, int64_t>, double>
      checked;
  auto key = std::make_tuple(&activation, direction, n);
  auto diff = checked.find(key);
  if (diff != checked.end())
    return diff->second;
  Arrays &a = arrays();
  if (direction == Direction::Forward)
    activation.forward(a.x.get(), a.reference.get(), n);
  else
    activation.backward(a.x.get(), a.dy.get(), a.reference.get(), n);
  anchor();
  return checked.emplace(key, largestDifference(a.reference.get(),
                                                a.out.get(), n))
      .first->second;
}

#ifdef ACTC_BENCH_ONEDNN

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
  state.counters["diff"] =
      checkOnce(activation, direction, n, [&] { primitive.run(); });
  state.SetLabel(primitive.implementation());
  for (auto _ : state)
    primitive.run();
  state.SetBytesProcessed(state.iterations() * n *
                          (forward ? kForwardBytes : kBackwardBytes));
}
#endif

#ifdef ACTC_BENCH_TORCH
// --- PyTorch: the aten kernel of a std activation (its backward from y
// where PyTorch's autograd saves the output), or a user activation's eager
// ops with autograd. ---

void BM_Torch(benchmark::State &state, const Activation &activation,
              Direction direction) {
  setThreads(state);
  int64_t n = state.range(0);
  Arrays &a = arrays();
  std::optional<bench::TorchEltwise> torch;
  Array y;
  if (activation.user) {
    torch = bench::TorchEltwise::eager(
        activation.name, direction == Direction::ForwardBackward, a.x.get(),
        a.dy.get(), a.out.get(), n);
  } else if (direction == Direction::Forward) {
    torch = bench::TorchEltwise::forward(activation.name, activation.defaults,
                                         a.x.get(), a.out.get(), n);
  } else {
    y = allocate(n);
    activation.forward(a.x.get(), y.get(), n);
    torch = bench::TorchEltwise::backward(activation.name, activation.defaults,
                                          a.x.get(), y.get(), a.dy.get(),
                                          a.out.get(), n);
  }
  if (!torch) {
    state.SkipWithError("no PyTorch counterpart");
    return;
  }
  Direction checked = direction == Direction::ForwardBackward
                          ? Direction::Backward
                          : direction;
  state.counters["diff"] =
      checkOnce(activation, checked, n, [&] { torch->run(); });
  state.SetLabel(torch->what());
  for (auto _ : state)
    torch->run();
  int bytes = direction == Direction::Forward    ? kForwardBytes
              : direction == Direction::Backward ? kBackwardBytes
                                                 : kForwardBytes + kBackwardBytes;
  state.SetBytesProcessed(state.iterations() * n * bytes);
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
    if (activation.user) {
      registerBenchmark("actc/" + name + "/forward+backward",
                        BM_ForwardBackward, std::cref(activation));
#ifdef ACTC_BENCH_TORCH
      registerBenchmark("torch/" + name + "/forward", BM_Torch,
                        std::cref(activation), Direction::Forward);
      registerBenchmark("torch/" + name + "/forward+backward", BM_Torch,
                        std::cref(activation), Direction::ForwardBackward);
#endif
      continue;
    }
    registerBenchmark("actc/" + name + "/backward", BM_Backward,
                      std::cref(activation));
#ifdef ACTC_BENCH_TORCH
    registerBenchmark("torch/" + name + "/forward", BM_Torch,
                      std::cref(activation), Direction::Forward);
    registerBenchmark("torch/" + name + "/backward", BM_Torch,
                      std::cref(activation), Direction::Backward);
#endif
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
  if (kernel == "forward+backward")
    return kForwardBytes + kBackwardBytes;
  return kernel == "forward" ? kForwardBytes : kBackwardBytes;
}

std::string threadsText(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

std::string timeText(int threads) {
  return threads == 1 ? " (by CPU time)" : " (by wall time)";
}

/// A configuration the targets name: n and threads.
struct Config {
  int64_t n;
  int threads;
};
/// n = 4096 and 262144 on one thread, 16M on one and two.
constexpr Config kTargetConfigs[] = {
    {kSizes[0], 1}, {kSizes[1], 1}, {kLargest, 1}, {kLargest, 2}};

class Tables {
public:
  explicit Tables(const bench::Collector &results) : results_(results) {}

  /// Our std kernels: bandwidth, share of the copy's, and the anchors' time
  /// over ours.
  void ours(std::ostream &out, int threads) const {
    out << "\n**Ours, " << threadsText(threads) << timeText(threads)
        << "**: GB/s (% of the faster copy's GB/s at the same n and threads); "
           "× oneDNN, × PyTorch: their time / ours (above 1: ours is faster; "
           "≠: the results differ, see diff below).\n\n| kernel |";
    for (int64_t n : kSizes)
      out << " n=" << n << " | × oneDNN | × PyTorch |";
    out << "\n|---|";
    for (size_t i = 0; i < std::size(kSizes); ++i)
      out << "---|---|---|";
    out << "\n";
    row(out, "memcpy", kMemcpy, kCopyBytes, threads, {});
    row(out, "copy loop (plain stores)", kLoop, kCopyBytes, threads, {});
    for (const Activation &activation : activations()) {
      if (activation.user)
        continue;
      for (std::string kernel : {"forward", "backward"})
        row(out, activation.name + " " + kernel,
            "actc/" + activation.name + "/" + kernel, bytesOf(kernel), threads,
            {"onednn/" + activation.name + "/" + kernel,
             "torch/" + activation.name + "/" + kernel});
    }
  }

  /// The user activations against the same formulas as PyTorch eager ops:
  /// forward, and forward + backward (ours: the two kernels; PyTorch's: the
  /// ops and autograd).
  void user(std::ostream &out, int threads) const {
    out << "\n**User activations (bench/user.act), " << threadsText(threads)
        << timeText(threads)
        << "**: GB/s of ours (bytes a fused kernel moves: 8 per element "
           "forward, 20 forward + backward); × eager: the PyTorch eager "
           "composition's time / ours.\n\n| kernel |";
    for (int64_t n : kSizes)
      out << " n=" << n << " | × eager |";
    out << "\n|---|";
    for (size_t i = 0; i < std::size(kSizes); ++i)
      out << "---|---|";
    out << "\n";
    for (const Activation &activation : activations()) {
      if (!activation.user)
        continue;
      for (std::string kernel : {"forward", "forward+backward"}) {
        std::string name = "actc/" + activation.name + "/" + kernel;
        std::string anchor = "torch/" + activation.name + "/" + kernel;
        out << "| " << activation.name << " " << kernel << " |";
        for (int64_t n : kSizes)
          out << " " << bandwidth(name, n, threads, bytesOf(kernel)) << " | "
              << ratio(name, anchor, n, threads) << " |";
        out << "\n";
      }
    }
  }

  /// An anchor's kernels (who: "onednn" or "torch"), with what it ran and
  /// how far its results are from ours.
  void anchor(std::ostream &out, const std::string &who,
              const std::string &title, int threads) const {
    out << "\n**" << title << ", " << threadsText(threads) << timeText(threads)
        << "**: GB/s (% of the faster copy's); what ran; diff: largest "
           "difference from ours relative to max(|its value|, 1), at n="
        << kLargest << ".\n\n| kernel | implementation |";
    for (int64_t n : kSizes)
      out << " n=" << n << " |";
    out << " diff |\n|---|---|";
    for (size_t i = 0; i < std::size(kSizes); ++i)
      out << "---|";
    out << "---|\n";
    for (const Activation &activation : activations())
      for (std::string kernel :
           {"forward", "backward", "backward_dst", "forward+backward"}) {
        std::string name = who + "/" + activation.name + "/" + kernel;
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

  /// The targets, counted and the misses named: ≥ 1.0× each anchor
  /// at the four configurations, ≥ 2× PyTorch eager for the user
  /// activations, ≥ 90 % of the copy at 16M.
  void summary(std::ostream &out) const {
    out << "\n**Targets.**\n\n| target | met | not met |\n|---|---|---|\n";
    for (const char *who : {"onednn", "torch"}) {
      for (const Config &config : kTargetConfigs) {
        std::vector<std::string> misses;
        int compared = 0;
        for (const Activation &activation : activations()) {
          if (activation.user)
            continue;
          for (std::string kernel : {"forward", "backward"}) {
            std::string ours = "actc/" + activation.name + "/" + kernel;
            std::string theirs =
                std::string(who) + "/" + activation.name + "/" + kernel;
            std::optional<double> a = time(ours, config.n, config.threads);
            std::optional<double> b = time(theirs, config.n, config.threads);
            if (!a || !b)
              continue;
            ++compared;
            if (*b < *a)
              misses.push_back(activation.name + " " + kernel + " (" +
                               fixed(*b / *a, 2) + ")");
          }
        }
        out << "| ≥ 1.0× " << (std::string(who) == "torch" ? "PyTorch" : "oneDNN")
            << ", n=" << config.n << ", " << threadsText(config.threads)
            << " | " << compared - misses.size() << " of " << compared << " | "
            << join(misses) << " |\n";
      }
    }
    for (const Config &config : kTargetConfigs) {
      std::vector<std::string> misses;
      int compared = 0;
      for (const Activation &activation : activations()) {
        if (!activation.user)
          continue;
        for (std::string kernel : {"forward", "forward+backward"}) {
          std::optional<double> a = time(
              "actc/" + activation.name + "/" + kernel, config.n, config.threads);
          std::optional<double> b =
              time("torch/" + activation.name + "/" + kernel, config.n,
                   config.threads);
          if (!a || !b)
            continue;
          ++compared;
          if (*b < 2 * *a)
            misses.push_back(activation.name + " " + kernel + " (" +
                             fixed(*b / *a, 2) + ")");
        }
      }
      out << "| ≥ 2× PyTorch eager (user activations), n=" << config.n << ", "
          << threadsText(config.threads) << " | " << compared - misses.size()
          << " of " << compared << " | " << join(misses) << " |\n";
    }
    for (int threads : kThreadCounts) {
      std::vector<std::string> misses;
      int measured = 0;
      std::optional<double> copy = this->copy(kLargest, threads);
      for (const Activation &activation : activations()) {
        if (activation.user)
          continue;
        for (std::string kernel : {"forward", "backward"}) {
          std::optional<double> rate =
              gbps("actc/" + activation.name + "/" + kernel, kLargest, threads,
                   bytesOf(kernel));
          if (!rate || !copy)
            continue;
          ++measured;
          if (*rate < 0.9 * *copy)
            misses.push_back(activation.name + " " + kernel + " (" +
                             fixed(100 * *rate / *copy, 0) + " %)");
        }
      }
      out << "| ≥ 90 % of the copy, n=" << kLargest << ", "
          << threadsText(threads) << " | " << measured - misses.size()
          << " of " << measured << " | " << join(misses) << " |\n";
    }
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

  /// The anchor's time over ours, marked ≠ when the results disagree; ""
  /// when there is nothing to compare.
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
           int bytes, int threads,
           const std::vector<std::string> &anchors) const {
    out << "| " << label << " |";
    for (int64_t n : kSizes) {
      out << " " << bandwidth(name, n, threads, bytes) << " |";
      for (size_t i = 0; i < 2; ++i)
        out << " "
            << (i < anchors.size() ? ratio(name, anchors[i], n, threads) : "")
            << " |";
    }
    out << "\n";
  }

  static std::string join(const std::vector<std::string> &labels) {
    std::string text;
    for (size_t i = 0; i < labels.size(); ++i)
      text += (i ? ", " : "") + labels[i];
    return text.empty() ? "—" : text;
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
  tables.summary(text);
  for (int threads : kThreadCounts)
    tables.ours(text, threads);
  for (int threads : kThreadCounts)
    tables.user(text, threads);
#ifdef ACTC_BENCH_ONEDNN
  for (int threads : kThreadCounts)
    tables.anchor(text, "onednn", "oneDNN", threads);
#endif
#ifdef ACTC_BENCH_TORCH
  for (int threads : kThreadCounts)
    tables.anchor(text, "torch", "PyTorch", threads);
#endif
  return bench::writeTables(text.str(), markdown, "bench_elementwise") ? 0 : 1;
}
