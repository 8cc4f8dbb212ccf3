/*
 * sys_file.c - the syscalls on open files: open, read/write and their
 * vector and positional forms, close, lseek, dup, fcntl, ioctl,
 * getdents64, ftruncate and the sync family.
 *
 * Reads and writes at the file position of a regular file, directory or
 * block device hold f->pos_lock, so threads sharing the file see each
 * other's moves;
 * other files (devices, pipes) may block in read and get a private copy
 * of the position instead.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/locks.h"
#include "fs/pipe.h"
#include "fs/mount.h"
#include "fs/memfd.h"
#include "fs/poll.h"
#include <linux/openat2.h>

#define IOV_MAX 1024                          /* UIO_MAXIOV */
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK) /* Linux's cap on one transfer */
#define O_OPEN_KEEP (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | \
		     O_PATH | O_LARGEFILE | O_DSYNC | O_SYNC | O_NOATIME | O_DIRECT | FASYNC)

/* ---- read and write ---- */

/* Does f have a position that pread/pwrite/lseek may use? */
static bool file_seekable(struct file *f)
{
	return f->fops->llseek != NULL;
}

static bool pos_locked(struct file *f)
{
	return f->inode && (S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode) ||
			    S_ISBLK(f->inode->mode));
}

#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x20
#endif
#define RWF_ATOMIC_ 0x40       /* Linux 6.11: untorn writes, which tmpfs lacks */
#define RWF_DONTCACHE_ 0x80    /* Linux 6.14: uncached I/O, which tmpfs lacks */
#define RWF_NOSIGNAL_ 0x100    /* Linux 6.15: no SIGPIPE */
#define RWF_KNOWN (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND | RWF_NOAPPEND | \
		   RWF_NOSIGNAL_)

/* The op, with pwritev2's per-call RWF_APPEND / RWF_NOAPPEND in place of
 * O_APPEND for page-backed files. */
static long call_op(struct file *f, char *ubuf, size_t n, uint64_t *pos, bool write, int rwf)
{
	if (write && (rwf & (RWF_APPEND | RWF_NOAPPEND)) && f->fops->write == page_file_write)
		return page_file_write_mode(f, ubuf, n, pos, rwf & RWF_APPEND);
	return write ? f->fops->write(f, ubuf, n, pos) : f->fops->read(f, ubuf, n, pos);
}

/* One transfer of n bytes at ubuf through f's ops: at *pos, or at the
 * file position when pos is NULL; rwf: preadv2/pwritev2's flags
 * (RWF_NOWAIT: -EAGAIN where the file is not ready now). */
static long transfer(struct file *f, char *ubuf, size_t n, uint64_t *pos, bool write, int rwf)
{
	if (write ? !f->fops->write : !f->fops->read)
		return -EINVAL;
	if (!access_ok((uint64_t)ubuf, n))
		return -EFAULT;
	if ((rwf & RWF_NOWAIT) && f->fops->poll && !(f->fops->poll(f, NULL) & (write ? POLLOUT : POLLIN)))
		return -EAGAIN;
	n = MIN(n, MAX_RW_COUNT);
	if (pos)
		return call_op(f, ubuf, n, pos, write, rwf);
	if (!pos_locked(f)) {
		uint64_t p = f->pos;
		return call_op(f, ubuf, n, &p, write, rwf);
	}
	mutex_lock(&f->pos_lock);
	long r = call_op(f, ubuf, n, &f->pos, write, rwf);
	mutex_unlock(&f->pos_lock);
	return r;
}

/* The file at fd if open for reading (write false) or writing. */
static struct file *rw_file(int fd, bool write, long *err)
{
	struct file *f = fd_file(fd);
	*err = -EBADF;
	if (f && !(write ? file_writable(f) : file_readable(f))) {
		file_put(f);
		f = NULL;
	}
	return f;
}

