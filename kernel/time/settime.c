/*
 * settime.c - setting the wall clock: clock_settime and settimeofday,
 * and the kernel's timezone that settimeofday sets and gettimeofday
 * reports, with Linux's checks and errors in Linux's order.
 *
 * Only CLOCK_REALTIME can be set (and through it TAI and the _COARSE and
 * _ALARM variants, which read it); it needs CAP_SYS_TIME. The step moves
 * no other clock: CLOCK_MONOTONIC and the CPU clocks keep counting, and
 * what waits on the wall clock (absolute CLOCK_REALTIME sleeps, timers
 * and timerfds) follows the step: clock_realtime_change (time/clock.c).
 */
#include "time/clock.h"
#include "time/timer.h"
#include "proc/cred.h"
#include "mm/usercopy.h"
#include "mm/vdso.h"
#include "lib/errno.h"
#include <linux/capability.h>
#include <linux/time.h>

/* Linux's limit on tz_minuteswest: +-15 hours. */
#define TZ_MINUTES_MAX (15 * 60)

/* The kernel's timezone (Linux's sys_tz): tz_minuteswest in the low
 * half, tz_dsttime in the high, read and written as one atomic word. */
static uint64_t sys_tz;
/* Whether settimeofday has set a timezone yet (Linux's firsttime). */
static bool tz_set_once;

void clock_tz_get(struct timezone *tz)
{
	uint64_t v = __atomic_load_n(&sys_tz, __ATOMIC_RELAXED);
	tz->tz_minuteswest = (int)(uint32_t)v;
	tz->tz_dsttime = (int)(uint32_t)(v >> 32);
}

/* Linux's do_sys_settimeofday64: tv_ns (Unix ns) and tz are each
 * optional (NULL). 0, -EINVAL or -EPERM. */
static long settimeofday_checked(const int64_t *tv_ns, const struct timezone *tz)
{
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	if (tz) {
		if (tz->tz_minuteswest > TZ_MINUTES_MAX || tz->tz_minuteswest < -TZ_MINUTES_MAX)
			return -EINVAL;
		__atomic_store_n(&sys_tz, (uint32_t)tz->tz_minuteswest | (uint64_t)(uint32_t)tz->tz_dsttime << 32,
				 __ATOMIC_RELAXED);
		vdso_clock_changed();
		/* The first timezone set without a time warps the clock from
		 * local time to UTC, as Linux's timekeeping_warp_clock (for a
		 * hardware clock kept in local time). */
		if (!__atomic_exchange_n(&tz_set_once, true, __ATOMIC_RELAXED) && !tv_ns && tz->tz_minuteswest)
			clock_realtime_change((int64_t)tz->tz_minuteswest * 60 * NSEC_PER_SEC, true);
	}
	return tv_ns ? clock_realtime_change(*tv_ns, false) : 0;
}

/* A wall-clock time to set, as Linux's timespec64_valid_settod: 0 <=
 * tv_sec < REALTIME_SET_MAX_SEC, 0 <= ns < 1 s. */
static bool settable(int64_t sec, int64_t ns)
{
	return sec >= 0 && ns >= 0 && ns < NSEC_PER_SEC && sec < REALTIME_SET_MAX_SEC;
}

long sys_clock_settime(int id, const struct __kernel_timespec *uts)
{
	struct __kernel_timespec ts;
	struct clock_ref c;
	if (id >= 0 && id != CLOCK_REALTIME)
		return -EINVAL;   /* no other fixed clock can be set */
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (id < 0) {
		/* A CPU clock: EPERM if it names a thread or process (Linux's
		 * posix_cpu_clock_set), else EINVAL. */
		uint64_t ns;
		if (clock_resolve(id, &c) || clock_now(&c, &ns))
			return -EINVAL;
		return -EPERM;
	}
	if (!settable(ts.tv_sec, ts.tv_nsec))
		return -EINVAL;
	int64_t ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return settimeofday_checked(&ns, NULL);
}

long sys_settimeofday(const struct __kernel_old_timeval *utv, const struct timezone *utz)
{
	struct __kernel_old_timeval tv;
	struct timezone tz;
	int64_t ns;
	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec > 1000000)
			return -EINVAL;   /* Linux's first check; 1000000 fails the next */
	}
	if (utz && copy_from_user(&tz, utz, sizeof(tz)))
		return -EFAULT;
	if (utv) {
		if (!settable(tv.tv_sec, tv.tv_usec * NSEC_PER_USEC))
			return -EINVAL;
		ns = tv.tv_sec * NSEC_PER_SEC + tv.tv_usec * NSEC_PER_USEC;
	}
	return settimeofday_checked(utv ? &ns : NULL, utz ? &tz : NULL);
}
