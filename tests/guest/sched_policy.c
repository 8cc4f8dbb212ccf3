// GUEST: glibc
/*
 * sched_policy.c - the scheduling calls as Linux has them: policies and
 * priorities (through the raw system calls: musl's wrappers refuse them),
 * sched_setattr/getattr with their sizes and E2BIG, nice values and
 * their permissions, sched_rr_get_interval, affinity, and what /proc
 * shows of it all.
 */
#include "gtest.h"
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#define SCHED_DEADLINE_ 6
#define SCHED_FLAG_RESET_ON_FORK_ 0x01
#define SCHED_FLAG_KEEP_POLICY_ 0x08

/* struct sched_attr (Linux's, version 1). */
struct kattr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static long setscheduler(pid_t pid, int policy, int prio)
{
	return syscall(SYS_sched_setscheduler, pid, policy, &prio);
}

static long getscheduler(pid_t pid) { return syscall(SYS_sched_getscheduler, pid); }

static int getparam(pid_t pid)
{
	int prio = -1;
	CHECK(syscall(SYS_sched_getparam, pid, &prio) == 0, "%s", strerror(errno));
	return prio;
}

static long setattr(pid_t pid, struct kattr *a, unsigned flags)
{
	return syscall(SYS_sched_setattr, pid, a, flags);
}

static long getattr(pid_t pid, struct kattr *a, unsigned size)
{
	return syscall(SYS_sched_getattr, pid, a, size, 0);
}

/* Run fn in a child that has dropped root (uid and euid 65534); the
 * child's exit status. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (setresuid(65534, 65534, 65534) != 0)
			_exit(99);
		_exit(fn());
	}
	int st = wait_status(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

/* Set the caller's RLIMIT_NICE and RLIMIT_RTPRIO (soft and hard), or skip
 * the test where raising them is refused (a host without CAP_SYS_RESOURCE). */
static void set_sched_limits(rlim_t nice, rlim_t rtprio)
{
	struct rlimit n = { nice, nice }, r = { rtprio, rtprio };
	if (setrlimit(RLIMIT_NICE, &n) != 0 || setrlimit(RLIMIT_RTPRIO, &r) != 0) {
		CHECK(errno == EPERM, "%s", strerror(errno));
		SKIP("raising RLIMIT_NICE or RLIMIT_RTPRIO needs CAP_SYS_RESOURCE");
	}
}

/* Field i (1-based) of /proc/self/stat, as a number. */
static long stat_field(int i)
{
	char line[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	CHECK(f && fgets(line, sizeof(line), f));
	fclose(f);
	char *p = strrchr(line, ')') + 2;   /* field 3 */
	for (int k = 3; k < i; k++)
		p = strchr(p, ' ') + 1;
	return strtol(p, NULL, 10);
}

GTEST(priority_ranges_per_policy)
{
	CHECK_EQ(syscall(SYS_sched_get_priority_max, SCHED_FIFO), 99);
	CHECK_EQ(syscall(SYS_sched_get_priority_min, SCHED_FIFO), 1);
	CHECK_EQ(syscall(SYS_sched_get_priority_max, SCHED_RR), 99);
	CHECK_EQ(syscall(SYS_sched_get_priority_min, SCHED_RR), 1);
	int fair[] = { SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE_ };
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(syscall(SYS_sched_get_priority_max, fair[i]), 0);
		CHECK_EQ(syscall(SYS_sched_get_priority_min, fair[i]), 0);
	}
	CHECK_ERR(syscall(SYS_sched_get_priority_max, 4), EINVAL);
	CHECK_ERR(syscall(SYS_sched_get_priority_min, -1), EINVAL);
}

