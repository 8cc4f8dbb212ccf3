/*
 * sysutil.c - helpers of the file syscalls (see sysutil.h).
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "fs/sysutil.h"

/* user_path - a kernel copy of a user path. See sysutil.h. */
int user_path(const char *upath, bool allow_empty, char **out)
{
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	long len = strncpy_from_user(buf, upath, PATH_MAX);
	if (len < 0 || (len == 0 && !allow_empty)) {
		kfree(buf);
		return len < 0 ? (int)len : -ENOENT;
	}
	*out = buf;
	return 0;
}

/* fd_file - the caller's file at fd, referenced, or NULL. */
struct file *fd_file(int fd)
{
	return fd_get_own(current_files(), fd);
}

/* dirfd_base - the directory a relative path starts from. See sysutil.h. */
int dirfd_base(int dirfd, const char *path, struct inode **base)
{
	*base = NULL;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	struct file *f = fd_file(dirfd);
	if (!f)
		return -EBADF;
	int err = 0;
	if (f->inode && S_ISDIR(f->inode->mode))
		*base = inode_get(f->inode);
	else
		err = -ENOTDIR;
	file_put(f);
	return err;
}

/* The inode dirfd itself stands for (AT_EMPTY_PATH): its file's, or the cwd. */
static int dirfd_inode(int dirfd, struct inode **out)
{
	if (dirfd == AT_FDCWD) {
		*out = fs_get_cwd(current_fs());
		return 0;
	}
	struct file *f = fd_file(dirfd);
	if (!f)
		return -EBADF;
	int err = f->inode ? 0 : -EBADF;   /* an anonymous file has no inode to name */
	if (!err)
		*out = inode_get(f->inode);
	file_put(f);
	return err;
}

/* user_lookup_at - resolve a dirfd-relative user path. See sysutil.h. */
int user_lookup_at(int dirfd, const char *upath, int lookup_flags, int at_flags,
		   struct inode **out)
{
	char *path;
	int err = user_path(upath, at_flags & AT_EMPTY_PATH, &path);
	if (err)
		return err;
	struct inode *base = NULL;
	if (path[0] == '\0')
		err = dirfd_inode(dirfd, out);
	else if (!(err = dirfd_base(dirfd, path, &base)))
		err = vfs_lookup_at(base, path, lookup_flags, out);
	inode_put(base);
	kfree(path);
	return err;
}

/* user_parent_get - the parent of a dirfd-relative user path. */
int user_parent_get(int dirfd, const char *upath, struct user_parent *p)
{
	int err = user_path(upath, false, &p->path);
	if (err)
		return err;
	struct inode *base;
	err = dirfd_base(dirfd, p->path, &base);
	if (!err) {
		err = vfs_lookup_parent(base, p->path, &p->dir, &p->last);
		inode_put(base);
	}
	if (err)
		kfree(p->path);
	return err;
}

void user_parent_put(struct user_parent *p)
{
	inode_put(p->dir);
	kfree(p->path);
}

/* may_create_in - creating or removing names needs write and search. */
int may_create_in(struct inode *dir)
{
	return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/* inode_owner_or_capable - for chmod, utimes with explicit times, ... */
int inode_owner_or_capable(struct inode *inode)
{
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	return uid == inode->uid || capable(CAP_FOWNER) ? 0 : -EPERM;
}

/* inode_init_owner - Linux's rule: the caller's fsuid owns it; the group
 * is the directory's when that is set-group-ID (a new directory then is
 * too), else the caller's fsgid; a file keeps S_ISGID only if its
 * creator is in its group or has CAP_FSETID. */
void inode_init_owner(struct inode *dir, uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	current_fsids(uid, gid);
	if (!(dir->mode & S_ISGID))
		return;
	*gid = dir->gid;
	if (S_ISDIR(*mode))
		*mode |= S_ISGID;
	else if ((*mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && !current_in_group(*gid) &&
		 !capable(CAP_FSETID))
		*mode &= ~S_ISGID;
}
