/*
 * ramfs_impl.h - the inside of a ramfs instance, shared by ramfs.c (the
 * file system), ramfs_pages.c (a file's page tree) and ramfs_tree.c
 * (walks over a whole instance: busy checks and emptying for tmpfs
 * mounts). Private to those files.
 */
#ifndef ASPEN_FS_RAMFS_IMPL_H
#define ASPEN_FS_RAMFS_IMPL_H
#include "lib/list.h"
#include "sync/mutex.h"
#include "fs/ramfs.h"
#include "fs/xattr.h"

#define FIRST_COOKIE 2                    /* getdents positions 0, 1: ".", ".." */

struct ramfs_sb {
	struct mutex ns_lock;
	uint32_t dev;
	uint32_t ninodes;                 /* atomic: the instance's live inodes */
	uint64_t npages;                  /* atomic: frames its files hold */
	uint32_t orphans;                 /* atomic: unlinked inodes still referenced */
	struct ramfs_limits limits;       /* (ns) as tmpfs's options set them */
};

struct ramfs_dirent {
	struct list_head link;            /* (ns) in the directory's entries */
	struct inode *inode;              /* referenced */
	uint64_t cookie;                  /* getdents position, increasing */
	size_t len;
	char name[];
};

struct ramfs_inode {
	struct inode vfs;
	struct ramfs_sb *sb;
	struct xattr_mem xattrs;          /* (its own lock, fs/xattr.h) */
	union {
		struct {                      /* directory: (ns) */
			struct list_head entries;
			struct inode *parent; /* referenced, except the root's (itself) */
			uint64_t next_cookie;
			uint64_t count;
		} dir;
		struct {                      /* regular file: (i) */
			uint64_t top;         /* the page tree's top table, or 0 */
			uint64_t nframes;     /* frames held, for st_blocks */
			struct list_head all_link;   /* (ramfs_files_lock) in ramfs_files */
		} file;
		char *target;                 /* symlink: kmalloc'd, constant */
	};
};

static inline struct ramfs_inode *RI(struct inode *inode)
{
	return container_of(inode, struct ramfs_inode, vfs);
}

static inline struct ramfs_sb *SB(struct inode *inode) { return RI(inode)->sb; }

/* ramfs_adjust_nlink - add delta to inode's link count (takes its lock). */
void ramfs_adjust_nlink(struct inode *inode, int delta);
/* ramfs_remove_entry - unlink d from dir; returns the inode with d's
 * reference. ns_lock held. */
struct inode *ramfs_remove_entry(struct ramfs_inode *dir, struct ramfs_dirent *d);
/* ramfs_kill_dir - mark directory victim, just unlinked from parent,
 * removed. ns_lock held. */
void ramfs_kill_dir(struct inode *parent, struct inode *victim);

/* ---- ramfs_pages.c: a regular file's pages ---- */
/* ramfs_file_listed - put new regular file ri on the list of all files. */
void ramfs_file_listed(struct ramfs_inode *ri);
/* ramfs_file_release - free ri's pages and take it off that list (evict). */
void ramfs_file_release(struct ramfs_inode *ri);
/* ramfs_get_page - ->get_page (see vfs.h); inode->lock held. */
paddr_t ramfs_get_page(struct inode *inode, uint64_t index, bool alloc);
/* ramfs_truncate_locked - set ri's size, freeing pages past it: 0 or
 * -EFBIG. inode->lock held. */
int ramfs_truncate_locked(struct ramfs_inode *ri, uint64_t size);
/* ramfs_fallocate - ->fallocate (see vfs.h); takes inode->lock. */
int ramfs_fallocate(struct inode *inode, int mode, uint64_t off, uint64_t len);
/* ramfs_blocks - ->blocks: 512-byte sectors the file's frames hold. */
uint64_t ramfs_blocks(struct inode *inode);

/* ramfs_by_ino - ->by_ino (ramfs_tree.c): the live inode numbered ino in
 * any's instance (any: a directory of it), referenced; -ESTALE if none. */
int ramfs_by_ino(struct inode *any, uint64_t ino, struct inode **out);
#endif
