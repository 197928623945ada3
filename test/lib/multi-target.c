/* One library, three CPU targets: each call runs the first target whose
 * features the CPU has (asked once, in order). ACTC_TEST_ACCEPT makes this
 * program's halide_can_use_target_features (which overrides the runtime's)
 * accept only that probe (1-based; 0 accepts none, so the last target runs).
 * All arithmetic is strict IEEE, and the math library uses the same FMAs on
 * AVX2 and AVX-512, so those two compute the same bits (multi-target-
 * avx512.test checks it where the CPU has AVX-512). SSE4.1 has no FMA: its
 * polynomial steps round twice and its results may differ, by at most the
 * sum of both variants' bounds (4 ulps forward, 8 backward, plus 2^-23), which
 * `compare` checks. Every activation whose kernels use the math library is
 * run, forward and backward.
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=gelu,gelu_tanh,silu,mish,softplus,sigmoid,tanh,elu,selu,celu,logsigmoid,tanhshrink --kernels=forward,backward --target=x86-64-linux-avx512_skylake-avx2-fma-avx-f16c-sse41,x86-64-linux-avx2-fma-avx-f16c-sse41,x86-64-linux-sse41 -o %t/multi
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %t %s %t/multi.a -lpthread -ldl -lm -o %t/exe
 * RUN: env ACTC_TEST_ACCEPT=2 %t/exe run %t/second.bin | FileCheck --check-prefix=SECOND %s
 * RUN: env ACTC_TEST_ACCEPT=0 %t/exe run %t/last.bin | FileCheck --check-prefix=LAST %s
 * SECOND: 2 probes
 * LAST: 2 probes
 * RUN: %t/exe compare %t/second.bin %t/last.bin | FileCheck --check-prefix=SAME %s
 * SAME: within bounds
 */
#include "multi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 100003 };

static int probes = 0;

int halide_can_use_target_features(int count, const uint64_t *features) {
  (void)count;
  (void)features;
  const char *accept = getenv("ACTC_TEST_ACCEPT");
  return ++probes == (accept ? atoi(accept) : 1);
}

/* Each activation's forward and backward (dy = x) over [-50, 50] in steps of
 * 0.001, and the special values, written to `path`. */
enum { SPECIALS = 8 };
static float x[N + SPECIALS], out[2 * (N + SPECIALS)];

static int write(FILE *file, int64_t n) {
  return fwrite(out, sizeof(float), (size_t)(2 * n), file) == (size_t)(2 * n)
             ? 0
             : 1;
}

#define RUN_ACTIVATION(name, nparams, nlearnable, ...)                        \
  {                                                                           \
    static const float params[] = {0, __VA_ARGS__};                           \
    float d_params[8];                                                        \
    int64_t n = N + SPECIALS;                                                 \
    if (actc_##name##_forward_p(x, out, n, params + 1) != 0 ||               \
        actc_##name##_backward_p(x, x, out + n, n, params + 1, d_params) !=   \
            0 ||                                                              \
        write(file, n) != 0)                                                  \
      return 1;                                                               \
  }

static int run(const char *path) {
  const float specials[SPECIALS] = {0.0f, -0.0f,  INFINITY, -INFINITY,
                                    NAN,  1e-40f, 3e38f,    -3e38f};
  for (int i = 0; i < N; ++i)
    x[i] = (float)(i - N / 2) / 1000.0f;
  memcpy(x + N, specials, sizeof specials);
  FILE *file = fopen(path, "wb");
  if (!file)
    return 1;
  for (int round = 0; round < 2; ++round) { /* The choice is made once. */
    ACTC_MULTI_ACTIVATIONS(RUN_ACTIVATION)
  }
  if (fclose(file) != 0)
    return 1;
  printf("%d probes\n", probes);
  return 0;
}

/* |a - b| in ulps of max(|a|, |b|, 2^-126): 0 for equal values and NaN vs
 * NaN, a huge number for NaN vs a number or infinities that differ. */
static double ulps(float a, float b) {
  if (isnan(a) || isnan(b))
    return isnan(a) && isnan(b) ? 0 : 1e30;
  if (a == b)
    return 0;
  if (isinf(a) || isinf(b))
    return 1e30;
  double m = fmax(fmax(fabs(a), fabs(b)), 0x1p-126);
  int e;
  frexp(m, &e);
  return fabs((double)a - (double)b) / ldexp(1.0, e - 24);
}

/* Each value of one file within the bound of the other's: every activation
 * writes n forward values, then n backward ones. */
static int compare(const char *pathA, const char *pathB) {
  enum { VALUES = 2 * (N + SPECIALS) };
  static float a[VALUES], b[VALUES];
  FILE *fa = fopen(pathA, "rb"), *fb = fopen(pathB, "rb");
  if (!fa || !fb)
    return 1;
  int blocks = 0;
  while (fread(a, sizeof(float), VALUES, fa) == VALUES) {
    if (fread(b, sizeof(float), VALUES, fb) != VALUES)
      return 1;
    for (int i = 0; i < VALUES; ++i) {
      int backward = i >= N + SPECIALS;
      double bound = backward ? 8.0 : 4.0;
      double tiny = fabs((double)a[i] - (double)b[i]) <= 0x1p-23 && backward;
      if (ulps(a[i], b[i]) > bound && !tiny) {
        printf("block %d value %d: %.9g against %.9g\n", blocks, i, a[i],
               b[i]);
        return 1;
      }
    }
    ++blocks;
  }
  fclose(fa);
  fclose(fb);
  printf("%d blocks within bounds\n", blocks);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "run") == 0)
    return run(argv[2]);
  if (argc == 4 && strcmp(argv[1], "compare") == 0)
    return compare(argv[2], argv[3]);
  return 2;
}
