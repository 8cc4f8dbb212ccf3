/*
 * pipe_poll.c - poll, ppoll, select and pselect over pipes and files:
 * readiness as Linux reports it (POLLIN, POLLOUT, POLLHUP, POLLERR,
 * POLLNVAL), sleeping until another process makes a pipe ready,
 * timeouts, and files without a poll method (regular files, /dev/null)
 * always ready.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>

#define SHORT_TIMEOUT_MS 50
#define MS (1000000LL)

static void xpipe(int fds[2])
{
	CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
}

/* A child that writes one byte to fd once the caller is asleep (in the
 * poll the test makes), then exits. */
static pid_t late_writer(int fd)
{
	pid_t pid = xfork();

	if (pid == 0) {
		wait_until_asleep(getppid(), getppid());
		CHECK_EQ(write(fd, "!", 1), 1);
		_exit(0);
	}
	return pid;
}

GTEST(poll_empty_pipe_read_end_not_ready_write_end_ready)
{
	int fds[2];
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLOUT } };

	xpipe(fds);
	p[0].fd = fds[0];
	p[1].fd = fds[1];
	CHECK_EQ(poll(p, 2, 0), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLOUT);
}

GTEST(poll_pipe_with_data_is_readable)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN | POLLOUT };

	xpipe(fds);
	p.fd = fds[0];
	CHECK_EQ(write(fds[1], "x", 1), 1);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN);   /* a read end is never writable */
}

GTEST(poll_read_end_hup_when_writers_gone)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };

	xpipe(fds);
	p.fd = fds[0];
	CHECK_EQ(write(fds[1], "x", 1), 1);
	close(fds[1]);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLHUP);
	char c;
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLHUP);  /* reported even though not asked for */
}

GTEST(poll_write_end_err_when_readers_gone)
{
	int fds[2];
	struct pollfd p = { .events = POLLOUT };

	xpipe(fds);
	p.fd = fds[1];
	close(fds[0]);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT | POLLERR);
}

GTEST(poll_full_pipe_not_writable)
{
	int fds[2];
	struct pollfd p = { .events = POLLOUT };
	static char buf[65536];

	xpipe(fds);
	p.fd = fds[1];
	CHECK_EQ(write(fds[1], buf, sizeof(buf)), sizeof(buf));
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(read(fds[0], buf, 8192), 8192);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
}

GTEST(poll_bad_fd_is_nval_negative_fd_ignored)
{
	int fds[2];
	struct pollfd p[3] = { { .fd = -1, .events = POLLIN }, { .fd = 999, .events = POLLIN },
			       { .events = POLLIN } };

	xpipe(fds);
	p[2].fd = fds[0];
	CHECK_EQ(poll(p, 3, 0), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLNVAL);
	CHECK_EQ(p[2].revents, 0);
}

GTEST(poll_sleeps_until_peer_writes)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };

	xpipe(fds);
	p.fd = fds[0];
	pid_t pid = late_writer(fds[1]);
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLIN);   /* the write came only once poll slept */
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(poll_wakes_on_second_of_two_pipes)
{
	int a[2], b[2];
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLIN } };

	xpipe(a);
	xpipe(b);
	p[0].fd = a[0];
	p[1].fd = b[0];
	pid_t pid = late_writer(b[1]);
	CHECK_EQ(poll(p, 2, -1), 1);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLIN);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(poll_wakes_when_last_writer_exits)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };
	pid_t pid;

	xpipe(fds);
	p.fd = fds[0];
	pid = xfork();
	if (pid == 0) {
		wait_sleeping(getppid());   /* in its poll */
		_exit(0);
	}
	close(fds[1]);
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLHUP);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(poll_timeout_expires)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };

	xpipe(fds);
	p.fd = fds[0];
	long long t0 = clock_ns(CLOCK_MONOTONIC);
	CHECK_EQ(poll(&p, 1, SHORT_TIMEOUT_MS), 0);
	long long took = clock_ns(CLOCK_MONOTONIC) - t0;
	CHECK(took >= SHORT_TIMEOUT_MS * MS, "returned after %lld ms", took / MS);
}

GTEST(poll_no_fds_sleeps_for_timeout)
{
	long long t0 = clock_ns(CLOCK_MONOTONIC);

	CHECK_EQ(poll(NULL, 0, SHORT_TIMEOUT_MS), 0);
	long long took = clock_ns(CLOCK_MONOTONIC) - t0;
	CHECK(took >= SHORT_TIMEOUT_MS * MS, "returned after %lld ms", took / MS);
}

GTEST(poll_regular_file_and_dev_null_always_ready)
{
	struct pollfd p[2] = { { .events = POLLIN | POLLOUT }, { .events = POLLIN | POLLOUT } };

	p[0].fd = open("poll-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	p[1].fd = open("/dev/null", O_RDWR);
	CHECK(p[0].fd >= 0 && p[1].fd >= 0);
	CHECK_EQ(poll(p, 2, -1), 2);
	CHECK_EQ(p[0].revents, POLLIN | POLLOUT);
	CHECK_EQ(p[1].revents, POLLIN | POLLOUT);
	unlink("poll-file");
}

GTEST(poll_bad_arguments)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };

	CHECK_ERR(syscall(SYS_poll, (struct pollfd *)8, 1, 0), EFAULT);
	CHECK_ERR(syscall(SYS_poll, &p, 1u << 20, 0), EINVAL);
}

