/*
 * lapic.c - each CPU's local APIC: its timer, in one-shot mode, which
 * interrupts the CPU at the next deadline of its timer queue
 * (arch_timer_set, time/timer.c); end-of-interrupt; inter-processor
 * interrupts (start-up, reschedule, TLB shootdown).
 * The registers are memory-mapped at LAPIC_BASE, which the direct map
 * covers.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "boot.h"
#include "mm/phys.h"

#define LAPIC_BASE 0xfee00000UL
#define LAPIC_ID 0x20
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_COUNT 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define SVR_ENABLE 0x100
#define ICR_PENDING (1u << 12)
#define TIMER_MASKED (1u << 16)
#define TIMER_ONE_SHOT 0
#define TIMER_DIV_1 0xb
#define LVT_NMI 0x400
#define LVT_EXTINT 0x700
/* The longest wait programmed at once. A longer one is cut into pieces,
 * each re-measured against the TSC, so an error in the calibration
 * delays an expiry by at most this much times the error (ppm: us). */
#define TIMER_MAX_NS (10 * 1000000UL)

static uint64_t timer_counts_per_ms;   /* set by the boot CPU, same on all */

static volatile uint32_t *reg(uint32_t off)
{
	return (volatile uint32_t *)((uint8_t *)phys_to_virt(LAPIC_BASE) + off);
}

uint32_t lapic_id(void) { return *reg(LAPIC_ID) >> 24; }
void lapic_eoi(void) { *reg(LAPIC_EOI) = 0; }

/* lapic_init_cpu - enable this CPU's APIC (spurious vector 0xff). LINT1
 * takes the machine's NMI (QEMU's monitor "nmi": a hang report) on every
 * CPU, not only on the boot CPU, where SeaBIOS sets it up. The boot
 * CPU's LINT0 takes the 8259s' interrupts (serial input), the
 * "virtual wire" Linux sets up too: qboot leaves it masked. */
void lapic_init_cpu(bool bsp)
{
	*reg(LAPIC_SVR) = SVR_ENABLE | VEC_SPURIOUS;
	if (bsp)
		*reg(LAPIC_LVT_LINT0) = LVT_EXTINT;
	*reg(LAPIC_LVT_LINT1) = LVT_NMI;
	*reg(LAPIC_LVT_TIMER) = TIMER_MASKED;
}

/* lapic_send_ipi - send icr_low (vector and delivery mode) to apic_id
 * and wait until the APIC has taken it. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	*reg(LAPIC_ICR_HIGH) = apic_id << 24;
	*reg(LAPIC_ICR_LOW) = icr_low;
	while (*reg(LAPIC_ICR_LOW) & ICR_PENDING)
		__asm__ volatile("pause");
}

/* lapic_timer_calibrate_start / _end - measure how many timer counts
 * (divide by 1) pass in a millisecond over the window tsc_calibrate
 * times against the PIT, so that the timer costs no wait of its own:
 * start counts down from the top, end reads how far it got in ms. */
void lapic_timer_calibrate_start(void)
{
	*reg(LAPIC_TIMER_DIV) = TIMER_DIV_1;
	*reg(LAPIC_LVT_TIMER) = TIMER_MASKED | TIMER_ONE_SHOT;
	*reg(LAPIC_TIMER_INIT) = 0xffffffff;
}

void lapic_timer_calibrate_end(uint64_t ms)
{
	uint32_t used = 0xffffffff - *reg(LAPIC_TIMER_COUNT);
	*reg(LAPIC_TIMER_INIT) = 0;
	timer_counts_per_ms = MAX((uint64_t)used / ms, 1UL);
}

/* lapic_timer_init_cpu - this CPU's timer in one-shot mode, stopped
 * until arch_timer_set (calibrated already: tsc_calibrate). */
void lapic_timer_init_cpu(void)
{
	*reg(LAPIC_TIMER_DIV) = TIMER_DIV_1;
	*reg(LAPIC_TIMER_INIT) = 0;
	*reg(LAPIC_LVT_TIMER) = TIMER_ONE_SHOT | VEC_LAPIC_TIMER;
}

/* arch_timer_set - interrupt this CPU (VEC_LAPIC_TIMER) when the clock
 * reaches deadline_ns, or at once if it has; 0 stops the timer. A
 * deadline beyond TIMER_MAX_NS interrupts early; the handler then
 * programs the rest. Interrupts off. */
void arch_timer_set(uint64_t deadline_ns)
{
	if (!deadline_ns) {
		*reg(LAPIC_TIMER_INIT) = 0;
		return;
	}
	uint64_t now = arch_clock_ns();
	uint64_t delta = deadline_ns > now ? MIN(deadline_ns - now, TIMER_MAX_NS) : 0;
	uint64_t count = (delta * timer_counts_per_ms + 999999) / 1000000;
	*reg(LAPIC_TIMER_INIT) = (uint32_t)MAX(count, 1UL);
}
