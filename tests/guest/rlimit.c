/*
 * rlimit.c - resource limits as Linux enforces them: setrlimit's and
 * prlimit64's rules (soft within hard, raising needs CAP_SYS_RESOURCE,
 * another process only by its own user), /proc/PID/limits, and each
 * limit where it bites: NOFILE (EMFILE), NPROC (fork EAGAIN, and execve
 * after a set*uid), AS and DATA (mmap, brk, mremap ENOMEM), FSIZE
 * (short write, then SIGXFSZ and EFBIG), SIGPENDING (sigqueue EAGAIN),
 * MEMLOCK (EPERM, ENOMEM), MSGQUEUE (mq_open EMFILE), STACK (SIGSEGV),
 * CPU (SIGXCPU, then SIGKILL).
 *
 * Every limit is set in a forked child. Users counted by NPROC and
 * SIGPENDING are uids nothing else on a host uses (54321...).
 */
// GUEST: glibc
#include "gtest_cred.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <poll.h>
#include <mqueue.h>

#define LONELY_UID 54321

static void set_limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit r = { soft, hard };
	CHECK(setrlimit(resource, &r) == 0, "setrlimit(%d, %lu, %lu): %s", resource,
	      (unsigned long)soft, (unsigned long)hard, strerror(errno));
}

/* Run body in a forked child; its wait status. */
#define CHILD_STATUS(...) ({ \
	pid_t pid_ = xfork(); \
	if (pid_ == 0) { __VA_ARGS__; _exit(0); } \
	wait_status(pid_); })
/* The same; the test fails if the child does. */
#define IN_CHILD(...) CHECK_EXITED(CHILD_STATUS(__VA_ARGS__), 0)

/* A field of /proc/self/status in kB, as bytes. */
static unsigned long status_bytes(const char *key)
{
	long kb = proc_number("/proc/self/status", key);
	CHECK(kb >= 0, "no %s in status", key);
	return (unsigned long)kb * 1024;
}

static const char *const limit_names[RLIM_NLIMITS] = {
	"Max cpu time", "Max file size", "Max data size", "Max stack size", "Max core file size",
	"Max resident set", "Max processes", "Max open files", "Max locked memory",
	"Max address space", "Max file locks", "Max pending signals", "Max msgqueue size",
	"Max nice priority", "Max realtime priority", "Max realtime timeout",
};

/* "unlimited" or the number, as /proc/PID/limits prints a value. */
static void limit_text(rlim_t v, char *buf, size_t size)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%lu", (unsigned long)v);
}

GTEST(proc_limits_lists_every_limit_as_getrlimit)
{
	char buf[4096], soft[32], hard[32], want[128];
	IN_CHILD({
		set_limit(RLIMIT_CORE, 12345, RLIM_INFINITY);
		CHECK(read_text("/proc/self/limits", buf, sizeof(buf)) > 0);
		const char *header = "Limit                     Soft Limit           Hard Limit           "
				     "Units     \n";
		CHECK(strncmp(buf, header, strlen(header)) == 0, "header: %.90s", buf);
		for (int r = 0; r < RLIM_NLIMITS; r++) {
			struct rlimit rl;
			CHECK_EQ(getrlimit(r, &rl), 0);
			limit_text(rl.rlim_cur, soft, sizeof(soft));
			limit_text(rl.rlim_max, hard, sizeof(hard));
			snprintf(want, sizeof(want), "\n%-25s %-20s %-20s ", limit_names[r], soft, hard);
			CHECK(strstr(buf, want), "no line \"%s\" in\n%s", want + 1, buf);
		}
		CHECK(strstr(buf, "\nMax core file size        12345                unlimited            bytes     \n"));
	});
}

