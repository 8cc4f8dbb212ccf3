/*
 * file.c - open file descriptions, and the file ops of page-backed
 * regular files and of directories.
 *
 * Reads and writes of regular files go one page at a time: under
 * inode->lock find the page (taking a frame reference), drop the lock,
 * then copy to or from user memory. The user copy may fault, and the
 * fault may need this very file's pages (a buffer mmapped from it), so
 * no inode lock is held across it. Writes copy each page's worth from
 * user memory into a bounce buffer first, then store it under the lock.
 * A write is thus atomic per page, not as a whole.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/usercopy.h"
#include "mm/rmap.h"
#include "fs/inotify.h"
#include "fs/file.h"
#include "fs/epoll.h"
#include "fs/locks.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "fs/memfd.h"
#include "fs/context.h"
#include "sys/sysctl.h"
#include <linux/resource.h>

#define DIRENT_BUF_MAX (16 * 1024)   /* bytes of dirents gathered per getdents64 */

/* ---- fs.file-max, fs.file-nr ---- */

#define NR_FILE 8192                    /* Linux's smallest file-max */

static long nr_files;                   /* atomic: open file descriptions */
static long files_max = NR_FILE;        /* fs.file-max; set from RAM by file_max_init */
SYSCTL_LONG("fs/file-max", 0644, &files_max, 0, INT64_MAX);

static long show_file_nr(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%ld\t0\t%ld\n", __atomic_load_n(&nr_files, __ATOMIC_RELAXED),
			SYSCTL_READ(files_max));
}
SYSCTL_PROC("fs/file-nr", 0444, show_file_nr, NULL);

/* file_max_init - Linux's files_maxfiles_init: a tenth of the memory
 * not in use, one file per KiB of it, at least NR_FILE. */
void file_max_init(uint64_t total_pages, uint64_t used_pages)
{
	uint64_t reserve = MIN(used_pages * 3 / 2, total_pages);
	uint64_t n = (total_pages - reserve) * (PAGE_SIZE / 1024) / 10;
	files_max = (long)MAX(n, (uint64_t)NR_FILE);
}

/* Past fs.file-max, only CAP_SYS_ADMIN opens files (ENFILE). */
static bool file_table_full(void)
{
	return __atomic_load_n(&nr_files, __ATOMIC_RELAXED) >= SYSCTL_READ(files_max) &&
	       !capable(CAP_SYS_ADMIN);
}

/* No driver-specific state at all: files opened with O_PATH. */
static const struct file_ops path_file_ops;

/* file_open_inode - a new open file on inode. See file.h. */
int file_open_inode(struct inode *inode, uint32_t flags, struct file **out)
{
	const struct file_ops *fops = inode->fops;
	if (flags & O_PATH)
		fops = &path_file_ops;
	else if (S_ISSOCK(inode->mode))
		return -ENXIO;   /* no sockets yet: Linux's answer for an unbound one */
	else if (S_ISFIFO(inode->mode))
		fops = &pipe_fops;
	else if (S_ISCHR(inode->mode) || S_ISBLK(inode->mode))
		fops = vfs_device_ops(inode->mode & S_IFMT, inode->rdev);
	if (!fops)
		return -ENXIO;
	if (file_table_full())
		return -ENFILE;
	uint32_t acc = flags & O_ACCMODE;
	bool writer = !(flags & O_PATH) && S_ISREG(inode->mode) && (acc == O_WRONLY || acc == O_RDWR);
	if (writer && inode_get_write_access(inode))
		return -ETXTBSY;   /* a program runs from it */
	struct file *f = file_alloc_raw(inode, flags, fops, NULL);
	if (!f) {
		if (writer)
			inode_put_write_access(inode);
		return -ENOMEM;
	}
	f->write_access = writer;
	int err = fops->open ? fops->open(inode, f) : 0;
	if (err) {
		f->fops = &path_file_ops;   /* no release for a file never opened */
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

/* file_alloc_raw - a file with the given parts, refcount 1 (takes a
 * reference on inode if any); NULL when out of memory. */
struct file *file_alloc_raw(struct inode *inode, uint32_t flags, const struct file_ops *fops,
			    void *private)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	__atomic_add_fetch(&nr_files, 1, __ATOMIC_RELAXED);
	f->refcount = 1;
	f->flags = flags;
	spin_init(&f->flags_lock, "file_flags");
	mutex_init(&f->pos_lock, "file_pos");
	f->inode = inode ? inode_get(inode) : NULL;
	f->fops = fops;
	f->private = private;
	list_init(&f->ep_links);
	return f;
}

/* file_get - one more reference; returns f. */
struct file *file_get(struct file *f)
{
	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
	return f;
}

/* file_put - drop a reference; the last releases the file. May sleep. */
void file_put(struct file *f)
{
	uint32_t left = __atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL);
	if (left == UINT32_MAX)
		panic("file_put: refcount underflow");
	if (left)
		return;
	locks_remove_file(f);
	if (f->notify || inotify_active())
		fsnotify_closed(f);
	if (!list_empty(&f->ep_links))   /* no new watch: adding one takes a reference */
		epoll_file_gone(f);
	if (f->fops->release)
		f->fops->release(f);
	if (f->write_access)
		inode_put_write_access(f->inode);
	inode_put(f->inode);
	kfree(f);
	__atomic_sub_fetch(&nr_files, 1, __ATOMIC_RELAXED);
}

