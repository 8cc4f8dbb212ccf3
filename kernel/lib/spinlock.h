/*
 * spinlock.h - mutual exclusion between CPUs and against interrupts.
 *
 * spin_lock disables interrupts on this CPU (nested: the first lock
 * remembers whether they were on, the last unlock restores that), then
 * spins. Hold spinlocks briefly and never sleep while holding one.
 * The global lock order is in docs/locking.md.
 */
#ifndef ASPEN_LIB_SPINLOCK_H
#define ASPEN_LIB_SPINLOCK_H
#include "lib/kernel.h"

struct spinlock {
	volatile uint32_t locked;
	int cpu;           /* holder's CPU, for holding() checks */
	const char *name;  /* for panics, and its class (lib/lockorder.h) */
	int level;         /* its class's level; 0: not looked up yet */
};

#define SPINLOCK_INIT(n) { 0, -1, n, 0 }

void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* spin_lock_nested - spin_lock of a second lock of a class whose locks
 * the caller takes in an order of its own (two run queues: lower CPU
 * first); the debug kernel checks it against the other classes only. */
void spin_lock_nested(struct spinlock *l);
/* spin_held - true when this CPU holds l (for assertions). */
bool spin_held(struct spinlock *l);

/* irq_push_off/irq_pop_off - nested "interrupts off" as spin_lock uses. */
void irq_push_off(void);
void irq_pop_off(void);
/* irq_push_depth - how deep this CPU is in irq_push_off: the spinlocks
 * it holds, plus other pushes (none may be left on return to user). */
int irq_push_depth(void);
#endif
