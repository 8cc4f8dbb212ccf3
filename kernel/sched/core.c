/*
 * core.c - the heart of the scheduler: per-CPU run queues, schedule()
 * and the context switch, waking tasks, timed sleeps, the idle loop.
 * docs/scheduler.md tells the whole story; rq.h has the locking rules.
 *
 * Kernel code is never preempted: a task gives up its CPU only in
 * schedule(), which it calls to sleep, to yield, or on its way back to
 * user mode when need_resched was set (the tick ended its slice, or a
 * task with a stronger claim woke up).
 *
 * Which task runs next is the classes' business: a real-time task
 * (SCHED_FIFO, SCHED_RR: rt.c) before any other, then the fair class
 * (SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE: fair.c), then the CPU's idle
 * task.
 */
#include "sched/rq.h"
#include "proc/quiesce.h"
#include "proc/locks.h"
#include "mm/vmcheck.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "time/clock.h"

static struct rq runqueues[ARCH_MAX_CPUS];

struct rq *cpu_rq(int cpu) { return &runqueues[cpu]; }
struct rq *this_rq(void) { return &runqueues[arch_cpu_id()]; }

struct rq *task_rq_lock(struct task *t)
{
	for (;;) {
		struct rq *rq = cpu_rq(__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE));
		spin_lock(&rq->lock);
		if (rq->cpu == t->cpu)
			return rq;
		spin_unlock(&rq->lock);   /* it moved meanwhile */
	}
}

void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a == b) {
		spin_lock(&a->lock);
	} else if (a->cpu < b->cpu) {
		spin_lock(&a->lock);
		spin_lock_nested(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock_nested(&a->lock);
	}
}

void double_rq_unlock(struct rq *a, struct rq *b)
{
	if (a != b)
		spin_unlock(&b->lock);
	spin_unlock(&a->lock);
}

unsigned queued_locked(struct rq *rq)
{
	return rq->rt.nr + rq->fair.nr;
}

/* ---- queueing ---- */

static void enqueue_locked(struct rq *rq, struct task *t, int flags)
{
	if (task_is_rt(t))
		rt_enqueue(rq, t, flags);
	else
		fair_enqueue(rq, t, flags);
	t->on_rq = true;
}

static void dequeue_locked(struct rq *rq, struct task *t)
{
	if (task_is_rt(t))
		rt_dequeue(rq, t);
	else
		fair_dequeue(rq, t);
	t->on_rq = false;
}

void sched_dequeue_locked(struct rq *rq, struct task *t)
{
	dequeue_locked(rq, t);
}

void sched_enqueue_locked(struct rq *rq, struct task *t)
{
	enqueue_locked(rq, t, 0);
}

/* The task to run next, taken out of its queue; the idle task if none. */
static struct task *pick_next_locked(struct rq *rq)
{
	struct task *t = rt_pick(rq);
	if (!t)
		t = fair_pick(rq);
	if (!t)
		return rq->idle;
	t->on_rq = false;
	t->slice_start = t->times.runtime_ns;
	return t;
}

void resched_locked(struct rq *rq)
{
	struct task *curr = rq->curr;
	if (!curr || curr->need_resched)
		return;
	curr->need_resched = true;
	if (rq->cpu != arch_cpu_id())
		arch_send_resched(rq->cpu);
}

/* Does woken have a stronger claim on the CPU than curr? Real-time
 * beats fair; a higher real-time priority beats a lower; among fair
 * tasks, fair.c decides. */
static bool wakeup_preempts(struct rq *rq, struct task *curr, struct task *woken)
{
	if (curr->is_idle)
		return true;
	if (task_is_rt(woken) != task_is_rt(curr))
		return task_is_rt(woken);
	if (task_is_rt(woken))
		return woken->rt_priority > curr->rt_priority;
	update_curr(rq);   /* curr's virtual time, for the comparison */
	return fair_wakeup_preempts(rq, curr, woken);
}

void activate_locked(struct rq *rq, struct task *t, int flags)
{
	enqueue_locked(rq, t, flags);
	rq->nr_running++;
	if (rq->curr && wakeup_preempts(rq, rq->curr, t))
		resched_locked(rq);
}

