// UNIT-SRCS: kernel/block/blkdev.c
/*
 * test_blkqueue.c - the block layer's request queue over a fake driver
 * that takes at most CAPACITY requests at a time: requests start in
 * order and wait for room, bad requests and dead disks end in -EIO
 * without reaching the driver, flushes of a disk without a write cache
 * end at once, the counters add up, and blk_rw sleeps until the
 * "interrupt" (here: the fake schedule()) ends its request.
 */
#include <string.h>
#include "unit.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "sync/sleep.h"

#define CAPACITY 2
#define DISK_SECTORS 64

/* ---- what blkdev.c needs from the rest of the kernel ---- */
struct task { int state; };
static struct task fake_task;
static uint64_t fake_now;
static int wakeups, sleeps;
static struct blkdev disk;
uint64_t arch_clock_ns(void) { return fake_now; }
struct task *arch_current(void) { return &fake_task; }
bool wake_task(struct task *t, bool only_interruptible) { wakeups++; t->state = SLEEP_RUNNING; return true; }
void set_current_state(int s) { fake_task.state = s; }
int blkdev_make_node(struct blkdev *d) { return 0; }

/* ---- the fake driver ---- */
static struct blk_request *started[16];
static int nstarted, nrunning;

static int fake_start(struct blkdev *d, struct blk_request *rq)
{
	if (nrunning == CAPACITY)
		return -EBUSY;
	started[nstarted++] = rq;
	nrunning++;
	return 0;
}

static const struct blkdev_ops fake_ops = { .start = fake_start };

/* The device finishes started request i with err: as an interrupt would. */
static void device_end(int i, int err)
{
	nrunning--;
	blk_end_request(started[i], err);
	blk_run_queue(&disk);
}

/* schedule() while asleep in blk_rw: the device ends everything running. */
void schedule(void)
{
	sleeps++;
	for (int i = nstarted - nrunning; i < nstarted; i++)
		device_end(i, 0);
}

static int ended, last_err;
static void count_done(struct blk_request *rq, int err) { ended++; last_err = err; }

static void setup(bool read_only, bool cache)
{
	blkdev_init(&disk, "vdz", 0xfe00, DISK_SECTORS * BLK_SECTOR_SIZE, &fake_ops, NULL);
	disk.read_only = read_only;
	disk.has_cache = cache;
	nstarted = nrunning = ended = wakeups = sleeps = 0;
	last_err = 1;
}

static struct blk_request request(bool write, uint64_t sector, uint32_t len)
{
	return (struct blk_request){ .dev = &disk, .write = write, .sector = sector, .len = len,
				     .buf = 0x10000, .done = count_done };
}

UNIT_TEST(requests_start_in_order_and_wait_for_room)
{
	setup(false, false);
	struct blk_request rq[4];
	for (int i = 0; i < 4; i++) {
		rq[i] = request(i & 1, (uint64_t)i, BLK_SECTOR_SIZE);
		blk_submit(&rq[i]);
	}
	CHECK_EQ(nstarted, CAPACITY);
	CHECK(started[0] == &rq[0] && started[1] == &rq[1]);
	device_end(1, 0);               /* the device may finish out of order */
	CHECK_EQ(nstarted, 3);
	CHECK(started[2] == &rq[2]);
	CHECK_EQ(ended, 1);
	device_end(0, 0);
	device_end(2, 0);
	device_end(3, 0);
	CHECK_EQ(ended, 4);
	struct blkdev_stats s;
	blkdev_stats(&disk, &s);
	CHECK_EQ(s.ios[0], 2);
	CHECK_EQ(s.ios[1], 2);
	CHECK_EQ(s.sectors[0], 2);
	CHECK_EQ(s.in_flight, 0);
}

UNIT_TEST(bad_requests_end_in_eio_without_the_driver)
{
	setup(true, false);
	struct blk_request bad[] = {
		request(false, DISK_SECTORS, BLK_SECTOR_SIZE),          /* past the end */
		request(false, DISK_SECTORS - 1, 2 * BLK_SECTOR_SIZE),  /* runs past the end */
		request(false, 0, 100),                                 /* not whole sectors */
		request(false, 0, 0),
		request(true, 0, BLK_SECTOR_SIZE),                      /* write, read-only disk */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		last_err = 1;
		blk_submit(&bad[i]);
		CHECK_EQ(last_err, -EIO);
	}
	CHECK_EQ(nstarted, 0);
	CHECK_EQ(ended, 5);
	struct blk_request ok = request(false, DISK_SECTORS - 1, BLK_SECTOR_SIZE);
	blk_submit(&ok);
	CHECK_EQ(nstarted, 1);
	struct blkdev_stats s;
	blkdev_stats(&disk, &s);
	CHECK_EQ(s.errors, 5);
	CHECK_EQ(s.in_flight, 1);
}

UNIT_TEST(flush_without_write_cache_ends_at_once)
{
	setup(false, false);
	struct blk_request fl = { .dev = &disk, .flush = true, .done = count_done };
	blk_submit(&fl);
	CHECK_EQ(last_err, 0);
	CHECK_EQ(nstarted, 0);
	setup(false, true);
	blk_submit(&fl);
	CHECK_EQ(nstarted, 1);
	CHECK_EQ(ended, 0);
	device_end(0, 0);
	struct blkdev_stats s;
	blkdev_stats(&disk, &s);
	CHECK_EQ(s.flushes, 1);
}

UNIT_TEST(dead_disk_fails_queued_and_later_requests)
{
	setup(false, false);
	struct blk_request rq[3];
	for (int i = 0; i < 3; i++) {
		rq[i] = request(false, 0, BLK_SECTOR_SIZE);
		blk_submit(&rq[i]);
	}
	CHECK_EQ(nstarted, 2);
	blk_mark_dead(&disk);               /* the third was still queued */
	CHECK_EQ(ended, 1);
	CHECK_EQ(last_err, -EIO);
	device_end(0, -EIO);                /* the driver fails its own */
	device_end(1, -EIO);
	CHECK_EQ(ended, 3);
	struct blk_request later = request(false, 0, BLK_SECTOR_SIZE);
	last_err = 1;
	blk_submit(&later);
	CHECK_EQ(last_err, -EIO);
	CHECK_EQ(nstarted, 2);
}

UNIT_TEST(blk_rw_sleeps_until_its_request_ends)
{
	setup(false, false);
	CHECK_EQ(blk_rw(&disk, true, 3, 0x10000, 2 * BLK_SECTOR_SIZE), 0);
	CHECK_EQ(sleeps, 1);
	CHECK_EQ(wakeups, 1);
	CHECK_EQ(fake_task.state, SLEEP_RUNNING);
	CHECK_EQ(blk_rw(&disk, false, DISK_SECTORS, 0x10000, BLK_SECTOR_SIZE), -EIO);
	CHECK_EQ(sleeps, 1);                /* ended at once: no sleep */
	CHECK_EQ(blk_flush(&disk), 0);
	struct blkdev_stats s;
	blkdev_stats(&disk, &s);
	CHECK_EQ(s.ios[1], 1);
	CHECK_EQ(s.sectors[1], 2);
}