GTEST(setscheduler_changes_policy_and_checks_arguments)
{
	CHECK_EQ(getscheduler(0), SCHED_OTHER);
	CHECK_EQ(getparam(0), 0);
	CHECK_ERR(setscheduler(0, SCHED_FIFO, 0), EINVAL);
	CHECK_ERR(setscheduler(0, SCHED_FIFO, 100), EINVAL);
	CHECK_ERR(setscheduler(0, SCHED_OTHER, 1), EINVAL);
	CHECK_ERR(setscheduler(0, 4, 0), EINVAL);
	CHECK_ERR(setscheduler(0, -1, 0), EINVAL);
	CHECK_ERR(setscheduler(-1, SCHED_OTHER, 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8), EFAULT);
	CHECK_ERR(setscheduler(999999, SCHED_OTHER, 0), ESRCH);
	CHECK_ERR(getscheduler(-1), EINVAL);
	CHECK_ERR(getscheduler(999999), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	CHECK(setscheduler(0, SCHED_BATCH, 0) == 0);
	CHECK_EQ(getscheduler(0), SCHED_BATCH);
	CHECK(setscheduler(0, SCHED_IDLE, 0) == 0);
	CHECK_EQ(getscheduler(0), SCHED_IDLE);
	if (getuid() != 0)
		SKIP("real-time policies need root");
	CHECK(setscheduler(0, SCHED_RR, 7) == 0, "%s", strerror(errno));
	CHECK_EQ(getscheduler(0), SCHED_RR);
	CHECK_EQ(getparam(0), 7);
	int prio = 12;
	CHECK(syscall(SYS_sched_setparam, 0, &prio) == 0);
	CHECK_EQ(getscheduler(0), SCHED_RR);
	CHECK_EQ(getparam(0), 12);
	prio = 0;
	CHECK_ERR(syscall(SYS_sched_setparam, 0, &prio), EINVAL);
	CHECK(setscheduler(0, SCHED_OTHER, 0) == 0);
}

/* A child inherits policy and priority, unless SCHED_RESET_ON_FORK. */
GTEST(fork_inherits_policy_unless_reset_on_fork)
{
	if (getuid() != 0)
		SKIP("real-time policies need root");
	CHECK(setscheduler(0, SCHED_FIFO, 3) == 0, "%s", strerror(errno));
	pid_t pid = xfork();
	if (pid == 0)
		_exit(getscheduler(0) == SCHED_FIFO && getparam(0) == 3 ? 0 : 1);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 3) == 0);
	CHECK_EQ(getscheduler(0), SCHED_FIFO | SCHED_RESET_ON_FORK);
	pid = xfork();
	if (pid == 0)
		_exit(getscheduler(0) == SCHED_OTHER && getparam(0) == 0 ? 0 : 1);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(setscheduler(0, SCHED_OTHER, 0) == 0);
}

GTEST(sched_attr_sizes_and_e2big)
{
	struct kattr a;
	memset(&a, 0xff, sizeof(a));
	CHECK(getattr(0, &a, 48) == 0, "%s", strerror(errno));
	CHECK_EQ(a.size, 48);
	CHECK_EQ(a.policy, SCHED_OTHER);
	CHECK_EQ(a.util_min, 0xffffffffu);   /* nothing written past the size asked */
	CHECK(getattr(0, &a, 56) == 0);
	CHECK_EQ(a.size, 56);
	uint8_t big[128];
	memset(big, 0, sizeof(big));
	CHECK(getattr(0, (struct kattr *)big, sizeof(big)) == 0);
	CHECK_EQ(((struct kattr *)big)->size, 56);   /* the kernel's own size */
	CHECK_ERR(getattr(0, &a, 40), EINVAL);
	CHECK_ERR(getattr(0, &a, 8192), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getattr, 0, &a, 56, 1), EINVAL);
	CHECK_ERR(getattr(-1, &a, 56), EINVAL);
	CHECK_ERR(getattr(999999, &a, 56), ESRCH);
	/* too small: E2BIG, and the size the kernel wants written back */
	memset(&a, 0, sizeof(a));
	a.size = 40;
	CHECK_ERR(setattr(0, &a, 0), E2BIG);
	CHECK_EQ(a.size, 56);
	/* bigger than the kernel knows: fine while the excess is zero */
	memset(big, 0, sizeof(big));
	struct kattr *b = (struct kattr *)big;
	b->size = sizeof(big);
	b->policy = SCHED_BATCH;
	CHECK(setattr(0, b, 0) == 0, "%s", strerror(errno));
	CHECK_EQ(getscheduler(0), SCHED_BATCH);
	big[100] = 1;
	CHECK_ERR(setattr(0, b, 0), E2BIG);
	CHECK_EQ(b->size, 56);
	/* size 0 reads as the first version's 48 bytes */
	memset(&a, 0, sizeof(a));
	a.policy = SCHED_OTHER;
	a.nice = 3;
	CHECK(setattr(0, &a, 0) == 0);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 3);
	CHECK(getattr(0, &a, 56) == 0);
	CHECK_EQ(a.nice, 3);
	CHECK_EQ(a.policy, SCHED_OTHER);
}

