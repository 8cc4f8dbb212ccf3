/*
 * blkdev_file.c - block device nodes (/dev/vda, ...): read and write at
 * any offset and length, lseek within the disk, fsync, and Linux's block
 * ioctls (BLKGETSIZE64 and friends).
 *
 * There is no page cache for raw disks: each read or write goes through
 * a bounce buffer of contiguous frames, whole sectors at a time. A write
 * that covers part of a sector reads the sector first and writes it back
 * whole; so that two such writes cannot undo each other, writes to one
 * disk hold its write_lock (a mutex, held across the copy from user
 * memory). Reads run in parallel with everything.
 */
#include "block/blkdev.h"
#include "fs/file.h"
#include "fs/uapi.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/usercopy.h"

#define BOUNCE_MAX_ORDER 4        /* up to 64 KiB per device request */
#define SOFT_BLOCK_MAX PAGE_SIZE  /* BLKBSZGET: Linux's initial block size cap */

struct bounce {
	paddr_t pa;
	char *va;
	size_t size;
	unsigned order;
};

/* Frames for up to want bytes (less if memory is fragmented): 0 or -ENOMEM. */
static int bounce_alloc(struct bounce *b, size_t want)
{
	unsigned order = 0;
	while (order < BOUNCE_MAX_ORDER && (PAGE_SIZE << order) < want)
		order++;
	for (;;) {
		b->pa = frame_alloc_kernel(order);
		if (b->pa || order == 0)
			break;
		order--;
	}
	if (!b->pa)
		return -ENOMEM;
	b->va = phys_to_virt(b->pa);
	b->size = PAGE_SIZE << order;
	b->order = order;
	return 0;
}

static void bounce_free(struct bounce *b)
{
	frame_free_order(b->pa, b->order);
}

/* One piece of a transfer: bytes [at, at + len) of the disk, which lie in
 * the sectors [first, first + span) of the bounce buffer. */
struct piece {
	uint64_t at;
	size_t len;
	uint64_t first;    /* byte offset of the first sector */
	uint32_t span;     /* bytes of whole sectors */
};

static struct piece next_piece(uint64_t at, size_t left, const struct bounce *b)
{
	struct piece p = { at, 0, at & ~(uint64_t)(BLK_SECTOR_SIZE - 1), 0 };
	p.len = MIN(left, b->size - (size_t)(at - p.first));
	p.span = (uint32_t)ALIGN_UP(at - p.first + p.len, BLK_SECTOR_SIZE);
	return p;
}

static long bdev_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct blkdev *d = f->private;
	uint64_t size = blkdev_size(d);
	if (*pos >= size || !n)
		return 0;
	n = MIN(n, size - *pos);
	struct bounce b;
	if (bounce_alloc(&b, n + BLK_SECTOR_SIZE))
		return -ENOMEM;
	size_t done = 0;
	long err = 0;
	while (done < n && !err) {
		struct piece p = next_piece(*pos + done, n - done, &b);
		err = blk_rw(d, false, p.first >> BLK_SECTOR_SHIFT, b.pa, p.span);
		if (!err && copy_to_user(ubuf + done, b.va + (p.at - p.first), p.len))
			err = -EFAULT;
		if (!err)
			done += p.len;
	}
	bounce_free(&b);
	*pos += done;
	return done ? (long)done : err;
}

/* Read the sectors a write covers only in part (its first and last) into
 * the bounce buffer, so that writing the span back keeps their other bytes. */
static int read_partial_sectors(struct blkdev *d, const struct piece *p, const struct bounce *b)
{
	uint64_t end = p->at + p->len;
	uint64_t last = p->first + p->span - BLK_SECTOR_SIZE;
	int err = 0;
	if (p->at != p->first)
		err = blk_rw(d, false, p->first >> BLK_SECTOR_SHIFT, b->pa, BLK_SECTOR_SIZE);
	if (!err && end % BLK_SECTOR_SIZE && (last != p->first || p->at == p->first))
		err = blk_rw(d, false, last >> BLK_SECTOR_SHIFT, b->pa + (last - p->first),
			     BLK_SECTOR_SIZE);
	return err;
}

