// GUEST: glibc
/*
 * timers.c - the timers a process arms: POSIX timers (timer_create and
 * friends, through the raw system calls so that both libcs test the
 * kernel's ABI), timerfd, and the interval timers of setitimer, with
 * their overruns, their clocks and Linux's errors.
 */
#include "gtest.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

#define NS 1000000000LL
#define MS 1000000LL

static long long ns_of(struct timespec ts)
{
	return ts.tv_sec * NS + ts.tv_nsec;
}

static int wait_signal(int sig, siginfo_t *info)
{
	sigset_t set = sigset_of(sig);
	return sigwaitinfo(&set, info);
}

/* struct ksigevent as the kernel reads it (the libcs name the thread id
 * field differently). */
struct ksigevent {
	union sigval value;
	int signo, notify, tid;
	int pad[11];
};

/* The kernel's POSIX timer calls, as the libcs make them. */
static int ktimer_create(clockid_t c, struct ksigevent *ev)
{
	int id = -1;
	CHECK(syscall(SYS_timer_create, c, ev, &id) == 0, "timer_create(%d): %s", (int)c, strerror(errno));
	return id;
}

static long ktimer_settime(int id, int flags, long long value, long long interval)
{
	struct itimerspec its = { ns_timespec(interval), ns_timespec(value) };
	return syscall(SYS_timer_settime, id, flags, &its, NULL);
}

static struct itimerspec ktimer_gettime(int id)
{
	struct itimerspec its;
	CHECK(syscall(SYS_timer_gettime, id, &its) == 0, "%s", strerror(errno));
	return its;
}

static struct ksigevent signal_event(int sig, int value)
{
	struct ksigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.notify = SIGEV_SIGNAL;
	ev.signo = sig;
	ev.value.sival_int = value;
	return ev;
}

/* Compute until sig is pending (at most 5 s of CPU on clock c); the CPU
 * time clock c counted from start (read before the timer was armed) to
 * then, or fail if the signal never came. */
static long long compute_until_pending(int sig, clockid_t c, long long start)
{
	sigset_t pending;
	do
		sigpending(&pending);
	while (!sigismember(&pending, sig) && clock_ns(c) - start < 5 * NS);
	long long used = clock_ns(c) - start;
	CHECK(sigismember(&pending, sig), "no signal after %lld ms of CPU", used / MS);
	return used;
}

/* Spin until the calling thread has used ns of CPU time. */
static void spin_cpu(clockid_t c, long long ns)
{
	long long end = clock_ns(c) + ns;
	while (clock_ns(c) < end)
		;
}

/* ---- POSIX timers ---- */

GTEST(posix_timer_signal_carries_timer_id_and_value)
{
	block_signal(SIGUSR1);
	struct ksigevent ev = signal_event(SIGUSR1, 4242);
	int id = ktimer_create(CLOCK_MONOTONIC, &ev);
	CHECK(ktimer_settime(id, 0, 2 * MS, 0) == 0);
	siginfo_t info;
	CHECK_EQ(wait_signal(SIGUSR1, &info), SIGUSR1);
	CHECK_EQ(info.si_code, SI_TIMER);
	CHECK_EQ(info.si_value.sival_int, 4242);
	CHECK_EQ(info.si_overrun, 0);
	CHECK_EQ(((int *)&info)[4], id);   /* si_timerid: the first word of the union */
	CHECK(syscall(SYS_timer_delete, id) == 0);
}

/* Without a sigevent: SIGALRM with the timer id as its value. */
GTEST(posix_timer_default_event_is_sigalrm_with_its_id)
{
	block_signal(SIGALRM);
	int first = ktimer_create(CLOCK_REALTIME, NULL);
	int id = ktimer_create(CLOCK_REALTIME, NULL);
	CHECK(id != first);
	CHECK(ktimer_settime(id, 0, 1 * MS, 0) == 0);
	siginfo_t info;
	CHECK_EQ(wait_signal(SIGALRM, &info), SIGALRM);
	CHECK_EQ(info.si_code, SI_TIMER);
	CHECK_EQ(info.si_value.sival_int, id);
}

