/*
 * ramfs_pages.c - the pages of a ramfs regular file.
 *
 * A file keeps its pages in a three-level tree of 512-slot tables, like
 * page tables: a missing slot is a hole and reads as zeros. A slot holds
 * a frame, or (shared anonymous memory) a swap entry marked
 * SHMEM_SLOT_SWAPPED. Every regular file of every instance is on one
 * list, so that vmcheck's census can count the page cache.
 *
 * Locks: inode->lock guards a file's tree and size (see ramfs.c);
 * ramfs_files_lock guards the list of files.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "fs/ramfs_impl.h"

#define PT_BITS 9                         /* index bits per level */
#define PT_SLOTS (1u << PT_BITS)          /* 512 slots: one 4 KiB table */
#define PT_DEPTH 3

/* Every regular file of every instance: its pages are the page cache
 * that vmcheck's census counts (ramfs_for_each_page). */
static struct spinlock ramfs_files_lock = SPINLOCK_INIT("ramfs_files");
static LIST_HEAD(ramfs_files);   /* (ramfs_files_lock) */

/* ---- the page tree of a regular file ---- */

/* The slot for page index, creating tables on the way if alloc; NULL if
 * absent (or out of memory). Tables are arrays of PT_SLOTS words: the
 * address of the next table, or at the last level a frame (0: none).
 * inode->lock held. */
static uint64_t *page_slot(struct ramfs_inode *ri, uint64_t index, bool alloc)
{
	uint64_t *slot = &ri->file.top;
	for (int level = PT_DEPTH - 1; level >= 0; level--) {
		if (!*slot) {
			uint64_t *table = alloc ? kzalloc(PT_SLOTS * sizeof(uint64_t)) : NULL;
			if (!table)
				return NULL;
			*slot = (uint64_t)(uintptr_t)table;
		}
		uint64_t *table = (uint64_t *)(uintptr_t)*slot;
		slot = &table[(index >> (level * PT_BITS)) & (PT_SLOTS - 1)];
	}
	return slot;
}

/* ramfs_page_slot_locked - see ramfs.h. */
uint64_t *ramfs_page_slot_locked(struct inode *inode, uint64_t index)
{
	if (!S_ISREG(inode->mode) || index >= RAMFS_MAX_FILE_SIZE / PAGE_SIZE)
		return NULL;
	return page_slot(RI(inode), index, false);
}

/* ->get_page: the frame of page index (see vfs.h); inode->lock held. A
 * page of shared anonymous memory that went to swap is read back first. */
paddr_t ramfs_get_page(struct inode *inode, uint64_t index, bool alloc)
{
	assert(mutex_held(&inode->lock));
	struct ramfs_inode *ri = RI(inode);
	if (!S_ISREG(inode->mode) || index >= RAMFS_MAX_FILE_SIZE / PAGE_SIZE)
		return 0;
	uint64_t *slot = page_slot(ri, index, alloc);
	if (slot && (*slot & SHMEM_SLOT_SWAPPED))
		return shmem_slot_swap_in(slot);
	if (!slot || *slot || !alloc)
		return slot ? *slot : 0;
	struct ramfs_sb *sb = ri->sb;
	if (sb->limits.readonly || (sb->limits.max_pages &&
	    __atomic_load_n(&sb->npages, __ATOMIC_RELAXED) >= sb->limits.max_pages))
		return 0;   /* the writer reports ENOSPC */
	paddr_t pa = frame_alloc_zeroed();
	if (!pa)
		return 0;
	frame_of(pa)->flags |= FRAME_FILE;
	*slot = pa;
	ri->file.nframes++;
	__atomic_add_fetch(&sb->npages, 1, __ATOMIC_RELAXED);
	return pa;
}

/* Call fn for each page in the table at level, which covers indexes
 * from base. */
static void for_each_page_in(struct inode *inode, const uint64_t *table, int level, uint64_t base,
			     void (*fn)(paddr_t, struct inode *, uint64_t, void *), void *arg)
{
	uint64_t span = 1ULL << (level * PT_BITS);
	for (size_t i = 0; i < PT_SLOTS; i++) {
		if (!table[i])
			continue;
		if (level == 0) {
			if (!(table[i] & SHMEM_SLOT_SWAPPED))   /* a page in swap holds no frame */
				fn(table[i], inode, base + i, arg);
		} else {
			for_each_page_in(inode, (const uint64_t *)(uintptr_t)table[i], level - 1, base + i * span, fn, arg);
		}
	}
}

/* ramfs_for_each_page - see ramfs.h. */
void ramfs_for_each_page(void (*fn)(paddr_t pa, struct inode *inode, uint64_t index, void *arg), void *arg)
{
	struct ramfs_inode *ri;
	spin_lock(&ramfs_files_lock);
	list_for_each_entry(ri, &ramfs_files, file.all_link)
		if (ri->file.top)
			for_each_page_in(&ri->vfs, (const uint64_t *)(uintptr_t)ri->file.top, PT_DEPTH - 1, 0, fn, arg);
	spin_unlock(&ramfs_files_lock);
}

/* Free the pages with index >= first in the table at level, which covers
 * indexes from base, and the table itself if all of it lies beyond
 * first. Returns true if the table was freed. inode->lock held. */
static bool free_pages_from(struct ramfs_inode *ri, uint64_t *table, int level, uint64_t base,
			    uint64_t first)
{
	uint64_t span = 1ULL << (level * PT_BITS);
	for (size_t i = 0; i < PT_SLOTS; i++) {
		uint64_t start = base + i * span;
		if (!table[i] || start + span <= first)
			continue;
		if (level == 0) {
			if (table[i] & SHMEM_SLOT_SWAPPED)
				shmem_slot_free(table[i]);
			else
				frame_put(table[i]);
			ri->file.nframes--;
			__atomic_sub_fetch(&ri->sb->npages, 1, __ATOMIC_RELAXED);
			table[i] = 0;
		} else if (free_pages_from(ri, (uint64_t *)(uintptr_t)table[i], level - 1, start, first)) {
			table[i] = 0;
		}
	}
	if (base < first)
		return false;
	kfree(table);
	return true;
}

