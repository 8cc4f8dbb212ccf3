/* splice.c - data moved between files by the kernel: sendfile (offset
 * or file position, EINVAL/ESPIPE/EBADF cases), splice (file to pipe,
 * pipe to file with offsets, pipe to pipe, SPLICE_F_NONBLOCK), tee
 * (the input keeps its data), vmsplice both ways, copy_file_range
 * (offsets, overlap, EOF, the error cases). Files are in /dev/shm
 * (tmpfs on Linux too). */
#include "gtest.h"
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/stat.h>

#define F_IN "/dev/shm/splice-gtest-in"
#define F_OUT "/dev/shm/splice-gtest-out"

static int make_in(void)
{
	int fd = open(F_IN, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int make_out(int flags)
{
	int fd = open(F_OUT, O_CREAT | O_RDWR | O_TRUNC | flags, 0600);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	return fd;
}

static void check_content(int fd, off_t at, const char *want)
{
	char buf[64] = { 0 };
	size_t n = strlen(want);
	CHECK_EQ(pread(fd, buf, n, at), (ssize_t)n);
	CHECK(memcmp(buf, want, n) == 0, "read \"%s\", want \"%s\"", buf, want);
}

static void cleanup(void)
{
	unlink(F_IN);
	unlink(F_OUT);
}

GTEST(sendfile_moves_the_file_position_or_the_offset)
{
	int in = make_in(), out = make_out(0);
	CHECK_EQ(sendfile(out, in, NULL, 4), 4);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 4);
	off_t off = 6;
	CHECK_EQ(sendfile(out, in, &off, 100), 4);            /* to the end */
	CHECK_EQ(off, 10);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 4);                   /* unchanged */
	check_content(out, 0, "01236789");
	CHECK_EQ(sendfile(out, in, &off, 5), 0);               /* at the end */
	CHECK_EQ(sendfile(out, in, NULL, 0), 0);
	close(in);
	close(out);
	cleanup();
}

GTEST(sendfile_error_cases)
{
	int in = make_in(), out = make_out(0), app = make_out(O_APPEND);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_ERR(sendfile(out, p[0], NULL, 1), EINVAL);       /* from a pipe */
	CHECK_ERR(sendfile(app, in, NULL, 1), EINVAL);          /* to an appending file */
	off_t off = 0;
	CHECK_ERR(sendfile(out, p[0], &off, 1), ESPIPE);
	off = -1;
	CHECK_ERR(sendfile(out, in, &off, 1), EINVAL);
	CHECK_ERR(sendfile(out, p[1], NULL, 1), EBADF);         /* in not readable */
	CHECK_ERR(sendfile(p[0], in, NULL, 1), EBADF);          /* out not writable */
	CHECK_ERR(syscall(SYS_sendfile, out, in, (void *)8, 1), EFAULT);
	CHECK_EQ(sendfile(p[1], in, NULL, 3), 3);               /* into a pipe */
	char buf[8] = { 0 };
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "x012", 4) == 0, "pipe held %s", buf);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	close(app);
	cleanup();
}

GTEST(splice_file_to_pipe_and_back_with_offsets)
{
	int in = make_in(), out = make_out(0);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	loff_t off = 2;
	CHECK_EQ(splice(in, &off, p[1], NULL, 5, 0), 5);
	CHECK_EQ(off, 7);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
	loff_t ooff = 3;
	CHECK_EQ(splice(p[0], NULL, out, &ooff, 5, SPLICE_F_MOVE), 5);
	CHECK_EQ(ooff, 8);
	CHECK_EQ(lseek(out, 0, SEEK_CUR), 0);
	check_content(out, 3, "23456");
	CHECK_EQ(splice(in, NULL, p[1], NULL, 3, 0), 3);        /* the file position */
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 3);
	CHECK_EQ(splice(p[0], NULL, out, NULL, 3, 0), 3);
	check_content(out, 0, "012");
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	cleanup();
}

