/*
 * wait.h - sleeping until something happens.
 *
 * A wait queue is a list of sleeping tasks guarded by its own spinlock.
 * wait_event*(wq, cond) re-checks cond after every wake-up, so a wake-up
 * with nothing to do is harmless and a missed one impossible: the task
 * is on the queue, marked asleep, before it looks at cond.
 *
 * A completion is a one-shot event (vfork waits on one).
 *
 * Implemented in sync/wait.c on top of sync/sleep.h.
 */
#ifndef ASPEN_SYNC_WAIT_H
#define ASPEN_SYNC_WAIT_H
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "sync/sleep.h"

struct task;

struct wait_queue {
	struct spinlock lock;       /* guards waiters */
	struct list_head waiters;   /* struct waiter */
};

/* One sleeper on a queue: a task to wake, or (func set) a callback run by
 * wake_up under the queue's lock instead, as epoll's watches use: it may
 * take spinlocks above wait-queue locks (docs/locking.md) and must not
 * sleep or unlink other waiters. */
struct waiter {
	struct list_head link;
	struct task *task;
	void (*func)(struct waiter *w);
};

void wait_queue_init(struct wait_queue *wq, const char *name);
/* wake_up - wake every task asleep on wq (run each waiter's func, if
 * it has one). Any context. With nobody queued it takes no lock: a
 * waiter queued by hand (poll_wait, epoll's hooks) must fence after
 * queueing, before it looks at the condition (prepare_to_wait does). */
void wake_up(struct wait_queue *wq);

/* prepare_to_wait - put the caller on wq and mark it asleep (state is
 * SLEEP_INTERRUPTIBLE or SLEEP_UNINTERRUPTIBLE); finish_wait undoes it. */
void prepare_to_wait(struct wait_queue *wq, struct waiter *w, int state);
void finish_wait(struct wait_queue *wq, struct waiter *w);

/* wait_event_interruptible_deadline - sleep until cond; 0, or
 * -ERESTARTSYS when a signal arrives first (the syscall is restarted
 * under SA_RESTART or fails with EINTR: see proc/signal.c), or
 * -ETIMEDOUT when the monotonic clock reaches deadline (ns) with cond
 * still false (WAIT_NO_DEADLINE: never). */
#define WAIT_NO_DEADLINE UINT64_MAX
#define wait_event_interruptible_deadline(wq, cond, deadline) ({       \
	int __ret = 0;                                                  \
	uint64_t __dl = (deadline);                                     \
	struct waiter __w = { { NULL, NULL }, NULL, NULL };             \
	for (;;) {                                                      \
		prepare_to_wait(&(wq), &__w, SLEEP_INTERRUPTIBLE);       \
		if (cond)                                               \
			break;                                          \
		if (signal_pending_current()) {                         \
			__ret = -ERESTARTSYS;                           \
			break;                                          \
		}                                                       \
		if (__dl == WAIT_NO_DEADLINE) {                         \
			schedule();                                     \
		} else if (schedule_until(__dl) && !(cond)) {           \
			__ret = -ETIMEDOUT;                             \
			break;                                          \
		}                                                       \
	}                                                               \
	finish_wait(&(wq), &__w);                                       \
	__ret;                                                          \
})

/* wait_event_interruptible - the same without a deadline: 0 or
 * -ERESTARTSYS. */
#define wait_event_interruptible(wq, cond) \
	wait_event_interruptible_deadline(wq, cond, WAIT_NO_DEADLINE)

/* wait_event - sleep until cond, deaf to signals. */
#define wait_event(wq, cond) do {                                      \
	struct waiter __w = { { NULL, NULL }, NULL, NULL };             \
	for (;;) {                                                      \
		prepare_to_wait(&(wq), &__w, SLEEP_UNINTERRUPTIBLE);     \
		if (cond)                                               \
			break;                                          \
		schedule();                                             \
	}                                                               \
	finish_wait(&(wq), &__w);                                       \
} while (0)

struct completion {
	bool done;                /* set once by complete() */
	struct wait_queue wq;
};
void completion_init(struct completion *c);
/* complete - mark c done and wake its waiters. Any context. */
void complete(struct completion *c);
/* wait_for_completion - sleep, deaf to signals, until c is done. */
void wait_for_completion(struct completion *c);
#endif
