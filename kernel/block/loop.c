/*
 * loop.c - loop devices: /dev/loopN is a disk whose sectors are the bytes
 * of a file (from an offset, up to a size limit), as Linux's loop driver
 * makes them; /dev/loop-control finds, adds and removes them.
 *
 * A request to a loop device cannot be served where it is submitted
 * (blk_submit never sleeps, file I/O does): start() queues it for the
 * device's worker, a kernel thread that reads or writes the backing file
 * through its pages (inode_read_kernel, inode_write_kernel: ramfs, ext2)
 * and ends the request. A flush is the backing file's fsync.
 *
 * Aspen has a fixed set of LOOP_MAX devices (Linux's default count),
 * made at boot with their workers: LOOP_CTL_ADD can bring back one that
 * was removed, not make a ninth. Backing files are regular files.
 *
 * Locks: lo->ctl (mutex) guards the binding (file, offset, limit, flags,
 * name, opens) and is held by the worker across each request's I/O, so
 * unbinding waits for the request in progress; lo->lock (spinlock) guards
 * the worker's queue and is taken inside the disk's queue_lock (start).
 */
#include "block/blkdev.h"
#include "fs/file.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/uapi.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/usercopy.h"
#include "proc/kthread.h"
#include "sync/wait.h"
#include <linux/loop.h>

#define LOOP_MAJOR 7
#define LOOP_MAX 8
#define LOOP_CTRL_MAJOR 10          /* misc */
#define LOOP_CTRL_MINOR 237
#define LOOP_BLOCK_MIN 512
#define LOOP_BLOCK_MAX 4096

struct loop_dev {
	struct blkdev disk;
	int number;                     /* (c) */
	struct mutex ctl;               /* the binding, below */
	struct file *backing;           /* (ctl) referenced; NULL: unbound */
	uint64_t offset, sizelimit;     /* (ctl) */
	uint32_t flags;                 /* (ctl) LO_FLAGS_* */
	char file_name[LO_NAME_SIZE];   /* (ctl) */
	int opens;                      /* (ctl) open files of /dev/loopN */
	bool rundown;                   /* (ctl) LOOP_CLR_FD done: unbinds at the last close */
	bool removed;                   /* (ctl) LOOP_CTL_REMOVE: no node, no opens */
	struct spinlock lock;           /* guards requests */
	struct list_head requests;      /* (lock) waiting for the worker */
	struct wait_queue work;         /* the worker sleeps here */
};

static struct loop_dev loops[LOOP_MAX];

static struct loop_dev *LO(struct blkdev *d) { return container_of(d, struct loop_dev, disk); }

/* ---- requests ---- */

static int loop_start(struct blkdev *d, struct blk_request *rq)
{
	struct loop_dev *lo = LO(d);
	spin_lock(&lo->lock);
	list_add_tail(&rq->link, &lo->requests);
	spin_unlock(&lo->lock);
	wake_up(&lo->work);
	return 0;
}

/* Serve rq from the backing file: 0 or -EIO. lo->ctl held. */
static int loop_transfer(struct loop_dev *lo, struct blk_request *rq)
{
	struct file *f = lo->backing;
	if (!f)
		return -EIO;
	if (rq->flush)
		return f->fops->fsync && f->fops->fsync(f, false) ? -EIO : 0;
	uint64_t pos = lo->offset + (rq->sector << BLK_SECTOR_SHIFT);
	char *buf = phys_to_virt(rq->buf);
	if (rq->write)
		return inode_write_kernel(f->inode, pos, buf, rq->len) == (long)rq->len ? 0 : -EIO;
	long n = inode_read_kernel(f->inode, pos, buf, rq->len);
	if (n < 0)
		return -EIO;
	memset(buf + n, 0, rq->len - (size_t)n);   /* past the end of a shrunk file */
	return 0;
}

static struct blk_request *next_request(struct loop_dev *lo)
{
	struct blk_request *rq = NULL;
	spin_lock(&lo->lock);
	if (!list_empty(&lo->requests)) {
		rq = list_first_entry(&lo->requests, struct blk_request, link);
		list_del(&rq->link);
	}
	spin_unlock(&lo->lock);
	return rq;
}