void file_close(struct file *f, struct fdtable *owner)
{
	locks_remove_posix(f, owner);
	if (f->fops->flush)
		f->fops->flush(f);
	file_put(f);
}

/* file_flags - a snapshot of the O_* flags. */
uint32_t file_flags(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED);   /* one word: no lock to read it */
}

/* file_readable / file_writable - the access mode allows it (never for O_PATH). */
bool file_readable(struct file *f)
{
	uint32_t acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

bool file_writable(struct file *f)
{
	uint32_t acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

/* generic_llseek - the new offset per whence, or -EINVAL (negative
 * result, bad whence), -ENXIO (SEEK_DATA/SEEK_HOLE past the end).
 * f->pos_lock held. */
long generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t size = f->inode ? (int64_t)f->inode->size : 0;
	int64_t base;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = size; break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = (uint64_t)(whence == SEEK_DATA ? off : size);
		return (long)f->pos;
	default: return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	f->pos = (uint64_t)base;
	return (long)base;
}

/* Linux's file_remove_privs: writing to or truncating a set-user-ID file
 * (or a set-group-ID one that group members may run) drops those bits,
 * unless the writer has CAP_FSETID. */
static void remove_privs(struct inode *inode)
{
	uint32_t mode = __atomic_load_n(&inode->mode, __ATOMIC_RELAXED);
	uint32_t kill = mode & S_ISUID;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (!kill || !S_ISREG(mode) || !inode->iops->setattr || capable(CAP_FSETID))
		return;
	struct iattr attr = { .ia_valid = ATTR_MODE, .mode = mode & 07777 & ~kill };
	inode->iops->setattr(inode, &attr);
}

/* A truncate to size begins: if it shrinks the file, faults may no
 * longer map its pages past size (inode->fault_end). Whether it shrinks.
 * Takes inode->lock. */
static bool shrink_begin(struct inode *inode, uint64_t size)
{
	mutex_lock(&inode->lock);
	bool shrinks = S_ISREG(inode->mode) && size < inode->size;
	if (shrinks && (inode->shrinking++ == 0 || size < inode->fault_end))
		__atomic_store_n(&inode->fault_end, size, __ATOMIC_RELEASE);
	mutex_unlock(&inode->lock);
	return shrinks;
}

/* The shrinking truncate is done (its pages freed or not). */
static void shrink_end(struct inode *inode)
{
	mutex_lock(&inode->lock);
	if (--inode->shrinking == 0)
		__atomic_store_n(&inode->fault_end, UINT64_MAX, __ATOMIC_RELEASE);
	mutex_unlock(&inode->lock);
}

/* file_truncate_inode - set a regular file's size, stamping mtime; past
 * RLIMIT_FSIZE it is SIGXFSZ and EFBIG. Shrinking, it first takes the
 * pages past the new end out of every address space that maps them,
 * private copies too, as Linux's truncate_pagecache does (an access
 * there is SIGBUS, and reads zeros once the file grows again); the file
 * system then frees them. */
int file_truncate_inode(struct inode *inode, uint64_t size)
{
	if (!inode->iops->setattr)
		return -EINVAL;
	if (size > inode->size && current_exceeds_fsize(size))
		return -EFBIG;
	int err = memfd_check_size(inode, size);
	if (err)
		return err;
	remove_privs(inode);
	bool shrinks = shrink_begin(inode, size);
	if (shrinks)
		file_unmap_pages(inode, PAGE_ROUND_UP(size) >> PAGE_SHIFT, UINT64_MAX, true);
	struct iattr attr = { .ia_valid = ATTR_SIZE | ATTR_MTIME, .size = size, .mtime = vfs_now() };
	err = inode->iops->setattr(inode, &attr);
	if (shrinks)
		shrink_end(inode);
	return err;
}

/* ---- regular files ---- */

/* Find the page holding pos for a read: *pa a referenced frame or 0 (a
 * hole), *chunk the bytes readable there (0: end of file). */
/* The page holding pos (referenced; 0 for a hole) and how many bytes of
 * it to read (0 at the end of the file). 0 or the page's error. */
static int read_page(struct inode *inode, uint64_t pos, size_t want, paddr_t *pa, size_t *chunk)
{
	int err = 0;
	mutex_lock(&inode->lock);
	*chunk = 0;
	*pa = 0;
	if (pos < inode->size) {
		*chunk = MIN(want, PAGE_SIZE - (pos & (PAGE_SIZE - 1)));
		*chunk = MIN(*chunk, inode->size - pos);
		err = inode_page_locked(inode, pos >> PAGE_SHIFT, false, pa);
		if (!err && *pa)
			frame_pin(*pa);   /* held across the copy to user memory */
	}
	mutex_unlock(&inode->lock);
	return err;
}

long page_file_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	size_t done = 0;
	while (done < n) {
		paddr_t pa;
		size_t chunk;
		int err = read_page(f->inode, *pos, n - done, &pa, &chunk);
		if (err)
			return done ? (long)done : err;
		if (!chunk)
			break;
		if (pa) {
			void *src = (char *)phys_to_virt(pa) + (*pos & (PAGE_SIZE - 1));
			err = copy_to_user(ubuf + done, src, chunk);
			frame_unpin(pa);
		} else {
			err = clear_user(ubuf + done, chunk);
		}
		if (err)
			return done ? (long)done : err;
		done += chunk;
		*pos += chunk;
	}
	if (!(f->flags & O_NOATIME))
		inode_accessed(f->inode);
	return (long)done;
}

