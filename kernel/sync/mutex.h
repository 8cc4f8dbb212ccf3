/*
 * mutex.h - a sleeping lock, for state held across work that may sleep
 * (copies to user memory, waits). The holder may sleep; a waiter sleeps
 * on the mutex's wait queue. Never take a mutex while holding a spinlock.
 * Implemented in sync/mutex.c on top of sync/sleep.h.
 */
#ifndef ASPEN_SYNC_MUTEX_H
#define ASPEN_SYNC_MUTEX_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "lib/list.h"

struct mutex {
	struct spinlock lock;     /* guards waiters */
	void *owner;              /* holding task, or NULL: compare-and-swap */
	struct list_head waiters; /* tasks asleep on it */
	const char *name;
};

void mutex_init(struct mutex *m, const char *name);
/* mutex_lock - take m, sleeping (deaf to signals) while another task
 * holds it. No spinlock held on entry. */
void mutex_lock(struct mutex *m);
/* mutex_lock_nested - mutex_lock of a second mutex of a class whose
 * mutexes the caller takes in an order of its own (fork: the parent's
 * mm, then the child's); the debug kernel checks it against the other
 * classes only (Linux's mutex_lock_nested). */
void mutex_lock_nested(struct mutex *m);
/* mutex_unlock - release m (held by the caller); wakes the first waiter. */
void mutex_unlock(struct mutex *m);
/* mutex_trylock - take m if free; true if taken. Never sleeps. */
bool mutex_trylock(struct mutex *m);
/* mutex_held - the caller holds m. */
bool mutex_held(struct mutex *m);
#endif
