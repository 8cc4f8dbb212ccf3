/*
 * clock.h - the clocks that clock_gettime reads and that timers and
 * sleeps run on (docs/timers.md).
 *
 * Every clock derives from the monotonic clock (arch_clock_ns):
 * CLOCK_REALTIME is it plus the Unix time at which it read zero, taken
 * from the hardware clock at boot and moved when the clock is set
 * (clock_settime, settimeofday, adjtimex's ADJ_SETOFFSET: time/settime.c;
 * CLOCK_MONOTONIC never moves); BOOTTIME and the _ALARM clocks equal
 * MONOTONIC and REALTIME (Aspen never suspends); TAI equals REALTIME
 * (Linux's TAI offset is 0 until NTP sets it). The CPU-time clocks
 * count a thread's or a process's CPU time (time/cputime.c).
 */
#ifndef ASPEN_TIME_CLOCK_H
#define ASPEN_TIME_CLOCK_H
#include "lib/kernel.h"

/* The resolution clock_getres reports for the fine clocks: nanoseconds
 * of the TSC (the vDSO reports the same, from its data page). */
#define CLOCK_RES_NS 1
/* ... and for the _COARSE clocks and the tick-sampled CPU clocks: a tick
 * (time/timer.h's TICK_NS). */
#define CLOCK_COARSE_RES_NS (1000000000L / TIMER_HZ)

/* clock_realtime_init - read the hardware clock; boot, once. */
void clock_realtime_init(void);
/* clock_realtime_change - set the wall clock to value_ns (Unix ns), or
 * step it by value_ns when relative, as Linux's do_settimeofday64 and
 * timekeeping_inject_offset: 0, or -EINVAL if the result would read
 * less than the monotonic clock (before boot) or past Linux's limit.
 * Then publishes it to the vDSO, re-keys the wall-clock timers and
 * cancels the timerfds that asked for it. The caller checked
 * CAP_SYS_TIME. Process context. */
int clock_realtime_change(int64_t value_ns, bool relative);
/* The wall clock can be set to less than this many seconds, as Linux's
 * TIME_SETTOD_SEC_MAX: 30 years short of what its ktime_t holds. */
#define REALTIME_SET_MAX_SEC (INT64_MAX / 1000000000 - 30LL * 365 * 86400)
struct timezone;
/* clock_tz_get - the timezone settimeofday last set (zeros at boot),
 * which gettimeofday reports (time/settime.c). */
void clock_tz_get(struct timezone *tz);
/* timerfd_clock_was_set - (time/timerfd.c) wake the timerfds armed with
 * TFD_TIMER_CANCEL_ON_SET: their next read fails with ECANCELED. */
void timerfd_clock_was_set(void);
/* clock_realtime_ns - Unix time now, in nanoseconds. */
int64_t clock_realtime_ns(void);
/* clock_realtime_offset_ns - CLOCK_REALTIME minus CLOCK_MONOTONIC. */
int64_t clock_realtime_offset_ns(void);

/* What a clock id names, once checked (clock_resolve). */
enum clock_kind {
	CLOCK_KIND_MONO,       /* MONOTONIC, BOOTTIME and their variants */
	CLOCK_KIND_REAL,       /* REALTIME, TAI and their variants */
	CLOCK_KIND_CPU,        /* a thread's or a process's CPU time */
};
/* What a clock supports, as Linux's k_clock tables say. */
#define CLOCK_CAN_SLEEP  0x1   /* clock_nanosleep (else EOPNOTSUPP) */
#define CLOCK_CAN_TIMER  0x2   /* timer_create (else EOPNOTSUPP) */
#define CLOCK_ALARM      0x4   /* an _ALARM clock: timers need CAP_WAKE_ALARM */
#define CLOCK_COARSE     0x8   /* resolution of a tick */
#define CLOCK_TIMERFD    0x10  /* timerfd_create accepts it */

/* The CPU clocks of a clock id (Linux's encoding of a pid in a
 * negative id; <linux/posix-timers.h>). */
#define CPUCLOCK_PROF 0        /* user + system time (sampled by the tick) */
#define CPUCLOCK_VIRT 1        /* user time (sampled by the tick) */
#define CPUCLOCK_SCHED 2       /* time run, measured at each switch */

struct clock_ref {
	int id;
	enum clock_kind kind;
	unsigned caps;             /* CLOCK_* */
	int pid;                   /* CPU clocks: thread or process id, 0: the caller's */
	bool thread;               /* CPU clocks: of one thread */
	int which;                 /* CPU clocks: CPUCLOCK_* */
};

/* clock_resolve - check id and describe it in *c: 0 or -EINVAL. */
int clock_resolve(int id, struct clock_ref *c);
/* clock_now - c's time now in ns: 0, or -EINVAL when a CPU clock's
 * thread or process is gone. */
int clock_now(const struct clock_ref *c, uint64_t *ns);

struct __kernel_timespec;
/* timespec_to_ns - ts in ns if valid as Linux checks (tv_nsec in
 * [0, 1e9), tv_sec >= 0; huge values saturate to "never"): 0 or -EINVAL. */
int timespec_to_ns(const struct __kernel_timespec *ts, uint64_t *ns);
/* timespec_from_user - the same for a user struct __kernel_timespec:
 * 0, -EFAULT or -EINVAL. */
int timespec_from_user(const void *u, uint64_t *ns);
/* timespec_to_user - ns as a struct __kernel_timespec: 0 or -EFAULT. */
int timespec_to_user(void *u, uint64_t ns);
#endif
