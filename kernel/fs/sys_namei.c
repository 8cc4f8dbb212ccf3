/*
 * sys_namei.c - the syscalls on names: mkdir, unlink, rmdir, rename,
 * link, symlink, readlink, chdir, getcwd, and attribute changes (chmod,
 * chown, truncate, utimensat) and umask.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/file.h"
#include "fs/inotify.h"

#define NSEC_PER_SEC 1000000000L

/* ---- creating and removing names ---- */

/* For inotify: the inode name in dir stands for now (referenced), or
 * NULL when nobody watches anything (or there is none). */
static struct inode *child_if_watched(struct inode *dir, const struct vfs_last *last)
{
	struct inode *child = NULL;
	if (inotify_active() && vfs_lookup_child(dir, last->name, last->len, &child))
		child = NULL;
	return child;
}

long sys_mkdirat(int dirfd, const char *path, uint32_t mode)
{
	struct user_parent p;
	long err = user_parent_get(dirfd, path, &p);
	if (err)
		return err;
	struct inode *made;
	uint32_t uid, gid;
	mode = S_IFDIR | (mode & 07777 & ~fs_get_umask(current_fs()));
	inode_init_owner(p.dir, &mode, &uid, &gid);
	mode &= 07777;
	if (p.last.type != LAST_NORM)
		err = -EEXIST;
	else if (!(err = may_create_in(p.dir)))
		err = p.dir->iops->mkdir ? p.dir->iops->mkdir(p.dir, p.last.name, p.last.len, mode,
							      uid, gid, &made) : -EPERM;
	if (!err) {
		inode_put(made);
		fsnotify_dir(p.dir, IN_CREATE, true, p.last.name, p.last.len, 0);
	}
	user_parent_put(&p);
	return err;
}

long sys_mkdir(const char *path, uint32_t mode) { return sys_mkdirat(AT_FDCWD, path, mode); }

/* Linux's may_mknod: the node types mknod makes (a type of 0 is a
 * regular file); -EPERM for a directory, -EINVAL for anything else. */
static long mknod_type(uint32_t mode, uint32_t *type)
{
	*type = mode & S_IFMT ? mode & S_IFMT : S_IFREG;
	switch (*type) {
	case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return 0;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
}

/* mknodat - a regular file, FIFO, socket or (with CAP_MKNOD) device
 * node, owned as inode_init_owner says; dev is in the encoding of
 * st_rdev. Errors in Linux's order: the type, the name (EEXIST), write
 * permission on the directory, then CAP_MKNOD. */
long sys_mknodat(int dirfd, const char *path, uint32_t mode, unsigned dev)
{
	uint32_t type;
	long err = mknod_type(mode, &type);
	if (err)
		return err;
	struct user_parent p;
	if ((err = user_parent_get(dirfd, path, &p)))
		return err;
	struct inode *made, *old;
	uint32_t uid, gid;
	bool device = type == S_IFCHR || type == S_IFBLK;
	mode = type | (mode & 07777 & ~fs_get_umask(current_fs()));
	inode_init_owner(p.dir, &mode, &uid, &gid);
	if (!device)
		dev = 0;
	if (p.last.type != LAST_NORM) {
		err = -EEXIST;
	} else if (!vfs_lookup_child(p.dir, p.last.name, p.last.len, &old)) {
		inode_put(old);
		err = -EEXIST;
	} else if (!(err = may_create_in(p.dir))) {
		err = (device && !capable(CAP_MKNOD)) || !p.dir->iops->mknod ? -EPERM :
			p.dir->iops->mknod(p.dir, p.last.name, p.last.len, mode, dev, uid, gid, &made);
	}
	if (!err) {
		inode_put(made);
		fsnotify_dir(p.dir, IN_CREATE, false, p.last.name, p.last.len, 0);
	}
	user_parent_put(&p);
	return err;
}

long sys_mknod(const char *path, uint32_t mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, path, mode, dev);
}

/* The error unlink gives for "name/": -EISDIR for a directory, else
 * -ENOTDIR (or the lookup's error). */
