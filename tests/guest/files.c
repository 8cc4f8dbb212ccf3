/*
 * files.c - the file syscalls a shell needs, each with its error cases
 * as Linux gives them: open with O_CREAT/O_EXCL/O_TRUNC/O_APPEND/
 * O_DIRECTORY, read/write/lseek/pread/pwrite, ftruncate, stat family,
 * getdents64, mkdir/rmdir, unlink, rename, link, symlink/readlink,
 * chdir/fchdir/getcwd, access, umask, chmod, dup/dup2/dup3/fcntl with a
 * shared offset, and the ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY and
 * EBADF answers. Every test works in the current directory (/tmp in
 * Aspen, a fresh directory natively).
 */
// GUEST: glibc
#include "gtest.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static char start_dir[PATH_MAX];

/* Create name holding text; returns nothing, fails the test on error. */
static void put_file(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	CHECK_EQ(close(fd), 0);
}

/* The contents of name (up to size - 1 bytes, NUL-terminated). */
static char *get_file(const char *name, char *buf, size_t size)
{
	int fd = open(name, O_RDONLY);

	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	ssize_t n = read(fd, buf, size - 1);
	CHECK(n >= 0, "read %s: %s", name, strerror(errno));
	buf[n] = 0;
	close(fd);
	return buf;
}

/* Remove path and everything below it (relative to dirfd). */
static void remove_tree(int dirfd, const char *path)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY);
		DIR *d = fdopendir(fd);
		struct dirent *e;
		CHECK(d != NULL, "opendir %s: %s", path, strerror(errno));
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				remove_tree(fd, e->d_name);
		closedir(d);
	}
	CHECK(unlinkat(dirfd, path, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) == 0, "remove %s: %s", path,
	      strerror(errno));
}

static char fresh_dir[128];

/* Leave the test's directory and remove it, so that a run leaves no
 * file (and no frame) behind. */
static void leave_fresh_dir(void)
{
	CHECK_EQ(chdir(start_dir), 0);
	remove_tree(AT_FDCWD, fresh_dir);
}

/* Make and enter a new directory for one test (leave_fresh_dir at its end). */
static void enter_fresh_dir(const char *name)
{
	snprintf(fresh_dir, sizeof(fresh_dir), "%s.%d", name, (int)getpid());
	CHECK(getcwd(start_dir, sizeof(start_dir)) != NULL);
	CHECK(mkdir(fresh_dir, 0755) == 0, "mkdir %s: %s", fresh_dir, strerror(errno));
	CHECK_EQ(chdir(fresh_dir), 0);
}

GTEST(open_creat_excl_trunc_append)
{
	char buf[64];
	int fd;

	enter_fresh_dir("f-open");
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	fd = open("a", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "hello", 5), 5);
	close(fd);
	CHECK_ERR(open("a", O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	fd = open("a", O_WRONLY | O_APPEND);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, " world", 6), 6);       /* O_APPEND ignores the offset */
	close(fd);
	CHECK(strcmp(get_file("a", buf, sizeof(buf)), "hello world") == 0, "a holds \"%s\"", buf);
	fd = open("a", O_RDWR | O_TRUNC);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	close(fd);
	leave_fresh_dir();
}

