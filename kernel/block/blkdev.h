/*
 * blkdev.h - block devices: a registry of disks, each with a request
 * queue, and the requests that move sectors between a disk and memory.
 *
 * A driver fills a struct blkdev (name, number, size, ops) and registers
 * it; users find it by device number (blkdev_get), then submit requests:
 * asynchronous ones (blk_submit, whose done() runs in interrupt context)
 * or synchronous ones (blk_rw, blk_flush, which sleep). The queue takes
 * any number of requests; the layer hands them to the driver in order,
 * as many as the device has room for, and more each time one ends.
 * docs/block.md tells the life of a request.
 *
 * Locks (docs/locking.md):
 *   (q) blkdev->queue_lock, a spinlock (requests end in interrupts)
 *   (r) blkdev_lock, the registry
 *   (a) atomic
 *   (c) constant after blkdev_register
 */
#ifndef ASPEN_BLOCK_BLKDEV_H
#define ASPEN_BLOCK_BLKDEV_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "sync/mutex.h"
#include "lib/spinlock.h"

#define BLK_SECTOR_SIZE 512
#define BLK_SECTOR_SHIFT 9
#define BLK_MAX_DISKS 16
#define BLK_NAME_MAX 16

struct blkdev;
struct blk_request;
struct file;

/*
 * A request: len bytes (a multiple of 512, at most a few pages) between
 * sector and one physically contiguous buffer. A flush asks the device
 * to make every write it has completed durable (buf, len and sector are
 * unused). done() runs once, in interrupt context (spinlocks and
 * wake_up only), with err 0 or -EIO; the request is the caller's again
 * from then on and may be resubmitted from done().
 */
struct blk_request {
	struct blkdev *dev;
	bool write;
	bool flush;
	uint64_t sector;
	paddr_t buf;
	uint32_t len;
	void (*done)(struct blk_request *rq, int err);
	void *priv;
	/* The layer's and the driver's while the request is theirs: */
	struct list_head link;     /* (q) on the pending queue, then the driver's */
	uint64_t start_ns;         /* when submitted (for /proc/diskstats) */
	int error;                 /* the driver's verdict, passed to done */
};

/* What a driver provides. */
struct blkdev_ops {
	/* start - hand rq to the device: 0 if taken, -EBUSY if the device
	 * has no room now (rq stays first in the queue until a request ends).
	 * Called with queue_lock held, interrupts off; must not sleep. */
	int (*start)(struct blkdev *d, struct blk_request *rq);
	/* ioctl - the driver's own ioctls on /dev/NAME (loop devices):
	 * -ENOTTY for one it does not know. Process context; may sleep. */
	long (*ioctl)(struct blkdev *d, struct file *f, unsigned cmd, uint64_t arg);
	/* opened / released - /dev/NAME was opened / one open file of it
	 * went away (its last reference). May sleep. Optional. */
	int (*opened)(struct blkdev *d, struct file *f);
	void (*released)(struct blkdev *d, struct file *f);
};

/* Counters for /proc/diskstats (Linux's meaning; times in ms). */
struct blkdev_stats {
	uint64_t ios[2];          /* completed reads, writes */
	uint64_t sectors[2];
	uint64_t ms[2];           /* time spent by reads, writes */
	uint64_t flushes, flush_ms;
	uint64_t errors;
	uint32_t in_flight;       /* submitted, not yet ended */
	uint64_t busy_ms;         /* time with in_flight > 0 */
	uint64_t weighted_ms;     /* sum of in_flight over time */
	uint64_t stamp_ns;        /* last update of the two above */
};

