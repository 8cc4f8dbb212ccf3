/*
 * timerfd.c - timers read through a file descriptor: timerfd_create,
 * timerfd_settime, timerfd_gettime; read(2) returns the expirations
 * since the last read as a uint64_t, poll reports POLLIN while there
 * are some.
 *
 * Each timerfd is a kernel timer (time/timer.h) set on the monotonic
 * clock; an absolute CLOCK_REALTIME time is converted (the wall clock
 * is never set here, so TFD_TIMER_CANCEL_ON_SET is accepted and never
 * cancels). Interval timers count the expiries they skip (a late
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

struct timerfd {
	struct spinlock lock;        /* guards the fields below; after the timer base's callers */
	int clock_id;                /* (-) */
	struct clock_ref clock;      /* (-) */
	struct timer timer;          /* fires at expires or just after */
	uint64_t expires;            /* monotonic ns; 0: disarmed */
	uint64_t interval;
	uint64_t ticks;              /* expirations not yet read */
	struct wait_queue wq;        /* readers and pollers */
};

struct user_itimerspec { struct __kernel_timespec interval, value; };

static void timerfd_fn(struct timer *timer)
{
	struct timerfd *tfd = container_of(timer, struct timerfd, timer);
	uint64_t now = arch_clock_ns(), missed = 0;
	spin_lock(&tfd->lock);
	bool due = tfd->expires && tfd->expires <= now;
	if (due && tfd->interval) {
		tfd->expires = timer_forward(tfd->expires, now, tfd->interval, &missed);
		timer_arm(timer, timer_fire_at(tfd->expires, now));
	} else if (due) {
		tfd->expires = 0;
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

/* Its setting now: interval and time left. Lock held. */
static void setting_locked(struct timerfd *tfd, uint64_t now, struct user_itimerspec *s)
{
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
	uint64_t now = arch_clock_ns();
	lock_stopped(tfd);
	setting_locked(tfd, now, &old);
	tfd->ticks = 0;
	tfd->interval = value ? interval : 0;
	tfd->expires = 0;
	if (value) {
		uint64_t at = (flags & TFD_TIMER_ABSTIME) ? clock_mono_deadline(&tfd->clock, value) : now + value;
		tfd->expires = MAX(at, 1UL);
		timer_arm(&tfd->timer, tfd->expires);
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
	setting_locked(tfd, arch_clock_ns(), &cur);
	spin_unlock(&tfd->lock);
	file_put(f);
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}
