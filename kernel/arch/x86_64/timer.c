/*
 * timer.c - the legacy 8259 interrupt controllers, and the TSC as the
 * nanosecond clock, calibrated against the 8254 timer (PIT) at boot.
 * (Timer interrupts come from each CPU's local APIC: lapic.c.)
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "boot.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE_PORT 0x61
#define PIT_HZ 1193182UL
/* The calibration window: every boot waits it out. 10 ms, as Linux's
 * PIT calibration (CAL_MS): the TSC and the 8254 both follow the host's
 * clock under QEMU, so a longer window buys no accuracy worth its wait;
 * the error is the latency of one port read at each end, a few us. */
#define PIT_CALIBRATE_MS 10

static uint16_t irq_mask = 0xffff;
static uint64_t tsc_at_boot;
static uint64_t tsc_khz;
static uint64_t ns_per_tick_q32;   /* nanoseconds per TSC tick, 32.32 fixed point */

static void pic_write_mask(void)
{
	outb(PIC1_DATA, irq_mask & 0xff);
	outb(PIC2_DATA, irq_mask >> 8);
}

/* pic_init - remap IRQ 0-15 to vectors 32-47, all masked but the cascade. */
void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, VEC_IRQ0);
	outb(PIC2_DATA, VEC_IRQ0 + 8);
	outb(PIC1_DATA, 4);   /* slave on IRQ 2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	irq_mask = 0xffff & ~(1u << 2);
	pic_write_mask();
}

void pic_unmask(int irq)
{
	irq_mask &= ~(1u << irq);
	pic_write_mask();
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

/* tsc_calibrate - count TSC ticks over PIT_CALIBRATE_MS measured by PIT
 * channel 2 in one-shot mode (gate on port 0x61, output polled); the
 * boot CPU's local APIC timer (enabled already) is measured over the
 * same window. */
void tsc_calibrate(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * PIT_CALIBRATE_MS / 1000);
	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);   /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	lapic_timer_calibrate_start();
	uint64_t start = rdtsc();
	while (!(inb(PIT_GATE_PORT) & 0x20))
		__asm__ volatile("pause");
	uint64_t ticks = rdtsc() - start;
	lapic_timer_calibrate_end(PIT_CALIBRATE_MS);
	tsc_khz = ticks / PIT_CALIBRATE_MS;
	if (tsc_khz == 0)
		tsc_khz = 1000000;
	tsc_at_boot = start;
	ns_per_tick_q32 = (1000000UL << 32) / tsc_khz;
}

uint64_t arch_tsc_khz(void) { return tsc_khz; }

extern uint64_t boot_entry_tsc;   /* boot.S, read at _start32 */
uint64_t arch_cycles(void) { return rdtsc(); }
uint64_t arch_entry_cycles(void) { return boot_entry_tsc; }

void tsc_clock_params(uint64_t *base, uint64_t *mult_q32)
{
	*base = tsc_at_boot;
	*mult_q32 = ns_per_tick_q32;
}

/* arch_clock_ns - nanoseconds since calibration, from the TSC. */
uint64_t arch_clock_ns(void)
{
	uint64_t d = rdtsc() - tsc_at_boot;
	return (uint64_t)(((__uint128_t)d * ns_per_tick_q32) >> 32);
}
