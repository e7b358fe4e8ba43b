/* export_selftest.c - compiles a header written by `dgm export` as plain C99 and runs its
 * self-test: the header's own decode of the library's latent rows against the library's output
 * (test/cli_smoke.sh builds it with -DDGM_HEADER='"path.h"' for each kind of model).
 * Prints the largest relative difference; exit 0 if it is at most 1e-4. */
#include <stdio.h>

#include DGM_HEADER

int main(void) {
  static float x[DGM_OUT], scratch[DGM_SCRATCH];
  const float worst = dgm_self_test(x, scratch);
  printf("self-test: %d rows of %d outputs, largest relative difference %g\n", DGM_TEST_N, DGM_OUT, (double)worst);
  return worst <= 1e-4f ? 0 : 1;
}
