/*
 * files_extra.c - what Linux programs expect of files beyond read and
 * write: mmap of /dev/zero (private: zero-filled memory of the process's
 * own; shared: anonymous memory shared with children, and the access
 * mode rules of a file mapping); fallocate (allocation growing the file
 * or not, PUNCH_HOLE giving space back and reading as zeros, also
 * through a shared mapping, ZERO_RANGE, and Linux's errors); writes
 * through a shared mapping stamp the file's mtime and ctime (reads do
 * not), again after each msync, and at the latest by munmap; reads move
 * atime by the relatime rule (not when atime is after both mtime and
 * ctime and less than a day old; never through an O_NOATIME open, which
 * only the owner may ask for).
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>

static int open_zero(int flags)
{
	int fd = open("/dev/zero", flags);
	CHECK(fd >= 0, "open /dev/zero: %s", strerror(errno));
	return fd;
}

GTEST(dev_zero_private_mapping_is_private_zeroed_memory)
{
	int fd = open_zero(O_RDONLY);
	char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap /dev/zero private: %s", strerror(errno));
	close(fd);
	for (int i = 0; i < 2 * 4096; i++)
		CHECK(m[i] == 0, "byte %d is %d", i, m[i]);
	strcpy(m, "parent");
	pid_t pid = xfork();
	if (pid == 0) {
		bool saw = strcmp(m, "parent") == 0;
		strcpy(m, "child");
		_exit(saw ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(strcmp(m, "parent") == 0, "the child's write showed through: %s", m);
	char buf[8];
	fd = open_zero(O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 8);   /* the device itself is still all zeros */
	CHECK_EQ(buf[0], 0);
	close(fd);
	munmap(m, 2 * 4096);
}

GTEST(dev_zero_shared_mapping_is_shared_with_children)
{
	int fd = open_zero(O_RDWR);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap /dev/zero shared: %s", strerror(errno));
	close(fd);
	CHECK_EQ(m[100], 0);
	pid_t pid = xfork();
	if (pid == 0) {
		strcpy(m + 100, "from the child");
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(strcmp(m + 100, "from the child") == 0, "shared page holds '%s'", m + 100);
	munmap(m, 4096);
	fd = open_zero(O_RDONLY);   /* a writable shared mapping needs O_RDWR */
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EACCES, "shared writable map of a read-only /dev/zero: %s", strerror(errno));
	close(fd);
	fd = open("/dev/null", O_RDWR);   /* other devices cannot be mapped */
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == ENODEV,
	      "map /dev/null: %s", strerror(errno));
	close(fd);
}