GTEST(splice_error_cases)
{
	int in = make_in(), out = make_out(0), app = make_out(O_APPEND);
	int p[2], q[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(q), 0);
	CHECK_EQ(splice(99, NULL, 98, NULL, 0, 0), 0);           /* len 0 first */
	CHECK_ERR(splice(in, NULL, p[1], NULL, 1, 0x10), EINVAL);
	CHECK_ERR(splice(in, NULL, out, NULL, 1, 0), EINVAL);   /* no pipe */
	loff_t off = 0;
	CHECK_ERR(splice(p[0], &off, out, NULL, 1, 0), ESPIPE);
	CHECK_ERR(splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL); /* the same pipe */
	CHECK_ERR(splice(q[0], NULL, out, NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_EQ(write(q[1], "ab", 2), 2);
	CHECK_ERR(splice(q[0], NULL, app, NULL, 1, 0), EINVAL);
	CHECK_ERR(splice(out, NULL, q[0], NULL, 1, 0), EBADF);   /* read end as output */
	off = -5;
	CHECK_ERR(splice(in, &off, p[1], NULL, 1, 0), EINVAL);
	close(q[1]);
	CHECK_EQ(splice(q[0], NULL, p[1], NULL, 10, 0), 2);       /* pipe to pipe */
	CHECK_EQ(splice(q[0], NULL, p[1], NULL, 10, 0), 0);       /* no writer left: EOF */
	char buf[4] = { 0 };
	CHECK_EQ(read(p[0], buf, 4), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	close(q[0]);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	close(app);
	cleanup();
}

GTEST(tee_copies_and_leaves_the_input)
{
	int p[2], q[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(q), 0);
	CHECK_ERR(tee(p[0], q[1], 1, SPLICE_F_NONBLOCK), EAGAIN);    /* empty */
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(tee(p[0], q[1], 3, 0), 3);
	char buf[8] = { 0 };
	CHECK_EQ(read(q[0], buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "hel", 3) == 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 5);                  /* all still there */
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_ERR(tee(p[0], p[1], 1, 0), EINVAL);
	int in = make_in();
	CHECK_ERR(tee(in, q[1], 1, 0), EINVAL);
	CHECK_EQ(tee(p[0], q[1], 0, 0), 0);
	close(in);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	cleanup();
}

GTEST(vmsplice_writes_and_reads_a_pipe)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	struct iovec iov[2] = { { "abc", 3 }, { "de", 2 } };
	CHECK_EQ(vmsplice(p[1], iov, 2, 0), 5);
	char a[2], b[8] = { 0 };
	struct iovec rd[2] = { { a, 2 }, { b, 8 } };
	CHECK_EQ(vmsplice(p[0], rd, 2, 0), 5);
	CHECK(memcmp(a, "ab", 2) == 0 && memcmp(b, "cde", 3) == 0);
	CHECK_ERR(vmsplice(p[0], rd, 2, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR(vmsplice(p[1], iov, 1, 0x10), EINVAL);
	int in = make_in();
	CHECK_ERR(vmsplice(in, iov, 1, 0), EBADF);
	close(in);
	close(p[0]);
	close(p[1]);
	cleanup();
}

GTEST(copy_file_range_copies_between_regular_files)
{
	int in = make_in(), out = make_out(0);
	loff_t a = 1, b = 4;
	CHECK_EQ(syscall(SYS_copy_file_range, in, &a, out, &b, 3L, 0), 3);
	CHECK_EQ(a, 4);
	CHECK_EQ(b, 7);
	check_content(out, 4, "123");
	CHECK_EQ(syscall(SYS_copy_file_range, in, NULL, out, NULL, 2L, 0), 2);   /* positions */
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 2);
	CHECK_EQ(lseek(out, 0, SEEK_CUR), 2);
	check_content(out, 0, "01");
	a = 100;
	CHECK_EQ(syscall(SYS_copy_file_range, in, &a, out, NULL, 5L, 0), 0);      /* past the end */
	a = 0;
	b = 2;
	CHECK_ERR(syscall(SYS_copy_file_range, in, &a, in, &b, 5L, 0), EINVAL);  /* overlap */
	b = 5;
	CHECK_EQ(syscall(SYS_copy_file_range, in, &a, in, &b, 5L, 0), 5);
	check_content(in, 0, "0123401234");
	CHECK_ERR(syscall(SYS_copy_file_range, in, NULL, out, NULL, 1L, 1), EINVAL);
	close(in);
	close(out);
	cleanup();
}

GTEST(copy_file_range_error_cases)
{
	int in = make_in(), out = make_out(0), app = make_out(O_APPEND);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int dir = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(syscall(SYS_copy_file_range, in, NULL, app, NULL, 1L, 0), EBADF);
	CHECK_ERR(syscall(SYS_copy_file_range, p[0], NULL, out, NULL, 1L, 0), EINVAL);
	CHECK_ERR(syscall(SYS_copy_file_range, dir, NULL, out, NULL, 1L, 0), EISDIR);
	CHECK_ERR(syscall(SYS_copy_file_range, out, NULL, p[0], NULL, 1L, 0), EINVAL);   /* type first */
	int ro = open(F_OUT, O_RDONLY);
	CHECK_ERR(syscall(SYS_copy_file_range, in, NULL, ro, NULL, 1L, 0), EBADF);
	close(ro);
	loff_t neg = -1;
	CHECK_ERR(syscall(SYS_copy_file_range, in, &neg, out, NULL, 1L, 0), EOVERFLOW);
	close(dir);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	close(app);
	cleanup();
}
