/* pidfd.c - process file descriptors as Linux: pidfd_open's checks,
 * poll readable once the process exits, waitid(P_PIDFD) (also with
 * PIDFD_NONBLOCK), pidfd_send_signal with and without a siginfo,
 * pidfd_getfd, ESRCH once the process is reaped, CLONE_PIDFD, and
 * process_mrelease's checks. */
#include "gtest.h"
#include <poll.h>
#include <sched.h>
#include <linux/sched.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define PIDFD_NONBLOCK O_NONBLOCK

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* A child that waits for a byte on a pipe, then exits with code. */
static pid_t waiting_child(int *wfd, int code)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(code);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static int poll_once(int fd, int timeout)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout);
	return n == 1 ? pfd.revents : n;
}

GTEST(pidfd_open_checks)
{
	CHECK_ERR(pidfd_open(0, 0), EINVAL);
	CHECK_ERR(pidfd_open(-1, 0), EINVAL);
	CHECK_ERR(pidfd_open(getpid(), 0x1), EINVAL);
	int fd = pidfd_open(getpid(), 0);
	CHECK(fd >= 0, "pidfd_open(self): %s", strerror(errno));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0);
	link[n] = 0;
	CHECK(strcmp(link, "anon_inode:[pidfd]") == 0, "link %s", link);
	close(fd);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_ERR(pidfd_open(pid, 0), ESRCH);
}

GTEST(pidfd_readable_when_process_exits)
{
	int w;
	pid_t pid = waiting_child(&w, 7);
	int fd = pidfd_open(pid, 0);
	CHECK(fd >= 0);
	CHECK_EQ(poll_once(fd, 0), 0);                 /* still running */
	close(w);                                        /* let it go */
	int r = poll_once(fd, 20000);
	CHECK(r > 0 && (r & POLLIN), "revents %#x", r);
	siginfo_t si = { 0 };
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 7);
	r = poll_once(fd, 0);                           /* reaped now */
	CHECK(r > 0 && (r & POLLIN), "revents after reaping %#x", r);
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
	close(fd);
}

GTEST(waitid_pidfd_waits_for_that_child_only)
{
	int w1, w2;
	pid_t a = waiting_child(&w1, 1);
	pid_t b = waiting_child(&w2, 2);
	int fd = pidfd_open(b, 0);
	close(w1);
	close(w2);
	siginfo_t si = { 0 };
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, b);
	CHECK_EQ(si.si_status, 2);
	CHECK_EXITED(wait_status(a), 1);
	CHECK_ERR(waitid(P_PIDFD, -1, &si, WEXITED), EINVAL);
	int nul = open("/dev/null", O_RDONLY);
	CHECK_ERR(waitid(P_PIDFD, nul, &si, WEXITED), EBADF);
	close(nul);
	close(fd);
}

GTEST(waitid_nonblocking_pidfd_is_eagain_while_running)
{
	int w;
	pid_t pid = waiting_child(&w, 0);
	int fd = pidfd_open(pid, PIDFD_NONBLOCK);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	siginfo_t si;
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN);
	memset(&si, 0xff, sizeof(si));
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG), 0);   /* WNOHANG itself: 0 */
	CHECK_EQ(si.si_pid, 0);
	close(w);
	CHECK(poll_once(fd, 20000) & POLLIN);
	CHECK_EQ(waitid(P_PIDFD, fd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	close(fd);
}

GTEST(pidfd_send_signal_kills_and_checks)
{
	int w;
	pid_t pid = waiting_child(&w, 0);
	int fd = pidfd_open(pid, 0);
	CHECK_EQ(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0), 0);
	CHECK_ERR(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0x8), EINVAL);
	CHECK_ERR(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0x3), EINVAL);
	CHECK_ERR(syscall(SYS_pidfd_send_signal, w, SIGTERM, NULL, 0), EBADF);
	CHECK_ERR(syscall(SYS_pidfd_send_signal, 999, SIGTERM, NULL, 0), EBADF);
	siginfo_t si = { 0 };
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	CHECK_ERR(syscall(SYS_pidfd_send_signal, fd, SIGTERM, &si, 0), EINVAL);   /* signo differs */
	si.si_signo = SIGTERM;
	si.si_code = SI_USER;
	CHECK_ERR(syscall(SYS_pidfd_send_signal, fd, SIGTERM, &si, 0), EPERM);    /* a kernel code */
	CHECK_ERR(syscall(SYS_pidfd_send_signal, fd, SIGTERM, (void *)8, 0), EFAULT);
	CHECK_EQ(syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0), 0);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
	CHECK_ERR(syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0), ESRCH);
	close(fd);
	close(w);
}

