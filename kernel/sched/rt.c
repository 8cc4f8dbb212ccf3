/*
 * rt.c - the real-time class: SCHED_FIFO and SCHED_RR, priorities 1
 * (lowest) to 99, always before the fair class.
 *
 * One FIFO queue per priority and a bitmap of the non-empty ones: the
 * next task is the head of the highest. A FIFO task runs until it
 * blocks, yields, or a higher priority wakes; preempted, it goes back to
 * the front of its queue (POSIX). An RR task does the same but for its
 * slice (100 ms, as Linux's sched_rr_timeslice_ms): when the slice runs
 * out and another task of its priority waits, it goes to the back.
 * There is no real-time throttling (Linux's sched_rt_runtime_us): a
 * real-time task that never blocks keeps its CPU.
 */
#include "sched/rq.h"

void rt_rq_init(struct rt_rq *rt)
{
	for (int i = 0; i < RT_PRIO_LEVELS; i++)
		list_init(&rt->queue[i]);
}

void rt_enqueue(struct rq *rq, struct task *t, int flags)
{
	struct rt_rq *rt = &rq->rt;
	int prio = t->rt_priority;
	if (flags & ENQ_HEAD)
		list_add(&t->rq_link, &rt->queue[prio]);
	else
		list_add_tail(&t->rq_link, &rt->queue[prio]);
	rt->bitmap[prio / 64] |= 1UL << (prio % 64);
	rt->nr++;
}

void rt_dequeue(struct rq *rq, struct task *t)
{
	struct rt_rq *rt = &rq->rt;
	int prio = t->rt_priority;
	list_del(&t->rq_link);
	if (list_empty(&rt->queue[prio]))
		rt->bitmap[prio / 64] &= ~(1UL << (prio % 64));
	rt->nr--;
}

/* The highest non-empty priority, or -1. */
static int rt_top(const struct rt_rq *rt)
{
	for (int w = 1; w >= 0; w--)
		if (rt->bitmap[w])
			return w * 64 + 63 - __builtin_clzl(rt->bitmap[w]);
	return -1;
}

struct task *rt_pick(struct rq *rq)
{
	if (!rq->rt.nr)
		return NULL;
	int prio = rt_top(&rq->rt);
	if (prio < 0)
		return NULL;
	struct task *t = list_first_entry(&rq->rt.queue[prio], struct task, rq_link);
	rt_dequeue(rq, t);
	return t;
}

/* An RR task whose slice ran out gives way to the next of its priority
 * (put_prev_locked puts it at the back). FIFO tasks have no slice. */
void rt_tick(struct rq *rq, struct task *curr)
{
	if (curr->policy != SCHED_RR || curr->rr_used < RR_SLICE_NS)
		return;
	if (!list_empty(&rq->rt.queue[curr->rt_priority]))
		resched_locked(rq);
	else
		curr->rr_used = 0;   /* alone at its priority: a new slice */
}
