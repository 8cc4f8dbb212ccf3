/*
 * clock.c - the clocks (time/clock.h) and their system calls:
 * clock_gettime, clock_getres, gettimeofday, time, nanosleep and
 * clock_nanosleep, with Linux's errors for what a clock cannot do.
 */
#include "time/clock.h"
#include "time/cputime.h"
#include "time/timer.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "mm/usercopy.h"
#include "mm/vdso.h"
#include "lib/errno.h"
#include <linux/time.h>

/* The wall clock: the Unix time at which the monotonic clock read zero,
 * from the hardware clock at boot (clock_realtime_init); a fixed
 * 2026-01-01 if the hardware clock reads as nonsense. Read and changed
 * atomically (clock_realtime_change). */
static int64_t realtime_offset_ns = 1767225600LL * NSEC_PER_SEC;

void clock_realtime_init(void)
{
	uint64_t s = arch_rtc_unix_seconds();
	if (s)
		realtime_offset_ns = (int64_t)s * NSEC_PER_SEC - (int64_t)arch_clock_ns();
}

int64_t clock_realtime_offset_ns(void) { return __atomic_load_n(&realtime_offset_ns, __ATOMIC_ACQUIRE); }
int64_t clock_realtime_ns(void) { return clock_realtime_offset_ns() + (int64_t)arch_clock_ns(); }

#define REALTIME_SET_MAX_NS (REALTIME_SET_MAX_SEC * NSEC_PER_SEC)

