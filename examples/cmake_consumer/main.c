/* Calls the activations of acts/ through the header actc generated. */
#include "my_acts.h"

#include <stdio.h>

int main(void) {
  float x[3] = {-1.0f, 0.0f, 2.0f}, swish[3], serf[3], ones[3] = {1, 1, 1};
  float slope[3], d_beta = 0;
  if (actc_swish_forward(x, swish, 3, 1.0f) != 0 ||
      actc_serf_forward(x, serf, 3) != 0 ||
      actc_swish_backward(x, ones, slope, 3, 1.0f, &d_beta) != 0)
    return 1;
  for (int i = 0; i < 3; ++i)
    printf("x = %g: swish %.6f, serf %.6f, swish' %.6f\n", x[i], swish[i],
           serf[i], slope[i]);
  printf("d_beta = %.6f\n", d_beta);
  return 0;
}
