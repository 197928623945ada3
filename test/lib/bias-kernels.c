/* bias_forward and bias_backward agree with forward and backward applied to
 * x + b, with db the column sums of dx, on matrices small (one thread) and
 * large (parallel row blocks), in place, and with a learnable parameter.
 *
 * RUN: actc %std --act=gelu,prelu -o %t
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -include %t.h %s %t.a %actc-libs -o %t.exe
 * RUN: %t.exe | FileCheck %s
 * CHECK: all checks passed
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void expect(int ok, const char *what) {
  if (!ok) {
    printf("FAILED: %s\n", what);
    ++failures;
  }
}

static int close_to(double a, double b, double tolerance) {
  return fabs(a - b) <= tolerance * (1 + fabs(b));
}

static void check_shape(long rows, long cols) {
  long n = rows * cols;
  float *x = malloc(n * sizeof(float)), *bias = malloc(cols * sizeof(float));
  float *shifted = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
  float *expected = malloc(n * sizeof(float)), *dy = malloc(n * sizeof(float));
  float *dx = malloc(n * sizeof(float)), *db = malloc(cols * sizeof(float));
  for (long c = 0; c < cols; ++c)
    bias[c] = (float)(c % 13) / 4.0f - 1.5f;
  for (long i = 0; i < n; ++i) {
    x[i] = (float)(i % 1001 - 500) / 100.0f;
    shifted[i] = x[i] + bias[i % cols];
    dy[i] = (float)(i % 7 - 3) / 3.0f;
  }

  expect(actc_gelu_bias_forward(x, bias, y, rows, cols) == 0, "bias_forward returns 0");
  expect(actc_gelu_forward(shifted, expected, n) == 0, "forward returns 0");
  expect(memcmp(y, expected, n * sizeof(float)) == 0,
         "bias_forward(x, b) == forward(x + b), bit for bit");

  expect(actc_gelu_backward(shifted, dy, expected, n) == 0, "backward returns 0");
  memcpy(dx, dy, n * sizeof(float)); /* dx aliases dy */
  expect(actc_gelu_bias_backward(x, bias, dx, dx, db, rows, cols) == 0,
         "bias_backward returns 0");
  expect(memcmp(dx, expected, n * sizeof(float)) == 0,
         "bias_backward dx == backward(x + b, dy), in place");
  int sums_ok = 1;
  for (long c = 0; c < cols; ++c) {
    double sum = 0;
    for (long r = 0; r < rows; ++r)
      sum += expected[r * cols + c];
    sums_ok &= close_to(db[c], sum, 1e-6);
  }
  expect(sums_ok, "db is the column sums of dx");

  float d_a = 0, d_a_expected = 0;
  expect(actc_prelu_backward(shifted, dy, expected, n, 0.25f, &d_a_expected) == 0,
         "prelu backward returns 0");
  expect(actc_prelu_bias_backward(x, bias, dy, dx, db, rows, cols, 0.25f, &d_a) == 0,
         "prelu bias_backward returns 0");
  expect(close_to(d_a, d_a_expected, 1e-6), "prelu bias_backward d_a == backward's");
  free(x), free(bias), free(shifted), free(y), free(expected), free(dy), free(dx), free(db);
}

static void bad_arguments(void) {
  float v[4] = {0};
  expect(actc_gelu_bias_forward(v, v, v, -1, 2) == 1, "negative rows returns 1");
  expect(actc_gelu_bias_forward(NULL, v, v, 2, 2) == 2, "null x returns 2");
  expect(actc_gelu_bias_forward(v, v, v, 1L << 20, 1L << 12) == 3,
         "2^32 elements returns 3");
  expect(actc_gelu_bias_forward(NULL, NULL, NULL, 0, 5) == 0, "an empty matrix is fine");
}

int main(void) {
  check_shape(3, 5);       /* one thread, ragged vector tails */
  check_shape(128, 10);    /* the network's last layer */
  check_shape(1000, 300);  /* parallel row blocks */
  check_shape(7000, 10);   /* parallel, narrow rows */
  bad_arguments();
  if (failures == 0)
    printf("all checks passed\n");
  return failures != 0;
}
