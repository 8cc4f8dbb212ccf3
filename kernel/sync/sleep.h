/*
 * sleep.h - the one doorway from the sleeping locks and wait queues
 * (kernel/sync/) into the scheduler. sync/ knows no more of the
 * scheduler than this: mark the caller asleep, give the CPU away, make
 * a sleeping task runnable, ask whether a signal should end a sleep.
 * Implemented by proc/ (the scheduler and signals).
 */
#ifndef ASPEN_SYNC_SLEEP_H
#define ASPEN_SYNC_SLEEP_H
#include "lib/kernel.h"

struct task;

/* The two ways to sleep (the values of TASK_INTERRUPTIBLE and
 * TASK_UNINTERRUPTIBLE in proc/task.h). */
#define SLEEP_INTERRUPTIBLE 1     /* a signal ends the sleep */
#define SLEEP_UNINTERRUPTIBLE 2   /* only the awaited event does */
#define SLEEP_RUNNING 0           /* awake again */

/* set_current_state - mark the caller asleep (SLEEP_*) before it looks
 * at its condition and calls schedule(), or running again after. */
void set_current_state(int state);
/* schedule - give the CPU away until woken (or, if still runnable,
 * until the scheduler comes back to this task). May sleep. */
void schedule(void);
/* schedule_until - like schedule(), but a timer also wakes the caller
 * at deadline_ns (monotonic); true if the deadline has passed. */
bool schedule_until(uint64_t deadline_ns);
/* schedule_until_realtime - the same for a deadline on CLOCK_REALTIME
 * (Unix ns), which follows the wall clock when it is set. */
bool schedule_until_realtime(int64_t deadline_ns);
/* A deadline (uint64_t) is monotonic ns, or, with DEADLINE_REALTIME set,
 * CLOCK_REALTIME ns (deadline_realtime) that follows the wall clock when
 * it is set, as Linux's absolute CLOCK_REALTIME waits;
 * schedule_until and deadline_passed take both. UINT64_MAX, the
 * subsystems' "no deadline", is never passed. */
#define DEADLINE_REALTIME (1ULL << 63)
static inline uint64_t deadline_realtime(uint64_t rt_ns)
{
	return DEADLINE_REALTIME | (rt_ns & ~DEADLINE_REALTIME);
}
/* deadline_passed - the clock of deadline has reached it. */
bool deadline_passed(uint64_t deadline);
/* wake_task - make t runnable if asleep (only_interruptible: only an
 * interruptible sleep); true if it was asleep. Any context. */
bool wake_task(struct task *t, bool only_interruptible);
/* signal_pending_current - a signal that interrupts sleeps is pending
 * for the caller. */
bool signal_pending_current(void);
/* sleep_lock_taken / sleep_lock_dropped - the caller took or let go of
 * the sleeping lock `lock` (called `name`): each task keeps the list of
 * what it holds, which must be empty when it returns to user mode
 * (proc/locks.c), and debug builds check the lock order on it. */
void sleep_lock_taken(const void *lock, const char *name);
/* sleep_lock_taken_nested - as sleep_lock_taken, for a lock of a class
 * the task may already hold (checked against other classes only). */
void sleep_lock_taken_nested(const void *lock, const char *name);
/* sleep_lock_tried - as sleep_lock_taken, for a lock a trylock took:
 * not checked against the locks held (a trylock cannot deadlock). */
void sleep_lock_tried(const void *lock, const char *name);
void sleep_lock_dropped(const void *lock);
#endif