/* Copy in and check an iovec array: iovcnt in [0, IOV_MAX], total length
 * representable. Returns a kmalloc'd copy (NULL for iovcnt 0) or NULL
 * with *err set. */
static struct iovec *iov_import(const struct iovec *uiov, int iovcnt, long *err)
{
	*err = 0;
	if (iovcnt < 0 || iovcnt > IOV_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	if (iovcnt == 0)
		return NULL;
	struct iovec *iov = kmalloc((size_t)iovcnt * sizeof(*iov));
	if (!iov) {
		*err = -ENOMEM;
		return NULL;
	}
	uint64_t total = 0;
	*err = copy_from_user(iov, uiov, (size_t)iovcnt * sizeof(*iov));
	for (int i = 0; i < iovcnt && !*err; i++)
		if ((int64_t)iov[i].iov_len < 0 || (total += iov[i].iov_len) > (uint64_t)INT64_MAX)
			*err = -EINVAL;
	if (*err) {
		kfree(iov);
		return NULL;
	}
	return iov;
}

/* readv/writev/preadv/pwritev (and the v2 forms with rwf): one
 * transfer per iovec, stopping at the first short one; pos as
 * transfer(). */
static long do_rw_vector_flags(int fd, const struct iovec *uiov, int iovcnt, uint64_t *pos, bool write,
			       int rwf)
{
	long err;
	struct file *f = rw_file(fd, write, &err);
	if (!f)
		return err;
	struct iovec *iov = iov_import(uiov, iovcnt, &err);
	long done = 0;
	for (int i = 0; iov && i < iovcnt; i++) {
		long r = transfer(f, iov[i].iov_base, iov[i].iov_len, pos, write, rwf);
		if (r < 0) {
			err = done ? 0 : r;
			break;
		}
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	kfree(iov);
	file_put(f);
	return err ? err : done;
}

static long do_rw_vector(int fd, const struct iovec *uiov, int iovcnt, uint64_t *pos, bool write)
{
	return do_rw_vector_flags(fd, uiov, iovcnt, pos, write, 0);
}

long file_transfer(struct file *f, char *ubuf, size_t n, uint64_t *pos, bool write)
{
	return transfer(f, ubuf, n, pos, write, 0);
}

static long do_rw(int fd, char *ubuf, size_t n, uint64_t *pos, bool write)
{
	long err;
	struct file *f = rw_file(fd, write, &err);
	if (!f)
		return err;
	err = transfer(f, ubuf, n, pos, write, 0);
	file_put(f);
	return err;
}

/* A positioned transfer: -EINVAL for a negative offset, -ESPIPE where
 * there is no position. */
static long check_pos(int fd, int64_t pos)
{
	if (pos < 0)
		return -EINVAL;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long err = file_seekable(f) ? 0 : -ESPIPE;
	file_put(f);
	return err;
}

long sys_read(int fd, char *buf, size_t count) { return do_rw(fd, buf, count, NULL, false); }
long sys_write(int fd, const char *buf, size_t count) { return do_rw(fd, (char *)buf, count, NULL, true); }

long sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
	return do_rw_vector(fd, iov, iovcnt, NULL, false);
}

long sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	return do_rw_vector(fd, iov, iovcnt, NULL, true);
}

long sys_pread64(int fd, char *buf, size_t count, int64_t pos)
{
	uint64_t p = (uint64_t)pos;
	long err = check_pos(fd, pos);
	return err ? err : do_rw(fd, buf, count, &p, false);
}

long sys_pwrite64(int fd, const char *buf, size_t count, int64_t pos)
{
	uint64_t p = (uint64_t)pos;
	long err = check_pos(fd, pos);
	return err ? err : do_rw(fd, (char *)buf, count, &p, true);
}

long sys_preadv(int fd, const struct iovec *iov, int iovcnt, int64_t pos)
{
	uint64_t p = (uint64_t)pos;
	long err = check_pos(fd, pos);
	return err ? err : do_rw_vector(fd, iov, iovcnt, &p, false);
}

