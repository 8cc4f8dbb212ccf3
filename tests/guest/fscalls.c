/*
 * fscalls.c - the less common file-system calls, as Linux: sysfs(2)'s
 * three options over the registered kinds; chroot's confinement (".."
 * clamped at the new root, a cwd left outside reported "(unreachable)",
 * /proc/PID/root) and errors; renameat2's RENAME_EXCHANGE (files and
 * directories, across directories, link counts) and RENAME_WHITEOUT
 * (a 0:0 character device at the old name), with Linux's errors.
 *
 * Renames run in a fresh directory under /dev/shm (tmpfs on Linux, ramfs
 * in Aspen); chroot needs root (skipped otherwise) and runs in a child.
 */
#include "gtest_cred.h"
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <fcntl.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

static long sysfs_call(int option, unsigned long a, unsigned long b)
{
	return syscall(SYS_sysfs, option, a, b);
}

static int renameat2_(const char *from, const char *to, unsigned flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

/* Is name listed in /proc/filesystems? */
static bool in_proc_filesystems(const char *name)
{
	static char text[4096];
	CHECK(read_text("/proc/filesystems", text, sizeof(text)) > 0);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *tab = strchr(line, '\t');
		if (tab && strcmp(tab + 1, name) == 0)
			return true;
	}
	return false;
}

GTEST(sysfs_names_and_indexes_agree_with_proc_filesystems)
{
	long n = sysfs_call(3, 0, 0);
	CHECK(n >= 2 && n < 200, "sysfs(3) = %ld", n);
	bool tmpfs = false, proc = false;
	for (long i = 0; i < n; i++) {
		char name[64];
		memset(name, 0x7f, sizeof(name));
		CHECK_EQ(sysfs_call(2, (unsigned long)i, (unsigned long)name), 0);
		CHECK(memchr(name, 0, sizeof(name)), "index %ld: no NUL", i);
		CHECK_EQ(sysfs_call(1, (unsigned long)name, 0), i);
		CHECK(in_proc_filesystems(name), "%s not in /proc/filesystems", name);
		tmpfs |= strcmp(name, "tmpfs") == 0;
		proc |= strcmp(name, "proc") == 0;
	}
	CHECK(tmpfs && proc, "tmpfs %d proc %d", tmpfs, proc);
}

GTEST(sysfs_errors)
{
	long n = sysfs_call(3, 0, 0);
	char name[64];
	CHECK_ERR(sysfs_call(2, (unsigned long)n, (unsigned long)name), EINVAL);
	CHECK_ERR(sysfs_call(2, (unsigned long)-1, (unsigned long)name), EINVAL);
	CHECK_ERR(sysfs_call(1, (unsigned long)"no-such-fs", 0), EINVAL);
	CHECK_ERR(sysfs_call(0, 0, 0), EINVAL);
	CHECK_ERR(sysfs_call(4, 0, 0), EINVAL);
	CHECK_ERR(sysfs_call(1, 0, 0), EFAULT);
	CHECK_ERR(sysfs_call(2, 0, 8), EFAULT);
}

/* ---- chroot ---- */

static char jail[64];

/* A fresh directory /tmp/fscalls-XXXXXX holding "marker" and "sub/". */
static void make_jail(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
	snprintf(jail, sizeof(jail), "/tmp/fscalls-XXXXXX");
	CHECK(mkdtemp(jail) != NULL, "mkdtemp: %s", strerror(errno));
	CHECK_EQ(chmod(jail, 0755), 0);
	char path[96];
	snprintf(path, sizeof(path), "%s/marker", jail);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/sub", jail);
	CHECK_EQ(mkdir(path, 0755), 0);
}

static void remove_jail(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", jail);
	CHECK_EQ(system(cmd), 0);
}

/* Run body in a child, then check it exited 0. */
#define IN_CHILD(...) do { \
	pid_t pid_ = xfork(); \
	if (pid_ == 0) { \
		__VA_ARGS__; \
		_exit(0); \
	} \
	CHECK_EXITED(wait_status(pid_), 0); \
} while (0)