/* A new empty file of this test process, open read-write. */
static int new_file(char *path, size_t size)
{
	snprintf(path, size, "/tmp/gtest-falloc-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

static struct stat fstat_of(int fd)
{
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	return st;
}

/* Bytes [from, to) of fd read as c. */
static void check_bytes(int fd, off_t from, off_t to, char c)
{
	char buf[4096];
	for (off_t pos = from; pos < to; ) {
		size_t n = (size_t)(to - pos < (off_t)sizeof(buf) ? to - pos : (off_t)sizeof(buf));
		CHECK_EQ(pread(fd, buf, n, pos), (ssize_t)n);
		for (size_t i = 0; i < n; i++)
			CHECK(buf[i] == c, "byte %ld is %d, expected %d", (long)(pos + i), buf[i], c);
		pos += (off_t)n;
	}
}

/* fallocate, or skip the test where the host's file system lacks mode. */
static void fallocate_or_skip(int fd, int mode, off_t off, off_t len)
{
	int r = fallocate(fd, mode, off, len);
	if (r < 0 && errno == EOPNOTSUPP && !on_aspen())
		SKIP("this file system has no fallocate mode %#x", mode);
	CHECK(r == 0, "fallocate mode %#x: %s", mode, strerror(errno));
}

static void fill(int fd, off_t len, char c)
{
	char page[4096];
	memset(page, c, sizeof(page));
	for (off_t pos = 0; pos < len; pos += 4096)
		CHECK_EQ(pwrite(fd, page, 4096, pos), 4096);
}

GTEST(fallocate_allocates_with_or_without_growing_the_file)
{
	char path[64];
	int fd = new_file(path, sizeof(path));
	fallocate_or_skip(fd, 0, 0, 3 * 4096 + 100);
	struct stat st = fstat_of(fd);
	CHECK_EQ(st.st_size, 3 * 4096 + 100);
	CHECK(st.st_blocks >= 4 * 8, "st_blocks %ld", (long)st.st_blocks);
	check_bytes(fd, 0, st.st_size, 0);
	CHECK_EQ(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8 * 4096), 0);
	struct stat kept = fstat_of(fd);
	CHECK_EQ(kept.st_size, 3 * 4096 + 100);                 /* the size stays */
	CHECK(kept.st_blocks >= 8 * 8, "st_blocks %ld after KEEP_SIZE", (long)kept.st_blocks);
	CHECK_EQ(fallocate(fd, 0, 10 * 4096, 1), 0);            /* past the end: grows */
	CHECK_EQ(fstat_of(fd).st_size, 10 * 4096 + 1);
	close(fd);
	unlink(path);
}

GTEST(fallocate_punch_hole_reads_zeros_and_gives_space_back)
{
	char path[64];
	int fd = new_file(path, sizeof(path));
	fill(fd, 4 * 4096, 'x');
	char *m = mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(m[4096 + 7], 'x');
	struct stat before = fstat_of(fd);
	fallocate_or_skip(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 3 * 4096);
	struct stat after = fstat_of(fd);
	CHECK_EQ(after.st_size, 4 * 4096);
	check_bytes(fd, 0, 100, 'x');
	check_bytes(fd, 100, 100 + 3 * 4096, 0);
	check_bytes(fd, 100 + 3 * 4096, 4 * 4096, 'x');
	CHECK(m[4096 + 7] == 0 && m[99] == 'x', "the mapping shows %d %d", m[4096 + 7], m[99]);
	munmap(m, 4 * 4096);
	/* pages 1 and 2 were mapped while punched; punch page 1 again, unmapped */
	CHECK_EQ(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096), 0);
	after = fstat_of(fd);
	CHECK(after.st_blocks < before.st_blocks, "st_blocks %ld, was %ld",
	      (long)after.st_blocks, (long)before.st_blocks);
	check_bytes(fd, 4096, 2 * 4096, 0);
	close(fd);
	unlink(path);
}

GTEST(fallocate_zero_range)
{
	char path[64];
	int fd = new_file(path, sizeof(path));
	fill(fd, 2 * 4096, 'y');
	fallocate_or_skip(fd, FALLOC_FL_ZERO_RANGE, 10, 20);
	check_bytes(fd, 0, 10, 'y');
	check_bytes(fd, 10, 30, 0);
	check_bytes(fd, 30, 2 * 4096, 'y');
	CHECK_EQ(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 4096, 3 * 4096), 0);
	CHECK_EQ(fstat_of(fd).st_size, 2 * 4096);
	check_bytes(fd, 4096, 2 * 4096, 0);
	CHECK_EQ(fallocate(fd, FALLOC_FL_ZERO_RANGE, 4096, 3 * 4096), 0);
	CHECK_EQ(fstat_of(fd).st_size, 4 * 4096);
	close(fd);
	unlink(path);
}

GTEST(fallocate_errors)
{
	char path[64];
	int fd = new_file(path, sizeof(path));
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			    0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, 0, -1, 4096), EINVAL);
	CHECK_ERR(fallocate(fd, 0x1000, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(-1, 0, 0, 4096), EBADF);
	int ro = open(path, O_RDONLY);
	CHECK_ERR(fallocate(ro, 0, 0, 4096), EBADF);
	close(ro);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(fallocate(p[1], 0, 0, 4096), ESPIPE);
	close(p[0]);
	close(p[1]);
	int null = open("/dev/null", O_RDWR);
	CHECK_ERR(fallocate(null, 0, 0, 4096), ENODEV);
	close(null);
	close(fd);
	unlink(path);
}

#define OLD_TIME 1000   /* seconds since 1970: far before any stamp */

