/*
 * tick.c - the scheduler's tick and what it counts: time slices, the
 * user/system sampling of CPU time, load averages, idle time, and the
 * CPU-time readings the rest of the kernel asks for.
 *
 * The tick is a kernel timer per CPU (time/timer.h), every TICK_NS while
 * the CPU has work. It stops itself on an idle CPU with nothing queued
 * (no interrupt at all while a CPU idles and no timer is due); the
 * switch to a task starts it again (tick_start). docs/timers.md.
 */
#include "sched/rq.h"
#include "time/proc_timers.h"
#include "proc/rlimit.h"

/* Charge the tick to what it interrupted, user or kernel time: one
 * tick, or as many as have passed since the last one charged when the
 * tick came late (a busy host delays a virtual CPU's interrupts; the
 * sampled clocks, which the PROF and VIRT timers run on, then still keep
 * pace with the measured run time). (R) held. */
static void account_tick(struct rq *rq, struct task *t, bool user)
{
	uint64_t now = arch_clock_ns();
	uint64_t n = now > rq->sampled_to ? (now - rq->sampled_to + TICK_NS / 2) / TICK_NS : 0;
	rq->sampled_to = now;
	if (t->is_idle)
		return;
	n = MAX(n, 1);
	if (user) {
		t->times.user += n;
		rq->user_ticks += n;
	} else {
		t->times.system += n;
		rq->system_ticks += n;
	}
}

static void tick_fn(struct timer *timer)
{
	struct rq *rq = container_of(timer, struct rq, tick);
	struct task *t = current;
	spin_lock(&rq->lock);
	account_tick(rq, t, timer_irq_from_user());
	bool idle = t->is_idle;
	/* A dead task on its way out of schedule(): its process may have
	 * been reaped and freed already (on another CPU). */
	bool dead = t->state == TASK_DEAD;
	if (idle) {
		if (queued_locked(rq))
			t->need_resched = true;
	} else {
		update_curr(rq);
		if (task_is_rt(t))
			rt_tick(rq, t);
		else
			fair_tick(rq, t);
	}
	spin_unlock(&rq->lock);
	if (idle) {
		rq->tick_on = false;
		return;
	}
	if (!dead) {
		rlimit_cpu_tick(t);     /* RLIMIT_CPU (signals: not under the run-queue lock) */
		proc_timers_tick(t);
	}
	tick_balance(rq);
	uint64_t next = timer->expires + TICK_NS, now = arch_clock_ns();
	if (next <= now)
		next = now + TICK_NS;   /* missed ticks are not made up */
	timer_arm(timer, next);
}

void tick_start(struct rq *rq)
{
	if (rq->tick_on)
		return;
	rq->tick_on = true;
	timer_arm(&rq->tick, arch_clock_ns() + TICK_NS);
}

/* ---- load averages ---- */

/* As Linux computes them: every LOAD_FREQ the number of runnable tasks
 * is folded into three exponentially decaying averages (1, 5 and 15
 * minutes), in fixed point with FSHIFT bits. */
#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)
#define LOAD_FREQ_NS (5 * NSEC_PER_SEC + TICK_NS)   /* Linux's 5 s + 1 tick */
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };   /* 2^11 / e^(5s/1, 5, 15 min) */
static uint64_t load_avg[3];      /* only load_timer_fn writes */
static struct timer load_timer;   /* on the boot CPU */

static void load_timer_fn(struct timer *t)
{
	uint64_t active = 0;
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		active += __atomic_load_n(&cpu_rq(cpu)->nr_running, __ATOMIC_RELAXED);
	active *= FIXED_1;
	for (int i = 0; i < 3; i++)
		load_avg[i] = (load_avg[i] * load_exp[i] + active * (FIXED_1 - load_exp[i])) >> FSHIFT;
	timer_arm(t, t->expires + LOAD_FREQ_NS);
}

/* sched_load_avg - the three averages in hundredths (1.50 -> 150). */
void sched_load_avg(unsigned long out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = (unsigned long)((load_avg[i] * 100 + FIXED_1 / 2) >> FSHIFT);
}

void tick_init_cpu(struct rq *rq)
{
	timer_init(&rq->tick, tick_fn);
	rq->idle_since = arch_clock_ns();
	if (rq->cpu == 0) {
		timer_init(&load_timer, load_timer_fn);
		timer_arm(&load_timer, arch_clock_ns() + LOAD_FREQ_NS);
	}
}

/* ---- CPU time ---- */

/* sched_cpu_ticks - the ticks CPU cpu spent in user mode and in the
 * kernel, and its measured idle time in ticks (/proc/stat). */
void sched_cpu_ticks(int cpu, uint64_t *user, uint64_t *system, uint64_t *idle)
{
	struct rq *rq = cpu_rq(cpu);
	uint64_t since = __atomic_load_n(&rq->idle_since, __ATOMIC_RELAXED);
	uint64_t now = arch_clock_ns();
	*user = rq->user_ticks;
	*system = rq->system_ticks;
	*idle = (rq->idle_ns + (since && now > since ? now - since : 0)) / TICK_NS;
}

/* sched_task_cpu_times - t's CPU time, its current run included. */
struct cpu_times sched_task_cpu_times(struct task *t)
{
	struct rq *rq = task_rq_lock(t);
	struct cpu_times c = t->times;
	if (t->exec_start)
		c.runtime_ns += arch_clock_ns() - t->exec_start;
	spin_unlock(&rq->lock);
	return c;
}

/* sched_account_current - bring the caller's run time up to now. */
void sched_account_current(void)
{
	struct rq *rq = task_rq_lock(current);
	update_curr(rq);
	spin_unlock(&rq->lock);
}
