/* openat2.c - openat2's struct open_how (size rules: EINVAL, E2BIG;
 * flag, mode and resolve checks) and each RESOLVE_* limit on a path
 * walk; close_range with its CLOEXEC and UNSHARE flags; reopening a file
 * through its /proc/self/fd magic link. */
#include "gtest.h"
#include <sys/stat.h>
#include <sched.h>
#include <linux/openat2.h>
#include <linux/close_range.h>

#define DIR_ "/tmp/openat2-gtest"

static long openat2_(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* A tree: DIR_/sub/file, DIR_/abs -> /etc, DIR_/rel -> sub/file,
 * DIR_/up -> ../openat2-gtest/sub, DIR_/sub/dotdot -> ../sub/file. */
static int make_tree(void)
{
	mkdir(DIR_, 0755);
	mkdir(DIR_ "/sub", 0755);
	int fd = open(DIR_ "/sub/file", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0, "create: %s", strerror(errno));
	CHECK_EQ(write(fd, "data", 4), 4);
	close(fd);
	symlink("/etc", DIR_ "/abs");
	symlink("sub/file", DIR_ "/rel");
	symlink("../openat2-gtest/sub", DIR_ "/up");
	symlink("../sub/file", DIR_ "/sub/dotdot");
	int dfd = open(DIR_, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	return dfd;
}

static void remove_tree(void)
{
	unlink(DIR_ "/sub/dotdot");
	unlink(DIR_ "/sub/file");
	unlink(DIR_ "/sub/new");
	rmdir(DIR_ "/sub");
	unlink(DIR_ "/abs");
	unlink(DIR_ "/rel");
	unlink(DIR_ "/up");
	rmdir(DIR_);
}

static void close_ok(long fd)
{
	CHECK(fd >= 0, "openat2: %s", strerror(errno));
	close((int)fd);
}

GTEST(openat2_how_size_rules)
{
	struct { struct open_how how; uint64_t extra; } big = { { .flags = O_RDONLY }, 0 };
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "/", &big, 16), EINVAL);
	close_ok(syscall(SYS_openat2, AT_FDCWD, "/", &big, sizeof(big)));   /* zeros past it: fine */
	big.extra = 1;
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "/", &big, sizeof(big)), E2BIG);
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "/", &big, 4097), E2BIG);
	CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "/", (void *)8, sizeof(struct open_how)), EFAULT);
}