GTEST(open_directory_cases)
{
	enter_fresh_dir("f-dir");
	put_file("file", "x");
	CHECK(mkdir("sub", 0755) == 0);
	CHECK_ERR(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(open("file/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("file/", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("sub", O_WRONLY), EISDIR);
	CHECK_ERR(open("sub", O_RDWR), EISDIR);
	CHECK_ERR(open("sub", O_RDONLY | O_CREAT, 0644), EISDIR);
	int fd = open("sub", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	char c;
	CHECK_ERR(read(fd, &c, 1), EISDIR);
	close(fd);
	CHECK_ERR(open("nodir/x", O_WRONLY | O_CREAT, 0644), ENOENT);
	leave_fresh_dir();
}

GTEST(read_write_lseek_pread_pwrite)
{
	char buf[32] = "";
	int fd;

	enter_fresh_dir("f-rw");
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(read(fd, buf, 3), 3);
	CHECK(memcmp(buf, "234", 3) == 0);
	CHECK_EQ(lseek(fd, -1, SEEK_END), 9);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9);
	CHECK_ERR(lseek(fd, -20, SEEK_CUR), EINVAL);
	CHECK_EQ(pwrite(fd, "AB", 2, 4), 2);
	CHECK_EQ(pread(fd, buf, 4, 3), 4);
	CHECK(memcmp(buf, "3AB6", 4) == 0, "pread gave %.4s", buf);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9);        /* pread/pwrite leave it */
	CHECK_EQ(lseek(fd, 20, SEEK_SET), 20);      /* a hole reads as zeros */
	CHECK_EQ(write(fd, "Z", 1), 1);
	CHECK_EQ(pread(fd, buf, 11, 10), 11);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(buf[10], 'Z');
	CHECK_EQ(read(fd, buf, 5), 0);              /* at the end */
	close(fd);
	leave_fresh_dir();
}

GTEST(ftruncate_and_truncate)
{
	struct stat st;
	char buf[16];
	int fd;

	enter_fresh_dir("f-trunc");
	put_file("t", "abcdef");
	fd = open("t", O_RDWR);
	CHECK_EQ(ftruncate(fd, 3), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3);
	CHECK_EQ(ftruncate(fd, 5), 0);
	CHECK_EQ(pread(fd, buf, 8, 0), 5);
	CHECK(memcmp(buf, "abc\0\0", 5) == 0);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	close(fd);
	CHECK_ERR(ftruncate(-1, -1), EINVAL);       /* the length is judged first */
	fd = open("t", O_RDONLY);
	CHECK_ERR(ftruncate(fd, 0), EINVAL);        /* not open for writing */
	close(fd);
	fd = open("t", O_WRONLY | O_APPEND);
	CHECK_EQ(ftruncate(fd, 4), 0);              /* O_APPEND is no obstacle */
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 4);
	close(fd);
	CHECK_EQ(truncate("t", 1), 0);
	CHECK_EQ(stat("t", &st), 0);
	CHECK_EQ(st.st_size, 1);
	CHECK_ERR(truncate("missing", 0), ENOENT);
	CHECK_ERR(truncate(".", 0), EISDIR);
	leave_fresh_dir();
}

GTEST(stat_family_types_modes_and_errors)
{
	struct stat st;

	enter_fresh_dir("f-stat");
	umask(022);
	put_file("reg", "12345");
	CHECK_EQ(mkdir("dir", 0750), 0);
	CHECK_EQ(symlink("reg", "link"), 0);
	CHECK_EQ(stat("reg", &st), 0);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "mode %o", st.st_mode);
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(stat("dir", &st), 0);
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750, "mode %o", st.st_mode);
	CHECK_EQ(lstat("link", &st), 0);
	CHECK(S_ISLNK(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_size, 3);
	CHECK_EQ(stat("link", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(fstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_ERR(stat("missing", &st), ENOENT);
	CHECK_ERR(stat("reg/x", &st), ENOTDIR);
	CHECK_ERR(fstat(-1, &st), EBADF);
	CHECK_ERR(fstat(1000, &st), EBADF);
	leave_fresh_dir();
}

GTEST(mkdir_rmdir_errors)
{
	enter_fresh_dir("f-mkdir");
	put_file("file", "x");
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_ERR(mkdir("d", 0755), EEXIST);
	CHECK_ERR(mkdir("file", 0755), EEXIST);
	CHECK_ERR(mkdir("file/d", 0755), ENOTDIR);
	CHECK_ERR(mkdir("no/d", 0755), ENOENT);
	put_file("d/inner", "y");
	CHECK_ERR(rmdir("d"), ENOTEMPTY);
	CHECK_ERR(rmdir("file"), ENOTDIR);
	CHECK_ERR(rmdir("missing"), ENOENT);
	CHECK_ERR(rmdir("d/."), EINVAL);
	CHECK_EQ(unlink("d/inner"), 0);
	CHECK_EQ(rmdir("d"), 0);
	CHECK_ERR(rmdir("d"), ENOENT);
	leave_fresh_dir();
}

GTEST(unlink_errors_and_open_file_survives)
{
	char buf[8] = "";
	int fd;

	enter_fresh_dir("f-unlink");
	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_ERR(unlink("d"), EISDIR);
	CHECK_ERR(unlink("missing"), ENOENT);
	CHECK_ERR(unlinkat(AT_FDCWD, "missing", AT_REMOVEDIR), ENOENT);
	CHECK_EQ(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), 0);
	put_file("gone", "data");
	fd = open("gone", O_RDONLY);
	CHECK_EQ(unlink("gone"), 0);
	CHECK_ERR(access("gone", F_OK), ENOENT);
	CHECK_EQ(read(fd, buf, 4), 4);              /* the open file still reads */
	CHECK(memcmp(buf, "data", 4) == 0);
	close(fd);
	leave_fresh_dir();
}

GTEST(rename_cases)
{
	char buf[16];

	enter_fresh_dir("f-rename");
	put_file("a", "A");
	put_file("b", "B");
	CHECK_EQ(rename("a", "b"), 0);              /* replaces b */
	CHECK(strcmp(get_file("b", buf, sizeof(buf)), "A") == 0);
	CHECK_ERR(access("a", F_OK), ENOENT);
	CHECK_ERR(rename("missing", "x"), ENOENT);
	CHECK_EQ(mkdir("d1", 0755), 0);
	CHECK_EQ(mkdir("d2", 0755), 0);
	put_file("d2/f", "x");
	CHECK_ERR(rename("d1", "d2"), ENOTEMPTY);
	CHECK_ERR(rename("b", "d1"), EISDIR);
	CHECK_ERR(rename("d1", "b"), ENOTDIR);
	CHECK_ERR(rename("d1", "d1/sub"), EINVAL);
	CHECK_EQ(rename("b", "d1/moved"), 0);
	CHECK(strcmp(get_file("d1/moved", buf, sizeof(buf)), "A") == 0);
	CHECK_EQ(renameat(AT_FDCWD, "d1", AT_FDCWD, "d3"), 0);
	CHECK_EQ(access("d3/moved", F_OK), 0);
	leave_fresh_dir();
}

GTEST(link_and_symlink)
{
	struct stat st;
	char buf[64];

	enter_fresh_dir("f-link");
	put_file("orig", "O");
	CHECK_EQ(link("orig", "hard"), 0);
	CHECK_EQ(stat("orig", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(link("orig", "hard"), EEXIST);
	CHECK_ERR(link("missing", "x"), ENOENT);
	CHECK_EQ(symlink("orig", "soft"), 0);
	CHECK_ERR(symlink("orig", "soft"), EEXIST);
	ssize_t n = readlink("soft", buf, sizeof(buf));
	CHECK_EQ(n, 4);
	CHECK(memcmp(buf, "orig", 4) == 0);
	CHECK_ERR(readlink("orig", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(readlink("missing", buf, sizeof(buf)), ENOENT);
	CHECK_EQ(symlink("nowhere", "dangling"), 0);
	CHECK_ERR(stat("dangling", &st), ENOENT);
	CHECK_EQ(lstat("dangling", &st), 0);
	CHECK_EQ(unlink("orig"), 0);
	CHECK(strcmp(get_file("hard", buf, sizeof(buf)), "O") == 0);
	leave_fresh_dir();
}

GTEST(getdents_lists_entries)
{
	DIR *d;
	struct dirent *e;
	int seen = 0;

	enter_fresh_dir("f-list");
	put_file("one", "1");
	put_file("two", "2");
	CHECK_EQ(mkdir("three", 0755), 0);
	d = opendir(".");
	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0)
			seen |= 1;
		else if (strcmp(e->d_name, "..") == 0)
			seen |= 2;
		else if (strcmp(e->d_name, "one") == 0 && e->d_type == DT_REG)
			seen |= 4;
		else if (strcmp(e->d_name, "two") == 0)
			seen |= 8;
		else if (strcmp(e->d_name, "three") == 0 && e->d_type == DT_DIR)
			seen |= 16;
		else
			CHECK(0, "unexpected entry %s", e->d_name);
	}
	closedir(d);
	CHECK_EQ(seen, 31);
	int fd = open("one", O_RDONLY);
	char buf[256];
	CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	CHECK_ERR(syscall(SYS_getdents64, 1000, buf, sizeof(buf)), EBADF);
	leave_fresh_dir();
}

GTEST(chdir_fchdir_getcwd)
{
	char cwd[PATH_MAX], sub[PATH_MAX + 8];

	enter_fresh_dir("f-cwd");
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_EQ(mkdir("in", 0755), 0);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_EQ(chdir("in"), 0);
	CHECK(getcwd(sub, sizeof(sub)) != NULL);
	char want[PATH_MAX + 8];
	snprintf(want, sizeof(want), "%s/in", cwd);
	CHECK(strcmp(sub, want) == 0, "cwd %s, expected %s", sub, want);
	CHECK_EQ(fchdir(dfd), 0);
	CHECK(getcwd(sub, sizeof(sub)) != NULL && strcmp(sub, cwd) == 0, "back in %s", sub);
	put_file("plain", "x");
	CHECK_ERR(chdir("plain"), ENOTDIR);
	CHECK_ERR(chdir("missing"), ENOENT);
	int ffd = open("plain", O_RDONLY);
	CHECK_ERR(fchdir(ffd), ENOTDIR);
	CHECK_ERR(fchdir(1000), EBADF);
	CHECK_ERR(syscall(SYS_getcwd, sub, 1), ERANGE);
	leave_fresh_dir();
}

GTEST(access_umask_chmod)
{
	struct stat st;

	enter_fresh_dir("f-mode");
	umask(027);
	CHECK_EQ(umask(027), 027);
	put_file("m", "x");
	CHECK_EQ(stat("m", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	CHECK_EQ(chmod("m", 0755), 0);
	CHECK_EQ(stat("m", &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0755);
	int fd = open("m", O_RDONLY);
	CHECK_EQ(fchmod(fd, 0600), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(access("m", F_OK), 0);
	CHECK_EQ(access("m", R_OK | W_OK), 0);
	CHECK_ERR(access("missing", F_OK), ENOENT);
	CHECK_ERR(chmod("missing", 0644), ENOENT);
	CHECK_ERR(fchmod(1000, 0644), EBADF);
	CHECK_EQ(chown("m", getuid(), getgid()), 0);
	leave_fresh_dir();
}

GTEST(dup_shares_offset_and_flags)
{
	char buf[8] = "";
	int fd, d;

	enter_fresh_dir("f-dup");
	put_file("s", "abcdef");
	fd = open("s", O_RDONLY);
	d = dup(fd);
	CHECK(d > fd);
	CHECK_EQ(read(fd, buf, 2), 2);
	CHECK_EQ(read(d, buf, 2), 2);                /* one offset for both */
	CHECK(memcmp(buf, "cd", 2) == 0, "dup read %.2s", buf);
	CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	CHECK(fcntl(d, F_GETFL) & O_NONBLOCK);       /* status flags shared */
	CHECK_EQ(fcntl(d, F_GETFD), 0);              /* descriptor flags not */
	CHECK_EQ(dup2(fd, 30), 30);
	CHECK_EQ(dup2(30, 30), 30);
	CHECK_EQ(dup3(fd, 31, O_CLOEXEC), 31);
	CHECK_EQ(fcntl(31, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(dup3(fd, fd, 0), EINVAL);
	CHECK_EQ(fcntl(fd, F_DUPFD, 40), 40);
	CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 40), 41);
	CHECK_EQ(fcntl(41, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(dup(1000), EBADF);
	CHECK_ERR(dup2(1000, 5), EBADF);
	CHECK_ERR(dup2(fd, -1), EBADF);
	CHECK_ERR(fcntl(1000, F_GETFD), EBADF);
	leave_fresh_dir();
}

GTEST(fork_shares_file_offset)
{
	char buf[8] = "";
	int fd;

	enter_fresh_dir("f-fork");
	put_file("o", "123456");
	fd = open("o", O_RDONLY);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(read(fd, buf, 3), 3);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(read(fd, buf, 3), 3);
	CHECK(memcmp(buf, "456", 3) == 0, "parent read %.3s", buf);
	leave_fresh_dir();
}

GTEST(bad_descriptor_ebadf)
{
	char c;
	int fd;

	CHECK_ERR(read(-1, &c, 1), EBADF);
	CHECK_ERR(write(1000, &c, 1), EBADF);
	CHECK_ERR(close(1000), EBADF);
	CHECK_ERR(lseek(1000, 0, SEEK_SET), EBADF);
	fd = open("/dev/null", O_RDONLY);
	CHECK_ERR(write(fd, &c, 1), EBADF);
	close(fd);
	CHECK_ERR(close(fd), EBADF);
	fd = open("/dev/null", O_WRONLY);
	CHECK_ERR(read(fd, &c, 1), EBADF);
}

GTEST(dev_files_behave)
{
	char buf[16];
	int fd;

	fd = open("/dev/null", O_RDWR);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
	struct stat st;
	CHECK_EQ(stat("/dev/null", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(stat("/dev/shm", &st), 0);
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 01777) == 01777, "/dev/shm mode %o", st.st_mode);
}