GTEST(sched_setattr_checks_arguments)
{
	struct kattr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	CHECK_ERR(setattr(0, &a, 1), EINVAL);
	CHECK_ERR(setattr(-1, &a, 0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setattr, 0, NULL, 0), EINVAL);
	CHECK_ERR(setattr(0, (struct kattr *)8, 0), EFAULT);
	a.flags = 0x80;
	CHECK_ERR(setattr(0, &a, 0), EINVAL);
	a.flags = 0;
	a.policy = 4;
	CHECK_ERR(setattr(0, &a, 0), EINVAL);
	a.policy = SCHED_DEADLINE_;   /* no runtime, deadline or period: invalid */
	CHECK_ERR(setattr(0, &a, 0), EINVAL);
	a.policy = SCHED_FIFO;        /* priority 0 */
	CHECK_ERR(setattr(0, &a, 0), EINVAL);
	a.policy = SCHED_OTHER;
	a.nice = -100;                /* clamped to -20: as root, allowed */
	CHECK_ERR(setattr(999999, &a, 0), ESRCH);
	if (getuid() == 0) {
		CHECK(setattr(0, &a, 0) == 0);
		CHECK_EQ(getpriority(PRIO_PROCESS, 0), -20);
	}
	/* SCHED_FLAG_KEEP_POLICY: only the nice value changes */
	CHECK(setscheduler(0, SCHED_BATCH, 0) == 0);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = SCHED_FLAG_KEEP_POLICY_;
	a.nice = 9;
	CHECK(setattr(0, &a, 0) == 0);
	CHECK_EQ(getscheduler(0), SCHED_BATCH);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 9);
}

/* (Only the test's own process group is reniced: never PRIO_USER,
 * which would renice every process of the user, on the host too.) */
GTEST(setpriority_sets_nice_and_clamps)
{
	CHECK(setpgid(0, 0) == 0);
	CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 5);
	CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 15);   /* the kernel's 20 - nice */
	CHECK_EQ(stat_field(18), 25);   /* priority */
	CHECK_EQ(stat_field(19), 5);    /* nice */
	CHECK(setpriority(PRIO_PROCESS, getpid(), 100) == 0);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 19);
	CHECK(setpriority(PRIO_PGRP, 0, 11) == 0);
	CHECK_EQ(getpriority(PRIO_PGRP, 0), 11);
	errno = 0;
	int user = getpriority(PRIO_USER, 0);   /* the highest priority of the user's processes */
	CHECK(errno == 0 && user <= 11, "%d", user);
	CHECK_ERR(setpriority(3, 0, 0), EINVAL);
	CHECK_ERR(getpriority(-1, 0), EINVAL);
	CHECK_ERR(setpriority(PRIO_PROCESS, 999999, 0), ESRCH);
	CHECK_ERR(getpriority(PRIO_PROCESS, 999999), ESRCH);
}

static volatile int thread_nice = -100;
static void *read_own_nice(void *arg)
{
	errno = 0;
	thread_nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	return NULL;
}

/* As Linux: PRIO_PROCESS names one thread; a new thread inherits. */
GTEST(nice_is_per_thread)
{
	CHECK(setpriority(PRIO_PROCESS, 0, 4) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, read_own_nice, NULL) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(thread_nice, 4);
}

static int nobody_nice_rules(void)
{
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	if (nice > 15 || setpriority(PRIO_PROCESS, 0, nice + 3) != 0)
		return 1;   /* lowering one's own priority is allowed */
	errno = 0;
	if (setpriority(PRIO_PROCESS, 0, nice + 1) != -1 || errno != EACCES)
		return 2;   /* raising it back is not (RLIMIT_NICE 0) */
	if (setpriority(PRIO_PROCESS, getppid(), 15) != -1 || errno != EPERM)
		return 3;   /* another user's process */
	if (setscheduler(0, SCHED_FIFO, 1) != -1 || errno != EPERM)
		return 4;   /* a real-time policy (RLIMIT_RTPRIO 0) */
	if (setscheduler(0, SCHED_IDLE, 0) != 0)
		return 5;
	if (setscheduler(0, SCHED_OTHER, 0) != -1 || errno != EPERM)
		return 6;   /* leaving SCHED_IDLE counts as raising */
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(getppid(), sizeof(set), &set) != -1 || errno != EPERM)
		return 7;
	return 0;
}

