/* rw2.c - the rest of the file calls: preadv2/pwritev2 and their RWF_*
 * flags (APPEND, NOAPPEND, NOWAIT on a pipe, EOPNOTSUPP on tmpfs),
 * the old getdents, utimes and futimesat, sync_file_range's checks.
 * Files are in /dev/shm (tmpfs on Linux too). */
#include "gtest.h"
#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/fs.h>

#define F "/dev/shm/rw2-gtest"
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x20
#endif

static long pwritev2_(int fd, const char *s, long pos, int flags)
{
	struct iovec v = { (void *)s, strlen(s) };
	return syscall(SYS_pwritev2, fd, &v, 1L, pos, 0L, (long)flags);
}

static long preadv2_(int fd, char *buf, size_t n, long pos, int flags)
{
	struct iovec v = { buf, n };
	return syscall(SYS_preadv2, fd, &v, 1L, pos, 0L, (long)flags);
}

GTEST(preadv2_pwritev2_offsets)
{
	int fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK_EQ(pwritev2_(fd, "hello", 0, 0), 5);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ(pwritev2_(fd, "HE", -1, 0), 2);          /* -1: the file position */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
	char buf[8] = { 0 };
	CHECK_EQ(preadv2_(fd, buf, 5, 0, RWF_HIPRI), 5);
	CHECK(memcmp(buf, "HEllo", 5) == 0, "read %s", buf);
	CHECK_EQ(preadv2_(fd, buf, 5, -1, 0), 3);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
	CHECK_ERR(pwritev2_(fd, "x", -2, 0), EINVAL);
	CHECK_EQ(pwritev2_(fd, "s", 0, RWF_DSYNC | RWF_SYNC), 1);
	close(fd);
	unlink(F);
}

GTEST(pwritev2_append_flags)
{
	int fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK_EQ(pwritev2_(fd, "0123", 0, 0), 4);
	CHECK_EQ(pwritev2_(fd, "ab", 0, RWF_APPEND), 2);    /* at the end, offset aside */
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 6);
	int app = open(F, O_RDWR | O_APPEND);
	CHECK_EQ(pwritev2_(app, "Z", 0, RWF_NOAPPEND), 1); /* at 0, O_APPEND aside */
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 6);
	char buf[8] = { 0 };
	CHECK_EQ(pread(fd, buf, 6, 0), 6);
	CHECK(memcmp(buf, "Z123ab", 6) == 0, "content %s", buf);
	close(app);
	close(fd);
	unlink(F);
}

GTEST(rwf_flags_not_supported)
{
	int fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0600);
	char buf[4];
	CHECK_ERR(pwritev2_(fd, "x", 0, 0x40), EOPNOTSUPP);       /* RWF_ATOMIC on tmpfs */
	CHECK_ERR(pwritev2_(fd, "x", 0, 0x1000), EOPNOTSUPP);
	CHECK_ERR(preadv2_(fd, buf, 1, 0, RWF_NOWAIT), EOPNOTSUPP); /* tmpfs: no NOWAIT */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(preadv2_(p[0], buf, 1, -1, RWF_NOWAIT), EAGAIN);
	CHECK_ERR(preadv2_(p[0], buf, 1, 0, 0), ESPIPE);
	CHECK_EQ(pwritev2_(p[1], "ok", -1, RWF_NOWAIT), 2);
	CHECK_EQ(preadv2_(p[0], buf, 4, -1, RWF_NOWAIT), 2);
	close(p[0]);
	close(p[1]);
	close(fd);
	unlink(F);
}

struct old_dirent {
	unsigned long d_ino, d_off;
	unsigned short d_reclen;
	char d_name[];
};

