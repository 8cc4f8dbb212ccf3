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
#include "proc/quiesce.h"
#include "mm/vmcheck.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include "mm/usercopy.h"

#define TIME_SLICE_TICKS 2

struct spinlock rq_lock = SPINLOCK_INIT("rq");
static LIST_HEAD(run_queue);          /* (R) */
static LIST_HEAD(timed_sleepers);     /* (R) tasks with wake_at_ns */
/* Per CPU, indexed by arch_cpu_id(). */
static struct task *idle_tasks[ARCH_MAX_CPUS];  /* (-) each CPU's idle task */
static struct task *cpu_curr[ARCH_MAX_CPUS];    /* (R) what each CPU runs */
static struct task *dead_tasks[ARCH_MAX_CPUS];  /* (R) exited; freed after the switch */
static struct task *prev_tasks[ARCH_MAX_CPUS];  /* (R) switched away from, still on its stack */
static uint64_t ticks;

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

/* Switch from prev to next. rq_lock held on entry and on return (when
 * prev runs again). */
static void context_switch_locked(struct task *prev, struct task *next)
{
	int cpu = arch_cpu_id();
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

/* schedule_until - sleep (state already set by the caller, or
 * interruptible) until woken or deadline_ns; true if the deadline passed. */
bool schedule_until(uint64_t deadline_ns)
{
	struct task *t = current;
	spin_lock(&rq_lock);
	t->wake_at_ns = deadline_ns;
	list_add_tail(&t->timer_link, &timed_sleepers);
	spin_unlock(&rq_lock);
	schedule();
	spin_lock(&rq_lock);
	list_del(&t->timer_link);
	t->wake_at_ns = 0;
	spin_unlock(&rq_lock);
	return arch_clock_ns() >= deadline_ns;
}

static void wake_timed_sleepers_locked(uint64_t now)
{
	struct task *t;
	list_for_each_entry(t, &timed_sleepers, timer_link) {
		if (t->wake_at_ns && t->wake_at_ns <= now &&
		    (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE)) {
			t->state = TASK_RUNNING;
			enqueue_locked(t);
		}
	}
}

/* Ticks each CPU spent idle, in user mode, in the kernel (/proc/stat). */
static uint64_t cpu_ticks[ARCH_MAX_CPUS][3];

void sched_cpu_ticks(int cpu, uint64_t *user, uint64_t *system, uint64_t *idle)
{
	*user = cpu_ticks[cpu][0];
	*system = cpu_ticks[cpu][1];
	*idle = cpu_ticks[cpu][2];
}

/* Load averages, as Linux computes them: every LOAD_FREQ ticks the
 * number of runnable tasks is folded into three exponentially decaying
 * averages (1, 5 and 15 minutes), in fixed point with FSHIFT bits. */
#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)
#define LOAD_FREQ (5 * TIMER_HZ + 1)
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };   /* 2^11 / e^(5s/1, 5, 15 min) */
static uint64_t load_avg[3];   /* (R) */

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

/* sched_load_avg - the three averages in hundredths (1.50 -> 150). */
void sched_load_avg(unsigned long out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = (unsigned long)((load_avg[i] * 100 + FIXED_1 / 2) >> FSHIFT);
}

/* Charge the tick to the interrupted task, user or kernel time. */
static void account_tick(struct task *t, bool user)
{
	int cpu = arch_cpu_id();
	if (!t || t->is_idle) {
		cpu_ticks[cpu][2]++;
	} else if (user) {
		t->times.user++;
		cpu_ticks[cpu][0]++;
	} else {
		t->times.system++;
		cpu_ticks[cpu][1]++;
	}
}

/* sched_timer_tick - every 1/TIMER_HZ s on each CPU, interrupts off;
 * from_user: the tick interrupted user code. */
void sched_timer_tick(bool from_user)
{
	account_tick(current, from_user);
	bool fold = false;
	if (arch_cpu_id() == 0)
		fold = ++ticks % LOAD_FREQ == 0;
	spin_lock(&rq_lock);
	if (fold)
		calc_load_locked();
	wake_timed_sleepers_locked(arch_clock_ns());
	struct task *t = current;
	if (t && (t->is_idle ? !list_empty(&run_queue) : --t->ticks_left <= 0))
		t->need_resched = true;
	spin_unlock(&rq_lock);
	signal_timer_tick(arch_clock_ns());
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
		if (!current->need_resched)
			return;
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
	list_init(&t->timer_link);
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
