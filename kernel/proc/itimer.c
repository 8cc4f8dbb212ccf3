/*
 * itimer.c - the real interval timer of a process: alarm, setitimer and
 * getitimer for ITIMER_REAL, fired from the periodic tick.
 *
 * Locks: T (tasklist_lock) guards the armed list and each process's
 * deadline and interval.
 */
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/exit.h"
#include "proc/sched.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <asm/unistd_64.h>
#include <linux/sched.h>
#include "proc/signal_impl.h"

/* ---- the real interval timer: alarm, setitimer, getitimer ---- */

static LIST_HEAD(itimer_list);   /* (T) processes with an armed ITIMER_REAL */

#define ITIMER_REAL 0
#define USEC_PER_SEC 1000000L
#define NSEC_PER_USEC 1000L
#define NSEC_PER_SEC 1000000000L

struct user_timeval { int64_t tv_sec, tv_usec; };
struct user_itimerval { struct user_timeval interval, value; };

/* Arm (deadline nonzero) or disarm p's timer. (T) held. */
static void itimer_set_locked(struct process *p, uint64_t deadline, uint64_t interval)
{
	if (p->itimer_deadline_ns && !deadline)
		list_del(&p->itimer_link);
	else if (!p->itimer_deadline_ns && deadline)
		list_add_tail(&p->itimer_link, &itimer_list);
	p->itimer_deadline_ns = deadline;
	p->itimer_interval_ns = interval;
}

void signal_timer_tick(uint64_t now)
{
	if (list_empty(&itimer_list))   /* racy peek: the next tick sees a new timer */
		return;
	struct ksiginfo info = { .signo = SIGALRM, .code = SI_KERNEL };
	struct process *p, *n;
	spin_lock(&tasklist_lock);
	list_for_each_entry_safe(p, n, &itimer_list, itimer_link) {
		if (p->itimer_deadline_ns > now)
			continue;
		uint64_t iv = p->itimer_interval_ns;
		itimer_set_locked(p, iv ? MAX(p->itimer_deadline_ns + iv, now + 1) : 0, iv);
		send_signal_info_locked(p, NULL, SIGALRM, &info);
	}
	spin_unlock(&tasklist_lock);
}

static uint64_t timeval_ns(const struct user_timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

static struct user_timeval ns_timeval(uint64_t ns)
{
	return (struct user_timeval){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

/* Replace the timer (new may be NULL: just read); the old one in *old. */
static void itimer_swap(const struct user_itimerval *new, struct user_itimerval *old)
{
	struct process *p = current->proc;
	uint64_t now = arch_clock_ns();
	spin_lock(&tasklist_lock);
	uint64_t left = p->itimer_deadline_ns ? MAX(p->itimer_deadline_ns, now + 1) - now : 0;
	old->value = ns_timeval(left);
	old->interval = ns_timeval(p->itimer_interval_ns);
	if (new) {
		uint64_t v = timeval_ns(&new->value);
		itimer_set_locked(p, v ? now + v : 0, v ? timeval_ns(&new->interval) : 0);
	}
	spin_unlock(&tasklist_lock);
}

static bool timeval_valid(const struct user_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < USEC_PER_SEC;
}

long sys_setitimer(int which, const struct user_itimerval *unew, struct user_itimerval *uold)
{
	struct user_itimerval new, old;
	if (which != ITIMER_REAL)
		return -EINVAL;   /* ITIMER_VIRTUAL and ITIMER_PROF: not kept (docs/signals.md) */
	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	if (unew && (!timeval_valid(&new.value) || !timeval_valid(&new.interval)))
		return -EINVAL;
	itimer_swap(unew ? &new : NULL, &old);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_getitimer(int which, struct user_itimerval *uold)
{
	struct user_itimerval old;
	if (which != ITIMER_REAL)
		return -EINVAL;
	itimer_swap(NULL, &old);
	return copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}

/* alarm - seconds left of the previous alarm, rounded as Linux does. */
long sys_alarm(unsigned seconds)
{
	struct user_itimerval new = { { 0, 0 }, { seconds, 0 } }, old;
	itimer_swap(&new, &old);
	long left = old.value.tv_sec;
	if ((left == 0 && old.value.tv_usec) || old.value.tv_usec >= USEC_PER_SEC / 2)
		left++;
	return left;
}
