// GUEST: glibc
/*
 * execveat.c - execveat(2): a path relative to a directory descriptor,
 * the file of a descriptor itself (AT_EMPTY_PATH), AT_SYMLINK_NOFOLLOW,
 * and the errors of bad descriptors and flags. Each exec runs in a child
 * running `sh -c "exit 42"`.
 */
#include "gtest.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *const sh_argv[] = { "sh", "-c", "exit 42", NULL };

static long raw_execveat(int dirfd, const char *path, int flags)
{
	return syscall(SYS_execveat, dirfd, path, sh_argv, environ, flags);
}

/* The status of a child that calls execveat (exit 99 if it returns). */
static int child_execveat(int dirfd, const char *path, int flags)
{
	pid_t pid = xfork();
	if (pid == 0) {
		raw_execveat(dirfd, path, flags);
		_exit(99);
	}
	return wait_status(pid);
}

GTEST(execveat_absolute_path_ignores_dirfd)
{
	CHECK_EXITED(child_execveat(-1, "/bin/sh", 0), 42);
}

GTEST(execveat_relative_to_directory_descriptor)
{
	int dir = open("/bin", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	CHECK_EXITED(child_execveat(dir, "sh", 0), 42);
	close(dir);
}

GTEST(execveat_empty_path_runs_the_descriptor_file)
{
	int fd = open("/bin/sh", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EXITED(child_execveat(fd, "", AT_EMPTY_PATH), 42);
	CHECK_ERR(raw_execveat(fd, "", 0), ENOENT);   /* empty without the flag */
	close(fd);
}

GTEST(execveat_nofollow_refuses_a_symlink)
{
	char link[64];
	snprintf(link, sizeof(link), "/tmp/execveat-link-%d", getpid());
	CHECK(symlink("/bin/sh", link) == 0);
	CHECK_ERR(raw_execveat(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW), ELOOP);
	CHECK_EXITED(child_execveat(AT_FDCWD, link, 0), 42);
	unlink(link);
}

GTEST(execveat_bad_descriptors_and_flags)
{
	int fd = open("/bin/sh", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(raw_execveat(fd, "sh", 0), ENOTDIR);
	CHECK_ERR(raw_execveat(1000, "sh", 0), EBADF);
	CHECK_ERR(raw_execveat(AT_FDCWD, "/bin/sh", 0x1), EINVAL);
	close(fd);
}

/* A child sharing the descriptor table (clone with CLONE_FILES, no
 * CLONE_THREAD) that execs gets its own copy first: closing its
 * close-on-exec descriptors must not close the parent's. */
GTEST(exec_unshares_a_shared_descriptor_table)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	long pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exit 0", (char *)NULL);
		_exit(99);
	}
	CHECK(pid > 0);
	CHECK_EXITED(wait_status((pid_t)pid), 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "the parent's descriptor was closed");
	close(fd);
}
