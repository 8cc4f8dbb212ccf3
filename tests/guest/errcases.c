/*
 * errcases.c - error cases where programs written for Linux expect
 * Linux's exact answer: arch_prctl's CPUID controls, clone3's argument
 * checks (EFAULT for bad pointers), mmap's checks in Linux's order
 * (EBADF and EINVAL before EACCES), waitpid(INT_MIN), madvise with unknown advice, SA_RESETHAND
 * keeping the other flags, ETXTBSY for a running or written program, an
 * empty argv (argc 1, argv[0] ""), pipe2's O_DIRECT packet mode, and
 * huge pages failing as in a Linux without them.
 * (clock_nanosleep on clocks that cannot sleep: timers.c.)
 *
 * The program re-executes itself: with ERRCASES_HELPER in its
 * environment a constructor checks what it was given and exits.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include <asm/prctl.h>

#ifndef ARCH_GET_CPUID
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012
#endif

/* ---- the helper side ---- */

/* empty_argv: exit 0 when started with argc 1 and argv[0] "" (from an
 * empty argv); wait_eof: read stdin to its end, then exit 0. */
__attribute__((constructor)) static void errcases_helper(void)
{
	const char *mode = getenv("ERRCASES_HELPER");
	int argc;

	if (!mode)
		return;
	char **argv = initial_argv(&argc);
	if (strcmp(mode, "empty_argv") == 0)
		_exit(argc == 1 && argv[0] && argv[0][0] == 0 && !argv[1] ? 0 : 10 + argc);
	if (strcmp(mode, "wait_eof") == 0) {
		char c;
		while (read(0, &c, 1) > 0)
			;
		_exit(0);
	}
	_exit(99);
}

/* ---- the test side ---- */

GTEST(arch_prctl_cpuid_enabled_and_faulting_absent_or_working)
{
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
	long r = syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
	if (r < 0) {
		/* no CPUID faulting: ENODEV whatever is asked */
		CHECK_EQ(errno, ENODEV);
		CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0), ENODEV);
	} else {
		CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0), 0);
		CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 0);
		CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1), 0);
	}
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
	CHECK_ERR(syscall(SYS_arch_prctl, 0x1fff, 0), EINVAL);
}

/* clone3 with args; a created child exits at once and is reaped. */
static long clone3_reaped(struct clone_args *a, size_t size)
{
	long r = syscall(SYS_clone3, a, size);

	if (r == 0)
		_exit(0);
	if (r > 0)
		CHECK_EXITED(wait_status((pid_t)r), 0);
	return r;
}

GTEST(clone3_checks_its_arguments_efault_for_bad_pointers)
{
	struct clone_args a = { .exit_signal = SIGCHLD };

	CHECK_ERR(syscall(SYS_clone3, NULL, sizeof(a)), EFAULT);
	CHECK_ERR(syscall(SYS_clone3, (void *)1, sizeof(a)), EFAULT);
	CHECK_ERR(syscall(SYS_clone3, &a, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone3, &a, CLONE_ARGS_SIZE_VER0 - 1), EINVAL);

	/* a larger structure whose tail runs into an unmapped page */
	char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(pg != MAP_FAILED);
	CHECK_EQ(munmap(pg + 4096, 4096), 0);
	struct clone_args *edge = (struct clone_args *)(pg + 4096 - sizeof(a));
	*edge = a;
	CHECK_ERR(syscall(SYS_clone3, edge, sizeof(a) + 8), EFAULT);
	CHECK_EQ(munmap(pg, 4096), 0);

	struct clone_args b = a;
	b.flags = CLONE_PIDFD;                  /* pidfd pointer NULL */
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EFAULT);
	b.pidfd = 8;
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EFAULT);
	b = a;
	b.set_tid = 8;                          /* read before any other check */
	b.set_tid_size = 1;
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EFAULT);
	b = a;
	b.flags = CLONE_SETTLS;                 /* a non-canonical TLS base */
	b.tls = 0x800000000000ull;
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EPERM);
	b = a;
	b.stack = 0x10000;                      /* a stack without a size */
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EINVAL);
	b = a;
	b.stack_size = 4096;                    /* a size without a stack */
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EINVAL);
	b = a;
	b.exit_signal = 65;
	CHECK_ERR(syscall(SYS_clone3, &b, sizeof(b)), EINVAL);

	/* the parent's TID store is not checked: the child is made */
	b = a;
	b.flags = CLONE_PARENT_SETTID;
	b.parent_tid = 8;
	CHECK(clone3_reaped(&b, sizeof(b)) > 0, "clone3: %s", strerror(errno));
	CHECK(clone3_reaped(&a, sizeof(a)) > 0, "clone3: %s", strerror(errno));
}