/* The worker: one request at a time, for ever. */
static void loop_worker(void *arg)
{
	struct loop_dev *lo = arg;
	for (;;) {
		struct blk_request *rq;
		wait_event(lo->work, (rq = next_request(lo)) != NULL);
		mutex_lock(&lo->ctl);
		int err = loop_transfer(lo, rq);
		mutex_unlock(&lo->ctl);
		irq_push_off();   /* done() runs as in an interrupt */
		blk_end_request(rq, err);
		irq_pop_off();
	}
}

/* ---- binding ---- */

/* The device size for the binding: the file from offset, within the limit. */
static uint64_t bound_size(struct loop_dev *lo)
{
	uint64_t size = lo->backing->inode->size;
	size = size > lo->offset ? size - lo->offset : 0;
	if (lo->sizelimit && lo->sizelimit < size)
		size = lo->sizelimit;
	return size;
}

/* Would backing a loop device by f make a cycle (f lives on it, or on a
 * loop device that does)? lo->ctl held. */
static bool makes_cycle(struct loop_dev *lo, struct file *f)
{
	uint32_t dev = f->inode->dev;
	for (int depth = 0; depth < LOOP_MAX; depth++) {
		if (DEV_MAJOR(dev) != LOOP_MAJOR || DEV_MINOR(dev) >= LOOP_MAX)
			return false;
		struct loop_dev *other = &loops[DEV_MINOR(dev)];
		if (other == lo)
			return true;
		if (!other->backing)
			return false;
		dev = other->backing->inode->dev;
	}
	return true;
}

static bool block_size_valid(uint64_t bs)
{
	return bs >= LOOP_BLOCK_MIN && bs <= LOOP_BLOCK_MAX && !(bs & (bs - 1));
}

/* Bind lo to the file at fd with info's offset, limit, flags and name
 * (checks in Linux's order: the descriptor, the device, the file, the
 * flags, the block size, 0 for none); dev_writable: the loop device
 * itself is open for writing. */
static int loop_bind(struct loop_dev *lo, int fd, const struct loop_info64 *info,
		     uint32_t block_size, bool dev_writable)
{
	struct file *f = fd_get(current_files(), fd);
	if (!f)
		return -EBADF;
	int err = 0;
	mutex_lock(&lo->ctl);
	if (lo->backing)
		err = -EBUSY;
	else if (!f->inode || !S_ISREG(f->inode->mode) || !inode_has_pages(f->inode))
		err = -EINVAL;
	else if (makes_cycle(lo, f))
		err = -EBUSY;
	else if ((info->lo_flags & ~LOOP_CONFIGURE_SETTABLE_FLAGS) ||
		 (block_size && !block_size_valid(block_size)))
		err = -EINVAL;
	if (!err) {
		lo->backing = f;
		lo->offset = info->lo_offset;
		lo->sizelimit = info->lo_sizelimit;
		lo->flags = info->lo_flags;
		if (!file_writable(f) || !dev_writable)
			lo->flags |= LO_FLAGS_READ_ONLY;
		memcpy(lo->file_name, info->lo_file_name, LO_NAME_SIZE);
		lo->file_name[LO_NAME_SIZE - 1] = '\0';
		lo->disk.read_only = lo->flags & LO_FLAGS_READ_ONLY;
		blkdev_set_size(&lo->disk, bound_size(lo));
	}
	mutex_unlock(&lo->ctl);
	if (err)
		file_put(f);
	return err;
}

/* Let go of the backing file. lo->ctl held. */
static void unbind_locked(struct loop_dev *lo)
{
	blkdev_set_size(&lo->disk, 0);
	struct file *f = lo->backing;
	lo->backing = NULL;
	lo->offset = lo->sizelimit = 0;
	lo->flags = 0;
	lo->rundown = false;
	lo->file_name[0] = '\0';
	lo->disk.read_only = false;
	file_put(f);
}

