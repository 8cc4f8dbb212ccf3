/*
 * sched.c - a preemptive round-robin scheduler and timed sleeps. (The
 * wait queues and mutexes that sleep through it: kernel/sync/.)
 *
 * One run queue of runnable tasks not currently on a CPU, guarded by
 * rq_lock, which also guards every task's state. A task gives up the
 * CPU in schedule(): it switches directly to the next task, holding
 * rq_lock across the switch; whoever runs next releases it (in
 * schedule() after its own arch_switch returned, or in task_first_run
 * for a brand-new task). The timer tick ends time slices; the switch
 * then happens on the way back to user mode, so kernel code is never
 * preempted and needs locks only against other CPUs and interrupts.
 */
#include "proc/task.h"
#include "proc/sched.h"
#include "proc/rlimit.h"
#include "proc/quiesce.h"
#include "proc/locks.h"
#include "mm/vmcheck.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "time/timer.h"

#define TIME_SLICE_TICKS 2

struct spinlock rq_lock = SPINLOCK_INIT("rq");
static LIST_HEAD(run_queue);          /* (R) */
/* Per CPU, indexed by arch_cpu_id(). */
static struct task *idle_tasks[ARCH_MAX_CPUS];  /* (-) each CPU's idle task */
static struct task *cpu_curr[ARCH_MAX_CPUS];    /* (R) what each CPU runs */
static struct task *dead_tasks[ARCH_MAX_CPUS];  /* (R) exited; freed after the switch */
static struct task *prev_tasks[ARCH_MAX_CPUS];  /* (R) switched away from, still on its stack */

/* Each CPU's tick: a timer every TICK_NS while the CPU has work, stopped
 * while it idles (docs/timers.md). Touched only by its own CPU. */
struct cpu_tick {
	struct timer timer;
	bool on;
	uint64_t idle_ns;      /* time spent idle before idle_since */
	uint64_t idle_since;   /* when the idle task last came on; 0: not idle */
	uint64_t sampled_to;   /* the tick charged the running task's time up to here */
};
static struct cpu_tick cpu_ticks_timer[ARCH_MAX_CPUS];
static void tick_start(void);

/* Put t at the tail of the run queue (it may still be on this CPU,
 * switching away under rq_lock). */
static void queue_locked(struct task *t)
{
	if (t->on_rq || t->is_idle)
		return;
	list_add_tail(&t->rq_link, &run_queue);
	t->on_rq = true;
}

/* Wake an idle CPU, if there is one, to take the queue's new task. */
static void kick_idle_cpu_locked(void)
{
	int self = arch_cpu_id();
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		if (cpu != self && cpu_curr[cpu] && cpu_curr[cpu]->is_idle) {
			arch_send_resched(cpu);
			return;
		}
}

/* A task that became runnable: queue it unless it is still on a CPU
 * (it has not finished going to sleep; it will see TASK_RUNNING). */
static void enqueue_locked(struct task *t)
{
	if (t->on_cpu)
		return;
	queue_locked(t);
	if (arch_ncpus() > 1)
		kick_idle_cpu_locked();
}

static struct task *pick_next_locked(void)
{
	if (list_empty(&run_queue))
		return idle_tasks[arch_cpu_id()];
	struct task *t = list_first_entry(&run_queue, struct task, rq_link);
	list_del(&t->rq_link);
	t->on_rq = false;
	return t;
}

/* After a switch, on the CPU that made it: the previous task is off
 * its stack now; free it if it exited. */
static void finish_switch_locked(void)
{
	int cpu = arch_cpu_id();
	if (prev_tasks[cpu]) {
		prev_tasks[cpu]->on_cpu = false;
		prev_tasks[cpu] = NULL;
	}
	if (dead_tasks[cpu] && dead_tasks[cpu] != current) {
		struct task *t = dead_tasks[cpu];
		dead_tasks[cpu] = NULL;
		task_free(t);
	}
}