GTEST(unprivileged_may_lower_but_not_raise_priority)
{
	if (getuid() != 0)
		SKIP("needs root to drop to another user");
	set_sched_limits(0, 0);
	CHECK_EQ(as_nobody(nobody_nice_rules), 0);
}

/* A child of the caller that lowers its own RLIMIT_NICE to 0, then waits
 * for the end of the pipe *done (the caller closes it); its pid. */
static pid_t child_without_nice_limit(int *done)
{
	int ready[2], wait_end[2];
	if (pipe(ready) != 0 || pipe(wait_end) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		char c = 0;
		close(wait_end[1]);
		if (setrlimit(RLIMIT_NICE, &none) == 0 && write(ready[1], &c, 1) != 1)
			_exit(1);
		close(ready[1]);
		_exit(read(wait_end[0], &c, 1) == 0 ? 0 : 1);
	}
	char c;
	close(ready[1]);
	close(wait_end[0]);
	*done = wait_end[1];
	bool ok = pid > 0 && read(ready[0], &c, 1) == 1;
	close(ready[0]);
	return ok ? pid : -1;
}

static int limited_nice_rules(void)
{
	if (setpriority(PRIO_PROCESS, 0, -10) != 0)
		return 1;   /* RLIMIT_NICE 30 allows down to nice 20 - 30 */
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) != -10 || errno)
		return 2;
	if (setpriority(PRIO_PROCESS, 0, -11) != -1 || errno != EACCES)
		return 3;
	errno = 0;
	if (nice(-1) != -1 || errno != EPERM)
		return 4;   /* libc's nice() reports setpriority's EACCES as EPERM */
	if (nice(3) != -7)
		return 5;
	struct kattr a = { .size = sizeof(a), .policy = SCHED_OTHER, .nice = -11 };
	if (setattr(0, &a, 0) != -1 || errno != EPERM)
		return 6;
	a.nice = -10;
	if (setattr(0, &a, 0) != 0 || getpriority(PRIO_PROCESS, 0) != -10)
		return 7;
	if (setscheduler(0, SCHED_IDLE, 0) != 0 || setscheduler(0, SCHED_OTHER, 0) != 0)
		return 8;   /* leaving SCHED_IDLE for nice -10: within the limit */
	int done;
	pid_t pid = child_without_nice_limit(&done);
	if (pid < 0)
		return 9;
	int r = 0;
	if (setpriority(PRIO_PROCESS, pid, 0) != 0 || getpriority(PRIO_PROCESS, pid) != 0)
		r = 10;     /* lowering its priority needs no limit */
	else if (setpriority(PRIO_PROCESS, pid, -5) != -1 || errno != EACCES)
		r = 11;     /* the limit that counts is the target's own, not the caller's 30 */
	close(done);
	int st = wait_status(pid);
	return r ? r : WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 12;
}

GTEST(rlimit_nice_lets_unprivileged_raise_priority)
{
	if (getuid() != 0)
		SKIP("needs root to drop to another user");
	set_sched_limits(30, 0);
	CHECK_EQ(as_nobody(limited_nice_rules), 0);
}

static int limited_rt_rules(void)
{
	if (setscheduler(0, SCHED_FIFO, 11) != -1 || errno != EPERM)
		return 1;   /* above RLIMIT_RTPRIO 10 */
	if (setscheduler(0, SCHED_FIFO, 10) != 0 || getparam(0) != 10)
		return 2;
	if (setscheduler(0, SCHED_RR, 5) != 0 || getscheduler(0) != SCHED_RR)
		return 3;   /* another real-time policy: the limit is not 0 */
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_RTPRIO, &none) != 0)
		return 4;
	if (setscheduler(0, SCHED_RR, 3) != 0)
		return 5;   /* lowering needs no limit */
	if (setscheduler(0, SCHED_RR, 4) != -1 || errno != EPERM)
		return 6;
	if (setscheduler(0, SCHED_FIFO, 3) != -1 || errno != EPERM)
		return 7;   /* changing policy needs a limit above 0 */
	if (setscheduler(0, SCHED_OTHER, 0) != 0 || getscheduler(0) != SCHED_OTHER)
		return 8;
	if (setscheduler(0, SCHED_RR, 1) != -1 || errno != EPERM)
		return 9;
	return 0;
}

