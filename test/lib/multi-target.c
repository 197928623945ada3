/* One library, three CPU targets: each call runs the first target whose
 * features the CPU has (asked once, in order). ACTC_TEST_ACCEPT makes this
 * program's halide_can_use_target_features (which overrides the runtime's)
 * accept only that probe (1-based; 0 accepts none, so the last target runs).
 * Every variant computes the same bits: all arithmetic is strict IEEE, with
 * no FMA contraction on the targets that have FMA.
 *
 * RUN: rm -rf %t && mkdir -p %t
 * RUN: actc %std --act=gelu,silu --target=x86-64-linux-avx512_skylake-avx2-fma-avx-f16c-sse41,x86-64-linux-avx2-fma-avx-f16c-sse41,x86-64-linux-sse41 -o %t/multi
 * RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror -I %t %s %t/multi.a -lpthread -ldl -lm -o %t/exe
 * RUN: env ACTC_TEST_ACCEPT=1 %t/exe run %t/first.bin | FileCheck --check-prefix=FIRST %s
 * RUN: env ACTC_TEST_ACCEPT=2 %t/exe run %t/second.bin | FileCheck --check-prefix=SECOND %s
 * RUN: env ACTC_TEST_ACCEPT=0 %t/exe run %t/last.bin | FileCheck --check-prefix=LAST %s
 * FIRST: 1 probes
 * SECOND: 2 probes
 * LAST: 2 probes
 * RUN: cmp %t/first.bin %t/second.bin
 * RUN: cmp %t/first.bin %t/last.bin
 */
#include "multi.h"

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

/* gelu forward and silu backward over [-50, 50], written to `path`. */
static int run(const char *path) {
  static float x[N], y[2 * N];
  for (int i = 0; i < N; ++i)
    x[i] = (float)(i - N / 2) / 1000.0f;
  for (int round = 0; round < 2; ++round) /* The choice is made once. */
    if (actc_gelu_forward(x, y, N) != 0 || actc_silu_backward(x, x, y + N, N) != 0)
      return 1;
  FILE *out = fopen(path, "wb");
  if (!out || fwrite(y, sizeof y, 1, out) != 1 || fclose(out) != 0)
    return 1;
  printf("%d probes\n", probes);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "run") == 0)
    return run(argv[2]);
  return 2;
}
