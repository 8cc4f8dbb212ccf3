/*
 * itimer.c - a process's three interval timers (alarm, setitimer,
 * getitimer) and the life of its timers (time/proc_timers.h).
 *
 * ITIMER_REAL is a kernel timer (time/timer.h): SIGALRM comes within
 * microseconds of the expiry. ITIMER_VIRTUAL (user time, SIGVTALRM)
 * and ITIMER_PROF (user and system time, SIGPROF) count the process's
 * CPU time as the tick samples it, and are checked by the tick of each
 * CPU running one of its threads, as Linux does.
 */
#include "time/proc_timers.h"
#include "time/cputime.h"
#include "time/clock.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include <linux/time.h>

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define USEC_PER_SEC 1000000L

struct user_timeval { int64_t tv_sec, tv_usec; };
struct user_itimerval { struct user_timeval interval, value; };

uint64_t timer_forward(uint64_t expires, uint64_t now, uint64_t interval, uint64_t *missed)
{
	uint64_t k = now >= expires ? (now - expires) / interval + 1 : 1;
	*missed = k - 1;
	return expires + k * interval;
}

uint64_t timer_fire_at(uint64_t expires, uint64_t now)
{
	return MAX(expires, now + TIMER_MIN_GAP_NS);
}

/* ---- ITIMER_REAL ---- */

static void itimer_real_fn(struct timer *timer)
{
	struct proc_timers *pt = container_of(timer, struct proc_timers, real);
	uint64_t now = arch_clock_ns(), missed;
	spin_lock(&tasklist_lock);
	spin_lock(&pt->lock);
	bool due = pt->real_expires && pt->real_expires <= now;
	if (due && pt->real_interval) {
		pt->real_expires = timer_forward(pt->real_expires, now, pt->real_interval, &missed);
		timer_arm(timer, timer_fire_at(pt->real_expires, now));
	} else if (due) {
		pt->real_expires = 0;
	}
	spin_unlock(&pt->lock);
	if (due) {
		struct ksiginfo info = { .signo = SIGALRM, .code = SI_KERNEL };
		send_signal_info_locked(pt->proc, NULL, SIGALRM, &info);
	}
	spin_unlock(&tasklist_lock);
}

void proc_timers_init(struct proc_timers *pt, struct process *p)
{
	spin_init(&pt->lock, "proc_timers");
	pt->proc = p;
	timer_init(&pt->real, itimer_real_fn);
	list_init(&pt->posix);
}

/* Lock pt with its real timer disarmed and not running (its function
 * takes tasklist_lock and P, so wait for it with neither held). */
static void lock_real_stopped(struct proc_timers *pt)
{
	for (;;) {
		spin_lock(&pt->lock);
		if (timer_try_cancel(&pt->real) >= 0)
			return;
		spin_unlock(&pt->lock);
		arch_cpu_relax();
	}
}

/* ---- the CPU-time interval timers ---- */

/* Fire it if the clock (value now) reached it; reload it from its
 * interval. True if it fired. (P) held.
 * As Linux's check_cpu_itimer, a periodic timer moves one interval per
 * firing: when the sampled clock leapt several intervals at once (a late
 * tick charges all the ticks it missed, time/tick.c), the next ticks fire
 * it again until it has caught up, rather than the intervals being lost. */
static bool cpu_itimer_due_locked(struct proc_timers *pt, struct cpu_itimer *it, uint64_t now)
{
	if (!it->expires || now < it->expires)
		return false;
	if (it->interval) {
		it->expires += it->interval;
	} else {
		it->expires = 0;
		pt->cpu_armed--;
	}
	return true;
}

void proc_timers_tick(struct task *t)
{
	struct process *p = t->proc;
	struct proc_timers *pt = &p->timers;
	if (!__atomic_load_n(&pt->cpu_armed, __ATOMIC_RELAXED))
		return;
	spin_lock(&tasklist_lock);
	struct cpu_times c = proc_cpu_times_locked(p);
	spin_lock(&pt->lock);
	bool virt = cpu_itimer_due_locked(pt, &pt->virt, cpu_times_clock(&c, CPUCLOCK_VIRT));
	bool prof = cpu_itimer_due_locked(pt, &pt->prof, cpu_times_clock(&c, CPUCLOCK_PROF));
	spin_unlock(&pt->lock);
	struct ksiginfo info = { .code = SI_KERNEL };
	if (virt)
		send_signal_info_locked(p, NULL, SIGVTALRM, (info.signo = SIGVTALRM, &info));
	if (prof)
		send_signal_info_locked(p, NULL, SIGPROF, (info.signo = SIGPROF, &info));
	posix_timers_cpu_tick_locked(pt, t);
	spin_unlock(&tasklist_lock);
}

/* ---- the life of a process's timers ---- */

