/*
 * timerfd.c - timers read through a file descriptor: timerfd_create,
 * timerfd_settime, timerfd_gettime; read(2) returns the expirations
 * since the last read as a uint64_t, poll reports POLLIN while there
 * are some.
 *
 * Each timerfd is a kernel timer (time/timer.h) set on the monotonic
 * clock, but for an absolute time on a wall clock (CLOCK_REALTIME and
 * its _ALARM), which is a wall-clock timer: it follows the clock when it
 * is set, as Linux's, and its intervals are counted on that clock too.
 * Such a timer armed with TFD_TIMER_CANCEL_ON_SET is on cancel_list:
 * setting the clock makes it readable and its next read fails with
 * ECANCELED (timerfd_clock_was_set). Interval timers count the expiries they skip (a late
 * interrupt, an interval shorter than TIMER_MIN_GAP_NS), as Linux's
 * hrtimer_forward does.
 */
#include "proc/cred.h"
#include "time/proc_timers.h"
#include "time/clock.h"
#include "proc/task.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include <linux/fcntl.h>
#include <linux/time.h>

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define TFD_CLOEXEC O_CLOEXEC
#define TFD_NONBLOCK O_NONBLOCK

/* Linux's moffs once the clock was set under a cancelling timerfd. */
#define MOFFS_CANCELED INT64_MAX

struct timerfd {
	struct spinlock lock;        /* guards the fields below; after the timer base's callers */
	int clock_id;                /* (-) */
	struct clock_ref clock;      /* (-) */
	struct timer timer;          /* fires at expires or just after */
	uint64_t expires;            /* ns on the monotonic clock, or on the wall clock
				      * when on_realtime; 0: disarmed */
	bool on_realtime;            /* armed for an absolute wall-clock time */
	uint64_t interval;
	uint64_t ticks;              /* expirations not yet read */
	struct wait_queue wq;        /* readers and pollers */
	bool might_cancel;           /* TFD_TIMER_CANCEL_ON_SET: on cancel_list (also cancel_lock) */
	int64_t moffs;               /* the wall clock's offset it was armed under, or MOFFS_CANCELED */
	struct list_head cancel_link;   /* (cancel_lock) */
};

/* The timerfds that asked for TFD_TIMER_CANCEL_ON_SET; taken before a
 * timerfd's lock (docs/locking.md). */
static struct spinlock cancel_lock = SPINLOCK_INIT("timerfd_cancel");
static LIST_HEAD(cancel_list);

/* tfd's clock now: the wall clock's, or the monotonic one. */
static uint64_t tfd_now(const struct timerfd *tfd)
{
	return tfd->on_realtime ? (uint64_t)clock_realtime_ns() : arch_clock_ns();
}

/* Arm tfd's kernel timer for at, on its clock. (lock) held. */
static void arm_timer_locked(struct timerfd *tfd, uint64_t at)
{
	if (tfd->on_realtime)
		timer_arm_realtime(&tfd->timer, (int64_t)at);
	else
		timer_arm(&tfd->timer, at);
}

struct user_itimerspec { struct __kernel_timespec interval, value; };

static void timerfd_fn(struct timer *timer)
{
	struct timerfd *tfd = container_of(timer, struct timerfd, timer);
	uint64_t missed = 0;
	spin_lock(&tfd->lock);
	uint64_t now = tfd_now(tfd);
	bool due = tfd->expires && tfd->expires <= now;
	if (due && tfd->interval) {
		tfd->expires = timer_forward(tfd->expires, now, tfd->interval, &missed);
		arm_timer_locked(tfd, timer_fire_at(tfd->expires, now));
	} else if (due) {
		tfd->expires = 0;
	} else if (tfd->expires) {
		arm_timer_locked(tfd, tfd->expires);   /* the clock was set back as it fired */
	}
	if (due)
		tfd->ticks += 1 + missed;
	spin_unlock(&tfd->lock);
	if (due)
		wake_up(&tfd->wq);
}

/* Lock tfd with its timer disarmed and not running. */
static void lock_stopped(struct timerfd *tfd)
{
	for (;;) {
		spin_lock(&tfd->lock);
		if (timer_try_cancel(&tfd->timer) >= 0)
			return;
		spin_unlock(&tfd->lock);   /* its function runs: it takes the lock */
		arch_cpu_relax();
	}
}

/* ---- the file ---- */

static long timerfd_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct timerfd *tfd = f->private;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		spin_lock(&tfd->lock);
		if (tfd->might_cancel && tfd->moffs == MOFFS_CANCELED) {
			tfd->moffs = clock_realtime_offset_ns();
			tfd->ticks = 0;
			spin_unlock(&tfd->lock);
			return -ECANCELED;   /* the clock was set: the caller looks again */
		}
		uint64_t ticks = tfd->ticks;
		tfd->ticks = 0;
		spin_unlock(&tfd->lock);
		if (ticks)
			return copy_to_user(ubuf, &ticks, sizeof(ticks)) ? -EFAULT : (long)sizeof(ticks);
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		int err = wait_event_interruptible(tfd->wq, __atomic_load_n(&tfd->ticks, __ATOMIC_RELAXED));
		if (err)
			return err;
	}
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *tfd = f->private;
	poll_wait(pt, &tfd->wq);
	return __atomic_load_n(&tfd->ticks, __ATOMIC_RELAXED) ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tfd = f->private;
	spin_lock(&cancel_lock);
	if (tfd->might_cancel)
		list_del(&tfd->cancel_link);
	spin_unlock(&cancel_lock);
	timer_cancel(&tfd->timer);
	kfree(tfd);
}

