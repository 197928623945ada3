// The fused linear layer y = f(x·W + b) against the unfused way: OpenBLAS's
// sgemm, then actc's bias_forward (bias and activation in one pass over y),
// for the Fashion-MNIST network's layers at batch 128, at 1 and 2 threads.
//
//   bench_linear [Google Benchmark flags] [--markdown=FILE]
//
// Benchmarks are "<way>/<activation>/<layer>" with arguments {layer,
// threads}; way is sgemm (the GEMM alone), unfused, or fused (actc's
// linear_forward, when the library has it: until then the column says so).
// Before timing, the fused result is compared with the unfused one.
//
// OpenBLAS picks its kernels from the CPU at load time; 0.3.21 does not know
// Zen 5 and falls back to Haswell's AVX2 kernels, at half the speed of its
// AVX-512 (SkylakeX) ones there. bench/run.sh sets OPENBLAS_CORETYPE=SkylakeX
// on AVX-512 machines (OpenBLAS reads it when it loads, before main); the
// tables name the kernels used.
#include "Report.h"
#include "std.h"

#include "actc/abi.h"

#include "HalideRuntime.h"

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

/// One layer: y (m×n) = f(x (m×k) · W (k×n) + b), row-major.
struct Layer {
  int64_t m, k, n;
};
/// FMNIST.md's network, batch 128: 784 → 256 → 128 → 10.
constexpr Layer kLayers[] = {{128, 784, 256}, {128, 256, 128}, {128, 128, 10}};
constexpr int kThreadCounts[] = {1, 2};
/// A cheap activation and three that call exp, erf or tanh.
const char *const kActivations[] = {"relu", "tanh", "silu", "gelu"};
/// Fused and unfused agree when no element differs by more than this,
/// relative to max(|unfused|, 1): both sum the same k products in float, in
/// different orders.
constexpr double kAgreement = 1e-4;

struct Kernels {
  std::vector<float> defaults;
  actc_bias_forward_fn biasForward = nullptr;
  actc_linear_forward_fn linearForward = nullptr;
};

std::map<std::string, Kernels> &registry() {
  static std::map<std::string, Kernels> kernels;
  return kernels;
}

// ACTC_STD_KERNELS names every packed kernel; these keep the two used here,
// by name and by exact type (a kernel of another signature is not taken).
template <typename F> void keep(const char *, const char *, F) {}
void keep(const char *act, const char *kernel, actc_bias_forward_fn f) {
  if (std::strcmp(kernel, "bias_forward") == 0)
    registry()[act].biasForward = f;
}
[[maybe_unused]] void keep(const char *act, const char *kernel,
                           actc_linear_forward_fn f) {
  if (std::strcmp(kernel, "linear_forward") == 0)
    registry()[act].linearForward = f;
}

void fillRegistry() {
#define ACTIVATION(act, parameters, learnable, ...)                            \
  registry()[#act].defaults = std::vector<float>{__VA_ARGS__};
  ACTC_STD_ACTIVATIONS(ACTIVATION)
#undef ACTIVATION
#define KERNEL(act, kernel) keep(#act, #kernel, &actc_##act##_##kernel##_p);
  ACTC_STD_KERNELS(KERNEL)
#undef KERNEL
}

/// Inputs of unit scale, so that the activations see every region.
struct Operands {
  std::vector<float> x, w, b, y, reference;
  explicit Operands(const Layer &l)
      : x(l.m * l.k), w(l.k * l.n), b(l.n), y(l.m * l.n),
        reference(l.m * l.n) {
    uint32_t state = 1;
    auto next = [&] {
      state = state * 1664525u + 1013904223u;
      return static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
    };
    for (float &v : x)
      v = 4 * next();
    for (float &v : w)
      v = next() / std::sqrt(static_cast<float>(l.k) / 12); // unit variance
    for (float &v : b)
      v = next();
  }
};

int spawnTask(void *, int, uint8_t *) { return 0; }

/// OpenBLAS's threads and Halide's pool (which only grows unless shut
/// down: see elementwise.cpp).
void setThreads(int threads) {
  static int current = 0;
  openblas_set_num_threads(threads);
  if (threads != current) {
    halide_shutdown_thread_pool();
    halide_set_num_threads(threads);
    halide_do_par_for(nullptr, spawnTask, 0, threads, nullptr);
    current = threads;
  }
}

void sgemm(const Layer &l, const Operands &o, float *y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l.m, l.n, l.k, 1.0f,
              o.x.data(), l.k, o.w.data(), l.n, 0.0f, y, l.n);
}

enum class Way { Sgemm, Unfused, Fused };