/* Set fd's atime and mtime back to OLD_TIME. */
static void age(int fd)
{
	struct timespec t[2] = { { OLD_TIME, 0 }, { OLD_TIME, 0 } };
	CHECK_EQ(futimens(fd, t), 0);
	CHECK_EQ(fstat_of(fd).st_mtime, OLD_TIME);
}

/* fd's mtime was stamped (and ctime with it). */
static void check_stamped(int fd, const char *after)
{
	struct stat st = fstat_of(fd);
	CHECK(st.st_mtime > OLD_TIME, "mtime not stamped after %s", after);
	CHECK(st.st_ctime >= st.st_mtime, "ctime %ld before mtime %ld after %s",
	      (long)st.st_ctime, (long)st.st_mtime, after);
}

GTEST(writes_through_a_shared_mapping_stamp_mtime)
{
	char path[64];
	int fd = new_file(path, sizeof(path));
	fill(fd, 2 * 4096, 'm');
	char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	age(fd);
	CHECK_EQ(m[0], 'm');
	CHECK_EQ(fstat_of(fd).st_mtime, OLD_TIME);           /* a read stamps nothing */
	m[0] = 'w';
	CHECK_EQ(msync(m, 2 * 4096, MS_SYNC), 0);
	check_stamped(fd, "the first write");
	age(fd);
	m[1] = 'w';                                           /* the same page, after msync */
	CHECK_EQ(msync(m, 4096, MS_SYNC), 0);
	check_stamped(fd, "a write after msync");
	age(fd);
	m[4096] = 'w';
	CHECK_EQ(munmap(m, 2 * 4096), 0);
	check_stamped(fd, "a write, then munmap");
	char buf[2];
	CHECK_EQ(pread(fd, buf, 2, 0), 2);
	CHECK(buf[0] == 'w' && buf[1] == 'w', "file holds %.2s", buf);
	CHECK_ERR(msync(m + 1, 4096, MS_SYNC), EINVAL);
	CHECK_ERR(msync(m, 4096, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR(msync(m, 4096, MS_SYNC), ENOMEM);           /* unmapped now */
	close(fd);
	unlink(path);
}

/* Set fd's atime to atime and mtime to OLD_TIME (ctime becomes now). */
static void set_times(int fd, time_t atime)
{
	struct timespec t[2] = { { atime, 0 }, { OLD_TIME, 0 } };
	CHECK_EQ(futimens(fd, t), 0);
}

static void read_one(int fd)
{
	char c;
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
}

GTEST(reads_update_atime_by_the_relatime_rule)
{
	char path[64];
	int fd = new_file(path, sizeof(path));
	fill(fd, 4096, 'r');
	set_times(fd, OLD_TIME - 1);                 /* before mtime: a read moves it */
	read_one(fd);
	struct stat st = fstat_of(fd);
	if (st.st_atime == OLD_TIME - 1 && !on_aspen())
		SKIP("this file system does not update atime (noatime?)");
	CHECK(st.st_atime >= st.st_ctime, "atime %ld, ctime %ld", (long)st.st_atime,
	      (long)st.st_ctime);
	time_t later = st.st_ctime + 3600;           /* after mtime and ctime, not a day old */
	set_times(fd, later);
	read_one(fd);
	CHECK_EQ(fstat_of(fd).st_atime, later);
	set_times(fd, OLD_TIME - 1);
	int noatime = open(path, O_RDONLY | O_NOATIME);
	CHECK(noatime >= 0, "open O_NOATIME: %s", strerror(errno));
	read_one(noatime);
	CHECK_EQ(fstat_of(fd).st_atime, OLD_TIME - 1);
	close(noatime);
	if (geteuid() == 0) {
		CHECK_EQ(fchmod(fd, 0644), 0);
		pid_t pid = xfork();
		if (pid == 0) {   /* not the owner: O_NOATIME is refused */
			if (setuid(1000))
				_exit(2);
			int r = open(path, O_RDONLY | O_NOATIME);
			_exit(r < 0 && errno == EPERM ? 0 : 3);
		}
		CHECK_EXITED(wait_status(pid), 0);
	}
	close(fd);
	unlink(path);
}
