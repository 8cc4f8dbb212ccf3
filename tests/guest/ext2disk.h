/*
 * ext2disk.h - the ext2 disk of a guest test (ext2.c, ext2_xattr.c): in
 * Aspen the harness's (the DISKS line: an image the host's mkfs.ext2
 * made of tests/guest/ext2-tree); on Linux the same image made with
 * mkfs.ext2 and mounted through a loop device (as root, with ASPEN_SRC
 * naming the source tree as run-all sets it; skipped otherwise), so
 * Linux's own ext2 is the reference. setup() mounts it on a fresh
 * directory, teardown() unmounts it.
 */
#ifndef ASPEN_EXT2DISK_H
#define ASPEN_EXT2DISK_H
#include "gtest.h"
#include "loopdev.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define IMAGE_MIB 16
/* Linux's mkfs.ext2 -I: ext2_xattr.c asks for 128-byte inodes, with no
 * room for attributes inside the inode, where a Linux that serves ext2
 * with its ext4 driver would put small ones (Linux's ext2 never does). */
#ifndef EXT2DISK_INODE_SIZE
#define EXT2DISK_INODE_SIZE "256"
#endif

struct fs {
	char dev[64];
	char dir[64];
	int keep;            /* Linux: the loop device's descriptor (autoclear) */
};

/* Linux: the image, as scripts/disks.sh makes it, on a loop device. */
static inline bool make_linux_disk(struct fs *fs)
{
	const char *src = getenv("ASPEN_SRC");
	char tree[256], image[] = "/tmp/ext2-XXXXXX", size[16];
	int fd = mkstemp(image);

	if (!src || geteuid() != 0 || fd < 0)
		return false;
	close(fd);
	snprintf(tree, sizeof(tree), "%s/tests/guest/ext2-tree", src);
	snprintf(size, sizeof(size), "%dM", IMAGE_MIB);
	pid_t pid = xfork();
	if (pid == 0) {
		setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
		freopen("/dev/null", "w", stdout);
		execlp("mkfs.ext2", "mkfs.ext2", "-q", "-F", "-b", "1024", "-I", EXT2DISK_INODE_SIZE, "-d", tree, image, size,
		       (char *)NULL);
		_exit(127);
	}
	int status = wait_status(pid);
	int back = open(image, O_RDWR);
	unlink(image);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || back < 0)
		return false;
	fs->keep = loop_attach(back, LO_FLAGS_AUTOCLEAR, image, O_RDWR, fs->dev, sizeof(fs->dev));
	close(back);
	return fs->keep >= 0;
}

/* Aspen: the harness's ext2 disk. */
static inline bool find_aspen_disk(struct fs *fs)
{
	FILE *f = fopen("/etc/aspen-disks", "r");
	char name[32], kind[32];
	bool found = false;

	while (f && !found && fscanf(f, "%31s %31s %*s%*[^\n]", name, kind) == 2)
		if (strcmp(kind, "ext2") == 0) {
			snprintf(fs->dev, sizeof(fs->dev), "/dev/%s", name);
			found = true;
		}
	if (f)
		fclose(f);
	return found;
}

static inline void mount_fs(struct fs *fs, unsigned long flags)
{
	CHECK(mount(fs->dev, fs->dir, "ext2", flags, NULL) == 0, "mount %s on %s: %s", fs->dev,
	      fs->dir, strerror(errno));
}

/* Unmount what a failed test left mounted (a failed CHECK ends the test
 * at once), so the next test finds the disk free. */
static inline void cleanup_leftovers(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[512], point[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s", point) == 1 && !strncmp(point, "/tmp/ext2-mnt-", 14)) {
			umount2(point, MNT_DETACH);
			rmdir(point);
		}
	if (f)
		fclose(f);
}

/* The disk, mounted on a fresh directory (skips where there is none). */
static inline struct fs setup(unsigned long flags)
{
	struct fs fs = { .keep = -1 };

	cleanup_leftovers();

	if (on_aspen() ? !find_aspen_disk(&fs) : !make_linux_disk(&fs))
		SKIP(on_aspen() ? "no ext2 disk attached" : "needs root, loop devices, mkfs.ext2, ASPEN_SRC");
	snprintf(fs.dir, sizeof(fs.dir), "/tmp/ext2-mnt-XXXXXX");
	CHECK(mkdtemp(fs.dir) != NULL);
	mount_fs(&fs, flags);
	return fs;
}

static inline void unmount_fs(struct fs *fs)
{
	CHECK(umount(fs->dir) == 0, "umount %s: %s", fs->dir, strerror(errno));
}

static inline void teardown(struct fs *fs)
{
	unmount_fs(fs);
	rmdir(fs->dir);
	if (fs->keep >= 0)
		close(fs->keep);
}

static inline const char *at(struct fs *fs, const char *name)
{
	static char paths[4][192];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%s", fs->dir, name);
	return p;
}

static inline unsigned long long free_blocks(struct fs *fs)
{
	struct statfs sf;

	CHECK_EQ(statfs(fs->dir, &sf), 0);
	return sf.f_bfree;
}
#endif
