/*
 * sys_file.c - the syscalls on open files: read/write and their vector
 * and positional forms, close, lseek, dup, fcntl, ioctl, getdents64,
 * ftruncate and the sync family (open is in sys_open.c).
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
#include "mm/rmap.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/locks.h"
#include "fs/pipe.h"
#include "fs/mount.h"
#include "fs/memfd.h"
#include "fs/poll.h"
#include "fs/inotify.h"

#define IOV_MAX 1024                          /* UIO_MAXIOV */
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK) /* Linux's cap on one transfer */

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
	long r = write ? f->fops->write(f, ubuf, n, pos) : f->fops->read(f, ubuf, n, pos);
	if (r > 0 && inotify_active())
		fsnotify_file(f, write ? IN_MODIFY : IN_ACCESS);
	return r;
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

/* Before a hole is punched in [off, off + len): take the whole pages
 * inside it out of every address space that maps them (private copies
 * stay), so the file system can free them, as Linux's
 * truncate_pagecache_range. A page mapped again meanwhile is zeroed in
 * place by the file system instead (its frame then stays until unmapped). */
static void punch_unmap(struct inode *inode, uint64_t off, uint64_t len)
{
	uint64_t first = PAGE_ROUND_UP(off) >> PAGE_SHIFT, end = (off + len) >> PAGE_SHIFT;
	if (first < end && inode_has_pages(inode))
		file_unmap_pages(inode, first, end, false);
}

long file_fallocate_inode(struct inode *inode, int mode, uint64_t off, uint64_t len)
{
	if (!inode->iops->fallocate)
		return -EOPNOTSUPP;
	long r = memfd_check_fallocate(inode, mode, off, len);
	if (!r && (mode & FALLOC_FL_PUNCH_HOLE))
		punch_unmap(inode, off, len);
	return r ? r : inode->iops->fallocate(inode, mode, off, len);
}

long sys_fallocate(int fd, int mode, int64_t off, int64_t len)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = fallocate_check(f, mode, off, len);
	if (!r)
		r = file_fallocate_inode(f->inode, mode, (uint64_t)off, (uint64_t)len);
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
