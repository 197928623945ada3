/* libactc_rt: what the C functions of a generated library call.
 *
 * Each generated function (actc_NAME_KIND, its `_p` and `_cuda` variants) is
 * a shim that passes the address of each of its arguments, unchanged, to
 * actc_rt_call together with a constant description of its kernel. The
 * checks of abi.h, the description of the arrays as Halide buffers, chunking
 * of long arrays and the wrapping of CUDA device pointers live here, once,
 * as ordinary code. Generated libraries, and programs that link them, link
 * libactc_rt.a (`pkg-config --libs actc`, or CMake's actc::rt). */
#ifndef ACTC_RT_H
#define ACTC_RT_H

#include "actc/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct halide_device_interface_t;

/* A Halide pipeline's `NAME_argv` entry point: one pointer per argument, a
 * halide_buffer_t * for a buffer and the address of a scalar. */
typedef int (*actc_pipeline_fn)(void **args);

/* The most Halide pipelines one kernel has. */
#define ACTC_MAX_PIPELINES 2

/* linear_forward's second pipeline takes matrices with fewer columns than
 * this: one vector of float32 on the widest CPU target (AVX-512). */
#define ACTC_LINEAR_NARROW_COLUMNS 16

/* One kernel of a generated library. Its pipelines take the kernel's input
 * arrays, then its parameters, then what they write:
 *   forward        [y]
 *   backward       [the gradients (only if num_gradients > 0), dx]
 *   bias_forward   [y]
 *   bias_backward  [the gradients (only if num_gradients > 0), dx and db]
 *   linear_forward [y with at least ACTC_LINEAR_NARROW_COLUMNS columns,
 *                   y with fewer]
 * where the gradients are one 0-dimensional buffer per learnable parameter.
 * Halide's extents are 32-bit: vectors run in chunks, matrices must have
 * fewer than 2^31 elements. */
typedef struct actc_kernel {
  int32_t kind; /* enum actc_kernel_kind */
  int32_t num_params;
  /* Gradient outputs: the learnable parameters for kinds with GRADIENTS. */
  int32_t num_gradients;
  int32_t num_pipelines;
  actc_pipeline_fn pipelines[ACTC_MAX_PIPELINES];
  /* CUDA kernels: halide_cuda_device_interface, and arrays are device
   * pointers (parameters and gradients stay on the host). Null on the CPU. */
  const struct halide_device_interface_t *(*device_interface)(void);
} actc_kernel;

/* How a generated function takes the activation's parameters: TYPED, one
 * `float` each and, for kinds with GRADIENTS, one `float *` per learnable
 * parameter; PACKED (the `_p` variants), `const float *params` and then
 * `float *d_params`. */
enum actc_calling_form { ACTC_TYPED, ACTC_PACKED };

/* Runs `kernel` on the arguments a generated function of `form` was called
 * with, `args` holding the address of each in order; returns what that
 * function returns (abi.h). */
int actc_rt_call(const actc_kernel *kernel, int form, void *const *args);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ACTC_RT_H */
