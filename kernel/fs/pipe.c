/*
 * pipe.c - pipes: pipe(2), pipe2(2) and the file ops of their two ends.
 *
 * A pipe is a ring buffer (64 KiB by default, as on Linux) with counts
 * of the open files that read and write it. The rules, Linux's:
 *
 *   - read returns what is there (up to the count asked), sleeping only
 *     while the ring is empty; 0 (end of file) once it is empty and no
 *     writer is left;
 *   - write sleeps while there is no room; a write of at most PIPE_BUF
 *     bytes waits until all of it fits and goes in as one piece, so it is
 *     never interleaved with another writer's; a longer write goes in as
 *     room appears;
 *   - with no reader left, write fails with EPIPE and raises SIGPIPE;
 *   - O_NONBLOCK turns each sleep into EAGAIN (a longer write returns
 *     what fitted);
 *   - packet mode (pipe2's O_DIRECT, the write end's flag): each write,
 *     cut in pieces of a page, goes in as packets; a read returns at
 *     most one packet, and what it leaves of it is dropped. A pipe holds
 *     at most PIPE_PACKETS packets (Linux: one per buffer slot, 16).
 *
 * Locks: pipe->lock, a mutex, guards the ring and the counts; it is held
 * across the copies to and from user memory (a fault there never needs a
 * pipe). Sleepers wait on rd_wait (data, or the last writer gone) and
 * wr_wait (room, or the last reader gone) with the lock dropped; their
 * conditions and ->poll read the fields without it, which is safe
 * because every change is followed by a wake_up of the queue concerned.
 *
 * A FIFO is the same pipe reached through a name (mknod S_IFIFO): its
 * inode's ->pipe is made by the first open and freed by the last close
 * (what was unread is lost), as on Linux. An open for reading waits for
 * a writer and one for writing waits for a reader (O_RDWR never waits);
 * O_NONBLOCK makes a reader's open succeed at once and a writer's fail
 * with ENXIO when there is no reader. pipe(2) makes an anonymous S_IFIFO
 * inode (what fstat shows) with its pipe and both ends open.
 *
 * Locks: inode->lock guards inode->pipe and the pipe's count of open
 * files (files); the last file's close frees the pipe, as Linux's
 * put_pipe_info. It is never held with pipe->lock: an open counts its
 * file under inode->lock, then its end under pipe->lock.
 *
 * Limits, Linux's: a pipe's pages are charged to the real uid of whoever
 * made it (pipe(2), or a FIFO's first open). Unprivileged users (no
 * CAP_SYS_RESOURCE or CAP_SYS_ADMIN) get pipes of at most
 * fs.pipe-max-size, 2 pages once they hold more than
 * fs.pipe-user-pages-soft, and none (ENFILE) past
 * fs.pipe-user-pages-hard; F_SETPIPE_SZ beyond them is EPERM. The sums
 * are taken over the list of all pipes (pipes_lock).
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/cred.h"
#include "sys/sysctl.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/poll.h"
#include "fs/vfs.h"

#define PIPE_PACKETS 16   /* packets a pipe holds at once */

/* Locks: (l) pipe->lock; (i) its inode's lock; (P) pipes_lock; (c) constant. */
struct pipe {
	struct mutex lock;           /* "pipe" */
	char *buf;                   /* (l) size bytes */
	size_t size;                 /* (l) a power of two */
	size_t head;                 /* (l) offset of the first unread byte */
	size_t len;                  /* (l) unread bytes */
	unsigned readers, writers;   /* (l) open files reading / writing it */
	unsigned r_counter;          /* (l) opens for reading ever (a FIFO's opener */
	unsigned w_counter;          /* (l) and for writing     waits for a change) */
	struct wait_queue rd_wait;   /* readers: data, or no writer; openers: a partner */
	struct wait_queue wr_wait;   /* writers: room, or no reader */
	uint64_t consumed;           /* (l) bytes ever taken out: the stream position of head */
	unsigned npkt, pkt_first;    /* (l) packets queued, the oldest's index in pkt[] */
	struct {
		uint64_t start;      /* stream position of its first byte */
		size_t len;
	} pkt[PIPE_PACKETS];         /* (l) packet-mode writes, oldest first (a ring) */
	unsigned files;              /* (i) inode->lock: open files of it (and opens under way) */
	uint32_t user;               /* (c) charged: its creator's real uid */
	unsigned long pages;         /* (P) charged to user: size in pages */
	struct list_head all_link;   /* (P) in all_pipes */
};

