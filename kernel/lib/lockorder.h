/*
 * lockorder.h - the debug kernel's lock-order checks (lockorder.c).
 *
 * Every lock belongs to a class, its name, and each class has a level
 * from docs/locking.md (the table in lockorder.c, levels times ten).
 * In the debug kernel (DEBUG_KERNEL), taking a lock checks that its
 * level is above every lock of its kind the taker already holds:
 * spinlocks per CPU, sleeping locks per task; and a sleeping lock is
 * never taken with a spinlock held. The first violation panics naming
 * both locks. A class missing from the table panics at its first use.
 *
 * LOCK_ASSERT(cond) states "the caller holds this lock" at the places
 * that rely on it (mutex_held, spin_held); checked in the debug kernel.
 */
#ifndef ASPEN_LIB_LOCKORDER_H
#define ASPEN_LIB_LOCKORDER_H
#include "lib/kernel.h"

struct spinlock;

#define LOCK_ASSERT(cond) do { \
	if (DEBUG_KERNEL && unlikely(!(cond))) \
		panic("%s:%d: lock not held: %s", __FILE__, __LINE__, #cond); \
} while (0)

/* lock_level_of - the level of the class called name; 0 if unknown. */
int lock_level_of(const char *name);
/* lockorder_spin_acquire / _release - around taking and releasing l on
 * this CPU (interrupts off); nested: locks of l's own class may be held
 * (spin_lock_nested). */
void lockorder_spin_acquire(struct spinlock *l, bool nested);
void lockorder_spin_release(struct spinlock *l);
/* lockorder_sleep_check - the caller is about to hold the sleeping lock
 * name (of level) on top of one it holds (held_name, held_level), or
 * on top of none (held_name NULL): panics on a violation. */
void lockorder_sleep_check(const char *name, int level, const char *held_name, int held_level);
/* LOCK_LEVEL_INTERNAL - the level of wait-queue locks and of mutexes'
 * own spinlocks. */
#define LOCK_LEVEL_INTERNAL 80
#endif