GTEST(openat2_flag_mode_and_resolve_checks)
{
	CHECK_ERR(openat2_(AT_FDCWD, "/", 1ULL << 40, 0, 0), EINVAL);
	CHECK_ERR(openat2_(AT_FDCWD, "/", O_RDONLY, 0644, 0), EINVAL);       /* mode without O_CREAT */
	CHECK_ERR(openat2_(AT_FDCWD, "/tmp/x", O_CREAT | O_WRONLY, 010000, 0), EINVAL);
	CHECK_ERR(openat2_(AT_FDCWD, "/", O_RDONLY, 0, 0x40), EINVAL);
	CHECK_ERR(openat2_(AT_FDCWD, "/", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
	CHECK_ERR(openat2_(AT_FDCWD, "/", O_PATH | O_APPEND, 0, 0), EINVAL);
	CHECK_ERR(openat2_(AT_FDCWD, "/tmp/x", O_CREAT | O_WRONLY, 0600, RESOLVE_CACHED), EAGAIN);
	close_ok(openat2_(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0, 0));
}

GTEST(openat2_creates_with_mode)
{
	int dfd = make_tree();
	umask(022);
	long fd = openat2_(dfd, "sub/new", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640, RESOLVE_BENEATH);
	CHECK(fd >= 0, "create: %s", strerror(errno));
	CHECK_EQ(fcntl((int)fd, F_GETFD), FD_CLOEXEC);
	struct stat st;
	CHECK_EQ(fstat((int)fd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0640);
	close((int)fd);
	close(dfd);
	remove_tree();
}

GTEST(resolve_no_symlinks_refuses_any_link)
{
	int dfd = make_tree();
	close_ok(openat2_(dfd, "rel", O_RDONLY, 0, 0));
	CHECK_ERR(openat2_(dfd, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	CHECK_ERR(openat2_(dfd, "up/file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	close_ok(openat2_(dfd, "rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
	close_ok(openat2_(dfd, "sub/file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	close(dfd);
	remove_tree();
}

GTEST(resolve_beneath_stays_below_the_dirfd)
{
	int dfd = make_tree();
	close_ok(openat2_(dfd, "sub/file", O_RDONLY, 0, RESOLVE_BENEATH));
	close_ok(openat2_(dfd, "rel", O_RDONLY, 0, RESOLVE_BENEATH));
	close_ok(openat2_(dfd, "sub/../sub/file", O_RDONLY, 0, RESOLVE_BENEATH));
	close_ok(openat2_(dfd, "sub/dotdot", O_RDONLY, 0, RESOLVE_BENEATH));
	CHECK_ERR(openat2_(dfd, "..", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(openat2_(dfd, "/etc", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(openat2_(dfd, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR(openat2_(dfd, "up/file", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	close(dfd);
	remove_tree();
}

GTEST(resolve_in_root_scopes_slash_and_dotdot)
{
	int dfd = make_tree();
	long fd = openat2_(dfd, "/sub/file", O_RDONLY, 0, RESOLVE_IN_ROOT);
	CHECK(fd >= 0, "/sub/file in root: %s", strerror(errno));
	char buf[8] = { 0 };
	CHECK_EQ(read((int)fd, buf, 4), 4);
	CHECK(strcmp(buf, "data") == 0);
	close((int)fd);
	close_ok(openat2_(dfd, "../../sub/file", O_RDONLY, 0, RESOLVE_IN_ROOT));
	CHECK_ERR(openat2_(dfd, "abs/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);   /* /etc inside */
	CHECK_ERR(openat2_(dfd, "/etc", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);
	close(dfd);
	remove_tree();
}

GTEST(resolve_no_xdev_stops_at_mounts)
{
	int root = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(openat2_(root, "proc/self", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	close_ok(openat2_(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, 0));
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(openat2_(proc, "..", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	close_ok(openat2_(proc, "self/status", O_RDONLY, 0, RESOLVE_NO_XDEV));
	close(proc);
	close(root);
}

GTEST(magic_links_reopen_their_object)
{
	char path[64];
	int fd = open("/tmp/openat2-magic", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(unlink("/tmp/openat2-magic"), 0);
	CHECK_EQ(write(fd, "gone", 4), 4);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int again = open(path, O_RDONLY);
	CHECK(again >= 0, "reopen of an unlinked file: %s", strerror(errno));
	char buf[8] = { 0 };
	CHECK_EQ(read(again, buf, 4), 4);
	CHECK(strcmp(buf, "gone") == 0, "read %s", buf);
	close(again);
	CHECK_ERR(openat2_(AT_FDCWD, path, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
	CHECK_ERR(openat2_(AT_FDCWD, path, O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	int procfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%d", fd);
	CHECK_ERR(openat2_(procfd, path, O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
	close_ok(openat2_(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS));
	close(procfd);
	close(fd);
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

GTEST(close_range_closes_only_the_range)
{
	int base = open("/dev/null", O_RDONLY);
	for (int i = 1; i < 6; i++)
		CHECK_EQ(dup2(base, base + i), base + i);
	CHECK_EQ(syscall(SYS_close_range, base + 1, base + 3, 0), 0);
	CHECK(is_open(base) && !is_open(base + 1) && !is_open(base + 3) && is_open(base + 4));
	CHECK_EQ(syscall(SYS_close_range, base + 4, ~0U, 0), 0);
	CHECK(!is_open(base + 4) && !is_open(base + 5) && is_open(base));
	CHECK_ERR(syscall(SYS_close_range, 5, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_close_range, 0, 4, 0x1), EINVAL);
	CHECK_EQ(syscall(SYS_close_range, 900, 1000, 0), 0);    /* nothing open there */
	close(base);
}

GTEST(close_range_cloexec_marks_without_closing)
{
	int base = open("/dev/null", O_RDONLY);
	CHECK_EQ(dup2(base, base + 1), base + 1);
	CHECK_EQ(syscall(SYS_close_range, base, base + 1, CLOSE_RANGE_CLOEXEC), 0);
	CHECK_EQ(fcntl(base, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(base + 1, F_GETFD), FD_CLOEXEC);
	close(base);
	close(base + 1);
}

static int child_fd = -1;
static int thread_fn(void *arg)
{
	int *flag = arg;
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		;
	/* the parent unshared: our table still holds the descriptor */
	_exit(is_open(child_fd) ? 0 : 1);
}

GTEST(close_range_unshare_leaves_sharers_alone)
{
	child_fd = open("/dev/null", O_RDONLY);
	int *flag = shared_map(4096);
	char *stack = malloc(65536);
	pid_t pid = clone(thread_fn, stack + 65536, CLONE_FILES | SIGCHLD, flag);
	CHECK(pid > 0, "clone: %s", strerror(errno));
	CHECK_EQ(syscall(SYS_close_range, child_fd, child_fd, CLOSE_RANGE_UNSHARE), 0);
	CHECK(!is_open(child_fd));
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	CHECK_EXITED(wait_status(pid), 0);
}