GTEST(chroot_confines_walks_and_clamps_dotdot)
{
	make_jail();
	IN_CHILD({
		struct stat st, marker;
		CHECK_EQ(chdir(jail), 0);
		CHECK_EQ(chroot("."), 0);
		CHECK_EQ(stat("/marker", &marker), 0);
		CHECK_EQ(stat("/../../marker", &st), 0);          /* ".." stops at the root */
		CHECK_EQ(st.st_ino, marker.st_ino);
		CHECK_EQ(stat("sub/../../../marker", &st), 0);
		CHECK_ERR(stat("/tmp", &st), ENOENT);
		CHECK_EQ(chdir("/sub/../.."), 0);
		char buf[64];
		CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0, "cwd %s", buf);
	});
	remove_jail();
}

GTEST(chroot_leaves_cwd_outside_unreachable)
{
	make_jail();
	IN_CHILD({
		CHECK_EQ(chdir("/tmp"), 0);
		CHECK_EQ(chroot(jail), 0);
		char buf[256];
		long n = syscall(SYS_getcwd, buf, sizeof(buf));   /* libc would say ENOENT */
		CHECK(n > 0 && strcmp(buf, "(unreachable)/tmp") == 0, "getcwd %ld %s", n, buf);
		struct stat st;
		CHECK_EQ(stat(jail + 5, &st), 0);                   /* still relative to /tmp */
		CHECK_EQ(chdir("/"), 0);
		CHECK_EQ(stat("marker", &st), 0);
	});
	remove_jail();
}

