/*
 * xattr.c - extended attributes as Linux keeps them on tmpfs: set, get,
 * list and remove by path, by descriptor and without following a
 * symlink; XATTR_CREATE and XATTR_REPLACE; sizes asked with a 0 buffer
 * and ERANGE for a short one; the limits on names (ERANGE) and values
 * (E2BIG); the rules of each namespace (user.* by file permission and
 * only on files and directories, trusted.* for CAP_SYS_ADMIN and hidden
 * from others' lists, security.* changed by CAP_SYS_ADMIN only and
 * security.capability checked and converted as commoncap does, unknown
 * prefixes EOPNOTSUPP); ctime and IN_ATTRIB on a change; EFAULT for
 * every bad pointer.
 *
 * Each test works in a fresh directory under /dev/shm (tmpfs on Linux,
 * ramfs in Aspen). Tests that drop to nobody need root (else skipped).
 * ext2's on-disk attributes are tested by ext2.c and boot/ext2_xattr.
 */
// GUEST: glibc
#include "gtest_cred.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <fcntl.h>
#include <time.h>

#define BAD ((void *)8)         /* an address nothing maps */
#define SIZE_MAX_XATTR 65536

static char dir[64];

static void setup(void)
{
	scratch_dir_enter(dir, sizeof(dir), "/dev/shm/xattr-XXXXXX");
	CHECK_EQ(chmod(dir, 0777), 0);
}

static void cleanup(void)
{
	scratch_dir_leave(dir);
}

/* A new file name with mode (and its text, so it is not empty). */
static void make_file(const char *name, mode_t mode)
{
	int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, mode);
	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	CHECK_EQ(write(fd, "data", 4), 4);
	CHECK_EQ(fchmod(fd, mode), 0);
	close(fd);
}

/* The value of name on path as a string (fails the test if absent). */
static const char *value_of(const char *path, const char *name)
{
	static char buf[256];
	ssize_t n = getxattr(path, name, buf, sizeof(buf) - 1);
	CHECK(n >= 0, "getxattr %s %s: %s", path, name, strerror(errno));
	buf[n] = '\0';
	return buf;
}

/* Does the NUL-separated list (len bytes) hold name? Checks the form too. */
static bool list_has(const char *list, ssize_t len, const char *name)
{
	bool found = false;
	CHECK(len == 0 || list[len - 1] == '\0', "list not NUL-terminated");
	for (const char *p = list; p < list + len; p += strlen(p) + 1)
		found |= strcmp(p, name) == 0;
	return found;
}

/* In a child as nobody: fn(); the test fails if the child does. */
static void as_nobody(void (*fn)(void))
{
	if (geteuid() != 0)
		SKIP("needs root to drop to nobody");
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		become_nobody();
		fn();
		_exit(0);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EXITED(status, 0);
}

