// GUEST: glibc
/*
 * clockset.c - setting the wall clock: clock_settime, settimeofday and
 * adjtimex's ADJ_SETOFFSET move CLOCK_REALTIME (and gettimeofday, time,
 * the vDSO) but not CLOCK_MONOTONIC; absolute CLOCK_REALTIME sleeps,
 * futex and message-queue waits, POSIX timers and timerfds follow the
 * step; TFD_TIMER_CANCEL_ON_SET
 * reports it; settimeofday's timezone comes back from gettimeofday; and
 * Linux's errors in Linux's order.
 *
 * The tests that step the clock are Aspen-only (natively they would
 * step the host's clock under everything else running there); they
 * need CAP_SYS_TIME (Aspen's root) and step it back by exactly as much,
 * with ADJ_SETOFFSET, before they check anything: a step of STEP_S
 * seconds lasts milliseconds. Every call goes through syscall(): glibc's
 * settimeofday refuses a time and a timezone together.
 */
#include "gtest.h"
#include <linux/futex.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/timex.h>

#define NS 1000000000LL
#define SYS_futex_waitv_nr 449
#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02   /* <linux/futex.h> 6.1 calls it FUTEX_32 */
#endif
#define STEP_S 40     /* how far the stepping tests move the clock */
#define TARGET_S 30   /* an absolute deadline this far ahead: inside the step */

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, c, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

/* CLOCK_REALTIME minus CLOCK_MONOTONIC, read between two readings of the
 * monotonic clock (their middle). */
static long long realtime_offset(void)
{
	long long m0 = now_ns(CLOCK_MONOTONIC), r = now_ns(CLOCK_REALTIME), m1 = now_ns(CLOCK_MONOTONIC);
	return r - (m0 + m1) / 2;
}

/* Step the wall clock by ns (ADJ_SETOFFSET, exact): 0 or -1 with errno. */
static int step_clock(long long ns)
{
	long long sec = ns >= 0 ? ns / NS : -((-ns + NS - 1) / NS);
	struct timex tx = { .modes = ADJ_SETOFFSET | ADJ_NANO };
	tx.time.tv_sec = sec;
	tx.time.tv_usec = ns - sec * NS;
	return syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) < 0 ? -1 : 0;
}

/* Skip the test unless this process may set the clock, and natively
 * always: stepping the host's clock, even for milliseconds, would give
 * every file written meanwhile (a build beside the tests, their logs) a
 * time in the future, and move other programs' wall-clock deadlines. */
static void need_settable_clock(void)
{
	ASPEN_ONLY();
	if (step_clock(0) != 0)
		SKIP("the clock cannot be set here: %s", strerror(errno));
}

static void must_step(long long ns)
{
	CHECK(step_clock(ns) == 0, "step by %lld ns: %s", ns, strerror(errno));
}

GTEST(clock_settime_sets_only_the_realtime_clock)
{
	struct timespec ts = { 1800000000, 0 };
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_MONOTONIC_RAW, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_BOOTTIME, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME_COARSE, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_TAI, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME_ALARM, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_THREAD_CPUTIME_ID, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, 100, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_MONOTONIC, (void *)8), EINVAL);   /* the clock first */
	clockid_t cpu;
	CHECK(clock_getcpuclockid(getpid(), &cpu) == 0);
	CHECK_ERR(syscall(SYS_clock_settime, cpu, &ts), EPERM);   /* a process's CPU clock */
	CHECK_ERR(syscall(SYS_clock_settime, cpu, (void *)8), EFAULT);
}

GTEST(clock_settime_checks_the_time)
{
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)8), EFAULT);
	/* the last: Linux's TIME_SETTOD_SEC_MAX, 30 years short of its limit */
	struct timespec bad[] = { { 1800000000, -1 }, { 1800000000, NS }, { -1, 0 }, { 8277292036LL, 0 } };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad[i]), EINVAL);
}

GTEST(settimeofday_checks_its_arguments)
{
	struct timeval tv = { 1800000000, 1000001 };
	CHECK_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	tv.tv_usec = -1;
	CHECK_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	tv = (struct timeval){ -1, 0 };
	CHECK_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_settimeofday, (void *)8, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_settimeofday, NULL, (void *)8), EFAULT);
	tv.tv_usec = 1000001;
	CHECK_ERR(syscall(SYS_settimeofday, &tv, (void *)8), EINVAL);   /* the time first */
	CHECK_ERR(syscall(SYS_gettimeofday, &tv, (void *)8), EFAULT);
}