void move_queued_locked(struct rq *src, struct rq *dst, struct task *t)
{
	dequeue_locked(src, t);
	src->nr_running--;
	if (!task_is_rt(t))
		fair_move_vruntime(t, src, dst);
	__atomic_store_n(&t->cpu, dst->cpu, __ATOMIC_RELEASE);
	t->nr_migrations++;
	activate_locked(dst, t, ENQ_MIGRATED);
}

void update_curr(struct rq *rq)
{
	struct task *curr = rq->curr;
	if (!curr || curr->is_idle || !curr->exec_start)
		return;
	uint64_t now = arch_clock_ns();
	uint64_t delta = now > curr->exec_start ? now - curr->exec_start : 0;
	curr->exec_start = now;
	curr->times.runtime_ns += delta;
	if (task_is_rt(curr))
		curr->rr_used += delta;
	else
		fair_update_curr(rq, curr, delta);
}

/* prev stays runnable: back in its queue, at the front if a real-time
 * task was preempted (POSIX), behind its peers if it yielded or an RR
 * slice ran out. (R) held. */
static void put_prev_locked(struct rq *rq, struct task *prev)
{
	int flags = 0;
	if (task_is_rt(prev) && !prev->yielded && !(prev->policy == SCHED_RR && prev->rr_used >= RR_SLICE_NS))
		flags = ENQ_HEAD;
	if (prev->policy == SCHED_RR && prev->rr_used >= RR_SLICE_NS)
		prev->rr_used = 0;
	if (prev->yielded && !task_is_rt(prev))
		fair_yield(rq, prev);
	prev->yielded = false;
	enqueue_locked(rq, prev, flags);
}

/* ---- the switch ---- */

/* CPU time: prev's run ends, next's begins, now; the CPU's idle time
 * likewise. A CPU leaving idle starts its tick again. (R) held. */
static void account_switch(struct rq *rq, struct task *prev, struct task *next)
{
	uint64_t now = prev->exec_start ? prev->exec_start : arch_clock_ns();   /* update_curr's now */
	if (prev->is_idle) {
		rq->idle_ns += now - rq->idle_since;
		rq->idle_since = 0;
	} else {
		prev->exec_start = 0;   /* update_curr charged it up to now */
	}
	if (next->is_idle) {
		rq->idle_since = now;
	} else {
		next->exec_start = now;
		rq->sampled_to = now;
		tick_start(rq);
	}
}

/* Switch from prev to next. rq's lock held on entry; on return (prev
 * runs again, maybe on another CPU) the lock of the CPU that switched
 * back to it is held. */
static void context_switch_locked(struct rq *rq, struct task *prev, struct task *next)
{
	account_switch(rq, prev, next);
	if (next->mm != prev->mm)
		mm_switch(prev->mm, next->mm);
	if (prev->mm)
		arch_save_task_state(&prev->arch);
	if (next->mm)
		arch_load_task_state(&next->arch);
	next->need_resched = false;
	arch_task_switched_in(next, (uint64_t)next->kstack + KSTACK_SIZE);
	next->on_cpu = true;
	rq->curr = next;
	rq->curr_claim = task_claim(next);
	rq->prev = prev;
	arch_switch(&prev->ctx, next->ctx);
}

/* After a switch, on the CPU that made it (its queue locked on entry,
 * released here): the previous task is off its stack now; free it if it
 * exited, send it away if it may not run here. */
static void finish_switch_unlock(void)
{
	struct rq *rq = this_rq();
	struct task *migrate = rq->migrating;
	rq->migrating = NULL;
	if (rq->prev) {
		rq->prev->on_cpu = false;
		rq->prev = NULL;
	}
	if (rq->dead && rq->dead != current) {
		struct task *t = rq->dead;
		rq->dead = NULL;
		task_free(t);
	}
	spin_unlock(&rq->lock);
	if (migrate)
		migrate_after_switch(migrate);
}

