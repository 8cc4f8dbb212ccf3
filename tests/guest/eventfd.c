/*
 * eventfd.c - eventfd and eventfd2 as Linux has them: the counter read
 * and zeroed (or taken one at a time with EFD_SEMAPHORE), writes that
 * add, 8-byte buffers (EINVAL for less), EAGAIN with EFD_NONBLOCK, a
 * write that would pass 0xfffffffffffffffe waits for a read, poll and
 * select readiness, and sleepers woken by another process; fstat of it
 * (and of epoll and timerfd files) shows the shared anonymous inode.
 */
// GUEST: glibc
#include "gtest.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#define EVENTFD_MAX 0xfffffffffffffffeULL

static int xeventfd(unsigned init, int flags)
{
	int fd = eventfd(init, flags);
	CHECK(fd >= 0, "eventfd: %s", strerror(errno));
	return fd;
}

static uint64_t read_count(int fd)
{
	uint64_t v = 0;
	CHECK_EQ(read(fd, &v, sizeof(v)), 8);
	return v;
}

static void write_count(int fd, uint64_t v)
{
	CHECK_EQ(write(fd, &v, sizeof(v)), 8);
}

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	CHECK(poll(&p, 1, 0) >= 0, "poll: %s", strerror(errno));
	return p.revents;
}

GTEST(read_returns_initial_value_and_zeroes_it)
{
	int fd = xeventfd(5, EFD_NONBLOCK);
	CHECK_EQ(read_count(fd), 5);
	uint64_t v;
	CHECK_ERR(read(fd, &v, sizeof(v)), EAGAIN);
}

GTEST(writes_add_up)
{
	int fd = xeventfd(0, 0);
	write_count(fd, 3);
	write_count(fd, 4);
	CHECK_EQ(read_count(fd), 7);
}

GTEST(semaphore_reads_one_at_a_time)
{
	int fd = xeventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(read_count(fd), 1);
	uint64_t v;
	CHECK_ERR(read(fd, &v, sizeof(v)), EAGAIN);
	write_count(fd, 2);
	CHECK_EQ(read_count(fd), 1);
	CHECK_EQ(read_count(fd), 1);
}

GTEST(buffers_shorter_than_8_bytes_einval)
{
	int fd = xeventfd(1, 0);
	char buf[16];
	CHECK_ERR(read(fd, buf, 7), EINVAL);
	CHECK_ERR(write(fd, buf, 4), EINVAL);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 8);   /* a longer buffer gets 8 bytes */
	uint64_t v = 9;
	memcpy(buf, &v, sizeof(v));
	CHECK_ERR(write(fd, buf, sizeof(buf)), EINVAL);   /* a write is exactly 8 (Linux 6.x) */
}

GTEST(write_of_all_ones_einval)
{
	int fd = xeventfd(0, 0);
	uint64_t v = UINT64_MAX;
	CHECK_ERR(write(fd, &v, sizeof(v)), EINVAL);
}

GTEST(bad_buffer_efault)
{
	int fd = xeventfd(0, EFD_NONBLOCK);
	void *volatile bad = NULL;
	CHECK_ERR(write(fd, bad, 8), EFAULT);
	CHECK_ERR(read(fd, bad, 8), EAGAIN);   /* nothing to read: no copy tried */
}

GTEST(unknown_flags_einval)
{
	CHECK_ERR(syscall(SYS_eventfd2, 0, 0x4000), EINVAL);
}

GTEST(flags_cloexec_and_nonblock)
{
	int fd = xeventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	int plain = syscall(SYS_eventfd, 0);
	CHECK(plain >= 0, "eventfd: %s", strerror(errno));
	CHECK(!(fcntl(plain, F_GETFD) & FD_CLOEXEC));
	CHECK(!(fcntl(plain, F_GETFL) & O_NONBLOCK));
}

GTEST(proc_fd_link_names_anon_inode)
{
	int fd = xeventfd(0, 0);
	char path[64], link[64] = "";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(readlink(path, link, sizeof(link) - 1) > 0, "readlink: %s", strerror(errno));
	CHECK(strcmp(link, "anon_inode:[eventfd]") == 0, "link is %s", link);
}

/* fstat, fstatat(AT_EMPTY_PATH) (glibc's fstat) and fstatfs of files
 * without an inode of their own: one shared inode, read and write for
 * its owner with no file type, on anon_inodefs. */