GTEST(proc_pid_root_names_the_jail)
{
	make_jail();
	int go[2], ready[2];
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(ready), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		char c = 0;
		if (chroot(jail) != 0 || write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	char c, path[64], link[128] = "";
	CHECK_EQ(read(ready[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink %s: %s", path, strerror(errno));
	link[n] = 0;
	CHECK_EQ(readlink("/proc/self/root", path, sizeof(path)), 1);
	CHECK_EQ(write(go[1], &c, 1), 1);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(strcmp(link, jail) == 0, "root %s, jail %s", link, jail);
	remove_jail();
}

GTEST(chroot_errors)
{
	make_jail();
	char path[96];
	snprintf(path, sizeof(path), "%s/marker", jail);
	IN_CHILD({
		CHECK_ERR(chroot(path), ENOTDIR);
		CHECK_ERR(chroot("/no/such/dir"), ENOENT);
		CHECK_ERR(chroot((const char *)8), EFAULT);
	});
	snprintf(path, sizeof(path), "%s/sub", jail);
	CHECK_EQ(chmod(path, 0700), 0);
	IN_CHILD({
		become_nobody();
		CHECK_ERR(chroot(path), EACCES);    /* search permission comes first */
		CHECK_ERR(chroot(jail), EPERM);     /* then CAP_SYS_CHROOT */
	});
	remove_jail();
}

/* ---- renameat2 ---- */

static char shm_dir[64];

/* A fresh directory under /dev/shm, made the cwd. */
static void shm_setup(void)
{
	snprintf(shm_dir, sizeof(shm_dir), "/dev/shm/fscalls-XXXXXX");
	CHECK(mkdtemp(shm_dir) != NULL, "mkdtemp: %s", strerror(errno));
	CHECK_EQ(chdir(shm_dir), 0);
}

static void shm_cleanup(void)
{
	char cmd[96];
	CHECK_EQ(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", shm_dir);
	CHECK_EQ(system(cmd), 0);
}

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0, "create %s: %s", path, strerror(errno));
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
}

static struct stat stat_of(const char *path)
{
	struct stat st;
	CHECK(lstat(path, &st) == 0, "lstat %s: %s", path, strerror(errno));
	return st;
}

GTEST(rename_exchange_swaps_two_files)
{
	shm_setup();
	put_file("a", "alpha");
	put_file("b", "beta!!");
	ino_t ia = stat_of("a").st_ino, ib = stat_of("b").st_ino;
	CHECK_EQ(renameat2_("a", "b", RENAME_EXCHANGE), 0);
	CHECK_EQ(stat_of("a").st_ino, ib);
	CHECK_EQ(stat_of("b").st_ino, ia);
	CHECK_EQ(stat_of("a").st_size, 6);
	CHECK_EQ(renameat2_("a", "a", RENAME_EXCHANGE), 0);   /* itself: nothing */
	CHECK_EQ(stat_of("a").st_ino, ib);
	shm_cleanup();
}

GTEST(rename_exchange_moves_directories_and_their_dotdot)
{
	shm_setup();
	CHECK_EQ(mkdir("p1", 0755), 0);
	CHECK_EQ(mkdir("p2", 0755), 0);
	CHECK_EQ(mkdir("p1/d", 0755), 0);
	put_file("p2/f", "x");
	nlink_t n1 = stat_of("p1").st_nlink, n2 = stat_of("p2").st_nlink;
	CHECK_EQ(renameat2_("p1/d", "p2/f", RENAME_EXCHANGE), 0);
	CHECK(S_ISREG(stat_of("p1/d").st_mode));
	CHECK(S_ISDIR(stat_of("p2/f").st_mode));
	CHECK_EQ(stat_of("p1").st_nlink, n1 - 1);             /* the directory left p1 */
	CHECK_EQ(stat_of("p2").st_nlink, n2 + 1);
	CHECK_EQ(stat_of("p2/f/..").st_ino, stat_of("p2").st_ino);
	CHECK_EQ(mkdir("p1/e", 0755), 0);                     /* two directories */
	CHECK_EQ(renameat2_("p1/e", "p2/f", RENAME_EXCHANGE), 0);
	CHECK_EQ(stat_of("p1/e/..").st_ino, stat_of("p1").st_ino);
	CHECK_EQ(stat_of("p2/f/..").st_ino, stat_of("p2").st_ino);
	CHECK_EQ(stat_of("p1").st_nlink, n1);
	CHECK_EQ(stat_of("p2").st_nlink, n2 + 1);
	shm_cleanup();
}

GTEST(rename_exchange_errors)
{
	shm_setup();
	put_file("a", "a");
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_EQ(mkdir("d/sub", 0755), 0);
	CHECK_ERR(renameat2_("a", "missing", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR(renameat2_("missing", "a", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR(renameat2_("a", "d", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	CHECK_ERR(renameat2_("a", "d", RENAME_EXCHANGE | RENAME_WHITEOUT), EINVAL);
	CHECK_ERR(renameat2_("a", "d", 1 << 3), EINVAL);
	CHECK_ERR(renameat2_("d", "d/sub", RENAME_EXCHANGE), EINVAL);   /* into itself */
	CHECK_ERR(renameat2_("d/sub", "d", RENAME_EXCHANGE), EINVAL);   /* over its parent */
	CHECK_ERR(renameat2_("a/", "d", RENAME_EXCHANGE), ENOTDIR);
	CHECK_ERR(renameat2_("d", "a/", RENAME_EXCHANGE), ENOTDIR);
	CHECK_ERR(renameat2_("a", "..", RENAME_EXCHANGE), EBUSY);
	CHECK_EQ(renameat2_("a", "d", RENAME_EXCHANGE), 0);             /* file <-> dir: fine */
	CHECK(S_ISDIR(stat_of("a").st_mode));
	shm_cleanup();
}

GTEST(rename_whiteout_leaves_a_char_device_0_0)
{
	shm_setup();
	put_file("a", "data");
	put_file("b", "old");
	ino_t ia = stat_of("a").st_ino;
	CHECK_EQ(renameat2_("a", "b", RENAME_WHITEOUT), 0);    /* replaces b */
	CHECK_EQ(stat_of("b").st_ino, ia);
	struct stat w = stat_of("a");
	CHECK(S_ISCHR(w.st_mode), "mode %o", w.st_mode);
	CHECK_EQ(w.st_mode & 07777, 0);
	CHECK_EQ(w.st_rdev, makedev(0, 0));
	CHECK_EQ(w.st_uid, getuid());
	CHECK_ERR(renameat2_("b", "a", RENAME_WHITEOUT | RENAME_NOREPLACE), EEXIST);
	CHECK_ERR(renameat2_("missing", "c", RENAME_WHITEOUT), ENOENT);
	CHECK_EQ(unlink("a"), 0);
	shm_cleanup();
}

/* ---- name_to_handle_at / open_by_handle_at ---- */

struct handle {
	struct file_handle fh;
	unsigned char bytes[MAX_HANDLE_SZ];
};

GTEST(file_handle_round_trip_and_errors)
{
	if (geteuid() != 0)
		SKIP("needs root (CAP_DAC_READ_SEARCH)");
	shm_setup();
	put_file("f", "handled");
	CHECK_EQ(mkdir("d", 0755), 0);
	struct handle h = { .fh.handle_bytes = 0 };
	int mnt = -1, mnt2 = -2;
	CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, 0), EOVERFLOW);
	unsigned need = h.fh.handle_bytes;
	CHECK(need > 0 && need <= MAX_HANDLE_SZ, "needs %u", need);
	CHECK_EQ(name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, 0), 0);
	CHECK_EQ(h.fh.handle_bytes, need);
	CHECK_EQ(name_to_handle_at(AT_FDCWD, "d", &(struct handle){ .fh.handle_bytes = MAX_HANDLE_SZ }.fh,
				   &mnt2, 0), 0);
	CHECK_EQ(mnt, mnt2);                                   /* one mount */
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	int fd = open_by_handle_at(dfd, &h.fh, O_RDONLY);
	CHECK(fd >= 0, "open_by_handle_at: %s", strerror(errno));
	char buf[16] = "";
	CHECK_EQ(read(fd, buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "handled", 7) == 0);
	CHECK_EQ(fstat(fd, &(struct stat){ 0 }), 0);
	close(fd);
	struct handle e = { .fh.handle_bytes = MAX_HANDLE_SZ };   /* AT_EMPTY_PATH: dfd itself */
	CHECK_EQ(name_to_handle_at(dfd, "", &e.fh, &mnt2, AT_EMPTY_PATH), 0);
	fd = open_by_handle_at(dfd, &e.fh, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0, "directory by handle: %s", strerror(errno));
	struct stat a, b;
	CHECK_EQ(fstat(fd, &a), 0);
	CHECK_EQ(fstat(dfd, &b), 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	CHECK_EQ(symlink("f", "l"), 0);                        /* the link, or what it names */
	struct handle hl = { .fh.handle_bytes = MAX_HANDLE_SZ }, hf = hl;
	CHECK_EQ(name_to_handle_at(AT_FDCWD, "l", &hl.fh, &mnt2, 0), 0);
	CHECK_EQ(name_to_handle_at(AT_FDCWD, "l", &hf.fh, &mnt2, AT_SYMLINK_FOLLOW), 0);
	CHECK(memcmp(hf.bytes, h.bytes, need) == 0, "followed: the file's handle");
	CHECK(memcmp(hl.bytes, h.bytes, need) != 0, "not followed: the link's own");
	CHECK_ERR(open_by_handle_at(dfd, &hl.fh, O_RDONLY), ELOOP);
	CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", &h.fh, &mnt, AT_SYMLINK_NOFOLLOW), EINVAL);
	CHECK_ERR(name_to_handle_at(AT_FDCWD, "missing", &h.fh, &mnt, 0), ENOENT);
	CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", (void *)8, &mnt, 0), EFAULT);
	struct handle big = { .fh.handle_bytes = MAX_HANDLE_SZ + 1 };
	CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", &big.fh, &mnt, 0), EINVAL);
	CHECK_ERR(open_by_handle_at(dfd, &big.fh, O_RDONLY), EINVAL);
	struct handle zero = { .fh.handle_bytes = 0 };
	CHECK_ERR(open_by_handle_at(dfd, &zero.fh, O_RDONLY), EINVAL);
	CHECK_ERR(open_by_handle_at(dfd, (void *)8, O_RDONLY), EFAULT);
	CHECK_EQ(unlink("f"), 0);                              /* deleted: stale */
	CHECK_ERR(open_by_handle_at(dfd, &h.fh, O_RDONLY), ESTALE);
	pid_t pid = xfork();
	if (pid == 0) {
		become_nobody();
		CHECK_ERR(open_by_handle_at(dfd, &e.fh, O_RDONLY), EPERM);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	close(dfd);
	shm_cleanup();
}