/* What becomes of prev as it leaves the CPU. (R) held. */
static void deschedule_prev_locked(struct rq *rq, struct task *prev)
{
	if (prev->is_idle)
		return;
	if (prev->state == TASK_RUNNING && cpu_allowed(prev, rq->cpu)) {
		put_prev_locked(rq, prev);
		return;
	}
	rq->nr_running--;
	if (prev->state == TASK_RUNNING)
		rq->migrating = prev;   /* its affinity changed: moved after the switch */
	else if (prev->state == TASK_DEAD)
		rq->dead = prev;
}

/* schedule - run something else; the caller comes back when it is
 * picked again (at once if it is still runnable and has the strongest
 * claim). */
void schedule(void)
{
	quiesce_point();
	struct task *prev = current;
	bool irq_on = arch_irq_enabled();
	arch_irq_disable();   /* whoever runs next inherits "off"; we restore ours below */
	struct rq *rq = this_rq();
	spin_lock(&rq->lock);
	update_curr(rq);
	if ((prev->is_idle || prev->state != TASK_RUNNING) && !queued_locked(rq))
		newidle_balance(rq);   /* nothing here: pull (may drop and retake rq->lock) */
	deschedule_prev_locked(rq, prev);
	prev->need_resched = false;
	struct task *next = pick_next_locked(rq);
	if (next != prev) {
		if (prev->state == TASK_RUNNING)
			prev->nr_involuntary++;
		else
			prev->nr_voluntary++;
		context_switch_locked(rq, prev, next);
		finish_switch_unlock();
	} else {
		spin_unlock(&rq->lock);
	}
	if (irq_on)
		arch_irq_enable();
}

/* task_first_run_unlock - the first thing a new task does: finish the
 * switch that brought it here and drop its queue's lock. */
void task_first_run_unlock(void)
{
	finish_switch_unlock();
}

/* task_first_run - where a forked task's first switch lands. */
void task_first_run(void *arg)
{
	task_first_run_unlock();
	struct task *t = current;
	if (t->set_child_tid) {
		int tid = t->tid;
		copy_to_user((void *)t->set_child_tid, &tid, sizeof(tid));
	}
	if (vmcheck_mode)
		vmcheck_first_return();
	quiesce_point();
	locks_check_return_to_user();
	arch_return_to_user(t->tf);
}

/* ---- new tasks ---- */

/* sched_task_init - a new task's defaults: SCHED_NORMAL, nice 0, any CPU. */
void sched_task_init(struct task *t)
{
	t->policy = SCHED_NORMAL;
	t->weight = sched_weight(SCHED_NORMAL, 0);
	t->cpus_allowed = ~0UL;
}

/* sched_fork - the new task c inherits the caller's policy, priority,
 * nice value, affinity and CPU; with SCHED_RESET_ON_FORK a real-time
 * policy becomes SCHED_NORMAL and a negative nice 0, as Linux. */
void sched_fork(struct task *c)
{
	struct task *p = current;
	struct rq *rq = task_rq_lock(p);
	c->policy = p->policy;
	c->rt_priority = p->rt_priority;
	c->nice = p->nice;
	c->cpus_allowed = p->cpus_allowed;
	c->cpu = p->cpu;
	c->vruntime = p->vruntime;
	if (p->reset_on_fork) {
		if (task_is_rt(c)) {
			c->policy = SCHED_NORMAL;
			c->rt_priority = 0;
			c->nice = 0;
		}
		c->nice = MAX(c->nice, 0);
	}
	c->weight = sched_weight(c->policy, c->nice);
	spin_unlock(&rq->lock);
}

/* sched_report - what /proc shows: Linux's prio is 99 - rt_priority
 * for a real-time task minus 100 (-2..-100), else 20 + nice. */
void sched_report(struct task *t, struct sched_report *r)
{
	struct rq *rq = task_rq_lock(t);
	r->policy = t->policy;
	r->rt_priority = t->rt_priority;
	r->nice = t->nice;
	r->prio = task_is_rt(t) ? -1 - t->rt_priority : 20 + t->nice;
	r->cpu = t->cpu;
	r->cpus_allowed = t->cpus_allowed & sched_online_mask();
	r->vruntime = t->vruntime;
	r->weight = t->weight;
	r->nr_involuntary = t->nr_involuntary;
	r->nr_voluntary = t->nr_voluntary;
	r->exec_start = t->exec_start;
	r->runtime_ns = t->times.runtime_ns + (t->exec_start ? arch_clock_ns() - t->exec_start : 0);
	r->nr_migrations = t->nr_migrations;
	spin_unlock(&rq->lock);
}

