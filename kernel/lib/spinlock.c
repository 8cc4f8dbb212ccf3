/*
 * spinlock.c - spinning locks that also mask interrupts on this CPU,
 * so an interrupt handler can never spin on a lock its own CPU holds.
 */
#include "lib/spinlock.h"
#include "arch.h"

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->cpu = -1;
	l->name = name;
}

void spin_lock(struct spinlock *l)
{
	irq_push_off();
	if (spin_held(l))
		panic("spin_lock: %s already held by this CPU", l->name);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			arch_cpu_relax();
	l->cpu = arch_cpu_id();
}

void spin_unlock(struct spinlock *l)
{
	if (!spin_held(l))
		panic("spin_unlock: %s not held", l->name);
	l->cpu = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_pop_off();
}

bool spin_held(struct spinlock *l)
{
	return l->locked && l->cpu == arch_cpu_id();
}