static uint64_t kstack_top(struct task *t)
{
	return (uint64_t)t->kstack + KSTACK_SIZE;
}

/* CPU time: prev's run ends, next's begins, now; the CPU's idle time
 * likewise. A CPU leaving idle starts its tick again. (R) held. */
static void account_switch(struct task *prev, struct task *next)
{
	struct cpu_tick *ct = &cpu_ticks_timer[arch_cpu_id()];
	uint64_t now = arch_clock_ns();
	if (prev->is_idle) {
		ct->idle_ns += now - ct->idle_since;
		ct->idle_since = 0;
	} else {
		prev->times.runtime_ns += now - prev->exec_start;
		prev->exec_start = 0;
	}
	if (next->is_idle) {
		ct->idle_since = now;
	} else {
		next->exec_start = now;
		ct->sampled_to = now;
		tick_start();
	}
}

/* Switch from prev to next. rq_lock held on entry and on return (when
 * prev runs again). */
static void context_switch_locked(struct task *prev, struct task *next)
{
	int cpu = arch_cpu_id();
	account_switch(prev, next);
	if (next->mm != prev->mm)
		mm_switch(prev->mm, next->mm);
	if (prev->mm)
		arch_save_task_state(&prev->arch);
	if (next->mm)
		arch_load_task_state(&next->arch);
	next->ticks_left = TIME_SLICE_TICKS;
	next->need_resched = false;
	arch_task_switched_in(next, kstack_top(next));
	next->on_cpu = true;
	cpu_curr[cpu] = next;
	prev_tasks[cpu] = prev;
	arch_switch(&prev->ctx, next->ctx);
	finish_switch_locked();
}

/* schedule - run something else; the caller comes back when it is
 * picked again (immediately if it is still runnable and alone). */
void schedule(void)
{
	quiesce_point();
	struct task *prev = current;
	bool irq_on = arch_irq_enabled();
	arch_irq_disable();   /* whoever runs next inherits "off"; we restore ours below */
	spin_lock(&rq_lock);
	if (prev->state == TASK_RUNNING)
		queue_locked(prev);
	else if (prev->state == TASK_DEAD)
		dead_tasks[arch_cpu_id()] = prev;
	prev->need_resched = false;
	if (prev->ticks_left <= 0)
		prev->ticks_left = TIME_SLICE_TICKS;   /* alone on the CPU: a new slice */
	struct task *next = pick_next_locked();
	if (next == prev && prev->on_rq) {
		list_del(&prev->rq_link);
		prev->on_rq = false;
	}
	if (next != prev)
		context_switch_locked(prev, next);
	spin_unlock(&rq_lock);
	if (irq_on)
		arch_irq_enable();
}

/* task_first_run_unlock - the first thing a new task does: finish the
 * switch that brought it here and drop rq_lock. */
void task_first_run_unlock(void)
{
	finish_switch_locked();
	spin_unlock(&rq_lock);
}

/* task_first_run - where a forked task's first switch lands (rq_lock held). */
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

#define STATE_BIT(s) (1u << (s))

/* Make t runnable if its state is one of states (STATE_BITs). */
static bool wake_task_from(struct task *t, unsigned states)
{
	bool woke = false;
	spin_lock(&rq_lock);
	if (states & STATE_BIT(t->state)) {
		t->state = TASK_RUNNING;
		enqueue_locked(t);
		woke = true;
	}
	spin_unlock(&rq_lock);
	return woke;
}

/* wake_task - make a sleeping task runnable; false if it was not asleep. */
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

bool wake_traced_task(struct task *t)
{
	return wake_task_from(t, STATE_BIT(TASK_TRACED));
}

bool sched_task_on_cpu(struct task *t)
{
	spin_lock(&rq_lock);
	bool on = t->on_cpu;
	spin_unlock(&rq_lock);
	return on;
}

