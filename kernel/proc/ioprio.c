/*
 * ioprio.c - ioprio_set(2) and ioprio_get(2): a thread's I/O scheduling
 * class and level, as Linux's block/ioprio.c.
 *
 * The value is Linux's 16 bits: class << 13 (NONE 0, RT 1, BE 2, IDLE
 * 3), then hint bits, then the level (0..7). It is kept per thread
 * (task->ioprio, tasklist_lock) and inherited by clone; Aspen's block
 * layer serves requests in order and does not use it. A thread never
 * set has class NONE (0), which Linux reads as "by its nice value".
 * Targets: IOPRIO_WHO_PROCESS (a thread id, 0 the caller), _PGRP (every
 * thread of a process group, 0 the caller's), _USER (every thread of
 * a real uid). Errors as Linux: EINVAL for a bad class or `which`,
 * EPERM for RT without CAP_SYS_NICE or CAP_SYS_ADMIN and for a thread
 * whose real uid is neither the caller's real nor effective uid
 * without CAP_SYS_NICE, ESRCH when nothing matches.
 */
#include "proc/task.h"
#include "proc/cred.h"
#include "lib/errno.h"
#include <linux/capability.h>

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS(v) (((v) >> IOPRIO_CLASS_SHIFT) & 7)
#define IOPRIO_LEVEL(v) ((v) & 7)
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_BE_NORM 4
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3

/* Linux's ioprio_check_cap. */
static int check_value(int v)
{
	switch (IOPRIO_CLASS(v)) {
	case IOPRIO_CLASS_RT:
		return capable(CAP_SYS_NICE) || capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return IOPRIO_LEVEL(v) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* Linux's set_task_ioprio: the target's real uid is the caller's real
 * or effective uid, or CAP_SYS_NICE. (T) */
static int set_locked(struct task *t, uint16_t v)
{
	const struct cred *me = current_cred();
	uint32_t uid = t->real_cred->uid;
	if (uid != me->euid && uid != me->uid && !capable(CAP_SYS_NICE))
		return -EPERM;
	t->ioprio = v;
	return 0;
}

/* Does live task t of p match (which, who)? (T) */
static bool matches(struct process *p, struct task *t, int which, int who)
{
	if (t->state == TASK_DEAD || t->exiting)
		return false;
	if (which == IOPRIO_WHO_PGRP)
		return p->pgid == (who ? who : current->proc->pgid);
	return t->real_cred->uid == (uint32_t)who;
}

/* Linux's ioprio_best: the higher of two, NONE counting as BE's norm. */
static int best(int a, int b)
{
	const int norm = IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT | IOPRIO_BE_NORM;
	a = IOPRIO_CLASS(a) == IOPRIO_CLASS_NONE ? norm : a;
	b = IOPRIO_CLASS(b) == IOPRIO_CLASS_NONE ? norm : b;
	return a < b ? a : b;
}

/* Set (set) or collect the best of (!set) every thread (which, who)
 * names, PGRP or USER: -ESRCH when none. (T) */
static long each_locked(int which, int who, bool set, uint16_t v)
{
	long ret = -ESRCH;
	struct process *p;
	struct task *t;
	list_for_each_entry(p, &all_processes, all_link)
		list_for_each_entry(t, &p->threads, thread_link) {
			if (!matches(p, t, which, who))
				continue;
			if (set && (ret = set_locked(t, v)) != 0)
				return ret;
			if (!set)
				ret = ret == -ESRCH ? t->ioprio : best((int)ret, t->ioprio);
		}
	return ret;
}

/* The thread IOPRIO_WHO_PROCESS names, or NULL. (T) */
static struct task *thread_locked(int who)
{
	struct task *t = who ? task_find_locked(who) : current;
	return t && t->state != TASK_DEAD && !t->exiting ? t : NULL;
}

static long ioprio_op(int which, int who, bool set, uint16_t v)
{
	if (which != IOPRIO_WHO_PROCESS && which != IOPRIO_WHO_PGRP && which != IOPRIO_WHO_USER)
		return -EINVAL;
	long ret = -ESRCH;
	spin_lock(&tasklist_lock);
	if (which == IOPRIO_WHO_PROCESS) {
		struct task *t = thread_locked(who);
		if (t)
			ret = set ? set_locked(t, v) : t->ioprio;
	} else {
		ret = each_locked(which, who, set, v);
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

long sys_ioprio_set(int which, int who, int ioprio)
{
	int err = check_value(ioprio);
	return err ? err : ioprio_op(which, who, true, (uint16_t)ioprio);
}

long sys_ioprio_get(int which, int who)
{
	return ioprio_op(which, who, false, 0);
}
