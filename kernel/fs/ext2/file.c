/*
 * file.c - the page cache of ext2's regular files: the frames that
 * read() and write() copy through and that mmap maps, so that a mapping
 * and the file always agree.
 *
 * A page is read from the disk when first wanted (the blocks of the page
 * below the end of the file; holes and the tail past the end read as
 * zeros). A write, or a shared writable mapping, first gives the bytes it
 * will change their blocks (ext2_prepare_write: ENOSPC now rather than
 * at write-back) and marks the page dirty. Dirty pages reach the disk at
 * fsync, sync, syncfs, unmount, the flusher's rounds (super.c) and when
 * the inode leaves memory. A file keeps at most EXT2_FILE_PAGES_MAX pages:
 * past that, clean pages nobody maps are dropped.
 *
 * Every function here runs with the inode's lock held unless it says.
 */
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"

#define EXT2_FILE_PAGES_MAX 2048      /* 8 MiB of one file in memory */

static struct ext2_page *page_of(struct rb_node *n) { return container_of(n, struct ext2_page, node); }

static struct ext2_page *page_find(struct ext2_inode *ei, uint64_t index, struct rb_node ***link,
				   struct rb_node **parent)
{
	struct rb_node **p = &ei->pages.node, *up = NULL;
	while (*p) {
		struct ext2_page *pg = page_of(*p);
		if (index == pg->index)
			return pg;
		up = *p;
		p = index < pg->index ? &(*p)->left : &(*p)->right;
	}
	if (link) {
		*link = p;
		*parent = up;
	}
	return NULL;
}

static void page_drop(struct ext2_inode *ei, struct ext2_page *pg)
{
	rb_erase(&ei->pages, &pg->node);
	ei->npages--;
	frame_put(pg->pa);
	kfree(pg);
}

static uint32_t blocks_per_page(struct ext2_sb_info *sbi) { return PAGE_SIZE >> sbi->block_shift; }

/* Read the blocks of pg below the end of the file; runs of consecutive
 * blocks are read at once. Zeros elsewhere (the frame starts zeroed). */
static int page_read(struct ext2_inode *ei, struct ext2_page *pg)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint32_t bpp = blocks_per_page(sbi), run_start = 0, run_len = 0, run_disk = 0;
	uint64_t first = pg->index * bpp;
	int err = 0;
	for (uint32_t k = 0; k <= bpp && !err; k++) {
		uint32_t disk = 0;
		bool in_file = k < bpp && ((first + k) << sbi->block_shift) < ei->vfs.size;
		if (in_file)
			err = ext2_bmap(ei, first + k, false, &disk);
		if (run_len && (!disk || disk != run_disk + run_len)) {
			err = err ? err : ext2_read_raw(sbi, (uint64_t)run_disk << sbi->block_shift,
							pg->pa + (run_start << sbi->block_shift),
							run_len << sbi->block_shift);
			run_len = 0;
		}
		if (disk && !run_len) {
			run_start = k;
			run_disk = disk;
		}
		run_len += disk != 0;
	}
	uint64_t end = ei->vfs.size - MIN(ei->vfs.size, pg->index << PAGE_SHIFT);
	if (!err && end < PAGE_SIZE)   /* what lies past the end of the file reads as zeros */
		memset((char *)phys_to_virt(pg->pa) + end, 0, PAGE_SIZE - end);
	return err;
}

/* Drop clean pages only the cache holds until the file is under its cap. */
static void trim(struct ext2_inode *ei)
{
	struct rb_node *n = rb_first(&ei->pages);
	while (n && ei->npages > EXT2_FILE_PAGES_MAX) {
		struct ext2_page *pg = page_of(n);
		n = rb_next(n);
		if (!pg->dirty && frame_refcount(pg->pa) == 1)
			page_drop(ei, pg);
	}
	if (ei->npages > EXT2_FILE_PAGES_MAX && !ext2_writeback_locked(ei))
		trim(ei);   /* once more, now that the dirty ones are clean */
}

/* ext2_find_page - ->find_page: the cached page, or one read (or zeroed
 * past the end, with alloc). */
int ext2_find_page(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa)
{
	struct ext2_inode *ei = EI(inode);
	struct rb_node **link, *parent;
	struct ext2_page *pg = page_find(ei, index, &link, &parent);
	*pa = 0;
	if (pg) {
		*pa = pg->pa;
		return 0;
	}
	bool past_end = index << PAGE_SHIFT >= inode->size;
	if (past_end && !alloc)
		return 0;   /* a hole */
	pg = kzalloc(sizeof(*pg));
	paddr_t frame = pg ? frame_alloc_zeroed() : 0;
	if (!frame) {
		kfree(pg);
		return -ENOMEM;
	}
	frame_of(frame)->flags |= FRAME_FILE;
	pg->index = index;
	pg->pa = frame;
	int err = past_end ? 0 : page_read(ei, pg);
	if (err) {
		frame_put(frame);
		kfree(pg);
		return err;
	}
	rb_link_node(&pg->node, parent, link);
	rb_insert_fixup(&ei->pages, &pg->node);
	ei->npages++;
	if (ei->npages > EXT2_FILE_PAGES_MAX) {
		pg->dirty = true;   /* keep the new page through the trim */
		trim(ei);
		pg->dirty = false;
	}
	*pa = frame;
	return 0;
}

/* ext2_prepare_write - blocks for [pos, pos + len) (len 0: a mapped page,
 * within the file), and the page dirty. */
