/*
 * balance.c - spreading tasks over the CPUs within their affinity masks.
 *
 * Three moments move a task: when it wakes or is new (select_cpu: an idle
 * CPU if there is one it may use; a real-time task goes where it has the
 * strongest claim); when a CPU runs out of work (newidle_balance pulls a
 * waiting task from the busiest queue); and every BALANCE_TICKS ticks of
 * a busy CPU (tick_balance pulls from a queue with at least two more
 * runnable tasks, and kicks an idle CPU to pull when this one has work
 * waiting). A task never runs on a CPU outside its mask: a running task
 * whose mask changes is moved as it leaves the CPU
 * (migrate_after_switch), a queued one at once.
 */
#include "sched/rq.h"
#include "lib/errno.h"

#define BALANCE_TICKS 4

static uint64_t online_mask(void)
{
	int n = arch_ncpus();
	return n >= 64 ? ~0UL : (1UL << n) - 1;
}

static unsigned nr_running(int cpu)
{
	return __atomic_load_n(&cpu_rq(cpu)->nr_running, __ATOMIC_RELAXED);
}

/* How strongly what runs on cpu holds it (task_claim; a racy peek,
 * good enough to choose); an idle CPU with work queued counts as busy. */
static int claim_of(int cpu)
{
	int claim = __atomic_load_n(&cpu_rq(cpu)->curr_claim, __ATOMIC_RELAXED);
	return claim ? claim : nr_running(cpu) ? 1 : 0;
}

/* The allowed CPU whose running task t would beat most easily. */
static int select_cpu_rt(struct task *t, uint64_t allowed, int prev)
{
	int best = prev, best_claim = claim_of(prev);
	for (int cpu = 0; cpu < arch_ncpus() && best_claim > 0; cpu++) {
		if (!(allowed & (1UL << cpu)))
			continue;
		int c = claim_of(cpu);
		if (c < best_claim) {
			best = cpu;
			best_claim = c;
		}
	}
	return best;
}

int select_cpu(struct task *t, bool new_task)
{
	if (arch_ncpus() == 1)
		return 0;
	uint64_t allowed = t->cpus_allowed & online_mask();
	if (!allowed)
		allowed = online_mask();   /* its CPUs are gone: anywhere */
	int prev = t->cpu;
	if (!(allowed & (1UL << prev)))
		prev = __builtin_ctzl(allowed);
	if (task_is_rt(t))
		return select_cpu_rt(t, allowed, prev);
	if (!new_task && nr_running(prev) == 0)
		return prev;   /* its cache, and idle */
	int least = prev;
	for (int cpu = 0; cpu < arch_ncpus(); cpu++) {
		if (!(allowed & (1UL << cpu)))
			continue;
		if (nr_running(cpu) == 0)
			return cpu;
		if (nr_running(cpu) < nr_running(least))
			least = cpu;
	}
	return new_task ? least : prev;
}

/* A task queued on src that may run on dst: the first real-time one of
 * the highest priority, else the fair one that waited longest. (Both
 * locked.) */
static struct task *pullable_locked(struct rq *src, int dst)
{
	for (int prio = RT_PRIO_LEVELS - 1; prio > 0 && src->rt.nr; prio--) {
		struct task *t;
		list_for_each_entry(t, &src->rt.queue[prio], rq_link)
			if (cpu_allowed(t, dst))
				return t;
	}
	for (struct rb_node *n = rb_first(&src->fair.tree); n; n = rb_next(n)) {
		struct task *t = container_of(n, struct task, fair_node);
		if (cpu_allowed(t, dst))
			return t;
	}
	return NULL;
}

/* The other CPU with the most runnable tasks, if it has at least
 * `least` of them; NULL if none. */
static struct rq *busiest_other(struct rq *rq, unsigned least)
{
	struct rq *busiest = NULL;
	for (int cpu = 0; cpu < arch_ncpus(); cpu++) {
		if (cpu == rq->cpu || nr_running(cpu) < least)
			continue;
		if (!busiest || nr_running(cpu) > busiest->nr_running)
			busiest = cpu_rq(cpu);
	}
	return busiest;
}

/* Lock busiest too, rq being locked (dropping rq's lock first if the
 * order asks for it). */