GTEST(mmap_checks_arguments_in_linux_order)
{
	const char *wpath = "/tmp/errcases_mmap";
	int ro = open("/proc/self/exe", O_RDONLY);
	int wo = open(wpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int dir = open("/", O_RDONLY);
	const int rw = PROT_READ | PROT_WRITE;

	CHECK(ro >= 0 && wo >= 0 && dir >= 0, "open: %s", strerror(errno));
	CHECK_EQ(unlink(wpath), 0);
	CHECK_EQ(ftruncate(wo, 8192), 0);
	/* an unaligned offset first, before the descriptor */
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 1), EINVAL);
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, 99, 1), EINVAL);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), EINVAL);
	CHECK_ERR(mmap(NULL, 4096, rw, MAP_SHARED, ro, 1), EINVAL);
	/* then the descriptor, before the length or the map type */
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, 0, 99, 0), EBADF);
	CHECK_ERR(mmap(NULL, 0, PROT_READ, 0, -1, 0), EBADF);
	/* then the length, before the file's access */
	CHECK_ERR(mmap(NULL, 0, rw, MAP_SHARED, ro, 0), EINVAL);
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, wo, 0), EINVAL);
	CHECK_ERR(mmap(NULL, -4096ul, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	CHECK_ERR(mmap((void *)0x1001, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, wo, 0), EINVAL);
	/* the map type, before the file's access */
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, 0, wo, 0), EINVAL);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, 0, ro, 0), EINVAL);
	CHECK_ERR(mmap(NULL, 4096, rw, MAP_SHARED_VALIDATE | 0x800000, ro, 0), EOPNOTSUPP);
	/* an offset past what the file's offsets can reach */
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0x7ffffffffffff000l), EOVERFLOW);
	/* and last the access the file was opened with */
	CHECK_ERR(mmap(NULL, 4096, rw, MAP_SHARED, ro, 0), EACCES);
	CHECK_ERR(mmap(NULL, 4096, rw, MAP_SHARED_VALIDATE, ro, 0), EACCES);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
	/* unknown PROT bits and MAP_SHARED|MAP_PRIVATE (MAP_SHARED_VALIDATE) pass */
	void *p = mmap(NULL, 4096, PROT_READ | 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(p, 4096), 0);
	close(ro);
	close(wo);
	close(dir);
}

/* Does /proc/meminfo have a line starting with key? */
static bool meminfo_has(const char *key)
{
	char buf[8192];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	CHECK(n > 0, "read /proc/meminfo: %s", strerror(errno));
	close(fd);
	buf[n] = 0;
	return strstr(buf, key) != NULL;
}

GTEST(huge_pages_absent_as_linux_without_them)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0)
		CHECK_ERR(madvise(p, 4096, MADV_HUGEPAGE), EINVAL);   /* no THP */
	CHECK_EQ(munmap(p, 4096), 0);
	if (meminfo_has("Hugepagesize:"))
		SKIP("this kernel has huge pages");
	CHECK_ERR(mmap(NULL, 2 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0),
		  EINVAL);
	CHECK_ERR(mmap(NULL, 2 << 20, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, 99, 0), EBADF);
	int fd = open("/proc/self/exe", O_RDONLY);
	CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0), EINVAL);
	close(fd);
}

GTEST(waitpid_int_min_is_esrch)
{
	CHECK_ERR(waitpid(INT_MIN, NULL, 0), ESRCH);
	CHECK_ERR(waitpid(INT_MIN + 1, NULL, 0), ECHILD);
	CHECK_ERR(waitpid(INT_MIN, NULL, WNOHANG), ESRCH);
}

GTEST(madvise_unknown_advice_is_einval)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static const int unknown[] = { 5, 6, 7, 99, 100, 999, -1 };

	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK_ERR(madvise(p, 4096, unknown[i]), EINVAL);
	CHECK_EQ(madvise(p, 4096, MADV_NORMAL), 0);
	CHECK_EQ(munmap(p, 4096), 0);
}

static volatile sig_atomic_t resethand_seen;

static void resethand_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	resethand_seen = sig == SIGUSR1 && si->si_signo == SIGUSR1;
}

GTEST(sa_resethand_resets_the_handler_and_keeps_sa_siginfo)
{
	struct sigaction sa = { 0 }, old;

	sa.sa_sigaction = resethand_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK(resethand_seen, "the handler did not run");
	CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
	CHECK(old.sa_handler == SIG_DFL, "handler %p", (void *)old.sa_handler);
	CHECK(old.sa_flags & SA_SIGINFO, "flags %#x", (unsigned)old.sa_flags);
	CHECK(old.sa_flags & SA_RESETHAND, "flags %#x", (unsigned)old.sa_flags);
}

GTEST(running_program_cannot_be_opened_for_writing)
{
	CHECK_ERR(open("/proc/self/exe", O_WRONLY), ETXTBSY);
	CHECK_ERR(open("/proc/self/exe", O_RDWR), ETXTBSY);
	CHECK_ERR(open(gtest_argv[0], O_WRONLY | O_TRUNC), ETXTBSY);
	int fd = open("/proc/self/exe", O_RDONLY);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	close(fd);
}

