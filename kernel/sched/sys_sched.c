/*
 * sys_sched.c - the scheduling system calls: policies and priorities
 * (sched_setscheduler, sched_setparam, sched_setattr and their getters,
 * sched_get_priority_max/min, sched_rr_get_interval), nice values
 * (setpriority, getpriority), affinity (sched_setaffinity,
 * sched_getaffinity) and sched_yield, with Linux's arguments, checks
 * and errors.
 *
 * As on Linux these act on one thread: a pid names the thread with that
 * id (0: the caller). Permission: a task's owner (the caller's effective
 * uid is its real or effective uid) may lower its priority; raising it
 * takes CAP_SYS_NICE or, as Linux, the target's own limits: a nice value
 * down to 20 - RLIMIT_NICE, a real-time policy at a priority up to
 * RLIMIT_RTPRIO (both 0 by default: only root may raise).
 */
#include "sched/rq.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include <linux/capability.h>

#define SCHED_POLICY_KEEP (-1)         /* sched_setparam: keep the policy */
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56
#define MAX_RT_PRIO 99
#define MIN_NICE (-20)
#define MAX_NICE 19
#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

/* struct sched_attr, as Linux's (version 1: 56 bytes). */
struct sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

/* What a change asks for. */
struct sched_change {
	int policy;            /* SCHED_*, or SCHED_POLICY_KEEP */
	int priority;          /* real-time priority */
	int nice;
	bool set_nice;         /* sched_setattr with a fair policy */
	bool reset_on_fork;
};

/* ---- permission ---- */

static bool has_cap_sys_nice(void)
{
	return capable(CAP_SYS_NICE);
}

/* The caller may change t's scheduling: Linux's check_same_owner. */
static bool owns_locked(struct task *t)
{
	return cred_may_modify_locked(t->proc, CAP_SYS_NICE);
}

/* Linux's can_nice: t may be given nice value nice, by t's RLIMIT_NICE
 * (which counts nice 19..-20 as 1..40) or the caller's CAP_SYS_NICE. */
static bool can_nice(struct task *t, int nice)
{
	return (uint64_t)(20 - nice) <= rlimit_cur_of(t->proc, RLIMIT_NICE) || has_cap_sys_nice();
}

/* The thread pid names (0: the caller), or NULL. (T) held. */
static struct task *find_thread_locked(int pid)
{
	return pid == 0 ? current : task_find_locked(pid);
}

/* ---- changing policy and priority ---- */

