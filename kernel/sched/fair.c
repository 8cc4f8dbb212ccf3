/*
 * fair.c - the fair class: SCHED_NORMAL, SCHED_BATCH and SCHED_IDLE,
 * sharing the CPU in proportion to their weights, as Linux's CFS did.
 *
 * Each task has a weight from its nice value (Linux's table: nice 0 is
 * 1024, each step about 1.25 times the next; SCHED_IDLE is 3) and a
 * virtual runtime, the time it ran scaled by 1024 / weight. The queue is
 * a red-black tree ordered by virtual runtime; the task that has had the
 * least of its share (the leftmost) runs next. A heavier task's virtual
 * time advances more slowly, so it runs proportionally longer.
 *
 * Slices: over a latency period of 20 ms each runnable task should run
 * once, for a part proportional to its weight (at least 4 ms); the tick
 * ends a slice that is used up (so in practice a slice is at least one
 * 10 ms tick).
 *
 * Sleepers: a task waking up starts no further back than half a latency
 * period behind the queue's minimum, so a long sleep earns a little
 * priority, not a monopoly. A new task starts one slice after the
 * minimum (it does not get ahead of those already waiting).
 *
 * Wake-up preemption: a woken SCHED_NORMAL task takes the CPU from the
 * running fair task only if the latter is ahead of it by more than 1 ms
 * of virtual time (scaled by the woken task's weight) and has had the CPU
 * for 1 ms at least (as EEVDF's RUN_TO_PARITY in Linux 6.6+, it is not
 * taken back at once: a thread that wakes its joiner on its way out
 * finishes first); the tick then gives it the CPU once that holds.
 * SCHED_BATCH and SCHED_IDLE tasks never preempt; anything preempts
 * SCHED_IDLE.
 */
#include "sched/rq.h"

#define NICE_0_WEIGHT 1024
#define WEIGHT_IDLEPRIO 3
#define LATENCY_NS (20 * NSEC_PER_MSEC)
#define MIN_GRANULARITY_NS (4 * NSEC_PER_MSEC)
#define WAKEUP_GRANULARITY_NS (1 * NSEC_PER_MSEC)
#define WAKEUP_MIN_RUN_NS (1 * NSEC_PER_MSEC)
#define SLEEPER_CREDIT_NS (LATENCY_NS / 2)

/* Linux's sched_prio_to_weight, nice -20 .. 19. */
static const uint32_t prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291,
	29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906,
	3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423,
	335, 272, 215, 172, 137,
	110, 87, 70, 56, 45,
	36, 29, 23, 18, 15,
};

uint64_t sched_weight(int policy, int nice)
{
	if (policy == SCHED_IDLE)
		return WEIGHT_IDLEPRIO;
	return prio_to_weight[nice + 20];
}

/* a is before b in virtual time (wrap-safe). */
static bool vt_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* ns of real time as virtual time for a task of this weight. */
static uint64_t to_virtual(uint64_t ns, uint64_t weight)
{
	return weight == NICE_0_WEIGHT ? ns : ns * NICE_0_WEIGHT / weight;
}

static struct task *node_task(struct rb_node *n)
{
	return n ? container_of(n, struct task, fair_node) : NULL;
}

/* The minimum only moves forward: to the smaller of the running fair
 * task's and the leftmost's virtual time. */
static void update_min_vruntime(struct rq *rq)
{
	struct fair_rq *fr = &rq->fair;
	struct task *curr = rq->curr;
	bool curr_fair = curr && !curr->is_idle && !task_is_rt(curr) && !curr->on_rq;
	uint64_t v = fr->min_vruntime;
	if (curr_fair)
		v = curr->vruntime;
	if (fr->leftmost && (!curr_fair || vt_before(fr->leftmost->vruntime, v)))
		v = fr->leftmost->vruntime;
	if (vt_before(fr->min_vruntime, v))
		fr->min_vruntime = v;
}

void fair_update_curr(struct rq *rq, struct task *curr, uint64_t delta)
{
	curr->vruntime += to_virtual(delta, curr->weight);
	update_min_vruntime(rq);
}