void BM_Linear(benchmark::State &state, std::string activation, Way way) {
  const Layer &layer = kLayers[state.range(0)];
  setThreads(static_cast<int>(state.range(1)));
  Operands o(layer);
  const Kernels &kernels = registry()[activation];
  const float *params = kernels.defaults.data();
  auto unfused = [&](float *y) {
    sgemm(layer, o, y);
    return kernels.biasForward(y, o.b.data(), y, layer.m, layer.n, params);
  };
  auto fused = [&](float *y) {
    return kernels.linearForward(o.x.data(), o.w.data(), o.b.data(), y,
                                 layer.m, layer.k, layer.n, params);
  };
  if (way == Way::Fused) {
    if (!kernels.linearForward) {
      state.SkipWithError("no linear_forward in the library");
      return;
    }
    unfused(o.reference.data());
    fused(o.y.data());
    double diff = 0;
    for (size_t i = 0; i < o.y.size(); ++i)
      diff = std::max(diff, std::fabs(double(o.y[i]) - o.reference[i]) /
                                std::max(1.0, std::fabs(double(o.reference[i]))));
    state.counters["diff"] = diff;
  }
  for (auto _ : state) {
    int status = 0;
    if (way == Way::Sgemm)
      sgemm(layer, o, o.y.data());
    else
      status = way == Way::Unfused ? unfused(o.y.data()) : fused(o.y.data());
    if (status != 0) {
      state.SkipWithError("kernel failed");
      break;
    }
  }
}

std::string layerName(const Layer &l) {
  return std::to_string(l.m) + "×" + std::to_string(l.k) + "·" +
         std::to_string(l.k) + "×" + std::to_string(l.n);
}

std::string fixed(double value, int digits) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

/// One table per thread count: µs per layer call for each way, and the
/// unfused time over the fused (above 1: fusing wins).
void tables(std::ostream &out, const bench::Collector &results) {
  out << "\nOpenBLAS: " << openblas_get_config() << ", kernels for "
      << openblas_get_corename() << ".\n";
  for (int threads : kThreadCounts) {
    out << "\n**" << threads << (threads == 1 ? " thread" : " threads")
        << (threads == 1 ? " (by CPU time)" : " (by wall time)")
        << "**: µs per call; × = unfused / fused (above 1: fused is "
           "faster).\n\n| activation | layer (m×k·k×n) | sgemm | sgemm + "
           "bias_forward | linear_forward | × |\n|---|---|---|---|---|---|\n";
    for (const char *activation : kActivations)
      for (int64_t l = 0; l < int64_t(std::size(kLayers)); ++l) {
        auto time = [&](const std::string &way) -> std::optional<double> {
          std::string who = way == "sgemm" ? "any" : activation;
          return results.seconds({way + "/" + who + "/" + std::to_string(l), l,
                                  threads},
                                 /*cpu=*/threads == 1);
        };
        auto cell = [](std::optional<double> s) {
          return s ? fixed(*s * 1e6, 1) : std::string("—");
        };
        std::optional<double> g = time("sgemm"), u = time("unfused"),
                              f = time("fused");
        std::optional<double> diff = results.counter(
            {std::string("fused/") + activation + "/" + std::to_string(l), l,
             threads},
            "diff");
        out << "| " << activation << " | " << layerName(kLayers[l]) << " | "
            << cell(g) << " | " << cell(u) << " | " << cell(f) << " | "
            << (u && f ? fixed(*u / *f, 2) +
                             (diff && *diff > kAgreement ? " ≠" : "")
                       : std::string("—"))
            << " |\n";
      }
  }
}

} // namespace

int main(int argc, char **argv) {
  std::string markdown = bench::takeMarkdownFlag(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 2;
  fillRegistry();
  for (const char *activation : kActivations) {
    if (!registry()[activation].biasForward) {
      std::cerr << "bench_linear: no bias_forward for " << activation << "\n";
      return 1;
    }
    for (int64_t l = 0; l < int64_t(std::size(kLayers)); ++l)
      for (auto [way, name] : {std::pair{Way::Sgemm, "sgemm"},
                               std::pair{Way::Unfused, "unfused"},
                               std::pair{Way::Fused, "fused"}}) {
        if (way == Way::Sgemm && activation != kActivations[0])
          continue; // the GEMM alone does not depend on the activation
        std::string id = std::string(name) + "/" +
                         (way == Way::Sgemm ? "any" : activation) + "/" +
                         std::to_string(l);
        auto *b = benchmark::RegisterBenchmark(id.c_str(), BM_Linear,
                                               std::string(activation), way);
        for (int threads : kThreadCounts)
          b->Args({l, threads});
        b->UseRealTime();
      }
  }
  bench::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();

  std::ostringstream text;
  tables(text, collector);
  return bench::writeTables(text.str(), markdown, "bench_linear") ? 0 : 1;
}
