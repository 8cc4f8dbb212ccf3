/*
 * nmi.c - the non-maskable interrupt: how a hang report reaches every
 * CPU, even one spinning with interrupts off (proc/hang.c decides what
 * is printed), and the profiler's samples. It runs on its own stack (IST_NMI) and may interrupt the
 * one instruction of syscall_entry before swapgs, or of syscall_return
 * after it: %gs then holds the user's base, which the handler swaps for
 * its own while it runs.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "proc/hang.h"
#include "time/profile.h"

#define ICR_NMI 0x400                 /* delivery mode: NMI */
#define ICR_ALL_INCLUDING_SELF 0x80000

static bool hang_nmi_sent[ARCH_MAX_CPUS];   /* arch_nmi_all_cpus asked for a report */

/* nmi_handler - a profiler sample (profile_nmi.c) once the profiler has
 * been used, unless arch_nmi_all_cpus sent it; else the hang report of
 * this CPU. (One of the profiler's may still arrive just after it
 * stops; an NMI from outside, QEMU's monitor, is then taken for one.)
 * Interrupts off; never sleeps. */
void nmi_handler(struct trapframe *tf)
{
	bool user_gs = (int64_t)rdmsr(MSR_GS_BASE) >= 0;   /* not the per-CPU area */
	if (user_gs)
		__asm__ volatile("swapgs" ::: "memory");
	struct percpu *cpu = this_cpu();
	if (!__atomic_exchange_n(&hang_nmi_sent[cpu->cpu_id], false, __ATOMIC_ACQ_REL) && profile_used()) {
		cpu->irq_tf = tf;
		profile_sample();
		cpu->irq_tf = NULL;
		profile_nmi_next();
	} else {
		hang_report_cpu(tf);
	}
	if (user_gs)
		__asm__ volatile("swapgs" ::: "memory");
}

/* arch_nmi_all_cpus - every CPU, this one included, takes an NMI. */
void arch_nmi_all_cpus(void)
{
	for (int c = 0; c < ARCH_MAX_CPUS; c++)
		__atomic_store_n(&hang_nmi_sent[c], true, __ATOMIC_RELEASE);
	lapic_send_ipi(0, ICR_NMI | ICR_ALL_INCLUDING_SELF);
}

/* arch_report_interrupted - where the NMI found this CPU: user mode
 * (the instruction), or the kernel (registers and backtrace). */
void arch_report_interrupted(const struct trapframe *tf)
{
	if (tf->cs & 3) {
		printk(LOG_ERR, "in user mode at 0x%lx\n", tf->rip);
		return;
	}
	printk(LOG_ERR, "in the kernel, interrupts %s\n", (tf->rflags & RFLAGS_IF) ? "on" : "off");
	dump_trapframe(tf);
	backtrace_from(tf->rbp, tf->rip);
}

/* arch_backtrace_switched_out - the stack of a task switched out by
 * arch_switch: its context holds r15 r14 r13 r12 rbx rbp, return address. */
void arch_backtrace_switched_out(const struct context *ctx)
{
	const uint64_t *saved = (const uint64_t *)ctx;
	if ((uint64_t)ctx < 0xffff800000000000UL)
		return;
	backtrace_from(saved[5], saved[6]);
}