int clock_realtime_change(int64_t value_ns, bool relative)
{
	int64_t old = clock_realtime_offset_ns(), off;
	do {
		int64_t mono = (int64_t)arch_clock_ns();
		int64_t now = old + mono;
		if (relative && (value_ns > REALTIME_SET_MAX_NS - now || value_ns < -now))
			return -EINVAL;
		int64_t target = relative ? now + value_ns : value_ns;
		if (target < mono || target >= REALTIME_SET_MAX_NS)
			return -EINVAL;   /* before boot, or past what Linux can keep */
		off = target - mono;
	} while (!__atomic_compare_exchange_n(&realtime_offset_ns, &old, off, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	vdso_clock_changed();
	timers_clock_was_set();
	timerfd_clock_was_set();
	return 0;
}

/* ---- clock ids ---- */

#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_CLOCK_MASK 3
#define CPUCLOCK_MAX 3
#define CLOCKFD 3                  /* (id & 7) == 3: a dynamic clock's descriptor */
#define CLOCKFD_MASK (CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_CLOCK_MASK)

#define TIMERS (CLOCK_CAN_SLEEP | CLOCK_CAN_TIMER)

/* The fixed clock ids: kind and what they support (Linux's table). */
static const struct { bool valid; enum clock_kind kind; unsigned caps; } clocks[] = {
	[CLOCK_REALTIME]         = { true, CLOCK_KIND_REAL, TIMERS | CLOCK_TIMERFD },
	[CLOCK_MONOTONIC]        = { true, CLOCK_KIND_MONO, TIMERS | CLOCK_TIMERFD },
	[CLOCK_MONOTONIC_RAW]    = { true, CLOCK_KIND_MONO, 0 },
	[CLOCK_REALTIME_COARSE]  = { true, CLOCK_KIND_REAL, CLOCK_COARSE },
	[CLOCK_MONOTONIC_COARSE] = { true, CLOCK_KIND_MONO, CLOCK_COARSE },
	[CLOCK_BOOTTIME]         = { true, CLOCK_KIND_MONO, TIMERS | CLOCK_TIMERFD },
	[CLOCK_REALTIME_ALARM]   = { true, CLOCK_KIND_REAL, TIMERS | CLOCK_ALARM | CLOCK_TIMERFD },
	[CLOCK_BOOTTIME_ALARM]   = { true, CLOCK_KIND_MONO, TIMERS | CLOCK_ALARM | CLOCK_TIMERFD },
	[CLOCK_TAI]              = { true, CLOCK_KIND_REAL, TIMERS },
};

/* A CPU clock: the caller's (CLOCK_PROCESS/THREAD_CPUTIME_ID) or one
 * with a pid encoded in a negative id. */
static int resolve_cpu_clock(int id, struct clock_ref *c)
{
	c->kind = CLOCK_KIND_CPU;
	c->caps = TIMERS;
	if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID) {
		c->pid = 0;
		c->thread = id == CLOCK_THREAD_CPUTIME_ID;
		c->which = CPUCLOCK_SCHED;
		if (c->thread)
			c->caps = CLOCK_CAN_TIMER;   /* Linux: no nanosleep on it (EOPNOTSUPP) */
		return 0;
	}
	if ((id & CLOCKFD_MASK) == CLOCKFD || (id & CPUCLOCK_CLOCK_MASK) >= CPUCLOCK_MAX)
		return -EINVAL;   /* no dynamic (descriptor) clocks */
	c->pid = ~(id >> 3);
	c->thread = (id & CPUCLOCK_PERTHREAD_MASK) != 0;
	c->which = id & CPUCLOCK_CLOCK_MASK;
	return 0;
}

int clock_resolve(int id, struct clock_ref *c)
{
	c->id = id;
	if (id < 0 || id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID)
		return resolve_cpu_clock(id, c);
	if (id >= (int)ARRAY_SIZE(clocks) || !clocks[id].valid)
		return -EINVAL;
	c->kind = clocks[id].kind;
	c->caps = clocks[id].caps;
	return 0;
}

int clock_now(const struct clock_ref *c, uint64_t *ns)
{
	if (c->kind == CLOCK_KIND_MONO) {
		*ns = arch_clock_ns();
		return 0;
	}
	if (c->kind == CLOCK_KIND_REAL) {
		*ns = (uint64_t)clock_realtime_ns();
		return 0;
	}
	struct cpu_times t;
	int err = cputime_read(c->pid, c->thread, &t);
	if (!err)
		*ns = cpu_times_clock(&t, c->which);
	return err;
}

/* ---- user timespecs ---- */

/* Past this many seconds a time is "never" (and sums cannot overflow). */
#define TIME_MAX_SEC ((UINT64_MAX / 4) / NSEC_PER_SEC)

int timespec_to_ns(const struct __kernel_timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*ns = MIN((uint64_t)ts->tv_sec, TIME_MAX_SEC) * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
	return 0;
}

int timespec_from_user(const void *u, uint64_t *ns)
{
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	return timespec_to_ns(&ts, ns);
}

int timespec_to_user(void *u, uint64_t ns)
{
	struct __kernel_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return copy_to_user(u, &ts, sizeof(ts));
}

/* ---- reading the clocks ---- */

long sys_clock_gettime(int id, struct __kernel_timespec *uts)
{
	struct clock_ref c;
	uint64_t ns;
	int err = clock_resolve(id, &c);
	if (!err)
		err = clock_now(&c, &ns);
	return err ? err : timespec_to_user(uts, ns);
}

/* The resolution: a nanosecond, but a tick for the coarse clocks and
 * the tick-sampled CPU clocks (PROF, VIRT), as Linux reports. */
long sys_clock_getres(int id, struct __kernel_timespec *uts)
{
	struct clock_ref c;
	uint64_t ns;
	int err = clock_resolve(id, &c);
	if (!err && c.kind == CLOCK_KIND_CPU)
		err = clock_now(&c, &ns);   /* the thread or process must exist */
	if (err)
		return err;
	bool tick = (c.caps & CLOCK_COARSE) || (c.kind == CLOCK_KIND_CPU && c.which != CPUCLOCK_SCHED);
	return uts ? timespec_to_user(uts, tick ? CLOCK_COARSE_RES_NS : CLOCK_RES_NS) : 0;
}

long sys_gettimeofday(struct __kernel_old_timeval *utv, void *utz)
{
	int64_t ns = clock_realtime_ns();
	struct __kernel_old_timeval tv = { ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000 };
	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	struct timezone tz;
	clock_tz_get(&tz);
	if (utz && copy_to_user(utz, &tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

long sys_time(int64_t *ut)
{
	int64_t s = clock_realtime_ns() / NSEC_PER_SEC;
	if (ut && copy_to_user(ut, &s, sizeof(s)))
		return -EFAULT;
	return s;
}
