/*
 * sleep.c - nanosleep and clock_nanosleep. A sleep arms a timer for its
 * deadline (schedule_until), so it ends within microseconds of it; an
 * absolute sleep on the wall clock ends when the clock reaches it, even
 * when the clock is set meanwhile.
 */
#include "time/clock.h"
#include "time/timer.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include <linux/time.h>

/* Sleep until deadline on the monotonic clock, or on the wall clock
 * when realtime (then following it when it is set, as Linux's absolute
 * CLOCK_REALTIME sleeps); -EINTR with *left when a signal comes first. */
static long sleep_until(uint64_t deadline, bool realtime, uint64_t *left)
{
	for (;;) {
		uint64_t now = realtime ? (uint64_t)clock_realtime_ns() : arch_clock_ns();
		if (now >= deadline)
			return 0;
		if (signal_pending_current()) {
			*left = deadline - now;
			return -EINTR;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		if (realtime)
			schedule_until_realtime((int64_t)deadline);
		else
			schedule_until(deadline);
		set_current_state(TASK_RUNNING);
	}
}

/* Sleep until rb's deadline; interrupted: -ERESTART_RESTARTBLOCK (a
 * handler makes it EINTR; a stop and continue resumes the same sleep
 * through restart_syscall) with the time left in rb->urem. */
static long sleep_restartable(struct restart_block *rb)
{
	uint64_t left = 0;
	long r = sleep_until(rb->deadline_ns, false, &left);
	if (r != -EINTR)
		return r;
	if (rb->urem && timespec_to_user(rb->urem, left))
		return -EFAULT;
	return signal_set_restart(rb);
}

static long sleep_relative(uint64_t ns, struct __kernel_timespec *urem)
{
	struct restart_block rb = { sleep_restartable, arch_clock_ns() + ns, urem };
	return sleep_restartable(&rb);
}

long sys_nanosleep(const struct __kernel_timespec *ureq, struct __kernel_timespec *urem)
{
	uint64_t ns;
	int err = timespec_from_user(ureq, &ns);
	return err ? err : sleep_relative(ns, urem);
}

/* Sleep until CPU clock c reads target, looking every tick (it moves
 * only while the threads it counts run). Interrupted: -EINTR with the
 * CPU time left in urem, or -ERESTARTNOHAND when absolute. */
static long sleep_on_cpu_clock(const struct clock_ref *c, uint64_t target, bool abs,
			       struct __kernel_timespec *urem)
{
	for (;;) {
		uint64_t now;
		if (clock_now(c, &now) || now >= target)
			return 0;   /* reached, or what it counted is gone */
		if (signal_pending_current()) {
			if (abs)
				return -ERESTARTNOHAND;
			return urem && timespec_to_user(urem, target - now) ? -EFAULT : -EINTR;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_until(arch_clock_ns() + TICK_NS);
		set_current_state(TASK_RUNNING);
	}
}

/* clock_nanosleep: EINVAL for an unknown clock, EOPNOTSUPP for one that
 * cannot sleep (the raw and coarse clocks), EINVAL on the caller's own
 * thread CPU clock, as Linux. */
long sys_clock_nanosleep(int id, int flags, const struct __kernel_timespec *ureq,
			 struct __kernel_timespec *urem)
{
	struct clock_ref c;
	uint64_t ns, now, left;
	if (clock_resolve(id, &c))
		return -EINVAL;
	if (!(c.caps & CLOCK_CAN_SLEEP))
		return -EOPNOTSUPP;
	int err = timespec_from_user(ureq, &ns);
	if (err)
		return err;
	bool abs = flags & TIMER_ABSTIME;
	if (c.kind == CLOCK_KIND_CPU) {
		if (c.thread && (c.pid == 0 || c.pid == current->tid))
			return -EINVAL;
		if (clock_now(&c, &now))
			return -EINVAL;
		return sleep_on_cpu_clock(&c, abs ? ns : now + ns, abs, urem);
	}
	if (!abs)
		return sleep_relative(ns, urem);
	long r = sleep_until(ns, c.kind == CLOCK_KIND_REAL, &left);
	return r == -EINTR ? -ERESTARTNOHAND : r;   /* absolute: simply run again */
}
