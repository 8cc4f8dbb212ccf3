/*
 * vfs.h - the virtual file system: inodes, the operations a file system
 * provides, mounts, path resolution and permission checks.
 *
 * A file system is a set of inodes with inode_ops (and file_ops for
 * their open files). The VFS resolves paths by calling ->lookup one
 * component at a time, crossing mount points and following symlinks;
 * everything else (creating, removing, renaming, attributes, file pages)
 * is the file system's. The lock rules are in docs/fs.md; in short:
 *
 *   a file system's namespace lock (ramfs: ns_lock)
 *     -> one inode->lock at a time
 *       -> mount_lock (spinlock, innermost)
 *
 * No inode lock is held while copying to or from user memory.
 */
#ifndef ASPEN_FS_VFS_H
#define ASPEN_FS_VFS_H
#include "lib/kernel.h"
#include "sync/mutex.h"
#include "lib/spinlock.h"
#include "lib/list.h"
#include "fs/uapi.h"
#include "lib/errno.h"

struct file;
struct file_ops;
struct inode;

struct vfs_time {
	int64_t sec;
	int64_t nsec;
};

/*
 * An inode: one file, directory, symlink or device.
 *
 * Locks:
 *   (a) atomic, no lock
 *   (i) inode->lock
 *   (m) mount_lock (vfs.c)
 *   (c) constant after creation
 */
struct inode {
	uint64_t ino;                 /* (c) unique within its file system */
	uint32_t dev;                 /* (c) the file system's device number (st_dev) */
	uint32_t mode;                /* (i) S_IF* type (constant) and permission bits */
	uint32_t uid, gid;            /* (i) owner */
	uint32_t nlink;               /* (i) names linking here (directories: 2 + subdirs) */
	uint32_t rdev;                /* (c) device number of a device node */
	uint64_t size;                /* (i) bytes (symlinks: target length) */
	struct vfs_time atime, mtime, ctime; /* (i) */
	uint32_t refcount;            /* (a) references: open files, lookups, cwds, links (see fs) */
	/* lock guards: mode, uid, gid, nlink, size, the times, and the
	 * file's contents in the file system's private part (page array).
	 * A mutex: held across page allocation, never across user copies. */
	struct mutex lock;
	const struct inode_ops *iops; /* (c) */
	const struct file_ops *fops;  /* (c) ops for files opened on it */
	void *private;                /* (c) the file system's or driver's data */
	struct inode *mounted;        /* (m) root of the fs mounted on this dir, or NULL */
	struct inode *covered;        /* (m) for a mounted root: the dir it covers */
	struct inode_map_hook *map_hook; /* (c) told of regions mapping it, or NULL */
	struct pipe *pipe;            /* (i) a FIFO's pipe while it is open (fs/pipe.c) */
	struct list_head locks;       /* file_locks_lock: its file locks (fs/locks.c) */
	int32_t writecount;           /* (a) > 0: open files writing it; < 0: address
	                                 spaces running it (see inode_get_write_access) */
	uint64_t committed;           /* (c) pages charged to Committed_AS for it (shared
	                                 anonymous memory), returned when it goes */
	int32_t mmap_writable;        /* (a) shared regions that may write it (Linux's
	                                 i_mmap_writable): F_SEAL_WRITE needs 0 */
	struct memfd *memfd;          /* (c) a memfd's name and seals (fs/memfd.h), or NULL */
	uint32_t unevictable;         /* (a) a shared anonymous object's pages stay in RAM:
	                                 a System V segment under SHM_LOCK (mm/shmem.c) */
	/* The regions mapping it, in every address space (Linux's i_mmap):
	 * each region of a tree whose file it is, linked by region->file_link
	 * (mm/rmap.c). map_lock, a spinlock, guards the list and each linked
	 * region's unmap_pass; it is taken under mm->lock and nothing is
	 * taken under it (docs/locking.md). */
	struct spinlock map_lock;
	struct list_head mappers;     /* (map_lock) */
	/* A shrinking truncate in progress (file_truncate_inode): faults may
	 * not map file pages at or past fault_end (UINT64_MAX when none), so
	 * the pages it unmaps stay unmapped until they are freed. */
	uint32_t shrinking;           /* (i) truncates in progress */
	uint64_t fault_end;           /* (i) written; read atomically by faults */
};

