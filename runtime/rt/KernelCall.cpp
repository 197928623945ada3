// libactc_rt: a generated function's arguments, checked, described as Halide
// buffers and handed to its kernel's pipelines (actc/rt.h).
//
// It is linked into C programs and into plugins, so it needs nothing of the
// C++ library at run time: no allocation, exceptions or guarded statics.
#include "actc/rt.h"

#include "HalideRuntime.h"

#include <stdio.h>

namespace {

/// Halide's extents are int32: longer vectors run in chunks of this many
/// elements (a multiple of every vector width and task size).
constexpr int64_t kMaxChunk = int64_t(1) << 30;

/// Halide's index arithmetic is 32-bit: a matrix, and each of its sizes,
/// must be smaller than this.
constexpr int64_t kMatrixLimit = int64_t(1) << 31;

/// The most arrays and sizes a kernel kind takes (abi.h).
constexpr int kMaxArrays = 5;
constexpr int kMaxExtents = 3;

/// A generated function's arguments: its arrays and sizes in abi.h's order,
/// the parameters' values and where each gradient goes.
struct Arguments {
  float *arrays[kMaxArrays] = {};
  int numArrays = 0;
  int64_t extents[kMaxExtents] = {};
  int numExtents = 0;
  const float *params = nullptr;
  float paramValues[ACTC_MAX_PARAMS] = {};
  float *gradients[ACTC_MAX_PARAMS] = {};
  /// A typed function got a null gradient output: reported, as the other
  /// null arrays, after the sizes are checked.
  bool nullGradient = false;

  void take(const float *array) {
    arrays[numArrays++] = const_cast<float *>(array);
  }
  void take(float *array) { arrays[numArrays++] = array; }
  void take(int64_t extent) { extents[numExtents++] = extent; }
};

/// Reads `args` as a generated function of `kernel`'s kind and `form` passes
/// them; fails with ACTC_ERROR_NULL_POINTER on a null packed array.
int decode(const actc_kernel &kernel, int form, void *const *args,
           Arguments &decoded) {
  int next = 0;
  bool gradients = false;
  switch (kernel.kind) {
  default: // A library of another actc version, with kinds this one lacks.
    return halide_error_code_generic_error;
#define ACTC_DECODE_ARGUMENT(role, type, argument)                             \
  decoded.take(*static_cast<type *>(args[next++]));
#define ACTC_DECODE_KIND(KIND, name, ARGS, GRADIENTS)                          \
  case ACTC_KERNEL_##KIND:                                                     \
    ARGS(ACTC_DECODE_ARGUMENT)                                                 \
    gradients = GRADIENTS;                                                     \
    break;
    ACTC_KERNEL_KINDS(ACTC_DECODE_KIND)
#undef ACTC_DECODE_KIND
#undef ACTC_DECODE_ARGUMENT
  }
  int numParams = kernel.num_params, numGradients = kernel.num_gradients;
  if (form == ACTC_TYPED) {
    for (int i = 0; i < numParams; ++i)
      decoded.paramValues[i] = *static_cast<float *>(args[next++]);
    decoded.params = decoded.paramValues;
    for (int j = 0; j < numGradients; ++j) {
      decoded.gradients[j] = *static_cast<float **>(args[next++]);
      decoded.nullGradient |= !decoded.gradients[j];
    }
    return ACTC_SUCCESS;
  }
  decoded.params = *static_cast<const float **>(args[next++]);
  if (numParams != 0 && !decoded.params)
    return ACTC_ERROR_NULL_POINTER;
  if (!gradients)
    return ACTC_SUCCESS;
  float *packed = *static_cast<float **>(args[next++]);
  if (numGradients != 0 && !packed)
    return ACTC_ERROR_NULL_POINTER;
  for (int j = 0; j < numGradients; ++j)
    decoded.gradients[j] = packed + j;
  return ACTC_SUCCESS;
}

/// Whether any of `arrays` is null.
bool anyNull(float *const *arrays, int count) {
  for (int i = 0; i < count; ++i)
    if (!arrays[i])
      return true;
  return false;
}

/// n >= 0, and the arrays non-null unless they are empty.
int checkVector(int64_t n, const Arguments &a) {
  if (n < 0)
    return ACTC_ERROR_NEGATIVE_SIZE;
  if (n > 0 && anyNull(a.arrays, a.numArrays))
    return ACTC_ERROR_NULL_POINTER;
  return a.nullGradient ? ACTC_ERROR_NULL_POINTER : ACTC_SUCCESS;
}

/// rows, cols >= 0 with rows * cols below kMatrixLimit, and the arrays
/// non-null unless the matrix is empty.
int checkMatrix(int64_t rows, int64_t cols, const Arguments &a) {
  if (rows < 0 || cols < 0)
    return ACTC_ERROR_NEGATIVE_SIZE;
  if (rows >= kMatrixLimit || cols >= kMatrixLimit ||
      rows * cols >= kMatrixLimit)
    return ACTC_ERROR_TOO_LARGE;
  if (rows * cols > 0 && anyNull(a.arrays, a.numArrays))
    return ACTC_ERROR_NULL_POINTER;
  return a.nullGradient ? ACTC_ERROR_NULL_POINTER : ACTC_SUCCESS;
}

/// A float32 halide_buffer_t over the caller's array, zero-based and dense.
/// For a CUDA kernel the array is a device pointer, which the buffer wraps
/// (and releases again when it is described anew or destroyed).
class Buffer {
public:
  explicit Buffer(const actc_kernel &kernel)
      : device(kernel.device_interface ? kernel.device_interface() : nullptr) {
    buffer.type = halide_type_t(halide_type_float, 32);
    buffer.dim = dims;
  }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer() { release(); }

