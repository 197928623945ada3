// PyTorch 1.13's aten kernels over dense float32 arrays: the second anchor
// the elementwise kernels are timed against, and PyTorch eager compositions
// of the user activations of bench/user.act. Built only when libtorch is
// found (ACTC_BENCH_TORCH).
#ifndef ACTC_BENCH_TORCHELTWISE_H
#define ACTC_BENCH_TORCHELTWISE_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bench {

/// Sets PyTorch's intra-op thread count (at::set_num_threads).
void setTorchThreads(int threads);

/// One PyTorch computation bound to its arrays, run many times.
class TorchEltwise {
public:
  /// PyTorch's kernel for the std.act activation `name` with the parameters
  /// `params` (std.act's defaults), y = f(x): an out= variant where aten has
  /// one, else what torch.nn.functional runs. None if PyTorch has no such
  /// activation.
  static std::optional<TorchEltwise> forward(const std::string &name,
                                             const std::vector<float> &params,
                                             const float *x, float *y,
                                             int64_t n);
  /// dx = dy f'(x) as PyTorch's autograd formula computes it: from the input
  /// x, or from the output y = f(x) where PyTorch saves that (sigmoid, tanh,
  /// relu), which `y` then holds.
  static std::optional<TorchEltwise> backward(const std::string &name,
                                              const std::vector<float> &params,
                                              const float *x, const float *y,
                                              const float *dy, float *dx,
                                              int64_t n);
  /// The user activation `name` of bench/user.act as PyTorch eager ops:
  /// forward y = f(x), or forward and backward through autograd (dx for
  /// dy), as a PyTorch user would write it.
  static std::optional<TorchEltwise> eager(const std::string &name,
                                           bool backward, const float *x,
                                           const float *dy, float *out,
                                           int64_t n);

  /// Whether PyTorch's backward for `name` reads the forward's output.
  static bool backwardReadsOutput(const std::string &name);

  void run() { run_(); }
  /// What runs, e.g. "silu_out" or "eager, 3 ops + autograd".
  const std::string &what() const { return what_; }

private:
  TorchEltwise(std::function<void()> run, std::string what)
      : run_(std::move(run)), what_(std::move(what)) {}
  std::function<void()> run_;
  std::string what_;
};

} // namespace bench

#endif // ACTC_BENCH_TORCHELTWISE_H
