/*
 * cputime.c - reading CPU time (time/cputime.h).
 */
#include "time/cputime.h"
#include "time/clock.h"
#include "time/timer.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "lib/errno.h"

uint64_t cpu_times_clock(const struct cpu_times *c, int which)
{
	switch (which) {
	case CPUCLOCK_PROF:
		return (c->user + c->system) * TICK_NS;
	case CPUCLOCK_VIRT:
		return c->user * TICK_NS;
	default:
		return c->runtime_ns;
	}
}

/* The live thread tid of the caller's process (0: the caller). (T) held. */
static struct task *own_thread_locked(int tid)
{
	if (tid == 0)
		return current;
	struct task *t = task_find_locked(tid);
	return t && t->proc == current->proc ? t : NULL;
}

/* The process pid names (0: the caller's; a thread id names its
 * process), live or zombie. (T) held. */
static struct process *process_of_locked(int pid)
{
	if (pid == 0)
		return current->proc;
	struct process *p = process_find_locked(pid);
	if (p)
		return p;
	struct task *t = task_find_locked(pid);
	return t ? t->proc : NULL;
}

int cputime_read(int pid, bool thread, struct cpu_times *out)
{
	int err = 0;
	spin_lock(&tasklist_lock);
	if (thread) {
		struct task *t = own_thread_locked(pid);
		if (t)
			*out = sched_task_cpu_times(t);
		else
			err = -EINVAL;
	} else {
		struct process *p = process_of_locked(pid);
		if (p)
			*out = proc_cpu_times_locked(p);
		else
			err = -EINVAL;
	}
	spin_unlock(&tasklist_lock);
	return err;
}

void cputime_split(const struct cpu_times *c, uint64_t *user_ns, uint64_t *system_ns)
{
	uint64_t ticks = c->user + c->system, rt = c->runtime_ns;
	if (ticks == 0) {
		*user_ns = rt;   /* no sample yet: count it as user time, as Linux */
		*system_ns = 0;
		return;
	}
	*system_ns = rt / ticks * c->system + rt % ticks * c->system / ticks;   /* rt * system / ticks */
	*user_ns = rt - *system_ns;
}

void cputime_split_ticks(const struct cpu_times *c, uint64_t *user, uint64_t *system)
{
	cputime_split(c, user, system);
	*user /= TICK_NS;
	*system /= TICK_NS;
}
