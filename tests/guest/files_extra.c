/*
 * files_extra.c - what Linux programs expect of files beyond read and
 * write: mmap of /dev/zero (private: zero-filled memory of the process's
 * own; shared: anonymous memory shared with children, and the access
 * mode rules of a file mapping).
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
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