GTEST(setrlimit_soft_within_hard_and_hard_only_lowers)
{
	IN_CHILD({
		struct rlimit r = { 100, 50 };
		CHECK_ERR(setrlimit(RLIMIT_CORE, &r), EINVAL);
		CHECK_ERR(syscall(SYS_prlimit64, 0, RLIM_NLIMITS, NULL, &r), EINVAL);
		CHECK_ERR(syscall(SYS_getrlimit, 99, &r), EINVAL);
		CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_CORE, (void *)8), EFAULT);
		CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_CORE, (void *)8), EFAULT);
		set_limit(RLIMIT_CORE, 10, 1000);
		set_limit(RLIMIT_CORE, 1000, 1000);           /* soft up to hard: anyone */
		become_nobody();
		set_limit(RLIMIT_CORE, 10, 500);              /* hard down: anyone */
		r = (struct rlimit){ 10, 1000 };
		CHECK_ERR(setrlimit(RLIMIT_CORE, &r), EPERM); /* hard up: CAP_SYS_RESOURCE */
		r = (struct rlimit){ 600, 600 };
		CHECK_ERR(setrlimit(RLIMIT_CORE, &r), EPERM);
		CHECK_EQ(getrlimit(RLIMIT_CORE, &r), 0);
		CHECK(r.rlim_cur == 10 && r.rlim_max == 500, "%lu %lu", (unsigned long)r.rlim_cur,
		      (unsigned long)r.rlim_max);
	});
	IN_CHILD({                                           /* even root: NOFILE below fs.nr_open */
		long nr_open = read_long("/proc/sys/fs/nr_open");
		struct rlimit r = { 64, (rlim_t)nr_open + 1 };
		CHECK_ERR(setrlimit(RLIMIT_NOFILE, &r), EPERM);
	});
}

GTEST(prlimit_on_another_process_needs_its_user)
{
	int fds[2];
	char c;
	CHECK_EQ(pipe(fds), 0);
	pid_t target = xfork();                          /* our own user's */
	if (target == 0) {
		write(fds[1], "r", 1);
		pause();
		_exit(0);
	}
	CHECK_EQ(read(fds[0], &c, 1), 1);
	struct rlimit new = { 77, 88 }, old;
	int ok = prlimit(target, RLIMIT_CORE, &new, &old);      /* same ids: no capability needed */
	int ok2 = prlimit(target, RLIMIT_CORE, NULL, &old);
	int other = 0;
	if (geteuid() == 0) {
		other = CHILD_STATUS({
			CHECK_EQ(setresgid(LONELY_UID, LONELY_UID, LONELY_UID), 0);
			CHECK_EQ(setresuid(LONELY_UID + 1, LONELY_UID + 1, LONELY_UID + 1), 0);
			CHECK_ERR(prlimit(target, RLIMIT_CORE, NULL, &old), EPERM);
		});
	}
	int gone = prlimit(0x7ffffff0, RLIMIT_CORE, NULL, &old), gone_errno = errno;
	kill(target, SIGKILL);
	wait_status(target);
	CHECK_EXITED(other, 0);
	CHECK_EQ(ok, 0);
	CHECK_EQ(ok2, 0);
	CHECK(old.rlim_cur == 77 && old.rlim_max == 88, "%lu %lu", (unsigned long)old.rlim_cur,
	      (unsigned long)old.rlim_max);
	CHECK(gone == -1 && gone_errno == ESRCH);
}

GTEST(nofile_limit_gives_emfile_and_bounds_dup)
{
	IN_CHILD({
		set_limit(RLIMIT_NOFILE, 10, 10);
		int fd;
		while ((fd = open("/dev/null", O_RDONLY)) >= 0)
			CHECK(fd < 10, "fd %d past the limit", fd);
		CHECK_EQ(errno, EMFILE);
		CHECK_ERR(dup(0), EMFILE);
		CHECK_ERR(dup2(0, 10), EBADF);
		CHECK_ERR(fcntl(0, F_DUPFD, 10), EINVAL);
		struct pollfd p[11];
		memset(p, 0, sizeof(p));
		for (int i = 0; i < 11; i++)
			p[i].fd = -1;
		CHECK_ERR(poll(p, 11, 0), EINVAL);
		CHECK_EQ(poll(p, 10, 0), 0);
		close(5);
		CHECK_EQ(dup(0), 5);
	});
}

/* A child of uid that sleeps until killed; returns its pid. */
static pid_t sleeper_as(uid_t uid)
{
	int fds[2];
	char c;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setresuid(uid, uid, uid) != 0)
			_exit(1);
		write(fds[1], "r", 1);
		pause();
		_exit(0);
	}
	CHECK_EQ(read(fds[0], &c, 1), 1);
	close(fds[0]);
	close(fds[1]);
	return pid;
}

