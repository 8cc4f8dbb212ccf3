/*
 * posix_timer.c - POSIX per-process timers: timer_create, timer_settime,
 * timer_gettime, timer_getoverrun, timer_delete.
 *
 * A timer on a wall or monotonic clock is a kernel timer (time/timer.h)
 * set for its expiry on the monotonic clock, but for an absolute time on
 * a wall clock: that one is a wall-clock timer (timer_arm_realtime),
 * which follows the clock when it is set and counts its intervals on it,
 * as Linux's (a relative time on a wall clock runs on the monotonic
 * clock, as Linux's too). A timer on a CPU clock is checked by the tick of the CPUs
 * running the threads it counts (proc_timers_tick), as Linux does.
 *
 * Expiry posts the timer's signal with si_code SI_TIMER, si_timerid and
 * si_value. While that signal is still pending, further expiries are
 * counted in its si_overrun instead of queueing another (proc/signal.c
 * merges them); when it is delivered, its overrun becomes what
 * timer_getoverrun reports. Interval timers keep their grid: expiries
 * missed (a late interrupt, a tiny interval) count as overruns.
 *
 * A timer is freed by timer_delete, by execve and at the process's exit,
 * always with its kernel timer stopped (timer_lock_stopped).
 */
#include "proc/cred.h"
#include "time/proc_timers.h"
#include "time/clock.h"
#include "time/cputime.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include <linux/time.h>

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
#define POSIX_TIMERS_MAX 1024   /* per process: EAGAIN past it */
#define CPU_FIRED_MAX 8         /* CPU-clock expiries posted per tick; more wait a tick */

/* struct sigevent as Linux lays it out (64 bytes). */
struct user_sigevent {
	uint64_t value;
	int32_t signo, notify;
	union { int32_t tid; uint8_t pad[48]; };
};

struct user_itimerspec { struct __kernel_timespec interval, value; };

struct posix_timer {
	struct list_head link;       /* (P) in owner->posix */
	struct proc_timers *owner;   /* (-) */
	int id;                      /* (-) */
	struct clock_ref clock;      /* (-) a thread clock's tid made explicit */
	int notify, signo, tid;      /* (-) SIGEV_*, the signal, SIGEV_THREAD_ID's thread */
	uint64_t value;              /* (-) sigev_value */
	struct timer timer;          /* wall and monotonic clocks: fires at expires or just after */
	uint64_t expires;            /* (P) on the clock (monotonic ns for the wall and monotonic
				      * clocks, but wall-clock ns when on_realtime); 0: disarmed */
	bool on_realtime;            /* (P) armed for an absolute time on a wall clock */
	uint64_t interval;           /* (P) */
	int overrun_last;            /* (P) of the last signal delivered */
};

/* What an expiry posts, gathered under P and sent after. */
struct timer_fired {
	struct ksiginfo info;
	int notify, tid;
};

static bool on_cpu_clock(const struct posix_timer *pt)
{
	return pt->clock.kind == CLOCK_KIND_CPU;
}

/* pt's clock now, given now on the monotonic or CPU clock: the wall
 * clock's for a timer armed on it. (P) held. */
static uint64_t pt_now(const struct posix_timer *pt, uint64_t now)
{
	return pt->on_realtime ? (uint64_t)clock_realtime_ns() : now;
}

/* Arm pt's kernel timer for at, on its clock. (P) held. */
static void arm_kernel_timer(struct posix_timer *pt, uint64_t at)
{
	if (pt->on_realtime)
		timer_arm_realtime(&pt->timer, (int64_t)at);
	else
		timer_arm(&pt->timer, at);
}

/* The timer id of the caller's process, or NULL. (P) held. */
static struct posix_timer *find_locked(struct proc_timers *o, int id)
{
	struct posix_timer *pt;
	list_for_each_entry(pt, &o->posix, link)
		if (pt->id == id)
			return pt;
	return NULL;
}

/* ---- expiry ---- */

/* If pt is due at now (on its clock), reload it and fill *f; true if a
 * signal is to be posted. (P) held. */