/* sched_make_runnable - put a new task on the run queue for the first time. */
void sched_make_runnable(struct task *t)
{
	spin_lock(&rq_lock);
	t->state = TASK_RUNNING;
	enqueue_locked(t);
	spin_unlock(&rq_lock);
}

void set_current_state(int s)
{
	spin_lock(&rq_lock);
	current->state = (enum task_state)s;
	spin_unlock(&rq_lock);
}

/* ---- time ---- */

struct sleep_timer {
	struct timer timer;
	struct task *task;
};

static void sleep_timer_fn(struct timer *t)
{
	wake_task(container_of(t, struct sleep_timer, timer)->task, false);
}

/* schedule_until - sleep (state already set by the caller) until woken
 * or deadline_ns; true if the deadline passed. A timer on this CPU
 * wakes the caller at the deadline. */
bool schedule_until(uint64_t deadline_ns)
{
	struct sleep_timer st = { .task = current };
	timer_init(&st.timer, sleep_timer_fn);
	timer_arm(&st.timer, deadline_ns);
	schedule();
	timer_cancel(&st.timer);
	return arch_clock_ns() >= deadline_ns;
}

/* sched_task_cpu_times - t's CPU time, its current run included. Any
 * context but the rq_lock holder's. */
struct cpu_times sched_task_cpu_times(struct task *t)
{
	spin_lock(&rq_lock);
	struct cpu_times c = t->times;
	if (t->exec_start)
		c.runtime_ns += arch_clock_ns() - t->exec_start;
	spin_unlock(&rq_lock);
	return c;
}

/* sched_account_current - bring the caller's run time up to now. */
void sched_account_current(void)
{
	struct task *t = current;
	spin_lock(&rq_lock);
	uint64_t now = arch_clock_ns();
	t->times.runtime_ns += now - t->exec_start;
	t->exec_start = now;
	spin_unlock(&rq_lock);
}

/* Ticks each CPU spent in user mode and in the kernel (/proc/stat);
 * idle time is measured (the tick stops while a CPU idles). */
static uint64_t cpu_ticks[ARCH_MAX_CPUS][2];

void sched_cpu_ticks(int cpu, uint64_t *user, uint64_t *system, uint64_t *idle)
{
	struct cpu_tick *ct = &cpu_ticks_timer[cpu];
	uint64_t since = __atomic_load_n(&ct->idle_since, __ATOMIC_RELAXED);
	uint64_t now = arch_clock_ns();
	*user = cpu_ticks[cpu][0];
	*system = cpu_ticks[cpu][1];
	*idle = (ct->idle_ns + (since && now > since ? now - since : 0)) / TICK_NS;
}

/* Load averages, as Linux computes them: every LOAD_FREQ ticks the
 * number of runnable tasks is folded into three exponentially decaying
 * averages (1, 5 and 15 minutes), in fixed point with FSHIFT bits. */
#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)
#define LOAD_FREQ_NS (5 * NSEC_PER_SEC + TICK_NS)   /* Linux's 5 s + 1 tick */
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };   /* 2^11 / e^(5s/1, 5, 15 min) */
static uint64_t load_avg[3];   /* (R) */
static struct timer load_timer;   /* on the boot CPU, every LOAD_FREQ_NS */

/* Runnable tasks: queued, or running on a CPU. (R) held. */
static uint64_t nr_active_locked(void)
{
	uint64_t n = 0;
	struct task *t;
	list_for_each_entry(t, &run_queue, rq_link)
		n++;
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		n += cpu_curr[cpu] && !cpu_curr[cpu]->is_idle;
	return n;
}

static void calc_load_locked(void)
{
	uint64_t active = nr_active_locked() * FIXED_1;
	for (int i = 0; i < 3; i++)
		load_avg[i] = (load_avg[i] * load_exp[i] + active * (FIXED_1 - load_exp[i])) >> FSHIFT;
}

