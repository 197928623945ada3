// An activation as the runtime calls it: its parameters and packed kernels.
//
// Every source of kernels (the standard library linked in, a plugin, an .act
// file compiled at run time) ends up as this table, built from the same
// manifest parser (Manifest.h) and the same checks (ActivationLibrary.h).
#ifndef ACTC_RUNTIME_ACTIVATION_H
#define ACTC_RUNTIME_ACTIVATION_H

#include "actc/abi.h"

#include <string>
#include <vector>

namespace act::runtime {

/// The packed kernels of one device, one member per kernel kind of the ABI
/// (actc/abi.h: `forward`, `bias_backward`...; each takes every parameter in
/// one array and every learnable parameter's gradient in another); null
/// where the library has none.
struct KernelSet {
#define ACTC_KERNEL_MEMBER(KIND, name, ARGS, GRADIENTS)                        \
  actc_##name##_fn name = nullptr;
  ACTC_KERNEL_KINDS(ACTC_KERNEL_MEMBER)
#undef ACTC_KERNEL_MEMBER
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
