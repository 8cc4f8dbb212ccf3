/*
 * sys_proc.c - the small process system calls: ids, groups and
 * sessions, limits, sleeping. (Signals: proc/signal.c.)
 */
#include "proc/task.h"
#include "proc/sched.h"
#include "proc/signal.h"
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
#define NOFILE_LIMIT 1024

long sys_getpid(void) { return current->proc->pid; }
long sys_gettid(void) { return current->tid; }
long sys_getuid(void) { return current->proc->uid; }
long sys_geteuid(void) { return current->proc->euid; }
long sys_getgid(void) { return current->proc->gid; }
long sys_getegid(void) { return current->proc->egid; }
long sys_getgroups(int size, uint32_t *list) { return 0; }

long sys_getppid(void)
{
	spin_lock(&tasklist_lock);
	struct process *parent = current->proc->parent;
	long pid = parent ? parent->pid : 0;
	spin_unlock(&tasklist_lock);
	return pid;
}

/* Only root exists; setting an id to what it is (or as root) succeeds. */
long sys_setuid(uint32_t uid)
{
	struct process *p = current->proc;
	if (p->euid != 0 && uid != p->uid)
		return -EPERM;
	p->uid = p->euid = uid;
	return 0;
}

long sys_setgid(uint32_t gid)
{
	struct process *p = current->proc;
	if (p->euid != 0 && gid != p->gid)
		return -EPERM;
	p->gid = p->egid = gid;
	return 0;
}

/* Set real and effective ids (-1: keep). Without root each new id must
 * be the real or the effective one already (no saved id is kept: it
 * reads as the effective one). 0 or -EPERM. */
static long set_re_ids(uint32_t *real, uint32_t *eff, uint32_t r, uint32_t e)
{
	uint32_t keep = (uint32_t)-1;
	bool root = current->proc->euid == 0;
	if (!root && ((r != keep && r != *real && r != *eff) || (e != keep && e != *real && e != *eff)))
		return -EPERM;
	if (r != keep)
		*real = r;
	if (e != keep)
		*eff = e;
	return 0;
}

long sys_setreuid(uint32_t r, uint32_t e) { return set_re_ids(&current->proc->uid, &current->proc->euid, r, e); }
long sys_setregid(uint32_t r, uint32_t e) { return set_re_ids(&current->proc->gid, &current->proc->egid, r, e); }

/* setresuid/setresgid: the saved id is not kept, so s is only checked. */
long sys_setresuid(uint32_t r, uint32_t e, uint32_t s)
{
	struct process *p = current->proc;
	if (p->euid != 0 && s != (uint32_t)-1 && s != p->uid && s != p->euid)
		return -EPERM;
	return set_re_ids(&p->uid, &p->euid, r, e);
}

long sys_setresgid(uint32_t r, uint32_t e, uint32_t s)
{
	struct process *p = current->proc;
	if (p->euid != 0 && s != (uint32_t)-1 && s != p->gid && s != p->egid)
		return -EPERM;
	return set_re_ids(&p->gid, &p->egid, r, e);
}

static long put_three_ids(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t real, uint32_t eff)
{
	if (copy_to_user(a, &real, 4) || copy_to_user(b, &eff, 4) || copy_to_user(c, &eff, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uint32_t *r, uint32_t *e, uint32_t *s)
{
	return put_three_ids(r, e, s, current->proc->uid, current->proc->euid);
}

long sys_getresgid(uint32_t *r, uint32_t *e, uint32_t *s)
{
	return put_three_ids(r, e, s, current->proc->gid, current->proc->egid);
}

/* ---- process groups and sessions ---- */

static struct process *find_self_or_child_locked(int pid)
{
	struct process *self = current->proc;
	if (pid == 0 || pid == self->pid)
		return self;
	struct process *p = process_find_locked(pid);
	return p && p->parent == self ? p : NULL;
}

long sys_setpgid(int pid, int pgid)
{
	if (pgid < 0)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	struct process *p = find_self_or_child_locked(pid);
	long err = p ? 0 : -ESRCH;
	if (!err && p->sid != current->proc->sid)
		err = -EPERM;
	if (!err && p->pid == p->sid)
		err = -EPERM;   /* a session leader cannot move */
	if (!err)
		p->pgid = pgid ? pgid : p->pid;
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

/* ---- limits ---- */

static int limit_get(int resource, struct rlimit64 *r)
{
	const uint64_t inf = RLIM64_INFINITY;
	switch (resource) {
	case RLIMIT_STACK:
		r->rlim_cur = current->proc->rlimit_stack ? current->proc->rlimit_stack : STACK_RLIMIT_DEFAULT;
		r->rlim_max = inf;
		return 0;
	case RLIMIT_NOFILE:
		r->rlim_cur = r->rlim_max = NOFILE_LIMIT;
		return 0;
	case RLIMIT_CORE:
		r->rlim_cur = 0;
		r->rlim_max = inf;
		return 0;
	case RLIMIT_NPROC:
		r->rlim_cur = r->rlim_max = PID_MAX;
		return 0;
	default:
		if (resource < 0 || resource >= RLIM_NLIMITS)
			return -EINVAL;
		r->rlim_cur = r->rlim_max = inf;
		return 0;
	}
}

static int limit_set(int resource, const struct rlimit64 *r)
{
	if (r->rlim_cur > r->rlim_max)
		return -EINVAL;
	if (resource == RLIMIT_STACK) {
		current->proc->rlimit_stack = r->rlim_cur;
		if (current->mm)
			current->mm->stack_limit = r->rlim_cur;   /* growth obeys it at once */
	}
	return 0;   /* other limits are accepted and not enforced (docs/syscalls.md) */
}

long sys_prlimit64(int pid, int resource, const struct rlimit64 *unew, struct rlimit64 *uold)
{
	struct rlimit64 old, new;
	if (pid && pid != current->proc->pid)
		return -ESRCH;
	int err = limit_get(resource, &old);
	if (err)
		return err;
	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	if (unew && (err = limit_set(resource, &new)))
		return err;
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_getrlimit(int resource, struct rlimit64 *uold)
{
	return sys_prlimit64(0, resource, NULL, uold);
}

long sys_setrlimit(int resource, const struct rlimit64 *unew)
{
	return sys_prlimit64(0, resource, unew, NULL);
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37

long sys_prctl(int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = current->proc;
	char name[TASK_COMM_LEN];
	int zero = 0;
	switch (option) {
	case PR_SET_NAME:
		if (strncpy_from_user(name, (const char *)a2, sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[TASK_COMM_LEN - 1] = 0;
		memcpy(p->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user((void *)a2, p->comm, TASK_COMM_LEN);
	case PR_SET_DUMPABLE:
	case PR_SET_PDEATHSIG:
		return 0;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_GET_CHILD_SUBREAPER:
		return copy_to_user((void *)a2, &zero, sizeof(zero));
	case PR_ASPEN_SET_FORK_STRATEGY:
		return fork_strategy_set(p, a2);
	case PR_ASPEN_GET_FORK_STRATEGY:
		return fork_strategy_of(p);
	default:
		return -EINVAL;
	}
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
