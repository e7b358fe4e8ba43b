/* export_selftest.c - runs the self-test of a header written by `dgm export`: the header's own C
 * forward pass on the library's latent rows against the library's output for them. One driver,
 * built two ways:
 *   - on this machine by cc (test/cli_smoke.sh, one header per kind of model);
 *   - for a Cortex-M4F with -DDGM_MCU, started by test/mcu/startup.c and run on QEMU's
 *     mps2-an386 board (make mcu-test).
 * -DDGM_HEADER='"path.h"' names the header. Prints the largest relative difference and exits 0
 * if it is at most 1e-4. No printf: a bare-metal target has none. */
#include DGM_HEADER

#ifdef DGM_MCU
void mcu_puts(const char* s); /* test/mcu/startup.c: semihosting SYS_WRITE0 */
#define PUT(s) mcu_puts(s)
#else
#include <stdio.h>
#define PUT(s) fputs((s), stdout)
#endif

static char* put_str(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}

static char* put_uint(char* p, unsigned long v) {
  char d[24];
  int n = 0;
  do {
    d[n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v);
  while (n) *p++ = d[--n];
  return p;
}

int main(void) {
  static float x[DGM_OUT], scratch[DGM_SCRATCH];
  const float worst = dgm_self_test(x, scratch);
  char line[160], *p = line;
  p = put_str(p, "self-test: ");
  p = put_uint(p, DGM_TEST_N);
  p = put_str(p, " rows of ");
  p = put_uint(p, DGM_OUT);
  p = put_str(p, " outputs, largest relative difference ");
  if (worst <= 1.0f) { /* in units of 1e-9, as an integer */
    p = put_uint(p, (unsigned long)(worst * 1e9f + 0.5f));
    p = put_str(p, "e-9\n");
  } else {
    p = put_str(p, "above 1 (or NaN)\n");
  }
  *p = '\0';
  PUT(line);
  return worst <= 1e-4f ? 0 : 1;
}