/* Without CAP_SYS_TIME every change is EPERM, but a malformed time is
 * EINVAL first, as Linux checks. */
GTEST(setting_the_clock_needs_cap_sys_time)
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (setuid(65534) != 0)
			_exit(90);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct timeval tv = { ts.tv_sec, 0 };
		struct timezone tz = { 0, 0 };
		struct timespec bad = { ts.tv_sec, NS }, far = { 8277292036LL, 0 };
		if (syscall(SYS_clock_settime, CLOCK_REALTIME, &ts) != -1 || errno != EPERM)
			_exit(1);
		if (syscall(SYS_settimeofday, &tv, NULL) != -1 || errno != EPERM)
			_exit(2);
		if (syscall(SYS_settimeofday, NULL, &tz) != -1 || errno != EPERM)
			_exit(3);
		if (syscall(SYS_settimeofday, NULL, NULL) != -1 || errno != EPERM)
			_exit(4);
		if (syscall(SYS_clock_settime, CLOCK_REALTIME, &bad) != -1 || errno != EINVAL)
			_exit(5);
		if (syscall(SYS_clock_settime, CLOCK_REALTIME, &far) != -1 || errno != EINVAL)
			_exit(7);
		if (step_clock(NS) != -1 || errno != EPERM)
			_exit(6);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* Linux refuses a wall clock earlier than the monotonic clock (a time
 * before boot) and a step that would make it so. */
GTEST(the_clock_cannot_go_before_boot)
{
	need_settable_clock();
	struct timespec epoch = { 0, 0 };
	CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &epoch), EINVAL);
	struct timeval tv = { 0, 0 };
	CHECK_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	CHECK(step_clock(-now_ns(CLOCK_REALTIME) - NS) == -1 && errno == EINVAL, "step before 1970: %s",
	      strerror(errno));
	CHECK(syscall(SYS_settimeofday, NULL, NULL) == 0, "settimeofday(NULL, NULL): %s", strerror(errno));
}

/* What each way of reading the wall clock says, and the monotonic
 * clock once they are read. */
struct readings {
	long long vdso, sys, tod, time_s, coarse, tai, mono_end;
};

static struct readings read_wall_clocks(void)
{
	struct readings r;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	r.vdso = ts.tv_sec * NS + ts.tv_nsec;
	r.sys = now_ns(CLOCK_REALTIME);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	r.tod = tv.tv_sec * NS + tv.tv_usec * 1000LL;
	r.time_s = time(NULL);
	r.coarse = now_ns(CLOCK_REALTIME_COARSE);
	r.tai = now_ns(CLOCK_TAI);
	r.mono_end = now_ns(CLOCK_MONOTONIC);
	return r;
}

/* r's readings, each at least `at` (the time set when the monotonic
 * clock read at most mono_set) and at most `at` plus the monotonic time
 * since; a tick's slack for the coarse ones. */
static void check_readings(const struct readings *r, long long at, long long mono_set, const char *what)
{
	long long hi = at + (r->mono_end - mono_set) + 20000000LL;
	CHECK(r->vdso >= at - 1000 && r->vdso <= hi, "%s: clock_gettime %lld, not in [%lld, %lld]", what, r->vdso, at, hi);
	CHECK(r->sys >= at - 1000 && r->sys <= hi, "%s: the system call %lld", what, r->sys);
	CHECK(r->tod >= at - 1000000 && r->tod <= hi, "%s: gettimeofday %lld", what, r->tod);
	CHECK(r->time_s >= at / NS - 1 && r->time_s <= hi / NS, "%s: time %lld", what, r->time_s);
	CHECK(r->coarse >= at - 20000000LL && r->coarse <= hi, "%s: REALTIME_COARSE %lld", what, r->coarse);
	CHECK(r->tai >= at - 1000 && r->tai <= hi + 40 * NS, "%s: TAI %lld", what, r->tai);
}