/* (P) pipes_lock: the list of all pipes and their charges (a leaf). */
static struct spinlock pipes_lock = SPINLOCK_INIT("pipes");
static LIST_HEAD(all_pipes);

static uint32_t pipefs_dev;      /* st_dev of every pipe; set once (atomic) */

/* pipe_fops (pipe.h) are defined below, after the ops. */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static struct pipe *file_pipe(struct file *f)
{
	return f->fops == &pipe_fops ? f->private : NULL;
}

/* ---- the ring ---- */

/* Copy n unread bytes (n <= len) to user memory and consume them.
 * Returns n, or the bytes copied before a fault (-EFAULT if none). */
static long ring_read_locked(struct pipe *p, char *ubuf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t chunk = MIN(n - done, p->size - p->head);
		if (copy_to_user(ubuf + done, p->buf + p->head, chunk))
			return done ? (long)done : -EFAULT;
		p->head = (p->head + chunk) & (p->size - 1);
		p->len -= chunk;
		done += chunk;
	}
	p->consumed += done;
	if (!p->len)
		p->head = 0;   /* keeps small writes contiguous */
	return (long)done;
}

/* Drop n unread bytes (n <= len). */
static void ring_drop_locked(struct pipe *p, size_t n)
{
	p->head = (p->head + n) & (p->size - 1);
	p->len -= n;
	p->consumed += n;
	if (!p->len)
		p->head = 0;
}

/* Append n bytes (n <= room) from user memory. Returns n, or the bytes
 * appended before a fault (-EFAULT if none). */
static long ring_write_locked(struct pipe *p, const char *ubuf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t tail = (p->head + p->len) & (p->size - 1);
		size_t chunk = MIN(n - done, p->size - tail);
		if (copy_from_user(p->buf + tail, ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		p->len += chunk;
		done += chunk;
	}
	return (long)done;
}

/* ---- read and write ---- */

/* Take up to n bytes: the stream bytes before the next packet, then, if
 * more is asked, that packet, whose rest is dropped; a read ends with a
 * packet. The bytes copied, or -EFAULT if none. */
static long pipe_take_locked(struct pipe *p, char *ubuf, size_t n)
{
	size_t done = 0;
	while (done < n && p->len) {
		size_t avail = p->len;
		bool packet = false;
		if (p->npkt) {
			uint64_t start = p->pkt[p->pkt_first].start;
			packet = start == p->consumed;
			avail = packet ? p->pkt[p->pkt_first].len : start - p->consumed;
		}
		size_t want = MIN(n - done, avail);
		long r = ring_read_locked(p, ubuf + done, want);
		done += r > 0 ? (size_t)r : 0;
		if (packet) {
			ring_drop_locked(p, avail - (r > 0 ? (size_t)r : 0));
			p->pkt_first = (p->pkt_first + 1) % PIPE_PACKETS;
			p->npkt--;
			break;
		}
		if (r != (long)want)
			break;   /* a fault part way */
	}
	return done ? (long)done : -EFAULT;
}

/* Queue a packet of the len bytes just written (npkt < PIPE_PACKETS). */
static void pipe_add_packet_locked(struct pipe *p, size_t len)
{
	unsigned i = (p->pkt_first + p->npkt++) % PIPE_PACKETS;
	p->pkt[i].start = p->consumed + p->len - len;
	p->pkt[i].len = len;
}

static bool pipe_can_read(struct pipe *p)
{
	return LOAD(p->len) > 0 || LOAD(p->writers) == 0;
}

/* Room for need bytes (and a packet, if one), or nobody left to read. */
static bool pipe_can_write(struct pipe *p, size_t need, bool packet)
{
	return (LOAD(p->size) - LOAD(p->len) >= need && (!packet || LOAD(p->npkt) < PIPE_PACKETS)) ||
	       LOAD(p->readers) == 0;
}

/* Copy up to n unread bytes to user memory without consuming them
 * (tee). The bytes copied, or -EFAULT if none. */
static long ring_peek_locked(struct pipe *p, char *ubuf, size_t n)
{
	size_t done = 0, at = p->head;
	n = MIN(n, p->len);
	while (done < n) {
		size_t chunk = MIN(n - done, p->size - at);
		if (copy_to_user(ubuf + done, p->buf + at, chunk))
			return done ? (long)done : -EFAULT;
		at = (at + chunk) & (p->size - 1);
		done += chunk;
	}
	return (long)done;
}

/* Read (or with peek, copy without consuming) what is in the pipe, up
 * to n bytes; 0 at end of file; -EAGAIN (nonblock, empty),
 * -ERESTARTSYS, -EFAULT. Sleeps. */
static long pipe_read_mode(struct file *f, char *ubuf, size_t n, bool nonblock, bool peek)
{
	struct pipe *p = f->private;
	if (n == 0)
		return 0;
	/* Empty with a writer: sleep at once rather than take the lock only
	 * to let it go (wait_event looks again once queued). */
	if (!nonblock && !pipe_can_read(p)) {
		int err = wait_event_interruptible(p->rd_wait, pipe_can_read(p));
		if (err)
			return err;
	}
	mutex_lock(&p->lock);
	while (!p->len) {
		bool eof = !p->writers;
		mutex_unlock(&p->lock);
		if (eof)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int err = wait_event_interruptible(p->rd_wait, pipe_can_read(p));
		if (err)
			return err;
		mutex_lock(&p->lock);
	}
	long r = peek ? ring_peek_locked(p, ubuf, n) : pipe_take_locked(p, ubuf, n);
	mutex_unlock(&p->lock);
	if (r > 0 && !peek)
		wake_up(&p->wr_wait);
	return r;
}

/* pipe_read - what is in the pipe, up to n bytes: see pipe_read_mode. */
static long pipe_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	return pipe_read_mode(f, ubuf, n, file_flags(f) & O_NONBLOCK, false);
}