/* ---- waking ---- */

#define STATE_BIT(s) (1u << (s))

/* Make t runnable if its state is one of states (STATE_BITs): on the CPU
 * select_cpu chooses, unless it is still on its CPU going to sleep (it
 * then sees TASK_RUNNING and stays). */
static bool wake_task_from(struct task *t, unsigned states)
{
	for (;;) {
		struct rq *rq = task_rq_lock(t);
		if (!(states & STATE_BIT(t->state))) {
			spin_unlock(&rq->lock);
			return false;
		}
		if (t->on_cpu || t->on_rq) {
			t->state = TASK_RUNNING;
			spin_unlock(&rq->lock);
			return true;
		}
		int cpu = select_cpu(t, false);
		struct rq *dst = cpu_rq(cpu);
		if (dst != rq) {
			spin_unlock(&rq->lock);
			double_rq_lock(rq, dst);
			if (t->cpu != rq->cpu || !(states & STATE_BIT(t->state)) || t->on_cpu || t->on_rq) {
				double_rq_unlock(rq, dst);
				continue;   /* changed while unlocked: look again */
			}
			fair_move_vruntime(t, rq, dst);
			__atomic_store_n(&t->cpu, cpu, __ATOMIC_RELEASE);
			t->nr_migrations++;
		}
		t->state = TASK_RUNNING;
		activate_locked(dst, t, ENQ_WAKEUP);
		double_rq_unlock(rq, dst);
		return true;
	}
}

bool wake_task(struct task *t, bool only_interruptible)
{
	unsigned states = STATE_BIT(TASK_INTERRUPTIBLE);
	if (!only_interruptible)
		states |= STATE_BIT(TASK_UNINTERRUPTIBLE);
	return wake_task_from(t, states);
}

/* wake_stopped_task - SIGCONT or SIGKILL: a task in TASK_STOPPED runs
 * again; false if it was not stopped. Any context. */
bool wake_stopped_task(struct task *t)
{
	return wake_task_from(t, STATE_BIT(TASK_STOPPED));
}

/* wake_traced_task - a tracer's CONT, DETACH or KILL: a task in
 * TASK_TRACED runs again; false if it was not in a tracing stop. */
bool wake_traced_task(struct task *t)
{
	return wake_task_from(t, STATE_BIT(TASK_TRACED));
}

/* sched_task_on_cpu - is t running, or still on its stack after
 * switching away? A snapshot, under t's run-queue lock. */
bool sched_task_on_cpu(struct task *t)
{
	struct rq *rq = task_rq_lock(t);
	bool on = t->on_cpu;
	spin_unlock(&rq->lock);
	return on;
}

/* sched_make_runnable - queue a new task for its first run, on the CPU
 * select_cpu finds for it. */
void sched_make_runnable(struct task *t)
{
	int cpu = select_cpu(t, true);
	__atomic_store_n(&t->cpu, cpu, __ATOMIC_RELEASE);
	struct rq *rq = cpu_rq(cpu);
	spin_lock(&rq->lock);
	t->state = TASK_RUNNING;
	activate_locked(rq, t, ENQ_NEW);
	spin_unlock(&rq->lock);
}

/* set_current_state - the task's own change of its state needs no lock:
 * an exchange (a full barrier) orders it before the sleeper looks at its
 * condition, and a waker that sets the condition and then reads the state
 * under the run-queue lock either sees it asleep (and wakes it) or the
 * sleeper sees the condition (and does not sleep). */
void set_current_state(int s)
{
	__atomic_exchange_n(&current->state, (enum task_state)s, __ATOMIC_SEQ_CST);
}

/* ---- timed sleeps ---- */

struct sleep_timer {
	struct timer timer;
	struct task *task;
};

