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

#if defined(DGM_MCU) && DGM_CLASSES == 0
/* One decode timed by the Cortex-M SysTick counter (24 bits, counting down at the core clock).
 * QEMU models no cycle counter: make mcu-test runs it with -icount shift=0, where virtual time
 * advances 1 ns per instruction and mps2-an386's 25 MHz clock makes one tick 40 instructions,
 * so the figure printed is instructions executed (an estimate, not cycles of a real core). */
#define SYST_CSR (*(volatile unsigned long*)0xE000E010ul)
#define SYST_RVR (*(volatile unsigned long*)0xE000E014ul)
#define SYST_CVR (*(volatile unsigned long*)0xE000E018ul)
static unsigned long decode_ticks(float* x, float* scratch) {
  unsigned long t0, t1;
  SYST_RVR = 0xFFFFFFul;
  SYST_CVR = 0ul;
  SYST_CSR = 5ul; /* enabled, core clock, no interrupt */
  t0 = SYST_CVR;
  dgm_decode(dgm_test_z, 0, x, scratch);
  t1 = SYST_CVR;
  SYST_CSR = 0ul;
  return (t0 - t1) & 0xFFFFFFul;
}
#endif

int main(void) {
  static float x[DGM_OUT], scratch[DGM_SCRATCH];
  const float worst = dgm_self_test(x, scratch);
  char line[160], *p = line;
#if defined(DGM_MCU) && DGM_CLASSES == 0
  {
    const unsigned long ticks = decode_ticks(x, scratch);
    char tl[120], *q = tl;
    q = put_str(q, "one decode: ");
    q = put_uint(q, ticks);
    q = put_str(q, " SysTick ticks (x 40 = instructions under QEMU -icount shift=0)\n");
    *q = '\0';
    PUT(tl);
  }
#endif
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