long pipe_peek(struct file *f, char *ubuf, size_t n, bool nonblock)
{
	if (!file_pipe(f))
		return -EINVAL;
	return pipe_read_mode(f, ubuf, n, nonblock || (file_flags(f) & O_NONBLOCK), true);
}

/* Wait (lock dropped) until need bytes (and a packet) fit or no reader
 * is left; 0, -EAGAIN under O_NONBLOCK, or -ERESTARTSYS. Lock held on
 * return. */
static int pipe_wait_room_locked(struct file *f, struct pipe *p, size_t need, bool packet)
{
	if (file_flags(f) & O_NONBLOCK)
		return -EAGAIN;
	mutex_unlock(&p->lock);
	int err = wait_event_interruptible(p->wr_wait, pipe_can_write(p, need, packet));
	mutex_lock(&p->lock);
	return err;
}

/* pipe_write - append n bytes; n or the bytes written before an error;
 * -EPIPE (and SIGPIPE) with no reader, -EAGAIN, -ERESTARTSYS,
 * -EFAULT. Up to PIPE_BUF bytes go in at once or not at all; in packet
 * mode each page of them does, as a packet. Sleeps. */
static long pipe_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->private;
	bool packets = file_flags(f) & O_DIRECT;
	bool atomic = n <= PIPE_BUF;
	size_t done = 0;
	long err = 0;
	if (n == 0)
		return 0;
	mutex_lock(&p->lock);
	while (done < n && !err) {
		size_t room = p->size - p->len;
		size_t need = packets ? MIN(n - done, PAGE_SIZE) : atomic ? n : 1;
		if (!p->readers) {
			err = -EPIPE;
		} else if (room >= need && (!packets || p->npkt < PIPE_PACKETS)) {
			size_t want = packets ? need : MIN(room, n - done);
			long r = ring_write_locked(p, ubuf + done, want);
			if (r > 0)
				done += (size_t)r;
			if (r > 0 && packets)
				pipe_add_packet_locked(p, (size_t)r);
			if (r != (long)want)
				err = -EFAULT;   /* stop at the fault, keeping what went in */
			wake_up(&p->rd_wait);
		} else {
			err = pipe_wait_room_locked(f, p, need, packets);
		}
	}
	mutex_unlock(&p->lock);
	if (err == -EPIPE)
		send_sig_current(SIGPIPE);
	return done ? (long)done : err;
}

/* ---- the other ops ---- */

/* pipe_poll - POLLIN with data, POLLHUP with no writer (read end);
 * POLLOUT with PIPE_BUF bytes of room, POLLERR with no reader (write end). */