/* inode_fault_size - the bytes of inode that a fault may map: its size,
 * or less while a shrinking truncate is under way. Lock-free: a fault
 * reads it under mm->lock, which the truncate takes after setting it. */
static inline uint64_t inode_fault_size(const struct inode *ip)
{
	uint64_t size = __atomic_load_n(&ip->size, __ATOMIC_ACQUIRE);
	uint64_t end = __atomic_load_n(&ip->fault_end, __ATOMIC_ACQUIRE);
	return MIN(size, end);
}

/* What wants to know how many regions map an inode: System V shared
 * memory counts its attaches so (shm_nattch), as Linux's vm_ops do.
 * Set right after the inode is made, before anything maps it. */
struct inode_map_hook {
	/* mapped - a region began (+1) or ceased (-1) to map inode: a new
	 * mapping, fork's copy, a split, an unmap. Called with that region's
	 * mm->lock held (or none when an address space is torn down). */
	void (*mapped)(struct inode_map_hook *h, struct inode *inode, int delta);
};

/* Attributes to change through ->setattr; ia_valid says which. */
#define ATTR_MODE  0x1
#define ATTR_UID   0x2
#define ATTR_GID   0x4
#define ATTR_SIZE  0x8
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
#define ATTR_CTIME 0x40

struct iattr {
	uint32_t ia_valid;
	uint32_t mode;      /* permission bits only; the type never changes */
	uint32_t uid, gid;
	uint64_t size;
	struct vfs_time atime, mtime;
};

/* The callback of ->iterate: one entry; returns false to stop (buffer full). */
typedef bool (*dir_emit_fn)(void *ctx, const char *name, size_t len, uint64_t ino,
			    unsigned dtype, uint64_t next_pos);
/* The callback of ->xattr_list: one attribute, its namespace index
 * (XATTR_INDEX_*, fs/xattr.h) and the name after the prefix (len bytes,
 * no NUL). 0, or -errno to stop. */
typedef int (*xattr_emit_fn)(void *ctx, int index, const char *name, size_t len);

/*
 * Inode operations. Directory ops take the directory and a name (not
 * "." or "..", at most NAME_MAX bytes, no '/'); they return 0 or -errno
 * and do their own locking; the caller holds a reference on dir. Ops
 * returning an inode in *out give a new reference. NULL means the
 * operation is not supported (the VFS answers -EPERM/-EINVAL/-ENOTDIR).
 */