static volatile sig_atomic_t got_value = -1;
static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	got_value = si->si_value.sival_int;
}

GTEST(pidfd_send_signal_to_self_with_siginfo)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	int fd = pidfd_open(getpid(), 0);
	siginfo_t si = { 0 };
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	CHECK_EQ(syscall(SYS_pidfd_send_signal, fd, SIGUSR1, &si, 0), 0);
	CHECK_EQ(got_value, 42);
	close(fd);
}

GTEST(pidfd_getfd_duplicates_a_childs_descriptor)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int w;
	pid_t pid = waiting_child(&w, 0);   /* has p[1] too: inherited */
	int fd = pidfd_open(pid, 0);
	int got = (int)syscall(SYS_pidfd_getfd, fd, p[1], 0);
	CHECK(got >= 0, "pidfd_getfd: %s", strerror(errno));
	CHECK_EQ(fcntl(got, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(write(got, "x", 1), 1);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'x');
	CHECK_ERR(syscall(SYS_pidfd_getfd, fd, 900, 0), EBADF);
	CHECK_ERR(syscall(SYS_pidfd_getfd, fd, p[1], 1), EINVAL);
	CHECK_ERR(syscall(SYS_pidfd_getfd, p[0], 0, 0), EBADF);
	close(w);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_ERR(syscall(SYS_pidfd_getfd, fd, p[1], 0), ESRCH);
	close(got);
	close(fd);
	close(p[0]);
	close(p[1]);
}

GTEST(clone_pidfd_returns_a_pidfd)
{
	int pidfd = -1;
	long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (pid == 0)
		_exit(5);
	CHECK(pid > 0, "clone(CLONE_PIDFD): %s", strerror(errno));
	CHECK(pidfd >= 0);
	CHECK_EQ(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	siginfo_t si = { 0 };
	CHECK_EQ(waitid(P_PIDFD, pidfd, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_status, 5);
	close(pidfd);
	CHECK_ERR(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pidfd, 0, 0), EINVAL);
}

GTEST(clone3_pidfd_returns_a_pidfd)
{
	int pidfd = -1;
	struct clone_args args = { .flags = CLONE_PIDFD, .pidfd = (uintptr_t)&pidfd, .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(6);
	CHECK(pid > 0, "clone3(CLONE_PIDFD): %s", strerror(errno));
	CHECK(pidfd >= 0);
	siginfo_t si = { 0 };
	CHECK_EQ(waitid(P_PIDFD, pidfd, &si, WEXITED), 0);
	CHECK_EQ(si.si_status, 6);
	close(pidfd);
	args.pidfd = 8;
	CHECK_ERR(syscall(SYS_clone3, &args, sizeof(args)), EFAULT);
}

#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

/* process_mrelease: only for a process that is exiting; a live one is
 * EINVAL, a zombie (its memory gone) ESRCH. */
GTEST(process_mrelease_checks)
{
	int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	CHECK(self >= 0);
	CHECK_ERR(syscall(SYS_process_mrelease, self, 1), EINVAL);
	CHECK_ERR(syscall(SYS_process_mrelease, self, 0), EINVAL);
	CHECK_ERR(syscall(SYS_process_mrelease, -1, 0), EBADF);
	int fd = open("/proc/self/exe", O_RDONLY);
	CHECK_ERR(syscall(SYS_process_mrelease, fd, 0), EBADF);
	close(fd);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	int child = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK(child >= 0);
	wait_until_zombie(pid, 0);
	CHECK_ERR(syscall(SYS_process_mrelease, child, 0), ESRCH);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_ERR(syscall(SYS_process_mrelease, child, 0), ESRCH);
	close(child);
	close(self);
}