GTEST(nproc_limit_fails_fork_with_eagain)
{
	if (geteuid() != 0)
		SKIP("needs root to use a fresh uid");
	IN_CHILD({
		set_limit(RLIMIT_NPROC, 3, 3);
		CHECK_EQ(setresuid(LONELY_UID, LONELY_UID, LONELY_UID), 0);
		pid_t a = xfork();
		if (a == 0) { pause(); _exit(0); }
		pid_t b = xfork();
		if (b == 0) { pause(); _exit(0); }
		pid_t c3 = fork();                           /* ourselves and two children: no more */
		if (c3 == 0)
			_exit(0);
		int e = errno;
		kill(a, SIGKILL);
		if (c3 > 0)
			wait_status(c3);
		CHECK(c3 == -1 && e == EAGAIN, "fork gave %d: %s", c3, strerror(e));
		kill(b, SIGKILL);
		wait_status(b);
		pid_t c = xfork();                           /* room again */
		if (c == 0)
			_exit(0);
		CHECK_EXITED(wait_status(c), 0);
		wait_status(a);
	});
	IN_CHILD({                                           /* root itself is not limited */
		set_limit(RLIMIT_NPROC, 1, 1);
		pid_t c = xfork();
		if (c == 0)
			_exit(0);
		CHECK_EXITED(wait_status(c), 0);
	});
}

GTEST(nproc_exceeded_by_setuid_fails_the_next_execve)
{
	if (geteuid() != 0)
		SKIP("needs root to use a fresh uid");
	pid_t s1 = sleeper_as(LONELY_UID + 2), s2 = sleeper_as(LONELY_UID + 2);
	int st = CHILD_STATUS({
		set_limit(RLIMIT_NPROC, 2, 2);
		CHECK_EQ(setuid(LONELY_UID + 2), 0);         /* not refused here... */
		execl("/bin/true", "true", NULL);
		CHECK_EQ(errno, EAGAIN);                     /* ... but at execve */
	});
	kill(s1, SIGKILL);
	kill(s2, SIGKILL);
	wait_status(s1);
	wait_status(s2);
	CHECK_EXITED(st, 0);
}