GTEST(rlimit_rtprio_lets_unprivileged_use_realtime)
{
	if (getuid() != 0)
		SKIP("needs root to drop to another user");
	set_sched_limits(0, 10);
	CHECK_EQ(as_nobody(limited_rt_rules), 0);
}

GTEST(rr_interval_per_policy)
{
	struct timespec ts;
	CHECK(sched_rr_get_interval(0, &ts) == 0);
	long long ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	/* a fair task's slice in whole ticks: 0 on Linux 6.6+, whose slices are shorter */
	CHECK(ns >= 0 && ns <= 1000000000LL, "SCHED_OTHER: %lld ns", ns);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, 999999, &ts), ESRCH);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, 0, (void *)8), EFAULT);
	if (getuid() != 0)
		SKIP("real-time policies need root");
	CHECK(setscheduler(0, SCHED_RR, 1) == 0);
	CHECK(sched_rr_get_interval(0, &ts) == 0);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 100000000, "SCHED_RR: %ld ns", ts.tv_nsec);
	CHECK(setscheduler(0, SCHED_FIFO, 1) == 0);
	CHECK(sched_rr_get_interval(0, &ts) == 0);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0, "SCHED_FIFO: %ld ns", ts.tv_nsec);
	CHECK(setscheduler(0, SCHED_OTHER, 0) == 0);
}

GTEST(proc_shows_policy_priority_and_cpu)
{
	if (getuid() != 0)
		SKIP("real-time policies need root");
	CHECK(setscheduler(0, SCHED_FIFO, 30) == 0);
	CHECK_EQ(stat_field(18), -31);   /* priority: -1 - rt_priority */
	CHECK_EQ(stat_field(40), 30);    /* rt_priority */
	CHECK_EQ(stat_field(41), SCHED_FIFO);
	unsigned cpu = 0;
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	CHECK_EQ(stat_field(39), cpu);   /* processor (we hold it: FIFO, nothing else runs) */
	char buf[4096];
	FILE *f = fopen("/proc/self/sched", "r");
	CHECK(f != NULL);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	CHECK(strstr(buf, "policy") && strstr(buf, "nr_voluntary_switches"), "%s", buf);
	char *prio = strstr(buf, "\nprio");
	CHECK(prio && strtol(strchr(prio, ':') + 1, NULL, 10) == 69, "%s", buf);   /* 99 - 30 */
	CHECK(setscheduler(0, SCHED_OTHER, 0) == 0);
	f = fopen("/proc/self/status", "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	CHECK(strstr(buf, "\nCpus_allowed_list:\t") && strstr(buf, "\nvoluntary_ctxt_switches:\t"), "%s", buf);
}

/* ---- affinity ---- */

static unsigned current_cpu(void)
{
	unsigned cpu = 0;
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	return cpu;
}

GTEST(setaffinity_moves_the_caller_at_once)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (int target = ncpu - 1; target >= 0; target--) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(target, &set);
		CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
		for (int i = 0; i < 1000; i++)
			CHECK_EQ(current_cpu(), target);
		CPU_ZERO(&set);
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
		CHECK_EQ(CPU_COUNT(&set), 1);
		CHECK(CPU_ISSET(target, &set));
	}
}

GTEST(affinity_inherited_by_fork_and_threads)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
	pid_t pid = xfork();
	if (pid == 0) {
		cpu_set_t got;
		CPU_ZERO(&got);
		sched_getaffinity(0, sizeof(got), &got);
		_exit(CPU_COUNT(&got) == 1 && CPU_ISSET(0, &got) && current_cpu() == 0 ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(affinity_errors_as_linux)
{
	uint64_t mask = 1UL << 63;   /* no such CPU */
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(mask), &mask), EINVAL);
	mask = 0;
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(mask), &mask), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(mask), (void *)8), EFAULT);
	mask = 1;
	CHECK_ERR(syscall(SYS_sched_setaffinity, 999999, sizeof(mask), &mask), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &mask), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 12, &mask), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 999999, 8, &mask), ESRCH);
	CHECK_EQ(syscall(SYS_sched_getaffinity, 0, 8, &mask), 8);
	CHECK(mask & 1);
}
