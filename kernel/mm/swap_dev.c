/*
 * swap_dev.c - swap areas on block devices (kernel/block/blkdev.h): a
 * slot is PAGE_SIZE / 512 sectors, read or written from the frame itself:
 * one page with blk_rw, or a batch of requests queued together.
 */
#include "mm/swap_dev.h"
#include "block/blkdev.h"
#include "sync/wait.h"
#include "lib/errno.h"

#define SECTORS_PER_PAGE (PAGE_SIZE / BLK_SECTOR_SIZE)

static int blk_swap_rw(void *dev, bool write, uint64_t page, paddr_t pa)
{
	return blk_rw(dev, write, page * SECTORS_PER_PAGE, pa, PAGE_SIZE) ? -EIO : 0;
}

/* Requests of one rw_many call: they end in interrupts, counting down. */
struct swap_batch {
	uint32_t left;                 /* atomic: requests not ended */
	struct wait_queue wq;
};

struct swap_rq {
	struct blk_request rq;
	struct swap_iov *v;
	struct swap_batch *batch;
};

static void batch_done(struct blk_request *rq, int err)
{
	struct swap_rq *s = rq->priv;
	s->v->err = err ? -EIO : 0;
	if (__atomic_sub_fetch(&s->batch->left, 1, __ATOMIC_ACQ_REL) == 0)
		wake_up(&s->batch->wq);
}

/* All n requests go to the queue at once, so the device works on them
 * together; then wait for the last. */
static void blk_swap_rw_many(void *dev, struct swap_iov *const *v, int n)
{
	struct swap_rq rqs[SWAP_IO_BATCH];
	struct swap_batch batch = { (uint32_t)n, { SPINLOCK_INIT("swap_batch"), LIST_HEAD_INIT(batch.wq.waiters) } };
	for (int i = 0; i < n; i++) {
		rqs[i] = (struct swap_rq){ .v = v[i], .batch = &batch };
		rqs[i].rq = (struct blk_request){ .dev = dev, .write = v[i]->write,
			.sector = swp_offset(v[i]->entry) * SECTORS_PER_PAGE, .buf = v[i]->pa,
			.len = PAGE_SIZE, .done = batch_done, .priv = &rqs[i] };
	}
	for (int i = 0; i < n; i++)
		blk_submit(&rqs[i].rq);
	wait_event(batch.wq, __atomic_load_n(&batch.left, __ATOMIC_ACQUIRE) == 0);
}

static void blk_swap_release(void *dev)
{
	blkdev_put(dev);
}

static const struct swap_io blk_swap_io = { blk_swap_rw, blk_swap_rw_many, blk_swap_release };

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