static void sleep_timer_fn(struct timer *t)
{
	wake_task(container_of(t, struct sleep_timer, timer)->task, false);
}

/* Sleep (state already set by the caller) until woken or until a timer
 * on this CPU fires: at the monotonic time mono, or at the wall-clock
 * time rt when realtime. */
static void schedule_timed(uint64_t mono, bool realtime, int64_t rt)
{
	struct sleep_timer st = { .task = current };
	timer_init(&st.timer, sleep_timer_fn);
	if (realtime)
		timer_arm_realtime(&st.timer, rt);
	else
		timer_arm(&st.timer, mono);
	schedule();
	timer_cancel(&st.timer);
}

/* schedule_until - sleep (state already set by the caller) until woken
 * or deadline_ns (monotonic, or DEADLINE_REALTIME: sync/sleep.h); true
 * if the deadline passed (docs/timers.md). */
bool schedule_until(uint64_t deadline_ns)
{
	if (deadline_ns & DEADLINE_REALTIME && deadline_ns != UINT64_MAX)
		return schedule_until_realtime((int64_t)(deadline_ns & ~DEADLINE_REALTIME));
	schedule_timed(deadline_ns, false, 0);
	return arch_clock_ns() >= deadline_ns;
}

bool deadline_passed(uint64_t deadline)
{
	if (deadline == UINT64_MAX)
		return false;
	if (deadline & DEADLINE_REALTIME)
		return clock_realtime_ns() >= (int64_t)(deadline & ~DEADLINE_REALTIME);
	return arch_clock_ns() >= deadline;
}

bool schedule_until_realtime(int64_t deadline_ns)
{
	schedule_timed(0, true, deadline_ns);
	return clock_realtime_ns() >= deadline_ns;
}

/* ---- returning to user mode, idling, starting ---- */

/* sched_return_to_user - signals and preemption before leaving the
 * kernel; interrupts off on entry and exit. */
void sched_return_to_user(struct trapframe *tf)
{
	for (;;) {
		quiesce_point();
		if (signal_work_pending(tf)) {
			arch_irq_enable();
			signal_handle_pending(tf);
			arch_irq_disable();
		}
		if (!current->need_resched) {
			locks_check_return_to_user();
			return;
		}
		schedule();
	}
}

/* idle_loop - the boot stack becomes this CPU's idle task: run what is
 * queued (or can be pulled from a busy CPU, when kicked), else halt. */
__noreturn void idle_loop(void)
{
	struct rq *rq = this_rq();
	for (;;) {
		quiesce_point();
		arch_irq_disable();
		if (__atomic_load_n(&rq->nr_running, __ATOMIC_RELAXED) || current->need_resched) {
			arch_irq_enable();
			schedule();
			continue;
		}
		arch_wait_for_interrupt();
	}
}

/* sched_init_idle - the calling context becomes this CPU's idle task t. */
void sched_init_idle(struct task *t)
{
	int cpu = arch_cpu_id();
	struct rq *rq = cpu_rq(cpu);
	spin_init(&rq->lock, "rq");
	rq->cpu = cpu;
	rt_rq_init(&rq->rt);
	t->is_idle = true;
	t->state = TASK_RUNNING;
	t->on_cpu = true;
	t->cpu = cpu;
	rq->idle = rq->curr = t;
	arch_set_current(t);
	timers_init_cpu();
	tick_init_cpu(rq);
}

/* sched_start_cpu - a CPU other than the boot CPU joins: its boot stack
 * becomes its idle task, which never returns. */
void sched_start_cpu(int cpu)
{
	extern struct process swapper_process;
	struct task *t = kzalloc(sizeof(*t));
	if (!t)
		panic("sched_start_cpu: out of memory");
	t->proc = &swapper_process;
	list_init(&t->rq_link);
	list_init(&t->thread_link);
	sched_init_idle(t);
	arch_irq_enable();
	idle_loop();
}

/* sched_ipi_resched - another CPU queued work here, or wants this one to
 * look for work (an idle CPU asked to pull). */
void sched_ipi_resched(void)
{
	struct task *t = current;
	if (t)
		t->need_resched = true;
}
