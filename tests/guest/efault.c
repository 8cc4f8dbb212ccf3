/*
 * efault.c - a system call given a pointer the caller cannot use returns
 * -1 with errno EFAULT; the process is not killed and the kernel does
 * not crash. Raw syscall() throughout, so that libc (or the vDSO) never
 * touches the bad pointer itself.
 */
#include "gtest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define PAGE_SIZE 4096UL
#define NBAD      6

/* Addresses no user pointer may have; bad[0] is filled in at run time. */
static uintptr_t bad[NBAD] = {
	0,                     /* an unmapped user page (set by bad_addrs) */
	8,                     /* the NULL page */
	0x0000800000000000UL,  /* the first non-canonical address */
	0xffff800000000000UL,  /* the start of the kernel half */
	0xffffffff81000000UL,  /* where kernels usually sit */
	0xfffffffffffff000UL,  /* the last page */
};

/* The table of bad addresses, with a freshly unmapped page first. */
static const uintptr_t *bad_addrs(void)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(p, PAGE_SIZE), 0);
	bad[0] = (uintptr_t)p;
	return bad;
}

/* For every bad address A, the expression call (which uses A) returns
 * -1 with errno EFAULT. */
#define EXPECT_EFAULT_ALL(call) do { const uintptr_t *b_ = bad_addrs(); \
	for (int i_ = 0; i_ < NBAD; i_++) { void *A = (void *)b_[i_]; errno = 0; \
		long r_ = (long)(call); int e_ = errno; \
		CHECK(r_ == -1 && e_ == EFAULT, "with A = %p: returned %ld, errno %d (%s)", \
		      A, r_, e_, strerror(e_)); } } while (0)

/* A pipe with some bytes in it, so that reads have something to copy. */
static void full_pipe(int fds[2])
{
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write(fds[1], "0123456789abcdef", 16), 16);
}

GTEST(write_bad_buffer_efault)
{
	int fds[2];

	CHECK_EQ(pipe(fds), 0);
	EXPECT_EFAULT_ALL(syscall(SYS_write, fds[1], A, 10));
}

GTEST(read_devzero_bad_buffer_efault)
{
	int fd = open("/dev/zero", O_RDONLY);

	CHECK(fd >= 0, "open /dev/zero: %s", strerror(errno));
	EXPECT_EFAULT_ALL(syscall(SYS_read, fd, A, 10));
}

GTEST(read_pipe_bad_buffer_efault)
{
	int fds[2];

	full_pipe(fds);
	EXPECT_EFAULT_ALL(syscall(SYS_read, fds[0], A, 10));
}

GTEST(clock_gettime_bad_buffer_efault)
{
	EXPECT_EFAULT_ALL(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, A));
	EXPECT_EFAULT_ALL(syscall(SYS_clock_gettime, CLOCK_REALTIME, A));
}

GTEST(uname_bad_buffer_efault)
{
	EXPECT_EFAULT_ALL(syscall(SYS_uname, A));
}

GTEST(getrandom_bad_buffer_efault)
{
	EXPECT_EFAULT_ALL(syscall(SYS_getrandom, A, 16, 0));
}

GTEST(readv_bad_iovec_array_efault)
{
	int fds[2];

	full_pipe(fds);
	EXPECT_EFAULT_ALL(syscall(SYS_readv, fds[0], A, 1));
}

GTEST(readv_bad_iov_base_efault)
{
	int fds[2];
	struct iovec iov;

	full_pipe(fds);
	EXPECT_EFAULT_ALL((iov.iov_base = A, iov.iov_len = 10, syscall(SYS_readv, fds[0], &iov, 1)));
}

GTEST(writev_bad_iovec_array_efault)
{
	int fds[2];

	CHECK_EQ(pipe(fds), 0);
	EXPECT_EFAULT_ALL(syscall(SYS_writev, fds[1], A, 1));
}

GTEST(openat_bad_path_efault)
{
	EXPECT_EFAULT_ALL(syscall(SYS_openat, AT_FDCWD, A, O_RDONLY));
}

GTEST(stat_bad_buffer_efault)
{
	EXPECT_EFAULT_ALL(syscall(SYS_newfstatat, AT_FDCWD, "/", A, 0));
	EXPECT_EFAULT_ALL(syscall(SYS_stat, "/", A));
}

GTEST(stat_bad_path_efault)
{
	struct stat st;

	EXPECT_EFAULT_ALL(syscall(SYS_newfstatat, AT_FDCWD, A, &st, 0));
	EXPECT_EFAULT_ALL(syscall(SYS_stat, A, &st));
}

GTEST(fstat_bad_buffer_efault)
{
	int fds[2];

	CHECK_EQ(pipe(fds), 0);
	EXPECT_EFAULT_ALL(syscall(SYS_fstat, fds[0], A));
}

GTEST(pipe_bad_array_efault)
{
	EXPECT_EFAULT_ALL(syscall(SYS_pipe2, A, 0));
}

/* wait4 on an exited child with status pointer status. Linux reaps
 * the child even when it then cannot store the status; either way it
 * is gone when this returns. */
static long wait4_exited_child(void *status)
{
	pid_t pid = xfork();
	long r;
	int e;

	if (pid == 0)
		_exit(0);
	r = syscall(SYS_wait4, pid, status, 0, NULL);
	e = errno;
	waitpid(pid, NULL, 0);
	errno = e;
	return r;
}

GTEST(wait4_bad_status_efault)
{
	EXPECT_EFAULT_ALL(wait4_exited_child(A));
}

/* A buffer that starts mapped and runs into an unmapped page. */
GTEST(uname_buffer_straddling_unmapped_page_efault)
{
	char *p = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(p + PAGE_SIZE, PAGE_SIZE), 0);
	CHECK_ERR(syscall(SYS_uname, p + PAGE_SIZE - 100), EFAULT);
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p + PAGE_SIZE - 8), EFAULT);
}

/* A read-only page is as bad as no page for a call that writes to it. */
GTEST(clock_gettime_readonly_buffer_efault)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p), EFAULT);
	CHECK_ERR(syscall(SYS_uname, p), EFAULT);
}