GTEST(fstat_shows_the_shared_anonymous_inode)
{
	int fds[3] = { xeventfd(0, 0), epoll_create1(0), timerfd_create(CLOCK_MONOTONIC, 0) };
	struct stat first = { 0 }, st, at;
	struct statfs sfs;

	for (int i = 0; i < 3; i++) {
		CHECK(fds[i] >= 0, "file %d: %s", i, strerror(errno));
		CHECK(fstat(fds[i], &st) == 0, "fstat of file %d: %s", i, strerror(errno));
		CHECK(fstatat(fds[i], "", &at, AT_EMPTY_PATH) == 0, "fstatat: %s", strerror(errno));
		CHECK_EQ(st.st_mode, (mode_t)(S_IRUSR | S_IWUSR));
		CHECK_EQ(st.st_nlink, 1);
		CHECK_EQ(at.st_ino, st.st_ino);
		CHECK_EQ(at.st_dev, st.st_dev);
		if (i == 0)
			first = st;
		CHECK_EQ(st.st_ino, first.st_ino);
		CHECK_EQ(st.st_dev, first.st_dev);
		CHECK(fstatfs(fds[i], &sfs) == 0, "fstatfs: %s", strerror(errno));
		CHECK_EQ(sfs.f_type, ANON_INODE_FS_MAGIC);
		close(fds[i]);
	}
}

GTEST(counter_stops_at_max_nonblocking_write_eagain)
{
	int fd = xeventfd(0, EFD_NONBLOCK);
	write_count(fd, EVENTFD_MAX);
	CHECK_EQ(revents(fd, POLLIN | POLLOUT), POLLIN);
	uint64_t one = 1;
	CHECK_ERR(write(fd, &one, sizeof(one)), EAGAIN);
	CHECK_EQ(read_count(fd), EVENTFD_MAX);
	CHECK_EQ(revents(fd, POLLIN | POLLOUT), POLLOUT);
	write_count(fd, EVENTFD_MAX - 1);
	CHECK_EQ(revents(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	write_count(fd, 1);
	CHECK_ERR(write(fd, &one, sizeof(one)), EAGAIN);
}

GTEST(poll_readable_only_with_a_count)
{
	int fd = xeventfd(0, 0);
	CHECK_EQ(revents(fd, POLLIN | POLLOUT), POLLOUT);
	write_count(fd, 1);
	CHECK_EQ(revents(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(fd, &r);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(select(fd + 1, &r, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(fd, &r));
}

/* A child that adds v to fd once the parent sleeps in a call. */
static pid_t late_adder(int fd, uint64_t v)
{
	pid_t pid = xfork();
	if (pid == 0) {
		wait_sleeping(getppid());
		write_count(fd, v);
		_exit(0);
	}
	return pid;
}

GTEST(read_sleeps_until_another_process_writes)
{
	int fd = xeventfd(0, 0);
	pid_t child = late_adder(fd, 42);
	CHECK_EQ(read_count(fd), 42);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(poll_sleeps_until_another_process_writes)
{
	int fd = xeventfd(0, 0);
	pid_t child = late_adder(fd, 1);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(write_past_max_sleeps_until_a_read)
{
	int fd = xeventfd(0, 0);
	write_count(fd, EVENTFD_MAX);
	pid_t child = xfork();
	if (child == 0) {
		write_count(fd, 5);   /* blocks: no room */
		_exit(0);
	}
	wait_sleeping(child);
	CHECK_EQ(read_count(fd), EVENTFD_MAX);
	CHECK_EQ(wait_status(child), 0);
	CHECK_EQ(read_count(fd), 5);
}

static void on_usr1(int sig)
{
	(void)sig;
}

GTEST(read_interrupted_by_signal_eintr)
{
	struct sigaction sa = { .sa_handler = on_usr1 };   /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	int fd = xeventfd(0, 0);
	pid_t child = xfork();
	if (child == 0) {
		wait_sleeping(getppid());
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	uint64_t v;
	CHECK_ERR(read(fd, &v, sizeof(v)), EINTR);
	CHECK_EQ(wait_status(child), 0);
}

GTEST(count_shared_across_fork)
{
	int fd = xeventfd(0, EFD_SEMAPHORE);
	pid_t child = xfork();
	if (child == 0) {
		write_count(fd, 2);
		_exit(0);
	}
	CHECK_EQ(wait_status(child), 0);
	CHECK_EQ(read_count(fd), 1);
	CHECK_EQ(read_count(fd), 1);
}