  /// `extent` elements.
  int vector(float *array, int32_t extent) {
    buffer.dimensions = 1;
    dims[0] = halide_dimension_t(0, extent, 1);
    return point(array);
  }

  /// A row-major rows x cols matrix.
  int matrix(float *array, int32_t rows, int32_t cols) {
    buffer.dimensions = 2;
    dims[0] = halide_dimension_t(0, cols, 1);
    dims[1] = halide_dimension_t(0, rows, cols);
    return point(array);
  }

  halide_buffer_t *get() { return &buffer; }

private:
  int point(float *array) {
    release();
    if (!device) {
      buffer.host = reinterpret_cast<uint8_t *>(array);
      return ACTC_SUCCESS;
    }
    int status = halide_device_wrap_native(
        nullptr, &buffer, reinterpret_cast<uintptr_t>(array), device);
    wrapped = status == 0;
    return status;
  }

  void release() {
    if (wrapped)
      halide_device_detach_native(nullptr, &buffer);
    wrapped = false;
  }

  const halide_device_interface_t *device;
  halide_buffer_t buffer = {};
  halide_dimension_t dims[2];
  bool wrapped = false;
};

/// One call of a pipeline: its inputs, the parameters, then its outputs.
int runPipeline(const actc_kernel &kernel, int index, const float *params,
                Buffer *const *inputs, int numInputs, Buffer *const *outputs,
                int numOutputs) {
  void *argv[kMaxArrays + ACTC_MAX_PARAMS];
  int next = 0;
  for (int i = 0; i < numInputs; ++i)
    argv[next++] = inputs[i]->get();
  for (int i = 0; i < kernel.num_params; ++i)
    argv[next++] = const_cast<float *>(params + i);
  for (int i = 0; i < numOutputs; ++i)
    argv[next++] = outputs[i]->get();
  return kernel.pipelines[index](argv);
}

/// The learnable parameters' gradients, summed by the kernel's first
/// pipeline into `sums` (host memory, also for CUDA kernels, which leave
/// them on the device until copied back). Runs before dx is written: dx may
/// alias dy.
int sumGradients(const actc_kernel &kernel, const float *params,
                 Buffer *const *inputs, int numInputs, float *sums) {
  halide_buffer_t buffers[ACTC_MAX_PARAMS] = {};
  void *argv[kMaxArrays + 2 * ACTC_MAX_PARAMS];
  int next = 0;
  for (int i = 0; i < numInputs; ++i)
    argv[next++] = inputs[i]->get();
  for (int i = 0; i < kernel.num_params; ++i)
    argv[next++] = const_cast<float *>(params + i);
  for (int j = 0; j < kernel.num_gradients; ++j) {
    buffers[j].host = reinterpret_cast<uint8_t *>(sums + j);
    buffers[j].type = halide_type_t(halide_type_float, 32);
    argv[next++] = &buffers[j];
  }
  int status = kernel.pipelines[0](argv);
  if (!kernel.device_interface)
    return status;
  for (int j = 0; j < kernel.num_gradients; ++j) {
    int copied = halide_copy_to_host(nullptr, &buffers[j]);
    int freed = halide_device_free(nullptr, &buffers[j]);
    status = status ? status : copied ? copied : freed;
  }
  return status;
}

/// The elements [offset, offset + a chunk) of n, each array in its buffer.
int describeChunk(Buffer *const *buffers, float *const *arrays, int count,
                  int64_t n, int64_t offset) {
  int32_t extent =
      static_cast<int32_t>(n - offset < kMaxChunk ? n - offset : kMaxChunk);
  for (int i = 0; i < count; ++i)
    if (int status = buffers[i]->vector(arrays[i] + offset, extent))
      return status;
  return ACTC_SUCCESS;
}

/// forward: y = f(x) chunk by chunk.
int forward(const actc_kernel &kernel, const Arguments &a) {
  int64_t n = a.extents[0];
  if (int status = checkVector(n, a))
    return status;
  Buffer xBuffer(kernel), yBuffer(kernel);
  Buffer *inputs[] = {&xBuffer}, *outputs[] = {&yBuffer};
  Buffer *buffers[] = {&xBuffer, &yBuffer};
  for (int64_t offset = 0; offset < n; offset += kMaxChunk) {
    if (int status = describeChunk(buffers, a.arrays, 2, n, offset))
      return status;
    if (int status = runPipeline(kernel, 0, a.params, inputs, 1, outputs, 1))
      return status;
  }
  return ACTC_SUCCESS;
}

/// backward: dx = dy f'(x) chunk by chunk; each gradient is summed over the
/// chunks and stored once all of them succeeded.
int backward(const actc_kernel &kernel, const Arguments &a) {
  int64_t n = a.extents[0];
  if (int status = checkVector(n, a))
    return status;
  float totals[ACTC_MAX_PARAMS] = {};
  Buffer xBuffer(kernel), dyBuffer(kernel), dxBuffer(kernel);
  Buffer *inputs[] = {&xBuffer, &dyBuffer}, *outputs[] = {&dxBuffer};
  for (int64_t offset = 0; offset < n; offset += kMaxChunk) {
    if (int status = describeChunk(inputs, a.arrays, 2, n, offset))
      return status;
    if (kernel.num_gradients != 0) {
      float partials[ACTC_MAX_PARAMS];
      if (int status = sumGradients(kernel, a.params, inputs, 2, partials))
        return status;
      for (int j = 0; j < kernel.num_gradients; ++j)
        totals[j] += partials[j];
    }
    if (int status = describeChunk(outputs, a.arrays + 2, 1, n, offset))
      return status;
    if (int status = runPipeline(kernel, kernel.num_pipelines - 1, a.params,
                                 inputs, 2, outputs, 1))
      return status;
  }
  for (int j = 0; j < kernel.num_gradients; ++j)
    *a.gradients[j] = totals[j];
  return ACTC_SUCCESS;
}

/// bias_forward: y = f(x + b) over rows x cols, in one call.
int biasForward(const actc_kernel &kernel, const Arguments &a) {
  float *x = a.arrays[0], *b = a.arrays[1], *y = a.arrays[2];
  int64_t rows = a.extents[0], cols = a.extents[1];
  if (int status = checkMatrix(rows, cols, a))
    return status;
  Buffer xBuffer(kernel), bBuffer(kernel), yBuffer(kernel);
  int32_t r = static_cast<int32_t>(rows), c = static_cast<int32_t>(cols);
  if (int status = xBuffer.matrix(x, r, c))
    return status;
  if (int status = bBuffer.vector(b, c))
    return status;
  if (int status = yBuffer.matrix(y, r, c))
    return status;
  Buffer *inputs[] = {&xBuffer, &bBuffer}, *outputs[] = {&yBuffer};
  return runPipeline(kernel, 0, a.params, inputs, 2, outputs, 1);
}

/// bias_backward: dx, db and the gradients over rows x cols, in one call.
int biasBackward(const actc_kernel &kernel, const Arguments &a) {
  float *x = a.arrays[0], *b = a.arrays[1], *dy = a.arrays[2],
        *dx = a.arrays[3], *db = a.arrays[4];
  int64_t rows = a.extents[0], cols = a.extents[1];
  if (int status = checkMatrix(rows, cols, a))
    return status;
  Buffer xBuffer(kernel), bBuffer(kernel), dyBuffer(kernel), dxBuffer(kernel),
      dbBuffer(kernel);
  int32_t r = static_cast<int32_t>(rows), c = static_cast<int32_t>(cols);
  if (int status = xBuffer.matrix(x, r, c))
    return status;
  if (int status = bBuffer.vector(b, c))
    return status;
  if (int status = dyBuffer.matrix(dy, r, c))
    return status;
  Buffer *inputs[] = {&xBuffer, &bBuffer, &dyBuffer};
  if (kernel.num_gradients != 0) {
    float sums[ACTC_MAX_PARAMS];
    if (int status = sumGradients(kernel, a.params, inputs, 3, sums))
      return status;
    for (int j = 0; j < kernel.num_gradients; ++j)
      *a.gradients[j] = sums[j];
  }
  if (int status = dxBuffer.matrix(dx, r, c))
    return status;
  if (int status = dbBuffer.vector(db, c))
    return status;
  Buffer *outputs[] = {&dxBuffer, &dbBuffer};
  return runPipeline(kernel, kernel.num_pipelines - 1, a.params, inputs, 3,
                     outputs, 2);
}

/// linear_forward: y = f(x·w + b), x m x k and w k x n, in one call.
int linearForward(const actc_kernel &kernel, const Arguments &a) {
  float *x = a.arrays[0], *w = a.arrays[1], *b = a.arrays[2], *y = a.arrays[3];
  int64_t m = a.extents[0], k = a.extents[1], n = a.extents[2];
  if (m < 0 || k < 0 || n < 0)
    return ACTC_ERROR_NEGATIVE_SIZE;
  // Each size below the limit first, so that the products cannot overflow.
  const int64_t sizes[] = {m, k, n, m * k, k * n, m * n};
  for (int64_t size : sizes)
    if (size >= kMatrixLimit)
      return ACTC_ERROR_TOO_LARGE;
  // An array may be null only if it has no elements (k = 0: x and w).
  if ((!x && m * k > 0) || (!w && k * n > 0) || (!b && n > 0) ||
      (!y && m * n > 0))
    return ACTC_ERROR_NULL_POINTER;
  if (m * n == 0)
    return ACTC_SUCCESS;
  // With k = 0, x and w have no elements and may be null; Halide would take
  // a buffer without memory for a bounds query and compute nothing. Point
  // them at y, which is not null here and never read through them.
  x = x ? x : y;
  w = w ? w : y;
  Buffer xBuffer(kernel), wBuffer(kernel), bBuffer(kernel), yBuffer(kernel);
  int32_t m32 = static_cast<int32_t>(m), k32 = static_cast<int32_t>(k),
          n32 = static_cast<int32_t>(n);
  if (int status = xBuffer.matrix(x, m32, k32))
    return status;
  if (int status = wBuffer.matrix(w, k32, n32))
    return status;
  if (int status = bBuffer.vector(b, n32))
    return status;
  if (int status = yBuffer.matrix(y, m32, n32))
    return status;
  Buffer *inputs[] = {&xBuffer, &wBuffer, &bBuffer}, *outputs[] = {&yBuffer};
  int pipeline = n < ACTC_LINEAR_NARROW_COLUMNS ? 1 : 0;
  return runPipeline(kernel, pipeline, a.params, inputs, 3, outputs, 1);
}

} // namespace

