// oneDNN's eltwise primitive over dense float32 arrays: the anchor the
// elementwise kernels are timed against. Built only when oneDNN is found
// (ACTC_BENCH_ONEDNN).
#ifndef ACTC_BENCH_ONEDNNELTWISE_H
#define ACTC_BENCH_ONEDNNELTWISE_H

#include <cstdint>
#include <memory>
#include <string>

namespace bench {

/// The oneDNN 2.x eltwise algorithms that compute a std.act activation with
/// the same parameters (named here so that the activation table does not need
/// oneDNN's headers).
enum class Eltwise {
  Relu,       ///< x > 0 ? x : alpha x (relu, leaky_relu, rrelu, threshold)
  ClipV2,     ///< min(max(x, alpha), beta) (hardtanh, relu6)
  Elu,        ///< x > 0 ? x : alpha (e^x - 1)
  GeluErf,    ///< x (1 + erf(x / sqrt 2)) / 2
  GeluTanh,   ///< the tanh form of GELU
  Swish,      ///< x sigmoid(alpha x) (silu: alpha = 1)
  Mish,       ///< x tanh(softplus(x))
  SoftRelu,   ///< log(1 + e^x) (softplus with beta = 1)
  Logistic,   ///< sigmoid
  Tanh,       ///< tanh
  Hardswish,  ///< x relu6(x + 3) / 6
  Logsigmoid, ///< log(sigmoid(x))
};

struct EltwiseSpec {
  Eltwise algorithm;
  float alpha = 0;
  float beta = 0;
};

/// oneDNN computes some backward passes from the forward's output (dst)
/// instead of its input (src): cheaper (tanh' = 1 - y^2) but a different
/// contract from ours, which always takes x.
bool hasDstBackward(Eltwise algorithm);

/// Sets oneDNN's thread count. This oneDNN is built on OpenMP, so this is
/// omp_set_num_threads, read by each primitive execution.
void setOneDnnThreads(int threads);

/// One primitive bound to its arrays, created once and executed many times.
class OneDnnEltwise {
public:
  /// y = f(x), n elements.
  static OneDnnEltwise forward(const EltwiseSpec &spec, const float *x,
                               float *y, int64_t n);
  /// dx = dy * f'(x), or with `fromDst` dx = dy * f'(x) expressed through
  /// y = f(x), in which case `xOrY` is y.
  static OneDnnEltwise backward(const EltwiseSpec &spec, bool fromDst,
                                const float *xOrY, const float *dy, float *dx,
                                int64_t n);

  OneDnnEltwise(OneDnnEltwise &&);
  ~OneDnnEltwise();

  /// Executes the primitive and waits for it.
  void run();
  /// oneDNN's name for the implementation it chose, e.g. "jit:avx512_core".
  std::string implementation() const;

private:
  struct State;
  explicit OneDnnEltwise(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

} // namespace bench

#endif // ACTC_BENCH_ONEDNNELTWISE_H
