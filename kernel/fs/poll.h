/*
 * poll.h - waiting for several files at once: the poll table that
 * poll, ppoll, select and pselect6 hand to each file's ->poll hook.
 *
 * A ->poll hook (see struct file_ops in fs/file.h) does two things:
 *
 *   1. poll_wait(pt, &queue) for every wait queue that is woken when the
 *      file's readiness changes (pt may be NULL: then it does nothing);
 *   2. returns the POLL* bits that hold right now.
 *
 * The poller marks itself asleep (TASK_INTERRUPTIBLE) *before* calling
 * the hooks, so a wake_up() on a registered queue between the hook's
 * answer and the poller's schedule() is never lost. Hence a hook must
 * not sleep: it may take spinlocks, and read its state without a lock
 * when a stale answer is re-checked after the next wake-up (as pipes do).
 * Whoever changes the state calls wake_up() on the queue afterwards.
 *
 * The registrations last until the poll syscall returns; the caller
 * holds a reference on every file polled, so the queues outlive them.
 */
#ifndef ASPEN_FS_POLL_H
#define ASPEN_FS_POLL_H
#include "lib/kernel.h"
#include <asm/poll.h>

struct wait_queue;

/* A poll table: what poll_wait does with each queue a hook names.
 * poll/select put the polling task on it (fs/poll.c); epoll puts a
 * callback waiter that marks its watch ready (fs/epoll.c). */
struct poll_table {
	void (*queue)(struct poll_table *pt, struct wait_queue *wq);
};

/* Without a ->poll hook a file is always ready for reading and writing. */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* poll_wait - from a ->poll hook: keep the poller on wq until the poll
 * ends (an epoll watch: until it is removed), so that wake_up(wq) reaches
 * it. pt NULL: nothing. Does not sleep; on allocation failure the poll
 * fails with -ENOMEM. */
void poll_wait(struct poll_table *pt, struct wait_queue *wq);

/* poll_sigmask_finish - after a wait under a temporary signal mask
 * (ppoll, pselect6, epoll_pwait): put the old mask back, unless a
 * signal interrupted the wait: then its handler runs with the temporary
 * mask and signal delivery restores the old one afterwards (Linux's
 * restore_saved_sigmask_unless). */
void poll_sigmask_finish(bool interrupted);

/* A wait queue that dies before the files polling it (a process's
 * signalfd queue, in its sighand) calls this first: every epoll watch
 * still on it lets go of it (Linux's POLLFREE). Implemented in
 * fs/epoll.c. Takes only spinlocks. */
void epoll_queue_dying(struct wait_queue *wq);
#endif