/* Expiries while the signal waits count as its overrun, which
 * timer_getoverrun then reports too. */
GTEST(posix_timer_overruns_counted_while_signal_pending)
{
	block_signal(SIGRTMIN);
	struct ksigevent ev = signal_event(SIGRTMIN, 0);
	int id = ktimer_create(CLOCK_MONOTONIC, &ev);
	CHECK_EQ(syscall(SYS_timer_getoverrun, id), 0);
	long long t0 = clock_ns(CLOCK_MONOTONIC);
	CHECK(ktimer_settime(id, 0, 1 * MS, 1 * MS) == 0);
	sleep_ms(30);
	siginfo_t info;
	CHECK_EQ(wait_signal(SIGRTMIN, &info), SIGRTMIN);
	long long waited = clock_ns(CLOCK_MONOTONIC) - t0;
	long overrun = syscall(SYS_timer_getoverrun, id);
	CHECK(ktimer_settime(id, 0, 0, 0) == 0);
	/* at least one expiry per ms of the 30 before the wait, all but the first overruns */
	CHECK(info.si_overrun >= 28, "si_overrun %d after %lld ms", info.si_overrun, waited / MS);
	CHECK(info.si_overrun <= waited / MS + 1, "si_overrun %d after %lld ms", info.si_overrun, waited / MS);
	CHECK_EQ(overrun, info.si_overrun);
	CHECK_EQ(syscall(SYS_timer_getoverrun, id), 0);   /* settime starts the count again */
	/* One signal for all the expiries while it waited. The timer ran on
	 * between the wait and the settime that stopped it, so one more may
	 * have come since (a busy host can stall the test there): take it,
	 * if any; then nothing is left. */
	sigset_t set = sigset_of(SIGRTMIN), pending;
	struct timespec zero = { 0, 0 };
	sigtimedwait(&set, &info, &zero);
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGRTMIN), "one signal for all the expiries");
}

GTEST(posix_timer_gettime_counts_down_and_keeps_interval)
{
	block_signal(SIGUSR1);
	struct ksigevent ev = signal_event(SIGUSR1, 0);
	int id = ktimer_create(CLOCK_MONOTONIC, &ev);
	struct itimerspec its = ktimer_gettime(id);
	CHECK(ns_of(its.it_value) == 0 && ns_of(its.it_interval) == 0, "a new timer is disarmed");
	CHECK(ktimer_settime(id, 0, 500 * MS, 250 * MS) == 0);
	its = ktimer_gettime(id);
	CHECK(ns_of(its.it_value) > 0 && ns_of(its.it_value) <= 500 * MS, "%lld", ns_of(its.it_value));
	CHECK_EQ(ns_of(its.it_interval), 250 * MS);
	/* the old setting comes back from the next settime */
	struct itimerspec new = { { 0, 0 }, { 0, 0 } }, old;
	CHECK(syscall(SYS_timer_settime, id, 0, &new, &old) == 0);
	CHECK(ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 500 * MS);
	CHECK_EQ(ns_of(old.it_interval), 250 * MS);
	its = ktimer_gettime(id);
	CHECK_EQ(ns_of(its.it_value), 0);
}

/* SIGEV_NONE: no signal ever; a one-shot reads 0 once expired, an
 * interval timer keeps counting down its next period. */
GTEST(posix_timer_sigev_none_expires_silently)
{
	block_signal(SIGALRM);
	struct ksigevent ev = { .notify = SIGEV_NONE };
	int once = ktimer_create(CLOCK_MONOTONIC, &ev), every = ktimer_create(CLOCK_MONOTONIC, &ev);
	CHECK(ktimer_settime(once, 0, 2 * MS, 0) == 0);
	CHECK(ktimer_settime(every, 0, 2 * MS, 100 * MS) == 0);
	sleep_ms(10);
	CHECK_EQ(ns_of(ktimer_gettime(once).it_value), 0);
	long long left = ns_of(ktimer_gettime(every).it_value);
	CHECK(left > 0 && left <= 100 * MS, "%lld", left);
	sigset_t pending;
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGALRM));
}

