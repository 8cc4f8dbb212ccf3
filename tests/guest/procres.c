/* procres.c - how processes share and rank their resources, as Linux
 * reports it: kcmp(2) of every type, ioprio_get and ioprio_set,
 * membarrier(2), setns without namespaces, and that /proc/config.gz
 * matches the calls (Aspen-only). Run as root (natively too). */
#include "procattr.h"

/* ---- kcmp ---- */

static long kcmp(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2)
{
	return syscall(SYS_kcmp, a, b, type, i1, i2);
}

/* kcmp in both directions: 0 both ways, or 1 one way and 2 the other. */
static long kcmp2(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2)
{
	long x = kcmp(a, b, type, i1, i2), y = kcmp(b, a, type, i2, i1);
	CHECK(x >= 0 && x <= 2 && (x == 0 ? y == 0 : x + y == 3), "type %d: %ld then %ld (%s)", type, x, y,
	      strerror(errno));
	return x;
}

/* A child blocked until its end of fds[1] closes. */
static pid_t parked_child(int fds[2])
{
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		read(fds[0], &c, 1);
		_exit(0);
	}
	return pid;
}

static void *park_thread(void *arg)
{
	char c;
	read(*(int *)arg, &c, 1);
	return NULL;
}

GTEST(kcmp_resources_of_self_child_and_thread)
{
	pid_t me = getpid();
	int fds[2], tfds[2];
	for (int t = KCMP_VM; t <= KCMP_SYSVSEM; t++)
		CHECK_EQ(kcmp2(me, me, t, 0, 0), 0);
	pid_t child = parked_child(fds);
	CHECK(kcmp2(me, child, KCMP_VM, 0, 0) != 0);
	CHECK(kcmp2(me, child, KCMP_FILES, 0, 0) != 0);
	CHECK(kcmp2(me, child, KCMP_FS, 0, 0) != 0);
	CHECK(kcmp2(me, child, KCMP_SIGHAND, 0, 0) != 0);
	CHECK_EQ(kcmp2(me, child, KCMP_SYSVSEM, 0, 0), 0);   /* neither has a SEM_UNDO list */
	CHECK_EQ(kcmp2(me, child, KCMP_FILE, fds[0], fds[0]), 0);   /* inherited: one description */
	close(fds[1]);
	CHECK_EXITED(wait_status(child), 0);
	pthread_t th;
	CHECK_EQ(pipe(tfds), 0);
	CHECK_EQ(pthread_create(&th, NULL, park_thread, &tfds[0]), 0);
	pid_t tid = -1;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != me)
			tid = atoi(e->d_name);
	closedir(d);
	CHECK(tid > 0);
	for (int t = KCMP_VM; t <= KCMP_SIGHAND; t++)
		CHECK_EQ(kcmp2(me, tid, t, 0, 0), 0);
	close(tfds[1]);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

GTEST(kcmp_file_descriptions)
{
	pid_t me = getpid();
	int a = open("/proc/self/exe", O_RDONLY), b = open("/proc/self/exe", O_RDONLY), c = dup(a);
	CHECK(a >= 0 && b >= 0 && c >= 0);
	CHECK_EQ(kcmp2(me, me, KCMP_FILE, a, c), 0);
	CHECK(kcmp2(me, me, KCMP_FILE, a, b) != 0);
	CHECK_ERR(kcmp(me, me, KCMP_FILE, a, 999), EBADF);
	CHECK_ERR(kcmp(me, me, KCMP_FILE, 999, a), EBADF);
	close(a), close(b), close(c);
}

GTEST(kcmp_epoll_target)
{
	pid_t me = getpid();
	int p[2], ep = epoll_create1(0);
	CHECK(ep >= 0);
	CHECK_EQ(pipe(p), 0);
	struct epoll_event ev = { .events = EPOLLIN };
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	struct kcmp_epoll_slot slot = { .efd = ep, .tfd = p[0], .toff = 0 };
	CHECK_EQ(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), 0);
	long r = kcmp(me, me, KCMP_EPOLL_TFD, p[1], (unsigned long)&slot);
	CHECK(r == 1 || r == 2, "%ld", r);
	slot.toff = 1;
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), ENOENT);
	slot.toff = 0, slot.tfd = p[1];
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), ENOENT);
	slot.efd = p[1];
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), EINVAL);
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)BAD_PTR), EFAULT);
	slot.efd = 999;
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), EBADF);
	close(ep), close(p[0]), close(p[1]);
}

