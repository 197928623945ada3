/* The generated library from C: the header compiles as C99 with no Halide
 * header anywhere on the include path, links with only libc's companions,
 * and the kernels compute what the language says.
 *
 * RUN: actc %std --act=relu,leaky_relu,elu -o %t
 * RUN: %cc -std=c99 -Wall -Wextra -Werror -pedantic -include %t.h %s %t.a -lpthread -ldl -lm -o %t.exe
 * RUN: %t.exe | FileCheck %s
 * CHECK: all checks passed
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int failures = 0;

static void expect(int ok, const char *what) {
  if (!ok) {
    printf("FAILED: %s\n", what);
    ++failures;
  }
}

static int same(float a, float b) {
  return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

static void special_values(void) {
  const float x[6] = {-2.0f, -0.0f, 0.0f, 3.5f, NAN, INFINITY};
  float y[6];
  expect(actc_relu_forward(x, y, 6) == 0, "relu returns 0");
  expect(same(y[0], 0.0f) && same(y[3], 3.5f) && same(y[5], INFINITY),
         "relu values");
  expect(isnan(y[4]), "relu(NaN) is NaN");

  expect(actc_leaky_relu_forward(x, y, 6, 0.01f) == 0, "leaky_relu returns 0");
  expect(y[0] == -2.0f * 0.01f && y[3] == 3.5f, "leaky_relu default slope");
  expect(actc_leaky_relu_forward(x, y, 6, 0.5f) == 0 && y[0] == -1.0f,
         "leaky_relu parameter is a run-time argument");
}

static void large_parallel_array_in_place(void) {
  const long n = 3 * 1000 * 1000 + 7; /* Not a multiple of any vector width. */
  float *x = malloc(n * sizeof(float));
  float *expected = malloc(n * sizeof(float));
  for (long i = 0; i < n; ++i) {
    x[i] = (float)(i % 2001 - 1000) / 100.0f;
    expected[i] = x[i] > 0 ? x[i] : 0.5f * expm1f(x[i]);
  }
  expect(actc_elu_forward(x, x, n, 0.5f) == 0, "elu in place returns 0");
  long bad = 0;
  for (long i = 0; i < n; ++i)
    bad += fabsf(x[i] - expected[i]) > 2e-6f * (1 + fabsf(expected[i]));
  expect(bad == 0, "elu in place over 3M elements matches expm1f");
  free(x);
  free(expected);
}

static void bad_arguments(void) {
  float y[1];
  expect(actc_relu_forward(y, y, -1) == 1, "negative n returns 1");
  expect(actc_relu_forward(NULL, y, 1) == 2, "null x returns 2");
  expect(actc_relu_forward(NULL, NULL, 0) == 0, "n == 0 with null arrays is fine");
}

int main(void) {
  special_values();
  large_parallel_array_in_place();
  bad_arguments();
  if (failures == 0)
    printf("all checks passed\n");
  return failures != 0;
}
