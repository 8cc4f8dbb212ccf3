/*
 * files_mmap.c - mappings of tmpfs files (/dev/shm): a MAP_SHARED write
 * is the file's data, seen through every other mapping of it (in other
 * processes too) and through read(); a MAP_PRIVATE write is copied and
 * never reaches the file.
 *
 * Elsewhere: SIGBUS past the end of a mapped file and a private mapping
 * of a hole that later gets written through write() (mm.c), a truncate
 * of a mapped file (filemap.c).
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <sys/stat.h>

#define PAGE 4096

/* A new /dev/shm file of len zero bytes, open read-write (and unlinked
 * by name at once, so that nothing is left behind). */
static int shm_file(const char *tag, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "/dev/shm/gtest-%s-%d", tag, (int)getpid());
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	CHECK_EQ(unlink(name), 0);
	CHECK_EQ(ftruncate(fd, (off_t)len), 0);
	return fd;
}

static char *map(int fd, size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

GTEST(map_shared_child_write_seen_by_parent_mapping_and_read)
{
	int fd = shm_file("shared", 2 * PAGE);
	char *mine = map(fd, 2 * PAGE, MAP_SHARED);
	char buf[16] = "";
	pid_t pid = xfork();

	if (pid == 0) {         /* the child maps the file on its own */
		char *its = map(fd, 2 * PAGE, MAP_SHARED);
		memcpy(its + PAGE + 10, "from child", 10);
		CHECK_EQ(msync(its, 2 * PAGE, MS_SYNC), 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(memcmp(mine + PAGE + 10, "from child", 10) == 0, "mapping holds \"%.10s\"", mine + PAGE + 10);
	CHECK_EQ(pread(fd, buf, 10, PAGE + 10), 10);
	CHECK(memcmp(buf, "from child", 10) == 0, "read gave \"%.10s\"", buf);
}

GTEST(map_shared_inherited_by_fork_stays_shared)
{
	int fd = shm_file("inherit", PAGE);
	char *p = map(fd, PAGE, MAP_SHARED);
	pid_t pid = xfork();

	if (pid == 0) {
		p[0] = 'k';
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(p[0], 'k');
}

GTEST(write_syscall_seen_through_shared_mapping)
{
	int fd = shm_file("write", PAGE);
	char *p = map(fd, PAGE, MAP_SHARED);

	CHECK_EQ(pwrite(fd, "xyz", 3, 100), 3);
	CHECK(memcmp(p + 100, "xyz", 3) == 0);
}

GTEST(map_private_write_never_reaches_file)
{
	int fd = shm_file("private", PAGE);
	char buf[8] = "";

	CHECK_EQ(pwrite(fd, "orig", 4, 0), 4);
	char *priv = map(fd, PAGE, MAP_PRIVATE);
	char *shared = map(fd, PAGE, MAP_SHARED);
	CHECK(memcmp(priv, "orig", 4) == 0);
	memcpy(priv, "priv", 4);
	CHECK(memcmp(shared, "orig", 4) == 0, "shared mapping sees \"%.4s\"", shared);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(memcmp(buf, "orig", 4) == 0, "file holds \"%.4s\"", buf);
	CHECK_EQ(msync(priv, PAGE, MS_SYNC), 0);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(memcmp(buf, "orig", 4) == 0, "file holds \"%.4s\" after msync", buf);
}

GTEST(shared_map_of_read_only_file_cannot_gain_write)
{
	char name[64];

	snprintf(name, sizeof(name), "/dev/shm/gtest-ro-%d", (int)getpid());
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	CHECK_EQ(ftruncate(fd, PAGE), 0);
	int ro = open(name, O_RDONLY);
	CHECK_EQ(unlink(name), 0);
	CHECK(ro >= 0);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_ERR(mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
	char *q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ro, 0);
	CHECK(q != MAP_FAILED);
	CHECK_EQ(mprotect(q, PAGE, PROT_READ | PROT_WRITE), 0);   /* a private copy may be written */
}