/* The number of fair tasks of rq (queued and running) and their weight. */
static uint64_t fair_load(struct rq *rq, unsigned *nr)
{
	struct task *curr = rq->curr;
	*nr = rq->fair.nr;
	uint64_t load = rq->fair.load;
	if (curr && !curr->is_idle && !task_is_rt(curr) && !curr->on_rq) {
		(*nr)++;
		load += curr->weight;
	}
	return load;
}

uint64_t fair_slice_ns(struct rq *rq, struct task *t)
{
	unsigned nr;
	uint64_t load = fair_load(rq, &nr);
	uint64_t period = MAX(LATENCY_NS, nr * MIN_GRANULARITY_NS);
	if (!load || load < t->weight)
		return period;
	return MAX(period * t->weight / load, MIN_GRANULARITY_NS);
}

/* Where a task (re)joins the timeline. */
static void place_task(struct rq *rq, struct task *t, int flags)
{
	uint64_t min = rq->fair.min_vruntime;
	if (flags & ENQ_NEW)
		t->vruntime = min + to_virtual(fair_slice_ns(rq, t), t->weight);
	else if ((flags & ENQ_WAKEUP) && vt_before(t->vruntime, min - SLEEPER_CREDIT_NS))
		t->vruntime = min - SLEEPER_CREDIT_NS;
}

void fair_enqueue(struct rq *rq, struct task *t, int flags)
{
	struct fair_rq *fr = &rq->fair;
	place_task(rq, t, flags);
	struct rb_node **link = &fr->tree.node, *parent = NULL;
	bool leftmost = true;
	while (*link) {
		parent = *link;
		if (vt_before(t->vruntime, node_task(parent)->vruntime)) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	rb_link_node(&t->fair_node, parent, link);
	rb_insert_fixup(&fr->tree, &t->fair_node);
	if (leftmost)
		fr->leftmost = t;
	fr->load += t->weight;
	fr->nr++;
}

void fair_dequeue(struct rq *rq, struct task *t)
{
	struct fair_rq *fr = &rq->fair;
	if (fr->leftmost == t)
		fr->leftmost = node_task(rb_next(&t->fair_node));
	rb_erase(&fr->tree, &t->fair_node);
	fr->load -= t->weight;
	fr->nr--;
}

struct task *fair_pick(struct rq *rq)
{
	struct task *t = rq->fair.leftmost;
	if (t)
		fair_dequeue(rq, t);
	return t;
}

/* End the running task's slice when it has had it, or when it is a slice
 * ahead of the task that waits longest. */
void fair_tick(struct rq *rq, struct task *curr)
{
	struct task *first = rq->fair.leftmost;
	if (!first)
		return;
	uint64_t slice = fair_slice_ns(rq, curr);
	if (curr->times.runtime_ns - curr->slice_start >= slice ||
	    (int64_t)(curr->vruntime - first->vruntime) > (int64_t)slice ||
	    fair_wakeup_preempts(rq, curr, first))
		resched_locked(rq);
}

bool fair_wakeup_preempts(struct rq *rq, struct task *curr, struct task *woken)
{
	if (curr->policy == SCHED_IDLE && woken->policy != SCHED_IDLE)
		return true;
	if (woken->policy != SCHED_NORMAL || curr->times.runtime_ns - curr->slice_start < WAKEUP_MIN_RUN_NS)
		return false;
	uint64_t gran = to_virtual(WAKEUP_GRANULARITY_NS, woken->weight);
	return (int64_t)(curr->vruntime - woken->vruntime) > (int64_t)gran;
}

void fair_yield(struct rq *rq, struct task *curr)
{
	struct task *last = node_task(rb_last(&rq->fair.tree));
	if (last && vt_before(curr->vruntime, last->vruntime))
		curr->vruntime = last->vruntime;
}

void fair_move_vruntime(struct task *t, struct rq *src, struct rq *dst)
{
	if (task_is_rt(t) || src == dst)
		return;
	t->vruntime = t->vruntime - src->fair.min_vruntime + dst->fair.min_vruntime;
}