struct inode_ops {
	/* permission - may the caller access inode as mask (MAY_*) asks? 0
	 * or -EACCES; NULL: generic_permission. */
	int (*permission)(struct inode *inode, int mask);
	/* lookup - the entry name in dir, or -ENOENT. ".." must work too: the
	 * parent (the root's parent is itself). */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	int (*create)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t uid, uint32_t gid, struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		     uint32_t uid, uint32_t gid, struct inode **out);
	/* mknod - a device, fifo or socket node (mode carries the type). */
	int (*mknod)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		     uint32_t rdev, uint32_t uid, uint32_t gid, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, size_t len, const char *target,
		       uint32_t uid, uint32_t gid, struct inode **out);
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *target);
	/* unlink - remove a non-directory entry (-EISDIR for a directory). */
	int (*unlink)(struct inode *dir, const char *name, size_t len);
	/* rmdir - remove an empty directory (-ENOTDIR, -ENOTEMPTY). */
	int (*rmdir)(struct inode *dir, const char *name, size_t len);
	/* rename - Linux's rules; flags 0, RENAME_NOREPLACE, RENAME_EXCHANGE
	 * or RENAME_WHITEOUT (-EINVAL for what the file system lacks). Both
	 * dirs are in this file system. */
	int (*rename)(struct inode *odir, const char *oname, size_t olen,
		      struct inode *ndir, const char *nname, size_t nlen, unsigned flags);
	/* magic_link - is link one of /proc's magic links (fd/N, exe, cwd,
	 * root)? Then *target gets the object it stands for (referenced),
	 * which a walk enters directly as Linux's nd_jump_link, or NULL if
	 * that object has no inode (the link's text is followed then).
	 * NULL op: no magic links. */
	bool (*magic_link)(struct inode *link, struct inode **target);
	/* readlink - copy up to size bytes of the target into a kernel
	 * buffer (no NUL); returns the length copied. */
	long (*readlink)(struct inode *link, char *buf, size_t size);
	/* setattr - apply attr (ATTR_SIZE truncates or extends regular files). */
	int (*setattr)(struct inode *inode, const struct iattr *attr);
	/* iterate - emit the entries from position *pos on ("." and ".."
	 * included), advancing *pos past each one emitted. */
	int (*iterate)(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx);
	/* get_page - the frame holding page index of a regular file. Called
	 * with inode->lock held. The file keeps its own reference; the frame
	 * is valid while the lock is held (use inode_get_page() to keep it).
	 * A hole gives 0 unless alloc, which fills it with a zeroed frame
	 * (0 then means out of memory). */
	paddr_t (*get_page)(struct inode *inode, uint64_t index, bool alloc);
	/* find_page - get_page for file systems whose pages come from a disk
	 * and can fail (they leave get_page NULL): 0 with *pa the frame (kept
	 * by the file, valid while the lock is held; 0 for a hole, read as
	 * zeros), or -ENOMEM, -ENOSPC, -EIO. inode->lock held; may sleep. */
	int (*find_page)(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa);
	/* prepare_write - bytes [pos, pos + len) of a regular file are about
	 * to change through its page (a write; len 0: a shared writable
	 * mapping of the page at pos, whose bytes within the file may
	 * change): give them blocks on the medium and remember the page
	 * dirty. 0, -ENOSPC, -EIO, -EROFS. inode->lock held; may sleep.
	 * NULL: nothing to do (memory file systems). */
	int (*prepare_write)(struct inode *inode, uint64_t pos, size_t len);
	/* writeback - write the file's dirty pages and attributes to the
	 * medium: 0 or -EIO. Takes inode->lock; may sleep. NULL: memory. */
	int (*writeback)(struct inode *inode);
	/* fallocate - a regular file's fallocate(2) on [off, off + len)
	 * (checked: len > 0, the mode one the VFS accepts): FALLOC_FL_*
	 * bits KEEP_SIZE, PUNCH_HOLE (always with KEEP_SIZE), ZERO_RANGE.
	 * 0, -ENOSPC, -EFBIG, -EOPNOTSUPP; NULL: -EOPNOTSUPP. */
	int (*fallocate)(struct inode *inode, int mode, uint64_t off, uint64_t len);
	/* blocks - 512-byte units the file holds (st_blocks); may be NULL. */
	uint64_t (*blocks)(struct inode *inode);
	/* Extended attributes (fs/xattr.h, fs/sys_xattr.c). The VFS has
	 * split the name into its namespace index and the rest (name, 1 to
	 * 254 bytes, NUL-terminated) and checked the caller's permission.
	 * NULL: this file system keeps none (EOPNOTSUPP).
	 * xattr_get - the value's length, copied to buf unless size is 0:
	 * -ENODATA, -ERANGE (size too small), -EIO. May sleep.
	 * xattr_set - set the value (size bytes at value; XATTR_CREATE,
	 * XATTR_REPLACE in flags) or, value NULL, remove it; sets ctime. 0,
	 * -EEXIST, -ENODATA, -ENOSPC, -EIO, -ENOMEM. May sleep.
	 * xattr_list - emit every attribute: 0 or emit's -errno, -EIO. */
	long (*xattr_get)(struct inode *inode, int index, const char *name, void *buf, size_t size);
	int (*xattr_set)(struct inode *inode, int index, const char *name, const void *value,
			 size_t size, int flags);
	int (*xattr_list)(struct inode *inode, xattr_emit_fn emit, void *ctx);
	/* evict - free everything: the last reference is gone. */
	void (*evict)(struct inode *inode);
	/* by_ino - the live inode numbered ino in the file system of any (a
	 * directory of it), referenced, or -ESTALE: open_by_handle_at's
	 * decoding. NULL: no file handles here (EOPNOTSUPP). */
	int (*by_ino)(struct inode *any, uint64_t ino, struct inode **out);
	/* encode_fh - a file system's own file handles (Linux's
	 * export_operations), instead of by_ino's: writes at most *words
	 * 32-bit words of inode's handle into fh and returns its type, with
	 * *words set to the words it takes (FILEID_INVALID when they do not
	 * fit). fh_to_inode - the inode of a handle of words words and that
	 * type, in the file system of any, referenced; -ESTALE. */
	int (*encode_fh)(struct inode *inode, uint32_t *fh, uint32_t *words);
	int (*fh_to_inode)(struct inode *any, const uint32_t *fh, uint32_t words, int type,
			   struct inode **out);
};