static long unlink_trailing_slash(struct user_parent *p)
{
	struct inode *child;
	long err = vfs_lookup_child(p->dir, p->last.name, p->last.len, &child);
	if (err)
		return err;
	err = S_ISDIR(child->mode) ? -EISDIR : -ENOTDIR;
	inode_put(child);
	return err;
}

/* The error for removing ".", "..", or "/" (rmdir) or any of them (unlink). */
static long remove_special(enum last_type type, bool dir)
{
	if (!dir)
		return -EISDIR;
	return type == LAST_DOT ? -EINVAL : type == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
}

long sys_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	bool dir = flags & AT_REMOVEDIR;
	struct user_parent p;
	long err = user_parent_get(dirfd, path, &p);
	if (err)
		return err;
	struct inode *d = p.dir, *victim = NULL;
	if (p.last.type != LAST_NORM)
		err = remove_special(p.last.type, dir);
	else if (p.last.trailing_slash && !dir)
		err = unlink_trailing_slash(&p);
	else if (!(err = may_create_in(d))) {
		victim = child_if_watched(d, &p.last);
		err = dir ? (d->iops->rmdir ? d->iops->rmdir(d, p.last.name, p.last.len) : -EPERM)
			  : (d->iops->unlink ? d->iops->unlink(d, p.last.name, p.last.len) : -EPERM);
	}
	if (!err && victim) {
		fsnotify_unlinked(victim);
		fsnotify_dir(d, IN_DELETE, S_ISDIR(victim->mode), p.last.name, p.last.len, 0);
	}
	inode_put(victim);
	user_parent_put(&p);
	return err;
}

long sys_unlink(const char *path) { return sys_unlinkat(AT_FDCWD, path, 0); }

/* vfs_unlink_kernel - see file.h. */
int vfs_unlink_kernel(const char *path)
{
	struct inode *dir;
	struct vfs_last *last = kmalloc(sizeof(*last));
	if (!last)
		return -ENOMEM;
	int err = vfs_lookup_parent(NULL, path, &dir, last);
	if (!err) {
		if (last->type != LAST_NORM || last->trailing_slash)
			err = -EISDIR;
		else if (!(err = may_create_in(dir)))
			err = dir->iops->unlink ? dir->iops->unlink(dir, last->name, last->len) : -EPERM;
		inode_put(dir);
	}
	kfree(last);
	return err;
}
long sys_rmdir(const char *path) { return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

/* With a trailing slash on either name, the source must be a directory. */
static long rename_slash_check(struct user_parent *o, struct user_parent *n)
{
	if (!o->last.trailing_slash && !n->last.trailing_slash)
		return 0;
	struct inode *src;
	long err = vfs_lookup_child(o->dir, o->last.name, o->last.len, &src);
	if (err)
		return err;
	err = S_ISDIR(src->mode) ? 0 : -ENOTDIR;
	inode_put(src);
	return err;
}

/* RENAME_EXCHANGE needs both names (ENOENT), and a name with a trailing
 * slash must be a directory (ENOTDIR), before the file system is asked. */
static long rename_exchange_check(struct user_parent *o, struct user_parent *n)
{
	struct user_parent *side[2] = { o, n };
	long err = 0;
	for (int i = 0; i < 2 && !err; i++) {
		struct inode *ip;
		err = vfs_lookup_child(side[i]->dir, side[i]->last.name, side[i]->last.len, &ip);
		if (err)
			break;
		if (side[i]->last.trailing_slash && !S_ISDIR(ip->mode))
			err = -ENOTDIR;
		inode_put(ip);
	}
	return err;
}

/* The flags Linux checks before any lookup: EXCHANGE excludes the other
 * two. (A whiteout needs no CAP_MKNOD since Linux 5.8.) */
static long rename_flags_check(unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	return 0;
}

/* inotify's view of a rename that succeeded: moved went from o to n
 * (an exchange: other went back), replacing other otherwise. */
static void notify_rename(struct user_parent *o, struct user_parent *n, struct inode *moved,
			  struct inode *other, unsigned flags)
{
	fsnotify_move(o->dir, o->last.name, o->last.len, n->dir, n->last.name, n->last.len, moved);
	if (other && (flags & RENAME_EXCHANGE))
		fsnotify_move(n->dir, n->last.name, n->last.len, o->dir, o->last.name, o->last.len, other);
	else if (other)
		fsnotify_unlinked(other);
}

/* The file system's rename, checks done, and its events. */
static long do_rename(struct user_parent *o, struct user_parent *n, unsigned flags)
{
	if (!o->dir->iops->rename)
		return -EPERM;
	struct inode *moved = child_if_watched(o->dir, &o->last);
	struct inode *other = child_if_watched(n->dir, &n->last);
	long err = o->dir->iops->rename(o->dir, o->last.name, o->last.len, n->dir, n->last.name,
					n->last.len, flags);
	if (!err && moved && moved != other)
		notify_rename(o, n, moved, other, flags);
	inode_put(moved);
	inode_put(other);
	return err;
}

/* renameat2 - NOREPLACE; EXCHANGE and WHITEOUT where the file system
 * does them (ramfs/tmpfs; ext2 answers EINVAL, as Linux's). */
long sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		   unsigned flags)
{
	long ferr = rename_flags_check(flags);
	if (ferr)
		return ferr;
	struct user_parent o, n;
	long err = user_parent_get(olddirfd, oldpath, &o);
	if (err)
		return err;
	if ((err = user_parent_get(newdirfd, newpath, &n))) {
		user_parent_put(&o);
		return err;
	}
	if (o.last.type != LAST_NORM || n.last.type != LAST_NORM)
		err = (flags & RENAME_NOREPLACE) && n.last.type != LAST_NORM ? -EEXIST : -EBUSY;
	else if (o.dir->dev != n.dir->dev)
		err = -EXDEV;
	else if (!(err = may_create_in(o.dir)) && !(err = may_create_in(n.dir)) &&
		 !(err = (flags & RENAME_EXCHANGE) ? rename_exchange_check(&o, &n)
						   : rename_slash_check(&o, &n)))
		err = do_rename(&o, &n, flags);
	user_parent_put(&n);
	user_parent_put(&o);
	return err;
}

long sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return sys_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

long sys_rename(const char *oldpath, const char *newpath)
{
	return sys_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

long sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *target;
	long err = user_lookup_at(olddirfd, oldpath, flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0,
				  flags & AT_EMPTY_PATH, &target);
	if (err)
		return err;
	struct user_parent n;
	if ((err = user_parent_get(newdirfd, newpath, &n))) {
		inode_put(target);
		return err;
	}
	if (n.last.type != LAST_NORM)
		err = -EEXIST;
	else if (S_ISDIR(target->mode))
		err = -EPERM;
	else if (n.last.trailing_slash)
		err = -ENOENT;
	else if (n.dir->dev != target->dev)
		err = -EXDEV;
	else if (!(err = may_create_in(n.dir)))
		err = n.dir->iops->link ? n.dir->iops->link(n.dir, n.last.name, n.last.len, target)
					: -EPERM;
	if (!err && inotify_active()) {
		fsnotify_inode(target, IN_ATTRIB);
		fsnotify_dir(n.dir, IN_CREATE, false, n.last.name, n.last.len, 0);
	}
	user_parent_put(&n);
	inode_put(target);
	return err;
}

long sys_link(const char *oldpath, const char *newpath)
{
	return sys_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

long sys_symlinkat(const char *utarget, int newdirfd, const char *linkpath)
{
	char *target;
	long err = user_path(utarget, false, &target);
	if (err)
		return err;
	struct user_parent p;
	if ((err = user_parent_get(newdirfd, linkpath, &p))) {
		kfree(target);
		return err;
	}
	struct inode *made;
	uint32_t uid, gid, mode = S_IFLNK | 0777;
	inode_init_owner(p.dir, &mode, &uid, &gid);
	if (p.last.type != LAST_NORM)
		err = -EEXIST;
	else if (!(err = may_create_in(p.dir)))
		err = p.dir->iops->symlink ? p.dir->iops->symlink(p.dir, p.last.name, p.last.len,
								  target, uid, gid, &made) : -EPERM;
	if (!err) {
		inode_put(made);
		fsnotify_dir(p.dir, IN_CREATE, false, p.last.name, p.last.len, 0);
	}
	user_parent_put(&p);
	kfree(target);
	return err;
}

long sys_symlink(const char *target, const char *linkpath)
{
	return sys_symlinkat(target, AT_FDCWD, linkpath);
}

long sys_readlinkat(int dirfd, const char *path, char *buf, int bufsiz)
{
	if (bufsiz <= 0)
		return -EINVAL;
	struct inode *link;
	long err = user_lookup_at(dirfd, path, 0, AT_EMPTY_PATH, &link);
	if (err)
		return err;
	char *target;
	if (!(err = vfs_readlink_kernel(link, &target))) {
		size_t n = MIN(strlen(target), (size_t)bufsiz);
		err = copy_to_user(buf, target, n) ? -EFAULT : (long)n;
		kfree(target);
	}
	inode_put(link);
	return err;
}

long sys_readlink(const char *path, char *buf, int bufsiz)
{
	return sys_readlinkat(AT_FDCWD, path, buf, bufsiz);
}

/* ---- the working directory ---- */

/* Make dir (referenced) the cwd if it is a searchable directory. */
static long set_cwd(struct inode *dir)
{
	long err = S_ISDIR(dir->mode) ? inode_permission(dir, MAY_EXEC) : -ENOTDIR;
	if (err)
		inode_put(dir);
	else
		fs_set_cwd(current_fs(), dir);
	return err;
}

long sys_chdir(const char *path)
{
	struct inode *dir;
	long err = user_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, 0, &dir);
	return err ? err : set_cwd(dir);
}

