/*
 * ramfs.h - the in-memory file system: the root file system, and tmpfs
 * for /tmp and /dev/shm (each ramfs_create() is a separate instance).
 */
#ifndef ASPEN_FS_RAMFS_H
#define ASPEN_FS_RAMFS_H
#include "fs/vfs.h"

/* Largest file: three levels of 512-entry page tables of 4 KiB pages. */
#define RAMFS_MAX_FILE_SIZE (1ULL << 39)

/* ramfs_create - a new empty file system; returns its root directory
 * (mode 0755, owned by root), referenced, or NULL when out of memory.
 * The instance is freed with its last inode. */
struct inode *ramfs_create(void);

/* ramfs_owns - is ip an inode of a ramfs (root, tmpfs, shmem)? */
bool ramfs_owns(const struct inode *ip);

/* What tmpfs's options set on an instance (0: no limit). */
struct ramfs_limits {
	uint64_t max_pages;       /* frames its files may hold (ENOSPC past it) */
	uint64_t max_inodes;      /* inodes (ENOSPC past it) */
	bool readonly;            /* every change fails with EROFS */
};
/* ramfs_set_limits - new limits for the instance of root (any inode of
 * it); -EBUSY if it already holds more than they allow. */
int ramfs_set_limits(struct inode *root, const struct ramfs_limits *limits);
/* ramfs_usage - frames and inodes the instance holds now. */
void ramfs_usage(struct inode *root, uint64_t *pages, uint64_t *inodes);
/* ramfs_busy - does anything beyond the tree itself hold an inode of the
 * instance? root may have extra_root_refs references besides the
 * tree's (the mount's, the caller's). */
bool ramfs_busy(struct inode *root, uint32_t extra_root_refs);
/* ramfs_empty_tree - remove every name below root (unmount): inodes
 * still in use elsewhere live on, unlinked, until their last reference. */
void ramfs_empty_tree(struct inode *root);
/* ramfs_page_slot_locked - the page-tree slot of page index of a regular
 * file (a frame, or a swap entry: mm/shmem_swap.c), or NULL if none.
 * inode->lock held. */
uint64_t *ramfs_page_slot_locked(struct inode *inode, uint64_t index);
/* ramfs_for_each_page - fn(pa, inode, index, arg) for every page of every
 * regular file of every instance: the page cache, each page holding one
 * frame reference. For vmcheck's census, which keeps files from changing
 * (every other CPU is stopped); fn must not sleep. */
void ramfs_for_each_page(void (*fn)(paddr_t pa, struct inode *inode, uint64_t index, void *arg), void *arg);
#endif
