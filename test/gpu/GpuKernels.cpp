// The CUDA kernels of every std activation against its CPU kernels, and
// their speed against a device-to-device copy. A static binary: it runs on a
// machine with a GPU and nothing else (carry it there, see bench/README.md).
//
//   actc_gpu_kernels            check results (exit 1 on a mismatch)
//   actc_gpu_kernels --bench    also time 64M-float kernels: GB/s, % of copy
//
// Without a CUDA driver or device it prints why and exits 0 (CI has none).
#include "std.h"

#include "actc/abi.h"

#include "HalideRuntime.h"
#include "HalideRuntimeCuda.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {


struct Activation {
  std::string name;
  int learnable = 0;
  std::vector<float> defaults;
  std::map<std::string, void *> kernels; // "forward", "forward_cuda", ...
  template <typename F> F get(const std::string &kernel) const {
    auto it = kernels.find(kernel);
    return it == kernels.end() ? nullptr : reinterpret_cast<F>(it->second);
  }
};

std::vector<Activation> registry() {
  std::map<std::string, Activation> byName;
  std::vector<std::string> order;
#define ACTIVATION(act, parameters, learnableCount, ...)                       \
  {                                                                            \
    Activation &a = byName[#act];                                              \
    a.name = #act;                                                             \
    a.learnable = learnableCount;                                              \
    a.defaults = std::vector<float>{__VA_ARGS__};                              \
    order.push_back(#act);                                                     \
  }
  ACTC_STD_ACTIVATIONS(ACTIVATION)
#undef ACTIVATION
#define KERNEL(act, kernel)                                                    \
  byName[#act].kernels[#kernel] = reinterpret_cast<void *>(&actc_##act##_##kernel##_p);
  ACTC_STD_KERNELS(KERNEL)
#undef KERNEL
  std::vector<Activation> result;
  for (const std::string &name : order)
    result.push_back(byName[name]);
  return result;
}

/// A float array on the device, with a host copy.
class DeviceArray {
public:
  explicit DeviceArray(size_t n) : host(n) {
    dim = {0, static_cast<int32_t>(n), 1, 0};
    buffer.host = reinterpret_cast<uint8_t *>(host.data());
    buffer.type = {halide_type_float, 32, 1};
    buffer.dimensions = 1;
    buffer.dim = &dim;
    status = halide_device_malloc(nullptr, &buffer, halide_cuda_device_interface());
  }
  ~DeviceArray() { halide_device_free(nullptr, &buffer); }
  DeviceArray(const DeviceArray &) = delete;
  DeviceArray &operator=(const DeviceArray &) = delete;

  int status = 0;
  std::vector<float> host; // Its storage is the buffer's: never resized.

  float *device() { return reinterpret_cast<float *>(buffer.device); }
  int upload() {
    buffer.flags = 1; // host dirty
    return halide_copy_to_device(nullptr, &buffer, halide_cuda_device_interface());
  }
  int download() {
    buffer.flags = 2; // device dirty
    return halide_copy_to_host(nullptr, &buffer);
  }
  halide_buffer_t *raw() { return &buffer; }

private:
  halide_buffer_t buffer = {};
  halide_dimension_t dim = {};
};

/// The inputs: every special value, then a spread over many magnitudes.
std::vector<float> inputs(size_t n) {
  std::vector<float> x(n);
  const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-45f,
                            -1e-45f, 1e-38f, 3.4e38f, -3.4e38f, 1.0f, -1.0f};
  uint32_t state = 12345;
  for (size_t i = 0; i < n; ++i) {
    if (i < sizeof specials / sizeof specials[0]) {
      x[i] = specials[i];
      continue;
    }
    state = state * 1664525u + 1013904223u;
    float unit = static_cast<float>(state >> 8) / 16777216.0f; // [0, 1)
    // Most values in [-12, 12], every tenth anywhere in [-1e6, 1e6].
    x[i] = i % 10 ? 24 * unit - 12 : std::ldexp(2 * unit - 1, 20);
  }
  return x;
}

/// Distance allowed between the CPU and CUDA results: each is within the
/// accuracy bound of the exact value (forward 2 ulp, backward 4 ulp +
/// 2^-24 of f', times |dy|), so they are within twice it of each other.
bool agree(float cpu, float gpu, bool backward, float dy) {
  if (std::isnan(cpu) || std::isnan(gpu))
    return std::isnan(cpu) && std::isnan(gpu);
  if (std::isinf(cpu) || std::isinf(gpu))
    return cpu == gpu;
  double scale = std::max(std::fabs(static_cast<double>(cpu)), 0x1p-126);
  double ulp = scale * 0x1p-23;
  double bound = backward ? 2 * (4 * ulp + 0x1p-24 * std::fabs(dy)) : 2 * (2 * ulp);
  return std::fabs(static_cast<double>(cpu) - gpu) <= bound;
}

int failures = 0;

void report(const Activation &a, const char *kernel, const char *what) {
  if (failures++ < 20)
    std::printf("FAILED %s %s: %s\n", a.name.c_str(), kernel, what);
}

void compare(const Activation &a, const char *kernel, const std::vector<float> &cpu,
             const std::vector<float> &gpu, bool backward,
             const std::vector<float> &dy) {
  for (size_t i = 0; i < cpu.size(); ++i)
    if (!agree(cpu[i], gpu[i], backward, dy.empty() ? 1.0f : dy[i])) {
      char what[160];
      std::snprintf(what, sizeof what, "element %zu: cpu %.9g, cuda %.9g", i,
                    cpu[i], gpu[i]);
      report(a, kernel, what);
      return;
    }
}

/// Sums in double on both sides: relative agreement.
void compareSums(const Activation &a, const char *kernel, const std::vector<float> &cpu,
                 const std::vector<float> &gpu) {
  for (size_t i = 0; i < cpu.size(); ++i)
    if (std::fabs(cpu[i] - gpu[i]) > 1e-5 * (1 + std::fabs(cpu[i])))
      report(a, kernel, "sums differ");
}

void check(const Activation &a) {
  const size_t n = (size_t(1) << 20) + 37;
  const int64_t rows = 1000, cols = 1027;
  std::vector<float> x = inputs(n), dy = inputs(n);
  for (float &v : dy)
    v = std::isfinite(v) ? std::fmod(v, 4.0f) : 1.0f;
  const float *params = a.defaults.data();
  std::vector<float> dParamsCpu(a.learnable + 1), dParamsGpu(a.learnable + 1);
  DeviceArray dx(n), ddy(n), dout(n), dbias(cols), ddb(cols);
  std::copy(x.begin(), x.end(), dx.host.begin());
  std::copy(dy.begin(), dy.end(), ddy.host.begin());
  if (dx.upload() || ddy.upload()) {
    report(a, "upload", "halide_copy_to_device failed");
    return;
  }
  std::vector<float> cpu(n);

  auto forward = a.get<actc_forward_fn>("forward"), forwardCuda = a.get<actc_forward_fn>("forward_cuda");
  if (forward(x.data(), cpu.data(), n, params) || forwardCuda(dx.device(), dout.device(), n, params) ||
      dout.download())
    report(a, "forward", "a kernel failed");
  else
    compare(a, "forward", cpu, dout.host, false, {});

  auto backward = a.get<actc_backward_fn>("backward"), backwardCuda = a.get<actc_backward_fn>("backward_cuda");
  if (backward(x.data(), dy.data(), cpu.data(), n, params, dParamsCpu.data()) ||
      backwardCuda(dx.device(), ddy.device(), dout.device(), n, params, dParamsGpu.data()) ||
      dout.download())
    report(a, "backward", "a kernel failed");
  else {
    compare(a, "backward", cpu, dout.host, true, dy);
    compareSums(a, "backward d_params", dParamsCpu, dParamsGpu);
  }

  // Bias kernels on the first rows x cols elements.
  for (int64_t c = 0; c < cols; ++c)
    dbias.host[c] = 0.25f * static_cast<float>(c % 7) - 0.75f;
  dbias.upload();
  std::vector<float> xm(x.begin(), x.begin() + rows * cols), dym(dy.begin(), dy.begin() + rows * cols);
  for (float &v : xm)
    v = std::isfinite(v) ? std::fmod(v, 16.0f) : 0.5f;
  DeviceArray dxm(rows * cols), ddym(rows * cols), doutm(rows * cols);
  std::copy(xm.begin(), xm.end(), dxm.host.begin());
  std::copy(dym.begin(), dym.end(), ddym.host.begin());
  dxm.upload();
  ddym.upload();
  std::vector<float> cpum(rows * cols), db(cols);
  auto biasForward = a.get<actc_bias_forward_fn>("bias_forward");
  auto biasForwardCuda = a.get<actc_bias_forward_fn>("bias_forward_cuda");
  if (biasForward(xm.data(), dbias.host.data(), cpum.data(), rows, cols, params) ||
      biasForwardCuda(dxm.device(), dbias.device(), doutm.device(), rows, cols, params) ||
      doutm.download())
    report(a, "bias_forward", "a kernel failed");
  else
    compare(a, "bias_forward", cpum, doutm.host, false, {});

  auto biasBackward = a.get<actc_bias_backward_fn>("bias_backward");
  auto biasBackwardCuda = a.get<actc_bias_backward_fn>("bias_backward_cuda");
  if (biasBackward(xm.data(), dbias.host.data(), dym.data(), cpum.data(), db.data(), rows,
                   cols, params, dParamsCpu.data()) ||
      biasBackwardCuda(dxm.device(), dbias.device(), ddym.device(), doutm.device(),
                       ddb.device(), rows, cols, params, dParamsGpu.data()) ||
      doutm.download() || ddb.download())
    report(a, "bias_backward", "a kernel failed");
  else {
    compare(a, "bias_backward", cpum, doutm.host, true, dym);
    compareSums(a, "bias_backward db", db, ddb.host);
    compareSums(a, "bias_backward d_params", dParamsCpu, dParamsGpu);
  }
}

/// Seconds per call of `run`, after warming up, synchronised on `sync`.
template <typename F> double timeIt(F run, DeviceArray &sync) {
  for (int i = 0; i < 3; ++i)
    run();
  halide_device_sync(nullptr, sync.raw());
  constexpr int kIterations = 20;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i)
    run();
  halide_device_sync(nullptr, sync.raw());
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / kIterations;
}

void bench(const std::vector<Activation> &activations) {
  const size_t n = size_t(64) << 20;
  const int64_t cols = 1024, rows = static_cast<int64_t>(n) / cols;
  DeviceArray x(n), dy(n), out(n), bias(cols);
  for (size_t i = 0; i < n; ++i) {
    x.host[i] = static_cast<float>(i % 2048) / 128.0f - 8.0f;
    dy.host[i] = 1.0f;
  }
  x.upload();
  dy.upload();
  bias.upload();
  double copy = timeIt([&] { halide_buffer_copy(nullptr, x.raw(), halide_cuda_device_interface(), out.raw()); }, out);
  double copyRate = 8.0 * n / copy / 1e9;
  std::printf("\n64M floats; device copy %.0f GB/s (read + write)\n", copyRate);
  std::printf("%-12s %14s %14s %14s\n", "activation", "forward", "backward", "bias_forward");
  for (const Activation &a : activations) {
    const float *p = a.defaults.data();
    std::vector<float> dParams(a.learnable + 1);
    auto forward = a.get<actc_forward_fn>("forward_cuda");
    auto backward = a.get<actc_backward_fn>("backward_cuda");
    auto biasForward = a.get<actc_bias_forward_fn>("bias_forward_cuda");
    double f = 8.0 * n / timeIt([&] { forward(x.device(), out.device(), n, p); }, out) / 1e9;
    double b = 12.0 * n / timeIt([&] { backward(x.device(), dy.device(), out.device(), n, p, dParams.data()); }, out) / 1e9;
    double bf = 8.0 * n / timeIt([&] { biasForward(x.device(), bias.device(), out.device(), rows, cols, p); }, out) / 1e9;
    std::printf("%-12s %6.0f (%3.0f%%) %6.0f (%3.0f%%) %6.0f (%3.0f%%)\n", a.name.c_str(), f,
                100 * f / copyRate, b, 100 * b / copyRate, bf, 100 * bf / copyRate);
  }
}

} // namespace

int main(int argc, char **argv) {
  bool timing = argc > 1 && std::strcmp(argv[1], "--bench") == 0;
  // Halide's CUDA runtime opens "libcuda.so"; the driver ships libcuda.so.1.
  if (!dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL)) {
    std::printf("skipped: no CUDA driver (libcuda.so.1)\n");
    return 0;
  }
  {
    DeviceArray probe(1);
    if (probe.status != 0) {
      std::printf("skipped: no usable CUDA device\n");
      return 0;
    }
  }
  std::vector<Activation> activations = registry();
  for (const Activation &a : activations)
    check(a);
  std::printf("checked %zu activations x 4 kernels: %d failures\n",
              activations.size(), failures);
  if (timing)
    bench(activations);
  return failures != 0;
}