GTEST(posix_timer_abstime_on_the_wall_clock)
{
	block_signal(SIGUSR2);
	struct ksigevent ev = signal_event(SIGUSR2, 0);
	int id = ktimer_create(CLOCK_REALTIME, &ev);
	long long target = clock_ns(CLOCK_REALTIME) + 3 * MS;
	CHECK(ktimer_settime(id, TIMER_ABSTIME, target, 0) == 0);
	siginfo_t info;
	CHECK_EQ(wait_signal(SIGUSR2, &info), SIGUSR2);
	CHECK(clock_ns(CLOCK_REALTIME) >= target);
	/* a time already past fires at once */
	CHECK(ktimer_settime(id, TIMER_ABSTIME, 1, 0) == 0);
	CHECK_EQ(wait_signal(SIGUSR2, &info), SIGUSR2);
}

static int thread_tid;
static int thread_got;
static int thread_ready;

static void *wait_for_timer_signal(void *arg)
{
	siginfo_t info;
	__atomic_store_n(&thread_tid, (int)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	__atomic_store_n(&thread_ready, 1, __ATOMIC_SEQ_CST);
	if (wait_signal(SIGUSR1, &info) == SIGUSR1 && info.si_code == SI_TIMER)
		__atomic_store_n(&thread_got, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* SIGEV_THREAD_ID: the signal goes to that thread, not to the process. */
GTEST(posix_timer_thread_id_event_reaches_that_thread)
{
	block_signal(SIGUSR1);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, wait_for_timer_signal, NULL) == 0);
	while (!__atomic_load_n(&thread_ready, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	struct ksigevent ev = signal_event(SIGUSR1, 0);
	ev.notify = SIGEV_THREAD_ID;
	ev.tid = thread_tid;
	int id = ktimer_create(CLOCK_MONOTONIC, &ev);
	CHECK(ktimer_settime(id, 0, 2 * MS, 0) == 0);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK(__atomic_load_n(&thread_got, __ATOMIC_SEQ_CST));
}

/* A timer on the process's CPU clock fires after that much computing,
 * not that much waiting. */
GTEST(posix_timer_on_cpu_clock_fires_after_cpu_time)
{
	block_signal(SIGUSR1);
	struct ksigevent ev = signal_event(SIGUSR1, 0);
	int id = ktimer_create(CLOCK_PROCESS_CPUTIME_ID, &ev);
	long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(ktimer_settime(id, 0, 30 * MS, 0) == 0);
	sleep_ms(60);   /* sleeping uses no CPU time: nothing fires */
	sigset_t pending;
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGUSR1), "fired while asleep");
	long long used = compute_until_pending(SIGUSR1, CLOCK_PROCESS_CPUTIME_ID, start);
	CHECK(used >= 30 * MS, "fired after %lld ms of CPU", used / MS);
}

GTEST(posix_timer_on_thread_cpu_clock)
{
	block_signal(SIGUSR2);
	struct ksigevent ev = signal_event(SIGUSR2, 0);
	int id = ktimer_create(CLOCK_THREAD_CPUTIME_ID, &ev);
	long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	CHECK(ktimer_settime(id, 0, 20 * MS, 0) == 0);
	long long used = compute_until_pending(SIGUSR2, CLOCK_THREAD_CPUTIME_ID, start);   /* fires at a tick after 20 ms */
	CHECK(used >= 20 * MS, "fired after %lld ms of CPU", used / MS);
}

GTEST(posix_timers_not_inherited_by_fork_and_gone_after_exec)
{
	struct ksigevent ev = { .notify = SIGEV_NONE };
	int id = ktimer_create(CLOCK_MONOTONIC, &ev);
	CHECK(ktimer_settime(id, 0, 10 * NS, 0) == 0);
	pid_t pid = xfork();
	if (pid == 0) {
		struct itimerspec its;
		_exit(syscall(SYS_timer_gettime, id, &its) == -1 && errno == EINVAL ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(syscall(SYS_timer_delete, id) == 0);
	CHECK_ERR(syscall(SYS_timer_delete, id), EINVAL);
	struct itimerspec its;
	CHECK_ERR(syscall(SYS_timer_gettime, id, &its), EINVAL);
	CHECK_ERR(syscall(SYS_timer_getoverrun, id), EINVAL);
}

GTEST(posix_timer_errors_as_linux)
{
	int id;
	struct ksigevent ev = signal_event(SIGUSR1, 0);
	CHECK_ERR(syscall(SYS_timer_create, 12345, &ev, &id), EINVAL);
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, &ev, &id), ENOTSUP);
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_REALTIME_COARSE, &ev, &id), ENOTSUP);
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &id), EFAULT);
	ev.signo = 0;
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev.signo = 65;
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev = signal_event(SIGUSR1, 0);
	ev.notify = 77;
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev.notify = SIGEV_THREAD_ID;
	ev.tid = getppid();   /* not one of our threads */
	CHECK_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id), EINVAL);
	int ok = ktimer_create(CLOCK_MONOTONIC, NULL);
	CHECK_ERR(syscall(SYS_timer_settime, ok, 0, NULL, NULL), EINVAL);
	struct itimerspec bad = { { 0, 0 }, { 0, NS } };
	CHECK_ERR(syscall(SYS_timer_settime, ok, 0, &bad, NULL), EINVAL);
	bad.it_value.tv_nsec = -1;
	CHECK_ERR(syscall(SYS_timer_settime, ok, 0, &bad, NULL), EINVAL);
	CHECK_ERR(ktimer_settime(ok + 1000, 0, MS, 0), EINVAL);
	CHECK_ERR(syscall(SYS_timer_gettime, ok, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_timer_delete, -1), EINVAL);
}

