// Forward and backward kernels of std.act against memcpy of the same bytes.
//
// Reported as bytes moved per second (reads + writes) so that a kernel and
// the copy compare directly: a kernel at the copy's rate is memory-bound.
// Threads: HL_NUM_THREADS (Halide's pool), e.g. HL_NUM_THREADS=2.
#include "std.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

namespace {

std::vector<float> inputs(int64_t n) {
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(i % 2001 - 1000) / 125.0f;
  return x;
}

void bytes(benchmark::State &state, int64_t n, int arrays) {
  state.SetBytesProcessed(state.iterations() * n * int64_t(sizeof(float)) *
                          arrays);
}

void BM_Copy(benchmark::State &state) {
  int64_t n = state.range(0);
  std::vector<float> x = inputs(n), y(n);
  for (auto _ : state) {
    std::memcpy(y.data(), x.data(), n * sizeof(float));
    benchmark::DoNotOptimize(y.data());
  }
  bytes(state, n, 2);
}

template <int (*Forward)(const float *, float *, int64_t)>
void BM_Forward(benchmark::State &state) {
  int64_t n = state.range(0);
  std::vector<float> x = inputs(n), y(n);
  for (auto _ : state)
    if (Forward(x.data(), y.data(), n) != 0)
      state.SkipWithError("kernel failed");
  bytes(state, n, 2);
}

template <int (*Backward)(const float *, const float *, float *, int64_t)>
void BM_Backward(benchmark::State &state) {
  int64_t n = state.range(0);
  std::vector<float> x = inputs(n), dy = inputs(n), dx(n);
  for (auto _ : state)
    if (Backward(x.data(), dy.data(), dx.data(), n) != 0)
      state.SkipWithError("kernel failed");
  bytes(state, n, 3);
}

// n = 4096 (in L1), 262144 (in L2), 16M (in memory).
#define SIZES ->Arg(4096)->Arg(262144)->Arg(16 << 20)->UseRealTime()

BENCHMARK(BM_Copy) SIZES;
BENCHMARK_TEMPLATE(BM_Forward, actc_relu_forward) SIZES;
BENCHMARK_TEMPLATE(BM_Forward, actc_gelu_forward) SIZES;
BENCHMARK_TEMPLATE(BM_Forward, actc_silu_forward) SIZES;
BENCHMARK_TEMPLATE(BM_Forward, actc_tanh_forward) SIZES;
BENCHMARK_TEMPLATE(BM_Forward, actc_mish_forward) SIZES;
BENCHMARK_TEMPLATE(BM_Backward, actc_relu_backward) SIZES;
BENCHMARK_TEMPLATE(BM_Backward, actc_gelu_backward) SIZES;
BENCHMARK_TEMPLATE(BM_Backward, actc_silu_backward) SIZES;

} // namespace

BENCHMARK_MAIN();
