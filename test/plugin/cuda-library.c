/* --target=host,cuda adds NAME_cuda and NAME_cuda_p to the library and its
 * registry. Without a GPU (or CUDA driver) they fail with a nonzero code and
 * a message on stderr; they never abort.
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=relu,prelu --target=host,cuda -o %t/gpu
 * RUN: FileCheck --check-prefix=HEADER %s < %t/gpu.h
 * HEADER: int actc_relu_forward_cuda(const float *x, float *y, int64_t n);
 * HEADER: int actc_prelu_backward_cuda_p(const float *x, const float *dy, float *dx, int64_t n, const float *params, float *d_params);
 * HEADER: X(relu, forward_cuda)
 * HEADER: \"cuda_kernels\":[\"forward\",\"backward\",\"bias_forward\",\"bias_backward\"]
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %t %s %t/gpu.a %actc-libs -o %t/exe
 * RUN: %t/exe | FileCheck %s
 * CHECK: cpu relu: 0 0 2
 * CHECK: all checks passed
 */
#include "gpu.h"

#include <dlfcn.h>
#include <stdio.h>

int main(void) {
  float x[3] = {-1, 0, 2}, y[3];
  if (actc_relu_forward(x, y, 3) != 0)
    return 1;
  printf("cpu relu: %g %g %g\n", y[0], y[1], y[2]);
  /* Only where no CUDA driver can be loaded can failure be required. */
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (!driver && actc_relu_forward_cuda(x, y, 3) == 0) {
    printf("FAILED: a CUDA kernel succeeded without a driver\n");
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
