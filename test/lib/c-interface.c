/* The generated library from C: the header compiles as C99 with no Halide
 * header anywhere on the include path, links with only libc's companions,
 * and the kernels compute what the language says.
 *
 * RUN: actc %std --act=relu,leaky_relu,elu,prelu -o %t
 * RUN: %cc -std=c99 -Wall -Wextra -Werror -pedantic -include %t.h %s %t.a %actc-libs -o %t.exe
 * RUN: %cxx -std=c++17 -Wall -Wextra -Werror -fsyntax-only -x c++ %t.h
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

/* prelu's backward returns dx and the gradient of its learnable slope a,
 * summed over the elements; dx may alias dy. */
static void backward_with_learned_parameter(void) {
  float x[4] = {-2.0f, -1.0f, 0.5f, 3.0f};
  float dy[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float d_a = -1.0f;
  expect(actc_prelu_backward(x, dy, dy, 4, 0.25f, &d_a) == 0,
         "prelu backward returns 0");
  expect(dy[0] == 0.25f && dy[1] == 0.5f && dy[2] == 3.0f && dy[3] == 4.0f,
         "prelu dx = dy * (x > 0 ? 1 : a), in place");
  expect(d_a == 1.0f * -2.0f + 2.0f * -1.0f, "prelu d_a = sum dy * min(x, 0)");
  expect(actc_prelu_backward(x, dy, dy, 4, 0.25f, NULL) == 2,
         "a null gradient pointer returns 2");
}

/* The slope's gradient at lengths around the sum's vector width and task
 * size (tails of each split): every element counts exactly once. Integer
 * inputs keep each sum exact in double, so the float result is its one
 * rounding. */
static void learned_parameter_sum_lengths(void) {
  static const int64_t lengths[] = {1, 3, 7, 8, 9, 4099, 16383, 16385, 81923};
  static float x[81923], dy[81923];
  for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; ++k) {
    int64_t n = lengths[k];
    double exact = 0;
    for (int64_t i = 0; i < n; ++i) {
      x[i] = -(float)(i % 13 + 1); /* df/da = x below 0 */
      dy[i] = (float)(i % 5 + 1);
      exact += (double)dy[i] * x[i];
    }
    float d_a = 0;
    char what[96];
    snprintf(what, sizeof what, "prelu d_a over n = %lld", (long long)n);
    expect(actc_prelu_backward(x, dy, dy, n, 0.25f, &d_a) == 0 &&
               d_a == (float)exact,
           what);
  }
}

static void bad_arguments(void) {
  float y[1] = {0};
  expect(actc_relu_forward(y, y, -1) == 1, "negative n returns 1");
  expect(actc_relu_forward(NULL, y, 1) == 2, "null x returns 2");
  expect(actc_relu_forward(NULL, NULL, 0) == 0, "n == 0 with null arrays is fine");
  float a = 0.25f;
  expect(actc_prelu_forward_p(y, y, 1, NULL) == 2, "null params returns 2");
  expect(actc_prelu_backward_p(y, y, y, 1, &a, NULL) == 2,
         "null d_params returns 2");
  expect(actc_relu_forward_p(y, y, 1, NULL) == 0,
         "without parameters, params may be null");
}

int main(void) {
  special_values();
  large_parallel_array_in_place();
  backward_with_learned_parameter();
  learned_parameter_sum_lengths();
  bad_arguments();
  if (failures == 0)
    printf("all checks passed\n");
  return failures != 0;
}