static const struct file_ops timerfd_fops = {
	.name = "timerfd",
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

/* ---- the system calls ---- */

long sys_timerfd_create(int clock, int flags)
{
	struct clock_ref c;
	if ((flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) || clock_resolve(clock, &c) || !(c.caps & CLOCK_TIMERFD))
		return -EINVAL;
	if ((c.caps & CLOCK_ALARM) && !capable(CAP_WAKE_ALARM))
		return -EPERM;   /* CAP_WAKE_ALARM */
	struct timerfd *tfd = kzalloc(sizeof(*tfd));
	if (!tfd)
		return -ENOMEM;
	spin_init(&tfd->lock, "timerfd");
	tfd->clock_id = clock;
	tfd->clock = c;
	tfd->moffs = clock_realtime_offset_ns();
	list_init(&tfd->cancel_link);
	timer_init(&tfd->timer, timerfd_fn);
	wait_queue_init(&tfd->wq, "timerfd");
	struct file *f = file_alloc_raw(NULL, O_RDWR | (flags & TFD_NONBLOCK), &timerfd_fops, tfd);
	if (!f) {
		kfree(tfd);
		return -ENOMEM;
	}
	int fd = fd_install(current_files(), f, 0, flags & TFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* The file open at fd, referenced in *fp, if it is a timerfd: 0,
 * -EBADF, or -EINVAL if it is another kind of file. */
static int timerfd_get(int fd, struct file **fp)
{
	struct file *f = fd_get(current_files(), fd);
	if (!f)
		return -EBADF;
	if (f->fops != &timerfd_fops) {
		file_put(f);
		return -EINVAL;
	}
	*fp = f;
	return 0;
}

/* Put tfd on cancel_list (cancel: a wall clock's absolute time with
 * TFD_TIMER_CANCEL_ON_SET), or take it off, as Linux's
 * timerfd_setup_cancel. */
static void setup_cancel(struct timerfd *tfd, bool cancel)
{
	cancel = cancel && tfd->clock.kind == CLOCK_KIND_REAL;
	spin_lock(&cancel_lock);
	spin_lock(&tfd->lock);
	if (cancel && !tfd->might_cancel)
		list_add(&tfd->cancel_link, &cancel_list);
	else if (!cancel && tfd->might_cancel)
		list_del(&tfd->cancel_link);
	tfd->might_cancel = cancel;
	spin_unlock(&tfd->lock);
	spin_unlock(&cancel_lock);
}

void timerfd_clock_was_set(void)
{
	struct timerfd *tfd;
	int64_t moffs = clock_realtime_offset_ns();
	spin_lock(&cancel_lock);
	list_for_each_entry(tfd, &cancel_list, cancel_link) {
		spin_lock(&tfd->lock);
		bool changed = tfd->moffs != moffs;
		if (changed) {
			tfd->moffs = MOFFS_CANCELED;
			tfd->ticks++;
		}
		spin_unlock(&tfd->lock);
		if (changed)
			wake_up(&tfd->wq);
	}
	spin_unlock(&cancel_lock);
}

/* Its setting now: interval and time left. Lock held. */
static void setting_locked(struct timerfd *tfd, struct user_itimerspec *s)
{
	uint64_t now = tfd_now(tfd);
	uint64_t left = tfd->expires > now ? tfd->expires - now : 0;
	s->interval = (struct __kernel_timespec){ (int64_t)(tfd->interval / NSEC_PER_SEC), (int64_t)(tfd->interval % NSEC_PER_SEC) };
	s->value = (struct __kernel_timespec){ (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
}

long sys_timerfd_settime(int fd, int flags, const struct user_itimerspec *unew, struct user_itimerspec *uold)
{
	struct user_itimerspec new, old;
	uint64_t value, interval;
	struct file *f;
	if (copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    timespec_to_ns(&new.value, &value) || timespec_to_ns(&new.interval, &interval))
		return -EINVAL;
	int err = timerfd_get(fd, &f);
	if (err)
		return err;
	struct timerfd *tfd = f->private;
	bool abs = flags & TFD_TIMER_ABSTIME;
	setup_cancel(tfd, abs && (flags & TFD_TIMER_CANCEL_ON_SET));
	lock_stopped(tfd);
	setting_locked(tfd, &old);
	tfd->ticks = 0;
	tfd->interval = value ? interval : 0;
	tfd->expires = 0;
	tfd->on_realtime = abs && tfd->clock.kind == CLOCK_KIND_REAL;
	if (value) {
		tfd->expires = MAX(abs ? value : tfd_now(tfd) + value, 1UL);
		arm_timer_locked(tfd, tfd->expires);
	}
	spin_unlock(&tfd->lock);
	file_put(f);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_timerfd_gettime(int fd, struct user_itimerspec *ucur)
{
	struct user_itimerspec cur;
	struct file *f;
	int err = timerfd_get(fd, &f);
	if (err)
		return err;
	struct timerfd *tfd = f->private;
	spin_lock(&tfd->lock);
	setting_locked(tfd, &cur);
	spin_unlock(&tfd->lock);
	file_put(f);
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}