GTEST(set_get_round_trip_and_sizes)
{
	setup();
	make_file("f", 0644);
	CHECK_EQ(setxattr("f", "user.greeting", "hello", 5, 0), 0);
	CHECK_EQ(getxattr("f", "user.greeting", NULL, 0), 5);
	char buf[16] = { 0 };
	CHECK_EQ(getxattr("f", "user.greeting", buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "value %.5s", buf);
	CHECK_ERR(getxattr("f", "user.greeting", buf, 4), ERANGE);
	CHECK_EQ(getxattr("f", "user.greeting", buf, 5), 5);
	CHECK_ERR(getxattr("f", "user.other", buf, sizeof(buf)), ENODATA);
	/* A value of any bytes, NULs included, and an empty one. */
	CHECK_EQ(setxattr("f", "user.bin", "a\0b\0", 4, 0), 0);
	CHECK_EQ(getxattr("f", "user.bin", buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "a\0b\0", 4) == 0);
	CHECK_EQ(syscall(SYS_setxattr, "f", "user.empty", NULL, 0, 0), 0);
	CHECK_EQ(getxattr("f", "user.empty", buf, sizeof(buf)), 0);
	CHECK_EQ(syscall(SYS_getxattr, "f", "user.empty", BAD, 16), 0);
	/* A directory holds user.* too. */
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(setxattr("d", "user.dir", "yes", 3, 0), 0);
	CHECK(strcmp(value_of("d", "user.dir"), "yes") == 0);
	cleanup();
}

GTEST(create_and_replace_flags)
{
	setup();
	make_file("f", 0644);
	CHECK_ERR(setxattr("f", "user.a", "1", 1, XATTR_REPLACE), ENODATA);
	CHECK_EQ(setxattr("f", "user.a", "1", 1, XATTR_CREATE), 0);
	CHECK_ERR(setxattr("f", "user.a", "2", 1, XATTR_CREATE), EEXIST);
	CHECK(strcmp(value_of("f", "user.a"), "1") == 0);
	CHECK_EQ(setxattr("f", "user.a", "22", 2, XATTR_REPLACE), 0);
	CHECK(strcmp(value_of("f", "user.a"), "22") == 0);
	CHECK_EQ(setxattr("f", "user.a", "333", 3, 0), 0);
	CHECK(strcmp(value_of("f", "user.a"), "333") == 0);
	CHECK_ERR(setxattr("f", "user.a", "4", 1, XATTR_CREATE | XATTR_REPLACE), EEXIST);
	CHECK_ERR(setxattr("f", "user.b", "4", 1, XATTR_CREATE | XATTR_REPLACE), ENODATA);
	CHECK_ERR(setxattr("f", "user.a", "4", 1, 4), EINVAL);
	CHECK_ERR(setxattr("f", "user.a", "4", 1, -1), EINVAL);
	CHECK(strcmp(value_of("f", "user.a"), "333") == 0);
	cleanup();
}

GTEST(list_is_nul_separated_and_sized)
{
	setup();
	make_file("f", 0644);
	CHECK_EQ(listxattr("f", NULL, 0), 0);
	CHECK_EQ(setxattr("f", "user.a", "1", 1, 0), 0);
	CHECK_EQ(setxattr("f", "user.bb", "2", 1, 0), 0);
	CHECK_EQ(setxattr("f", "user.ccc", "3", 1, 0), 0);
	ssize_t need = (ssize_t)(sizeof("user.a") + sizeof("user.bb") + sizeof("user.ccc"));
	CHECK_EQ(listxattr("f", NULL, 0), need);
	char list[256];
	CHECK_ERR(listxattr("f", list, (size_t)need - 1), ERANGE);
	CHECK_EQ(listxattr("f", list, sizeof(list)), need);
	CHECK(list_has(list, need, "user.a") && list_has(list, need, "user.bb") &&
	      list_has(list, need, "user.ccc"));
	CHECK_EQ(removexattr("f", "user.bb"), 0);
	need -= (ssize_t)sizeof("user.bb");
	CHECK_EQ(listxattr("f", list, sizeof(list)), need);
	CHECK(!list_has(list, need, "user.bb") && list_has(list, need, "user.ccc"));
	CHECK_ERR(removexattr("f", "user.bb"), ENODATA);
	CHECK_ERR(getxattr("f", "user.bb", list, sizeof(list)), ENODATA);
	cleanup();
}

GTEST(name_limits_and_namespaces)
{
	setup();
	make_file("f", 0644);
	char name[300];
	memset(name, 'n', sizeof(name));
	memcpy(name, "user.", 5);
	name[255] = '\0';                      /* 255 bytes: the longest */
	CHECK_EQ(setxattr("f", name, "v", 1, 0), 0);
	CHECK_EQ(getxattr("f", name, NULL, 0), 1);
	CHECK_EQ(removexattr("f", name), 0);
	name[255] = 'n';
	name[256] = '\0';                      /* 256 bytes */
	CHECK_ERR(setxattr("f", name, "v", 1, 0), ERANGE);
	CHECK_ERR(getxattr("f", name, NULL, 0), ERANGE);
	CHECK_ERR(removexattr("f", name), ERANGE);
	CHECK_ERR(setxattr("f", "", "v", 1, 0), ERANGE);
	CHECK_ERR(getxattr("f", "", NULL, 0), ERANGE);
	CHECK_ERR(removexattr("f", ""), ERANGE);
	/* The name is checked before the path. */
	CHECK_ERR(getxattr("no-such", "", NULL, 0), ERANGE);
	CHECK_ERR(getxattr("no-such", "user.a", NULL, 0), ENOENT);
	CHECK_ERR(setxattr("f", "user.", "v", 1, 0), EINVAL);
	CHECK_ERR(getxattr("f", "user.", NULL, 0), EINVAL);
	CHECK_ERR(setxattr("f", "trusted.", "v", 1, 0), EINVAL);
	CHECK_ERR(setxattr("f", "foo.bar", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR(getxattr("f", "foo.bar", NULL, 0), EOPNOTSUPP);
	CHECK_ERR(removexattr("f", "foo.bar"), EOPNOTSUPP);
	CHECK_ERR(setxattr("f", "system.foo", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR(getxattr("f", "system.foo", NULL, 0), EOPNOTSUPP);
	CHECK_ERR(setxattr("f", "user", "v", 1, 0), EOPNOTSUPP);
	cleanup();
}

GTEST(value_limits)
{
	setup();
	make_file("f", 0644);
	char *big = malloc(SIZE_MAX_XATTR + 1), *back = malloc(SIZE_MAX_XATTR * 2);
	CHECK(big && back);
	for (int i = 0; i <= SIZE_MAX_XATTR; i++)
		big[i] = (char)(i * 7);
	CHECK_ERR(setxattr("f", "user.big", big, SIZE_MAX_XATTR + 1, 0), E2BIG);
	CHECK_ERR(setxattr("no-such", "user.big", big, SIZE_MAX_XATTR + 1, 0), E2BIG);
	CHECK_EQ(setxattr("f", "user.big", big, SIZE_MAX_XATTR, 0), 0);
	CHECK_EQ(getxattr("f", "user.big", NULL, 0), SIZE_MAX_XATTR);
	CHECK_EQ(getxattr("f", "user.big", back, SIZE_MAX_XATTR * 2), SIZE_MAX_XATTR);
	CHECK(memcmp(big, back, SIZE_MAX_XATTR) == 0);
	CHECK_ERR(getxattr("f", "user.big", back, SIZE_MAX_XATTR - 1), ERANGE);
	CHECK_EQ(removexattr("f", "user.big"), 0);
	free(big);
	free(back);
	cleanup();
}

GTEST(bad_pointers_fault)
{
	setup();
	make_file("f", 0644);
	CHECK_EQ(setxattr("f", "user.a", "abc", 3, 0), 0);
	char buf[16];
	CHECK_ERR(syscall(SYS_setxattr, "f", BAD, "v", 1, 0), EFAULT);
	CHECK_ERR(syscall(SYS_setxattr, "f", "user.a", BAD, 1, 0), EFAULT);
	CHECK_ERR(syscall(SYS_setxattr, "f", "user.a", NULL, 5, 0), EFAULT);
	CHECK_ERR(syscall(SYS_setxattr, BAD, "user.a", "v", 1, 0), EFAULT);
	CHECK_ERR(syscall(SYS_getxattr, "f", BAD, buf, sizeof(buf)), EFAULT);
	CHECK_ERR(syscall(SYS_getxattr, "f", "user.a", BAD, sizeof(buf)), EFAULT);
	CHECK_EQ(syscall(SYS_getxattr, "f", "user.a", BAD, 0), 3);
	CHECK_ERR(syscall(SYS_getxattr, BAD, "user.a", buf, sizeof(buf)), EFAULT);
	CHECK_ERR(syscall(SYS_listxattr, "f", BAD, 64), EFAULT);
	CHECK_EQ(syscall(SYS_listxattr, "f", BAD, 0), (long)sizeof("user.a"));
	CHECK_ERR(syscall(SYS_listxattr, BAD, buf, sizeof(buf)), EFAULT);
	CHECK_ERR(syscall(SYS_removexattr, "f", BAD), EFAULT);
	CHECK_ERR(syscall(SYS_removexattr, BAD, "user.a"), EFAULT);
	int fd = open("f", O_RDONLY);
	CHECK_ERR(syscall(SYS_fsetxattr, fd, "user.a", BAD, 1, 0), EFAULT);
	CHECK_ERR(syscall(SYS_fgetxattr, fd, "user.a", BAD, 4), EFAULT);
	CHECK_ERR(syscall(SYS_flistxattr, fd, BAD, 16), EFAULT);
	CHECK_ERR(syscall(SYS_fremovexattr, fd, BAD), EFAULT);
	close(fd);
	CHECK(strcmp(value_of("f", "user.a"), "abc") == 0);
	cleanup();
}

GTEST(descriptor_and_nofollow_forms)
{
	setup();
	make_file("f", 0644);
	CHECK_EQ(symlink("f", "link"), 0);
	CHECK_EQ(mkfifo("fifo", 0644), 0);
	int fd = open("f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(fsetxattr(fd, "user.fd", "x", 1, 0), 0);
	char buf[64];
	CHECK_EQ(fgetxattr(fd, "user.fd", buf, sizeof(buf)), 1);
	CHECK_EQ(flistxattr(fd, buf, sizeof(buf)), (long)sizeof("user.fd"));
	/* Through the symlink, the file's own attributes. */
	CHECK(strcmp(value_of("link", "user.fd"), "x") == 0);
	CHECK_EQ(setxattr("link", "user.via", "y", 1, 0), 0);
	CHECK_EQ(fgetxattr(fd, "user.via", buf, sizeof(buf)), 1);
	CHECK_EQ(fremovexattr(fd, "user.via"), 0);
	/* The symlink itself: no user.* (EPERM to change, ENODATA to read). */
	CHECK_ERR(lsetxattr("link", "user.a", "v", 1, 0), EPERM);
	CHECK_ERR(lgetxattr("link", "user.fd", buf, sizeof(buf)), ENODATA);
	CHECK_ERR(lremovexattr("link", "user.fd"), EPERM);
	CHECK_EQ(llistxattr("link", buf, sizeof(buf)), 0);
	CHECK_ERR(setxattr("fifo", "user.a", "v", 1, 0), EPERM);
	CHECK_ERR(getxattr("fifo", "user.a", buf, sizeof(buf)), ENODATA);
	/* Bad descriptors. */
	CHECK_ERR(fsetxattr(-1, "user.a", "v", 1, 0), EBADF);
	CHECK_ERR(fgetxattr(999, "user.a", buf, sizeof(buf)), EBADF);
	CHECK_ERR(flistxattr(-1, buf, sizeof(buf)), EBADF);
	CHECK_ERR(fremovexattr(-1, "user.a"), EBADF);
	int pfd = open("f", O_PATH);
	CHECK(pfd >= 0);
	CHECK_ERR(fgetxattr(pfd, "user.fd", buf, sizeof(buf)), EBADF);
	CHECK_ERR(fsetxattr(pfd, "user.fd", "v", 1, 0), EBADF);
	CHECK_ERR(flistxattr(pfd, buf, sizeof(buf)), EBADF);
	close(pfd);
	close(fd);
	cleanup();
}

static void nobody_trusted_rules(void)
{
	char l[128];
	CHECK_ERR(getxattr("f", "trusted.t", l, sizeof(l)), ENODATA);
	CHECK_ERR(setxattr("f", "trusted.t", "me", 2, 0), EPERM);
	CHECK_ERR(setxattr("f", "trusted.new", "me", 2, 0), EPERM);
	CHECK_ERR(removexattr("f", "trusted.t"), EPERM);
	ssize_t len = listxattr("f", l, sizeof(l));
	CHECK_EQ(len, (long)sizeof("user.u"));
	CHECK(list_has(l, len, "user.u"));
	CHECK_EQ(listxattr("f", NULL, 0), (long)sizeof("user.u"));
}

/* Descriptors with no file of their own (eventfd, epoll, a pipe) stand on
 * an inode that is neither a regular file nor a directory: an empty list,
 * no user.* attributes to read (ENODATA) or set (EPERM). The fuzzer once
 * found a kernel that took flistxattr on an eventfd for a NULL inode. */
GTEST(descriptors_without_a_file_have_no_attributes)
{
	int p[2];
	CHECK(pipe(p) == 0);
	int fds[] = { eventfd(0, 0), epoll_create1(0), p[0] };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		char buf[64];
		CHECK(fds[i] >= 0);
		CHECK_EQ(flistxattr(fds[i], buf, sizeof(buf)), 0);
		CHECK_ERR(fgetxattr(fds[i], "user.x", buf, sizeof(buf)), ENODATA);
		CHECK_ERR(fsetxattr(fds[i], "user.x", "v", 1, 0), EPERM);
		CHECK_ERR(fremovexattr(fds[i], "user.x"), EPERM);
		close(fds[i]);
	}
	close(p[1]);
}

GTEST(trusted_needs_cap_sys_admin)
{
	if (geteuid() != 0)
		SKIP("needs root");
	setup();
	make_file("f", 0666);
	CHECK_EQ(setxattr("f", "trusted.t", "root", 4, 0), 0);
	CHECK_EQ(setxattr("f", "user.u", "all", 3, 0), 0);
	CHECK(strcmp(value_of("f", "trusted.t"), "root") == 0);
	char list[128];
	ssize_t n = listxattr("f", list, sizeof(list));
	CHECK(list_has(list, n, "trusted.t") && list_has(list, n, "user.u"));
	/* trusted.* on a symlink is fine for root. */
	CHECK_EQ(symlink("f", "link"), 0);
	CHECK_EQ(lsetxattr("link", "trusted.l", "1", 1, 0), 0);
	CHECK_EQ(llistxattr("link", list, sizeof(list)), (long)sizeof("trusted.l"));
	as_nobody(nobody_trusted_rules);
	CHECK(strcmp(value_of("f", "trusted.t"), "root") == 0);
	cleanup();
}

static void nobody_user_rules(void)
{
	char buf[16];
	/* 0644 root's: read yes, change no. */
	CHECK_EQ(getxattr("ro", "user.a", buf, sizeof(buf)), 1);
	CHECK_ERR(setxattr("ro", "user.a", "n", 1, 0), EACCES);
	CHECK_ERR(removexattr("ro", "user.a"), EACCES);
	/* 0600: not even read. */
	CHECK_ERR(getxattr("private", "user.a", buf, sizeof(buf)), EACCES);
	CHECK_EQ(listxattr("private", NULL, 0), (long)sizeof("user.a"));
	/* 0666: both. */
	CHECK_EQ(setxattr("rw", "user.mine", "n", 1, 0), 0);
	CHECK_EQ(removexattr("rw", "user.mine"), 0);
	/* A writable directory, then a sticky one nobody does not own. */
	CHECK_EQ(setxattr("open", "user.mine", "n", 1, 0), 0);
	CHECK_ERR(setxattr("sticky", "user.mine", "n", 1, 0), EPERM);
	CHECK_ERR(removexattr("sticky", "user.a"), EPERM);
	CHECK_EQ(getxattr("sticky", "user.a", buf, sizeof(buf)), 1);
	/* An unknown prefix meets the file's permission first. */
	CHECK_ERR(setxattr("ro", "foo.bar", "n", 1, 0), EACCES);
	CHECK_ERR(setxattr("ro", "user.", "n", 1, 0), EACCES);
	CHECK_ERR(getxattr("ro", "foo.bar", buf, sizeof(buf)), EOPNOTSUPP);
}

GTEST(user_namespace_follows_file_permission)
{
	setup();
	make_file("ro", 0644);
	make_file("private", 0600);
	make_file("rw", 0666);
	CHECK_EQ(mkdir("open", 0777), 0);
	CHECK_EQ(mkdir("sticky", 01777), 0);
	CHECK_EQ(chmod("open", 0777), 0);
	CHECK_EQ(chmod("sticky", 01777), 0);
	const char *all[] = { "ro", "private", "sticky" };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK_EQ(setxattr(all[i], "user.a", "r", 1, 0), 0);
	as_nobody(nobody_user_rules);
	/* The owner of a sticky directory may change its attributes. */
	CHECK_EQ(setxattr("sticky", "user.owner", "o", 1, 0), 0);
	cleanup();
}

static void nobody_security_rules(void)
{
	char buf[32];
	CHECK_EQ(getxattr("f", "security.label", buf, sizeof(buf)), 5);
	CHECK_ERR(setxattr("f", "security.label", "other", 5, 0), EPERM);
	CHECK_ERR(setxattr("f", "security.new", "x", 1, 0), EPERM);
	CHECK_ERR(removexattr("f", "security.label"), EPERM);
	char caps[20] = { 0, 0, 0, 2 };
	CHECK_ERR(setxattr("f", "security.capability", caps, sizeof(caps), 0), EPERM);
	CHECK_ERR(setxattr("f", "security.capability", caps, 19, 0), EINVAL);
	/* commoncap's odd corner: an empty value needs nothing, reads
	 * EINVAL, and only CAP_SETFCAP removes it. */
	CHECK_EQ(setxattr("f", "security.capability", "", 0, 0), 0);
	CHECK_ERR(getxattr("f", "security.capability", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(removexattr("f", "security.capability"), EPERM);
}

GTEST(security_namespace_without_lsm)
{
	if (geteuid() != 0)
		SKIP("needs root");
	setup();
	make_file("f", 0666);
	CHECK_EQ(setxattr("f", "security.label", "value", 5, 0), 0);
	CHECK(strcmp(value_of("f", "security.label"), "value") == 0);
	/* security.capability: a version 2 header (20 bytes) or nothing. */
	char caps[20] = { 0, 0, 0, 2 };       /* VFS_CAP_REVISION_2, little-endian */
	CHECK_ERR(setxattr("f", "security.capability", "v", 1, 0), EINVAL);
	CHECK_ERR(setxattr("f", "security.capability", caps, 19, 0), EINVAL);
	CHECK_EQ(setxattr("f", "security.capability", caps, sizeof(caps), 0), 0);
	CHECK_EQ(getxattr("f", "security.capability", NULL, 0), 20);
	CHECK_EQ(removexattr("f", "security.capability"), 0);
	/* Revision 3 (24 bytes, a root uid last): root 0 reads as revision
	 * 2, another root as stored; root -1 is EINVAL. */
	unsigned char v3[24] = { 1, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	unsigned char back[32];
	CHECK_EQ(setxattr("f", "security.capability", v3, sizeof(v3), 0), 0);
	CHECK_EQ(getxattr("f", "security.capability", back, sizeof(back)), 20);
	CHECK(back[0] == 1 && back[3] == 2 && memcmp(back + 4, v3 + 4, 16) == 0);
	CHECK_ERR(getxattr("f", "security.capability", back, 19), ERANGE);
	v3[20] = 5;
	CHECK_EQ(setxattr("f", "security.capability", v3, sizeof(v3), 0), 0);
	CHECK_EQ(getxattr("f", "security.capability", back, sizeof(back)), 24);
	CHECK(memcmp(back, v3, sizeof(v3)) == 0);
	memset(v3 + 20, 0xff, 4);
	CHECK_ERR(setxattr("f", "security.capability", v3, sizeof(v3), 0), EINVAL);
	CHECK_EQ(removexattr("f", "security.capability"), 0);
	as_nobody(nobody_security_rules);
	CHECK_EQ(removexattr("f", "security.capability"), 0);
	CHECK_EQ(removexattr("f", "security.label"), 0);
	cleanup();
}

/* Wait until the clock is 20 ms past t (so a new ctime differs from t
 * even on a coarse clock). */
static void clock_passes(struct timespec t)
{
	long long target = t.tv_sec * 1000000000LL + t.tv_nsec + 20000000LL;
	struct timespec now;
	do
		CHECK_EQ(clock_gettime(CLOCK_REALTIME, &now), 0);
	while (now.tv_sec * 1000000000LL + now.tv_nsec <= target);
}

static bool ctime_after(const char *path, struct timespec t)
{
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	return st.st_ctim.tv_sec > t.tv_sec ||
	       (st.st_ctim.tv_sec == t.tv_sec && st.st_ctim.tv_nsec > t.tv_nsec);
}

GTEST(change_sets_ctime_and_raises_in_attrib)
{
	setup();
	make_file("f", 0644);
	int in = inotify_init1(IN_NONBLOCK);
	CHECK(in >= 0);
	int wd = inotify_add_watch(in, "f", IN_ATTRIB);
	CHECK(wd >= 0);
	struct stat st;
	CHECK_EQ(stat("f", &st), 0);
	clock_passes(st.st_ctim);
	CHECK_EQ(setxattr("f", "user.a", "1", 1, 0), 0);
	CHECK(ctime_after("f", st.st_ctim), "setxattr left ctime");
	char buf[256] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK_EQ(read(in, buf, sizeof(buf)), (long)sizeof(*e));
	CHECK_EQ(e->wd, wd);
	CHECK_EQ(e->mask, IN_ATTRIB);
	/* A failed change: no event; a read: none either. */
	CHECK_ERR(setxattr("f", "user.a", "2", 1, XATTR_CREATE), EEXIST);
	CHECK_EQ(getxattr("f", "user.a", NULL, 0), 1);
	CHECK_ERR(read(in, buf, sizeof(buf)), EAGAIN);
	CHECK_EQ(stat("f", &st), 0);
	clock_passes(st.st_ctim);
	CHECK_EQ(removexattr("f", "user.a"), 0);
	CHECK(ctime_after("f", st.st_ctim), "removexattr left ctime");
	CHECK_EQ(read(in, buf, sizeof(buf)), (long)sizeof(*e));
	CHECK_EQ(e->mask, IN_ATTRIB);
	close(in);
	cleanup();
}

GTEST(attributes_go_with_the_file)
{
	setup();
	/* Many attributes on a file unlinked while open, then closed: the
	 * harness's frame count shows they were freed with it. */
	make_file("f", 0644);
	int fd = open("f", O_RDONLY);
	char value[1000], name[32];
	memset(value, 'v', sizeof(value));
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user.n%d", i);
		CHECK_EQ(fsetxattr(fd, name, value, sizeof(value), 0), 0);
	}
	CHECK_EQ(unlink("f"), 0);
	CHECK_EQ(fgetxattr(fd, "user.n99", NULL, 0), (long)sizeof(value));
	close(fd);
	/* A new file of the same name starts empty. */
	make_file("f", 0644);
	CHECK_EQ(listxattr("f", NULL, 0), 0);
	cleanup();
}

GTEST(aspen_per_inode_limit_and_no_acls)
{
	ASPEN_ONLY();           /* Linux's tmpfs bounds attributes by memory (and
	                           has POSIX ACLs where it is built with them) */
	setup();
	make_file("f", 0644);
	char *v = calloc(1, SIZE_MAX_XATTR);
	CHECK(v);
	char name[32];
	int i;
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "user.big%d", i);
		if (setxattr("f", name, v, SIZE_MAX_XATTR, 0) < 0)
			break;
	}
	CHECK_EQ(i, 3);                 /* 256 KiB of names and values per inode */
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(removexattr("f", "user.big0"), 0);
	CHECK_EQ(setxattr("f", name, v, SIZE_MAX_XATTR, 0), 0);
	free(v);
	char buf[64];
	CHECK_ERR(setxattr("f", "system.posix_acl_access", buf, 28, 0), EOPNOTSUPP);
	CHECK_ERR(getxattr("f", "system.posix_acl_access", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK_ERR(getxattr("f", "system.posix_acl_default", buf, sizeof(buf)), EOPNOTSUPP);
	cleanup();
}
