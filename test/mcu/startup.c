/* startup.c - a bare-metal start for a Cortex-M4F on QEMU's mps2-an386 board (make mcu-test):
 * the vector table, copying .data from flash and zeroing .bss (addresses from mps2.ld), the FPU
 * switched on, main() called, and ARM semihosting for the one line of output and the exit status
 * (qemu-system-arm -semihosting-config enable=on). No C library start-up code is used. */
#include <stdint.h>

extern int main(void);
extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;

/* An ARM semihosting call: operation in r0, argument block in r1, breakpoint 0xab (Thumb). */
static int semihost(int op, const void* arg) {
  register int r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void mcu_puts(const char* s) { semihost(0x04, s); } /* SYS_WRITE0 */

static void mcu_exit(int code) {
  const uint32_t block[2] = {0x20026u, (uint32_t)code}; /* ADP_Stopped_ApplicationExit, status */
  semihost(0x20, block);                                /* SYS_EXIT_EXTENDED */
  for (;;) {
  }
}

void reset_handler(void) {
  uint32_t* s = &__data_load;
  uint32_t* d = &__data_start;
  while (d < &__data_end) *d++ = *s++;
  for (d = &__bss_start; d < &__bss_end;) *d++ = 0;
  *(volatile uint32_t*)0xE000ED88u |= 0xFu << 20; /* CPACR: full access to CP10/CP11, the FPU */
  __asm__ volatile("dsb\n\tisb");
  mcu_exit(main());
}

static void fault(void) {
  mcu_puts("fault\n");
  mcu_exit(3);
}

/* The vector table: the initial stack pointer, then reset, NMI, HardFault, MemManage, BusFault,
 * UsageFault, 4 reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick. */
typedef union {
  uint32_t* stack;
  void (*handler)(void);
} vector_t;
__attribute__((section(".vectors"), used)) static const vector_t vectors[16] = {
    {.stack = &__stack_top}, {.handler = reset_handler}, {.handler = fault}, {.handler = fault},
    {.handler = fault},      {.handler = fault},         {.handler = fault}, {0},
    {0},                     {0},                        {0},                {.handler = fault},
    {.handler = fault},      {0},                        {.handler = fault}, {.handler = fault}};
