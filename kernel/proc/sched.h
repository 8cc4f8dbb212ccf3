/*
 * sched.h - the scheduler: run queue, sleeping and waking, the tick.
 */
#ifndef ASPEN_PROC_SCHED_H
#define ASPEN_PROC_SCHED_H
#include "lib/kernel.h"
#include "sync/sleep.h"   /* set_current_state, schedule, wake_task */
struct trapframe;

/* sched_cpu_ticks - the ticks CPU cpu spent in user mode, in the kernel,
 * idle (for /proc/stat). */
void sched_cpu_ticks(int cpu, uint64_t *user, uint64_t *system, uint64_t *idle);
struct cpu_times;
struct task;
/* sched_task_cpu_times - t's CPU time so far, its current run included.
 * No rq_lock held. */
struct cpu_times sched_task_cpu_times(struct task *t);
/* sched_account_current - charge the caller's run up to now to its
 * times (before they are read as final: exit). */
void sched_account_current(void);
/* sched_load_avg - the 1, 5 and 15 minute load averages, in hundredths. */
void sched_load_avg(unsigned long out[3]);
/* sched_return_to_user - last stop before a trap returns to user mode:
 * deliver signals, reschedule if asked. Interrupts off. */
void sched_return_to_user(struct trapframe *tf);
struct task;
enum task_state;
/* wake_stopped_task - make t runnable if it is TASK_STOPPED (SIGCONT,
 * SIGKILL); true if it was. Any context. */
bool wake_stopped_task(struct task *t);
/* wake_traced_task - make t runnable if it is TASK_TRACED (a ptrace
 * resume, SIGKILL); false if it was not. Any context. */
bool wake_traced_task(struct task *t);
/* sched_task_on_cpu - is t running, or still on its stack after switching
 * away (its FPU state not yet saved)? Takes rq_lock. */
bool sched_task_on_cpu(struct task *t);
/* sched_make_runnable - queue a new task for its first run. */
void sched_make_runnable(struct task *t);
/* sched_init_idle - the calling context becomes this CPU's idle task. */
void sched_init_idle(struct task *t);
/* idle_loop - run queued tasks or halt, for ever. */
__noreturn void idle_loop(void);
/* task_first_run_unlock - a new task's first act: finish the switch that
 * brought it (rq_lock held on entry, released). task_first_run - the
 * whole first run of a forked task, into user mode. */
void task_first_run_unlock(void);
void task_first_run(void *arg);
/* sched_start_cpu - a secondary CPU enters the scheduler (never returns). */
__noreturn void sched_start_cpu(int cpu);
/* sched_ipi_resched - the reschedule interrupt's handler. */
void sched_ipi_resched(void);
#endif
