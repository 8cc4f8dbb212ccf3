/*
 * rq.h - inside the scheduler: the per-CPU run queue and the scheduling
 * classes (docs/scheduler.md). The rest of the kernel uses proc/sched.h.
 *
 * Each CPU has a run queue (struct rq) under its own spinlock. A task
 * belongs to the run queue of task->cpu; that queue's lock guards the
 * task's scheduling fields (legend R in proc/task.h), which is why
 * task_rq_lock() re-checks task->cpu after taking the lock. Two run
 * queues are locked lower CPU number first (double_rq_lock). A CPU
 * holds its queue's lock across a context switch; the task switched to
 * releases it (finish_switch_unlock).
 *
 * The running task is not in its class's queue: picking a task takes it
 * out, and a running task that stays runnable is put back when it
 * gives up the CPU (put_prev). task->on_rq says "in a queue";
 * task->on_cpu "running, or still on its stack after switching away".
 */
#ifndef ASPEN_SCHED_RQ_H
#define ASPEN_SCHED_RQ_H
#include "proc/task.h"
#include "proc/sched.h"
#include "time/timer.h"
#include "lib/rbtree.h"

#define RT_PRIO_LEVELS 100          /* sched_priority 1..99; 0 unused */
#define RR_SLICE_NS (100 * NSEC_PER_MSEC)   /* Linux's sched_rr_timeslice_ms */

struct rt_rq {
	struct list_head queue[RT_PRIO_LEVELS];   /* FIFO per priority, via task->rq_link */
	uint64_t bitmap[2];                       /* which queues are non-empty */
	unsigned nr;
};

struct fair_rq {
	struct rb_root tree;                      /* by vruntime, via task->fair_node */
	struct task *leftmost;                    /* the smallest vruntime, or NULL */
	uint64_t min_vruntime;                    /* never goes back */
	uint64_t load;                            /* weights of the queued tasks */
	unsigned nr;
};

struct rq {
	struct spinlock lock;
	int cpu;
	struct task *curr;                        /* what this CPU runs */
	int curr_claim;                           /* how strongly: 0 idle, 1 fair, 2 + real-time priority */
	struct task *idle;                        /* its idle task */
	unsigned nr_running;                      /* runnable tasks of this CPU, curr included, idle not */
	struct rt_rq rt;
	struct fair_rq fair;
	struct task *prev;                        /* switched away from, still on its stack */
	struct task *dead;                        /* exited: freed after the switch */
	struct task *migrating;                   /* runnable but not allowed here: moved after the switch */
	/* the tick (sched/tick.c); only this CPU touches these */
	struct timer tick;
	bool tick_on;
	uint64_t ticks;                           /* ticks taken, for the periodic balance */
	uint64_t idle_ns, idle_since;             /* time idle before idle_since; 0: not idle */
	uint64_t sampled_to;                      /* the tick charged run time up to here */
	uint64_t user_ticks, system_ticks;
};

/* ---- core.c ---- */
struct rq *cpu_rq(int cpu);
struct rq *this_rq(void);
/* task_rq_lock - lock the run queue t belongs to (t->cpu is stable
 * while held). */
struct rq *task_rq_lock(struct task *t);
/* double_rq_lock / double_rq_unlock - both queues (one if the same),
 * lower CPU first. */
void double_rq_lock(struct rq *a, struct rq *b);
void double_rq_unlock(struct rq *a, struct rq *b);
/* update_curr - charge the running task's run up to now. (R) held. */
void update_curr(struct rq *rq);
/* activate_locked - t became runnable on rq (wake-up, new task, moved
 * here): queue it, count it, and preempt rq->curr if t's claim is
 * stronger. flags: ENQ_*. (R) held. */
void activate_locked(struct rq *rq, struct task *t, int flags);
/* sched_dequeue_locked / sched_enqueue_locked - take a queued t out of
 * rq's queues and put it back (a change of policy, priority or nice). */
void sched_dequeue_locked(struct rq *rq, struct task *t);
void sched_enqueue_locked(struct rq *rq, struct task *t);
/* move_queued_locked - move t, queued on src, to dst. Both locked. */
void move_queued_locked(struct rq *src, struct rq *dst, struct task *t);
/* resched_locked - make rq's CPU reschedule (an IPI if it is another). */
void resched_locked(struct rq *rq);
/* queued_locked - tasks waiting in rq's queues (not running). */
unsigned queued_locked(struct rq *rq);

/* ---- the classes (rt.c, fair.c) ---- */
#define ENQ_WAKEUP   0x1   /* it slept */
#define ENQ_NEW      0x2   /* its first run */
#define ENQ_HEAD     0x4   /* preempted real-time task: front of its queue */
#define ENQ_MIGRATED 0x8   /* came from another CPU's queue */

void rt_enqueue(struct rq *rq, struct task *t, int flags);
void rt_dequeue(struct rq *rq, struct task *t);
struct task *rt_pick(struct rq *rq);
void rt_tick(struct rq *rq, struct task *curr);
void rt_rq_init(struct rt_rq *rt);

void fair_enqueue(struct rq *rq, struct task *t, int flags);
void fair_dequeue(struct rq *rq, struct task *t);
struct task *fair_pick(struct rq *rq);
void fair_tick(struct rq *rq, struct task *curr);
void fair_update_curr(struct rq *rq, struct task *curr, uint64_t delta);
/* fair_wakeup_preempts - should woken (fair) take the CPU from curr (fair)? */
bool fair_wakeup_preempts(struct rq *rq, struct task *curr, struct task *woken);
/* fair_yield - put curr behind the other fair tasks of rq. */
void fair_yield(struct rq *rq, struct task *curr);
/* fair_move_vruntime - t leaves src's timeline for dst's. */
void fair_move_vruntime(struct task *t, struct rq *src, struct rq *dst);
/* fair_slice_ns - t's share of the latency period on rq (sched_rr_get_interval). */
uint64_t fair_slice_ns(struct rq *rq, struct task *t);
/* sched_weight - the load weight of a policy and nice value. */
uint64_t sched_weight(int policy, int nice);

static inline bool task_is_rt(const struct task *t)
{
	return t->policy == SCHED_FIFO || t->policy == SCHED_RR;
}

/* task_claim - how strongly t holds a CPU (rq->curr_claim). */
static inline int task_claim(const struct task *t)
{
	return t->is_idle ? 0 : task_is_rt(t) ? 2 + t->rt_priority : 1;
}

/* ---- balance.c ---- */
/* select_cpu - where a waking or new task should run (t's run queue
 * unlocked; lockless peeks at the others). */
int select_cpu(struct task *t, bool new_task);
/* newidle_balance - rq found nothing to run: pull a task from the
 * busiest other queue. (R) of rq held; may drop and retake it. */
void newidle_balance(struct rq *rq);
/* tick_balance - from rq's tick, now and then: even out the queues. */
void tick_balance(struct rq *rq);
/* migrate_after_switch - t, runnable but not allowed on the CPU it left,
 * goes to an allowed one. No lock held. */
void migrate_after_switch(struct task *t);
/* cpu_allowed - t may run on cpu. */
static inline bool cpu_allowed(const struct task *t, int cpu)
{
	return (t->cpus_allowed >> cpu) & 1;
}

/* ---- tick.c ---- */
void tick_init_cpu(struct rq *rq);
/* tick_start - this CPU has work: start its tick if stopped. (R) held. */
void tick_start(struct rq *rq);
#endif
