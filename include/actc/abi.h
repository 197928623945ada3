/* The kernel ABI of the libraries actc generates: the version, the codes the
 * C functions return, and every kernel kind with its arguments. It is one
 * table; the compiler's C wrappers and header declarations, libactc_rt, the
 * runtime's function types and the manifest's kernel names are all expanded
 * from it. Plain C99, also valid C++. */
#ifndef ACTC_ABI_H
#define ACTC_ABI_H

#include <stdint.h>

/* The version of the generated interface a runtime checks: a plugin's
 * manifest says it as "abi_version", a generated header as ACTC_ABI_VERSION.
 * Raise it whenever a generated function's signature or meaning changes. */
#define ACTC_ABI_VERSION 1

/* The most parameters an activation takes after its input: each is a
 * trailing argument of every generated function. */
#define ACTC_MAX_PARAMS 64

/* What a generated function returns, X(NAME, value, meaning). Halide's own
 * codes, from a kernel that failed while running, are negative. */
#define ACTC_ERRORS(X)                                                         \
  X(ACTC_SUCCESS, 0, "success")                                                \
  X(ACTC_ERROR_NEGATIVE_SIZE, 1, "negative size")                              \
  X(ACTC_ERROR_NULL_POINTER, 2, "null array")                                  \
  X(ACTC_ERROR_TOO_LARGE, 3, "a matrix of 2^31 elements or more")

#define ACTC_ERROR_ENUMERATOR(name, value, meaning) name = value,
enum actc_error { ACTC_ERRORS(ACTC_ERROR_ENUMERATOR) };
#undef ACTC_ERROR_ENUMERATOR

/* The kernel kinds, in the order a generated header lists them:
 * X(KIND, name, ARGS, GRADIENTS).
 * - name: how --kernels= spells it and the C function's suffix
 *   (actc_ACTIVATION_name);
 * - ARGS(A): the arrays and sizes every function of the kind starts with, in
 *   order, as A(role, type, argument): role INPUT (an array it reads), OUTPUT
 *   (an array it writes) or EXTENT (an element count). The activation's
 *   parameters follow as `float p...` (packed: `const float *params`);
 * - GRADIENTS: 1 if the kernel also returns, for each learnable parameter p,
 *   dy * df/dp summed over all elements, in `float *d_p` after the
 *   parameters (packed: `float *d_params`); 0 otherwise. */
#define ACTC_KERNEL_KINDS(X)                                                   \
  X(FORWARD, forward, ACTC_FORWARD_ARGS, 0)                                    \
  X(BACKWARD, backward, ACTC_BACKWARD_ARGS, 1)                                 \
  X(BIAS_FORWARD, bias_forward, ACTC_BIAS_FORWARD_ARGS, 0)                     \
  X(BIAS_BACKWARD, bias_backward, ACTC_BIAS_BACKWARD_ARGS, 1)                  \
  X(LINEAR_FORWARD, linear_forward, ACTC_LINEAR_FORWARD_ARGS, 0)

/* y = f(x), n elements. */
#define ACTC_FORWARD_ARGS(A)                                                   \
  A(INPUT, const float *, x) A(OUTPUT, float *, y) A(EXTENT, int64_t, n)
/* dx = dy * f'(x), n elements. */
#define ACTC_BACKWARD_ARGS(A)                                                  \
  A(INPUT, const float *, x) A(INPUT, const float *, dy)                       \
  A(OUTPUT, float *, dx) A(EXTENT, int64_t, n)
/* y = f(x + b) per row of a rows x cols matrix. */
#define ACTC_BIAS_FORWARD_ARGS(A)                                              \
  A(INPUT, const float *, x) A(INPUT, const float *, b)                        \
  A(OUTPUT, float *, y) A(EXTENT, int64_t, rows) A(EXTENT, int64_t, cols)
/* dx = dy * f'(x + b) and db, the column sums of dx. */
#define ACTC_BIAS_BACKWARD_ARGS(A)                                             \
  A(INPUT, const float *, x) A(INPUT, const float *, b)                        \
  A(INPUT, const float *, dy) A(OUTPUT, float *, dx) A(OUTPUT, float *, db)    \
  A(EXTENT, int64_t, rows) A(EXTENT, int64_t, cols)
/* y = f(x.w + b), x m x k, w k x n. */
#define ACTC_LINEAR_FORWARD_ARGS(A)                                            \
  A(INPUT, const float *, x) A(INPUT, const float *, w)                        \
  A(INPUT, const float *, b) A(OUTPUT, float *, y) A(EXTENT, int64_t, m)       \
  A(EXTENT, int64_t, k) A(EXTENT, int64_t, n)

#define ACTC_KERNEL_ENUMERATOR(KIND, name, ARGS, GRADIENTS) ACTC_KERNEL_##KIND,
enum actc_kernel_kind { ACTC_KERNEL_KINDS(ACTC_KERNEL_ENUMERATOR) };
#undef ACTC_KERNEL_ENUMERATOR

/* The packed variant's type, actc_NAME_fn: what a runtime calls through
 * `actc_ACTIVATION_NAME_p`, whatever the activation. */
#define ACTC_ARGUMENT_DECLARATION(role, type, argument) type argument,
#define ACTC_PACKED_GRADIENTS_0
#define ACTC_PACKED_GRADIENTS_1 , float *d_params
#define ACTC_PACKED_TYPEDEF(KIND, name, ARGS, GRADIENTS)                       \
  typedef int (*actc_##name##_fn)(ARGS(ACTC_ARGUMENT_DECLARATION)              \
                                      const float *params                      \
                                          ACTC_PACKED_GRADIENTS_##GRADIENTS);
ACTC_KERNEL_KINDS(ACTC_PACKED_TYPEDEF)
#undef ACTC_PACKED_TYPEDEF

#endif /* ACTC_ABI_H */