static bool expire_locked(struct posix_timer *pt, uint64_t now, struct timer_fired *f)
{
	now = pt_now(pt, now);
	if (!pt->expires || now < pt->expires) {
		if (pt->expires && pt->on_realtime)
			arm_kernel_timer(pt, pt->expires);   /* the clock was set back as it fired */
		return false;
	}
	uint64_t missed = 0;
	if (pt->interval) {
		pt->expires = timer_forward(pt->expires, now, pt->interval, &missed);
		if (!on_cpu_clock(pt))
			arm_kernel_timer(pt, timer_fire_at(pt->expires, now));
	} else {
		pt->expires = 0;
		if (on_cpu_clock(pt))
			pt->owner->cpu_armed--;
	}
	f->info = (struct ksiginfo){ .signo = pt->signo, .code = SI_TIMER, .pid = pt->id,
		.uid = (uint32_t)MIN(missed, (uint64_t)INT32_MAX), .value = pt->value };
	f->notify = pt->notify;
	f->tid = pt->tid;
	return pt->notify != SIGEV_NONE;
}

/* Post an expiry's signal to the process, or to its thread for
 * SIGEV_THREAD_ID (dropped if that thread is gone). (T) held. */
static void post_locked(struct process *p, const struct timer_fired *f)
{
	struct task *t = NULL;
	if (f->notify & SIGEV_THREAD_ID) {
		t = task_find_locked(f->tid);
		if (!t || t->proc != p)
			return;
	}
	send_signal_info_locked(p, t, f->info.signo, &f->info);
}

static void posix_timer_fn(struct timer *timer)
{
	struct posix_timer *pt = container_of(timer, struct posix_timer, timer);
	struct proc_timers *o = pt->owner;
	struct timer_fired f;
	spin_lock(&tasklist_lock);
	spin_lock(&o->lock);
	bool post = expire_locked(pt, arch_clock_ns(), &f);
	spin_unlock(&o->lock);
	if (post)
		post_locked(o->proc, &f);
	spin_unlock(&tasklist_lock);
}

void posix_timers_cpu_tick_locked(struct proc_timers *o, struct task *t)
{
	struct timer_fired fired[CPU_FIRED_MAX];
	int n = 0;
	struct cpu_times pc = proc_cpu_times_locked(o->proc), tc = sched_task_cpu_times(t);
	struct posix_timer *pt;
	spin_lock(&o->lock);
	list_for_each_entry(pt, &o->posix, link) {
		if (!on_cpu_clock(pt) || !pt->expires || n == CPU_FIRED_MAX)
			continue;
		if (pt->clock.thread && pt->clock.pid != t->tid)
			continue;   /* another thread's clock: its own tick looks */
		uint64_t now = cpu_times_clock(pt->clock.thread ? &tc : &pc, pt->clock.which);
		if (expire_locked(pt, now, &fired[n]))
			n++;
	}
	spin_unlock(&o->lock);
	for (int i = 0; i < n; i++)
		post_locked(o->proc, &fired[i]);
}

void posix_timer_signal_taken(struct process *p, const struct ksiginfo *info)
{
	struct proc_timers *o = &p->timers;
	spin_lock(&o->lock);
	struct posix_timer *pt = find_locked(o, info->pid);
	if (pt)
		pt->overrun_last = (int)info->uid;
	spin_unlock(&o->lock);
}

/* ---- timer_create ---- */

