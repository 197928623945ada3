/* One library, three CPU targets: each call runs the first target whose
 * features the CPU has (Halide's multi-target wrapper asks its runtime's
 * halide_can_use_target_features, once per pipeline). This program's
 * definition overrides the runtime's and plays a CPU with the features
 * ACTC_TEST_CPU names: avx512, avx2 (the second target runs) or sse41 (the
 * last). All arithmetic is strict IEEE, and the math library uses the same
 * FMAs on AVX2 and AVX-512, so those two compute the same bits
 * (multi-target-avx512.test checks it where the CPU has AVX-512). SSE4.1 has
 * no FMA: its polynomial steps round twice and its results may differ, by at
 * most the sum of both variants' bounds (4 ulps forward, 8 backward, plus
 * 2^-23), which `compare` checks. Every activation whose kernels use the
 * math library is run, forward and backward.
 *
 * The AVX-512 variant runs only where the CPU has it (multi-target-avx512.test
 * runs this program for it); here the AVX2 and SSE4.1 ones.
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=gelu,gelu_tanh,silu,mish,softplus,sigmoid,tanh,elu,selu,celu,logsigmoid,tanhshrink --kernels=forward,backward --target=x86-64-linux-avx512_skylake-avx2-fma-avx-f16c-sse41,x86-64-linux-avx2-fma-avx-f16c-sse41,x86-64-linux-sse41 -o %t/multi
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %t -I %halide-include %s %t/multi.a %actc-libs -o %t/exe
 * RUN: env ACTC_TEST_CPU=avx2 %t/exe run %t/second.bin | FileCheck --check-prefix=SECOND %s
 * RUN: env ACTC_TEST_CPU=sse41 %t/exe run %t/last.bin | FileCheck --check-prefix=LAST %s
 * SECOND: AVX2 used: 1, AVX-512 used: 0, 0 probes in the second round
 * LAST: AVX2 used: 0, AVX-512 used: 0, 0 probes in the second round
 * RUN: %t/exe compare %t/second.bin %t/last.bin | FileCheck --check-prefix=SAME %s
 * SAME: within bounds
 */
#include "multi.h"

#include "HalideRuntime.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the CPU ACTC_TEST_CPU names has `feature`; features that are not
 * the CPU's (strict_float, no_runtime...) it has. */
static int cpuHas(int feature) {
  const char *cpu = getenv("ACTC_TEST_CPU");
  int avx512 = cpu && strcmp(cpu, "avx512") == 0;
  int avx2 = avx512 || (cpu && strcmp(cpu, "avx2") == 0);
  switch (feature) {
  case halide_target_feature_avx512:
  case halide_target_feature_avx512_knl:
  case halide_target_feature_avx512_skylake:
  case halide_target_feature_avx512_cannonlake:
  case halide_target_feature_avx512_sapphirerapids:
    return avx512;
  case halide_target_feature_avx:
  case halide_target_feature_avx2:
  case halide_target_feature_fma:
  case halide_target_feature_f16c:
    return avx2;
  default:
    return 1;
  }
}

static int hasFeature(const uint64_t *features, int feature) {
  return (int)(features[feature / 64] >> (feature % 64) & 1);
}

/* Every probe, and which variants (other than the last, which is never
 * asked for) were accepted. */
static int probes = 0, usedAvx2 = 0, usedAvx512 = 0;

int halide_can_use_target_features(int count, const uint64_t *features) {
  ++probes;
  for (int feature = 0; feature < 64 * count; ++feature)
    if (hasFeature(features, feature) && !cpuHas(feature))
      return 0;
  if (hasFeature(features, halide_target_feature_avx512_skylake))
    usedAvx512 = 1;
  else
    usedAvx2 = 1;
  return 1;
}

enum { N = 100003 };

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
  int firstRound = 0;
  for (int round = 0; round < 2; ++round) { /* The choice is made once. */
    ACTC_MULTI_ACTIVATIONS(RUN_ACTIVATION)
    if (round == 0)
      firstRound = probes;
  }
  if (fclose(file) != 0)
    return 1;
  printf("AVX2 used: %d, AVX-512 used: %d, %d probes in the second round\n",
         usedAvx2, usedAvx512, probes - firstRound);
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