GTEST(as_limit_refuses_mmap_and_mremap_growth)
{
	IN_CHILD({
		unsigned long vm = status_bytes("VmSize:");
		set_limit(RLIMIT_AS, vm + (4 << 20), RLIM_INFINITY);
		void *p = mmap(NULL, 2 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(p != MAP_FAILED, "2 MiB under the limit: %s", strerror(errno));
		CHECK(mmap(NULL, 8 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
		      errno == ENOMEM, "8 MiB past it: %s", strerror(errno));
		CHECK(mremap(p, 2 << 20, 16 << 20, MREMAP_MAYMOVE) == MAP_FAILED && errno == ENOMEM);
		CHECK_EQ(munmap(p, 2 << 20), 0);
	});
}

GTEST(data_limit_counts_private_writable_memory_and_brk)
{
	IN_CHILD({
		unsigned long data = status_bytes("VmData:");
		set_limit(RLIMIT_DATA, data + (4 << 20), RLIM_INFINITY);
		void *ro = mmap(NULL, 16 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(ro != MAP_FAILED, "read-only is not data: %s", strerror(errno));
		void *sh = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		CHECK(sh != MAP_FAILED, "shared is not data: %s", strerror(errno));
		CHECK(mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		      MAP_FAILED && errno == ENOMEM, "private writable 16 MiB: %s", strerror(errno));
		void *brk0 = sbrk(0);
		CHECK(sbrk(16 << 20) == (void *)-1 && errno == ENOMEM);
		CHECK(sbrk(0) == brk0);
	});
}

static volatile sig_atomic_t xfsz_seen;
static void on_xfsz(int sig) { xfsz_seen++; }

GTEST(fsize_limit_short_write_then_sigxfsz_efbig)
{
	IN_CHILD({
		signal(SIGXFSZ, on_xfsz);
		set_limit(RLIMIT_FSIZE, 1000, RLIM_INFINITY);
		int fd = open("/tmp/rlimit-fsize", O_CREAT | O_RDWR | O_TRUNC, 0600);
		CHECK(fd >= 0);
		char buf[2000];
		memset(buf, 'f', sizeof(buf));
		CHECK_EQ(write(fd, buf, sizeof(buf)), 1000);   /* cut at the limit, no signal */
		CHECK_EQ(xfsz_seen, 0);
		CHECK_ERR(write(fd, buf, 1), EFBIG);
		CHECK_EQ(xfsz_seen, 1);
		CHECK_ERR(ftruncate(fd, 2000), EFBIG);
		CHECK_EQ(xfsz_seen, 2);
		CHECK_EQ(ftruncate(fd, 500), 0);               /* shrinking is fine */
		CHECK_EQ(pwrite(fd, buf, 10, 990), 10);
		int p[2];
		CHECK_EQ(pipe(p), 0);                           /* pipes have no size */
		CHECK_EQ(write(p[1], buf, sizeof(buf)), (ssize_t)sizeof(buf));
		close(fd);
		unlink("/tmp/rlimit-fsize");
		signal(SIGXFSZ, SIG_DFL);
		fd = open("/tmp/rlimit-fsize2", O_CREAT | O_WRONLY | O_TRUNC, 0600);
		pid_t pid = xfork();
		if (pid == 0) {
			lseek(fd, 1000, SEEK_SET);
			write(fd, "x", 1);                      /* SIGXFSZ's default: core */
			_exit(0);
		}
		CHECK_SIGNALED(wait_status(pid), SIGXFSZ);
		unlink("/tmp/rlimit-fsize2");
	});
}

/* Become uid, a user with no other process, allowed 4 pending queued
 * signals, with SIGRTMIN blocked. */
static void four_pending_signals_as(uid_t uid)
{
	CHECK_EQ(setresuid(uid, uid, uid), 0);
	set_limit(RLIMIT_SIGPENDING, 4, 4);
	block_signal(SIGRTMIN);
}

GTEST(sigpending_limit_refuses_queued_signals)
{
	if (geteuid() != 0)
		SKIP("needs root to use a fresh uid");
	IN_CHILD({
		four_pending_signals_as(LONELY_UID + 3);
		block_signal(SIGUSR1);
		sigset_t set = sigset_of(SIGRTMIN);
		sigaddset(&set, SIGUSR1);
		for (int i = 0; i < 4; i++)
			CHECK(sigqueue(getpid(), SIGRTMIN, (union sigval){ i }) == 0, "sigqueue %d: %s", i,
			      strerror(errno));
		CHECK_ERR(sigqueue(getpid(), SIGRTMIN, (union sigval){ 9 }), EAGAIN);
		CHECK_EQ(kill(getpid(), SIGUSR1), 0);         /* kill's signals are not refused */
		siginfo_t si;
		struct timespec zero = { 0, 0 };
		CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGUSR1);
		CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGRTMIN);
		CHECK_EQ(si.si_value.sival_int, 0);
		CHECK_EQ(sigqueue(getpid(), SIGRTMIN, (union sigval){ 5 }), 0);   /* room again */
	});
}

GTEST(sigpending_counts_every_process_of_the_user)
{
	if (geteuid() != 0)
		SKIP("needs root to use a fresh uid");
	IN_CHILD({
		four_pending_signals_as(LONELY_UID + 5);
		for (int i = 0; i < 3; i++)
			CHECK_EQ(sigqueue(getpid(), SIGRTMIN, (union sigval){ i }), 0);
		pid_t other = xfork();
		if (other == 0) {
			for (;;)
				pause();
		}
		/* 3 queued here and 1 there: the user's 4 */
		CHECK_EQ(sigqueue(other, SIGRTMIN, (union sigval){ 3 }), 0);
		int r = sigqueue(other, SIGRTMIN, (union sigval){ 4 }), e = errno;
		kill(other, SIGKILL);
		CHECK_SIGNALED(wait_status(other), SIGKILL);
		CHECK(r == -1 && e == EAGAIN, "a 5th signal of the user: %d %s", r, strerror(e));
		CHECK_EQ(sigqueue(getpid(), SIGRTMIN, (union sigval){ 5 }), 0);   /* the other one took its own */
	});
}

/* mq_open of a queue of maxmsg messages of msgsize bytes. */
static mqd_t mq_create(const char *name, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	return mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
}

GTEST(msgqueue_limit_counts_the_users_queues)
{
	if (geteuid() != 0)
		SKIP("needs root to use a fresh uid");
	IN_CHILD({
		CHECK_EQ(setresuid(LONELY_UID + 4, LONELY_UID + 4, LONELY_UID + 4), 0);
		/* 2 messages of 8 KiB: 16 KiB and Linux's bookkeeping (< 1 KiB) */
		set_limit(RLIMIT_MSGQUEUE, 20000, 20000);
		mqd_t a = mq_create("/rlimit_mq_a", 2, 8192);
		CHECK(a != (mqd_t)-1, "mq_open: %s", strerror(errno));
		mqd_t b = mq_create("/rlimit_mq_b", 2, 8192);
		int e = errno;
		mq_unlink("/rlimit_mq_b");
		CHECK(b == (mqd_t)-1 && e == EMFILE, "second queue: %s", strerror(e));
		CHECK(mq_create("/rlimit_mq_c", 1, 1024) != (mqd_t)-1, "a small one fits: %s",
		      strerror(errno));
		CHECK_EQ(mq_unlink("/rlimit_mq_c"), 0);
		CHECK_EQ(mq_unlink("/rlimit_mq_a"), 0);
		b = mq_create("/rlimit_mq_b", 2, 8192);         /* a, unlinked, is still open */
		e = errno;
		mq_unlink("/rlimit_mq_b");
		CHECK(b == (mqd_t)-1 && e == EMFILE, "while a is open: %s", strerror(e));
		CHECK_EQ(mq_close(a), 0);
		b = mq_create("/rlimit_mq_b", 2, 8192);
		CHECK(b != (mqd_t)-1, "once a is gone: %s", strerror(errno));
		CHECK_EQ(mq_unlink("/rlimit_mq_b"), 0);
	});
}

GTEST(memlock_limit_eperm_at_zero_enomem_past_it)
{
	if (geteuid() != 0)
		SKIP("needs root to drop CAP_IPC_LOCK");
	IN_CHILD({
		char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(p != MAP_FAILED);
		set_limit(RLIMIT_MEMLOCK, 0, 8192);
		become_nobody();
		CHECK_ERR(mlock(p, 4096), EPERM);
		set_limit(RLIMIT_MEMLOCK, 8192, 8192);
		CHECK_EQ(mlock(p, 8192), 0);
		CHECK_ERR(mlock(p + 8192, 4096), ENOMEM);
		CHECK_ERR(mlockall(MCL_CURRENT), ENOMEM);
		CHECK_EQ(munlock(p, 8192), 0);
	});
}

static int recurse(int depth)
{
	volatile char pad[4096];
	pad[0] = (char)depth;
	return depth ? recurse(depth - 1) + pad[0] : 0;
}

GTEST(stack_limit_ends_deep_recursion_with_sigsegv)
{
	pid_t pid = xfork();
	if (pid == 0) {
		set_limit(RLIMIT_STACK, 1 << 20, RLIM_INFINITY);
		recurse(1024);                                  /* 4 MiB of frames */
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
}

static volatile sig_atomic_t xcpu_seen;
static volatile rlim_t soft_at_xcpu;
static void on_xcpu(int sig)
{
	struct rlimit r;
	getrlimit(RLIMIT_CPU, &r);
	soft_at_xcpu = r.rlim_cur;
	xcpu_seen++;
}

/* One second of CPU past the soft limit brings SIGXCPU (and the soft
 * limit moves a second on), the hard limit SIGKILL. */
GTEST_SLOW(cpu_limit_sigxcpu_then_sigkill, 90)
{
	volatile int *seen = shared_map(4096);
	pid_t pid = xfork();
	if (pid == 0) {
		signal(SIGXCPU, on_xcpu);
		set_limit(RLIMIT_CPU, 1, 2);
		for (;;) {
			seen[0] = xcpu_seen;
			seen[1] = (int)soft_at_xcpu;
		}
	}
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
	CHECK(seen[0] >= 1, "SIGXCPU seen %d times", seen[0]);
	CHECK_EQ(seen[1], 2);
}
