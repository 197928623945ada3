// An activation as the runtime calls it: its parameters and packed kernels.
//
// Every source of kernels (the standard library linked in, a plugin, an .act
// file compiled at run time) ends up as this table, built from the same
// manifest parser (Manifest.h) and the same checks (ActivationLibrary.h).
#ifndef ACTC_RUNTIME_ACTIVATION_H
#define ACTC_RUNTIME_ACTIVATION_H

#include <cstdint>
#include <string>
#include <vector>

namespace act::runtime {

/// The packed ABI (the generated header's ACTC_ABI_VERSION): every parameter
/// in one array, every learnable parameter's gradient in another.
constexpr int kAbiVersion = 1;

using ForwardFn = int (*)(const float *x, float *y, int64_t n,
                          const float *params);
using BackwardFn = int (*)(const float *x, const float *dy, float *dx,
                           int64_t n, const float *params, float *dParams);
using BiasForwardFn = int (*)(const float *x, const float *b, float *y,
                              int64_t rows, int64_t cols, const float *params);
using BiasBackwardFn = int (*)(const float *x, const float *b, const float *dy,
                               float *dx, float *db, int64_t rows, int64_t cols,
                               const float *params, float *dParams);
using LinearForwardFn = int (*)(const float *x, const float *w, const float *b,
                                float *y, int64_t m, int64_t k, int64_t n,
                                const float *params);

/// The packed kernels of one device; null where the library has none.
struct KernelSet {
  ForwardFn forward = nullptr;
  BackwardFn backward = nullptr;
  BiasForwardFn biasForward = nullptr;
  BiasBackwardFn biasBackward = nullptr;
  LinearForwardFn linearForward = nullptr;
};

struct ActivationParam {
  std::string name;
  float defaultValue = 0;
  bool learnable = false;
};

/// One activation's description and kernels.
struct Activation {
  std::string name;
  std::string doc;
  std::vector<ActivationParam> params;
  KernelSet cpu;
  /// The `_cuda` kernels (device pointers for arrays, host pointers for
  /// params and dParams), when the library was built with a cuda target.
  KernelSet cuda;
  /// Where it came from: empty for the standard library, else the plugin or
  /// .act file as given to --act-lib (made absolute), which a checkpoint
  /// records so that `fmnist eval` can load it again.
  std::string library;

  /// Every parameter's default, in declaration order (the `params` array).
  std::vector<float> defaultParams() const;
  /// How many parameters are learnable (the `dParams` array's length).
  unsigned numLearnable() const;
};

} // namespace act::runtime

#endif // ACTC_RUNTIME_ACTIVATION_H