int actc_rt_call(const actc_kernel *kernel, int form, void *const *args) {
  Arguments arguments;
  if (int status = decode(*kernel, form, args, arguments))
    return status;
  switch (kernel->kind) {
  default: // Refused by decode.
    return halide_error_code_generic_error;
  case ACTC_KERNEL_FORWARD:
    return forward(*kernel, arguments);
  case ACTC_KERNEL_BACKWARD:
    return backward(*kernel, arguments);
  case ACTC_KERNEL_BIAS_FORWARD:
    return biasForward(*kernel, arguments);
  case ACTC_KERNEL_BIAS_BACKWARD:
    return biasBackward(*kernel, arguments);
  case ACTC_KERNEL_LINEAR_FORWARD:
    return linearForward(*kernel, arguments);
  }
}

/// Replaces the Halide runtime's halide_error, whose default handler calls
/// abort(): the C interface reports failures as return codes (abi.h), so a
/// runtime error (no CUDA driver, out of memory) is written to stderr and
/// the kernel returns its code. The runtime's definition is weak, this one
/// is not: whichever of a program's generated libraries brought the runtime,
/// this one wins.
extern "C" void halide_error(void *userContext, const char *message) {
  // Halide's messages end with a newline.
  fprintf(stderr, "actc: Halide runtime error: %s", message);
}
