// libactc_rt's actc_rt_call against fake pipelines that record what they get:
// the checks, the chunks of long vectors, the gradients summed over chunks,
// both calling forms, linear_forward's narrow switch and the CUDA wrapping.
// The arrays are never touched, so sizes beyond memory are cheap.
#include "actc/rt.h"

#include "HalideRuntime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

/// One pipeline call: which pipeline, and each buffer's host (or wrapped
/// device) address and extents.
struct Call {
  int pipeline;
  std::vector<uintptr_t> addresses;
  std::vector<std::vector<int32_t>> extents;
};

std::vector<Call> calls;
int wrapped = 0, detached = 0, copiedBack = 0;
/// What the fake gradient pipeline stores in each gradient.
constexpr float kPartial = 1.5f;

/// Records the buffers among `args`: the first `inputs` and the last
/// `outputs` (the `params` in between are scalars).
void record(int pipeline, void **args, int inputs, int params, int outputs) {
  Call call{pipeline, {}, {}};
  for (int i = 0; i < inputs + params + outputs; ++i) {
    if (i >= inputs && i < inputs + params)
      continue;
    auto *buffer = static_cast<halide_buffer_t *>(args[i]);
    call.addresses.push_back(buffer->host
                                 ? reinterpret_cast<uintptr_t>(buffer->host)
                                 : static_cast<uintptr_t>(buffer->device));
    std::vector<int32_t> extents;
    for (int d = 0; d < buffer->dimensions; ++d)
      extents.push_back(buffer->dim[d].extent);
    call.extents.push_back(extents);
  }
  calls.push_back(call);
}

// Fake pipelines for kernels with one parameter.
int forwardPipeline(void **args) { return record(0, args, 1, 1, 1), 0; }
int gradientPipeline(void **args) {
  record(0, args, 2, 1, 1);
  *reinterpret_cast<float *>(static_cast<halide_buffer_t *>(args[3])->host) =
      kPartial;
  return 0;
}
int dxPipeline(void **args) { return record(1, args, 2, 1, 1), 0; }
int biasPipeline(void **args) { return record(0, args, 2, 0, 1), 0; }
int widePipeline(void **args) { return record(0, args, 3, 0, 1), 0; }
int narrowPipeline(void **args) { return record(1, args, 3, 0, 1), 0; }
int failingPipeline(void **) { return -7; }

const halide_device_interface_t *fakeDevice() {
  static halide_device_interface_t device{};
  return &device;
}

const float *fake(uintptr_t address) {
  return reinterpret_cast<const float *>(address);
}
float *fakeOut(uintptr_t address) { return reinterpret_cast<float *>(address); }

constexpr int64_t kChunk = int64_t(1) << 30;

class KernelCall : public testing::Test {
protected:
  void SetUp() override {
    calls.clear();
    wrapped = detached = copiedBack = 0;
  }
};

TEST_F(KernelCall, LongVectorsRunInChunks) {
  actc_kernel kernel{ACTC_KERNEL_FORWARD,        1,      0, 1,
                     {forwardPipeline, nullptr}, nullptr};
  const float *x = fake(0x10000);
  float *y = fakeOut(0x20000);
  int64_t n = 2 * kChunk + 3;
  float a = 2;
  void *args[] = {&x, &y, &n, &a};
  ASSERT_EQ(actc_rt_call(&kernel, ACTC_TYPED, args), ACTC_SUCCESS);
  ASSERT_EQ(calls.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    uintptr_t offset = static_cast<uintptr_t>(i * kChunk * sizeof(float));
    EXPECT_EQ(calls[i].addresses,
              (std::vector<uintptr_t>{0x10000 + offset, 0x20000 + offset}));
    int32_t extent = i < 2 ? static_cast<int32_t>(kChunk) : 3;
    EXPECT_EQ(calls[i].extents[0], std::vector<int32_t>{extent});
  }
}

TEST_F(KernelCall, GradientsAreSummedOverChunksBeforeDx) {
  actc_kernel kernel{ACTC_KERNEL_BACKWARD,           1,      1, 2,
                     {gradientPipeline, dxPipeline}, nullptr};
  const float *x = fake(0x10000), *dy = fake(0x20000);
  float *dx = fakeOut(0x30000);
  int64_t n = kChunk + 1;
  float params[] = {0.25f}, gradient = -1;
  float *gradients = &gradient;
  void *args[] = {&x, &dy, &dx, &n, &params, &gradients};
  ASSERT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), ACTC_SUCCESS);
  EXPECT_EQ(gradient, 2 * kPartial);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].pipeline, 0); // dx may alias dy: the sums come first.
  EXPECT_EQ(calls[1].pipeline, 1);
  EXPECT_EQ(calls[1].extents[0],
            std::vector<int32_t>{static_cast<int32_t>(kChunk)});
  EXPECT_EQ(calls[3].extents[0], std::vector<int32_t>{1});
}