/* Check the sigevent as Linux's good_sigevent: -EINVAL if bad. */
static int sigevent_check(const struct user_sigevent *ev)
{
	switch (ev->notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
		spin_lock(&tasklist_lock);
		struct task *t = task_find_locked(ev->tid);
		bool ours = t && t->proc == current->proc;
		spin_unlock(&tasklist_lock);
		if (!ours)
			return -EINVAL;
	}
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		return ev->signo >= 1 && ev->signo <= NSIG ? 0 : -EINVAL;
	case SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* The clock a new timer may run on: -EINVAL, -EOPNOTSUPP, -EPERM (an
 * _ALARM clock without CAP_WAKE_ALARM). A CPU clock must be the
 * caller's process's or one of its threads'. */
static int timer_clock(int id, struct clock_ref *c)
{
	if (clock_resolve(id, c))
		return -EINVAL;
	if (!(c->caps & CLOCK_CAN_TIMER))
		return -EOPNOTSUPP;
	if ((c->caps & CLOCK_ALARM) && !capable(CAP_WAKE_ALARM))
		return -EPERM;
	if (c->kind != CLOCK_KIND_CPU)
		return 0;
	if (c->thread && c->pid == 0)
		c->pid = current->tid;
	if (!c->thread && c->pid == current->proc->pid)
		c->pid = 0;
	uint64_t now;
	if ((!c->thread && c->pid != 0) || clock_now(c, &now))
		return -EINVAL;
	return 0;
}

/* Give pt an id and put it on the caller's list: 0 or -EAGAIN. */
static int timer_link(struct posix_timer *pt)
{
	struct proc_timers *o = &current->proc->timers;
	spin_lock(&o->lock);
	if (o->count >= POSIX_TIMERS_MAX) {
		spin_unlock(&o->lock);
		return -EAGAIN;
	}
	pt->id = o->next_id;
	o->next_id = o->next_id == INT32_MAX ? 0 : o->next_id + 1;
	while (find_locked(o, pt->id))
		pt->id++;
	o->count++;
	list_add_tail(&pt->link, &o->posix);
	spin_unlock(&o->lock);
	return 0;
}

static struct posix_timer *timer_new(const struct clock_ref *c, const struct user_sigevent *ev)
{
	struct posix_timer *pt = kzalloc(sizeof(*pt));
	if (!pt)
		return NULL;
	pt->owner = &current->proc->timers;
	pt->clock = *c;
	pt->notify = ev ? ev->notify : SIGEV_SIGNAL;
	pt->signo = ev ? ev->signo : SIGALRM;
	pt->tid = ev ? ev->tid : 0;
	pt->value = ev ? ev->value : 0;
	timer_init(&pt->timer, posix_timer_fn);
	return pt;
}

/* Unlink and free pt, locked stopped by the caller (P is released). */
static void destroy_locked(struct posix_timer *pt)
{
	struct proc_timers *o = pt->owner;
	if (on_cpu_clock(pt) && pt->expires)
		o->cpu_armed--;
	list_del(&pt->link);
	o->count--;
	spin_unlock(&o->lock);
	kfree(pt);
}

/* Find the caller's timer id and lock it stopped; NULL if none. */
static struct posix_timer *timer_lock_stopped(int id)
{
	struct proc_timers *o = &current->proc->timers;
	for (;;) {
		spin_lock(&o->lock);
		struct posix_timer *pt = find_locked(o, id);
		if (!pt) {
			spin_unlock(&o->lock);
			return NULL;
		}
		if (timer_try_cancel(&pt->timer) >= 0)
			return pt;
		spin_unlock(&o->lock);   /* its function runs: it takes P */
		arch_cpu_relax();
	}
}

long sys_timer_create(int clock, const struct user_sigevent *uev, int *uid)
{
	struct user_sigevent ev;
	struct clock_ref c;
	if (uev && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	int err = timer_clock(clock, &c);
	if (err == -EINVAL || err == -EOPNOTSUPP)
		return err;
	int bad_event = uev ? sigevent_check(&ev) : 0;
	if (bad_event)
		return bad_event;
	if (err)
		return err;
	struct posix_timer *pt = timer_new(&c, uev ? &ev : NULL);
	if (!pt)
		return -EAGAIN;
	err = timer_link(pt);
	if (err) {
		kfree(pt);
		return err;
	}
	if (!uev)
		pt->value = (uint64_t)pt->id;   /* Linux: sival_int is the timer id */
	int id = pt->id;
	if (copy_to_user(uid, &id, sizeof(int))) {
		if ((pt = timer_lock_stopped(id)) != NULL)
			destroy_locked(pt);
		return -EFAULT;
	}
	return 0;
}

/* ---- timer_settime, timer_gettime ---- */

/* pt's setting now: interval and time left (clock reading now, for a
 * CPU clock; else monotonic). SIGEV_NONE timers, never fired, are
 * brought forward here. (P) held. */
static void setting_locked(struct posix_timer *pt, uint64_t now, uint64_t *value, uint64_t *interval)
{
	uint64_t missed;
	*interval = pt->interval;
	*value = 0;
	if (!pt->expires)
		return;
	now = pt_now(pt, now);
	if (pt->expires <= now && pt->notify == SIGEV_NONE) {
		if (!pt->interval) {
			pt->expires = 0;   /* a one-shot SIGEV_NONE timer reads 0 once expired */
			return;
		}
		pt->expires = timer_forward(pt->expires, now, pt->interval, &missed);
	}
	*value = pt->expires > now ? pt->expires - now : 1;   /* due: its signal is on the way */
}

/* Arm pt for value (relative, or absolute on its clock with
 * TIMER_ABSTIME; 0 disarms) and interval. P held, pt's timer stopped. */
static void arm_locked(struct posix_timer *pt, int flags, uint64_t value, uint64_t interval, uint64_t now)
{
	struct proc_timers *o = pt->owner;
	if (on_cpu_clock(pt) && pt->expires)
		o->cpu_armed--;
	pt->expires = 0;
	pt->on_realtime = false;
	pt->interval = 0;
	pt->overrun_last = 0;
	if (!value)
		return;
	pt->interval = interval;
	pt->on_realtime = (flags & TIMER_ABSTIME) && pt->clock.kind == CLOCK_KIND_REAL;
	pt->expires = MAX((flags & TIMER_ABSTIME) ? value : now + value, 1UL);
	if (on_cpu_clock(pt))
		o->cpu_armed++;
	else if (pt->notify != SIGEV_NONE)
		arm_kernel_timer(pt, pt->expires);
}

static int itimerspec_to_user(struct user_itimerspec *u, uint64_t value, uint64_t interval)
{
	struct user_itimerspec s = {
		{ (int64_t)(interval / NSEC_PER_SEC), (int64_t)(interval % NSEC_PER_SEC) },
		{ (int64_t)(value / NSEC_PER_SEC), (int64_t)(value % NSEC_PER_SEC) },
	};
	return copy_to_user(u, &s, sizeof(s));
}

/* The caller's timer id's clock, read now (monotonic for the wall and
 * monotonic clocks): 0 or -EINVAL (no such timer). */
static int timer_now(int id, uint64_t *now)
{
	struct proc_timers *o = &current->proc->timers;
	spin_lock(&o->lock);
	struct posix_timer *pt = find_locked(o, id);
	struct clock_ref c = pt ? pt->clock : (struct clock_ref){ .kind = CLOCK_KIND_MONO };
	spin_unlock(&o->lock);
	if (!pt)
		return -EINVAL;
	if (c.kind != CLOCK_KIND_CPU) {
		*now = arch_clock_ns();
		return 0;
	}
	return clock_now(&c, now) ? -EINVAL : 0;
}

long sys_timer_settime(int id, int flags, const struct user_itimerspec *unew, struct user_itimerspec *uold)
{
	uint64_t value, interval, old_value, old_interval, now;
	struct user_itimerspec new;
	if (!unew)
		return -EINVAL;
	if (copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	if (timespec_to_ns(&new.value, &value) || timespec_to_ns(&new.interval, &interval))
		return -EINVAL;
	int err = timer_now(id, &now);
	if (err)
		return err;
	struct posix_timer *pt = timer_lock_stopped(id);
	if (!pt)
		return -EINVAL;
	setting_locked(pt, now, &old_value, &old_interval);
	arm_locked(pt, flags, value, interval, now);
	spin_unlock(&pt->owner->lock);
	if (uold && itimerspec_to_user(uold, old_value, old_interval))
		return -EFAULT;
	return 0;
}

long sys_timer_gettime(int id, struct user_itimerspec *ucur)
{
	struct proc_timers *o = &current->proc->timers;
	uint64_t now, value = 0, interval = 0;
	int err = timer_now(id, &now);
	if (err)
		return err;
	spin_lock(&o->lock);
	struct posix_timer *pt = find_locked(o, id);
	if (pt)
		setting_locked(pt, now, &value, &interval);
	spin_unlock(&o->lock);
	if (!pt)
		return -EINVAL;
	return itimerspec_to_user(ucur, value, interval);
}

long sys_timer_getoverrun(int id)
{
	struct proc_timers *o = &current->proc->timers;
	spin_lock(&o->lock);
	struct posix_timer *pt = find_locked(o, id);
	long r = pt ? pt->overrun_last : -EINVAL;
	spin_unlock(&o->lock);
	return r;
}

long sys_timer_delete(int id)
{
	struct posix_timer *pt = timer_lock_stopped(id);
	if (!pt)
		return -EINVAL;
	destroy_locked(pt);
	return 0;
}

void posix_timers_delete_all(struct proc_timers *o)
{
	for (;;) {
		spin_lock(&o->lock);
		if (list_empty(&o->posix)) {
			spin_unlock(&o->lock);
			return;
		}
		struct posix_timer *pt = list_first_entry(&o->posix, struct posix_timer, link);
		if (timer_try_cancel(&pt->timer) >= 0) {
			destroy_locked(pt);
			continue;
		}
		spin_unlock(&o->lock);
		arch_cpu_relax();
	}
}