GTEST(clock_settime_moves_the_wall_clock_not_the_monotonic_one)
{
	need_settable_clock();
	long long off0 = realtime_offset();
	long long mono0 = now_ns(CLOCK_MONOTONIC);
	long long target = now_ns(CLOCK_REALTIME) + STEP_S * NS;
	struct timespec ts = { target / NS, target % NS };
	long r = syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
	int err = errno;
	long long mono1 = now_ns(CLOCK_MONOTONIC);
	struct readings after = read_wall_clocks();
	long long off1 = realtime_offset();
	/* Back by exactly what the step moved the offset. */
	if (r == 0)
		must_step(off0 - off1);
	long long off2 = realtime_offset();
	CHECK(r == 0, "clock_settime: %s", strerror(err));
	check_readings(&after, target, mono0, "after the step");
	long long moved = off1 - off0;
	CHECK(moved <= STEP_S * NS + 1000000 && moved > (STEP_S - 5) * NS, "the offset moved %lld ns", moved);
	CHECK(mono1 - mono0 < 5 * NS, "the monotonic clock moved %lld ns across the step", mono1 - mono0);
	CHECK(llabs(off2 - off0) < 1000000, "restored offset %lld, was %lld", off2, off0);
}

GTEST(settimeofday_and_adjtimex_step_the_clock)
{
	need_settable_clock();
	long long off0 = realtime_offset();
	long long target = now_ns(CLOCK_REALTIME) + STEP_S * NS;
	struct timeval tv = { target / NS, (target % NS) / 1000 };
	long r1 = syscall(SYS_settimeofday, &tv, NULL);
	long long off1 = realtime_offset();
	int r2 = step_clock(-STEP_S * NS - NS / 2);   /* {-(STEP_S + 1), 0.5 s}: a negative step */
	long long off2 = realtime_offset();
	struct timex tx = { .modes = ADJ_SETOFFSET };
	tx.time.tv_sec = 0;
	tx.time.tv_usec = 500000;   /* microseconds without ADJ_NANO */
	long r3 = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
	long long off3 = realtime_offset();
	must_step(off0 - off3);
	CHECK(r1 == 0 && r2 == 0 && r3 >= 0, "settimeofday %ld, steps %d %ld", r1, r2, r3);
	CHECK(off1 - off0 <= STEP_S * NS + 1000000 && off1 - off0 > (STEP_S - 5) * NS, "settimeofday moved %lld ns", off1 - off0);
	CHECK(llabs(off2 - off1 + STEP_S * NS + NS / 2) < 1000000, "ADJ_SETOFFSET moved %lld ns", off2 - off1);
	CHECK(llabs(off3 - off2 - NS / 2) < 1000000, "ADJ_SETOFFSET (us) moved %lld ns", off3 - off2);
	CHECK(tx.time.tv_sec * NS > off0, "adjtimex reports the time %ld", (long)tx.time.tv_sec);
}

/* The timezone settimeofday sets is what gettimeofday reports, through
 * the vDSO and the system call; it moves no clock (the first one set
 * without a time would, on a hardware clock in local time: this sets
 * the current one first, which is then no longer the first). */
GTEST(settimeofday_sets_the_timezone_gettimeofday_reports)
{
	need_settable_clock();
	struct timeval tv;
	struct timezone tz0, tz1 = { -1, -1 }, tz2 = { -1, -1 }, set = { -120, 1 };
	CHECK(syscall(SYS_gettimeofday, &tv, &tz0) == 0);
	CHECK(syscall(SYS_settimeofday, NULL, &tz0) == 0, "settimeofday(NULL, tz): %s", strerror(errno));
	long long off0 = realtime_offset();
	long r = syscall(SYS_settimeofday, NULL, &set);
	gettimeofday(&tv, &tz1);
	syscall(SYS_gettimeofday, &tv, &tz2);
	long long off1 = realtime_offset();
	struct timezone far = { 15 * 60 + 1, 0 }, near = { -15 * 60, 0 };
	CHECK_ERR(syscall(SYS_settimeofday, NULL, &far), EINVAL);
	long rn = syscall(SYS_settimeofday, NULL, &near);
	syscall(SYS_settimeofday, NULL, &tz0);
	CHECK(r == 0 && rn == 0, "settimeofday: %ld %ld", r, rn);
#ifdef __GLIBC__
	/* glibc's gettimeofday asks the vDSO; musl's ignores tz */
	CHECK(tz1.tz_minuteswest == -120 && tz1.tz_dsttime == 1, "gettimeofday: %d %d", tz1.tz_minuteswest,
	      tz1.tz_dsttime);
#endif
	CHECK(tz2.tz_minuteswest == -120 && tz2.tz_dsttime == 1, "the system call: %d %d", tz2.tz_minuteswest,
	      tz2.tz_dsttime);
	CHECK(llabs(off1 - off0) < 1000000, "the timezone moved the clock by %lld ns", off1 - off0);
}

