/* A plugin made by --emit=plugin: dlopen finds actc_manifest() and every
 * packed kernel the manifest names, and exports nothing else (its Halide
 * runtime stays private).
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=relu,elu --emit=plugin -o %t/acts
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %S/../../include %s -ldl -o %t/exe
 * RUN: %t/exe %t/acts.so | FileCheck %s
 * CHECK: manifest: {"abi_version":1,
 * CHECK-SAME: "name":"elu","params":[{"default":1,"learnable":false,"name":"alpha"}]
 * CHECK: relu(-2, 3) = 0 3
 * CHECK: elu(-1) = -0.632121
 * CHECK: all checks passed
 *
 * RUN: nm -D --defined-only %t/acts.so | FileCheck --check-prefix=EXPORTS %s
 * EXPORTS-DAG: T actc_manifest
 * EXPORTS-DAG: T actc_relu_forward
 * EXPORTS-DAG: T actc_relu_forward_p
 * EXPORTS-DAG: T actc_elu_bias_backward_p
 * RUN: nm -D --defined-only %t/acts.so | grep -c . | FileCheck --check-prefix=COUNT %s
 * COUNT: 21
 */
#include "actc/abi.h"

#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  void *plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!plugin) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  const char *(*manifest)(void) =
      (const char *(*)(void))dlsym(plugin, "actc_manifest");
  actc_forward_fn relu = (actc_forward_fn)dlsym(plugin, "actc_relu_forward_p");
  actc_forward_fn elu = (actc_forward_fn)dlsym(plugin, "actc_elu_forward_p");
  if (!manifest || !relu || !elu || dlsym(plugin, "halide_malloc")) {
    printf("FAILED: symbols\n");
    return 1;
  }
  printf("manifest: %s\n", manifest());
  float x[2] = {-2, 3}, y[2];
  float alpha[1] = {1.0f};
  if (relu(x, y, 2, NULL) != 0)
    return 1;
  printf("relu(-2, 3) = %g %g\n", y[0], y[1]);
  float minus1 = -1, e;
  if (elu(&minus1, &e, 1, alpha) != 0)
    return 1;
  printf("elu(-1) = %f\n", e);
  printf("all checks passed\n");
  return 0;
}
