/*
 * locks.c - what sleeping locks each task holds (task->held), and the
 * check on the way back to user mode that it holds none, and no
 * spinlock either: a lock left held by an error path would deadlock the
 * next taker much later, far from the bug. Fault injection
 * (mm/fail_alloc.c) drives the kernel through its error paths for this.
 */
#include "proc/locks.h"
#include "proc/task.h"
#include "sync/sleep.h"
#include "lib/spinlock.h"
#include "lib/lockorder.h"
#include "lib/string.h"

/* The debug kernel: the new lock's level above every one held. */
static void check_order(struct task *t, const char *name, int level, bool nested)
{
	lockorder_sleep_check(name, level, NULL, 0);
	for (int i = 0; i < MIN(t->nheld, TASK_HELD_MAX); i++)
		if (!nested || strcmp(t->held[i].name, name) != 0)
			lockorder_sleep_check(name, level, t->held[i].name, t->held[i].level);
}

/* Record lock as held by the current task (after checking its order in
 * the debug kernel; nested: others of its class may be held; tried: it
 * was taken by a trylock, which never waits and so closes no deadlock
 * cycle whatever is held: not checked, as Linux's lockdep). */
static void taken(const void *lock, const char *name, bool nested, bool tried)
{
	struct task *t = current;
	if (!t)
		return;
	int level = DEBUG_KERNEL ? lock_level_of(name) : 0;
	if (DEBUG_KERNEL && !tried)
		check_order(t, name, level, nested);
	if (t->nheld < TASK_HELD_MAX)
		t->held[t->nheld] = (struct held_lock){ lock, name, level };
	t->nheld++;
}

void sleep_lock_taken(const void *lock, const char *name) { taken(lock, name, false, false); }
void sleep_lock_taken_nested(const void *lock, const char *name) { taken(lock, name, true, false); }
void sleep_lock_tried(const void *lock, const char *name) { taken(lock, name, false, true); }

void sleep_lock_dropped(const void *lock)
{
	struct task *t = current;
	if (!t)
		return;
	int n = MIN(t->nheld, TASK_HELD_MAX);
	for (int i = n - 1; i >= 0; i--) {
		if (t->held[i].lock != lock)
			continue;
		for (int j = i; j + 1 < n; j++)
			t->held[j] = t->held[j + 1];
		t->nheld--;
		return;
	}
	t->nheld--;   /* one of those past TASK_HELD_MAX */
}

void locks_report_return_to_user(void)
{
	struct task *t = current;
	if (irq_push_depth())
		panic("returning to user mode (tid %d) with %d spinlock(s) or irq_push_off held",
		      t->tid, irq_push_depth());
	panic("returning to user mode (tid %d) holding %d sleeping lock(s), the first %s",
	      t->tid, t->nheld, t->held[0].name);
}
