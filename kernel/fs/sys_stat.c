/*
 * sys_stat.c - stat, statx, statfs and access.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/usercopy.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/mount.h"
#include "fs/file.h"

#define STAT_BLKSIZE 4096
#define STATX_ALL_FLAGS (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)

/* A consistent copy of what stat reports, taken under inode->lock. */
struct kstat {
	uint32_t dev, rdev, mode, uid, gid, nlink;
	uint64_t ino, size, blocks;
	struct vfs_time atime, mtime, ctime;
};

static void inode_stat(struct inode *i, struct kstat *k)
{
	mutex_lock(&i->lock);
	k->dev = i->dev;
	k->rdev = i->rdev;
	k->mode = i->mode;
	k->uid = i->uid;
	k->gid = i->gid;
	k->nlink = i->nlink;
	k->ino = i->ino;
	k->size = i->size;
	k->blocks = i->iops->blocks ? i->iops->blocks(i) : 0;
	k->atime = i->atime;
	k->mtime = i->mtime;
	k->ctime = i->ctime;
	mutex_unlock(&i->lock);
}

/* Fill and copy out a struct stat for inode. */
static long put_stat(struct inode *inode, struct stat *ust)
{
	struct kstat k;
	struct stat st;
	inode_stat(inode, &k);
	memset(&st, 0, sizeof(st));
	st.st_dev = k.dev;
	st.st_ino = k.ino;
	st.st_nlink = k.nlink;
	st.st_mode = k.mode;
	st.st_uid = k.uid;
	st.st_gid = k.gid;
	st.st_rdev = k.rdev;
	st.st_size = (long)k.size;
	st.st_blksize = STAT_BLKSIZE;
	st.st_blocks = (long)k.blocks;
	st.st_atime = (unsigned long)k.atime.sec;
	st.st_atime_nsec = (unsigned long)k.atime.nsec;
	st.st_mtime = (unsigned long)k.mtime.sec;
	st.st_mtime_nsec = (unsigned long)k.mtime.nsec;
	st.st_ctime = (unsigned long)k.ctime.sec;
	st.st_ctime_nsec = (unsigned long)k.ctime.nsec;
	return copy_to_user(ust, &st, sizeof(st));
}

static struct statx_timestamp statx_time(struct vfs_time t)
{
	return (struct statx_timestamp){ .tv_sec = t.sec, .tv_nsec = (uint32_t)t.nsec };
}

static long put_statx(struct inode *inode, struct statx *ustx)
{
	struct kstat k;
	struct statx sx;
	inode_stat(inode, &k);
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = STAT_BLKSIZE;
	sx.stx_nlink = k.nlink;
	sx.stx_uid = k.uid;
	sx.stx_gid = k.gid;
	sx.stx_mode = (uint16_t)k.mode;
	sx.stx_ino = k.ino;
	sx.stx_size = k.size;
	sx.stx_blocks = k.blocks;
	sx.stx_atime = statx_time(k.atime);
	sx.stx_ctime = statx_time(k.ctime);
	sx.stx_mtime = statx_time(k.mtime);
	sx.stx_rdev_major = DEV_MAJOR(k.rdev);
	sx.stx_rdev_minor = DEV_MINOR(k.rdev);
	sx.stx_dev_major = DEV_MAJOR(k.dev);
	sx.stx_dev_minor = DEV_MINOR(k.dev);
	return copy_to_user(ustx, &sx, sizeof(sx));
}

/* The inode fd stands on for the stat family: its own, or for a file
 * made without one (eventfd, epoll, signalfd, timerfd, ...) the shared
 * anonymous inode, as Linux's anon_inodefs. 0 or -EBADF. */
static int fd_stat_inode(int fd, struct inode **out)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	*out = inode_get(file_inode(f));
	file_put(f);
	return 0;
}

/* Resolve for the stat family: AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH
 * (glibc's fstat is fstatat(fd, "", AT_EMPTY_PATH)). */
static int stat_lookup(int dirfd, const char *path, int flags, struct inode **out)
{
	int lf = flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW;
	int err = user_lookup_at(dirfd, path, lf, flags & AT_EMPTY_PATH, out);
	if (err == -EBADF && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD)
		err = fd_stat_inode(dirfd, out);   /* empty path on an anonymous file */
	return err;
}

long sys_newfstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	struct inode *inode;
	long err = stat_lookup(dirfd, path, flags, &inode);
	if (err)
		return err;
	err = put_stat(inode, st);
	inode_put(inode);
	return err;
}

long sys_stat(const char *path, struct stat *st) { return sys_newfstatat(AT_FDCWD, path, st, 0); }

long sys_lstat(const char *path, struct stat *st)
{
	return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

long sys_fstat(int fd, struct stat *st)
{
	struct inode *inode;
	long err = fd_stat_inode(fd, &inode);
	if (err)
		return err;
	err = put_stat(inode, st);
	inode_put(inode);
	return err;
}

long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	if ((flags & ~STATX_ALL_FLAGS) || (mask & STATX__RESERVED) ||
	    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	struct inode *inode;
	long err = stat_lookup(dirfd, path, flags, &inode);
	if (err)
		return err;
	err = put_statx(inode, stx);
	inode_put(inode);
	return err;
}

/* statfs of inode's file system (fs/mount.c). */
static long put_statfs(struct inode *inode, struct statfs *ubuf)
{
	struct statfs st;
	int err = mount_statfs(inode, &st);
	return err ? err : copy_to_user(ubuf, &st, sizeof(st));
}

long sys_statfs(const char *path, struct statfs *buf)
{
	struct inode *inode;
	long err = user_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW, 0, &inode);
	if (err)
		return err;
	err = put_statfs(inode, buf);
	inode_put(inode);
	return err;
}

long sys_fstatfs(int fd, struct statfs *buf)
{
	struct inode *inode;
	long err = fd_stat_inode(fd, &inode);
	if (err)
		return err;
	err = put_statfs(inode, buf);
	inode_put(inode);
	return err;
}

/* access: mode is F_OK (0) or R_OK|W_OK|X_OK (4, 2, 1), the MAY_* bits;
 * checked for the real uid and gid (the lookup too) unless AT_EACCESS. */
long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	if ((mode & ~(MAY_READ | MAY_WRITE | MAY_EXEC)) ||
	    (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
		return -EINVAL;
	bool real = !(flags & AT_EACCESS);
	if (real && current_access_begin())
		return -ENOMEM;
	struct inode *inode;
	long err = stat_lookup(dirfd, path, flags, &inode);
	if (!err) {
		err = mode ? inode_permission(inode, mode) : 0;
		inode_put(inode);
	}
	if (real)
		current_access_end();
	return err;
}

long sys_faccessat(int dirfd, const char *path, int mode) { return sys_faccessat2(dirfd, path, mode, 0); }
long sys_access(const char *path, int mode) { return sys_faccessat2(AT_FDCWD, path, mode, 0); }