GTEST(execve_of_a_file_open_for_writing_is_etxtbsy)
{
	const char *path = "/tmp/errcases_copy";
	char *argv[] = { "errcases_copy", "no_such_test", NULL };
	char *envp[] = { "ERRCASES_HELPER=empty_argv", NULL };

	copy_self(path);
	int w = open(path, O_WRONLY);
	CHECK(w >= 0, "open: %s", strerror(errno));
	CHECK_ERR(execve(path, argv, envp), ETXTBSY);
	close(w);

	/* closed, it runs; while it runs, it cannot be opened for writing */
	int fds[2], fence;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork_watching_exec(&fence);
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[1]);
		char *ev[] = { "ERRCASES_HELPER=wait_eof", NULL };
		execve(path, argv, ev);
		_exit(98);
	}
	close(fds[0]);
	wait_exec(fence);
	CHECK_ERR(open(path, O_WRONLY), ETXTBSY);
	close(fds[1]);
	CHECK_EXITED(wait_status(pid), 0);
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0, "open after exit: %s", strerror(errno));
	close(fd);
	CHECK_EQ(unlink(path), 0);
}

GTEST(empty_argv_reaches_the_program_as_argc_1_and_empty_argv0)
{
	char *argv[] = { NULL };
	char *envp[] = { "ERRCASES_HELPER=empty_argv", NULL };
	pid_t pid = xfork();

	if (pid == 0) {
		syscall(SYS_execve, gtest_argv[0], argv, envp);
		_exit(98);
	}
	CHECK_EXITED(wait_status(pid), 0);
	pid = xfork();
	if (pid == 0) {
		syscall(SYS_execve, gtest_argv[0], NULL, envp);
		_exit(98);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(pipe2_o_direct_is_packet_mode)
{
	int fds[2];
	char buf[16];

	CHECK_EQ(pipe2(fds, O_DIRECT), 0);
	CHECK_EQ(fcntl(fds[0], F_GETFL) & O_DIRECT, 0);
	CHECK_EQ(fcntl(fds[1], F_GETFL), O_WRONLY | O_DIRECT);
	CHECK_EQ(write(fds[1], "abc", 3), 3);
	CHECK_EQ(write(fds[1], "de", 2), 2);
	CHECK_EQ(write(fds[1], "fgh", 3), 3);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 3);        /* one packet per read */
	CHECK(memcmp(buf, "abc", 3) == 0);
	CHECK_EQ(read(fds[0], buf, 1), 1);                  /* the rest of "de" is lost */
	CHECK_EQ(buf[0], 'd');
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "fgh", 3) == 0);
	/* F_SETFL turns packet mode off */
	CHECK_EQ(fcntl(fds[1], F_SETFL, 0), 0);
	CHECK_EQ(write(fds[1], "ab", 2), 2);
	CHECK_EQ(write(fds[1], "cd", 2), 2);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 4);
	close(fds[0]);
	close(fds[1]);
}

GTEST(unshare_copies_what_is_shared_and_namespaces_follow_the_config)
{
	int fds[2];

	CHECK_EQ(unshare(0), 0);
	CHECK_ERR(unshare(0x1), EINVAL);                   /* not a clone flag unshare knows */
	CHECK_EQ(unshare(CLONE_FILES | CLONE_FS | CLONE_SYSVSEM), 0);
	CHECK_EQ(unshare(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM), 0);   /* one thread: nothing */
	/* a child sharing the table (CLONE_FILES) leaves it with unshare */
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		if (unshare(CLONE_FILES) != 0)
			_exit(1);
		close(fds[0]);                          /* closes the child's copy only */
		_exit(0);
	}
	CHECK(pid > 0, "clone: %s", strerror(errno));
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(fcntl(fds[0], F_GETFD), 0);
	close(fds[0]);
	close(fds[1]);
	/* namespaces: only where the kernel has them (Aspen: none) */
	if (!on_aspen())
		SKIP("this kernel's namespaces depend on its configuration");
	static const int ns[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
				  CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		CHECK_ERR(unshare(ns[i]), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0), EINVAL);
}

GTEST(fadvise_and_readahead_check_and_accept)
{
	int fd = open("/proc/self/exe", O_RDONLY), fds[2];

	CHECK(fd >= 0);
	for (int advice = 0; advice <= 5; advice++)
		CHECK_EQ(syscall(SYS_fadvise64, fd, 0, 4096, advice), 0);
	CHECK_ERR(syscall(SYS_fadvise64, fd, 0, 4096, 6), EINVAL);
	CHECK_ERR(syscall(SYS_fadvise64, 99, 0, 4096, 0), EBADF);
	CHECK_EQ(syscall(SYS_readahead, fd, 0, 8192), 0);
	CHECK_ERR(syscall(SYS_readahead, 99, 0, 8192), EBADF);
	CHECK_EQ(pipe(fds), 0);
	CHECK_ERR(syscall(SYS_fadvise64, fds[0], 0, 4096, 0), ESPIPE);
	CHECK_ERR(syscall(SYS_readahead, fds[0], 0, 8192), EINVAL);
	CHECK_ERR(syscall(SYS_readahead, fds[1], 0, 8192), EBADF);
	close(fds[0]);
	close(fds[1]);
	close(fd);
}
