/*
 * mount.c - mount(2) and umount2(2) as Linux has them, for the memory
 * file systems: tmpfs at any directory with size=, nr_inodes= and mode=,
 * proc and devtmpfs elsewhere, stacked and nested mounts, read-only
 * remounts (EROFS), busy file systems (EBUSY, MNT_DETACH), the errors,
 * /proc/mounts and /proc/self/mountinfo lines, statfs and statvfs
 * figures, sync and syncfs. Needs root (skipped otherwise, e.g. on a
 * host that runs the tests unprivileged).
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define PAGE 4096

static char dir[64];

/* A fresh directory to mount on (removed by the test's own cleanup).
 * Natively the test first gets a mount namespace of its own: what a
 * failed test leaves mounted goes away with it, never onto the host. */
static const char *mount_point(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
	if (!on_aspen())
		CHECK(unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0,
		      "a private mount namespace: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "/tmp/mnt-XXXXXX");
	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	return dir;
}

static void xmount(const char *src, const char *target, const char *type, unsigned long flags,
		   const char *data)
{
	CHECK(mount(src, target, type, flags, data) == 0, "mount -t %s %s %s (%s): %s", type, src,
	      target, data ? data : "", strerror(errno));
}

static void write_file(const char *path, size_t len)
{
	static char buf[PAGE];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	for (size_t done = 0; done < len; done += PAGE)
		CHECK_EQ(write(fd, buf, PAGE), PAGE);
	close(fd);
}

/* The line of /proc/mounts (or mountinfo) whose field n (0-based) is
 * target, in buf; false if none. */
static bool table_line(const char *table, int n, const char *target, char *buf, size_t size)
{
	FILE *f = fopen(table, "r");
	bool found = false;

	CHECK(f != NULL, "%s: %s", table, strerror(errno));
	while (!found && fgets(buf, (int)size, f)) {
		char copy[512], *save, *word = NULL;

		snprintf(copy, sizeof(copy), "%s", buf);
		word = strtok_r(copy, " ", &save);
		for (int i = 0; i < n && word; i++)
			word = strtok_r(NULL, " ", &save);
		found = word && strcmp(word, target) == 0;
	}
	fclose(f);
	return found;
}

GTEST(tmpfs_mounts_at_any_directory_and_goes_away)
{
	const char *d = mount_point();
	char path[128], line[512];
	struct stat before, st;

	CHECK_EQ(stat(d, &before), 0);
	xmount("tmpfs", d, "tmpfs", 0, "size=1m,mode=0700");
	CHECK_EQ(stat(d, &st), 0);
	CHECK(st.st_dev != before.st_dev, "same st_dev after mount");
	CHECK_EQ(st.st_mode, S_IFDIR | 0700);
	snprintf(path, sizeof(path), "%s/file", d);
	write_file(path, PAGE);
	CHECK(table_line("/proc/mounts", 1, d, line, sizeof(line)), "no %s in /proc/mounts", d);
	CHECK(strncmp(line, "tmpfs ", 6) == 0 && strstr(line, " tmpfs rw,") &&
	      strstr(line, "size=1024k") && strstr(line, "mode=700"), "line: %s", line);
	CHECK_EQ(umount(d), 0);
	CHECK_ERR(stat(path, &st), ENOENT);
	CHECK_EQ(stat(d, &st), 0);
	CHECK_EQ(st.st_dev, before.st_dev);
	CHECK(!table_line("/proc/mounts", 1, d, line, sizeof(line)), "still listed: %s", line);
	CHECK_EQ(rmdir(d), 0);
}

GTEST(statfs_reports_tmpfs_size_and_inodes)
{
	const char *d = mount_point();
	char path[128];
	struct statfs sf;
	struct statvfs sv;

	xmount("tmpfs", d, "tmpfs", MS_NOSUID, "size=1m,nr_inodes=100");
	CHECK_EQ(statfs(d, &sf), 0);
	CHECK_EQ(sf.f_type, TMPFS_MAGIC);
	CHECK_EQ(sf.f_bsize, PAGE);
	CHECK_EQ(sf.f_blocks, 256);
	CHECK_EQ(sf.f_bfree, 256);
	CHECK_EQ(sf.f_files, 100);
	CHECK_EQ(sf.f_ffree, 99);             /* the root directory */
	CHECK_EQ(sf.f_namelen, 255);
	snprintf(path, sizeof(path), "%s/eight-pages", d);
	write_file(path, 8 * PAGE);
	CHECK_EQ(statvfs(path, &sv), 0);
	CHECK_EQ(sv.f_bfree, 248);
	CHECK_EQ(sv.f_bavail, 248);
	CHECK_EQ(sv.f_ffree, 98);
	CHECK(sv.f_flag & ST_NOSUID, "f_flag %#lx", sv.f_flag);
	CHECK(!(sv.f_flag & ST_RDONLY), "f_flag %#lx", sv.f_flag);
	int fd = open(path, O_RDONLY);
	CHECK_EQ(fstatfs(fd, &sf), 0);
	CHECK_EQ(sf.f_blocks, 256);
	CHECK_EQ(syncfs(fd), 0);
	close(fd);
	sync();
	CHECK_ERR(syncfs(-1), EBADF);
	CHECK_EQ(umount(d), 0);
	rmdir(d);
}

GTEST(tmpfs_limits_give_enospc)
{
	const char *d = mount_point();
	char path[128], buf[PAGE] = { 0 };

	xmount("tmpfs", d, "tmpfs", 0, "size=64k,nr_inodes=3");
	snprintf(path, sizeof(path), "%s/big", d);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	ssize_t r;
	size_t total = 0;
	while ((r = write(fd, buf, sizeof(buf))) > 0)
		total += (size_t)r;
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(total, 64 * 1024);
	close(fd);
	snprintf(path, sizeof(path), "%s/second", d);
	CHECK((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0);   /* root, big, second */
	close(fd);
	snprintf(path, sizeof(path), "%s/third", d);
	CHECK_ERR(open(path, O_WRONLY | O_CREAT, 0644), ENOSPC);
	CHECK_ERR(mkdir(path, 0755), ENOSPC);
	CHECK_EQ(umount(d), 0);
	rmdir(d);
}

GTEST(readonly_remount_gives_erofs)
{
	const char *d = mount_point();
	char path[128], sub[128], line[512];
	struct statvfs sv;

	xmount("tmpfs", d, "tmpfs", 0, NULL);
	snprintf(path, sizeof(path), "%s/file", d);
	snprintf(sub, sizeof(sub), "%s/sub", d);
	write_file(path, PAGE);
	xmount(NULL, d, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	CHECK_ERR(open(path, O_WRONLY), EROFS);
	CHECK_ERR(open(path, O_RDONLY | O_TRUNC), EROFS);
	CHECK_ERR(open(sub, O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK_ERR(mkdir(sub, 0755), EROFS);
	CHECK_ERR(unlink(path), EROFS);
	CHECK_ERR(rename(path, sub), EROFS);
	CHECK_ERR(chmod(path, 0600), EROFS);
	CHECK_ERR(truncate(path, 0), EROFS);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "read-only open: %s", strerror(errno));
	close(fd);
	CHECK_EQ(statvfs(d, &sv), 0);
	CHECK(sv.f_flag & ST_RDONLY, "f_flag %#lx", sv.f_flag);
	CHECK(table_line("/proc/mounts", 1, d, line, sizeof(line)));
	CHECK(strstr(line, " tmpfs ro,") != NULL, "line: %s", line);
	xmount(NULL, d, NULL, MS_REMOUNT, NULL);
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(umount(d), 0);
	rmdir(d);
}

GTEST(busy_mount_gives_ebusy_until_released)
{
	const char *d = mount_point();
	char path[128], line[512];

	xmount("tmpfs", d, "tmpfs", 0, NULL);
	snprintf(path, sizeof(path), "%s/open", d);
	write_file(path, PAGE);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(umount(d), EBUSY);
	close(fd);
	pid_t pid = xfork();
	if (pid == 0) {   /* a working directory inside keeps it busy too */
		if (chdir(d) != 0)
			_exit(2);
		_exit(umount(d) == -1 && errno == EBUSY ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
	fd = open(path, O_RDONLY);
	CHECK_EQ(umount2(d, MNT_DETACH), 0);      /* lazily, with the file open */
	CHECK(!table_line("/proc/mounts", 1, d, line, sizeof(line)), "still listed: %s", line);
	char c;
	CHECK_EQ(read(fd, &c, 1), 1);
	close(fd);
	CHECK_ERR(access(path, F_OK), ENOENT);
	CHECK_EQ(rmdir(d), 0);
}

GTEST(umount_and_mount_errors)
{
	const char *d = mount_point();
	char file[128];

	snprintf(file, sizeof(file), "%s/plain", d);
	write_file(file, 0);
	CHECK_ERR(umount(d), EINVAL);                        /* not a mount point */
	CHECK_ERR(umount("/nonexistent-mount-point"), ENOENT);
	CHECK_ERR(umount2(d, MNT_EXPIRE | MNT_DETACH), EINVAL);
	CHECK_ERR(umount2(d, 0x100), EINVAL);
	CHECK_ERR(mount("none", d, "no-such-fs-type", 0, NULL), ENODEV);
	CHECK_ERR(mount("tmpfs", file, "tmpfs", 0, NULL), ENOTDIR);
	CHECK_ERR(mount("tmpfs", "/nonexistent-mount-point", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR(mount("tmpfs", d, "tmpfs", 0, "size=1m,bogus=1"), EINVAL);
	CHECK_ERR(mount(file, d, "ext2", 0, NULL), ENOTBLK);
	CHECK_ERR(mount("tmpfs", d, "tmpfs", 0, (void *)16), EFAULT);
	unlink(file);
	rmdir(d);
}

GTEST(stacked_and_nested_mounts)
{
	const char *d = mount_point();
	char path[128], sub[128];

	xmount("tmpfs", d, "tmpfs", 0, NULL);
	snprintf(path, sizeof(path), "%s/lower", d);
	write_file(path, 0);
	xmount("tmpfs", d, "tmpfs", 0, NULL);                /* on top: hides lower */
	CHECK_ERR(access(path, F_OK), ENOENT);
	snprintf(sub, sizeof(sub), "%s/sub", d);
	CHECK_EQ(mkdir(sub, 0755), 0);
	xmount("tmpfs", sub, "tmpfs", 0, NULL);              /* nested in the top one */
	CHECK_ERR(umount(d), EBUSY);
	CHECK_EQ(umount(sub), 0);
	CHECK_EQ(umount(d), 0);
	CHECK_EQ(access(path, F_OK), 0);                     /* lower again */
	CHECK_EQ(umount(d), 0);
	rmdir(d);
}

GTEST(proc_and_devtmpfs_mount_elsewhere)
{
	const char *d = mount_point();
	char path[128], link[64];
	struct statfs sf;
	struct stat st, root;

	xmount("proc", d, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	snprintf(path, sizeof(path), "%s/self", d);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink %s: %s", path, strerror(errno));
	link[n] = '\0';
	CHECK_EQ(atoi(link), getpid());
	CHECK_EQ(statfs(d, &sf), 0);
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC);
	snprintf(path, sizeof(path), "%s/1/..", d);          /* ".." comes back to this mount */
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(stat(d, &root), 0);
	CHECK_EQ(st.st_ino, root.st_ino);
	CHECK_EQ(st.st_dev, root.st_dev);
	CHECK_EQ(umount(d), 0);
	xmount("devtmpfs", d, "devtmpfs", 0, NULL);
	snprintf(path, sizeof(path), "%s/null", d);
	CHECK_EQ(stat(path, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, makedev(1, 3));
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	close(fd);
	CHECK_EQ(umount(d), 0);
	rmdir(d);
}

GTEST(mountinfo_describes_the_mount)
{
	const char *d = mount_point();
	char line[512], fstype[32], source[64], point[128], opts[128];
	int id, parent;
	unsigned maj, min;
	struct stat st;

	xmount("tmpfs", d, "tmpfs", MS_NODEV, "size=2m");
	CHECK(table_line("/proc/self/mountinfo", 4, d, line, sizeof(line)), "no %s", d);
	CHECK_EQ(sscanf(line, "%d %d %u:%u / %127s %127s", &id, &parent, &maj, &min, point, opts), 6);
	CHECK(id != parent);
	CHECK_EQ(stat(d, &st), 0);
	CHECK_EQ(makedev(maj, min), st.st_dev);
	CHECK(strncmp(opts, "rw,nodev", 8) == 0, "mount options %s", opts);
	char *sep = strstr(line, " - ");
	CHECK(sep != NULL);
	CHECK_EQ(sscanf(sep, " - %31s %63s", fstype, source), 2);
	CHECK(strcmp(fstype, "tmpfs") == 0 && strcmp(source, "tmpfs") == 0, "%s", sep);
	CHECK(strstr(sep, "size=2048k") != NULL, "%s", sep);
	CHECK_EQ(umount(d), 0);
	rmdir(d);
}