long page_file_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	return page_file_write_mode(f, ubuf, n, pos, file_flags(f) & O_APPEND);
}

/* page_file_write_mode - page_file_write, appending or not as asked
 * (pwritev2's RWF_APPEND / RWF_NOAPPEND) rather than by O_APPEND. */
long page_file_write_mode(struct file *f, const char *ubuf, size_t n, uint64_t *pos, bool append)
{
	if (*pos >= RAMFS_MAX_FILE_SIZE && !append)
		return n ? -EFBIG : 0;
	if (!append)
		n = MIN(n, RAMFS_MAX_FILE_SIZE - *pos);
	uint64_t start = append ? __atomic_load_n(&f->inode->size, __ATOMIC_RELAXED) : *pos;
	if (n && current_exceeds_fsize(start + 1))
		return -EFBIG;                  /* RLIMIT_FSIZE: SIGXFSZ sent */
	n = MIN(n, current_rlimit(RLIMIT_FSIZE) - start);
	if (n)
		remove_privs(f->inode);
	char *bounce = kmalloc(PAGE_SIZE);
	if (!bounce)
		return -ENOMEM;
	size_t done = 0;
	int err = 0;
	while (done < n && !err) {
		size_t chunk = MIN(n - done, PAGE_SIZE);
		err = copy_from_user(bounce, ubuf + done, chunk);
		if (err)
			break;
		size_t stored = inode_write_at(f->inode, pos, append, bounce, chunk, &err);
		done += stored;
		if (stored < chunk && !err)
			err = -ENOSPC;
	}
	kfree(bounce);
	return done ? (long)done : err;
}

