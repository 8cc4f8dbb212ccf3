/*
 * file.h - open file descriptions and their operations.
 *
 * A struct file is what open() makes and descriptors point at: shared by
 * dup() and fork(), it carries the access mode, status flags and the
 * offset. Its ops come from the inode (fops) or, for a character device,
 * from the driver registered for the device number.
 */
#ifndef ASPEN_FS_FILE_H
#define ASPEN_FS_FILE_H
#include "lib/kernel.h"
#include "sync/mutex.h"
#include "lib/spinlock.h"
#include "fs/vfs.h"

struct poll_table;   /* fs/poll.h */

/*
 * File operations. read/write take USER buffers (copy_to_user etc.) and
 * an offset to use and advance (the file's, or pread's own); they return
 * bytes done or -errno. They are called with no lock held except, for
 * regular files and directories, f->pos_lock. Unset ops give the errors
 * Linux gives (-EINVAL for read/write, -ENOTTY for ioctl, -ENOTDIR for
 * getdents64).
 */
struct file_ops {
	const char *name;   /* a file with no inode: /proc/PID/fd shows anon_inode:[name] */
	int (*open)(struct inode *inode, struct file *f);   /* may be NULL */
	long (*read)(struct file *f, char *ubuf, size_t n, uint64_t *pos);
	long (*write)(struct file *f, const char *ubuf, size_t n, uint64_t *pos);
	/* llseek - the new offset, or -errno; NULL: generic_llseek. Called
	 * with f->pos_lock held. */
	long (*llseek)(struct file *f, int64_t off, int whence);
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
	/* getdents64 - fill the user buffer with struct linux_dirent64s. */
	long (*getdents64)(struct file *f, void *ubuf, size_t n);
	/* poll - for poll/select: call poll_wait(pt, &queue) for each wait
	 * queue woken when the file's readiness changes, then return the
	 * POLL* bits (<asm/poll.h>) that hold now. Must not sleep: the poller
	 * is already marked asleep (see fs/poll.h for the protocol). NULL:
	 * always readable and writable (DEFAULT_POLLMASK). */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* get_page - for mmap: as inode_get_page (a referenced frame). */
	paddr_t (*get_page)(struct file *f, uint64_t index, bool alloc);
	/* fsync - make f's data (and, unless datasync, its metadata) durable:
	 * 0 or -EIO. May sleep. NULL: nothing to do (memory is the medium). */
	int (*fsync)(struct file *f, bool datasync);
	/* flush - a descriptor of f is being closed (close, dup2 over it,
	 * close-on-exec, exit) by the current task; may be NULL. Linux's
	 * ->flush: called at every close, not only the last. */
	void (*flush)(struct file *f);
	/* release - the last reference to f is gone. */
	void (*release)(struct file *f);
};

/*
 * Locks: (a) atomic; (p) pos_lock; (f) flags_lock; (c) constant.
 */
struct file {
	uint32_t refcount;            /* (a) descriptors and in-flight syscalls */
	uint32_t flags;               /* (f) to change, read without: O_ACCMODE bits (c)
	                                 and status flags (O_APPEND, O_NONBLOCK: F_SETFL) */
	struct spinlock flags_lock;
	struct mutex pos_lock;        /* serializes read/write/lseek using pos */
	uint64_t pos;                 /* (p) the file offset */
	struct inode *inode;          /* (c) referenced */
	const struct file_ops *fops;  /* (c) */
	void *private;                /* (c) the driver's, e.g. a pipe */
	uint64_t version;             /* (c) the driver's (a FIFO reader: writers seen at open) */
	bool write_access;            /* (c) holds its inode's write access */
	struct list_head ep_links;    /* the epoll watches of f (fs/epoll.c: epoll_mutex) */
	struct notify_name *notify;   /* (c) set at open: the name it was opened by,
	                                 for inotify's parent watches (fs/inotify.c), or NULL */
};

/* The flags F_SETFL may change. */
#define FILE_SETFL_MASK (O_APPEND | O_NONBLOCK)

