/* Two actc libraries link into one program (each carries a Halide runtime,
 * whose symbols are weak; libactc_rt's halide_error, which does not abort,
 * replaces the runtimes'), and both work; a failing CUDA kernel still
 * returns its code instead of aborting.
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=relu -o %t/first
 * RUN: actc %std --act=elu --target=host,cuda -o %t/second
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %t %s %t/first.a %t/second.a %actc-libs -o %t/exe
 * RUN: %t/exe | FileCheck %s
 * CHECK: relu(-1) = 0, elu(-1) = -0.632121
 * CHECK: all checks passed
 */
#include "first.h"
#include "second.h"

#include <dlfcn.h>
#include <stdio.h>

int main(void) {
  float x = -1, r, e;
  if (actc_relu_forward(&x, &r, 1) != 0 || actc_elu_forward(&x, &e, 1, 1.0f) != 0)
    return 1;
  printf("relu(-1) = %g, elu(-1) = %f\n", r, e);
  if (!dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL) &&
      actc_elu_forward_cuda(&x, &e, 1, 1.0f) == 0)
    return 1;
  printf("all checks passed\n");
  return 0;
}
