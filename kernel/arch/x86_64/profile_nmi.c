/*
 * profile_nmi.c - the profiler's sampling interrupt (time/profile.h): the
 * 8254 timer's channel 0 as a rate generator, its output (ISA IRQ 0)
 * routed by the I/O APIC as a non-maskable interrupt to the CPU that
 * starts profiling (CPU 0 in the benchmark's one-CPU machine). The other
 * CPUs are not sampled: sent to all (physical destination 0xff), QEMU
 * 7.2 delivered the NMIs to the first CPU only, and forwarding them by
 * IPI from an NMI could break an IPI the interrupted code was sending.
 *
 * Why an NMI: the local APIC timer is an ordinary interrupt, held back
 * while interrupts are off, so it lands on the first instruction that
 * enables them (the user instruction after a system call, typically);
 * every kernel path run with interrupts off would be charged to
 * someone else. An NMI lands where the CPU is. Under QEMU's -icount the
 * 8254 counts virtual time, so the samples come at the same
 * instructions on every run.
 *
 * The I/O APIC sits at QEMU's address for the pc machine, and IRQ 0 is
 * its input 2 there (the MADT's interrupt source override); the 8259
 * keeps IRQ 0 masked (timer.c), so only the NMI is delivered.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "mm/phys.h"

#define IOAPIC_BASE 0xfec00000UL
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define IOAPIC_PIT_PIN 2
#define REDIR_NMI (4u << 8)          /* delivery mode NMI, edge, active high, physical */
#define REDIR_MASKED (1u << 16)
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_CH0_RATE 0x34            /* channel 0, lobyte/hibyte, mode 2 */
#define PIT_HZ 1193182UL
#define PIT_MAX_COUNT 65535UL
#define JITTER_SEED 0x9e3779b97f4a7c15UL

static uint64_t base_count;   /* the period asked for, in 8254 steps */
static uint64_t jitter_state; /* xorshift64: the same sequence on every run */

/* A periodic sampler on a periodic loop (getpid's, 322 instructions)
 * sees the same few phases of it: the samples would depend on the
 * period modulo the loop, not on where the time goes. So each period
 * is drawn between half and one and a half times the one asked for,
 * from a fixed sequence (the runs still repeat). */
static uint64_t next_count(void)
{
	jitter_state ^= jitter_state << 13;
	jitter_state ^= jitter_state >> 7;
	jitter_state ^= jitter_state << 17;
	return base_count / 2 + jitter_state % (base_count + 1);
}

/* pit_load - the 8254's next period: in mode 2 a count written while
 * it counts is loaded at the end of the current period. */
static void pit_load(uint64_t count)
{
	outb(PIT_CH0, count & 0xff);
	outb(PIT_CH0, count >> 8);
}

/* profile_nmi_next - from the profiler's NMI: draw the next period. */
void profile_nmi_next(void)
{
	if (base_count)
		pit_load(next_count());
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	volatile uint32_t *base = phys_to_virt(IOAPIC_BASE);
	base[IOAPIC_REGSEL / 4] = reg;
	base[IOAPIC_WIN / 4] = v;
}

uint64_t arch_profile_timer(uint64_t period_ns)
{
	if (!period_ns) {
		ioapic_write(IOAPIC_REDIR(IOAPIC_PIT_PIN), REDIR_MASKED);
		base_count = 0;
		return 0;
	}
	uint64_t count = (period_ns * PIT_HZ + 500000000UL) / 1000000000UL;
	if (count < 4 || count * 3 / 2 > PIT_MAX_COUNT)
		return 0;
	base_count = count;
	jitter_state = JITTER_SEED;
	outb(PIT_CMD, PIT_CH0_RATE);
	pit_load(next_count());
	ioapic_write(IOAPIC_REDIR(IOAPIC_PIT_PIN) + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REDIR(IOAPIC_PIT_PIN), REDIR_NMI);
	return count * 1000000000UL / PIT_HZ;
}