/* The _ALARM clocks need CAP_WAKE_ALARM (root has it). Linux without a
 * real-time clock device says EOPNOTSUPP first. */
GTEST(alarm_clock_timers_need_cap_wake_alarm)
{
	int id;
	struct ksigevent ev = { .notify = SIGEV_NONE };
	long r = syscall(SYS_timer_create, CLOCK_REALTIME_ALARM, &ev, &id);
	if (r == -1 && errno == ENOTSUP && !on_aspen())
		SKIP("this host has no real-time clock for alarm timers");
	if (getuid() == 0)
		CHECK(r == 0, "as root: %s", strerror(errno));
	pid_t pid = xfork();
	if (pid == 0) {
		if (setuid(65534) != 0)
			_exit(2);
		errno = 0;
		long r1 = syscall(SYS_timer_create, CLOCK_BOOTTIME_ALARM, &ev, &id);
		int e1 = errno;
		long r2 = timerfd_create(CLOCK_REALTIME_ALARM, 0);
		_exit(r1 == -1 && e1 == EPERM && r2 == -1 && errno == EPERM ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- timerfd ---- */

GTEST(timerfd_read_counts_expirations)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(fd >= 0);
	struct itimerspec its = { ns_timespec(1 * MS), ns_timespec(1 * MS) };
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	sleep_ms(25);
	uint64_t n = 0;
	CHECK_EQ(read(fd, &n, sizeof(n)), 8);
	CHECK(n >= 24, "%llu expirations in 25 ms of a 1 ms timer", (unsigned long long)n);
	its = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	close(fd);
}

GTEST(timerfd_nonblocking_read_and_poll)
{
	int fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	uint64_t n;
	CHECK_ERR(read(fd, &n, sizeof(n)), EAGAIN);
	CHECK_ERR(read(fd, &n, 4), EINVAL);
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	struct itimerspec its = { { 0, 0 }, ns_timespec(3 * MS) };
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK(p.revents & POLLIN);
	CHECK_EQ(read(fd, &n, sizeof(n)), 8);
	CHECK_EQ(n, 1);
	CHECK_ERR(read(fd, &n, sizeof(n)), EAGAIN);
	close(fd);
}

GTEST(timerfd_gettime_and_settime_reset_the_count)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	CHECK(fd >= 0);
	/* first expiry beyond the test's timeout: none before the next settime */
	struct itimerspec its = { ns_timespec(300 * MS), ns_timespec(60 * NS) }, cur, old;
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(fd, &cur) == 0);
	CHECK(ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 60 * NS);
	CHECK_EQ(ns_of(cur.it_interval), 300 * MS);
	/* absolute on the wall clock, already past: expires at once */
	its = (struct itimerspec){ { 0, 0 }, ns_timespec(clock_ns(CLOCK_REALTIME) - NS) };
	CHECK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, &old) == 0);
	CHECK_EQ(ns_of(old.it_interval), 300 * MS);
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK(timerfd_gettime(fd, &cur) == 0);
	CHECK_EQ(ns_of(cur.it_value), 0);   /* a one-shot, expired */
	/* arming again forgets the unread expiration */
	its = (struct itimerspec){ { 0, 0 }, ns_timespec(10 * NS) };
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	uint64_t n;
	CHECK_ERR(read(fd, &n, sizeof(n)), EAGAIN);
	close(fd);
}