static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->private;
	unsigned mask = 0;
	if (file_readable(f)) {
		poll_wait(pt, &p->rd_wait);
		if (LOAD(p->len))
			mask |= POLLIN | POLLRDNORM;
		/* no HUP for a FIFO reader that has not seen a writer yet */
		if (!LOAD(p->writers) && f->version != LOAD(p->w_counter))
			mask |= POLLHUP;
	}
	if (file_writable(f)) {
		poll_wait(pt, &p->wr_wait);
		if (LOAD(p->size) - LOAD(p->len) >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!LOAD(p->readers))
			mask |= POLLERR;
	}
	return mask;
}

/* pipe_ioctl - FIONREAD: the unread bytes, as an int. */
static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pipe *p = f->private;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = (int)LOAD(p->len);
	return copy_to_user((void *)arg, &n, sizeof(n));
}

static void pipe_free(struct pipe *p)
{
	spin_lock(&pipes_lock);
	list_del(&p->all_link);
	spin_unlock(&pipes_lock);
	kfree(p->buf);
	kfree(p);
}

/* ---- limits ---- */

#define PIPE_DEF_PAGES (PIPE_DEF_SIZE / PAGE_SIZE)
#define PIPE_MIN_DEF_PAGES 2
#define PIPE_SIZE_TOP (1UL << 31)

static unsigned long pipe_max_size = PIPE_MAX_SIZE;
static long pipe_user_pages_soft = PIPE_DEF_PAGES * 1024;
static long pipe_user_pages_hard;   /* 0: none */
SYSCTL_LONG("fs/pipe-user-pages-soft", 0644, &pipe_user_pages_soft, 0, INT64_MAX);
SYSCTL_LONG("fs/pipe-user-pages-hard", 0644, &pipe_user_pages_hard, 0, INT64_MAX);

/* Linux's round_pipe_size: a power of two of at least a page; 0 when
 * too large. */
static unsigned long round_pipe_size(unsigned long size)
{
	if (size > PIPE_SIZE_TOP)
		return 0;
	unsigned long r = PAGE_SIZE;
	while (r < size)
		r *= 2;
	return r;
}

/* fs.pipe-max-size: any size, stored rounded as F_SETPIPE_SZ rounds. */
static long store_pipe_max_size(const struct sysctl *s, const char *text, size_t len)
{
	long v, took = sysctl_parse_long(text, len, &v);
	if (took < 0 || v < 0 || round_pipe_size((unsigned long)v) == 0)
		return -EINVAL;
	__atomic_store_n(&pipe_max_size, round_pipe_size((unsigned long)v), __ATOMIC_RELAXED);
	return took;
}
static long show_pipe_max_size(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%lu\n", LOAD(pipe_max_size));
}
SYSCTL_PROC("fs/pipe-max-size", 0644, show_pipe_max_size, store_pipe_max_size);

static bool pipe_unprivileged(void)
{
	return !capable(CAP_SYS_RESOURCE) && !capable(CAP_SYS_ADMIN);
}

/* The pages user's pipes hold, but p's. (P) held. */
static unsigned long user_pages_locked(uint32_t user, struct pipe *p)
{
	unsigned long n = 0;
	struct pipe *q;
	list_for_each_entry(q, &all_pipes, all_link)
		if (q->user == user && q != p)
			n += q->pages;
	return n;
}

static bool over(long limit, unsigned long pages)
{
	return limit && pages > (unsigned long)limit;
}

/* A new pipe's pages (Linux's alloc_pipe_info), charged to its creator
 * and p put on the list; 0 when past the hard limit. */
static unsigned long pipe_charge_new(struct pipe *p)
{
	unsigned long pages = PIPE_DEF_PAGES, max = LOAD(pipe_max_size);
	bool unpriv = pipe_unprivileged();
	if (pages * PAGE_SIZE > max && !capable(CAP_SYS_RESOURCE))
		pages = max / PAGE_SIZE;
	spin_lock(&pipes_lock);
	unsigned long others = user_pages_locked(p->user, NULL);
	if (unpriv && over(LOAD(pipe_user_pages_soft), others + pages))
		pages = PIPE_MIN_DEF_PAGES;
	if (unpriv && over(LOAD(pipe_user_pages_hard), others + pages))
		pages = 0;
	p->pages = pages;
	if (pages)
		list_add(&p->all_link, &all_pipes);
	spin_unlock(&pipes_lock);
	return pages;
}

/* May p grow to pages (Linux's pipe_set_size checks)? 0 or -EPERM; the
 * charge moves to pages. */
