/*
 * swap_dev.c - swap areas on block devices (kernel/block/blkdev.h): a
 * slot is PAGE_SIZE / 512 sectors, read or written synchronously with
 * blk_rw from the frame itself.
 */
#include "mm/swap_dev.h"
#include "block/blkdev.h"
#include "lib/errno.h"

#define SECTORS_PER_PAGE (PAGE_SIZE / BLK_SECTOR_SIZE)

static int blk_swap_rw(void *dev, bool write, uint64_t page, paddr_t pa)
{
	return blk_rw(dev, write, page * SECTORS_PER_PAGE, pa, PAGE_SIZE) ? -EIO : 0;
}

static void blk_swap_release(void *dev)
{
	blkdev_put(dev);
}

static const struct swap_io blk_swap_io = { blk_swap_rw, blk_swap_release };

int swap_dev_open(uint32_t rdev, const struct swap_io **io, void **dev, uint64_t *pages)
{
	struct blkdev *d = blkdev_get(rdev);
	if (!d)
		return -ENXIO;
	*io = &blk_swap_io;
	*dev = d;
	*pages = blkdev_size(d) / PAGE_SIZE;
	return 0;
}
