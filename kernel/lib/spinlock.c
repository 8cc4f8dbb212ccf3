/*
 * spinlock.c - spinning locks that also mask interrupts on this CPU,
 * so an interrupt handler can never spin on a lock its own CPU holds.
 */
#include "lib/spinlock.h"
#include "lib/console.h"
#include "lib/lockorder.h"
#include "arch.h"

/* A wait this long for one spinlock is a deadlock, or a host that
 * starved a CPU for as long: either way, worth a hang report (once). */
#define SPIN_REPORT_NS (10 * 1000000000UL)
#define SPIN_CHECK_EVERY 4096   /* spins between looks at the clock */

static bool lockup_reported;    /* atomic */

/* The clock part of spinning: *since is when the wait began (0: not
 * yet noted). Past SPIN_REPORT_NS, every CPU reports where it is. */
static void spin_check_lockup(struct spinlock *l, uint64_t *since)
{
	uint64_t now = arch_clock_ns();
	if (!*since) {
		*since = now;
		return;
	}
	if (now - *since < SPIN_REPORT_NS || __atomic_exchange_n(&lockup_reported, true, __ATOMIC_ACQ_REL))
		return;
	console_emergency(true);
	printk(LOG_ERR, "\nspin_lock: CPU %d has waited %lu s for %s, held by CPU %d\n", arch_cpu_id(),
	       (now - *since) / 1000000000UL, l->name, l->cpu);
	console_emergency(false);
	arch_nmi_all_cpus();
}

/* spin_wait - take l, which another CPU holds: spin until it is free.
 * Out of line, so that the uncontended spin_lock stays a few
 * instructions (it is taken dozens of times per system call). */
static __attribute__((noinline)) void spin_wait(struct spinlock *l)
{
	uint64_t since = 0;
	unsigned spins = 0;
	do {
		while (l->locked) {
			arch_cpu_relax();
			if (++spins % SPIN_CHECK_EVERY == 0)
				spin_check_lockup(l, &since);
		}
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->cpu = -1;
	l->name = name;
	l->level = 0;
}

void spin_lock(struct spinlock *l)
{
	arch_irq_push_off();
	int cpu = arch_cpu_id();
	if (unlikely(l->locked && l->cpu == cpu))
		panic("spin_lock: %s already held by this CPU", l->name);
	if (DEBUG_KERNEL)
		lockorder_spin_acquire(l);
	if (unlikely(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)))
		spin_wait(l);
	l->cpu = cpu;
}

bool spin_held(struct spinlock *l)
{
	return l->locked && l->cpu == arch_cpu_id();
}

void spin_unlock(struct spinlock *l)
{
	if (unlikely(!spin_held(l)))
		panic("spin_unlock: %s not held", l->name);
	if (DEBUG_KERNEL)
		lockorder_spin_release(l);
	l->cpu = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_pop_off();
}