GTEST(timerfd_blocking_read_ends_with_a_fatal_signal)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(fd >= 0);
	pid_t pid = xfork();
	if (pid == 0) {
		uint64_t n;
		read(fd, &n, sizeof(n));   /* never armed: blocks until killed */
		_exit(3);
	}
	sleep_ms(20);
	kill(pid, SIGTERM);
	CHECK_SIGNALED(wait_status(pid), SIGTERM);
	close(fd);
}

GTEST(timerfd_errors_as_linux)
{
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_TAI, 0), EINVAL);
	CHECK_ERR(timerfd_create(99, 0), EINVAL);
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(fd >= 0);
	struct itimerspec its = { { 0, 0 }, { 1, 0 } }, cur;
	CHECK_ERR(timerfd_settime(fd, 0x10, &its, NULL), EINVAL);
	its.it_value.tv_nsec = NS;
	CHECK_ERR(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	CHECK_ERR(timerfd_settime(fd, 0, NULL, NULL), EFAULT);
	its.it_value.tv_nsec = 0;
	CHECK_ERR(timerfd_settime(999, 0, &its, NULL), EBADF);
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	CHECK_ERR(timerfd_settime(pfd[0], 0, &its, NULL), EINVAL);
	CHECK_ERR(timerfd_gettime(pfd[0], &cur), EINVAL);
	CHECK_ERR(write(fd, "12345678", 8), EINVAL);
	char link[64] = "", path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(readlink(path, link, sizeof(link) - 1) > 0);
	CHECK(strcmp(link, "anon_inode:[timerfd]") == 0, "%s", link);
}

/* ---- setitimer ---- */

GTEST(itimer_real_interval_reloads)
{
	block_signal(SIGALRM);
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, cur;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	siginfo_t info;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(wait_signal(SIGALRM, &info), SIGALRM);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK_EQ(cur.it_interval.tv_usec, 2000);
	CHECK(cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 2000, "%ld", (long)cur.it_value.tv_usec);
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	CHECK(setitimer(ITIMER_REAL, &it, &cur) == 0);
	CHECK_EQ(cur.it_interval.tv_usec, 2000);
	alarm(GTEST_TIMEOUT);   /* the runner's timeout, which ITIMER_REAL replaced */
}

/* SIGVTALRM counts user time, SIGPROF user and system time: neither
 * advances while the process sleeps, both while it computes. */