/* Bound and not being cleared. lo->ctl held. */
static bool live_locked(struct loop_dev *lo)
{
	return lo->backing && !lo->rundown;
}

/* LOOP_CLR_FD, as Linux 5.17 on: the device unbinds at its last close;
 * if the caller is the only opener, it answers as unbound (ENXIO) now. */
static int loop_clear(struct loop_dev *lo)
{
	int err = 0;
	mutex_lock(&lo->ctl);
	if (!live_locked(lo))
		err = -ENXIO;
	else {
		lo->flags |= LO_FLAGS_AUTOCLEAR;
		lo->rundown = lo->opens == 1;
	}
	mutex_unlock(&lo->ctl);
	return err;
}

static int loop_get_status(struct loop_dev *lo, struct loop_info64 *info)
{
	memset(info, 0, sizeof(*info));
	mutex_lock(&lo->ctl);
	int err = live_locked(lo) ? 0 : -ENXIO;
	if (!err) {
		struct inode *ip = lo->backing->inode;
		info->lo_device = ip->dev;
		info->lo_inode = ip->ino;
		info->lo_rdevice = ip->rdev;
		info->lo_offset = lo->offset;
		info->lo_sizelimit = lo->sizelimit;
		info->lo_number = (uint32_t)lo->number;
		info->lo_flags = lo->flags;
		memcpy(info->lo_file_name, lo->file_name, LO_NAME_SIZE);
	}
	mutex_unlock(&lo->ctl);
	return err;
}

/* LOOP_SET_STATUS64: offset, limit, the settable flags, the name. */
static int loop_set_status(struct loop_dev *lo, const struct loop_info64 *info)
{
	mutex_lock(&lo->ctl);
	int err = live_locked(lo) ? 0 : -ENXIO;
	if (!err) {
		lo->offset = info->lo_offset;
		lo->sizelimit = info->lo_sizelimit;
		lo->flags = (lo->flags & ~LOOP_SET_STATUS_CLEARABLE_FLAGS) |
			    (info->lo_flags & LOOP_SET_STATUS_SETTABLE_FLAGS);
		memcpy(lo->file_name, info->lo_file_name, LO_NAME_SIZE);
		lo->file_name[LO_NAME_SIZE - 1] = '\0';
		blkdev_set_size(&lo->disk, bound_size(lo));
	}
	mutex_unlock(&lo->ctl);
	return err;
}

static int loop_set_capacity(struct loop_dev *lo)
{
	mutex_lock(&lo->ctl);
	int err = live_locked(lo) ? 0 : -ENXIO;
	if (!err)
		blkdev_set_size(&lo->disk, bound_size(lo));
	mutex_unlock(&lo->ctl);
	return err;
}

/* ---- the device's ioctls ---- */

static long loop_configure(struct loop_dev *lo, struct file *f, uint64_t arg)
{
	struct loop_config cfg;
	if (copy_from_user(&cfg, (void *)arg, sizeof(cfg)))
		return -EFAULT;
	return loop_bind(lo, (int)cfg.fd, &cfg.info, cfg.block_size, file_writable(f));
}

static long loop_ioctl(struct blkdev *d, struct file *f, unsigned cmd, uint64_t arg)
{
	struct loop_dev *lo = LO(d);
	struct loop_info64 info;
	long err;
	switch (cmd) {
	case LOOP_SET_FD:
		memset(&info, 0, sizeof(info));
		return loop_bind(lo, (int)arg, &info, 0, file_writable(f));
	case LOOP_CONFIGURE:
		return loop_configure(lo, f, arg);
	case LOOP_CLR_FD:
		return loop_clear(lo);
	case LOOP_GET_STATUS64:
		err = loop_get_status(lo, &info);
		return err ? err : copy_to_user((void *)arg, &info, sizeof(info)) ? -EFAULT : 0;
	case LOOP_SET_STATUS64:
		if (copy_from_user(&info, (void *)arg, sizeof(info)))
			return -EFAULT;
		return loop_set_status(lo, &info);
	case LOOP_SET_CAPACITY:
		return loop_set_capacity(lo);
	case LOOP_SET_DIRECT_IO:
		return arg > 1 ? -EINVAL : 0;   /* every transfer goes through the file's pages */
	case LOOP_SET_BLOCK_SIZE:
		return block_size_valid(arg) ? 0 : -EINVAL;
	default:
		return -ENOTTY;
	}
}