paddr_t page_file_get_page(struct file *f, uint64_t index, bool alloc)
{
	return inode_get_page(f->inode, index, alloc);
}

const struct file_ops page_file_ops = {
	.read = page_file_read,
	.write = page_file_write,
	.llseek = generic_llseek,
	.get_page = page_file_get_page,
};

/* ---- directories ---- */

struct dirent_buf {
	char *buf;
	size_t cap, used;
	bool full;       /* an entry did not fit */
};

/* The dir_emit_fn of getdents64: append one linux_dirent64. */
static bool emit_dirent64(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
			  uint64_t next_pos)
{
	struct dirent_buf *db = ctx;
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);
	if (db->used + reclen > db->cap) {
		db->full = true;
		return false;
	}
	struct linux_dirent64 *d = (struct linux_dirent64 *)(db->buf + db->used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = (int64_t)next_pos;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, len);
	db->used += reclen;
	return true;
}

/* The old getdents' struct linux_dirent: d_ino, d_off, d_reclen, the
 * name and its NUL, and the type in the record's last byte. */
struct linux_dirent_old {
	unsigned long d_ino, d_off;
	unsigned short d_reclen;
	char d_name[];
};

static bool emit_dirent_old(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
			    uint64_t next_pos)
{
	struct dirent_buf *db = ctx;
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent_old, d_name) + len + 2, 8);
	if (db->used + reclen > db->cap) {
		db->full = true;
		return false;
	}
	struct linux_dirent_old *d = (struct linux_dirent_old *)(db->buf + db->used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = next_pos;
	d->d_reclen = (unsigned short)reclen;
	memcpy(d->d_name, name, len);
	db->buf[db->used + reclen - 1] = (char)dtype;
	db->used += reclen;
	return true;
}

/* getdents64 (or the old getdents) on a directory with ->iterate;
 * f->pos_lock held. Returns bytes filled, 0 at the end, -EINVAL if not
 * even one entry fits. */
static long dir_fill(struct file *f, void *ubuf, size_t n, dir_emit_fn emit)
{
	struct inode *dir = f->inode;
	if (!dir->iops->iterate)
		return -ENOTDIR;
	struct dirent_buf db = { NULL, MIN(n, DIRENT_BUF_MAX), 0, false };
	db.buf = kmalloc(db.cap ? db.cap : 1);
	if (!db.buf)
		return -ENOMEM;
	long ret = dir->iops->iterate(dir, &f->pos, emit, &db);
	if (!ret && db.used == 0 && db.full)
		ret = -EINVAL;
	if (!ret)
		ret = copy_to_user(ubuf, db.buf, db.used) ? -EFAULT : (long)db.used;
	kfree(db.buf);
	return ret;
}

long dir_getdents64(struct file *f, void *ubuf, size_t n)
{
	return dir_fill(f, ubuf, n, emit_dirent64);
}

long dir_getdents_old(struct file *f, void *ubuf, size_t n)
{
	return dir_fill(f, ubuf, n, emit_dirent_old);
}

long dir_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	return -EISDIR;
}

/* lseek on a directory: only to a position getdents gave (or 0). */
long dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence != SEEK_SET && !(whence == SEEK_CUR && off == 0))
		return -EINVAL;
	if (whence == SEEK_SET) {
		if (off < 0)
			return -EINVAL;
		f->pos = (uint64_t)off;
	}
	return (long)f->pos;
}

const struct file_ops dir_file_ops = {
	.read = dir_read,
	.llseek = dir_llseek,
	.getdents64 = dir_getdents64,
};