static void check_cpu_itimer(int which, int sig)
{
	block_signal(sig);
	struct itimerval it = { { 0, 0 }, { 0, 40000 } }, cur;
	long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(setitimer(which, &it, NULL) == 0);
	sleep_ms(100);
	sigset_t pending;
	sigpending(&pending);
	CHECK(!sigismember(&pending, sig), "fired while asleep");
	CHECK(getitimer(which, &cur) == 0);
	CHECK(cur.it_value.tv_usec > 20000, "%ld us left after sleeping", (long)cur.it_value.tv_usec);
	long long used = compute_until_pending(sig, CLOCK_PROCESS_CPUTIME_ID, start);
	/* the sampled clocks may run a tick or two ahead of the measured one */
	CHECK(used >= 10 * MS, "fired after %lld ms of CPU", used / MS);
	CHECK(getitimer(which, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, "a one-shot is spent");
}

GTEST(itimer_virtual_counts_user_time) { check_cpu_itimer(ITIMER_VIRTUAL, SIGVTALRM); }
GTEST(itimer_prof_counts_cpu_time) { check_cpu_itimer(ITIMER_PROF, SIGPROF); }

static volatile int prof_signals;
static void count_prof(int sig) { prof_signals++; }

GTEST(itimer_prof_interval_fires_repeatedly)
{
	signal(SIGPROF, count_prof);
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	CHECK(setitimer(ITIMER_PROF, &it, NULL) == 0);
	spin_cpu(CLOCK_PROCESS_CPUTIME_ID, 200 * MS);
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	CHECK(setitimer(ITIMER_PROF, &it, NULL) == 0);
	CHECK(prof_signals >= 5 && prof_signals <= 15, "%d SIGPROFs in 200 ms of CPU", prof_signals);
}

GTEST(itimers_not_inherited_by_fork)
{
	struct itimerval it = { { 1, 0 }, { 5, 0 } }, cur;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(setitimer(ITIMER_VIRTUAL, &it, NULL) == 0);
	pid_t pid = xfork();
	if (pid == 0) {
		struct itimerval a, b;
		getitimer(ITIMER_REAL, &a);
		getitimer(ITIMER_VIRTUAL, &b);
		_exit(a.it_value.tv_sec || a.it_value.tv_usec || b.it_value.tv_sec || b.it_value.tv_usec);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(getitimer(ITIMER_VIRTUAL, &cur) == 0);
	CHECK(cur.it_value.tv_sec >= 4 && cur.it_interval.tv_sec == 1);
}

/* A value too large for nanoseconds means "never", as Linux saturates
 * it: the timer does not fire, and reads back as far in the future. */
GTEST(itimer_real_huge_value_never_fires)
{
	block_signal(SIGALRM);
	struct itimerval it = { { 0, 0 }, { LONG_MAX, 0 } }, cur;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	sleep_ms(20);
	sigset_t pending;
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGALRM), "a timer set for the far future fired");
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK(cur.it_value.tv_sec > 1000000000L, "%ld s left", (long)cur.it_value.tv_sec);
	alarm(GTEST_TIMEOUT);   /* the runner's timeout, which ITIMER_REAL replaced */
}

GTEST(itimer_errors_as_linux)
{
	struct itimerval it = { { 0, 0 }, { 0, 1000000 } }, cur;
	CHECK_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_setitimer, 3, NULL, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_getitimer, 7, &cur), EINVAL);
	CHECK_ERR(syscall(SYS_getitimer, ITIMER_PROF, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_setitimer, ITIMER_PROF, (void *)8, NULL), EFAULT);
}

/* alarm() answers the seconds left of the previous alarm, rounded. */
GTEST(alarm_returns_seconds_left)
{
	unsigned runner = alarm(0);   /* the test runner's timeout */
	CHECK(runner > 0 && runner <= GTEST_TIMEOUT, "%u", runner);
	CHECK_EQ(alarm(10), 0);
	CHECK_EQ(alarm(0), 10);
	CHECK_EQ(alarm(0), 0);
	alarm(runner);
}
