/*
 * pipe.c - pipes as Linux has them: bytes come out in order, end of file
 * once every writer has closed, EPIPE and SIGPIPE for a writer with no
 * reader, writes of up to PIPE_BUF never interleaved, O_NONBLOCK's
 * EAGAIN (and partial writes above PIPE_BUF), a 64 KiB capacity, and
 * what fstat, fcntl and FIONREAD say about a pipe.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define PIPE_CAPACITY 65536
#define ATOMIC_RECORDS 64         /* per writer, PIPE_BUF bytes each */

static void xpipe(int fds[2], int flags)
{
	CHECK(pipe2(fds, flags) == 0, "pipe2: %s", strerror(errno));
}

GTEST(pipe_read_returns_written_bytes)
{
	int fds[2];
	char buf[16];

	xpipe(fds, 0);
	CHECK_EQ(write(fds[1], "hello", 5), 5);
	CHECK_EQ(write(fds[1], " world", 6), 6);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 11);
	CHECK(memcmp(buf, "hello world", 11) == 0, "read \"%.11s\"", buf);
}

GTEST(pipe_read_takes_only_what_is_asked)
{
	int fds[2];
	char buf[4];

	xpipe(fds, 0);
	CHECK_EQ(write(fds[1], "abcdef", 6), 6);
	CHECK_EQ(read(fds[0], buf, 4), 4);
	CHECK(memcmp(buf, "abcd", 4) == 0);
	CHECK_EQ(read(fds[0], buf, 4), 2);
	CHECK(memcmp(buf, "ef", 2) == 0);
}

GTEST(pipe_ends_are_one_way)
{
	int fds[2];
	char c = 'x';

	xpipe(fds, 0);
	CHECK_ERR(write(fds[0], &c, 1), EBADF);
	CHECK_ERR(read(fds[1], &c, 1), EBADF);
	CHECK_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(pread(fds[0], &c, 1, 0), ESPIPE);
}

GTEST(pipe_eof_after_last_writer_closes)
{
	int fds[2];
	char buf[8];
	pid_t pid;

	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {           /* a second writer that writes, then exits */
		close(fds[0]);
		CHECK_EQ(write(fds[1], "kid", 3), 3);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 3);   /* our write end is still open */
	CHECK_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(read(fds[0], buf, sizeof(buf)), EAGAIN);
	close(fds[1]);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0);
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0);
}

GTEST(pipe_close_wakes_blocked_reader)
{
	int fds[2];
	char c;
	pid_t pid;

	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {
		close(fds[0]);
		wait_sleeping(getppid());   /* in its read */
		_exit(0);           /* closes the last write end */
	}
	close(fds[1]);
	CHECK_EQ(read(fds[0], &c, 1), 0);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(pipe_read_blocks_until_data)
{
	int fds[2];
	char buf[8];
	pid_t pid;

	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {
		wait_sleeping(getppid());   /* in its read */
		CHECK_EQ(write(fds[1], "late", 4), 4);
		_exit(0);
	}
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "late", 4) == 0);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(pipe_write_blocks_when_full_until_read)
{
	int fds[2];
	static char buf[PIPE_CAPACITY + 1000];
	pid_t pid;

	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {           /* one write larger than the pipe */
		memset(buf, 'w', sizeof(buf));
		CHECK_EQ(write(fds[1], buf, sizeof(buf)), sizeof(buf));
		_exit(0);
	}
	wait_sleeping(pid);                   /* blocked in its write */
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);
	read_exactly(fds[0], buf, sizeof(buf));
	CHECK_EXITED(wait_status(pid), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 'w', "byte %zu is %#x", i, buf[i]);
}

GTEST(pipe_write_without_reader_raises_sigpipe)
{
	int fds[2];
	pid_t pid;

	xpipe(fds, 0);
	close(fds[0]);
	pid = xfork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(fds[1], "x", 1);
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGPIPE);
}

GTEST(pipe_write_without_reader_epipe_when_ignored)
{
	int fds[2];

	signal(SIGPIPE, SIG_IGN);
	xpipe(fds, 0);
	close(fds[0]);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
}

GTEST(pipe_reader_exit_fails_blocked_writer_with_epipe)
{
	int fds[2];
	static char buf[PIPE_CAPACITY * 2];
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {           /* the reader: takes a little, then goes */
		close(fds[1]);
		read_exactly(fds[0], buf, 100);
		_exit(0);
	}
	close(fds[0]);
	/* Blocks once the pipe is full; the reader's exit ends it. Part of it
	 * went in, so write reports that part, and the next write EPIPE. */
	ssize_t r = write(fds[1], buf, sizeof(buf));
	CHECK(r >= PIPE_CAPACITY && r < (ssize_t)sizeof(buf), "write returned %zd", r);
	CHECK_ERR(write(fds[1], buf, 1), EPIPE);
	CHECK_EXITED(wait_status(pid), 0);
}