GTEST(ppoll_timespec_timeout_and_readiness)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };
	struct timespec ts = { 0, SHORT_TIMEOUT_MS * MS };
	struct timespec bad = { 0, 1000000000 };

	xpipe(fds);
	p.fd = fds[0];
	CHECK_EQ(ppoll(&p, 1, &ts, NULL), 0);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	ts.tv_sec = 5;
	CHECK_EQ(ppoll(&p, 1, &ts, NULL), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_ERR(ppoll(&p, 1, &bad, NULL), EINVAL);
}

GTEST(select_reports_readable_and_writable_sets)
{
	int fds[2];
	fd_set r, w;
	struct timeval tv = { 0, 0 };

	xpipe(fds);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fds[0], &r);
	FD_SET(fds[1], &w);
	int n = fds[1] + 1;
	CHECK_EQ(select(n, &r, &w, NULL, &tv), 1);
	CHECK(!FD_ISSET(fds[0], &r) && FD_ISSET(fds[1], &w));
	CHECK_EQ(write(fds[1], "x", 1), 1);
	FD_SET(fds[0], &r);
	FD_SET(fds[1], &w);
	CHECK_EQ(select(n, &r, &w, NULL, &tv), 2);
	CHECK(FD_ISSET(fds[0], &r) && FD_ISSET(fds[1], &w));
}

GTEST(select_read_set_counts_eof_as_readable)
{
	int fds[2];
	fd_set r;

	xpipe(fds);
	close(fds[1]);
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	CHECK_EQ(select(fds[0] + 1, &r, NULL, NULL, NULL), 1);
	CHECK(FD_ISSET(fds[0], &r));
}

GTEST(select_sleeps_until_peer_writes)
{
	int fds[2];
	fd_set r;
	struct timeval tv = { 10, 0 };

	xpipe(fds);
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	pid_t pid = late_writer(fds[1]);
	CHECK_EQ(select(fds[0] + 1, &r, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(fds[0], &r));
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(select_timeout_clears_sets)
{
	int fds[2];
	fd_set r;
	struct timeval tv = { 0, SHORT_TIMEOUT_MS * 1000 };

	xpipe(fds);
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	long long t0 = clock_ns(CLOCK_MONOTONIC);
	CHECK_EQ(select(fds[0] + 1, &r, NULL, NULL, &tv), 0);
	long long took = clock_ns(CLOCK_MONOTONIC) - t0;
	CHECK(took >= SHORT_TIMEOUT_MS * MS, "returned after %lld ms", took / MS);
	CHECK(!FD_ISSET(fds[0], &r));
}

GTEST(select_closed_fd_ebadf)
{
	fd_set r;
	struct timeval tv = { 0, 0 };
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	FD_ZERO(&r);
	FD_SET(fd, &r);
	CHECK_ERR(select(fd + 1, &r, NULL, NULL, &tv), EBADF);
	CHECK_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
}

GTEST(pselect_with_mask_and_timeout)
{
	int fds[2];
	fd_set r;
	struct timespec ts = { 0, SHORT_TIMEOUT_MS * MS };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	xpipe(fds);
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	CHECK_EQ(pselect(fds[0] + 1, &r, NULL, NULL, &ts, &mask), 0);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	FD_SET(fds[0], &r);
	CHECK_EQ(pselect(fds[0] + 1, &r, NULL, NULL, &ts, &mask), 1);
	sigset_t now;
	CHECK_EQ(sigprocmask(SIG_SETMASK, NULL, &now), 0);
	CHECK(!sigismember(&now, SIGUSR1), "pselect's mask outlived the call");
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig) { got_usr1 = sig; }

/* A child that sends SIGUSR1 to the caller once it is asleep (in the
 * call the test makes), then exits. */
static pid_t late_signal(void)
{
	pid_t parent = getpid(), pid = xfork();

	if (pid == 0) {
		wait_until_asleep(parent, parent);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

/* poll is never restarted after a handler, SA_RESTART or not. */
GTEST(poll_interrupted_by_handler_eintr_even_with_sa_restart)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	xpipe(fds);
	p.fd = fds[0];
	pid_t pid = late_signal();
	CHECK_ERR(poll(&p, 1, -1), EINTR);
	CHECK_EQ(got_usr1, SIGUSR1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* ppoll's mask opens SIGUSR1 only while it waits: the handler runs, ppoll
 * fails with EINTR, and the signal is blocked again afterwards. */
GTEST(ppoll_mask_lets_signal_in_during_wait_only)
{
	int fds[2];
	struct pollfd p = { .events = POLLIN };
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, empty, now;

	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	xpipe(fds);
	p.fd = fds[0];
	pid_t pid = late_signal();
	CHECK_ERR(ppoll(&p, 1, NULL, &empty), EINTR);
	CHECK_EQ(got_usr1, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_SETMASK, NULL, &now), 0);
	CHECK(sigismember(&now, SIGUSR1), "SIGUSR1 unblocked after ppoll");
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(select_interrupted_by_handler_eintr)
{
	int fds[2];
	fd_set r;
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	xpipe(fds);
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	pid_t pid = late_signal();
	CHECK_ERR(select(fds[0] + 1, &r, NULL, NULL, NULL), EINTR);
	CHECK_EQ(got_usr1, SIGUSR1);
	CHECK_EXITED(wait_status(pid), 0);
}