long sys_pwritev(int fd, const struct iovec *iov, int iovcnt, int64_t pos)
{
	uint64_t p = (uint64_t)pos;
	long err = check_pos(fd, pos);
	return err ? err : do_rw_vector(fd, iov, iovcnt, &p, true);
}

/* preadv2/pwritev2's flags on f: -EOPNOTSUPP for unknown ones, for
 * RWF_ATOMIC and RWF_DONTCACHE (as tmpfs), and for RWF_NOWAIT on a file
 * that may not be asked so (Linux's FMODE_NOWAIT: here pipes). */
static long rw2_flags_check(int fd, int rwf)
{
	if (rwf & ~RWF_KNOWN)
		return -EOPNOTSUPP;
	if (!(rwf & RWF_NOWAIT))
		return 0;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long err = f->fops == &pipe_fops ? 0 : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* preadv2/pwritev2: offset -1 is the file position (readv/writev);
 * below that EINVAL; x86-64 passes the offset whole in pos_lo. */
static long do_rw2(int fd, const struct iovec *iov, int iovcnt, int64_t pos, int rwf, bool write)
{
	if (pos < -1)
		return -EINVAL;
	uint64_t p = (uint64_t)pos;
	long err = pos == -1 ? 0 : check_pos(fd, pos);
	if (!err)
		err = rw2_flags_check(fd, rwf);
	return err ? err : do_rw_vector_flags(fd, iov, iovcnt, pos == -1 ? NULL : &p, write, rwf);
}

long sys_preadv2(int fd, const struct iovec *iov, int iovcnt, int64_t pos_lo, int64_t pos_hi, int rwf)
{
	return do_rw2(fd, iov, iovcnt, pos_lo, rwf, false);
}

long sys_pwritev2(int fd, const struct iovec *iov, int iovcnt, int64_t pos_lo, int64_t pos_hi, int rwf)
{
	return do_rw2(fd, iov, iovcnt, pos_lo, rwf, true);
}

/* vmsplice(2): user memory into a pipe's write end (as writev), or out
 * of its read end (as readv). SPLICE_F_NONBLOCK: -EAGAIN when the pipe
 * is not ready now. */
long sys_vmsplice(int fd, const struct iovec *iov, unsigned long nr_segs, unsigned flags)
{
	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	if (nr_segs > IOV_MAX)
		return -EINVAL;
	if (nr_segs == 0)
		return 0;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	bool is_pipe = f->fops == &pipe_fops && !(f->flags & O_PATH);
	bool write = file_writable(f);
	file_put(f);
	if (!is_pipe)
		return -EBADF;
	return do_rw_vector_flags(fd, iov, (int)nr_segs, NULL, write, flags & SPLICE_F_NONBLOCK ? RWF_NOWAIT : 0);
}

/* ---- open ---- */

/* Create name in dir as a regular file (mode already umasked). */
static int create_in(struct inode *dir, const struct vfs_last *last, uint32_t mode,
		     struct inode **out)
{
	if (!dir->iops->create)
		return -ENOENT;         /* procfs: as Linux, whose lookup there fails */
	int err = may_create_in(dir);
	if (err)
		return err;
	uint32_t uid, gid;
	mode |= S_IFREG;
	inode_init_owner(dir, &mode, &uid, &gid);
	return dir->iops->create(dir, last->name, last->len, mode & 07777, uid, gid, out);
}

/* open(O_CREAT) met a final symlink: a magic one opens its object
 * (*out), another gives its text to resolve next (*target). */
static int open_follow_final(struct inode *link, const struct lookup_how *how, struct inode **out,
			     char **target)
{
	struct inode *obj;
	bool magic = vfs_magic_target(link, &obj);
	int err = obj ? 0 : vfs_readlink_kernel(link, target);
	if (!err)
		err = vfs_link_allowed(how, magic, obj ? NULL : *target);
	if (err) {
		kfree(*target);
		*target = NULL;
		inode_put(obj);
	} else if (obj) {
		*out = obj;
	}
	return err;
}

/* One round of open with O_CREAT: the existing file, a new one, or a
 * symlink to follow (*target set to a kmalloc'd copy of its text and
 * *link_dir to its directory, referenced). */
static int open_create_step(struct inode *base, const char *path, int flags, uint32_t mode,
			    const struct lookup_how *how, struct inode **out,
			    struct inode **link_dir, char **target)
{
	struct inode *dir, *child = NULL;
	struct vfs_last last;
	int err = vfs_lookup_parent_how(base, path, how, &dir, &last);
	if (err)
		return err;
	if (last.type != LAST_NORM || last.trailing_slash) {
		err = -EISDIR;
	} else {
		err = vfs_lookup_child(dir, last.name, last.len, &child);
		if (err == -ENOENT)
			err = create_in(dir, &last, mode, out);
		else if (!err && (flags & O_EXCL))
			err = -EEXIST;
		else if (!err && S_ISLNK(child->mode) && !(flags & O_NOFOLLOW))
			err = open_follow_final(child, how, out, target);
		else if (!err)
			*out = inode_get(child);
	}
	inode_put(child);
	if (!err && *target)
		*link_dir = dir;
	else
		inode_put(dir);
	return err;
}

/* Resolve (and with O_CREAT maybe create) what open names. A final
 * symlink is followed through by re-resolving its target from its
 * directory, so a dangling link creates its target as on Linux. */
static int open_resolve(struct inode *base, const char *path, int flags, uint32_t mode,
			const struct lookup_how *how, struct inode **out)
{
	if (!(flags & O_CREAT)) {
		int lf = (flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | (flags & O_DIRECTORY ? LOOKUP_DIRECTORY : 0);
		return vfs_lookup_how(base, path, lf, how, out);
	}
	struct inode *dir = base ? inode_get(base) : NULL;
	char *owned = NULL;
	int err = -ELOOP;
	for (int links = 0; links <= SYMLOOP_MAX; links++) {
		struct inode *link_dir = NULL;
		char *target = NULL;
		err = open_create_step(dir, path, flags, mode, how, out, &link_dir, &target);
		inode_put(dir);
		kfree(owned);
		dir = link_dir;
		path = owned = target;
		if (err || !target)
			break;
		err = -ELOOP;
	}
	inode_put(dir);
	kfree(owned);
	return err;
}

/* What may be done with the inode open found: the Linux checks. */
static int open_check(struct inode *inode, int flags)
{
	int acc = flags & O_ACCMODE;
	if (flags & O_PATH)
		return (flags & O_DIRECTORY) && !S_ISDIR(inode->mode) ? -ENOTDIR : 0;
	if (S_ISLNK(inode->mode))
		return -ELOOP;                  /* O_NOFOLLOW met a symlink */
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (S_ISDIR(inode->mode) && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return -EISDIR;
	int mask = (acc != O_WRONLY ? MAY_READ : 0) | (acc != O_RDONLY || (flags & O_TRUNC) ? MAY_WRITE : 0);
	if ((mask & MAY_WRITE) && !S_ISCHR(inode->mode) && !S_ISBLK(inode->mode) &&
	    !S_ISFIFO(inode->mode) && !S_ISSOCK(inode->mode) && mount_readonly(inode))
		return -EROFS;              /* a file of a read-only mount */
	int err = inode_permission(inode, mask);
	if (!err && (flags & O_NOATIME))
		err = inode_owner_or_capable(inode);   /* the owner's (or CAP_FOWNER's) */
	return err;
}

/* Open path (a kernel string) from base (NULL: the cwd) with flags and
 * mode (already umasked), within how's limits (NULL: none), into *out:
 * open(2) without the descriptor. */
static int open_path(struct inode *base, const char *path, int flags, uint32_t mode,
		     const struct lookup_how *how, struct file **out)
{
	struct inode *inode = NULL;
	struct file *f = NULL;
	int err = open_resolve(base, path, flags, mode, how, &inode);
	if (!err)
		err = open_check(inode, flags);
	if (!err)
		err = file_open_inode(inode, (uint32_t)(flags & O_OPEN_KEEP) | O_LARGEFILE, &f);
	if (!err && (flags & O_TRUNC) && S_ISREG(inode->mode) && inode->size &&
	    (err = file_truncate_inode(inode, 0)) != 0)
		file_put(f);   /* truncated once open, as Linux: ETXTBSY comes first */
	inode_put(inode);
	if (!err)
		*out = f;
	return err;
}

/* vfs_open_kernel - see file.h. */
int vfs_open_kernel(const char *path, int flags, uint32_t mode, struct file **out)
{
	mode = mode & 07777 & ~fs_get_umask(current_fs());
	return open_path(NULL, path, flags, mode, NULL, out);
}

/* openat2's anchor: dirfd's directory, or the cwd; referenced. */
static int open_anchor(int dirfd, struct inode **anchor)
{
	int err = dirfd_base(dirfd, ".", anchor);
	if (!err && !*anchor)
		*anchor = fs_get_cwd(current_fs());
	return err;
}

/* do_open_how - open path relative to dirfd (within openat2's resolve
 * limits, if any) and install a descriptor. */
static long do_open_how(int dirfd, const char *upath, int flags, uint32_t mode, uint64_t resolve)
{
	if ((flags & O_ACCMODE) == O_ACCMODE || (flags & __O_TMPFILE) == __O_TMPFILE)
		return (flags & __O_TMPFILE) == __O_TMPFILE ? -EOPNOTSUPP : -EINVAL;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char *path;
	int err = user_path(upath, false, &path);
	if (err)
		return err;
	struct inode *base = NULL;
	struct file *f = NULL;
	mode = mode & 07777 & ~fs_get_umask(current_fs());
	struct lookup_how how = { .resolve = resolve };
	if (resolve && !(err = open_anchor(dirfd, &how.anchor)))
		base = inode_get(how.anchor);
	else if (!resolve)
		err = dirfd_base(dirfd, path, &base);
	if (!err)
		err = open_path(base, path, flags, mode, resolve ? &how : NULL, &f);
	inode_put(base);
	inode_put(how.anchor);
	kfree(path);
	if (err)
		return err;
	int fd = fd_install(current_files(), f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(const char *path, int flags, uint32_t mode) { return do_open_how(AT_FDCWD, path, flags, mode, 0); }
long sys_openat(int dirfd, const char *path, int flags, uint32_t mode) { return do_open_how(dirfd, path, flags, mode, 0); }

long sys_creat(const char *path, uint32_t mode)
{
	return do_open_how(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

#define OPEN_HOW_SIZE_VER0 24
#define OPEN_VALID_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			  O_NONBLOCK | O_SYNC | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | \
			  O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | __O_TMPFILE)
#define RESOLVE_KNOWN (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | \
		       RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* openat2's checks of struct open_how, as Linux's build_open_flags.
 * RESOLVE_CACHED: every lookup here is "cached" (the trees are in
 * memory), so only what would have to write is refused (EAGAIN). */
static long open_how_check(const struct open_how *how)
{
	if (how->flags & ~(uint64_t)OPEN_VALID_FLAGS)
		return -EINVAL;
	if (how->resolve & ~(uint64_t)RESOLVE_KNOWN)
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how->flags & (O_CREAT | __O_TMPFILE)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((how->flags & O_PATH) && (how->flags & ~(uint64_t)(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED) && (how->flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

/* openat2: struct open_how of usize bytes (at least the first version's
 * 24; more only if the rest is zeros: E2BIG; at most a page). */
long sys_openat2(int dirfd, const char *path, const struct open_how *uhow, size_t usize)
{
	struct open_how how = { 0 };
	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	long err = copy_struct_from_user(&how, sizeof(how), uhow, usize);
	if (!err)
		err = open_how_check(&how);
	return err ? err : do_open_how(dirfd, path, (int)how.flags, (uint32_t)how.mode, how.resolve);
}

long sys_close(int fd) { return fd_close(current_files(), fd); }

/* ---- positions, descriptors, control ---- */

long sys_lseek(int fd, int64_t off, unsigned whence)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r;
	if (whence > SEEK_MAX)
		r = -EINVAL;
	else if (!file_seekable(f))
		r = -ESPIPE;
	else {
		mutex_lock(&f->pos_lock);
		r = f->fops->llseek(f, off, (int)whence);
		mutex_unlock(&f->pos_lock);
	}
	file_put(f);
	return r;
}

/* Install another reference to the file at oldfd at the lowest fd >= minfd. */
static long dup_from(int oldfd, int minfd, bool cloexec)
{
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	int fd = fd_install(current_files(), f, minfd, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_dup(int oldfd) { return dup_from(oldfd, 0, false); }

long sys_dup3(int oldfd, int newfd, int flags)
{
	if ((flags & ~O_CLOEXEC) || oldfd == newfd)
		return -EINVAL;
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	int fd = fd_install_at(current_files(), newfd, f, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_dup2(int oldfd, int newfd)
{
	if (oldfd != newfd)
		return sys_dup3(oldfd, newfd, 0);
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	file_put(f);
	return newfd;
}

/* F_SETFL: only O_APPEND and O_NONBLOCK change, and O_DIRECT may be
 * cleared (a pipe's packet mode; Aspen has no direct I/O to turn on);
 * the rest is ignored. */
static long setfl(struct file *f, uint32_t flags)
{
	spin_lock(&f->flags_lock);
	uint32_t keep_direct = f->flags & flags & O_DIRECT;
	f->flags = (f->flags & ~(FILE_SETFL_MASK | O_DIRECT)) | (flags & FILE_SETFL_MASK) | keep_direct;
	spin_unlock(&f->flags_lock);
	return 0;
}

long sys_fcntl(int fd, unsigned cmd, unsigned long arg)
{
	struct fdtable *t = current_files();
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return arg >= (uint64_t)fd_limit() ? -EINVAL : dup_from(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	if (cmd == F_GETFD)
		return fd_get_cloexec(t, fd);
	if (cmd == F_SETFD)
		return fd_set_cloexec(t, fd, arg & FD_CLOEXEC);
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	if (cmd == F_GETFL)
		r = file_flags(f);
	else if (cmd == F_SETFL)
		r = setfl(f, (uint32_t)arg);
	else if (cmd == F_ADD_SEALS || cmd == F_GET_SEALS)
		r = memfd_fcntl(f, cmd, (unsigned)arg);
	else if (cmd == F_GETPIPE_SZ || cmd == F_SETPIPE_SZ)
		r = pipe_fcntl(f, cmd, arg);
	else if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_GETLK ||
		 cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW)
		r = locks_fcntl(f, t, cmd, (void *)arg);
	file_put(f);
	return r;
}

long sys_ioctl(int fd, unsigned cmd, unsigned long arg)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r;
	if (cmd == FIOCLEX || cmd == FIONCLEX)
		r = fd_set_cloexec(current_files(), fd, cmd == FIOCLEX);
	else if (f->flags & O_PATH)
		r = -EBADF;
	else
		r = f->fops->ioctl ? f->fops->ioctl(f, cmd, arg) : -ENOTTY;
	file_put(f);
	return r;
}

/* getdents64, or with old the old getdents (only directories listed by
 * dir_getdents64 have it: every file system here). */
static long do_getdents(int fd, void *dirent, unsigned count, bool old)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (!f->fops->getdents64 || (old && f->fops->getdents64 != dir_getdents64))
		r = -ENOTDIR;
	else if (!access_ok((uint64_t)dirent, count))
		r = -EFAULT;
	else {
		mutex_lock(&f->pos_lock);
		r = old ? dir_getdents_old(f, dirent, count) : f->fops->getdents64(f, dirent, count);
		mutex_unlock(&f->pos_lock);
	}
	file_put(f);
	return r;
}

long sys_getdents64(int fd, void *dirent, unsigned count) { return do_getdents(fd, dirent, count, false); }
long sys_getdents(int fd, void *dirent, unsigned count) { return do_getdents(fd, dirent, count, true); }

/* sync_file_range: Linux's checks; then a disk file is written back
 * (its whole ->fsync: Aspen has no per-range write-back), and a file in
 * memory has nothing to do. */
long sys_sync_file_range(int fd, int64_t off, int64_t nbytes, unsigned flags)
{
	if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER))
		return -EINVAL;
	if (off < 0 || nbytes < 0 || (uint64_t)off + (uint64_t)nbytes > (uint64_t)INT64_MAX)
		return -EINVAL;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = 0;
	if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISDIR(f->inode->mode) && !S_ISLNK(f->inode->mode) &&
			  !S_ISBLK(f->inode->mode)))
		r = -ESPIPE;
	else if ((flags & SYNC_FILE_RANGE_WRITE) && f->fops->fsync)
		r = f->fops->fsync(f, true);
	file_put(f);
	return r;
}

/* ftruncate: Linux's order, a negative length before the descriptor. An
 * O_APPEND descriptor may truncate (Linux refuses only append-only
 * inodes, which Aspen does not have). */
long sys_ftruncate(int fd, int64_t length)
{
	if (length < 0)
		return -EINVAL;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r;
	if (!f->inode || !S_ISREG(f->inode->mode) || !file_writable(f))
		r = f->flags & O_PATH ? -EBADF : -EINVAL;
	else
		r = file_truncate_inode(f->inode, (uint64_t)length);
	file_put(f);
	return r;
}

/* fallocate's checks, in the order of Linux's vfs_fallocate. */
static long fallocate_check(struct file *f, int mode, int64_t off, int64_t len)
{
	const int known = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
			  FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;
	const int hole_or_zero = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~known)
		return -EOPNOTSUPP;
	if ((mode & hole_or_zero) == hole_or_zero)
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (!f->inode || !file_writable(f))
		return -EBADF;
	if (S_ISFIFO(f->inode->mode))
		return -ESPIPE;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!S_ISREG(f->inode->mode))
		return -ENODEV;
	if (off + len < 0)
		return -EFBIG;
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE) ||
	    !f->inode->iops->fallocate)
		return -EOPNOTSUPP;
	return 0;
}

long sys_fallocate(int fd, int mode, int64_t off, int64_t len)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = fallocate_check(f, mode, off, len);
	if (!r)
		r = memfd_check_fallocate(f->inode, mode, (uint64_t)off, (uint64_t)len);
	if (!r)
		r = f->inode->iops->fallocate(f->inode, mode, (uint64_t)off, (uint64_t)len);
	file_put(f);
	return r;
}

/* sync: every mounted file system writes back what it holds. */
long sys_sync(void)
{
	mount_sync_all();
	return 0;
}

/* fsync/fdatasync: the file's ->fsync, if it has one (a disk); files
 * whose medium is memory have nothing to do. */
static long do_fsync(int fd, bool datasync)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = f->fops->fsync ? f->fops->fsync(f, datasync) : 0;
	file_put(f);
	return r;
}

long sys_fsync(int fd) { return do_fsync(fd, false); }
long sys_fdatasync(int fd) { return do_fsync(fd, true); }