static bool valid_policy(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE ||
	       policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool fair_policy(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH;
}

/* Linux's checks of __sched_setscheduler, in its order: -EINVAL for a
 * bad policy or priority; without CAP_SYS_NICE, -EPERM for a raise past
 * t's RLIMIT_NICE or RLIMIT_RTPRIO, or for another owner's task. (T) held. */
static int check_change_locked(struct task *t, struct sched_change *c)
{
	if (c->policy == SCHED_POLICY_KEEP) {
		c->policy = t->policy;
		c->reset_on_fork = t->reset_on_fork;
	}
	if (!valid_policy(c->policy) || c->priority < 0 || c->priority > MAX_RT_PRIO ||
	    rt_policy(c->policy) != (c->priority != 0))
		return -EINVAL;
	if (has_cap_sys_nice())
		return 0;
	if (fair_policy(c->policy) && c->set_nice && c->nice < t->nice && !can_nice(t, c->nice))
		return -EPERM;
	if (rt_policy(c->policy)) {
		uint64_t rtprio = rlimit_cur_of(t->proc, RLIMIT_RTPRIO);
		if (c->policy != t->policy && !rtprio)
			return -EPERM;   /* into a real-time policy, or from one to the other */
		if (c->priority > t->rt_priority && (uint64_t)c->priority > rtprio)
			return -EPERM;
	}
	if (t->policy == SCHED_IDLE && c->policy != SCHED_IDLE && !can_nice(t, t->nice))
		return -EPERM;   /* leaving SCHED_IDLE counts as nice 20 -> t's nice */
	if (!owns_locked(t) || (t->reset_on_fork && !c->reset_on_fork))
		return -EPERM;
	return 0;
}

/* Apply c to t: out of its queue and back with its new class and weight.
 * (T) held. */
static void apply_change_locked(struct task *t, const struct sched_change *c)
{
	struct rq *rq = task_rq_lock(t);
	bool queued = t->on_rq;
	if (queued)
		sched_dequeue_locked(rq, t);
	bool was_rt = task_is_rt(t);
	t->policy = c->policy;
	t->rt_priority = rt_policy(c->policy) ? c->priority : 0;
	if (c->set_nice)
		t->nice = c->nice;
	t->reset_on_fork = c->reset_on_fork;
	t->weight = sched_weight(t->policy, t->nice);
	if (was_rt && !task_is_rt(t))
		t->vruntime = rq->fair.min_vruntime;   /* rejoin the fair timeline at its front */
	if (queued)
		sched_enqueue_locked(rq, t);
	if (rq->curr == t)
		rq->curr_claim = task_claim(t);
	resched_locked(rq);   /* the CPU looks again at who should run */
	spin_unlock(&rq->lock);
}

/* Change thread pid's scheduling: 0, -ESRCH, -EINVAL, -EPERM. */
static int sched_change(int pid, struct sched_change *c)
{
	spin_lock(&tasklist_lock);
	struct task *t = find_thread_locked(pid);
	int err = t ? check_change_locked(t, c) : -ESRCH;
	if (!err)
		apply_change_locked(t, c);
	spin_unlock(&tasklist_lock);
	return err;
}

/* The policy and priority of a user struct sched_param. */
static int setscheduler(int pid, int policy, const int *uparam)
{
	int prio;
	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(&prio, uparam, sizeof(prio)))
		return -EFAULT;
	struct sched_change c = { .policy = policy == SCHED_POLICY_KEEP ? policy : policy & ~SCHED_RESET_ON_FORK,
		.priority = prio, .reset_on_fork = (policy & SCHED_RESET_ON_FORK) != 0 };
	return sched_change(pid, &c);
}

long sys_sched_setscheduler(int pid, int policy, const int *uparam)
{
	if (policy < 0)
		return -EINVAL;
	return setscheduler(pid, policy, uparam);
}

long sys_sched_setparam(int pid, const int *uparam)
{
	return setscheduler(pid, SCHED_POLICY_KEEP, uparam);
}

/* Read a field of thread pid under the locks: 0 or -ESRCH. */
static int read_thread(int pid, int (*get)(struct task *t))
{
	spin_lock(&tasklist_lock);
	struct task *t = find_thread_locked(pid);
	int r = -ESRCH;
	if (t) {
		struct rq *rq = task_rq_lock(t);
		r = get(t);
		spin_unlock(&rq->lock);
	}
	spin_unlock(&tasklist_lock);
	return r;
}

static int get_policy(struct task *t) { return t->policy | (t->reset_on_fork ? SCHED_RESET_ON_FORK : 0); }
static int get_priority(struct task *t) { return t->rt_priority; }

long sys_sched_getscheduler(int pid)
{
	return pid < 0 ? -EINVAL : read_thread(pid, get_policy);
}

long sys_sched_getparam(int pid, int *uparam)
{
	if (!uparam || pid < 0)
		return -EINVAL;
	int prio = read_thread(pid, get_priority);
	if (prio < 0)
		return prio;
	return copy_to_user(uparam, &prio, sizeof(prio));
}

