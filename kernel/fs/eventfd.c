/*
 * eventfd.c - eventfd and eventfd2: a 64-bit counter behind a file
 * descriptor, as Linux's fs/eventfd.c.
 *
 *   write(8 bytes v)  adds v (v == 2^64-1 is EINVAL); if the sum would
 *                     pass EVENTFD_MAX (2^64-2) it waits for a read
 *                     (EAGAIN with O_NONBLOCK)
 *   read(8 bytes)     returns the counter and zeroes it, or with
 *                     EFD_SEMAPHORE returns 1 and subtracts 1; waits while
 *                     it is 0 (EAGAIN with O_NONBLOCK)
 *   poll              POLLIN while the counter is above 0, POLLOUT while
 *                     a write of 1 would not block
 *
 * Buffers shorter than 8 bytes are EINVAL, and so is a write of more
 * (as Linux 6.x does; a longer read gets 8). Readers and writers sleep on
 * one wait queue, which is also the one poll, select and epoll watch.
 */
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sync/wait.h"
#include "lib/errno.h"
#include <linux/fcntl.h>

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK
#define EVENTFD_MAX (UINT64_MAX - 1)   /* the counter's largest value */

struct eventfd {
	struct spinlock lock;    /* guards count */
	uint64_t count;
	bool semaphore;          /* (c) EFD_SEMAPHORE */
	struct wait_queue wq;    /* readers, writers and pollers; woken on each change */
};

static uint64_t count_of(struct eventfd *e)
{
	return __atomic_load_n(&e->count, __ATOMIC_RELAXED);
}

/* Take what a read returns, if the counter allows; 0: nothing (it is 0). */
static uint64_t take_locked(struct eventfd *e)
{
	uint64_t v = e->semaphore && e->count ? 1 : e->count;
	e->count -= v;
	return v;
}

static long eventfd_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct eventfd *e = f->private;
	(void)pos;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		spin_lock(&e->lock);
		uint64_t v = take_locked(e);
		spin_unlock(&e->lock);
		if (v) {
			wake_up(&e->wq);   /* writers waiting for room */
			return copy_to_user(ubuf, &v, sizeof(v)) ? -EFAULT : (long)sizeof(v);
		}
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		int err = wait_event_interruptible(e->wq, count_of(e) != 0);
		if (err)
			return err;
	}
}

/* Add v if it fits under EVENTFD_MAX; false if not (yet). */
static bool add_locked(struct eventfd *e, uint64_t v)
{
	if (v > EVENTFD_MAX - e->count)
		return false;
	e->count += v;
	return true;
}

static long eventfd_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct eventfd *e = f->private;
	uint64_t v;
	(void)pos;
	if (n != sizeof(v))
		return -EINVAL;
	if (copy_from_user(&v, ubuf, sizeof(v)))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	for (;;) {
		spin_lock(&e->lock);
		bool added = add_locked(e, v);
		spin_unlock(&e->lock);
		if (added) {
			if (v)
				wake_up(&e->wq);
			return sizeof(v);
		}
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		int err = wait_event_interruptible(e->wq, v <= EVENTFD_MAX - count_of(e));
		if (err)
			return err;
	}
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->private;
	poll_wait(pt, &e->wq);
	uint64_t c = count_of(e);
	unsigned mask = 0;
	if (c)
		mask |= POLLIN | POLLRDNORM;
	if (c < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void eventfd_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops eventfd_fops = {
	.name = "eventfd",
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

/* eventfd2 - a new eventfd holding initval: the descriptor, -EINVAL for
 * unknown flags, -ENOMEM, -EMFILE. */
long sys_eventfd2(unsigned initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	spin_init(&e->lock, "eventfd");
	wait_queue_init(&e->wq, "eventfd");
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	return fd_install_anon(&eventfd_fops, e, flags & EFD_NONBLOCK, flags & EFD_CLOEXEC);
}

long sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}