/* Two writers, each writing PIPE_BUF-byte records of its own letter: every
 * record comes out whole. */
GTEST(pipe_buf_writes_never_interleave)
{
	int fds[2];
	static char rec[PIPE_BUF], all[2 * ATOMIC_RECORDS * PIPE_BUF];
	pid_t pids[2];

	xpipe(fds, 0);
	for (int w = 0; w < 2; w++) {
		pids[w] = xfork();
		if (pids[w] == 0) {
			close(fds[0]);
			memset(rec, 'a' + w, sizeof(rec));
			for (int i = 0; i < ATOMIC_RECORDS; i++)
				CHECK_EQ(write(fds[1], rec, sizeof(rec)), sizeof(rec));
			_exit(0);
		}
	}
	close(fds[1]);
	read_exactly(fds[0], all, sizeof(all));
	CHECK_EQ(read(fds[0], rec, 1), 0);
	int counts[2] = { 0, 0 };
	for (size_t r = 0; r < sizeof(all); r += PIPE_BUF) {
		char c = all[r];
		CHECK(c == 'a' || c == 'b', "record at %zu starts with %#x", r, c);
		for (size_t i = 1; i < PIPE_BUF; i++)
			CHECK(all[r + i] == c, "record at %zu mixes %c and %c at byte %zu", r, c, all[r + i], i);
		counts[c - 'a']++;
	}
	CHECK_EQ(counts[0], ATOMIC_RECORDS);
	CHECK_EQ(counts[1], ATOMIC_RECORDS);
	CHECK_EXITED(wait_status(pids[0]), 0);
	CHECK_EXITED(wait_status(pids[1]), 0);
}

GTEST(pipe_capacity_is_64k)
{
	int fds[2];
	static char page[4096];
	size_t total = 0;
	ssize_t r;

	xpipe(fds, O_NONBLOCK);
	CHECK_EQ(fcntl(fds[1], F_GETPIPE_SZ), PIPE_CAPACITY);
	while ((r = write(fds[1], page, sizeof(page))) > 0)
		total += (size_t)r;
	CHECK(r < 0 && errno == EAGAIN, "write returned %zd: %s", r, strerror(errno));
	CHECK_EQ(total, PIPE_CAPACITY);
	int n = -1;
	CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
	CHECK_EQ(n, PIPE_CAPACITY);
}

GTEST(pipe_nonblock_read_empty_eagain)
{
	int fds[2];
	char c;

	xpipe(fds, O_NONBLOCK);
	CHECK_ERR(read(fds[0], &c, 1), EAGAIN);
	CHECK_EQ(write(fds[1], "z", 1), 1);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	close(fds[1]);
	CHECK_EQ(read(fds[0], &c, 1), 0);       /* EOF beats EAGAIN */
}

/* A small write is all or nothing: with less room than it needs, EAGAIN. */
GTEST(pipe_nonblock_small_write_needs_room_for_all)
{
	int fds[2];
	static char buf[PIPE_CAPACITY];

	xpipe(fds, O_NONBLOCK);
	CHECK_EQ(write(fds[1], buf, PIPE_CAPACITY - 100), PIPE_CAPACITY - 100);
	CHECK_ERR(write(fds[1], buf, 200), EAGAIN);
	CHECK_EQ(write(fds[1], buf, 100), 100);
	CHECK_ERR(write(fds[1], buf, 1), EAGAIN);
}

/* A write above PIPE_BUF takes what fits. */
GTEST(pipe_nonblock_large_write_is_partial)
{
	int fds[2];
	static char buf[PIPE_CAPACITY];

	xpipe(fds, O_NONBLOCK);
	CHECK_EQ(write(fds[1], buf, PIPE_CAPACITY), PIPE_CAPACITY);
	read_exactly(fds[0], buf, 2 * PIPE_BUF);
	CHECK_EQ(write(fds[1], buf, 3 * PIPE_BUF), 2 * PIPE_BUF);
	CHECK_ERR(write(fds[1], buf, 3 * PIPE_BUF), EAGAIN);
}

GTEST(pipe_fstat_shows_fifo)
{
	int fds[2];
	struct stat st, st2;

	xpipe(fds, 0);
	CHECK_EQ(fstat(fds[0], &st), 0);
	CHECK(S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(fstat(fds[1], &st2), 0);
	CHECK(S_ISFIFO(st2.st_mode), "mode %o", st2.st_mode);
	CHECK_EQ(st.st_ino, st2.st_ino);          /* one pipe, one inode */
	CHECK_EQ(fstat(fds[0], &st2), 0);
	int other[2];
	xpipe(other, 0);
	CHECK_EQ(fstat(other[0], &st2), 0);
	CHECK(st.st_ino != st2.st_ino, "two pipes share inode %lu", (unsigned long)st.st_ino);
}

GTEST(pipe_fionread_counts_unread_bytes)
{
	int fds[2], n = -1;
	char buf[8];

	xpipe(fds, 0);
	CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(write(fds[1], "12345", 5), 5);
	CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(read(fds[0], buf, 2), 2);
	CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 3);
}

