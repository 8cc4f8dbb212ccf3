/*
 * buffer.c - ext2's metadata blocks in memory: bitmaps, inode tables,
 * indirect blocks, directory blocks, the superblock's block and the
 * group descriptors. A buffer is read once and kept; writes mark it
 * dirty and ext2_bflush stores the dirty ones (in block order) at sync.
 * When the cache holds more than EXT2_BUF_MAX buffers, clean ones nobody
 * uses are dropped. File contents do not come here (file.c's pages).
 *
 * Every function here runs with sbi->alloc_lock held, but for the raw
 * transfers at the end (file pages) and the disk flush.
 */
#include "fs/ext2/ext2.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"

#define EXT2_BUF_MAX 512

static struct ext2_buf *buf_of(struct rb_node *n) { return container_of(n, struct ext2_buf, node); }

/* The buffer of block, or NULL; *link and *parent: where it would go. */
static struct ext2_buf *find(struct ext2_sb_info *sbi, uint32_t block, struct rb_node ***link,
			     struct rb_node **parent)
{
	struct rb_node **p = &sbi->bufs.node, *up = NULL;
	while (*p) {
		struct ext2_buf *b = buf_of(*p);
		if (block == b->block)
			return b;
		up = *p;
		p = block < b->block ? &(*p)->left : &(*p)->right;
	}
	if (link) {
		*link = p;
		*parent = up;
	}
	return NULL;
}

static void buf_drop(struct ext2_sb_info *sbi, struct ext2_buf *b)
{
	rb_erase(&sbi->bufs, &b->node);
	sbi->nbufs--;
	kfree(b->data);
	kfree(b);
}

/* Keep the cache within EXT2_BUF_MAX: drop clean buffers nobody holds. */
static void shrink(struct ext2_sb_info *sbi)
{
	struct rb_node *n = rb_first(&sbi->bufs);
	while (n && sbi->nbufs > EXT2_BUF_MAX) {
		struct ext2_buf *b = buf_of(n);
		n = rb_next(n);
		if (!b->refs && !b->dirty)
			buf_drop(sbi, b);
	}
}

static int block_io(struct ext2_sb_info *sbi, bool write, uint32_t block, void *data)
{
	if (write)
		__atomic_store_n(&sbi->unflushed, true, __ATOMIC_RELAXED);
	uint64_t sector = (uint64_t)block << (sbi->block_shift - BLK_SECTOR_SHIFT);
	return blk_rw(sbi->bdev, write, sector, virt_to_phys(data), sbi->block_size);
}

/* The buffer of block with a reference, read from the disk if read. */
static int get(struct ext2_sb_info *sbi, uint32_t block, bool read, struct ext2_buf **out)
{
	struct rb_node **link, *parent;
	struct ext2_buf *b = find(sbi, block, &link, &parent);
	if (b) {
		b->refs++;
		*out = b;
		return 0;
	}
	if (block >= sbi->blocks_count)
		return -EIO;   /* a corrupt pointer: never read outside the disk */
	b = kzalloc(sizeof(*b));
	uint8_t *data = b ? kzalloc(sbi->block_size) : NULL;
	int err = data ? 0 : -ENOMEM;
	if (!err && read)
		err = block_io(sbi, false, block, data);
	if (err) {
		kfree(data);
		kfree(b);
		return err;
	}
	b->block = block;
	b->data = data;
	b->refs = 1;
	rb_link_node(&b->node, parent, link);
	rb_insert_fixup(&sbi->bufs, &b->node);
	sbi->nbufs++;
	shrink(sbi);
	*out = b;
	return 0;
}

int ext2_bread(struct ext2_sb_info *sbi, uint32_t block, struct ext2_buf **out)
{
	return get(sbi, block, true, out);
}

int ext2_bget_zeroed(struct ext2_sb_info *sbi, uint32_t block, struct ext2_buf **out)
{
	int err = get(sbi, block, false, out);
	if (!err)
		memset((*out)->data, 0, sbi->block_size);
	return err;
}

void ext2_brelse(struct ext2_sb_info *sbi, struct ext2_buf *b)
{
	if (b)
		b->refs--;
}

void ext2_bdirty(struct ext2_buf *b)
{
	b->dirty = true;
}

void ext2_bforget(struct ext2_sb_info *sbi, uint32_t block)
{
	struct ext2_buf *b = find(sbi, block, NULL, NULL);
	if (b && !b->refs)
		buf_drop(sbi, b);
	else if (b)
		b->dirty = false;
}

/* ext2_bflush - store every dirty buffer, in block order. */
int ext2_bflush(struct ext2_sb_info *sbi)
{
	int err = 0;
	for (struct rb_node *n = rb_first(&sbi->bufs); n; n = rb_next(n)) {
		struct ext2_buf *b = buf_of(n);
		if (!b->dirty)
			continue;
		if (block_io(sbi, true, b->block, b->data))
			err = -EIO;
		else
			b->dirty = false;
	}
	shrink(sbi);
	return err;
}

void ext2_bfree_all(struct ext2_sb_info *sbi)
{
	struct rb_node *n;
	while ((n = rb_first(&sbi->bufs)))
		buf_drop(sbi, buf_of(n));
}

int ext2_write_raw(struct ext2_sb_info *sbi, uint64_t off, paddr_t buf, uint32_t len)
{
	__atomic_store_n(&sbi->unflushed, true, __ATOMIC_RELAXED);
	return blk_rw(sbi->bdev, true, off >> BLK_SECTOR_SHIFT, buf, len);
}

int ext2_read_raw(struct ext2_sb_info *sbi, uint64_t off, paddr_t buf, uint32_t len)
{
	return blk_rw(sbi->bdev, false, off >> BLK_SECTOR_SHIFT, buf, len);
}

int ext2_flush_disk(struct ext2_sb_info *sbi)
{
	if (!__atomic_exchange_n(&sbi->unflushed, false, __ATOMIC_ACQ_REL))
		return 0;
	return blk_flush(sbi->bdev);
}
