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

/* Requests of one rw_many call: they end in interrupts, counting down;
 * the last one completes the batch. It lives on the waiter's stack, so
 * the last touch of it must be complete(), which the waiter cannot see
 * until it releases the completion's lock: a wake_up after the count
 * reached 0 could run after the waiter saw 0 and returned (its frame
 * reused: the wake_up then spun on a lock of garbage, interrupts off, a
 * hang found by make fuzz under memory pressure). */
struct swap_batch {
	uint32_t left;                 /* atomic: requests not ended */
	struct completion done;
};

/* One request: a run of iovs of adjacent slots, in slot order. */
struct swap_rq {
	struct blk_request rq;
	struct swap_iov **v;           /* the run's iovs */
	int n;
	struct swap_batch *batch;
};

static void batch_done(struct blk_request *rq, int err)
{
	struct swap_rq *s = rq->priv;
	for (int i = 0; i < s->n; i++)
		s->v[i]->err = err ? -EIO : 0;
	if (__atomic_sub_fetch(&s->batch->left, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&s->batch->done);
}

/* v's n iovs sorted into out: writes before reads, each by slot. */
static void sort_iovs(struct swap_iov *const *v, int n, struct swap_iov **out)
{
	for (int i = 0; i < n; i++) {
		struct swap_iov *x = v[i];
		uint64_t key = swp_offset(x->entry);
		int j = i;
		for (; j > 0; j--) {
			struct swap_iov *y = out[j - 1];
			if (y->write > x->write || (y->write == x->write && swp_offset(y->entry) < key))
				break;
			out[j] = y;
		}
		out[j] = x;
	}
}

/* How many iovs from s[0] on form one request: the same direction,
 * slot after slot, at most max. */
static int run_length(struct swap_iov **s, int n, uint32_t max)
{
	int k = 1;
	while (k < n && (uint32_t)k < max && s[k]->write == s[0]->write &&
	       swp_offset(s[k]->entry) == swp_offset(s[0]->entry) + (uint64_t)k)
		k++;
	return k;
}

#define SWAP_RQ_WAVE 8   /* requests in flight per wave (a batch is usually one or two runs) */

/* The n page I/Os go to the queue together, adjacent slots merged into
 * one request each (a reclaim batch's writes usually are one), so the
 * device works on them at once; then wait for the last. Runs beyond
 * SWAP_RQ_WAVE requests go in a second wave (the stack stays small). */
static void blk_swap_rw_many(void *dev, struct swap_iov *const *v, int n)
{
	struct blkdev *d = dev;
	struct swap_iov *sorted[SWAP_IO_BATCH];
	paddr_t pages[SWAP_IO_BATCH];
	struct swap_rq rqs[SWAP_RQ_WAVE];
	sort_iovs(v, n, sorted);
	for (int i = 0; i < n; ) {
		struct swap_batch batch = { .left = 0 };
		completion_init(&batch.done);
		int nrq = 0;
		for (; i < n && nrq < SWAP_RQ_WAVE; nrq++) {
			int k = run_length(sorted + i, n - i, MAX(d->max_pages, 1u));
			for (int j = 0; j < k; j++)
				pages[i + j] = sorted[i + j]->pa;
			rqs[nrq] = (struct swap_rq){ .v = sorted + i, .n = k, .batch = &batch };
			rqs[nrq].rq = (struct blk_request){ .dev = dev, .write = sorted[i]->write,
				.sector = swp_offset(sorted[i]->entry) * SECTORS_PER_PAGE,
				.pages = pages + i, .npages = (uint32_t)k, .len = (uint32_t)k * PAGE_SIZE,
				.done = batch_done, .priv = &rqs[nrq] };
			i += k;
		}
		batch.left = (uint32_t)nrq;
		for (int r = 0; r < nrq; r++)
			blk_submit(&rqs[r].rq);
		wait_for_completion(&batch.done);
	}
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
