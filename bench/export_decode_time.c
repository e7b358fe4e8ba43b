/* export_decode_time.c - microseconds per sample of a header written by `dgm export`: its
 * PREFIX_decode run on the header's self-test rows, timed in this process's CPU time (so a loaded
 * machine slows the figure less than wall time would), best of 5 batches of >= 0.1 CPU s each.
 * Built by `make bench` with cc -O2 (no -march): -DDGM_HEADER='"path.h"'. */
#define _POSIX_C_SOURCE 199309L
#include DGM_HEADER
#include <stdio.h>
#include <time.h>

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void) {
  static float x[DGM_OUT], scratch[DGM_SCRATCH];
  double best = 1e30, sink = 0;
  int b, r;
  for (b = 0; b < 5; ++b) {
    long n = 0;
    const double t0 = cpu_now();
    double el;
    do {
      for (r = 0; r < DGM_TEST_N; ++r, ++n) {
        dgm_decode(dgm_test_z + (long)r * DGM_LATENT, 0, x, scratch);
        sink += x[n % DGM_OUT];
      }
      el = cpu_now() - t0;
    } while (el < 0.1);
    if (el / (double)n < best) best = el / (double)n;
  }
  printf("exported decoder (%d-%d): %.1f us CPU per sample, self-test %.2g%s\n", DGM_LATENT, DGM_OUT,
         best * 1e6, (double)dgm_self_test(x, scratch), sink == 12345.678 ? " " : "");
  return 0;
}