GTEST(kcmp_errors)
{
	pid_t me = getpid();
	CHECK_ERR(kcmp(me, me, KCMP_TYPES, 0, 0), EINVAL);
	CHECK_ERR(kcmp(me, me, -1, 0, 0), EINVAL);
	CHECK_ERR(kcmp(me, NO_PID, KCMP_VM, 0, 0), ESRCH);
	CHECK_ERR(kcmp(NO_PID, me, KCMP_VM, 0, 0), ESRCH);
	if (geteuid() != 0)
		return;
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(setresuid(65534, 65534, 65534), 0);
		CHECK_ERR(kcmp(getpid(), getppid(), KCMP_VM, 0, 0), EPERM);   /* no ptrace access to root */
		CHECK(kcmp(getpid(), getpid(), KCMP_VM, 0, 0) == 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- ioprio ---- */

static long ioprio_get(int which, int who)
{
	return syscall(SYS_ioprio_get, which, who);
}

static long ioprio_set(int which, int who, int prio)
{
	return syscall(SYS_ioprio_set, which, who, prio);
}

GTEST(ioprio_classes_levels_and_errors)
{
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(BE, 5)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(BE, 5));
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, getpid()), IOPRIO(BE, 5));
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IDLE, 7)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(IDLE, 7));
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, 0x10000 | IOPRIO(BE, 3)), 0);   /* 16 bits kept */
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(BE, 3));
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 1)), EINVAL);
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(4, 0)), EINVAL);
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(7, 0)), EINVAL);
	CHECK_ERR(ioprio_set(4, 0, IOPRIO(BE, 3)), EINVAL);
	CHECK_ERR(ioprio_get(4, 0), EINVAL);
	CHECK_ERR(ioprio_get(IOPRIO_WHO_PROCESS, NO_PID), ESRCH);
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, NO_PID, IOPRIO(BE, 3)), ESRCH);
	CHECK_ERR(ioprio_get(IOPRIO_WHO_PGRP, NO_PID), ESRCH);
	CHECK_ERR(ioprio_get(IOPRIO_WHO_USER, 54321), ESRCH);
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 0)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), 0);
}

GTEST(ioprio_inherited_and_permissions)
{
	if (geteuid() != 0)
		SKIP("needs root");
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(RT, 2)), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(RT, 2));
		CHECK_EQ(setresuid(54321, 54321, 54321), 0);
		CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(BE, 1)), 0);
		CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(RT, 1)), EPERM);
		CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IDLE, 0)), 0);
		CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, getppid()), IOPRIO(RT, 2));
		CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, getppid(), IOPRIO(BE, 1)), EPERM);
		CHECK_EQ(ioprio_set(IOPRIO_WHO_USER, 54321, IOPRIO(BE, 6)), 0);
		CHECK_EQ(ioprio_get(IOPRIO_WHO_USER, 54321), IOPRIO(BE, 6));
		CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(BE, 6));
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, 0), 0);
}

GTEST(ioprio_process_group_best)
{
	int fds[2];
	CHECK_EQ(setpgid(0, 0), 0);   /* a group of its own */
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PGRP, 0, IOPRIO(BE, 6)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PGRP, 0), IOPRIO(BE, 6));   /* one member: its own */
	pid_t child = parked_child(fds);
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, child, IOPRIO(BE, 3)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PGRP, getpgrp()), IOPRIO(BE, 3));   /* the best */
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, child, 0), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PGRP, 0), IOPRIO(BE, 4));   /* NONE counts as BE's norm */
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PGRP, 0, IOPRIO(IDLE, 1)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, child), IOPRIO(IDLE, 1));
	close(fds[1]);
	CHECK_EXITED(wait_status(child), 0);
}

/* ---- membarrier ---- */

static long membarrier(int cmd, unsigned flags)
{
	return syscall(SYS_membarrier, cmd, flags, 0);
}

GTEST(membarrier_query_and_errors)
{
	long mask = membarrier(MEMBARRIER_CMD_QUERY, 0);
	CHECK((mask & 0x7f) == 0x7f, "query %#lx", mask);
	if (on_aspen())
		CHECK_EQ(mask, 0x27f);   /* no rseq: Linux without CONFIG_RSEQ */
	CHECK_ERR(membarrier(MEMBARRIER_CMD_QUERY, 1), EINVAL);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 1), EINVAL);
	CHECK_ERR(membarrier(1 << 20, 0), EINVAL);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GLOBAL, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0), 0);
	if (on_aspen())
		CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0), EINVAL);
}

