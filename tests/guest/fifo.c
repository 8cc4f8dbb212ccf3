/*
 * fifo.c - named pipes and mknod as Linux has them: mkfifo/mknod/mknodat
 * make nodes (EEXIST, EPERM for a directory, EINVAL for a bad type, the
 * umask applied, device nodes for root only); opening a FIFO for reading
 * waits for a writer and for writing waits for a reader (O_RDWR never
 * waits), a signal interrupts that wait, O_NONBLOCK opens a reader at
 * once and fails a writer with ENXIO; data flows as through a pipe, end
 * of file once the writers have gone, EPIPE without a reader, no POLLHUP
 * for a reader that has not seen a writer yet, lseek gives ESPIPE, and
 * what is unread at the last close is gone. Every test works in a fresh
 * directory of its own under /tmp.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Make and enter a fresh directory; returns the FIFO path "f" in it. */
static const char *fresh_dir(void)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/gtest-fifo-%d", (int)getpid());
	CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", dir, strerror(errno));
	CHECK(chdir(dir) == 0, "chdir: %s", strerror(errno));
	return "f";
}

/* A new FIFO named by fresh_dir (mode 0600). */
static const char *new_fifo(void)
{
	const char *name = fresh_dir();
	unlink(name);
	CHECK(mkfifo(name, 0600) == 0, "mkfifo: %s", strerror(errno));
	return name;
}

/* Remove the FIFO and the directory fresh_dir made. */
static void cleanup(const char *name)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/gtest-fifo-%d", (int)getpid());
	CHECK_EQ(unlink(name), 0);
	CHECK_EQ(chdir("/tmp"), 0);
	CHECK(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
}

static int xopen(const char *name, int flags)
{
	int fd = open(name, flags);
	CHECK(fd >= 0, "open %s flags %#x: %s", name, flags, strerror(errno));
	return fd;
}

static void on_signal(int sig) { (void)sig; }