static long write_pieces(struct blkdev *d, const char *ubuf, size_t n, uint64_t pos,
			 const struct bounce *b)
{
	size_t done = 0;
	long err = 0;
	while (done < n && !err) {
		struct piece p = next_piece(pos + done, n - done, b);
		err = read_partial_sectors(d, &p, b);
		if (!err && copy_from_user(b->va + (p.at - p.first), ubuf + done, p.len))
			err = -EFAULT;
		if (!err)
			err = blk_rw(d, true, p.first >> BLK_SECTOR_SHIFT, b->pa, p.span);
		if (!err)
			done += p.len;
	}
	return done ? (long)done : err;
}

static long bdev_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct blkdev *d = f->private;
	if (d->read_only)
		return -EPERM;
	if (!n)
		return 0;
	uint64_t size = blkdev_size(d);
	if (*pos >= size)
		return -ENOSPC;
	n = MIN(n, size - *pos);
	struct bounce b;
	if (bounce_alloc(&b, n + 2 * BLK_SECTOR_SIZE))
		return -ENOMEM;
	mutex_lock(&d->write_lock);
	long r = write_pieces(d, ubuf, n, *pos, &b);
	mutex_unlock(&d->write_lock);
	bounce_free(&b);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

/* lseek as Linux's fixed_size_llseek: within [0, size], no DATA/HOLE. */
static long bdev_llseek(struct file *f, int64_t off, int whence)
{
	uint64_t size = blkdev_size(f->private);
	int64_t base;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)size; break;
	default: return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base) || base < 0 || (uint64_t)base > size)
		return -EINVAL;
	f->pos = (uint64_t)base;
	return (long)base;
}

static int bdev_fsync(struct file *f, bool datasync)
{
	return blk_flush(f->private);
}

/* The block size Linux starts a disk with: the largest power of two up
 * to a page that divides its size. */
static int soft_block_size(const struct blkdev *d)
{
	uint64_t bsize = BLK_SECTOR_SIZE;
	while (bsize < SOFT_BLOCK_MAX && !(blkdev_size(d) & bsize))
		bsize <<= 1;
	return (int)bsize;
}

static long put_value(uint64_t arg, const void *v, size_t len)
{
	return copy_to_user((void *)arg, v, len) ? -EFAULT : 0;
}

static long bdev_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct blkdev *d = f->private;
	uint64_t bytes = blkdev_size(d);
	unsigned long sectors = bytes >> BLK_SECTOR_SHIFT;
	int ssz = BLK_SECTOR_SIZE, ro = d->read_only, bsz = soft_block_size(d);
	unsigned int pbsz = BLK_SECTOR_SIZE, opt = 0;
	switch (cmd) {
	case BLKGETSIZE64: return put_value(arg, &bytes, sizeof(bytes));
	case BLKGETSIZE: return put_value(arg, &sectors, sizeof(sectors));
	case BLKSSZGET: return put_value(arg, &ssz, sizeof(ssz));
	case BLKBSZGET: return put_value(arg, &bsz, sizeof(bsz));
	case BLKPBSZGET:
	case BLKIOMIN: return put_value(arg, &pbsz, sizeof(pbsz));
	case BLKIOOPT: return put_value(arg, &opt, sizeof(opt));
	case BLKROGET: return put_value(arg, &ro, sizeof(ro));
	case BLKFLSBUF: return 0;   /* no buffer cache to drop */
	default: return d->ops->ioctl ? d->ops->ioctl(d, f, cmd, arg) : -ENOTTY;
	}
}

static int bdev_open(struct inode *inode, struct file *f)
{
	struct blkdev *d = blkdev_get(inode->rdev);
	if (!d)
		return -ENXIO;
	int err = file_writable(f) && d->read_only ? -EACCES : 0;
	if (!err && d->ops->opened)
		err = d->ops->opened(d, f);
	if (err) {
		blkdev_put(d);
		return err;
	}
	f->private = d;
	return 0;
}

static void bdev_release(struct file *f)
{
	struct blkdev *d = f->private;
	if (d->ops->released)
		d->ops->released(d, f);
	blkdev_put(d);
}

static const struct file_ops blkdev_fops = {
	.open = bdev_open, .read = bdev_read, .write = bdev_write, .llseek = bdev_llseek,
	.ioctl = bdev_ioctl, .fsync = bdev_fsync, .release = bdev_release,
};

/* blkdev_make_node - /dev/NAME, a block node (0660) served by the ops above. */
int blkdev_make_node(struct blkdev *d)
{
	char path[8 + BLK_NAME_MAX];
	snprintf(path, sizeof(path), "/dev/%s", d->name);
	return vfs_register_blockdev(path, d->dev, 0660, &blkdev_fops);
}
