/*
 * blkdev.c - the registry of disks and their request queues.
 *
 * The life of a request (docs/block.md): blk_submit checks it and puts
 * it at the tail of its disk's pending queue; blk_run_queue_locked then
 * hands queued requests to the driver, oldest first, until the driver
 * says it is full. When the device finishes one, the driver's interrupt
 * handler calls blk_end_request (counters, then done()) and
 * blk_run_queue to start what waited for room. Synchronous callers
 * (blk_rw, blk_flush) are one such request whose done() wakes them.
 */
#include "block/blkdev.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sync/sleep.h"

#define NS_PER_MS 1000000UL

/* blkdev_lock guards the registry (disks are never removed). */
static struct spinlock blkdev_lock = SPINLOCK_INIT("blkdev");
static struct blkdev *disks[BLK_MAX_DISKS];   /* (r) */
static int ndisks;                            /* (r) */

void blkdev_init(struct blkdev *d, const char *name, uint32_t dev, uint64_t size,
		 const struct blkdev_ops *ops, void *driver)
{
	memset(d, 0, sizeof(*d));
	strlcpy(d->name, name, sizeof(d->name));
	d->dev = dev;
	d->size = size & ~(uint64_t)(BLK_SECTOR_SIZE - 1);
	d->refcount = 1;
	d->ops = ops;
	d->driver = driver;
	spin_init(&d->queue_lock, "blk_queue");
	list_init(&d->pending);
	mutex_init(&d->write_lock, "blk_write");
}

/* blkdev_register - into the registry, then its node. See blkdev.h. */
int blkdev_register(struct blkdev *d)
{
	int err = -ENOSPC;
	spin_lock(&blkdev_lock);
	if (ndisks < BLK_MAX_DISKS) {
		disks[ndisks++] = d;
		err = 0;
	}
	spin_unlock(&blkdev_lock);
	return err ? err : blkdev_make_node(d);
}

struct blkdev *blkdev_get(uint32_t dev)
{
	struct blkdev *found = NULL;
	spin_lock(&blkdev_lock);
	for (int i = 0; i < ndisks && !found; i++)
		if (disks[i]->dev == dev)
			found = disks[i];
	if (found)
		__atomic_add_fetch(&found->refcount, 1, __ATOMIC_RELAXED);
	spin_unlock(&blkdev_lock);
	return found;
}

