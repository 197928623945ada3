/* The packed functions (NAME_p) compute what the typed ones do, check their
 * arrays, and the header's registry (ACTC_<BASE>_KERNELS, _MANIFEST) names
 * every one of them.
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=elu,prelu -o %t/reg
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %t %s %t/reg.a %actc-libs -o %t/exe
 * RUN: %t/exe | FileCheck %s
 * CHECK: registry: elu forward
 * CHECK: registry: prelu linear_forward
 * CHECK: 10 packed functions
 * CHECK: elu: 1 parameters (1 learnable 0), default 1
 * CHECK: prelu: 1 parameters (1 learnable 1), default 0.25
 * CHECK: all checks passed
 */
#include "reg.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

static void expect(int ok, const char *what) {
  if (!ok) {
    printf("FAILED: %s\n", what);
    ++failures;
  }
}

#define ENTRY(activation, kernel)                                              \
  printf("registry: %s %s\n", #activation, #kernel);                           \
  ++count;

int main(void) {
  int count = 0;
  ACTC_REG_KERNELS(ENTRY)
  printf("%d packed functions\n", count);
#define ACTIVATION(name, parameters, learnable, ...)                           \
  {                                                                            \
    const float defaults[] = {__VA_ARGS__};                                    \
    printf("%s: %d parameters (%d learnable %d), default %g\n", #name,          \
           parameters, parameters, learnable, defaults[0]);                    \
  }
  ACTC_REG_ACTIVATIONS(ACTIVATION)
  expect(ACTC_ABI_VERSION == 1, "ABI version 1");
  expect(strstr(ACTC_REG_MANIFEST, "\"abi_version\":1") != NULL, "manifest ABI");
  expect(strstr(ACTC_REG_MANIFEST, "\"name\":\"alpha\"") != NULL, "manifest params");

  enum { N = 37 };
  float x[N], y[N], yp[N], dy[N], dx[N], dxp[N];
  for (int i = 0; i < N; ++i) {
    x[i] = (float)(i - 18) / 4.0f;
    dy[i] = 1.0f + (float)i / 8.0f;
  }
  /* elu with alpha = 0.5, typed and packed. */
  float alpha[1] = {0.5f};
  expect(actc_elu_forward(x, y, N, 0.5f) == 0, "elu typed");
  expect(actc_elu_forward_p(x, yp, N, alpha) == 0, "elu packed");
  expect(memcmp(y, yp, sizeof y) == 0, "elu packed == typed");
  expect(actc_elu_forward_p(x, yp, N, NULL) == 2, "null params");

  /* prelu's learnable slope: its gradient through d_params. */
  float a[1] = {0.1f}, da = 0, dap[1] = {0};
  expect(actc_prelu_backward(x, dy, dx, N, 0.1f, &da) == 0, "prelu typed");
  expect(actc_prelu_backward_p(x, dy, dxp, N, a, dap) == 0, "prelu packed");
  expect(memcmp(dx, dxp, sizeof dx) == 0, "prelu dx packed == typed");
  expect(da == dap[0], "prelu d_a packed == typed");
  expect(actc_prelu_backward_p(x, dy, dxp, N, a, NULL) == 2, "null d_params");

  float b[N], db[N];
  for (int i = 0; i < N; ++i)
    b[i] = 0.25f;
  expect(actc_prelu_bias_backward_p(x, b, dy, dxp, db, 1, N, a, dap) == 0,
         "bias_backward packed");
  if (failures == 0)
    printf("all checks passed\n");
  return failures != 0;
}