GTEST(membarrier_private_needs_registering)
{
	char out[256];
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS, 0), 0);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), EPERM);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0), EPERM);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0), 0);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), EPERM);   /* its own READY */
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS, 0),
		 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS, 0), 0x54);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0 ? 0 : 1);   /* fork keeps it */
	CHECK_EXITED(wait_status(pid), 0);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "mb=0 ") != NULL, "a new program's mm has none: %s", out);
}

static volatile int spin_stop;

static void *spinner(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
		;
	return NULL;
}

/* On two CPUs the other thread runs the mm: the barriers interrupt it. */
GTEST(membarrier_with_a_running_thread)
{
	pthread_t th;
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0), 0);
	CHECK_EQ(pthread_create(&th, NULL, spinner, NULL), 0);
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), 0);
		CHECK_EQ(membarrier(i % 5 ? MEMBARRIER_CMD_GLOBAL_EXPEDITED : MEMBARRIER_CMD_GLOBAL, 0), 0);
	}
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

/* ---- setns ---- */

GTEST(setns_without_namespace_files)
{
	int fd = open("/", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(syscall(SYS_setns, fd, 0), EINVAL);
	CHECK_ERR(syscall(SYS_setns, -1, 0), EBADF);
	close(fd);
}

/* ---- /proc/config.gz tells the truth (Aspen only: this host has none) ----
 * Each option beside a call that exists only with it: ENOSYS exactly
 * when the option is unset. Arguments are invalid on purpose. */

struct probe {
	const char *option;
	long nr;
	long a1, a2, a3;
};

static const struct probe probes[] = {
	{ "EPOLL", SYS_epoll_create1, -1, 0, 0 },
	{ "SIGNALFD", SYS_signalfd4, -1, 0, 0 },
	{ "EVENTFD", SYS_eventfd2, 0, -1, 0 },
	{ "TIMERFD", SYS_timerfd_create, -1, 0, 0 },
	{ "MEMFD_CREATE", SYS_memfd_create, 0, -1, 0 },
	{ "MEMBARRIER", SYS_membarrier, -1, 0, 0 },
	{ "KCMP", SYS_kcmp, NO_PID, NO_PID, 0 },
	{ "NET", SYS_socket, -1, 0, 0 },
	{ "POSIX_MQUEUE", SYS_mq_open, 0, 0, 0 },
	{ "AIO", SYS_io_setup, 0, 0, 0 },
	{ "IO_URING", SYS_io_uring_setup, 0, 0, 0 },
	{ "BPF_SYSCALL", SYS_bpf, -1, 0, 0 },
	{ "USERFAULTFD", SYS_userfaultfd, -1, 0, 0 },
	{ "PERF_EVENTS", SYS_perf_event_open, 0, 0, 0 },
	{ "SECCOMP", SYS_seccomp, -1, 0, 0 },
	{ "FANOTIFY", SYS_fanotify_init, -1, 0, 0 },
	{ "CROSS_MEMORY_ATTACH", SYS_process_vm_readv, NO_PID, 0, 0 },
	{ "ADVISE_SYSCALLS", SYS_madvise, 1, 0, -1 },
};

GTEST(config_gz_matches_the_calls)
{
	ASPEN_ONLY();
	static char text[1 << 20];
	char *argv[] = { "zcat", "/proc/config.gz", NULL };
	CHECK_EXITED(run_output("zcat", argv, text, sizeof(text)), 0);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		char on[64], off[80];
		snprintf(on, sizeof(on), "\nCONFIG_%s=y\n", p->option);
		snprintf(off, sizeof(off), "\n# CONFIG_%s is not set\n", p->option);
		bool says_on = strstr(text, on) != NULL, says_off = strstr(text, off) != NULL;
		errno = 0;
		long r = syscall(p->nr, p->a1, p->a2, p->a3, 0, 0, 0);
		bool there = !(r == -1 && errno == ENOSYS);
		CHECK(says_on != says_off, "CONFIG_%s: on %d off %d", p->option, says_on, says_off);
		CHECK(says_on == there, "CONFIG_%s says %s, the call returned %ld (%s)", p->option,
		      says_on ? "y" : "unset", r, strerror(errno));
	}
}