TEST_F(KernelCall, ChecksInTheOrderOfTheTypedFunctions) {
  actc_kernel kernel{ACTC_KERNEL_BACKWARD,           1,      1, 2,
                     {gradientPipeline, dxPipeline}, nullptr};
  const float *x = fake(0x10000), *dy = fake(0x20000);
  float *dx = fakeOut(0x30000), *noGradient = nullptr, gradient = 0;
  float a = 1, *noParams = nullptr, *gradients = &gradient;
  int64_t n = 4, negative = -1;
  void *typed[] = {&x, &dy, &dx, &n, &a, &noGradient};
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_TYPED, typed), ACTC_ERROR_NULL_POINTER);
  void *negativeFirst[] = {&x, &dy, &dx, &negative, &a, &noGradient};
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_TYPED, negativeFirst),
            ACTC_ERROR_NEGATIVE_SIZE);
  void *packedWithoutParams[] = {&x, &dy, &dx, &n, &noParams, &gradients};
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_PACKED, packedWithoutParams),
            ACTC_ERROR_NULL_POINTER);
  void *packedWithoutGradients[] = {&x, &dy, &dx, &n, &a, &noGradient};
  float *params = &a;
  packedWithoutGradients[4] = &params;
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_PACKED, packedWithoutGradients),
            ACTC_ERROR_NULL_POINTER);
  EXPECT_TRUE(calls.empty());
}

TEST_F(KernelCall, MatricesMustStayBelow2To31Elements) {
  actc_kernel kernel{ACTC_KERNEL_BIAS_FORWARD, 0,      0, 1,
                     {biasPipeline, nullptr},  nullptr};
  const float *x = fake(0x10000), *b = fake(0x20000);
  float *y = fakeOut(0x30000), *params = nullptr;
  int64_t rows = int64_t(1) << 20, cols = int64_t(1) << 11;
  void *args[] = {&x, &b, &y, &rows, &cols, &params};
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), ACTC_ERROR_TOO_LARGE);
  cols = 3;
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), ACTC_SUCCESS);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].extents, (std::vector<std::vector<int32_t>>{
                                  {3, 1 << 20}, {3}, {3, 1 << 20}}));
}

TEST_F(KernelCall, LinearForwardSendsNarrowMatricesToItsSecondPipeline) {
  actc_kernel kernel{ACTC_KERNEL_LINEAR_FORWARD,     0,      0, 2,
                     {widePipeline, narrowPipeline}, nullptr};
  const float *x = fake(0x10000), *w = fake(0x20000), *b = fake(0x30000);
  float *y = fakeOut(0x40000), *params = nullptr;
  int64_t m = 2, k = 3, n = ACTC_LINEAR_NARROW_COLUMNS;
  void *args[] = {&x, &w, &b, &y, &m, &k, &n, &params};
  ASSERT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), ACTC_SUCCESS);
  n = ACTC_LINEAR_NARROW_COLUMNS - 1;
  ASSERT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), ACTC_SUCCESS);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].pipeline, 0);
  EXPECT_EQ(calls[1].pipeline, 1);
  // With k = 0, x and w have no elements, may be null, and point at y.
  x = w = nullptr;
  k = 0;
  ASSERT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), ACTC_SUCCESS);
  EXPECT_EQ(calls[2].addresses[0], 0x40000u);
  EXPECT_EQ(calls[2].addresses[1], 0x40000u);
}

TEST_F(KernelCall, AFailingPipelineReturnsItsCode) {
  actc_kernel kernel{ACTC_KERNEL_FORWARD,        0,      0, 1,
                     {failingPipeline, nullptr}, nullptr};
  const float *x = fake(0x10000);
  float *y = fakeOut(0x20000), *params = nullptr;
  int64_t n = 5;
  void *args[] = {&x, &y, &n, &params};
  EXPECT_EQ(actc_rt_call(&kernel, ACTC_PACKED, args), -7);
}

TEST_F(KernelCall, AnUnknownKindIsRefused) {
  actc_kernel kernel{99, 0, 0, 1, {forwardPipeline, nullptr}, nullptr};
  EXPECT_LT(actc_rt_call(&kernel, ACTC_PACKED, nullptr), 0);
  EXPECT_TRUE(calls.empty());
}

TEST_F(KernelCall, CudaArraysAreWrappedAndReleased) {
  actc_kernel kernel{ACTC_KERNEL_BACKWARD,           1,         1, 2,
                     {gradientPipeline, dxPipeline}, fakeDevice};
  const float *x = fake(0x10000), *dy = fake(0x20000);
  float *dx = fakeOut(0x30000), gradient = 0, *gradients = &gradient;
  float a = 1;
  int64_t n = 8;
  void *args[] = {&x, &dy, &dx, &n, &a, &gradients};
  ASSERT_EQ(actc_rt_call(&kernel, ACTC_TYPED, args), ACTC_SUCCESS);
  EXPECT_EQ(wrapped, 3);
  EXPECT_EQ(detached, 3);
  EXPECT_EQ(copiedBack, 1); // The gradient, computed on the device.
  EXPECT_EQ(calls[1].addresses,
            (std::vector<uintptr_t>{0x10000, 0x20000, 0x30000}));
  EXPECT_EQ(gradient, kPartial);
}

} // namespace

// The Halide runtime's device functions, as libactc_rt calls them: only
// CudaArraysAreWrappedAndReleased reaches them.
extern "C" {
int halide_device_wrap_native(void *, halide_buffer_t *buffer, uint64_t handle,
                              const halide_device_interface_t *device) {
  buffer->device = handle;
  buffer->device_interface = device;
  ++wrapped;
  return 0;
}
int halide_device_detach_native(void *, halide_buffer_t *buffer) {
  buffer->device = 0;
  buffer->device_interface = nullptr;
  ++detached;
  return 0;
}
int halide_copy_to_host(void *, halide_buffer_t *) { return ++copiedBack, 0; }
int halide_device_free(void *, halide_buffer_t *) { return 0; }
}