static int pipe_charge_resize(struct pipe *p, unsigned long pages)
{
	bool unpriv = pipe_unprivileged();
	if (pages > LOAD(p->size) / PAGE_SIZE && pages * PAGE_SIZE > LOAD(pipe_max_size) &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	spin_lock(&pipes_lock);
	unsigned long total = user_pages_locked(p->user, p) + pages;
	int err = 0;
	if (pages > p->pages && unpriv &&
	    (over(LOAD(pipe_user_pages_hard), total) || over(LOAD(pipe_user_pages_soft), total)))
		err = -EPERM;
	else
		p->pages = pages;
	spin_unlock(&pipes_lock);
	return err;
}

/* Count rd/wr ends of inode's pipe p gone and wake the other side; the
 * pipe's last file (one per call) frees it and clears inode->pipe. */
static void pipe_drop(struct inode *inode, struct pipe *p, bool rd, bool wr)
{
	mutex_lock(&p->lock);
	p->readers -= rd;
	p->writers -= wr;
	mutex_unlock(&p->lock);
	wake_up(&p->rd_wait);
	wake_up(&p->wr_wait);
	mutex_lock(&inode->lock);
	bool last = --p->files == 0;
	if (last)
		inode->pipe = NULL;
	mutex_unlock(&inode->lock);
	if (last)
		pipe_free(p);
}

/* pipe_release - one end closed. */
static void pipe_release(struct file *f)
{
	pipe_drop(f->inode, f->private, file_readable(f), file_writable(f));
}

static int fifo_open(struct inode *inode, struct file *f);

const struct file_ops pipe_fops = {
	.open = fifo_open,
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = pipe_release,
};

/* ---- creation ---- */

/* The anonymous inode of pipe(2): only memory to free. */
static void pipe_inode_evict(struct inode *inode)
{
	kfree(inode);
}

static const struct inode_ops pipe_iops = { .evict = pipe_inode_evict };

static uint32_t pipe_dev(void)
{
	return vfs_alloc_dev_once(&pipefs_dev);
}

/* A new empty pipe with no ends open, charged to the caller; NULL when
 * out of memory or past the caller's pipe pages (ENFILE, as Linux). */
static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->user = current_cred()->uid;
	unsigned long pages = pipe_charge_new(p);
	char *buf = pages ? kmalloc(pages * PAGE_SIZE) : NULL;
	if (!buf) {
		if (pages) {
			spin_lock(&pipes_lock);
			list_del(&p->all_link);
			spin_unlock(&pipes_lock);
		}
		kfree(p);
		return NULL;
	}
	mutex_init(&p->lock, "pipe");
	p->buf = buf;
	p->size = pages * PAGE_SIZE;
	wait_queue_init(&p->rd_wait, "pipe_rd");
	wait_queue_init(&p->wr_wait, "pipe_wr");
	return p;
}

/* pipe_create - a pipe and its two files. See pipe.h. */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct inode *inode = kmalloc(sizeof(*inode));
	struct pipe *p = inode ? pipe_alloc() : NULL;
	if (!p) {
		kfree(inode);
		return inode ? -ENFILE : -ENOMEM;
	}
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	inode_init(inode, pipe_dev(), S_IFIFO | 0600, uid, gid, &pipe_iops, &pipe_fops);
	inode->pipe = p;
	p->readers = p->writers = p->r_counter = p->w_counter = 1;
	p->files = 2;
	*rd = file_alloc_raw(inode, O_RDONLY | (flags & ~O_DIRECT), &pipe_fops, p);
	*wr = file_alloc_raw(inode, O_WRONLY | flags, &pipe_fops, p);
	if (!*rd)
		pipe_drop(inode, p, true, false);
	if (!*wr)
		pipe_drop(inode, p, false, true);
	inode_put(inode);     /* the files hold it now */
	if (*rd && *wr)
		return 0;
	if (*rd)
		file_put(*rd);
	if (*wr)
		file_put(*wr);
	return -ENOMEM;
}

/* ---- FIFOs ---- */

/* inode's pipe, made if it has none, with one more file counted (so the
 * last close cannot free it meanwhile); NULL when out of memory. The new
 * end is counted (rd, wr) and counters move as in Linux's fifo_open.
 * *rseen and *wseen get the open counters, *peer whether the other side
 * (a reader for a writer and vice versa) is open. With need_peer, an end
 * that finds no peer is not counted (O_WRONLY|O_NONBLOCK: ENXIO). */