long sys_fchdir(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long err = f->inode ? set_cwd(inode_get(f->inode)) : -ENOTDIR;
	file_put(f);
	return err;
}

/* chroot - dir becomes the root of the caller's walks (and of those who
 * share its fs context, CLONE_FS): "/" starts there and ".." stops there.
 * The cwd stays, possibly outside. Linux's order: the lookup (ENOENT,
 * ENOTDIR), search permission (EACCES), then CAP_SYS_CHROOT (EPERM). */
long sys_chroot(const char *path)
{
	struct inode *dir;
	long err = user_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, 0, &dir);
	if (err)
		return err;
	err = inode_permission(dir, MAY_EXEC);
	if (!err && !capable(CAP_SYS_CHROOT))
		err = -EPERM;
	if (err)
		inode_put(dir);
	else
		fs_set_root(current_fs(), dir);
	return err;
}

long sys_getcwd(char *buf, unsigned long size)
{
	char *kbuf = kmalloc(PATH_MAX);
	if (!kbuf)
		return -ENOMEM;
	struct fs_context *fs = current_fs();
	struct inode *root = fs_get_root(fs), *cwd = fs_get_cwd(fs);
	long len = vfs_getcwd(root, cwd, kbuf, MIN(size, PATH_MAX));
	if (len > 0 && copy_to_user(buf, kbuf, (size_t)len))
		len = -EFAULT;
	inode_put(cwd);
	inode_put(root);
	kfree(kbuf);
	return len;
}

long sys_umask(int mask) { return fs_swap_umask(current_fs(), (uint32_t)mask); }

/* ---- attributes ---- */