/* Wait (up to 20 s of monotonic time) for child pid; its status, or -1. */
static int wait_child_for(pid_t pid, long long limit_ns)
{
	long long end = now_ns(CLOCK_MONOTONIC) + limit_ns;
	int status;
	while (now_ns(CLOCK_MONOTONIC) < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		sleep_ms(2);
	}
	return -1;
}

/* The ways to wait until an absolute wall-clock time at_ns, each in a
 * child: 0 if the call came back as Linux's does at that time. */
static int wait_nanosleep(long long at_ns)
{
	struct timespec at = ns_timespec(at_ns);
	return clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) == 0 && now_ns(CLOCK_REALTIME) >= at_ns ? 0 : 1;
}

static uint32_t futex_word;

static int wait_futex(long long at_ns)
{
	struct timespec at = ns_timespec(at_ns);
	long r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &at, NULL,
			 FUTEX_BITSET_MATCH_ANY);
	return r == -1 && errno == ETIMEDOUT ? 0 : 1;
}

static int wait_futex_waitv(long long at_ns)
{
	struct futex_waitv w = { .val = 0, .uaddr = (uintptr_t)&futex_word, .flags = FUTEX2_SIZE_U32 };
	struct timespec at = ns_timespec(at_ns);
	long r = syscall(SYS_futex_waitv_nr, &w, 1, 0, &at, CLOCK_REALTIME);
	return r == -1 && errno == ETIMEDOUT ? 0 : 1;
}

static int wait_mq(long long at_ns)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	char name[32], buf[16];
	snprintf(name, sizeof(name), "/clockset-%d", (int)getpid());
	mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1)
		return 2;
	mq_unlink(name);
	struct timespec at = ns_timespec(at_ns);
	long r = mq_timedreceive(q, buf, sizeof(buf), NULL, &at);
	return r == -1 && errno == ETIMEDOUT ? 0 : 1;
}

static const struct { const char *name; int (*wait)(long long at_ns); } waits[] = {
	{ "clock_nanosleep", wait_nanosleep },
	{ "futex FUTEX_CLOCK_REALTIME", wait_futex },
	{ "futex_waitv", wait_futex_waitv },
	{ "mq_timedreceive", wait_mq },
};

/* A child waiting until an absolute wall-clock time (each way in turn)
 * comes back when the clock is stepped past it. */
GTEST_SLOW(absolute_realtime_waits_end_when_the_clock_passes_them, 120)
{
	need_settable_clock();
	for (unsigned i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		long long at_ns = now_ns(CLOCK_REALTIME) + TARGET_S * NS;
		pid_t pid = xfork();
		if (pid == 0)
			_exit(waits[i].wait(at_ns));
		wait_sleeping(pid);
		long long m0 = now_ns(CLOCK_MONOTONIC);
		int r = step_clock(STEP_S * NS);
		int status = wait_child_for(pid, 20 * NS);
		long long woke = now_ns(CLOCK_MONOTONIC) - m0;
		if (r == 0)
			must_step(-STEP_S * NS);
		if (status == -1) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		CHECK(r == 0, "step: %s", strerror(errno));
		CHECK(status != -1, "%s: still waiting %lld ns after the step", waits[i].name, woke);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: %s", waits[i].name, status_str(status));
		CHECK(woke < TARGET_S * NS, "%s: came back %lld ns after the step", waits[i].name, woke);
	}
}

/* Stepped back, the same sleep lasts longer: it is still asleep after
 * its deadline has passed on the monotonic clock, and wakes once the
 * clock is stepped forward again. */
GTEST_SLOW(absolute_realtime_sleep_waits_when_the_clock_goes_back, 60)
{
	need_settable_clock();
	long long start = now_ns(CLOCK_MONOTONIC);
	long long at_ns = now_ns(CLOCK_REALTIME) + 2 * NS;
	pid_t pid = xfork();
	if (pid == 0) {
		struct timespec at = ns_timespec(at_ns);
		int r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
		_exit(r == 0 && now_ns(CLOCK_REALTIME) >= at_ns ? 0 : 1);
	}
	wait_sleeping(pid);
	int r = step_clock(-STEP_S * NS);
	long long past = start + 2 * NS + NS / 2 - now_ns(CLOCK_MONOTONIC);
	if (past > 0)
		sleep_ms((unsigned)(past / 1000000));   /* past the deadline the child had */
	int early = waitpid(pid, NULL, WNOHANG);
	if (r == 0)
		must_step(STEP_S * NS);
	int status = wait_child_for(pid, 20 * NS);
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	CHECK(r == 0, "step: %s", strerror(errno));
	CHECK(early == 0, "the sleeper woke while the clock was behind its deadline");
	CHECK(status != -1, "the sleeper slept on after the clock came back");
	CHECK_EXITED(status, 0);
}