GTEST(mkfifo_and_mknod_make_nodes)
{
	const char *name = fresh_dir();
	unlink(name);
	mode_t old = umask(022);
	CHECK_EQ(mkfifo(name, 0666), 0);
	struct stat st;
	CHECK_EQ(stat(name, &st), 0);
	CHECK(S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_mode & 07777, 0644);
	CHECK_EQ(st.st_size, 0);
	CHECK_ERR(mkfifo(name, 0600), EEXIST);
	CHECK_ERR(mknod(name, S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERR(mknodat(AT_FDCWD, "d", S_IFDIR | 0700, 0), EPERM);
	CHECK_ERR(mknod("bad", 0170000 | 0600, 0), EINVAL);
	CHECK_ERR(mknod("nodir/x", S_IFIFO | 0600, 0), ENOENT);
	CHECK_EQ(mknodat(AT_FDCWD, "reg", 0640, 0), 0);   /* type 0: a regular file */
	CHECK_EQ(stat("reg", &st), 0);
	CHECK(S_ISREG(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_mode & 07777, 0640);
	umask(old);
	int r = mknod("null", S_IFCHR | 0666, makedev(1, 3));
	if (geteuid() != 0) {
		CHECK(r < 0 && errno == EPERM, "mknod of a device as a user: %d %s", r, strerror(errno));
	} else {
		CHECK(r == 0, "mknod /dev/null's twin: %s", strerror(errno));
		CHECK_EQ(stat("null", &st), 0);
		CHECK(S_ISCHR(st.st_mode), "mode %o", st.st_mode);
		CHECK_EQ(major(st.st_rdev), 1);
		CHECK_EQ(minor(st.st_rdev), 3);
		int fd = xopen("null", O_RDWR);
		char c;
		CHECK_EQ(write(fd, "x", 1), 1);
		CHECK_EQ(read(fd, &c, 1), 0);
		close(fd);
		CHECK_EQ(unlink("null"), 0);
	}
	CHECK_EQ(unlink("reg"), 0);
	cleanup(name);
}

GTEST(fifo_nonblocking_opens_and_end_of_file)
{
	const char *name = new_fifo();
	CHECK_ERR(open(name, O_WRONLY | O_NONBLOCK), ENXIO);
	int rd = xopen(name, O_RDONLY | O_NONBLOCK);
	char buf[16];
	CHECK_EQ(read(rd, buf, sizeof(buf)), 0);        /* no writer: end of file */
	struct pollfd pfd = { rd, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 0);                  /* no writer seen yet: no POLLHUP */
	int wr = xopen(name, O_WRONLY | O_NONBLOCK);
	CHECK_ERR(read(rd, buf, sizeof(buf)), EAGAIN);  /* a writer, nothing written */
	CHECK_EQ(write(wr, "hello", 5), 5);
	struct stat st;
	CHECK_EQ(fstat(wr, &st), 0);
	CHECK(S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLIN);
	CHECK_EQ(read(rd, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "read back %.5s", buf);
	CHECK_ERR(lseek(rd, 0, SEEK_SET), ESPIPE);
	CHECK_EQ(close(wr), 0);
	CHECK_EQ(read(rd, buf, sizeof(buf)), 0);
	pfd.revents = 0;
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLHUP);                 /* the writer came and went */
	close(rd);
	cleanup(name);
}

GTEST(fifo_blocking_opens_wait_for_each_other)
{
	const char *name = new_fifo();
	for (int round = 0; round < 2; round++) {
		/* round 0: the child writes; round 1: the child reads */
		pid_t pid = xfork();
		if (pid == 0) {
			int fd = open(name, round == 0 ? O_WRONLY : O_RDONLY);
			if (fd < 0)
				_exit(2);
			char buf[8] = { 0 };
			if (round == 0)
				_exit(write(fd, "ping", 4) == 4 ? 0 : 3);
			_exit(read(fd, buf, sizeof(buf)) == 4 && !memcmp(buf, "pong", 4) ? 0 : 4);
		}
		int fd = xopen(name, round == 0 ? O_RDONLY : O_WRONLY);
		char buf[8];
		if (round == 0) {
			CHECK_EQ(read(fd, buf, sizeof(buf)), 4);
			CHECK(memcmp(buf, "ping", 4) == 0, "read %.4s", buf);
			CHECK_EXITED(wait_status(pid), 0);
			CHECK_EQ(read(fd, buf, sizeof(buf)), 0);   /* the writer exited */
		} else {
			CHECK_EQ(write(fd, "pong", 4), 4);
			CHECK_EXITED(wait_status(pid), 0);
		}
		close(fd);
	}
	cleanup(name);
}

GTEST(fifo_open_waiting_for_a_writer_is_interrupted_by_a_signal)
{
	const char *name = new_fifo();
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART */
		sigaction(SIGUSR1, &sa, NULL);
		close(ready[0]);
		close(ready[1]);   /* "about to block" */
		int fd = open(name, O_RDONLY);
		_exit(fd < 0 && errno == EINTR ? 0 : 1);
	}
	close(ready[1]);
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 0);
	wait_sleeping(pid);
	CHECK_EQ(kill(pid, SIGUSR1), 0);
	CHECK_EXITED(wait_status(pid), 0);
	/* the interrupted open left no reader behind */
	CHECK_ERR(open(name, O_WRONLY | O_NONBLOCK), ENXIO);
	close(ready[0]);
	cleanup(name);
}

GTEST(fifo_rdwr_open_does_not_wait_and_unread_data_dies_with_the_last_close)
{
	const char *name = new_fifo();
	int fd = xopen(name, O_RDWR);
	CHECK_EQ(write(fd, "abc", 3), 3);
	int rd = xopen(name, O_RDONLY);                /* a writer exists: no wait */
	char buf[8];
	CHECK_EQ(read(rd, buf, 1), 1);
	CHECK_EQ(buf[0], 'a');
	close(rd);
	close(fd);                                     /* "bc" is lost */
	fd = xopen(name, O_RDWR | O_NONBLOCK);
	CHECK_ERR(read(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
	cleanup(name);
}

GTEST(fifo_write_without_reader_is_EPIPE)
{
	const char *name = new_fifo();
	signal(SIGPIPE, SIG_IGN);
	int rd = xopen(name, O_RDONLY | O_NONBLOCK);
	int wr = xopen(name, O_WRONLY);
	CHECK_EQ(close(rd), 0);
	CHECK_ERR(write(wr, "x", 1), EPIPE);
	struct pollfd pfd = { wr, POLLOUT, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLERR, "revents %#x", pfd.revents);
	close(wr);
	cleanup(name);
}