/* The inotify events of an attribute change (Linux's fsnotify_change). */
static uint32_t change_events(uint32_t valid)
{
	uint32_t mask = valid & (ATTR_MODE | ATTR_UID | ATTR_GID) ? IN_ATTRIB : 0;
	if (valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	if ((valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;            /* both times: a utimes call */
	else if (valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	return mask;
}

static long setattr(struct inode *inode, const struct iattr *attr)
{
	long err = inode->iops->setattr ? inode->iops->setattr(inode, attr) : -EPERM;
	if (!err && inotify_active())
		fsnotify_inode(inode, change_events(attr->ia_valid));
	return err;
}

/* chmod: the owner (or CAP_FOWNER); S_ISGID is dropped unless the
 * caller is in the file's group or has CAP_FSETID. */
static long chmod_inode(struct inode *inode, uint32_t mode)
{
	long err = inode_owner_or_capable(inode);
	mode &= 07777;
	if (!current_in_group(inode->gid) && !capable(CAP_FSETID))
		mode &= ~S_ISGID;
	struct iattr attr = { .ia_valid = ATTR_MODE, .mode = mode };
	return err ? err : setattr(inode, &attr);
}

/* chown (-1 leaves an id as it is), Linux's chown_ok and chgrp_ok: only
 * CAP_CHOWN gives a file away; its owner may change its group to one it
 * is in. A file (not a directory) loses S_ISUID, and S_ISGID with
 * S_IXGRP, whoever changes it (root too, and even a chown to -1, -1).
 * S_ISGID without S_IXGRP (mandatory locking's mark) stays, unless the
 * caller is outside the file's group without CAP_FSETID (Linux's
 * setattr_should_drop_sgid). */
static long chown_inode(struct inode *inode, uint32_t uid, uint32_t gid)
{
	uint32_t me, mygid;
	current_fsids(&me, &mygid);
	bool cap = capable(CAP_CHOWN), owner = me == inode->uid;
	if (uid != (uint32_t)-1 && !cap && !(owner && uid == inode->uid))
		return -EPERM;
	if (gid != (uint32_t)-1 && !cap && !(owner && (gid == inode->gid || current_in_group(gid))))
		return -EPERM;
	struct iattr attr = { .ia_valid = 0, .uid = uid, .gid = gid };
	if (uid != (uint32_t)-1)
		attr.ia_valid |= ATTR_UID;
	if (gid != (uint32_t)-1)
		attr.ia_valid |= ATTR_GID;
	uint32_t mode = __atomic_load_n(&inode->mode, __ATOMIC_RELAXED) & 07777;
	attr.mode = mode & ~S_ISUID;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) ||
	    ((mode & S_ISGID) && !current_in_group(inode->gid) && !capable(CAP_FSETID)))
		attr.mode &= ~S_ISGID;
	if (!S_ISDIR(inode->mode) && attr.mode != mode)
		attr.ia_valid |= ATTR_MODE;
	return setattr(inode, &attr);
}

/* Apply op to the inode at a dirfd-relative path (lookup flags lf). */
static long path_attr(int dirfd, const char *path, int lf, int at_flags,
		      long (*op)(struct inode *, uint32_t, uint32_t), uint32_t a, uint32_t b)
{
	struct inode *inode;
	long err = user_lookup_at(dirfd, path, lf, at_flags, &inode);
	if (err)
		return err;
	err = op(inode, a, b);
	inode_put(inode);
	return err;
}

/* Apply op to the inode of fd. */
static long fd_attr(int fd, long (*op)(struct inode *, uint32_t, uint32_t), uint32_t a, uint32_t b)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long err = f->inode && !(f->flags & O_PATH) ? op(f->inode, a, b) : -EBADF;
	file_put(f);
	return err;
}

static long chmod_op(struct inode *inode, uint32_t mode, uint32_t unused) { return chmod_inode(inode, mode); }

long sys_fchmodat(int dirfd, const char *path, uint32_t mode)
{
	return path_attr(dirfd, path, LOOKUP_FOLLOW, 0, chmod_op, mode, 0);
}

long sys_chmod(const char *path, uint32_t mode) { return sys_fchmodat(AT_FDCWD, path, mode); }
long sys_fchmod(int fd, uint32_t mode) { return fd_attr(fd, chmod_op, mode, 0); }

long sys_fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int lf = flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW;
	return path_attr(dirfd, path, lf, flags & AT_EMPTY_PATH, chown_inode, uid, gid);
}

long sys_chown(const char *path, uint32_t uid, uint32_t gid) { return sys_fchownat(AT_FDCWD, path, uid, gid, 0); }