struct blkdev {
	char name[BLK_NAME_MAX];        /* (c) "vda": the node is /dev/NAME */
	uint32_t dev;                   /* (c) MKDEV(major, minor) */
	uint64_t size;                  /* (q) bytes, a multiple of 512; constant but for
	                                   loop devices (blkdev_set_size); read unlocked */
	bool read_only;                 /* (c) */
	bool has_cache;                 /* (c) a volatile write cache: flushes go to the
	                                   driver (else they end at once, done) */
	uint32_t refcount;              /* (a) the registry's and blkdev_get's */
	const struct blkdev_ops *ops;   /* (c) */
	void *driver;                   /* (c) the driver's state */
	struct spinlock queue_lock;
	struct list_head pending;       /* (q) submitted, not yet started */
	bool dead;                      /* (q) the device failed: everything ends in -EIO */
	struct blkdev_stats stats;      /* (q) */
	struct mutex write_lock;        /* raw writes through /dev/NAME (blkdev_file.c) */
	void *holder;                   /* (r) who has it for itself (a mounted file system,
	                                   a swap area), or NULL */
};

/* blkdev_init - fill the common part of a new disk before registering it. */
void blkdev_init(struct blkdev *d, const char *name, uint32_t dev, uint64_t size,
		 const struct blkdev_ops *ops, void *driver);
/* blkdev_register - add d to the registry and make its node /dev/NAME
 * (block, mode 0660). 0, -ENOSPC (registry full) or the node's error.
 * Boot or process context; may sleep. */
int blkdev_register(struct blkdev *d);
/* blkdev_get - the disk with device number dev, with a new reference; NULL if none. */
struct blkdev *blkdev_get(uint32_t dev);
/* blkdev_get_nth - the n-th registered disk (0, 1, ...), referenced; NULL past the end. */
struct blkdev *blkdev_get_nth(int n);
void blkdev_put(struct blkdev *d);
uint64_t blkdev_size(const struct blkdev *d);
/* blkdev_set_size - a new size (a loop device bound or cleared); requests
 * beyond it fail from now on. */
void blkdev_set_size(struct blkdev *d, uint64_t bytes);
const char *blkdev_name(const struct blkdev *d);
/* blkdev_claim - take d for holder alone (mount, swapon): 0, or -EBUSY if
 * another holder has it. blkdev_unclaim gives it back. */
int blkdev_claim(struct blkdev *d, void *holder);
void blkdev_unclaim(struct blkdev *d, void *holder);
/* blkdev_stats - a snapshot of d's counters. */
void blkdev_stats(struct blkdev *d, struct blkdev_stats *out);

/* blk_submit - queue rq (rq->dev set). Never sleeps; any context. A
 * request outside the disk, of a bad length, a write to a read-only
 * disk, or any request to a dead disk ends at once with -EIO, and a
 * flush of a disk without a write cache at once with 0 (done() then runs
 * before blk_submit returns, with interrupts off). */
void blk_submit(struct blk_request *rq);
/* blk_rw - read or write len bytes at sector through buf and wait: 0 or
 * -EIO. Sleeps (uninterruptibly). */
int blk_rw(struct blkdev *d, bool write, uint64_t sector, paddr_t buf, uint32_t len);
/* blk_flush - make completed writes durable and wait: 0 or -EIO. Sleeps. */
int blk_flush(struct blkdev *d);

/* For drivers. */
/* blk_end_request - rq ended with err (0 or -EIO): count it, call its
 * done(). Interrupt context, no lock of d held. */
void blk_end_request(struct blk_request *rq, int err);
/* blk_run_queue - start pending requests while the driver takes them
 * (after requests ended and made room). Any context, no lock of d held. */
void blk_run_queue(struct blkdev *d);
/* blk_mark_dead - the device is broken: fail what is queued and every
 * later request with -EIO. The driver fails its own in-flight requests. */
void blk_mark_dead(struct blkdev *d);

/* blkdev_make_node - /dev/NAME for d (blkdev_file.c; blkdev_register calls it). */
int blkdev_make_node(struct blkdev *d);
/* loop_init - the loop devices loop0-7 and /dev/loop-control (loop.c). Boot. */
void loop_init(void);
/* virtio_blk_init - find and register the virtio-blk disks (virtio_blk.c).
 * Boot, after pci_init and devfs_init. */
void virtio_blk_init(void);
#endif