void proc_timers_exit(struct process *p)
{
	struct proc_timers *pt = &p->timers;
	timer_cancel(&pt->real);
	spin_lock(&pt->lock);
	pt->real_expires = 0;
	pt->virt.expires = pt->prof.expires = 0;
	pt->cpu_armed = 0;
	spin_unlock(&pt->lock);
	posix_timers_delete_all(pt);
}

void proc_timers_exec(struct process *p)
{
	posix_timers_delete_all(&p->timers);
}

/* ---- setitimer, getitimer, alarm ---- */

/* A timer's setting in nanoseconds. */
struct itimer_ns { uint64_t interval, value; };

/* tv in ns if valid as Linux checks, huge values saturating to "never"
 * as timespec_to_ns does: 0 or -EINVAL. */
static int timeval_to_ns(const struct user_timeval *tv, uint64_t *ns)
{
	if (tv->tv_usec < 0 || tv->tv_usec >= USEC_PER_SEC)
		return -EINVAL;
	struct __kernel_timespec ts = { tv->tv_sec, tv->tv_usec * NSEC_PER_USEC };
	return timespec_to_ns(&ts, ns);
}

static struct user_timeval ns_timeval(uint64_t ns)
{
	return (struct user_timeval){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

/* What is left until expires on a clock reading now: at least a
 * microsecond while armed, as Linux reports a timer about to fire. */
static struct user_timeval time_left(uint64_t expires, uint64_t now)
{
	if (!expires)
		return ns_timeval(0);
	return ns_timeval(expires > now + NSEC_PER_USEC ? expires - now : NSEC_PER_USEC);
}

/* Swap ITIMER_REAL (new may be NULL: just read); the old one in *old. */
static void itimer_real_swap(struct proc_timers *pt, const struct itimer_ns *new,
			     struct user_itimerval *old)
{
	uint64_t now = arch_clock_ns();
	lock_real_stopped(pt);
	old->value = time_left(pt->real_expires, now);
	old->interval = ns_timeval(pt->real_interval);
	if (new) {
		pt->real_expires = new->value ? now + new->value : 0;
		pt->real_interval = new->value ? new->interval : 0;
	}
	if (pt->real_expires)
		timer_arm(&pt->real, pt->real_expires);
	spin_unlock(&pt->lock);
}

/* Swap a CPU-time interval timer, on clock `which` (new may be NULL). */
static void itimer_cpu_swap(struct proc_timers *pt, struct cpu_itimer *it, int which,
			    const struct itimer_ns *new, struct user_itimerval *old)
{
	struct cpu_times c;
	cputime_read(0, false, &c);
	uint64_t now = cpu_times_clock(&c, which);
	spin_lock(&pt->lock);
	old->value = time_left(it->expires, now);
	old->interval = ns_timeval(it->interval);
	if (new) {
		pt->cpu_armed += (new->value != 0) - (it->expires != 0);
		it->expires = new->value ? now + new->value : 0;
		it->interval = new->value ? new->interval : 0;
	}
	spin_unlock(&pt->lock);
}

static int itimer_swap(int which, const struct itimer_ns *new, struct user_itimerval *old)
{
	struct proc_timers *pt = &current->proc->timers;
	switch (which) {
	case ITIMER_REAL:
		itimer_real_swap(pt, new, old);
		return 0;
	case ITIMER_VIRTUAL:
		itimer_cpu_swap(pt, &pt->virt, CPUCLOCK_VIRT, new, old);
		return 0;
	case ITIMER_PROF:
		itimer_cpu_swap(pt, &pt->prof, CPUCLOCK_PROF, new, old);
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_setitimer(int which, const struct user_itimerval *unew, struct user_itimerval *uold)
{
	struct user_itimerval u, old;
	struct itimer_ns new = { 0, 0 };   /* Linux: a NULL new value disarms */
	if (unew && copy_from_user(&u, unew, sizeof(u)))
		return -EFAULT;
	if (unew && (timeval_to_ns(&u.value, &new.value) || timeval_to_ns(&u.interval, &new.interval)))
		return -EINVAL;
	int err = itimer_swap(which, &new, &old);
	if (!err && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

long sys_getitimer(int which, struct user_itimerval *uold)
{
	struct user_itimerval old;
	int err = itimer_swap(which, NULL, &old);
	if (err)
		return err;
	return copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}

/* alarm - seconds left of the previous alarm, rounded as Linux does. */
long sys_alarm(unsigned seconds)
{
	struct itimer_ns new = { 0, (uint64_t)seconds * NSEC_PER_SEC };
	struct user_itimerval old;
	itimer_swap(ITIMER_REAL, &new, &old);
	long left = old.value.tv_sec;
	if ((left == 0 && old.value.tv_usec) || old.value.tv_usec >= USEC_PER_SEC / 2)
		left++;
	return left;
}