long sys_lchown(const char *path, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, uint32_t uid, uint32_t gid) { return fd_attr(fd, chown_inode, uid, gid); }

static long truncate_op(struct inode *inode, uint32_t lo, uint32_t hi)
{
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	long err = inode_permission(inode, MAY_WRITE);
	if (!err)
		err = inode_get_write_access(inode);   /* ETXTBSY for a running program */
	if (err)
		return err;
	err = file_truncate_inode(inode, (uint64_t)hi << 32 | lo);
	inode_put_write_access(inode);
	return err;
}

long sys_truncate(const char *path, int64_t length)
{
	if (length < 0)
		return -EINVAL;
	return path_attr(AT_FDCWD, path, LOOKUP_FOLLOW, 0, truncate_op, (uint32_t)length,
			 (uint32_t)((uint64_t)length >> 32));
}

/* ---- utimensat ---- */

/* Turn a user timespec into attr's time (which: ATTR_ATIME or MTIME). */
static long utime_one(const struct __kernel_timespec *ts, uint32_t which, struct iattr *attr)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return 0;
	struct vfs_time t = vfs_now();
	if (ts->tv_nsec != UTIME_NOW) {
		if (ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
		t = (struct vfs_time){ ts->tv_sec, ts->tv_nsec };
	}
	attr->ia_valid |= which;
	if (which == ATTR_ATIME)
		attr->atime = t;
	else
		attr->mtime = t;
	return 0;
}

/* Setting both times to now needs write permission; anything else, ownership. */
static long utimes_inode(struct inode *inode, const struct iattr *attr, bool explicit)
{
	if (explicit) {
		long err = inode_owner_or_capable(inode);
		if (err)
			return err;
	} else if (inode_owner_or_capable(inode) && inode_permission(inode, MAY_WRITE)) {
		return -EACCES;
	}
	return setattr(inode, attr);
}

static long do_utimes(int dirfd, const char *path, const struct __kernel_timespec ts[2], int flags);

long sys_utimensat(int dirfd, const char *path, const struct __kernel_timespec *utimes, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct __kernel_timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	if (utimes && copy_from_user(ts, utimes, sizeof(ts)))
		return -EFAULT;
	return do_utimes(dirfd, path, ts, flags);
}

struct user_timeval {
	int64_t tv_sec, tv_usec;
};

/* futimesat(dirfd, path, times[2]) and utimes(path, times): the times as
 * timevals (microseconds in [0, 999999], EINVAL otherwise), or now when
 * NULL; symlinks followed; a NULL path is dirfd itself. */
long sys_futimesat(int dirfd, const char *path, const struct user_timeval *utv)
{
	struct __kernel_timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	if (utv) {
		struct user_timeval tv[2];
		if (copy_from_user(tv, utv, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i] = (struct __kernel_timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
		}
	}
	return do_utimes(dirfd, path, ts, 0);
}

long sys_utimes(const char *path, const struct user_timeval *utv)
{
	return sys_futimesat(AT_FDCWD, path, utv);
}

/* The common part of utimensat and the timeval calls. */
static long do_utimes(int dirfd, const char *path, const struct __kernel_timespec ts[2], int flags)
{
	struct iattr attr = { 0 };
	long err = utime_one(&ts[0], ATTR_ATIME, &attr);
	if (!err)
		err = utime_one(&ts[1], ATTR_MTIME, &attr);
	if (err)
		return err;
	bool explicit = ts[0].tv_nsec != UTIME_NOW || ts[1].tv_nsec != UTIME_NOW;
	struct inode *inode;
	if (!path) {          /* Linux's futimens: the fd itself */
		struct file *f = fd_file(dirfd);
		if (!f)
			return -EBADF;
		inode = f->inode ? inode_get(f->inode) : NULL;
		file_put(f);
		if (!inode)
			return -EBADF;
	} else if ((err = user_lookup_at(dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW,
					 flags & AT_EMPTY_PATH, &inode))) {
		return err;
	}
	err = attr.ia_valid ? utimes_inode(inode, &attr, explicit) : 0;
	inode_put(inode);
	return err;
}
