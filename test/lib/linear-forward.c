/* linear_forward computes y = f(x·w + b) with the sum over k in order, one
 * rounding per step: bit for bit the float32 chain acc = fma(x, w, acc) (or
 * acc = x * w + acc on a target without FMA), then + b, then the forward
 * kernel. Checked on every tile the schedules pick (4 vectors or 1 vector
 * wide, shifted to the last column; blocks of rows cut by the last row), the
 * network's layers, empty matrices, bad arguments, and a double-precision
 * reference. The output is the same with one thread and with two.
 * Fewer than 16 columns take the narrow function (w padded to a vector),
 * whose row blocks run in parallel from 1000 x 100 x 10 on.
 *
 * RUN: actc %std --act=relu,gelu,leaky_relu --kernels=forward,linear_forward -o %t
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -include %t.h %s %t.a %actc-libs -o %t.exe
 * RUN: env HL_NUM_THREADS=1 %t.exe > %t.one
 * RUN: env HL_NUM_THREADS=2 %t.exe > %t.two
 * RUN: FileCheck %s --input-file=%t.two
 * RUN: diff %t.one %t.two
 * CHECK: all checks passed
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void expect(int ok, const char *what, long m, long k, long n) {
  if (!ok) {
    printf("FAILED: %s (m=%ld k=%ld n=%ld)\n", what, m, k, n);
    ++failures;
  }
}

/* Deterministic inputs with varied signs and magnitudes. */
static float value(long i, long salt) {
  return (float)((i * 7919 + salt * 104729) % 2001 - 1000) / 512.0f;
}

/* The activations under test; leaky_relu with a non-default parameter. */
enum { RELU, GELU, LEAKY, NUM_ACTS };
static const char *const names[NUM_ACTS] = {"relu", "gelu", "leaky_relu"};
static const float slope = 0.2f;
/* Bound on |f'|, for the double-precision tolerance. */
static const double lipschitz[NUM_ACTS] = {1.0, 1.13, 1.0};

static int linear(int act, const float *x, const float *w, const float *b,
                  float *y, long m, long k, long n) {
  switch (act) {
  case RELU:
    return actc_relu_linear_forward(x, w, b, y, m, k, n);
  case GELU:
    return actc_gelu_linear_forward(x, w, b, y, m, k, n);
  default:
    return actc_leaky_relu_linear_forward(x, w, b, y, m, k, n, slope);
  }
}

static int forward(int act, const float *x, float *y, long n) {
  switch (act) {
  case RELU:
    return actc_relu_forward(x, y, n);
  case GELU:
    return actc_gelu_forward(x, y, n);
  default:
    return actc_leaky_relu_forward(x, y, n, slope);
  }
}

/* FNV-1a over the bytes of every output, printed so that runs with different
 * thread counts can be compared. */
static uint64_t checksum = 14695981039346656037ull;

static void hash(const float *y, long count) {
  const unsigned char *bytes = (const unsigned char *)y;
  for (long i = 0; i < count * (long)sizeof(float); ++i)
    checksum = (checksum ^ bytes[i]) * 1099511628211ull;
}

static void check_shape(long m, long k, long n) {
  long count = m * n;
  float *x = malloc((m * k + 1) * sizeof(float));
  float *w = malloc((k * n + 1) * sizeof(float));
  float *b = malloc((n + 1) * sizeof(float));
  float *y = malloc((count + 1) * sizeof(float));
  float *again = malloc((count + 1) * sizeof(float));
  float *chain_fma = malloc((count + 1) * sizeof(float));
  float *chain_mul_add = malloc((count + 1) * sizeof(float));
  float *rounded = malloc((count + 1) * sizeof(float));
  float *expected = malloc((count + 1) * sizeof(float));
  float *expected_unfused = malloc((count + 1) * sizeof(float));
  float *reference = malloc((count + 1) * sizeof(float));
  double *scale = malloc((count + 1) * sizeof(double));
  for (long i = 0; i < m * k; ++i)
    x[i] = value(i, 1);
  for (long i = 0; i < k * n; ++i)
    w[i] = value(i, 2);
  for (long j = 0; j < n; ++j)
    b[j] = value(j, 3);

  /* The two float32 chains the kernel may compute, and the exact sum. */
  for (long i = 0; i < m; ++i)
    for (long j = 0; j < n; ++j) {
      float with_fma = 0, with_mul_add = 0;
      double sum = 0, magnitude = fabs(b[j]);
      for (long l = 0; l < k; ++l) {
        float xl = x[i * k + l], wl = w[l * n + j];
        with_fma = fmaf(xl, wl, with_fma);
        with_mul_add = xl * wl + with_mul_add;
        sum += (double)xl * wl;
        magnitude += fabs((double)xl * wl);
      }
      chain_fma[i * n + j] = with_fma + b[j];
      chain_mul_add[i * n + j] = with_mul_add + b[j];
      rounded[i * n + j] = (float)(sum + b[j]);
      scale[i * n + j] = magnitude;
    }

  for (int act = 0; act < NUM_ACTS; ++act) {
    expect(linear(act, x, w, b, y, m, k, n) == 0, names[act], m, k, n);
    hash(y, count);

    expect(forward(act, chain_fma, expected, count) == 0 &&
               forward(act, chain_mul_add, expected_unfused, count) == 0 &&
               forward(act, rounded, reference, count) == 0,
           "forward returns 0", m, k, n);
    expect(memcmp(y, expected, count * sizeof(float)) == 0 ||
               memcmp(y, expected_unfused, count * sizeof(float)) == 0,
           "y == f(sum in k order + b), bit for bit", m, k, n);

    /* Against double precision: the float sum is within k + 1 roundings of
     * the exact one, times how much f can stretch that. */
    int close = 1;
    for (long i = 0; i < count; ++i) {
      double tolerance = lipschitz[act] * (k + 2) * ldexp(scale[i], -24) +
                         ldexp(fabs(reference[i]), -21) + 1e-30;
      close &= fabs(y[i] - reference[i]) <= tolerance;
    }
    expect(close, "y is x·w + b then f, to float precision", m, k, n);

    expect(linear(act, x, w, b, again, m, k, n) == 0, names[act], m, k, n);
    expect(memcmp(y, again, count * sizeof(float)) == 0,
           "a second run gives the same bits", m, k, n);
  }
  free(x), free(w), free(b), free(y), free(again), free(chain_fma);
  free(chain_mul_add), free(rounded), free(expected), free(expected_unfused);
  free(reference), free(scale);
}