GTEST(pipe2_flags_set_cloexec_and_nonblock)
{
	int fds[2];

	xpipe(fds, O_CLOEXEC | O_NONBLOCK);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(fcntl(fds[i], F_GETFD), FD_CLOEXEC);
		CHECK(fcntl(fds[i], F_GETFL) & O_NONBLOCK, "fd %d flags %#x", i, fcntl(fds[i], F_GETFL));
	}
	CHECK_EQ(fcntl(fds[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(fds[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	xpipe(fds, 0);
	CHECK_EQ(fcntl(fds[0], F_GETFD), 0);
	CHECK_EQ(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
}

GTEST(pipe2_bad_flags_einval)
{
	int fds[2];

	CHECK_ERR(syscall(SYS_pipe2, fds, O_APPEND), EINVAL);
	CHECK_ERR(syscall(SYS_pipe2, fds, O_RDWR), EINVAL);
	CHECK_ERR(syscall(SYS_pipe2, NULL, 0), EFAULT);
}

GTEST(pipe_setpipe_sz_grows_and_refuses_to_shrink_below_data)
{
	int fds[2];
	static char buf[3 * PIPE_BUF];

	xpipe(fds, O_NONBLOCK);
	CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 1), 4096);   /* rounded up to a page */
	CHECK_EQ(fcntl(fds[1], F_GETPIPE_SZ), 4096);
	CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 3 * 4096), 4 * 4096);  /* to a power of two */
	CHECK_EQ(write(fds[1], buf, sizeof(buf)), sizeof(buf));
	CHECK_ERR(fcntl(fds[1], F_SETPIPE_SZ, 4096), EBUSY);
	read_exactly(fds[0], buf, sizeof(buf));
	int file = open("/dev/null", O_RDONLY);
	CHECK_ERR(fcntl(file, F_GETPIPE_SZ), EBADF);
}

GTEST(pipe_dup_keeps_pipe_open)
{
	int fds[2], w2;
	char c;

	xpipe(fds, 0);
	w2 = dup(fds[1]);
	close(fds[1]);
	CHECK_EQ(write(w2, "d", 1), 1);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	close(w2);
	CHECK_EQ(read(fds[0], &c, 1), 0);
}

/* Many pipes made and dropped: every one is freed (Aspen counts frames). */
GTEST(pipe_memory_freed_on_close)
{
	int fds[2];
	struct aspen_counters before = { 0 }, after;

	if (on_aspen())
		before = counters_self();
	for (int i = 0; i < 200; i++) {
		xpipe(fds, 0);
		CHECK_EQ(write(fds[1], "x", 1), 1);
		close(fds[0]);
		close(fds[1]);
	}
	if (!on_aspen())
		return;
	after = counters_self();
	CHECK(after.sys_frames_used <= before.sys_frames_used + 4, "frames %lu -> %lu",
	      (unsigned long)before.sys_frames_used, (unsigned long)after.sys_frames_used);
}

static int *handled;   /* shared_map: the handler ran */

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(handled, 1, __ATOMIC_RELEASE);
}

/* Block in read(fds[0]) while a child sends SIGUSR1, with a handler
 * installed with the given flags; read's result and errno. The child
 * writes a byte (which lets a restarted read finish) only once the
 * handler has run: data there first would end the read before the
 * signal is looked at. */
static ssize_t read_with_signal(int flags, int *err)
{
	int fds[2];
	char c;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	pid_t parent = getpid(), pid;

	handled = shared_map(sizeof(*handled));
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {
		wait_until_asleep(parent, parent);   /* in read(): the signal must find it there */
		kill(parent, SIGUSR1);
		while (!__atomic_load_n(handled, __ATOMIC_ACQUIRE))
			sleep_ms(1);
		write(fds[1], "r", 1);
		_exit(0);
	}
	ssize_t r = read(fds[0], &c, 1);
	*err = errno;
	CHECK_EXITED(wait_status(pid), 0);
	return r;
}

GTEST(pipe_read_interrupted_by_handler_eintr)
{
	int err;

	CHECK_EQ(read_with_signal(0, &err), -1);
	CHECK_EQ(err, EINTR);
}

GTEST(pipe_read_restarted_under_sa_restart)
{
	int err;

	CHECK_EQ(read_with_signal(SA_RESTART, &err), 1);
}