struct blkdev *blkdev_get_nth(int n)
{
	struct blkdev *d = NULL;
	spin_lock(&blkdev_lock);
	if (n >= 0 && n < ndisks) {
		d = disks[n];
		__atomic_add_fetch(&d->refcount, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&blkdev_lock);
	return d;
}

/* blkdev_put - drop a reference. Disks stay registered for ever, so the
 * count only tells how many users a disk has. */
void blkdev_put(struct blkdev *d)
{
	if (d)
		__atomic_sub_fetch(&d->refcount, 1, __ATOMIC_RELAXED);
}

int blkdev_claim(struct blkdev *d, void *holder)
{
	spin_lock(&blkdev_lock);
	int err = d->holder && d->holder != holder ? -EBUSY : 0;
	if (!err)
		d->holder = holder;
	spin_unlock(&blkdev_lock);
	return err;
}

void blkdev_unclaim(struct blkdev *d, void *holder)
{
	spin_lock(&blkdev_lock);
	if (d->holder == holder)
		d->holder = NULL;
	spin_unlock(&blkdev_lock);
}

uint64_t blkdev_size(const struct blkdev *d) { return __atomic_load_n(&d->size, __ATOMIC_RELAXED); }

void blkdev_set_size(struct blkdev *d, uint64_t bytes)
{
	spin_lock(&d->queue_lock);
	__atomic_store_n(&d->size, bytes & ~(uint64_t)(BLK_SECTOR_SIZE - 1), __ATOMIC_RELAXED);
	spin_unlock(&d->queue_lock);
}
const char *blkdev_name(const struct blkdev *d) { return d->name; }

/* Advance the time-weighted counters to now. queue_lock held. */
static void stats_tick_locked(struct blkdev *d, uint64_t now)
{
	struct blkdev_stats *s = &d->stats;
	uint64_t elapsed = now > s->stamp_ns ? now - s->stamp_ns : 0;
	if (s->in_flight) {
		s->busy_ms += elapsed / NS_PER_MS;
		s->weighted_ms += elapsed * s->in_flight / NS_PER_MS;
		s->stamp_ns += elapsed / NS_PER_MS * NS_PER_MS;   /* keep the remainder */
	} else {
		s->stamp_ns = now;
	}
}

void blkdev_stats(struct blkdev *d, struct blkdev_stats *out)
{
	spin_lock(&d->queue_lock);
	stats_tick_locked(d, arch_clock_ns());
	*out = d->stats;
	spin_unlock(&d->queue_lock);
}

/* Can d ever serve rq? (Range, length, access.) */
static bool request_valid(const struct blk_request *rq)
{
	const struct blkdev *d = rq->dev;
	if (rq->flush)
		return true;
	uint64_t sectors = d->size >> BLK_SECTOR_SHIFT;
	uint64_t n = rq->len >> BLK_SECTOR_SHIFT;
	return rq->len && !(rq->len % BLK_SECTOR_SIZE) && rq->sector < sectors &&
	       n <= sectors - rq->sector && !(rq->write && d->read_only);
}

/* Hand pending requests to the driver until it is full. queue_lock held. */
static void run_queue_locked(struct blkdev *d)
{
	while (!list_empty(&d->pending)) {
		struct blk_request *rq = list_first_entry(&d->pending, struct blk_request, link);
		list_del(&rq->link);
		if (d->ops->start(d, rq)) {
			list_add(&rq->link, &d->pending);   /* first again */
			break;
		}
	}
}

/* blk_submit - queue rq and start what the driver can take. See blkdev.h. */
void blk_submit(struct blk_request *rq)
{
	struct blkdev *d = rq->dev;
	uint64_t now = arch_clock_ns();
	rq->start_ns = now;
	rq->error = 0;
	spin_lock(&d->queue_lock);
	stats_tick_locked(d, now);
	d->stats.in_flight++;
	bool nothing_to_do = rq->flush && !d->has_cache && !d->dead;
	if (d->dead || !request_valid(rq) || nothing_to_do) {
		spin_unlock(&d->queue_lock);
		irq_push_off();   /* done() always runs with interrupts off */
		blk_end_request(rq, nothing_to_do ? 0 : -EIO);
		irq_pop_off();
		return;
	}
	list_add_tail(&rq->link, &d->pending);
	run_queue_locked(d);
	spin_unlock(&d->queue_lock);
}

/* blk_end_request - count rq and give it back through done(). */
void blk_end_request(struct blk_request *rq, int err)
{
	struct blkdev *d = rq->dev;
	uint64_t now = arch_clock_ns();
	uint64_t ms = (now - rq->start_ns) / NS_PER_MS;
	spin_lock(&d->queue_lock);
	stats_tick_locked(d, now);
	struct blkdev_stats *s = &d->stats;
	s->in_flight--;
	if (err) {
		s->errors++;
	} else if (rq->flush) {
		s->flushes++;
		s->flush_ms += ms;
	} else {
		s->ios[rq->write]++;
		s->sectors[rq->write] += rq->len >> BLK_SECTOR_SHIFT;
		s->ms[rq->write] += ms;
	}
	spin_unlock(&d->queue_lock);
	rq->done(rq, err);
}

void blk_run_queue(struct blkdev *d)
{
	spin_lock(&d->queue_lock);
	run_queue_locked(d);
	spin_unlock(&d->queue_lock);
}

/* blk_mark_dead - fail the queue now and every request from now on. */
void blk_mark_dead(struct blkdev *d)
{
	LIST_HEAD(failed);
	spin_lock(&d->queue_lock);
	if (!d->dead)
		pr_err("%s: device failed; its I/O now ends in EIO\n", d->name);
	d->dead = true;
	while (!list_empty(&d->pending)) {
		struct list_head *first = d->pending.next;
		list_del(first);
		list_add_tail(first, &failed);
	}
	spin_unlock(&d->queue_lock);
	irq_push_off();
	while (!list_empty(&failed)) {
		struct blk_request *rq = list_first_entry(&failed, struct blk_request, link);
		list_del(&rq->link);
		blk_end_request(rq, -EIO);
	}
	irq_pop_off();
}

/* ---- synchronous requests ---- */

/* A sleeper's side of a request. The lock makes done()'s last touch of
 * this (on the sleeper's stack) happen before the sleeper can return. */
struct blk_waiter {
	struct spinlock lock;   /* guards the rest */
	bool done;
	int err;
	struct task *task;      /* asleep, to wake; NULL while not asleep */
};

static void waiter_done(struct blk_request *rq, int err)
{
	struct blk_waiter *w = rq->priv;
	spin_lock(&w->lock);
	w->err = err;
	w->done = true;
	if (w->task)
		wake_task(w->task, false);
	spin_unlock(&w->lock);
}

/* Submit rq and sleep until it ends; its error. */
static int submit_and_wait(struct blk_request *rq)
{
	struct blk_waiter w = { .done = false, .err = 0, .task = NULL };
	spin_init(&w.lock, "blk_waiter");
	rq->done = waiter_done;
	rq->priv = &w;
	blk_submit(rq);
	for (;;) {
		spin_lock(&w.lock);
		if (w.done)
			break;
		w.task = arch_current();
		set_current_state(SLEEP_UNINTERRUPTIBLE);
		spin_unlock(&w.lock);
		schedule();
	}
	spin_unlock(&w.lock);
	return w.err;
}

int blk_rw(struct blkdev *d, bool write, uint64_t sector, paddr_t buf, uint32_t len)
{
	struct blk_request rq = { .dev = d, .write = write, .sector = sector, .buf = buf, .len = len };
	return submit_and_wait(&rq);
}

int blk_flush(struct blkdev *d)
{
	struct blk_request rq = { .dev = d, .flush = true, .write = true };
	return submit_and_wait(&rq);
}