static void lock_second(struct rq *rq, struct rq *busiest)
{
	if (busiest->cpu > rq->cpu) {
		spin_lock_nested(&busiest->lock);
		return;
	}
	spin_unlock(&rq->lock);
	double_rq_lock(rq, busiest);
}

void newidle_balance(struct rq *rq)
{
	if (arch_ncpus() == 1)
		return;
	struct rq *busiest = busiest_other(rq, 2);
	if (!busiest)
		return;
	lock_second(rq, busiest);
	struct task *t = queued_locked(rq) ? NULL : pullable_locked(busiest, rq->cpu);
	if (t)
		move_queued_locked(busiest, rq, t);
	spin_unlock(&busiest->lock);
}

/* This CPU has work waiting: wake an idle CPU one of its waiting tasks
 * may use, to pull it. */
static void kick_idle_cpu(struct rq *rq)
{
	spin_lock(&rq->lock);
	uint64_t wanted = 0;
	struct task *t;
	for (int prio = 1; prio < RT_PRIO_LEVELS && rq->rt.nr; prio++)
		list_for_each_entry(t, &rq->rt.queue[prio], rq_link)
			wanted |= t->cpus_allowed;
	for (struct rb_node *n = rb_first(&rq->fair.tree); n; n = rb_next(n))
		wanted |= container_of(n, struct task, fair_node)->cpus_allowed;
	spin_unlock(&rq->lock);
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		if (cpu != rq->cpu && (wanted & (1UL << cpu)) && nr_running(cpu) == 0) {
			arch_send_resched(cpu);
			return;
		}
}

void tick_balance(struct rq *rq)
{
	if (arch_ncpus() == 1 || ++rq->ticks % BALANCE_TICKS)
		return;
	if (nr_running(rq->cpu) >= 2)
		kick_idle_cpu(rq);
	struct rq *busiest = busiest_other(rq, nr_running(rq->cpu) + 2);
	if (!busiest)
		return;
	double_rq_lock(rq, busiest);
	struct task *t = busiest->nr_running >= rq->nr_running + 2 ? pullable_locked(busiest, rq->cpu) : NULL;
	if (t)
		move_queued_locked(busiest, rq, t);
	double_rq_unlock(rq, busiest);
}

void migrate_after_switch(struct task *t)
{
	for (;;) {
		struct rq *src = cpu_rq(t->cpu), *dst = cpu_rq(select_cpu(t, false));
		double_rq_lock(src, dst);
		if (cpu_allowed(t, dst->cpu) || dst == src) {
			fair_move_vruntime(t, src, dst);
			__atomic_store_n(&t->cpu, dst->cpu, __ATOMIC_RELEASE);
			t->nr_migrations++;
			activate_locked(dst, t, ENQ_MIGRATED);
			double_rq_unlock(src, dst);
			return;
		}
		double_rq_unlock(src, dst);   /* its mask changed meanwhile: again */
	}
}

/* sched_set_affinity - t may run only on the CPUs of mask (those that
 * exist): 0, or -EINVAL if none does. A queued t moves at once; a
 * running one as it next leaves its CPU (the caller, if it is t, calls
 * schedule() to be on an allowed CPU before returning to user mode).
 * (T) may be held. */
int sched_set_affinity(struct task *t, uint64_t mask)
{
	mask &= online_mask();
	if (!mask)
		return -EINVAL;
	for (;;) {
		struct rq *rq = task_rq_lock(t);
		t->cpus_allowed = mask;
		if (cpu_allowed(t, rq->cpu) || !t->on_rq) {
			if (!cpu_allowed(t, rq->cpu) && rq->curr == t)
				resched_locked(rq);   /* moves as it leaves the CPU */
			spin_unlock(&rq->lock);
			return 0;   /* allowed, asleep (it wakes on an allowed CPU), or running */
		}
		spin_unlock(&rq->lock);
		struct rq *dst = cpu_rq(select_cpu(t, false));
		double_rq_lock(rq, dst);
		bool moved = t->cpu == rq->cpu && t->on_rq && cpu_allowed(t, dst->cpu);
		if (moved)
			move_queued_locked(rq, dst, t);
		double_rq_unlock(rq, dst);
		if (moved)
			return 0;
	}
}

/* sched_online_mask - the CPUs that run (sched_getaffinity). */
uint64_t sched_online_mask(void)
{
	return online_mask();
}
