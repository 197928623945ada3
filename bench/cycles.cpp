// Cycles per element of every std kernel, on one thread, with the data in
// L1: the compute cost alone, which bench/README.md's analysis compares with
// the instruction counts of bench/loop_stats.py and with oneDNN.
//
//   bench_cycles [ACT...]
//
// Time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), the best of
// kRuns runs of kCalls calls, so other processes on a shared machine do not
// count. Cycles are that time times the clock measured on a chain of
// dependent integer additions (one per cycle). To compare a compiler change,
// rebuild (actc_std follows actc) and run again.
#include "std.h"

#include "actc/abi.h"

#include "HalideRuntime.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

/// 16 KiB per array: x, dy and the output fit in L1 together.
constexpr int64_t kElements = 4096;
constexpr int kRuns = 200;
constexpr int kCalls = 20;

double threadSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/// Cycles per second, from a chain of dependent adds (1 cycle each on every
/// x86-64 core); 0 elsewhere.
double clockRate() {
#if defined(__x86_64__)
  constexpr int64_t kAdds = 100000000;
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    int64_t count = kAdds / 4, sum = 0;
    double start = threadSeconds();
    asm volatile("1: add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
                 "dec %1\n jnz 1b"
                 : "+r"(sum), "+r"(count));
    best = std::min(best, threadSeconds() - start);
  }
  return kAdds / best;
#else
  return 0;
#endif
}

template <typename Call> double bestSeconds(Call call) {
  double best = 1e9;
  for (int run = 0; run < kRuns; ++run) {
    double start = threadSeconds();
    for (int i = 0; i < kCalls; ++i)
      if (call() != 0) {
        std::fprintf(stderr, "bench_cycles: a kernel failed\n");
        std::exit(1);
      }
    best = std::min(best, (threadSeconds() - start) / kCalls);
  }
  return best;
}

struct Activation {
  const char *name;
  std::vector<float> defaults;
  int learnable;
  actc_forward_fn forward;
  actc_backward_fn backward;
};

} // namespace

int main(int argc, char **argv) {
  std::vector<Activation> all;
#define ACTIVATION(act, parameters, learnable, ...)                            \
  all.push_back({#act, std::vector<float>{__VA_ARGS__}, learnable,             \
                 actc_##act##_forward_p, actc_##act##_backward_p});
  ACTC_STD_ACTIVATIONS(ACTIVATION)
#undef ACTIVATION
  std::vector<std::string> wanted(argv + 1, argv + argc);
  for (const std::string &name : wanted) {
    bool known = false;
    for (const Activation &a : all)
      known |= name == a.name;
    if (!known) {
      std::fprintf(stderr, "bench_cycles: no std activation '%s'\n",
                   name.c_str());
      return 2;
    }
  }

  halide_set_num_threads(1); // below the parallel threshold anyway
  std::vector<float> x(kElements), dy(kElements), out(kElements);
  for (int64_t i = 0; i < kElements; ++i) {
    x[i] = static_cast<float>(i % 2001 - 1000) / 125.0f;
    dy[i] = static_cast<float>(i % 7 + 1) / 4.0f;
  }
  double hz = clockRate();
  std::printf("clock %.2f GHz (dependent adds); n = %lld, one thread\n",
              hz * 1e-9, static_cast<long long>(kElements));
  std::printf("%-12s %10s %10s %10s %10s\n", "activation", "fwd ns/el",
              "fwd cyc/el", "bwd ns/el", "bwd cyc/el");
  for (const Activation &a : all) {
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), a.name) == wanted.end())
      continue;
    std::vector<float> dParams(a.learnable);
    double forward = bestSeconds([&] {
      return a.forward(x.data(), out.data(), kElements, a.defaults.data());
    }) / kElements;
    double backward = bestSeconds([&] {
      return a.backward(x.data(), dy.data(), out.data(), kElements,
                        a.defaults.data(), dParams.data());
    }) / kElements;
    std::printf("%-12s %10.3f %10.2f %10.3f %10.2f\n", a.name, forward * 1e9,
                forward * hz, backward * 1e9, backward * hz);
  }
  return 0;
}