#define FILEID_INO32_GEN 1    /* Linux's handle types: inode number, generation */
#define FILEID_INVALID 255

/* ---- inodes (vfs.c) ---- */

/* inode_init - fill the common fields of a new inode with refcount 1. */
void inode_init(struct inode *inode, uint32_t dev, uint32_t mode, uint32_t uid, uint32_t gid,
		const struct inode_ops *iops, const struct file_ops *fops);
/* inode_get - one more reference; returns inode. */
struct inode *inode_get(struct inode *inode);
/* inode_put - drop a reference; the last one evicts the inode. NULL ok. */
void inode_put(struct inode *inode);
/* Write access to a regular file, as Linux's i_writecount: files opened
 * for writing (and truncate) hold it, programs running the file deny it
 * (exec, each address space with the file as its exe); either fails
 * with -ETXTBSY while the other side holds it. Lock-free (atomics). */
static inline int inode_writecount_move(struct inode *ip, int32_t step)
{
	int32_t v = __atomic_load_n(&ip->writecount, __ATOMIC_RELAXED);
	do {
		if (step > 0 ? v < 0 : v > 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&ip->writecount, &v, v + step, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return 0;
}
/* inode_get_write_access - count a writer: 0, or -ETXTBSY while it runs. */
static inline int inode_get_write_access(struct inode *ip) { return inode_writecount_move(ip, 1); }
static inline void inode_put_write_access(struct inode *ip)
{
	__atomic_sub_fetch(&ip->writecount, 1, __ATOMIC_ACQ_REL);
}
/* inode_deny_write_access - count a runner: 0, or -ETXTBSY while open for writing. */
static inline int inode_deny_write_access(struct inode *ip) { return inode_writecount_move(ip, -1); }
static inline void inode_allow_write_access(struct inode *ip)
{
	__atomic_add_fetch(&ip->writecount, 1, __ATOMIC_ACQ_REL);
}
/* vfs_next_ino / vfs_alloc_dev - fresh inode and anonymous device numbers. */
uint64_t vfs_next_ino(void);
uint32_t vfs_alloc_dev(void);
/* vfs_alloc_dev_once - the st_dev of a kind of anonymous file (pipes,
 * sockets): *dev, set to a fresh number by the first caller (atomic). */
uint32_t vfs_alloc_dev_once(uint32_t *dev);
/* vfs_now - the current wall-clock time (from the hook below). */
struct vfs_time vfs_now(void);
/* vfs_set_clock - the kernel's realtime clock in nanoseconds since 1970,
 * used for file times (before it is set, times are 0). */
void vfs_set_clock(int64_t (*realtime_ns)(void));
/* inode_touch - set the times named by ATTR_ATIME|MTIME|CTIME to now.
 * Caller holds inode->lock. */
void inode_touch_locked(struct inode *inode, uint32_t which);
/* setattr_copy_locked - the part of a ->setattr every file system
 * shares (Linux's setattr_copy): the mode bits, owner, group, atime and
 * mtime that attr names, and ctime now. The size is the file system's.
 * Caller holds inode->lock. */
void setattr_copy_locked(struct inode *inode, const struct iattr *attr);
/* inode_accessed - a read of inode's data: update atime by the relatime
 * rule (atime not after mtime or ctime, or a day old). Takes inode->lock. */
void inode_accessed(struct inode *inode);

/*
 * inode_get_page - the frame holding page index of a regular file, with
 * a new frame reference for the caller (frame_put it, or let a mapping
 * own it). alloc fills a hole; without alloc a hole gives 0 (read it as
 * zeros). Returns 0 also when out of memory or the inode has no pages.
 * Takes inode->lock: call without spinlocks held; may sleep.
 */
paddr_t inode_get_page(struct inode *inode, uint64_t index, bool alloc);
/* inode_find_page - the same, telling why there is no frame: 0 with *pa
 * referenced (0 for a hole without alloc), -ENOMEM, -ENOSPC, -EIO,
 * -EINVAL (no pages). Takes inode->lock; may sleep. */
int inode_find_page(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa);
/* inode_has_pages - are the file's contents in pages (get_page/find_page)? */
bool inode_has_pages(const struct inode *inode);
/* inode_page_locked - find_page or get_page, whichever the file system
 * has; inode->lock held. The frame is not referenced for the caller. */
int inode_page_locked(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa);
/* vfs_fsync_inode - make inode's data durable (msync): for a file on a
 * disk, its file system's sync; nothing for memory. 0 or -EIO. May sleep. */
int vfs_fsync_inode(struct inode *inode);
/* inode_mkwrite - page index of a regular file is mapped shared and
 * writable: ->prepare_write of the page (which the file system clips to
 * the file's size). 0 or its error. Takes inode->lock; may sleep. */
int inode_mkwrite(struct inode *inode, uint64_t index);
/* inode_prepare_write - ->prepare_write if any; inode->lock held. */
int inode_prepare_write(struct inode *inode, uint64_t pos, size_t len);
/* inode_read_kernel - read len bytes at off into a kernel buffer, e.g.
 * for exec; returns bytes read (short at end of file, or before a page
 * that cannot be read) or -errno. Holes read as zeros. May sleep. */
long inode_read_kernel(struct inode *inode, uint64_t off, void *buf, size_t len);
/* inode_write_at - store len bytes of a kernel buffer at *pos (first
 * moved to the end if append), growing the file, and advance *pos.
 * Returns the bytes stored: short when memory or space runs out or the
 * disk fails (*err then says which). Takes inode->lock; may sleep. */
size_t inode_write_at(struct inode *inode, uint64_t *pos, bool append, const void *kbuf,
		      size_t len, int *err);
/* inode_write_kernel - write a kernel buffer at off, growing the file;
 * returns bytes written or -errno. May sleep. */
long inode_write_kernel(struct inode *inode, uint64_t off, const void *buf, size_t len);

/* ---- permissions (vfs.c) ---- */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

/* inode_permission - may the caller (its fs ids, groups, capabilities) access inode as mask
 * asks? 0 or -EACCES. Root passes read/write always, exec if any x bit
 * is set or the inode is a directory. */
int inode_permission(struct inode *inode, int mask);
/* generic_permission - the mode-bit rule inode_permission applies when
 * the file system has no permission op of its own. */
int generic_permission(struct inode *inode, int mask);
/* vfs_may_delete - sticky-directory rule for removing victim from dir:
 * 0 or -EPERM. */
int vfs_may_delete(struct inode *dir, struct inode *victim);

/* ---- mounts (vfs.c) ---- */

/* vfs_set_root - make root the root of the name space (boot). Takes a
 * reference. */
void vfs_set_root(struct inode *root);
/* vfs_root - the name space's root with a new reference. */
struct inode *vfs_root(void);
/* vfs_mount - mount root (another file system's root directory) on the
 * directory at path (resolved from the name-space root). Takes a
 * reference on root. 0, -ENOENT, -ENOTDIR, -EBUSY (already a mount point). */
int vfs_mount(const char *path, struct inode *root);
/* vfs_mount_at - cover dir (a directory nothing is mounted on) with root
 * (a root not mounted elsewhere); both gain a reference. 0, -ENOTDIR,
 * -EBUSY. The mount table is fs/mount.c's: this only links the inodes. */
int vfs_mount_at(struct inode *dir, struct inode *root);
/* vfs_unmount - undo vfs_mount_at for root (nothing if not mounted). */
void vfs_unmount(struct inode *root);
/* vfs_cross_mounts - the inode to use for dir after mounts on it: returns
 * dir itself or the mounted root, consuming the reference on dir and
 * giving one on the result. */
struct inode *vfs_cross_mounts(struct inode *dir);
/* vfs_mount_covered - for a mounted root, the covered dir (with a new
 * reference), else NULL. */
struct inode *vfs_mount_covered(struct inode *root);

/* ---- path resolution (namei.c) ---- */
#define LOOKUP_FOLLOW    0x1   /* follow a final symlink */
#define LOOKUP_DIRECTORY 0x2   /* the result must be a directory */

/*
 * vfs_lookup_at - resolve path (a kernel string) from dir (NULL: the
 * caller's cwd; absolute paths start at the caller's root). Checks
 * search permission on every directory passed. *out gets a referenced
 * inode. Returns 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP, -EACCES,
 * -ENOMEM. May sleep.
 */
int vfs_lookup_at(struct inode *dir, const char *path, int flags, struct inode **out);

/* What the last component of a path was, for vfs_lookup_parent. */
enum last_type { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

struct vfs_last {
	enum last_type type;
	size_t len;
	bool trailing_slash;     /* the path ended in '/' (the result must be a dir) */
	char name[NAME_MAX + 1]; /* NUL-terminated */
};

/*
 * vfs_lookup_parent - resolve all of path but its last component: *parent
 * gets the (referenced) directory, *last the final name and its kind.
 * Symlinks in the middle are followed, a final one is not. Errors as
 * vfs_lookup_at. May sleep.
 */
int vfs_lookup_parent(struct inode *dir, const char *path, struct inode **parent,
		      struct vfs_last *last);

/* openat2's limits on a walk (RESOLVE_* of <linux/openat2.h>), around
 * anchor, the directory the path is relative to: NO_SYMLINKS (-ELOOP at
 * any symlink), NO_MAGICLINKS (-ELOOP at /proc's fd, exe, cwd, root),
 * NO_XDEV (-EXDEV on leaving anchor's file system), BENEATH (-EXDEV for
 * an absolute path or symlink, a ".." above anchor, a magic link) and
 * IN_ROOT (anchor is the root: "/" and ".." stop there). */
struct lookup_how {
	uint64_t resolve;
	struct inode *anchor;     /* referenced by the caller */
};
/* vfs_lookup_how / vfs_lookup_parent_how - vfs_lookup_at and
 * vfs_lookup_parent within how's limits (how NULL: none). */
int vfs_lookup_how(struct inode *dir, const char *path, int flags, const struct lookup_how *how,
		   struct inode **out);
int vfs_lookup_parent_how(struct inode *dir, const char *path, const struct lookup_how *how,
			  struct inode **parent, struct vfs_last *last);
/* vfs_link_allowed - may a walk within how's limits follow a symlink
 * (magic or not; target its text, or NULL)? 0, -ELOOP or -EXDEV. */
int vfs_link_allowed(const struct lookup_how *how, bool magic, const char *target);
/* vfs_magic_target - link is a magic link: true with *target as
 * ->magic_link gives it; false for a plain symlink. */
bool vfs_magic_target(struct inode *link, struct inode **target);

/* vfs_lookup_root / vfs_lookup_parent_root - the same from the name
 * space's root, for the kernel itself (boot, mounts, devices). */
int vfs_lookup_root(const char *path, int flags, struct inode **out);
int vfs_lookup_parent_root(const char *path, struct inode **parent, struct vfs_last *last);

/* vfs_lookup_child - the entry name (LAST_NORM: not "." or "..") of dir,
 * with search permission checked and mounts crossed; referenced in *out. */
int vfs_lookup_child(struct inode *dir, const char *name, size_t len, struct inode **out);

/* path_component - the length of the path component at p (up to '/' or
 * the end); *next gets the start of the following one, past its slashes. */
size_t path_component(const char *p, const char **next);

/* vfs_readlink_kernel - the target of a symlink as a kmalloc'd NUL-
 * terminated string in *out; 0 or -errno. */
int vfs_readlink_kernel(struct inode *link, char **out);

/* vfs_getcwd - the path of dir as seen from root, into buf (size bytes,
 * NUL-terminated); returns the length with the NUL, -ERANGE, -ENOENT
 * (dir was removed). A dir outside root (a cwd left outside by chroot)
 * gets its path from the top prefixed by "(unreachable)", as Linux. */
long vfs_getcwd(struct inode *root, struct inode *dir, char *buf, size_t size);

/* ---- device nodes (vfs.c) ---- */

/* vfs_register_chardev - make a character device: rdev (MKDEV) is served
 * by fops, and a node with mode's permission bits is created at path (in
 * the name space from its root; parents must exist; an existing node is
 * kept). Returns 0 or -errno. Boot time; may sleep. */
int vfs_register_chardev(const char *path, uint32_t rdev, uint32_t mode,
			 const struct file_ops *fops);
/* vfs_register_blockdev - the same for a block device node (S_IFBLK). */
int vfs_register_blockdev(const char *path, uint32_t rdev, uint32_t mode,
			  const struct file_ops *fops);
/* vfs_register_char_major - every character device of major (whose
 * nodes the driver makes itself) is served by fops. 0 or -ENOSPC. Boot. */
int vfs_register_char_major(uint32_t major, const struct file_ops *fops);
/* vfs_chardev_ops - the ops registered for character device rdev, or NULL. */
const struct file_ops *vfs_chardev_ops(uint32_t rdev);
/* vfs_device_ops - the ops registered for a node of type S_IFCHR or
 * S_IFBLK and rdev, or NULL. */
const struct file_ops *vfs_device_ops(uint32_t type, uint32_t rdev);

/* vfs_unlink_root - remove the non-directory at path (from the name
 * space's root) for the kernel. 0 or -errno. May sleep. */
int vfs_unlink_root(const char *path);
/* vfs_make_device_nodes - a node in dir for each device registered under
 * /dev (a devtmpfs mount). 0 or the first error. May sleep. */
int vfs_make_device_nodes(struct inode *dir);

/* vfs_anon_inode - the one inode that every file without an inode of
 * its own (timerfd) stands on for its file locks, as Linux's anon_inodefs
 * inode: so the flocks of two such files meet, as on Linux. (fstat of
 * such a file still gives EBADF: Linux shows this inode, mode 0600.) */
struct inode *vfs_anon_inode(void);

/* vfs_init - set up the root file system (a ramfs), the name space and
 * the anonymous inode.
 * Call once at boot before devfs_init and cpio_unpack. */
void vfs_init(void);
#endif
