/*
 * wait.c - wait queues and completions (sync/wait.h). The scheduler is
 * reached only through sync/sleep.h.
 */
#include "sync/wait.h"
#include "lib/lockorder.h"
#include "arch.h"

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	spin_init(&wq->lock, name);
	wq->lock.level = LOCK_LEVEL_INTERNAL;
	list_init(&wq->waiters);
}

/* The waiter is on a queue (a zeroed waiter has never been). */
static bool waiter_queued(struct waiter *w)
{
	return w->link.next && !list_empty(&w->link);
}

void prepare_to_wait(struct wait_queue *wq, struct waiter *w, int state)
{
	spin_lock(&wq->lock);
	if (!waiter_queued(w)) {
		w->task = arch_current();
		w->func = NULL;
		list_add_tail(&w->link, &wq->waiters);
	}
	set_current_state(state);
	spin_unlock(&wq->lock);
}

void finish_wait(struct wait_queue *wq, struct waiter *w)
{
	set_current_state(SLEEP_RUNNING);
	spin_lock(&wq->lock);
	if (waiter_queued(w))
		list_del(&w->link);
	spin_unlock(&wq->lock);
}

/* wake_up with nobody waiting takes no lock. The caller changed the
 * condition before; the fence orders that before the look at the queue,
 * as prepare_to_wait's set_current_state (an exchange) orders a
 * sleeper's queueing before its look at the condition: the waker sees
 * the sleeper queued, or the sleeper sees the condition. */
void wake_up(struct wait_queue *wq)
{
	struct waiter *w;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&wq->waiters.next, __ATOMIC_RELAXED) == &wq->waiters)
		return;
	spin_lock(&wq->lock);
	list_for_each_entry(w, &wq->waiters, link) {
		if (w->func)
			w->func(w);
		else
			wake_task(w->task, false);
	}
	spin_unlock(&wq->lock);
}

void completion_init(struct completion *c)
{
	c->done = false;
	wait_queue_init(&c->wq, "completion");
}

/* complete - done, and wake the waiter. done is set and the waiter
 * woken under the queue's lock, which the waiter takes to see done: once
 * the lock is released the waiter may return and free c (vfork's is on
 * its stack), so nothing here touches c after that. */
void complete(struct completion *c)
{
	struct waiter *w;
	spin_lock(&c->wq.lock);
	c->done = true;
	list_for_each_entry(w, &c->wq.waiters, link)
		wake_task(w->task, false);
	spin_unlock(&c->wq.lock);
}

/* wait_for_completion - sleep, deaf to signals, until complete(c). */
void wait_for_completion(struct completion *c)
{
	struct waiter w = { .task = arch_current() };
	spin_lock(&c->wq.lock);
	while (!c->done) {
		list_add_tail(&w.link, &c->wq.waiters);
		set_current_state(SLEEP_UNINTERRUPTIBLE);
		spin_unlock(&c->wq.lock);
		schedule();
		spin_lock(&c->wq.lock);
		list_del(&w.link);
	}
	spin_unlock(&c->wq.lock);
}
