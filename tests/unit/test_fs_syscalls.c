// UNIT-SRCS: kernel/fs/sys_file.c kernel/fs/sys_open.c kernel/fs/sys_stat.c kernel/fs/sys_namei.c kernel/fs/sysutil.c kernel/fs/dev.c kernel/fs/random.c kernel/fs/fdtable.c kernel/fs/vfs.c kernel/fs/namei.c kernel/fs/ramfs.c kernel/fs/ramfs_pages.c kernel/fs/ramfs_tree.c kernel/fs/xattr_mem.c kernel/fs/file.c kernel/fs/mount.c kernel/mm/frame.c kernel/mm/kmalloc.c tests/unit/fs_harness.c kernel/sys/sysctl.c
/*
 * test_fs_syscalls.c - the file syscalls as a program sees them: flags,
 * descriptors, offsets and Linux's errno for each misuse. User memory is
 * host memory here (the harness copies with memcpy).
 */
#include <string.h>
#include "unit.h"
#include "fs_harness.h"
#include "fs/dev.h"
#include "fs/syscalls.h"
#include "lib/errno.h"

UNIT_TEST(open_write_seek_read_close)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	long fd = sys_open("/f", O_CREAT | O_RDWR, 0644);
	CHECK_EQ(fd, 0);
	CHECK_EQ(sys_write(fd, "hello world", 11), 11);
	CHECK_EQ(sys_lseek(fd, 6, SEEK_SET), 6);
	char buf[16] = { 0 };
	CHECK_EQ(sys_read(fd, buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "world") == 0);
	CHECK_EQ(sys_read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(sys_lseek(fd, -1, SEEK_SET), -EINVAL);
	CHECK_EQ(sys_lseek(fd, 0, 7), -EINVAL);
	CHECK_EQ(sys_lseek(fd, -2, SEEK_END), 9);
	CHECK_EQ(sys_pread64(fd, buf, 5, 0), 5);
	CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 9);   /* pread leaves the offset */
	CHECK_EQ(sys_pread64(fd, buf, 5, -1), -EINVAL);
	CHECK_EQ(sys_close(fd), 0);
	CHECK_EQ(sys_close(fd), -EBADF);
	CHECK_EQ(sys_read(fd, buf, 1), -EBADF);
	CHECK_EQ(sys_unlink("/f"), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(open_flags_follow_linux)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(sys_open("/missing", O_RDONLY, 0), -ENOENT);
	long fd = sys_open("/f", O_CREAT | O_EXCL | O_WRONLY, 0600);
	CHECK_EQ(fd, 0);
	CHECK_EQ(sys_open("/f", O_CREAT | O_EXCL | O_WRONLY, 0600), -EEXIST);
	char c;
	CHECK_EQ(sys_read(fd, &c, 1), -EBADF);          /* write-only */
	CHECK_EQ(sys_write(fd, "abc", 3), 3);
	CHECK_EQ(sys_open("/f/", O_RDONLY, 0), -ENOTDIR);
	CHECK_EQ(sys_open("/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	CHECK_EQ(sys_open("/", O_WRONLY, 0), -EISDIR);
	CHECK_EQ(sys_open("/new/", O_CREAT | O_WRONLY, 0644), -EISDIR);
	CHECK_EQ(sys_symlink("/f", "/lnk"), 0);
	CHECK_EQ(sys_open("/lnk", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	long p = sys_open("/lnk", O_PATH | O_NOFOLLOW, 0);
	CHECK(p > 0);
	CHECK_EQ(sys_read(p, &c, 1), -EBADF);
	CHECK_EQ(sys_close(p), 0);
	long t = sys_open("/lnk", O_RDWR | O_TRUNC, 0);
	CHECK(t > 0);
	struct stat st;
	CHECK_EQ(sys_fstat(t, &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(sys_symlink("/made-through-link", "/dangling"), 0);
	long d = sys_open("/dangling", O_CREAT | O_WRONLY, 0644);
	CHECK(d > 0);
	CHECK_EQ(sys_access("/made-through-link", 0), 0);
	sys_close(d);
	sys_close(t);
	sys_close(fd);
	sys_unlink("/made-through-link");
	sys_unlink("/dangling");
	sys_unlink("/lnk");
	sys_unlink("/f");
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(append_and_umask)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(sys_umask(027), 022);
	long fd = sys_open("/log", O_CREAT | O_WRONLY | O_APPEND, 0666);
	struct stat st;
	CHECK_EQ(sys_stat("/log", &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_EQ(sys_write(fd, "ab", 2), 2);
	CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(sys_write(fd, "cd", 2), 2);
	CHECK_EQ(sys_fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 4);
	CHECK_EQ(st.st_blocks, 8);
	CHECK_EQ(st.st_blksize, 4096);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(sys_ftruncate(fd, 1), 0);        /* O_APPEND files too, as on Linux */
	CHECK_EQ(sys_write(fd, "e", 1), 1);        /* and still append */
	CHECK_EQ(sys_fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 2);
	sys_close(fd);
	sys_unlink("/log");
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(readv_writev_and_their_limits)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	long fd = sys_open("/v", O_CREAT | O_RDWR, 0644);
	struct iovec out[2] = { { "abc", 3 }, { "defg", 4 } };
	CHECK_EQ(sys_writev(fd, out, 2), 7);
	char a[2], b[10] = { 0 };
	struct iovec in[2] = { { a, 2 }, { b, 10 } };
	CHECK_EQ(sys_preadv(fd, in, 2, 0), 7);
	CHECK(memcmp(a, "ab", 2) == 0 && strcmp(b, "cdefg") == 0);
	CHECK_EQ(sys_readv(fd, in, 1025), -EINVAL);
	CHECK_EQ(sys_readv(fd, in, -1), -EINVAL);
	CHECK_EQ(sys_readv(fd, in, 0), 0);
	struct iovec bad[2] = { { a, 1 }, { b, (size_t)-1 } };
	CHECK_EQ(sys_readv(fd, bad, 2), -EINVAL);
	sys_close(fd);
	sys_unlink("/v");
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(dup_fcntl_and_cloexec)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	long fd = sys_open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	CHECK_EQ(fd, 0);
	CHECK_EQ(sys_fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
	CHECK_EQ(sys_dup(fd), 1);
	CHECK_EQ(sys_fcntl(1, F_GETFD, 0), 0);
	CHECK_EQ(sys_fcntl(fd, F_DUPFD, 10), 10);
	CHECK_EQ(sys_fcntl(fd, F_DUPFD_CLOEXEC, 10), 11);
	CHECK_EQ(sys_fcntl(11, F_GETFD, 0), FD_CLOEXEC);
	CHECK_EQ(sys_fcntl(fd, F_DUPFD, 5000), -EINVAL);
	CHECK_EQ(sys_dup2(fd, 7), 7);
	CHECK_EQ(sys_dup2(7, 7), 7);
	CHECK_EQ(sys_dup2(8, 8), -EBADF);
	CHECK_EQ(sys_dup3(7, 7, 0), -EINVAL);
	CHECK_EQ(sys_dup3(7, 3, O_CLOEXEC), 3);
	CHECK_EQ(sys_dup3(7, 4, 1), -EINVAL);
	CHECK_EQ(sys_dup2(fd, 5000), -EBADF);
	long fl = sys_fcntl(fd, F_GETFL, 0);
	CHECK_EQ(fl & O_ACCMODE, O_RDONLY);
	CHECK_EQ(sys_fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND | O_WRONLY), 0);
	fl = sys_fcntl(1, F_GETFL, 0);      /* shared by dup */
	CHECK((fl & O_NONBLOCK) && (fl & O_APPEND) && (fl & O_ACCMODE) == O_RDONLY);
	CHECK_EQ(sys_fcntl(fd, 9999, 0), -EINVAL);
	CHECK_EQ(sys_fcntl(99, F_GETFD, 0), -EBADF);
	CHECK_EQ(sys_ioctl(fd, 0x5401, 0), -ENOTTY);
	CHECK_EQ(sys_ioctl(99, 0x5401, 0), -EBADF);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(getdents64_lists_a_directory_in_pieces)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(sys_mkdir("/d", 0755), 0);
	CHECK_EQ(sys_mkdir("/d/sub", 0755), 0);
	sys_close(sys_open("/d/file", O_CREAT | O_WRONLY, 0644));
	long fd = sys_open("/d", O_RDONLY | O_DIRECTORY, 0);
	char buf[512], names[128] = "";
	CHECK_EQ(sys_getdents64(fd, buf, 10), -EINVAL);
	long n;
	while ((n = sys_getdents64(fd, buf, 32)) > 0) {      /* one record at a time */
		struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
		CHECK_EQ(d->d_reclen, n);
		strcat(names, d->d_name);
		strcat(names, d->d_type == IFTODT(S_IFDIR) ? "/ " : " ");
	}
	CHECK_EQ(n, 0);
	CHECK(strcmp(names, "./ ../ sub/ file ") == 0);
	CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
	CHECK(sys_getdents64(fd, buf, sizeof(buf)) > 0);
	char c;
	CHECK_EQ(sys_read(fd, &c, 1), -EISDIR);
	long f = sys_open("/d/file", O_RDONLY, 0);
	CHECK_EQ(sys_getdents64(f, buf, sizeof(buf)), -ENOTDIR);
	sys_close(f);
	sys_close(fd);
	CHECK_EQ(sys_rmdir("/d"), -ENOTEMPTY);
	CHECK_EQ(sys_unlinkat(AT_FDCWD, "/d/sub", AT_REMOVEDIR), 0);
	CHECK_EQ(sys_unlinkat(AT_FDCWD, "/d/file", 0), 0);
	CHECK_EQ(sys_rmdir("/d"), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(name_syscalls_give_linux_errors)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(sys_mkdir("/", 0755), -EEXIST);
	CHECK_EQ(sys_mkdir("/a", 0755), 0);
	CHECK_EQ(sys_mkdir("/a", 0755), -EEXIST);
	CHECK_EQ(sys_mkdir("/a/b/c", 0755), -ENOENT);
	CHECK_EQ(sys_rmdir("/a/."), -EINVAL);
	CHECK_EQ(sys_rmdir("/a/.."), -ENOTEMPTY);
	CHECK_EQ(sys_rmdir("/"), -EBUSY);
	CHECK_EQ(sys_unlink("/a"), -EISDIR);
	CHECK_EQ(sys_unlink("/a/"), -EISDIR);
	sys_close(sys_open("/f", O_CREAT | O_WRONLY, 0644));
	CHECK_EQ(sys_unlink("/f/"), -ENOTDIR);
	CHECK_EQ(sys_rmdir("/f"), -ENOTDIR);
	CHECK_EQ(sys_unlinkat(AT_FDCWD, "/f", 0x1), -EINVAL);
	CHECK_EQ(sys_rename("/f", "/a"), -EISDIR);
	CHECK_EQ(sys_rename("/a", "/f"), -ENOTDIR);
	CHECK_EQ(sys_rename("/f/", "/g"), -ENOTDIR);
	CHECK_EQ(sys_rename("/a", "/a/inside"), -EINVAL);
	CHECK_EQ(sys_renameat2(AT_FDCWD, "/f", AT_FDCWD, "/a", RENAME_NOREPLACE), -EEXIST);
	CHECK_EQ(sys_renameat2(AT_FDCWD, "/f", AT_FDCWD, "/g", 8), -EINVAL);   /* no such flag */
	CHECK_EQ(sys_renameat2(AT_FDCWD, "/f", AT_FDCWD, "/g", RENAME_EXCHANGE), -ENOENT);
	CHECK_EQ(sys_rename("/f", "/g"), 0);
	CHECK_EQ(sys_link("/g", "/h"), 0);
	CHECK_EQ(sys_link("/a", "/a2"), -EPERM);
	CHECK_EQ(sys_link("/g", "/h"), -EEXIST);
	struct stat st;
	CHECK_EQ(sys_stat("/h", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(sys_symlink("g", "/s"), 0);
	char buf[8];
	CHECK_EQ(sys_readlink("/s", buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'g');
	CHECK_EQ(sys_readlink("/g", buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(sys_readlink("/s", buf, 0), -EINVAL);
	CHECK_EQ(sys_lstat("/s", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(sys_stat("", &st), -ENOENT);
	CHECK_EQ(sys_unlink("/s"), 0);
	CHECK_EQ(sys_unlink("/h"), 0);
	CHECK_EQ(sys_unlink("/g"), 0);
	CHECK_EQ(sys_rmdir("/a"), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(dirfd_relative_paths_chdir_and_getcwd)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(sys_mkdir("/usr", 0755), 0);
	CHECK_EQ(sys_mkdirat(AT_FDCWD, "usr/bin", 0755), 0);
	long dfd = sys_open("/usr", O_RDONLY | O_DIRECTORY, 0);
	long fd = sys_openat(dfd, "bin/tool", O_CREAT | O_WRONLY, 0755);
	CHECK(fd > 0);
	struct stat st;
	CHECK_EQ(sys_newfstatat(dfd, "bin/tool", &st, 0), 0);
	CHECK_EQ(sys_newfstatat(fd, "", &st, AT_EMPTY_PATH), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(sys_newfstatat(fd, "x", &st, 0), -ENOTDIR);
	CHECK_EQ(sys_newfstatat(99, "x", &st, 0), -EBADF);
	CHECK_EQ(sys_newfstatat(99, "/usr", &st, 0), 0);   /* absolute: dirfd unused */
	char buf[64];
	CHECK_EQ(sys_chdir("/usr/bin"), 0);
	CHECK_EQ(sys_getcwd(buf, sizeof(buf)), 9);
	CHECK(strcmp(buf, "/usr/bin") == 0);
	CHECK_EQ(sys_getcwd(buf, 3), -ERANGE);
	CHECK_EQ(sys_access("tool", 1), 0);
	CHECK_EQ(sys_chdir("tool"), -ENOTDIR);
	CHECK_EQ(sys_fchdir(dfd), 0);
	CHECK_EQ(sys_getcwd(buf, sizeof(buf)), 5);
	CHECK_EQ(sys_fchdir(fd), -ENOTDIR);
	CHECK_EQ(sys_chdir("/"), 0);
	sys_close(fd);
	sys_close(dfd);
	CHECK_EQ(sys_unlink("/usr/bin/tool"), 0);
	CHECK_EQ(sys_rmdir("/usr/bin"), 0);
	CHECK_EQ(sys_rmdir("/usr"), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(attributes_change_with_permission_checks)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	sys_close(sys_open("/f", O_CREAT | O_WRONLY, 0644));
	CHECK_EQ(sys_chmod("/f", 0600), 0);
	CHECK_EQ(sys_chown("/f", 1000, 1000), 0);
	struct stat st;
	CHECK_EQ(sys_stat("/f", &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(sys_truncate("/f", 10000), 0);
	CHECK_EQ(sys_stat("/f", &st), 0);
	CHECK_EQ(st.st_size, 10000);
	CHECK_EQ(st.st_blocks, 0);
	CHECK_EQ(sys_truncate("/", 0), -EISDIR);
	CHECK_EQ(sys_truncate("/f", -1), -EINVAL);
	struct __kernel_timespec ts[2] = { { 5, 0 }, { 7, UTIME_OMIT } };
	CHECK_EQ(sys_utimensat(AT_FDCWD, "/f", ts, 0), 0);
	CHECK_EQ(sys_stat("/f", &st), 0);
	CHECK_EQ(st.st_atime, 5);
	test_uid = 2000;
	CHECK_EQ(sys_chmod("/f", 0777), -EPERM);
	CHECK_EQ(sys_chown("/f", 2000, 2000), -EPERM);
	CHECK_EQ(sys_open("/f", O_RDONLY, 0), -EACCES);
	CHECK_EQ(sys_access("/f", 4), -EACCES);
	CHECK_EQ(sys_access("/f", 0), 0);
	CHECK_EQ(sys_access("/f", 8), -EINVAL);
	CHECK_EQ(sys_mkdir("/nope", 0755), -EACCES);
	CHECK_EQ(sys_unlink("/f"), -EACCES);
	test_uid = 0;
	CHECK_EQ(sys_unlink("/f"), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(memory_devices_behave_like_linux)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	devfs_init();
	char buf[8];
	memset(buf, 1, sizeof(buf));
	long z = sys_open("/dev/zero", O_RDWR, 0);
	CHECK_EQ(sys_read(z, buf, sizeof(buf)), 8);
	CHECK(buf[0] == 0 && buf[7] == 0);
	CHECK_EQ(sys_write(z, buf, 8), 8);
	long n = sys_open("/dev/null", O_RDWR, 0);
	CHECK_EQ(sys_read(n, buf, 8), 0);
	CHECK_EQ(sys_write(n, buf, 8), 8);
	CHECK_EQ(sys_lseek(n, 100, SEEK_SET), 0);
	long f = sys_open("/dev/full", O_WRONLY, 0);
	CHECK_EQ(sys_write(f, buf, 1), -ENOSPC);
	long r = sys_open("/dev/urandom", O_RDONLY, 0);
	uint64_t x = 0, y = 0;
	CHECK_EQ(sys_read(r, (char *)&x, 8), 8);
	CHECK_EQ(sys_read(r, (char *)&y, 8), 8);
	CHECK(x != y);
	struct stat st;
	CHECK_EQ(sys_stat("/dev/random", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, MKDEV(1, 8));
	CHECK_EQ(sys_stat("/dev/shm", &st), 0);
	CHECK_EQ(st.st_mode, S_IFDIR | 01777);
	struct statfs sfs;
	CHECK_EQ(sys_statfs("/dev", &sfs), 0);
	CHECK_EQ(sfs.f_type, TMPFS_MAGIC);
	CHECK_EQ(sys_pread64(n, buf, 1, 0), 0);
	sys_close(z);
	sys_close(n);
	sys_close(f);
	sys_close(r);
	static const char *nodes[] = { "null", "zero", "full", "random", "urandom" };
	char path[32];
	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/dev/%s", nodes[i]);
		CHECK_EQ(sys_unlink(path), 0);
	}
	CHECK_EQ(sys_rmdir("/dev/shm"), 0);
	CHECK_EQ(sys_rmdir("/dev"), 0);
	CHECK(fs_fixture_end(&fx));
}