/* A timerfd armed for an absolute wall-clock time with
 * TFD_TIMER_CANCEL_ON_SET: the step makes its read fail with ECANCELED,
 * once; one without the flag fires when the clock passes its time; a
 * relative one keeps its time left. */
GTEST(timerfd_follows_the_clock_and_reports_the_step)
{
	need_settable_clock();
	int cancel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int abs = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int rel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	CHECK(cancel >= 0 && abs >= 0 && rel >= 0);
	long long now = now_ns(CLOCK_REALTIME);
	struct itimerspec far = { { 0, 0 }, ns_timespec(now + 1000 * NS) };
	struct itimerspec soon = { { 0, 0 }, ns_timespec(now + TARGET_S * NS) };
	struct itimerspec later = { { 0, 0 }, { 1000, 0 } };
	CHECK(timerfd_settime(cancel, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &far, NULL) == 0);
	CHECK(timerfd_settime(abs, TFD_TIMER_ABSTIME, &soon, NULL) == 0);
	CHECK(timerfd_settime(rel, 0, &later, NULL) == 0);
	uint64_t ticks;
	CHECK_ERR(read(cancel, &ticks, sizeof(ticks)), EAGAIN);
	int r = step_clock(STEP_S * NS);
	long long m0 = now_ns(CLOCK_MONOTONIC);
	struct pollfd pfd = { abs, POLLIN, 0 };
	int polled = poll(&pfd, 1, 20000);
	long long waited = now_ns(CLOCK_MONOTONIC) - m0;
	errno = 0;
	long c1 = read(cancel, &ticks, sizeof(ticks));
	int e1 = errno;
	errno = 0;
	long c2 = read(cancel, &ticks, sizeof(ticks));
	int e2 = errno;
	struct itimerspec cur_cancel, cur_rel;
	timerfd_gettime(cancel, &cur_cancel);
	timerfd_gettime(rel, &cur_rel);
	if (r == 0)
		must_step(-STEP_S * NS);
	CHECK(r == 0, "step: %s", strerror(errno));
	CHECK(c1 == -1 && e1 == ECANCELED, "the first read after the step: %ld (%s)", c1, strerror(e1));
	CHECK(c2 == -1 && e2 == EAGAIN, "the second read: %ld (%s)", c2, strerror(e2));
	CHECK(polled == 1 && waited < TARGET_S * NS, "the absolute timerfd: poll %d after %lld ns", polled, waited);
	CHECK(read(abs, &ticks, sizeof(ticks)) == sizeof(ticks) && ticks == 1, "it read %llu", (unsigned long long)ticks);
	CHECK(cur_cancel.it_value.tv_sec <= 1000 - STEP_S && cur_cancel.it_value.tv_sec > 1000 - STEP_S - 10,
	      "the cancelling timer has %ld s left", (long)cur_cancel.it_value.tv_sec);
	CHECK(cur_rel.it_value.tv_sec > 1000 - 10, "the relative timer has %ld s left", (long)cur_rel.it_value.tv_sec);
	close(cancel);
	close(abs);
	close(rel);
}

/* A POSIX timer for an absolute wall-clock time fires when the clock is
 * stepped past it. */
GTEST(posix_timer_absolute_realtime_fires_when_the_clock_passes_it)
{
	need_settable_clock();
	block_signal(SIGUSR1);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	timer_t t;
	CHECK(timer_create(CLOCK_REALTIME, &ev, &t) == 0);
	struct itimerspec at = { { 0, 0 }, ns_timespec(now_ns(CLOCK_REALTIME) + TARGET_S * NS) };
	CHECK(timer_settime(t, TIMER_ABSTIME, &at, NULL) == 0);
	int r = step_clock(STEP_S * NS);
	sigset_t set = sigset_of(SIGUSR1);
	struct timespec limit = { 20, 0 };
	long long m0 = now_ns(CLOCK_MONOTONIC);
	int sig = sigtimedwait(&set, NULL, &limit);
	long long waited = now_ns(CLOCK_MONOTONIC) - m0;
	if (r == 0)
		must_step(-STEP_S * NS);
	CHECK(r == 0, "step: %s", strerror(errno));
	CHECK(sig == SIGUSR1, "no SIGUSR1 within 20 s of the step");
	CHECK(waited < TARGET_S * NS, "the signal came %lld ns after the step", waited);
	timer_delete(t);
}