static struct pipe *fifo_get(struct inode *inode, bool rd, bool wr, bool need_peer,
			     unsigned *rseen, unsigned *wseen, bool *peer)
{
	mutex_lock(&inode->lock);
	struct pipe *p = inode->pipe;
	if (!p)
		p = inode->pipe = pipe_alloc();
	if (p)
		p->files++;
	mutex_unlock(&inode->lock);
	if (!p)
		return NULL;
	mutex_lock(&p->lock);
	*peer = rd ? p->writers > 0 : p->readers > 0;
	if (need_peer && !*peer)
		rd = wr = false;
	p->readers += rd;
	p->r_counter += rd;
	p->writers += wr;
	p->w_counter += wr;
	*rseen = p->r_counter;
	*wseen = p->w_counter;
	mutex_unlock(&p->lock);
	return p;
}

/* fifo_open - the open hook of a FIFO (or of a pipe reopened through
 * /proc/PID/fd): 0, -ENXIO (O_WRONLY|O_NONBLOCK with no reader),
 * -ERESTARTSYS (a signal while waiting for a partner), -ENOMEM. Sleeps. */
static int fifo_open(struct inode *inode, struct file *f)
{
	bool rd = file_readable(f), wr = file_writable(f);
	bool nonblock = f->flags & O_NONBLOCK;
	unsigned rseen, wseen;
	bool peer;
	struct pipe *p = fifo_get(inode, rd, wr, wr && !rd && nonblock, &rseen, &wseen, &peer);
	if (!p)
		return -ENOMEM;
	if (wr && !rd && nonblock && !peer) {
		pipe_drop(inode, p, false, false);   /* frees a pipe made for nothing */
		return -ENXIO;
	}
	f->private = p;
	wake_up(&p->rd_wait);         /* a partner waiting for us */
	int err = 0;
	if (rd && wr)
		return 0;
	if (rd && !peer && nonblock)
		f->version = wseen;       /* no POLLHUP before a writer came */
	else if (rd && !peer)
		err = wait_event_interruptible(p->rd_wait, LOAD(p->w_counter) != wseen);
	else if (wr && !peer)
		err = wait_event_interruptible(p->rd_wait, LOAD(p->r_counter) != rseen);
	if (err)
		pipe_drop(inode, p, rd, wr);
	return err;
}

/* Resize p's ring to size bytes (a power of two >= PAGE_SIZE). */
static long pipe_resize(struct pipe *p, size_t size)
{
	char *buf = kmalloc(size);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&p->lock);
	if (p->len > size) {
		mutex_unlock(&p->lock);
		kfree(buf);
		return -EBUSY;
	}
	for (size_t i = 0; i < p->len; i++)
		buf[i] = p->buf[(p->head + i) & (p->size - 1)];
	kfree(p->buf);
	p->buf = buf;
	p->head = 0;
	p->size = size;
	mutex_unlock(&p->lock);
	wake_up(&p->wr_wait);
	return (long)size;
}

/* pipe_fcntl - F_GETPIPE_SZ / F_SETPIPE_SZ. See pipe.h. */
long pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p = file_pipe(f);
	if (!p)
		return -EBADF;
	if (cmd == F_GETPIPE_SZ)
		return (long)LOAD(p->size);
	if (cmd != F_SETPIPE_SZ)
		return -EINVAL;
	unsigned long size = round_pipe_size((unsigned int)arg), old = LOAD(p->pages);   /* Linux: an unsigned int */
	if (!size)
		return -EINVAL;
	int err = pipe_charge_resize(p, size / PAGE_SIZE);
	if (err)
		return err;
	long ret = pipe_resize(p, size);
	if (ret < 0)
		pipe_charge_resize(p, old);   /* back to what it holds: never refused */
	return ret;
}

/* ---- the syscalls ---- */

long sys_pipe2(int *ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct file *rd, *wr;
	int err = pipe_create((uint32_t)flags & (O_NONBLOCK | O_DIRECT), &rd, &wr);
	if (err)
		return err;
	struct fdtable *t = current_files();
	bool cloexec = flags & O_CLOEXEC;
	int fds[2] = { fd_install(t, rd, 0, cloexec), -1 };
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(t, wr, 0, cloexec);
	if (fds[1] < 0) {
		file_put(wr);
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(int *ufds)
{
	return sys_pipe2(ufds, 0);
}