/* file_open_inode - a new open file on inode (taking a reference on it)
 * with the given O_* flags, after the driver's open hook. *out has
 * refcount 1. 0, -ENOMEM, -ENXIO (no driver) or the hook's error. */
int file_open_inode(struct inode *inode, uint32_t flags, struct file **out);
/* file_alloc_raw - a file for a driver-made object (pipe, socket):
 * inode may be NULL; fops and private as given; refcount 1. NULL on OOM. */
struct file *file_alloc_raw(struct inode *inode, uint32_t flags, const struct file_ops *fops,
			    void *private);
struct file *file_get(struct file *f);
/* file_max_init - fs.file-max from the memory at boot (frames). */
void file_max_init(uint64_t total_pages, uint64_t used_pages);
/* file_put - drop a reference; the last one calls ->release and drops the
 * inode. May sleep. */
void file_put(struct file *f);
/* file_close - a descriptor table owner gives up its descriptor of f:
 * what closing means beyond dropping the reference (the driver's
 * flush, the process's record locks on the file), then file_put. May
 * sleep. */
struct fdtable;
void file_close(struct file *f, struct fdtable *owner);
/* file_inode - the inode f stands on: its own, or for a file made
 * without one (timerfd) the shared anonymous inode (vfs_anon_inode). */
static inline struct inode *file_inode(const struct file *f)
{
	return f->inode ? f->inode : vfs_anon_inode();
}
/* file_flags - a snapshot of f->flags. */
uint32_t file_flags(struct file *f);
bool file_readable(struct file *f);
bool file_writable(struct file *f);

/* generic_llseek - SEEK_SET/CUR/END/DATA/HOLE on a file with a size;
 * pos_lock held. */
long generic_llseek(struct file *f, int64_t off, int whence);

/* The ops of regular files and directories of page-backed file systems
 * (ramfs): reads and writes through ->get_page, getdents through ->iterate. */
extern const struct file_ops page_file_ops;
/* Its parts, for file systems that add their own (ext2: fsync). */
long page_file_read(struct file *f, char *ubuf, size_t n, uint64_t *pos);
long page_file_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos);
long page_file_write_mode(struct file *f, const char *ubuf, size_t n, uint64_t *pos, bool append);
paddr_t page_file_get_page(struct file *f, uint64_t index, bool alloc);
extern const struct file_ops dir_file_ops;
long dir_read(struct file *f, char *ubuf, size_t n, uint64_t *pos);
long dir_llseek(struct file *f, int64_t off, int whence);
long dir_getdents64(struct file *f, void *ubuf, size_t n);
/* dir_getdents_old - the old getdents(2)'s records, for a directory
 * whose getdents64 is dir_getdents64. f->pos_lock held. */
long dir_getdents_old(struct file *f, void *ubuf, size_t n);

/* file_truncate_inode - set a regular file's size (O_TRUNC, truncate). */
int file_truncate_inode(struct inode *inode, uint64_t size);
/* file_fallocate_inode - fallocate's work on a regular file once its
 * checks passed (sys_fallocate; MADV_REMOVE's hole punch): the memfd
 * seals, then for FALLOC_FL_PUNCH_HOLE the hole's whole pages out of
 * every mapping (private copies stay), then ->fallocate. 0 or -errno
 * (-EOPNOTSUPP without ->fallocate). No lock held; may sleep. */
long file_fallocate_inode(struct inode *inode, int mode, uint64_t off, uint64_t len);
/* vfs_open_kernel - open path (a kernel string; relative: from the
 * caller's cwd) for the kernel's own use, as open(2) with flags and mode
 * (the caller's umask applied) would, with the caller's credentials; no
 * descriptor. 0 with *out (refcount 1), or open's -errno. May sleep. */
int vfs_open_kernel(const char *path, int flags, uint32_t mode, struct file **out);
/* vfs_unlink_kernel - unlink(2) of path (a kernel string; relative: from
 * the caller's cwd) for the kernel, with the caller's credentials. 0 or
 * -errno. May sleep. (fs/sys_namei.c) */
int vfs_unlink_kernel(const char *path);
#endif