static int loop_opened(struct blkdev *d, struct file *f)
{
	struct loop_dev *lo = LO(d);
	mutex_lock(&lo->ctl);
	int err = lo->removed ? -ENXIO : 0;
	if (!err)
		lo->opens++;
	mutex_unlock(&lo->ctl);
	return err;
}

/* The last close of an autoclear device unbinds it. */
static void loop_released(struct blkdev *d, struct file *f)
{
	struct loop_dev *lo = LO(d);
	mutex_lock(&lo->ctl);
	if (--lo->opens == 0 && lo->backing && (lo->flags & LO_FLAGS_AUTOCLEAR))
		unbind_locked(lo);
	mutex_unlock(&lo->ctl);
}

static const struct blkdev_ops loop_ops = {
	.start = loop_start, .ioctl = loop_ioctl, .opened = loop_opened, .released = loop_released,
};

/* ---- /dev/loop-control ---- */

static int loop_node(struct loop_dev *lo, bool make)
{
	char path[24];
	snprintf(path, sizeof(path), "/dev/%s", lo->disk.name);
	return make ? blkdev_make_node(&lo->disk) : vfs_unlink_root(path);
}

static long ctl_get_free(void)
{
	for (int i = 0; i < LOOP_MAX; i++) {
		mutex_lock(&loops[i].ctl);
		bool free = !loops[i].backing && !loops[i].removed;
		mutex_unlock(&loops[i].ctl);
		if (free)
			return i;
	}
	return -ENOSPC;
}

/* LOOP_CTL_ADD (bring back a removed device) or LOOP_CTL_REMOVE. */
static long ctl_add_remove(uint64_t n, bool add)
{
	if (n >= LOOP_MAX)
		return add ? -ENOSPC : -ENODEV;
	struct loop_dev *lo = &loops[n];
	mutex_lock(&lo->ctl);
	long err = 0;
	if (add && !lo->removed)
		err = -EEXIST;
	else if (!add && lo->removed)
		err = -ENODEV;
	else if (!add && (lo->backing || lo->opens))
		err = -EBUSY;
	if (!err && !(err = loop_node(lo, add)))
		lo->removed = !add;
	mutex_unlock(&lo->ctl);
	return err ? err : (long)n;
}

static long ctl_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	switch (cmd) {
	case LOOP_CTL_GET_FREE: return ctl_get_free();
	case LOOP_CTL_ADD: return ctl_add_remove(arg, true);
	case LOOP_CTL_REMOVE: return ctl_add_remove(arg, false);
	default: return -ENOTTY;
	}
}

static const struct file_ops loop_ctl_fops = { .ioctl = ctl_ioctl };

/* loop_init - loop0-7 with their workers, and /dev/loop-control. Boot. */
void loop_init(void)
{
	for (int i = 0; i < LOOP_MAX; i++) {
		struct loop_dev *lo = &loops[i];
		char name[BLK_NAME_MAX];
		snprintf(name, sizeof(name), "loop%d", i);
		blkdev_init(&lo->disk, name, MKDEV(LOOP_MAJOR, i), 0, &loop_ops, lo);
		lo->disk.has_cache = true;   /* a flush is the file's fsync */
		lo->number = i;
		mutex_init(&lo->ctl, "loop_ctl");
		spin_init(&lo->lock, "loop");
		list_init(&lo->requests);
		wait_queue_init(&lo->work, "loop_work");
		if (!kthread_run(loop_worker, lo) || blkdev_register(&lo->disk))
			panic("loop_init: cannot make %s", name);
	}
	if (vfs_register_chardev("/dev/loop-control", MKDEV(LOOP_CTRL_MAJOR, LOOP_CTRL_MINOR), 0660,
				 &loop_ctl_fops))
		panic("loop_init: cannot make /dev/loop-control");
}