static void load_timer_fn(struct timer *t)
{
	spin_lock(&rq_lock);
	calc_load_locked();
	spin_unlock(&rq_lock);
	timer_arm(t, t->expires + LOAD_FREQ_NS);
}

/* sched_load_avg - the three averages in hundredths (1.50 -> 150). */
void sched_load_avg(unsigned long out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = (unsigned long)((load_avg[i] * 100 + FIXED_1 / 2) >> FSHIFT);
}

/* Charge the tick to the interrupted task, user or kernel time: one
 * tick, or as many as have passed since the last one charged it when
 * the tick came late (a busy host delays a virtual CPU's interrupts; the
 * sampled clocks, which the PROF and VIRT timers run on, then still keep
 * pace with the measured run time). */
static void account_tick(struct cpu_tick *ct, struct task *t, bool user)
{
	int cpu = arch_cpu_id();
	uint64_t now = arch_clock_ns();
	uint64_t n = now > ct->sampled_to ? (now - ct->sampled_to + TICK_NS / 2) / TICK_NS : 0;
	ct->sampled_to = now;
	if (!t || t->is_idle)
		return;
	n = MAX(n, 1);
	if (user) {
		t->times.user += n;
		cpu_ticks[cpu][0] += n;
	} else {
		t->times.system += n;
		cpu_ticks[cpu][1] += n;
	}
	if (t && !t->is_idle)
		rlimit_cpu_tick(t);     /* RLIMIT_CPU */
}

/* The tick, every TICK_NS on each CPU with work, interrupts off: CPU
 * time sampling, the end of time slices, CPU-time timers. It stops
 * itself on an idle CPU with nothing queued; account_switch restarts it. */
static void tick_fn(struct timer *timer)
{
	struct cpu_tick *ct = container_of(timer, struct cpu_tick, timer);
	struct task *t = current;
	account_tick(ct, t, timer_irq_from_user());
	spin_lock(&rq_lock);
	bool idle = t->is_idle;
	/* A dead task on its way out of schedule(): its process may have
	 * been reaped and freed already (on another CPU). */
	bool dead = t->state == TASK_DEAD;
	if (idle ? !list_empty(&run_queue) : --t->ticks_left <= 0)
		t->need_resched = true;
	spin_unlock(&rq_lock);
	if (idle) {
		ct->on = false;
		return;
	}
	if (!dead)
		proc_timers_tick(t);
	uint64_t next = timer->expires + TICK_NS, now = arch_clock_ns();
	if (next <= now)
		next = now + TICK_NS;   /* missed ticks are not made up */
	timer_arm(timer, next);
}

/* Start this CPU's tick if it is stopped. Interrupts off. */
static void tick_start(void)
{
	struct cpu_tick *ct = &cpu_ticks_timer[arch_cpu_id()];
	if (ct->on)
		return;
	ct->on = true;
	timer_arm(&ct->timer, arch_clock_ns() + TICK_NS);
}

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

/* idle_loop - the boot stack becomes this CPU's idle task. */
__noreturn void idle_loop(void)
{
	for (;;) {
		quiesce_point();
		arch_irq_disable();
		if (!list_empty(&run_queue)) {
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
	t->is_idle = true;
	t->state = TASK_RUNNING;
	t->on_cpu = true;
	idle_tasks[cpu] = t;
	cpu_curr[cpu] = t;
	arch_set_current(t);
	timers_init_cpu();
	timer_init(&cpu_ticks_timer[cpu].timer, tick_fn);
	cpu_ticks_timer[cpu].idle_since = arch_clock_ns();
	if (cpu == 0) {
		timer_init(&load_timer, load_timer_fn);
		timer_arm(&load_timer, arch_clock_ns() + LOAD_FREQ_NS);
	}
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

/* sched_ipi_resched - another CPU queued work: look at the queue. */
void sched_ipi_resched(void)
{
	struct task *t = current;
	if (t)
		t->need_resched = true;
}
