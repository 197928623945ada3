/* Calls the kernels generated from squareplus.act through their C header.
 * Build: see README.md (actc squareplus.act -o squareplus, then cc). */
#include "squareplus.h"

#include <stdio.h>

int main(void) {
  enum { N = 7 };
  const float x[N] = {-4, -2, -1, 0, 1, 2, 4};
  float squareplus[N], swish[N], mixed[N];
  if (actc_squareplus_forward(x, squareplus, N, 4.0f) != 0 ||
      actc_swish_forward(x, swish, N, 1.0f) != 0 ||
      actc_gelu_silu_forward(x, mixed, N) != 0) {
    fprintf(stderr, "a kernel failed\n");
    return 1;
  }
  printf("%6s %12s %12s %12s\n", "x", "squareplus", "swish", "gelu_silu");
  for (int i = 0; i < N; ++i)
    printf("%6g %12.7f %12.7f %12.7f\n", x[i], squareplus[i], swish[i],
           mixed[i]);
  return 0;
}
