/*
 * wait.c - wait queues and completions (sync/wait.h). The scheduler is
 * reached only through sync/sleep.h.
 */
#include "sync/wait.h"
#include "arch.h"

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	spin_init(&wq->lock, name);
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

void wake_up(struct wait_queue *wq)
{
	struct waiter *w;
	spin_lock(&wq->lock);
	list_for_each_entry(w, &wq->waiters, link)
		wake_task(w->task, false);
	spin_unlock(&wq->lock);
}

void completion_init(struct completion *c)
{
	c->done = false;
	wait_queue_init(&c->wq, "completion");
}

void complete(struct completion *c)
{
	c->done = true;
	wake_up(&c->wq);
}

void wait_for_completion(struct completion *c)
{
	wait_event(c->wq, c->done);
}