int ext2_prepare_write(struct inode *inode, uint64_t pos, size_t len)
{
	struct ext2_inode *ei = EI(inode);
	struct ext2_sb_info *sbi = ei->sbi;
	if (sbi->readonly)
		return -EROFS;
	uint64_t end = len ? pos + len : MIN(PAGE_ROUND_DOWN(pos) + PAGE_SIZE, inode->size);
	for (uint64_t b = pos >> sbi->block_shift; (b << sbi->block_shift) < end; b++) {
		uint32_t disk;
		int err = ext2_bmap(ei, b, true, &disk);
		if (err)
			return err;
	}
	struct ext2_page *pg = page_find(ei, pos >> PAGE_SHIFT, NULL, NULL);
	if (pg)
		pg->dirty = true;
	ei->dirty = true;
	return 0;
}

/* Write the blocks of a dirty page that lie within the file. */
static int page_write(struct ext2_inode *ei, struct ext2_page *pg)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint32_t bpp = blocks_per_page(sbi);
	uint64_t first = pg->index * bpp;
	for (uint32_t k = 0; k < bpp && ((first + k) << sbi->block_shift) < ei->vfs.size; k++) {
		uint32_t disk;
		int err = ext2_bmap(ei, first + k, true, &disk);
		if (!err)
			err = ext2_write_raw(sbi, (uint64_t)disk << sbi->block_shift,
					     pg->pa + (k << sbi->block_shift), sbi->block_size);
		if (err)
			return err;
	}
	return 0;
}

/* ext2_writeback_locked - every dirty page, then the inode. */
int ext2_writeback_locked(struct ext2_inode *ei)
{
	int err = 0;
	if (ei->sbi->readonly)
		return 0;
	if (ei->vfs.nlink) {
		for (struct rb_node *n = rb_first(&ei->pages); n; n = rb_next(n)) {
			struct ext2_page *pg = page_of(n);
			if (!pg->dirty)
				continue;
			if (page_write(ei, pg))
				err = -EIO;
			else
				pg->dirty = false;
		}
	}
	if (ei->dirty && ext2_write_inode(ei))
		err = -EIO;
	return err;
}

/* ext2_writeback - ->writeback (takes the inode's lock). */
int ext2_writeback(struct inode *inode)
{
	mutex_lock(&inode->lock);
	int err = ext2_writeback_locked(EI(inode));
	mutex_unlock(&inode->lock);
	return err;
}

void ext2_drop_pages(struct ext2_inode *ei)
{
	struct rb_node *n;
	while ((n = rb_first(&ei->pages)))
		page_drop(ei, page_of(n));
}

/* ext2_set_size - see ext2.h. Shrinking zeroes the rest of the new last
 * page (it may be mapped, and it reaches the disk), drops the pages past
 * it and frees the blocks past it. */
int ext2_set_size(struct ext2_inode *ei, uint64_t size)
{
	struct ext2_sb_info *sbi = ei->sbi;
	if (size < ei->vfs.size) {
		size_t tail = size & (PAGE_SIZE - 1);
		paddr_t pa = 0;
		int err = tail ? ext2_find_page(&ei->vfs, size >> PAGE_SHIFT, false, &pa) : 0;
		if (err)
			return err;
		if (pa) {
			memset((char *)phys_to_virt(pa) + tail, 0, PAGE_SIZE - tail);
			page_find(ei, size >> PAGE_SHIFT, NULL, NULL)->dirty = true;
		}
		struct rb_node *n = rb_first(&ei->pages);
		while (n) {
			struct ext2_page *pg = page_of(n);
			n = rb_next(n);
			if (pg->index << PAGE_SHIFT >= PAGE_ROUND_UP(size))
				page_drop(ei, pg);
		}
		ext2_truncate_blocks(ei, (size + sbi->block_size - 1) >> sbi->block_shift);
	}
	ei->vfs.size = size;
	ei->dirty = true;
	return 0;
}

/* ->setattr of every ext2 inode (inode->lock taken here). */
int ext2_setattr(struct inode *inode, const struct iattr *attr)
{
	struct ext2_inode *ei = EI(inode);
	if (ei->sbi->readonly)
		return -EROFS;
	int err = 0;
	mutex_lock(&inode->lock);
	if (attr->ia_valid & ATTR_SIZE)
		err = S_ISREG(inode->mode) ? ext2_set_size(ei, attr->size) :
		      S_ISDIR(inode->mode) ? -EISDIR : -EINVAL;
	if (!err) {
		setattr_copy_locked(inode, attr);
		ei->dirty = true;
	}
	mutex_unlock(&inode->lock);
	return err;
}

/* fsync and fdatasync: the file's pages and inode, then the metadata
 * they need (the bitmaps and the maps) and the disk's cache. */
static int ext2_fsync(struct file *f, bool datasync)
{
	struct ext2_sb_info *sbi = EI(f->inode)->sbi;
	int err = ext2_writeback(f->inode);
	mutex_lock(&sbi->alloc_lock);
	if (ext2_store_super(sbi) || ext2_bflush(sbi))
		err = -EIO;
	mutex_unlock(&sbi->alloc_lock);
	if (ext2_flush_disk(sbi))
		err = -EIO;
	return err;
}

const struct file_ops ext2_file_fops = {
	.read = page_file_read,
	.write = page_file_write,
	.llseek = generic_llseek,
	.get_page = page_file_get_page,
	.fsync = ext2_fsync,
};

const struct file_ops ext2_dir_fops = {
	.read = dir_read,
	.llseek = dir_llseek,
	.getdents64 = dir_getdents64,
	.fsync = ext2_fsync,
};