/* Free the file's pages from page index first on. inode->lock held. */
static void free_file_pages(struct ramfs_inode *ri, uint64_t first)
{
	uint64_t *top = (uint64_t *)(uintptr_t)ri->file.top;
	if (top && free_pages_from(ri, top, PT_DEPTH - 1, 0, first))
		ri->file.top = 0;
}

/* Set the size of a regular file: pages past it go, the tail of the last
 * partial page is zeroed (so growing again reads zeros). inode->lock held. */
int ramfs_truncate_locked(struct ramfs_inode *ri, uint64_t size)
{
	if (size > RAMFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (size < ri->vfs.size) {
		uint64_t first = PAGE_ROUND_UP(size) >> PAGE_SHIFT;
		free_file_pages(ri, first);
		size_t tail = size & (PAGE_SIZE - 1);
		uint64_t *slot = tail ? page_slot(ri, size >> PAGE_SHIFT, false) : NULL;
		if (slot && (*slot & SHMEM_SLOT_SWAPPED))
			shmem_slot_swap_in(slot);
		if (slot && *slot && !(*slot & SHMEM_SLOT_SWAPPED))
			memset((char *)phys_to_virt(*slot) + tail, 0, PAGE_SIZE - tail);
	}
	ri->vfs.size = size;
	return 0;
}

#define SECTORS_PER_FRAME (PAGE_SIZE / 512)

/* Zero bytes [from, to) of page index of the file, if it has that page. */
/* The slot of page index if the file has that page in memory (a page of
 * shared anonymous memory in swap is read back first), else NULL. */
static uint64_t *resident_slot(struct ramfs_inode *ri, uint64_t index)
{
	uint64_t *slot = page_slot(ri, index, false);
	if (slot && (*slot & SHMEM_SLOT_SWAPPED))
		shmem_slot_swap_in(slot);
	return slot && *slot && !(*slot & SHMEM_SLOT_SWAPPED) ? slot : NULL;
}

static void zero_in_page(struct ramfs_inode *ri, uint64_t index, size_t from, size_t to)
{
	uint64_t *slot = resident_slot(ri, index);
	if (slot)
		memset((char *)phys_to_virt(*slot) + from, 0, to - from);
}

/* Make [off, end) of the file read as zeros: whole pages nobody maps
 * are given back (a hole), mapped ones and partial ones zeroed in place
 * so mappings stay coherent. inode->lock held. */
static void zero_range_locked(struct ramfs_inode *ri, uint64_t off, uint64_t end)
{
	for (uint64_t pos = off; pos < end; ) {
		uint64_t index = pos >> PAGE_SHIFT;
		size_t from = pos & (PAGE_SIZE - 1);
		size_t to = MIN(PAGE_SIZE, from + (end - pos));
		uint64_t *slot = resident_slot(ri, index);
		if (slot && from == 0 && to == PAGE_SIZE &&
		    __atomic_load_n(&frame_of(*slot)->refcount, __ATOMIC_RELAXED) == 1) {
			frame_put(*slot);
			*slot = 0;
			ri->file.nframes--;
			__atomic_sub_fetch(&ri->sb->npages, 1, __ATOMIC_RELAXED);
		} else {
			zero_in_page(ri, index, from, to);
		}
		pos += to - from;
	}
}

/* ->fallocate (see vfs.h): allocation fills holes with zeroed pages;
 * PUNCH_HOLE and ZERO_RANGE zero the range (punching frees the pages
 * nobody maps). Without KEEP_SIZE the file grows to off + len. */
int ramfs_fallocate(struct inode *inode, int mode, uint64_t off, uint64_t len)
{
	struct ramfs_inode *ri = RI(inode);
	uint64_t end = off + len;
	if (end > RAMFS_MAX_FILE_SIZE || end < off)
		return -EFBIG;
	int err = 0;
	mutex_lock(&inode->lock);
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		zero_range_locked(ri, off, MIN(end, PAGE_ROUND_UP(inode->size)));
		inode_touch_locked(inode, ATTR_MTIME | ATTR_CTIME);
	}
	if (!(mode & FALLOC_FL_PUNCH_HOLE)) {
		for (uint64_t i = off >> PAGE_SHIFT; i < PAGE_ROUND_UP(end) >> PAGE_SHIFT && !err; i++)
			if (!ramfs_get_page(inode, i, true))
				err = -ENOSPC;
	}
	if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size) {
		inode->size = end;
		inode_touch_locked(inode, ATTR_MTIME | ATTR_CTIME);
	}
	mutex_unlock(&inode->lock);
	return err;
}

uint64_t ramfs_blocks(struct inode *inode)
{
	return S_ISREG(inode->mode) ? RI(inode)->file.nframes * SECTORS_PER_FRAME : 0;
}

/* ramfs_file_listed - see ramfs_impl.h. */
void ramfs_file_listed(struct ramfs_inode *ri)
{
	spin_lock(&ramfs_files_lock);
	list_add_tail(&ri->file.all_link, &ramfs_files);
	spin_unlock(&ramfs_files_lock);
}

/* ramfs_file_release - see ramfs_impl.h. */
void ramfs_file_release(struct ramfs_inode *ri)
{
	free_file_pages(ri, 0);
	spin_lock(&ramfs_files_lock);
	list_del(&ri->file.all_link);
	spin_unlock(&ramfs_files_lock);
}