long sys_sched_get_priority_max(int policy)
{
	if (rt_policy(policy))
		return MAX_RT_PRIO;
	return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
	if (rt_policy(policy))
		return 1;
	return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

/* sched_rr_get_interval: RR's slice; 0 for FIFO; a fair task's share of
 * the latency period, in whole ticks as Linux reports it. */
long sys_sched_rr_get_interval(int pid, void *uts)
{
	if (pid < 0)
		return -EINVAL;
	uint64_t ns = 0;
	spin_lock(&tasklist_lock);
	struct task *t = find_thread_locked(pid);
	if (t) {
		struct rq *rq = task_rq_lock(t);
		if (t->policy == SCHED_RR)
			ns = RR_SLICE_NS;
		else if (!task_is_rt(t))
			ns = (fair_slice_ns(rq, t) + TICK_NS - 1) / TICK_NS * TICK_NS;
		spin_unlock(&rq->lock);
	}
	spin_unlock(&tasklist_lock);
	if (!t)
		return -ESRCH;
	struct { int64_t sec, nsec; } ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return copy_to_user(uts, &ts, sizeof(ts));
}

/* ---- sched_setattr, sched_getattr ---- */

/* Copy a struct sched_attr of the size it declares (0: version 0): bigger
 * ones must be zero past what Aspen knows; -E2BIG (with our size written
 * back) if not, or if it is too small or too big. */
static int sched_attr_from_user(struct sched_attr *uattr, struct sched_attr *a)
{
	uint32_t size;
	memset(a, 0, sizeof(*a));
	if (copy_from_user(&size, &uattr->size, sizeof(size)))
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	bool fits = size >= SCHED_ATTR_SIZE_VER0 && size <= PAGE_SIZE;
	for (uint32_t off = sizeof(*a); fits && off < size; off++) {
		uint8_t b;
		if (copy_from_user(&b, (uint8_t *)uattr + off, 1))
			return -EFAULT;
		fits = b == 0;
	}
	if (!fits) {
		uint32_t ours = sizeof(*a);
		return copy_to_user(&uattr->size, &ours, sizeof(ours)) ? -EFAULT : -E2BIG;
	}
	if (copy_from_user(a, uattr, MIN(size, (uint32_t)sizeof(*a))))
		return -EFAULT;
	if ((a->sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	a->sched_nice = MAX(MIN(a->sched_nice, MAX_NICE), MIN_NICE);
	return 0;
}

long sys_sched_setattr(int pid, struct sched_attr *uattr, unsigned flags)
{
	struct sched_attr a;
	if (!uattr || pid < 0 || flags)
		return -EINVAL;
	int err = sched_attr_from_user(uattr, &a);
	if (err)
		return err;
	if ((int)a.sched_policy < 0 || (a.sched_flags & ~(uint64_t)SCHED_FLAG_ALL))
		return -EINVAL;
	if (a.sched_flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;   /* no utilization clamping (Linux without CONFIG_UCLAMP_TASK) */
	struct sched_change c = {
		.policy = (a.sched_flags & SCHED_FLAG_KEEP_POLICY) ? SCHED_POLICY_KEEP : (int)a.sched_policy,
		.priority = (int)a.sched_priority, .nice = a.sched_nice,
		.set_nice = !(a.sched_flags & SCHED_FLAG_KEEP_PARAMS),
		.reset_on_fork = a.sched_flags & SCHED_FLAG_RESET_ON_FORK,
	};
	if (c.policy == SCHED_DEADLINE)
		return -EINVAL;   /* no deadline scheduling */
	if (c.set_nice && rt_policy(c.policy))
		c.set_nice = false;   /* the nice value of a real-time task is not its to set here */
	return sched_change(pid, &c);
}

long sys_sched_getattr(int pid, struct sched_attr *uattr, unsigned size, unsigned flags)
{
	if (!uattr || pid < 0 || size > PAGE_SIZE || size < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	struct sched_attr a;
	memset(&a, 0, sizeof(a));
	spin_lock(&tasklist_lock);
	struct task *t = find_thread_locked(pid);
	if (t) {
		struct rq *rq = task_rq_lock(t);
		a.sched_policy = (uint32_t)t->policy;
		a.sched_flags = t->reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
		a.sched_priority = (uint32_t)t->rt_priority;
		a.sched_nice = task_is_rt(t) ? 0 : t->nice;
		spin_unlock(&rq->lock);
	}
	spin_unlock(&tasklist_lock);
	if (!t)
		return -ESRCH;
	a.size = MIN(size, (unsigned)sizeof(a));
	return copy_to_user(uattr, &a, a.size);
}

/* ---- nice values ---- */

/* Set t's nice value; the error as Linux's set_one_prio computes it,
 * starting from err. (T) held. */
static int set_one_nice_locked(struct task *t, int nice, int err)
{
	if (!owns_locked(t))
		return -EPERM;
	if (nice < t->nice && !can_nice(t, nice))
		return -EACCES;
	struct rq *rq = task_rq_lock(t);
	bool queued = t->on_rq;
	if (queued)
		sched_dequeue_locked(rq, t);
	t->nice = nice;
	t->weight = sched_weight(t->policy, nice);
	if (queued)
		sched_enqueue_locked(rq, t);
	spin_unlock(&rq->lock);
	return err == -ESRCH ? 0 : err;
}

/* Call fn on every thread setpriority/getpriority's which/who name;
 * returns fn's accumulation, starting from acc. (T) held. */
static int for_each_prio_target_locked(int which, int who, int (*fn)(struct task *, int, int), int arg, int acc)
{
	struct process *p;
	struct task *t;
	if (which == PRIO_PROCESS) {
		t = find_thread_locked(who);
		return t ? fn(t, arg, acc) : acc;
	}
	int pgid = who ? who : current->proc->pgid;
	uint32_t uid = who ? (uint32_t)who : current_cred()->uid;
	list_for_each_entry(p, &all_processes, all_link) {
		if (p->state != PROC_ALIVE || (which == PRIO_PGRP ? p->pgid != pgid : p->cred->uid != uid))
			continue;
		list_for_each_entry(t, &p->threads, thread_link)
			acc = fn(t, arg, acc);
	}
	return acc;
}

long sys_setpriority(int which, int who, int nice)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	nice = MAX(MIN(nice, MAX_NICE), MIN_NICE);
	spin_lock(&tasklist_lock);
	int err = for_each_prio_target_locked(which, who, set_one_nice_locked, nice, -ESRCH);
	spin_unlock(&tasklist_lock);
	return err;
}

/* The highest priority seen, as Linux returns it: 20 - nice (1..40). */
static int max_prio(struct task *t, int unused, int acc)
{
	return MAX(acc, 20 - t->nice);
}

long sys_getpriority(int which, int who)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	int r = for_each_prio_target_locked(which, who, max_prio, 0, -ESRCH);
	spin_unlock(&tasklist_lock);
	return r;
}

/* ---- affinity, yield ---- */

/* sched_getaffinity: the thread's mask (within the CPUs that run); as
 * Linux, len a multiple of 8 at least 8; returns the bytes written. */
long sys_sched_getaffinity(int pid, size_t len, uint64_t *umask)
{
	if (len < sizeof(uint64_t) || (len & (sizeof(uint64_t) - 1)))
		return -EINVAL;
	spin_lock(&tasklist_lock);
	struct task *t = find_thread_locked(pid);
	uint64_t mask = t ? t->cpus_allowed & sched_online_mask() : 0;
	spin_unlock(&tasklist_lock);
	if (!t)
		return -ESRCH;
	return copy_to_user(umask, &mask, sizeof(mask)) ? -EFAULT : (long)sizeof(mask);
}

/* sched_setaffinity: len bytes of mask (the rest taken as zero, the
 * excess ignored); -EINVAL if it holds no CPU that runs. The caller, if
 * it is the thread, is on an allowed CPU when this returns. */
long sys_sched_setaffinity(int pid, size_t len, const uint64_t *umask)
{
	uint64_t mask = 0;
	if (copy_from_user(&mask, umask, MIN(len, sizeof(mask))))
		return -EFAULT;
	spin_lock(&tasklist_lock);
	struct task *t = find_thread_locked(pid);
	int err = !t ? -ESRCH : !owns_locked(t) ? -EPERM : sched_set_affinity(t, mask);
	spin_unlock(&tasklist_lock);
	if (!err && t == current && !cpu_allowed(current, arch_cpu_id()))
		schedule();
	return err;
}

long sys_sched_yield(void)
{
	struct rq *rq = task_rq_lock(current);
	current->yielded = true;
	spin_unlock(&rq->lock);
	schedule();
	return 0;
}