GTEST(getdents_old_lists_names_and_types)
{
	mkdir("/dev/shm/rw2-dir", 0755);
	close(open("/dev/shm/rw2-dir/file", O_CREAT | O_WRONLY, 0600));
	mkdir("/dev/shm/rw2-dir/sub", 0755);
	int d = open("/dev/shm/rw2-dir", O_RDONLY | O_DIRECTORY);
	char buf[1024];
	long n = syscall(SYS_getdents, d, buf, sizeof(buf));
	CHECK(n > 0, "getdents: %s", strerror(errno));
	int seen = 0;
	for (long at = 0; at < n;) {
		struct old_dirent *e = (struct old_dirent *)(buf + at);
		char type = buf[at + e->d_reclen - 1];
		CHECK(e->d_reclen % 8 == 0 && e->d_reclen > 0);
		if (strcmp(e->d_name, "file") == 0) {
			CHECK_EQ(type, DT_REG);
			seen |= 1;
		} else if (strcmp(e->d_name, "sub") == 0) {
			CHECK_EQ(type, DT_DIR);
			seen |= 2;
		} else if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			CHECK_EQ(type, DT_DIR);
			seen |= 4;
		}
		at += e->d_reclen;
	}
	CHECK_EQ(seen, 7);
	CHECK_EQ(syscall(SYS_getdents, d, buf, sizeof(buf)), 0);     /* the end */
	CHECK_EQ(lseek(d, 0, SEEK_SET), 0);
	CHECK_ERR(syscall(SYS_getdents, d, buf, 10), EINVAL);         /* nothing fits */
	int f = open("/dev/shm/rw2-dir/file", O_RDONLY);
	CHECK_ERR(syscall(SYS_getdents, f, buf, sizeof(buf)), ENOTDIR);
	CHECK_ERR(syscall(SYS_getdents, 99, buf, sizeof(buf)), EBADF);
	close(f);
	close(d);
	unlink("/dev/shm/rw2-dir/file");
	rmdir("/dev/shm/rw2-dir/sub");
	rmdir("/dev/shm/rw2-dir");
}

GTEST(utimes_and_futimesat_set_times)
{
	int fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0600);
	struct timeval tv[2] = { { 1000, 5 }, { 2000, 999999 } };
	CHECK_EQ(syscall(SYS_utimes, F, tv), 0);
	struct stat st;
	CHECK_EQ(stat(F, &st), 0);
	CHECK_EQ(st.st_atim.tv_sec, 1000);
	CHECK_EQ(st.st_atim.tv_nsec, 5000);
	CHECK_EQ(st.st_mtim.tv_sec, 2000);
	CHECK_EQ(st.st_mtim.tv_nsec, 999999000);
	int dir = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	tv[1].tv_sec = 3000;
	CHECK_EQ(syscall(SYS_futimesat, dir, "rw2-gtest", tv), 0);
	CHECK_EQ(stat(F, &st), 0);
	CHECK_EQ(st.st_mtim.tv_sec, 3000);
	CHECK_EQ(syscall(SYS_utimes, F, NULL), 0);                    /* now */
	CHECK_EQ(stat(F, &st), 0);
	CHECK(st.st_mtim.tv_sec > 3000);
	tv[0].tv_usec = 1000000;
	CHECK_ERR(syscall(SYS_utimes, F, tv), EINVAL);
	tv[0].tv_usec = -1;
	CHECK_ERR(syscall(SYS_futimesat, dir, "rw2-gtest", tv), EINVAL);
	CHECK_ERR(syscall(SYS_utimes, F, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_utimes, "/dev/shm/rw2-none", NULL), ENOENT);
	close(dir);
	close(fd);
	unlink(F);
}

GTEST(sync_file_range_checks)
{
	int fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK_EQ(write(fd, "data", 4), 4);
	CHECK_EQ(syscall(SYS_sync_file_range, fd, 0L, 0L, 7L), 0);
	CHECK_ERR(syscall(SYS_sync_file_range, fd, 0L, 0L, 8L), EINVAL);
	CHECK_ERR(syscall(SYS_sync_file_range, fd, -1L, 0L, 2L), EINVAL);
	CHECK_ERR(syscall(SYS_sync_file_range, fd, 0x7fffffffffffffffL, 10L, 2L), EINVAL);
	CHECK_ERR(syscall(SYS_sync_file_range, 99, 0L, 0L, 2L), EBADF);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(syscall(SYS_sync_file_range, p[0], 0L, 0L, 2L), ESPIPE);
	close(p[0]);
	close(p[1]);
	close(fd);
	unlink(F);
}
