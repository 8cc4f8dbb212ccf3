/*
 * quiesce.c - stopping the other CPUs at safe points (quiesce.h).
 *
 * One CPU at a time owns the stop (quiesce_owner). It asks the others
 * to look (a reschedule IPI also wakes an idle CPU) and waits until each
 * has set its bit in `parked`; a parked CPU spins with interrupts on,
 * so that it still answers TLB shootdowns from CPUs not yet parked, and
 * its tick still runs. Nothing here takes a lock.
 */
#include "proc/quiesce.h"
#include "arch.h"
#include "sys/syscall.h"

int quiesce_owner = -1;          /* atomic: the CPU holding the others, or -1 */
static uint64_t parked;          /* atomic: CPUs waiting in quiesce_point */

static bool quiesce_pending(void)
{
	int owner = __atomic_load_n(&quiesce_owner, __ATOMIC_ACQUIRE);
	return owner >= 0 && owner != arch_cpu_id();
}

void quiesce_park(void)
{
	if (!quiesce_pending())
		return;   /* this CPU is the owner */
	uint64_t bit = 1UL << arch_cpu_id();
	bool irq_on = arch_irq_enabled();
	arch_irq_enable();
	__atomic_or_fetch(&parked, bit, __ATOMIC_ACQ_REL);
	while (quiesce_pending())
		arch_cpu_relax();
	__atomic_and_fetch(&parked, ~bit, __ATOMIC_ACQ_REL);
	if (!irq_on)
		arch_irq_disable();
}

void quiesce_others(void)
{
	int self = arch_cpu_id(), none = -1;
	bool irq_on = arch_irq_enabled();
	arch_irq_enable();
	while (!__atomic_compare_exchange_n(&quiesce_owner, &none, self, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE)) {
		none = -1;
		quiesce_point();   /* another CPU is at it: be one of its stopped CPUs */
	}
	__atomic_add_fetch(&syscall_exit_slow_all, 1, __ATOMIC_SEQ_CST);   /* fast calls look too */
	uint64_t others = ((1UL << arch_ncpus()) - 1) & ~(1UL << self);
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		if (cpu != self)
			arch_send_resched(cpu);
	while ((__atomic_load_n(&parked, __ATOMIC_ACQUIRE) & others) != others)
		arch_cpu_relax();
	if (!irq_on)
		arch_irq_disable();
}

void quiesce_release(void)
{
	__atomic_sub_fetch(&syscall_exit_slow_all, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&quiesce_owner, -1, __ATOMIC_RELEASE);
}
