/*
 * sys_proc.c - the small process system calls: pids, process groups
 * and sessions, threads' bookkeeping, resource usage. (Signals:
 * sys_signal.c; credentials: sys_cred.c; limits: rlimit.c; prctl:
 * prctl.c.)
 */
#include "proc/task.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "proc/cred.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "proc/fork.h"
#include <uapi/aspen.h>
#include "lib/errno.h"
#include "time/clock.h"
#include "time/cputime.h"
#include "lib/string.h"
#include <linux/resource.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000L

long sys_getpid(void) { return current->proc->pid; }
long sys_gettid(void) { return current->tid; }
long sys_getppid(void)
{
	spin_lock(&tasklist_lock);
	struct process *parent = current->proc->parent;
	long pid = parent ? parent->pid : 0;
	spin_unlock(&tasklist_lock);
	return pid;
}

/* ---- process groups and sessions ---- */

/* Does a process of session sid lead or belong to group pgid? (T) */
static bool pgrp_in_session_locked(int pgid, int sid)
{
	struct process *q;
	list_for_each_entry(q, &all_processes, all_link)
		if (q->pgid == pgid && q->sid == sid)
			return true;
	return false;
}

/* Linux's rules: the caller or a child of it that has not exec'd yet
 * (EACCES), in the caller's session (EPERM), not a session leader, into
 * its own group or one of the same session (EPERM). (T) held. */
static long setpgid_locked(struct process *self, int pid, int pgid)
{
	struct task *t = task_find_locked(pid);
	if (!t)
		return -ESRCH;
	struct process *p = t->proc;
	if (p->pid != pid)
		return -EINVAL;         /* a thread, not a process */
	if (p != self && p->parent != self)
		return -ESRCH;
	if (p != self && p->sid != self->sid)
		return -EPERM;
	if (p != self && p->did_exec)
		return -EACCES;
	if (p->pid == p->sid)
		return -EPERM;          /* a session leader cannot move */
	if (pgid != pid && !pgrp_in_session_locked(pgid, self->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

long sys_setpgid(int pid, int pgid)
{
	struct process *self = current->proc;
	pid = pid ? pid : self->pid;
	pgid = pgid ? pgid : pid;
	if (pgid < 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	long err = setpgid_locked(self, pid, pgid);
	spin_unlock(&tasklist_lock);
	return err;
}

static long get_proc_field(int pid, bool session)
{
	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find_locked(pid) : current->proc;
	long r = !p ? -ESRCH : session ? p->sid : p->pgid;
	spin_unlock(&tasklist_lock);
	return r;
}

long sys_getpgid(int pid) { return get_proc_field(pid, false); }
long sys_getpgrp(void) { return current->proc->pgid; }
long sys_getsid(int pid) { return get_proc_field(pid, true); }

long sys_setsid(void)
{
	struct process *self = current->proc;
	spin_lock(&tasklist_lock);
	long err = 0;
	struct process *p;
	list_for_each_entry(p, &all_processes, all_link)
		if (p->pgid == self->pid)
			err = -EPERM;   /* already a group leader */
	if (!err) {
		self->sid = self->pgid = self->pid;
		err = self->pid;
	}
	spin_unlock(&tasklist_lock);
	return err;
}

/* ---- threads' bookkeeping ---- */

long sys_set_tid_address(int *tidptr)
{
	current->clear_child_tid = (uint64_t)tidptr;
	return current->tid;
}

long sys_set_robust_list(void *head, size_t len)
{
	if (len != 24)
		return -EINVAL;
	current->robust_list = (uint64_t)head;
	return 0;
}

long sys_get_robust_list(int pid, void **head, size_t *len)
{
	uint64_t h = current->robust_list, l = 24;
	if (pid && pid != current->tid)
		return -ESRCH;
	if (copy_to_user(head, &h, 8) || copy_to_user(len, &l, 8))
		return -EFAULT;
	return 0;
}

/* struct rusage of Linux x86-64: two timevals, then fourteen longs. */
struct linux_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap;
	int64_t inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

/* put_rusage - the user and system times are the time run, split in
 * the proportion the tick sampled (time/cputime.h). */
long put_rusage(void *u, const struct cpu_times *t, uint64_t minflt, uint64_t majflt)
{
	struct linux_rusage r;
	uint64_t user, system;
	memset(&r, 0, sizeof(r));
	cputime_split(t, &user, &system);
	r.utime_sec = (int64_t)(user / NSEC_PER_SEC);
	r.utime_usec = (int64_t)(user % NSEC_PER_SEC / 1000);
	r.stime_sec = (int64_t)(system / NSEC_PER_SEC);
	r.stime_usec = (int64_t)(system % NSEC_PER_SEC / 1000);
	r.minflt = (int64_t)minflt;
	r.majflt = (int64_t)majflt;
	return copy_to_user(u, &r, sizeof(r));
}

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

long sys_getrusage(int who, void *usage)
{
	struct process *p = current->proc;
	struct cpu_times t;
	spin_lock(&tasklist_lock);
	if (who == RUSAGE_SELF)
		t = proc_cpu_times_locked(p);
	else if (who == RUSAGE_CHILDREN)
		t = p->child_times;
	spin_unlock(&tasklist_lock);
	if (who == RUSAGE_THREAD)
		t = sched_task_cpu_times(current);
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	bool self = who == RUSAGE_SELF;
	return put_rusage(usage, &t, self ? p->counters.minor_faults : 0, self ? p->counters.major_faults : 0);
}

/* times(buf): the caller's and its children's CPU time in clock ticks
 * (USER_HZ = 100 = TIMER_HZ); returns the ticks since boot. */
long sys_times(void *buf)
{
	struct process *p = current->proc;
	spin_lock(&tasklist_lock);
	struct cpu_times self = proc_cpu_times_locked(p), children = p->child_times;
	spin_unlock(&tasklist_lock);
	uint64_t tms[4];
	cputime_split_ticks(&self, &tms[0], &tms[1]);
	cputime_split_ticks(&children, &tms[2], &tms[3]);
	if (buf && copy_to_user(buf, tms, sizeof(tms)))
		return -EFAULT;
	return (long)(arch_clock_ns() / (NSEC_PER_SEC / TIMER_HZ));
}