static void empty_and_bad_arguments(void) {
  float v[8] = {1, -2, 3, -4, 5, -6, 7, -8}, y[8];
  const long big = 1L << 16;
  expect(actc_relu_linear_forward(v, v, v, y, -1, 2, 2) == 1, "negative m returns 1", -1, 2, 2);
  expect(actc_relu_linear_forward(v, v, v, y, 2, -1, 2) == 1, "negative k returns 1", 2, -1, 2);
  expect(actc_relu_linear_forward(v, v, v, y, 2, 2, -1) == 1, "negative n returns 1", 2, 2, -1);
  expect(actc_relu_linear_forward(NULL, v, v, y, 2, 2, 2) == 2, "null x returns 2", 2, 2, 2);
  expect(actc_relu_linear_forward(v, NULL, v, y, 2, 2, 2) == 2, "null w returns 2", 2, 2, 2);
  expect(actc_relu_linear_forward(v, v, NULL, y, 2, 2, 2) == 2, "null b returns 2", 2, 2, 2);
  expect(actc_relu_linear_forward(v, v, v, NULL, 2, 2, 2) == 2, "null y returns 2", 2, 2, 2);
  expect(actc_relu_linear_forward(v, v, v, y, big, big, 1) == 3, "m·k = 2^32 returns 3", big, big, 1);
  expect(actc_relu_linear_forward(v, v, v, y, 1, big, big) == 3, "k·n = 2^32 returns 3", 1, big, big);
  expect(actc_relu_linear_forward(v, v, v, y, big, 1, big) == 3, "m·n = 2^32 returns 3", big, 1, big);
  expect(actc_relu_linear_forward(v, v, v, y, 1L << 40, 0, 1) == 3,
         "m = 2^40 returns 3 even with k = 0", 1L << 40, 0, 1);

  /* No output: nothing is read, and arrays without elements may be null. */
  expect(actc_relu_linear_forward(NULL, v, v, NULL, 0, 2, 2) == 0, "m = 0 is fine", 0, 2, 2);
  expect(actc_relu_linear_forward(v, NULL, NULL, NULL, 2, 0, 0) == 0, "n = 0 is fine", 2, 0, 0);
  /* k = 0: y = f(b) in every row. */
  memset(y, 0, sizeof y);
  expect(actc_leaky_relu_linear_forward(NULL, NULL, v, y, 2, 0, 3, slope) == 0,
         "k = 0 with null x and w returns 0", 2, 0, 3);
  int rows_are_f_of_b = 1;
  for (long i = 0; i < 2; ++i)
    for (long j = 0; j < 3; ++j)
      rows_are_f_of_b &= y[i * 3 + j] == (v[j] > 0 ? v[j] : slope * v[j]);
  expect(rows_are_f_of_b, "k = 0 gives f(b)", 2, 0, 3);
}

int main(void) {
  static const long shapes[][3] = {
      {128, 784, 256}, {128, 256, 128}, {128, 128, 10}, /* the network */
      {1, 1, 1},       {3, 17, 5},      {17, 3, 17},    {5, 784, 130},
      {7, 33, 65},     {6, 1, 64},      {13, 128, 17},  {9, 5, 8},
      {2, 3, 4},       {784, 17, 1},    {1, 784, 3},    {17, 17, 17},
      {200, 9, 70},    {33, 40, 15},   {33, 40, 16},   {1000, 100, 10},
  };
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s)
    check_shape(shapes[s][0], shapes[s][1], shapes[s][2]);
  empty_and_bad_arguments();
  printf("checksum %016llx\n", (unsigned long long)checksum);
  if (failures == 0)
    printf("all checks passed\n");
  return failures != 0;
}
