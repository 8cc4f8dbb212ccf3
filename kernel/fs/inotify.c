/*
 * inotify.c - inotify, as Linux's fs/notify/inotify: a descriptor
 * (a group) holding watches on inodes and a queue of struct
 * inotify_event records that read(2) returns.
 *
 *   inotify_init1(flags)        a group; IN_NONBLOCK, IN_CLOEXEC
 *   inotify_add_watch(fd, p, m) watch p's inode for the events in m: a
 *                               new watch descriptor (1, 2, ...) or the
 *                               group's existing one for that inode, its
 *                               mask replaced (IN_MASK_ADD: or-ed;
 *                               IN_MASK_CREATE: EEXIST)
 *   inotify_rm_watch(fd, wd)    the watch goes; IN_IGNORED is queued
 *   read                        whole records, each 16 bytes plus its
 *                               name NUL-padded to a multiple of 16;
 *                               EINVAL if the first does not fit
 *   ioctl FIONREAD, poll        the bytes queued; POLLIN while any
 *
 * A watch holds a reference on its inode. An event equal to the last one
 * queued is merged into it, as Linux's; past max_queued_events one
 * IN_Q_OVERFLOW (wd -1) stands for all that were dropped. IN_ONESHOT
 * removes the watch after its first event; a watched inode that loses
 * its last name gets IN_DELETE_SELF and loses its watches (IN_IGNORED).
 * The hooks that produce events are in inotify.h.
 *
 * Differences: IN_DELETE_SELF comes when the last name goes, even while
 * the file is open (Linux waits for the last close); a watch keeps its
 * file system busy (umount EBUSY; Linux sends IN_UNMOUNT); IN_ATTRIB by
 * path (chmod, utimes...) goes to the inode's watches, not its parent's.
 *
 * Locks: inotify_lock (spinlock) guards every group's watches and queue
 * and the lists of all watches and groups; wait-queue locks nest inside
 * it (a group is woken with it held, so it cannot be freed meanwhile).
 * Inode references are dropped after it is released (evict may sleep).
 */
#include "fs/inotify.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/sysutil.h"
#include "fs/vfs.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sync/wait.h"
#include "sys/sysctl.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"
#include <linux/fcntl.h>
#include <asm-generic/ioctls.h>

#define EVENT_SIZE sizeof(struct inotify_event)        /* 16 */
#define IN_FLAGS (IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | \
		  IN_MASK_ADD | IN_ONESHOT)

static int max_user_instances = 128;
static int max_user_watches = 8192;
static int max_queued_events = 16384;
SYSCTL_INT("fs/inotify/max_user_instances", 0644, &max_user_instances, 0, INT32_MAX);
SYSCTL_INT("fs/inotify/max_user_watches", 0644, &max_user_watches, 0, INT32_MAX);
SYSCTL_INT("fs/inotify/max_queued_events", 0644, &max_queued_events, 0, INT32_MAX);

uint32_t inotify_nwatches;
static struct spinlock inotify_lock = SPINLOCK_INIT("inotify");
static LIST_HEAD(all_watches);     /* (inotify_lock) struct watch */
static LIST_HEAD(all_groups);      /* (inotify_lock) struct group */
static uint32_t next_cookie;       /* atomic */

struct group {
	struct list_head link;     /* in all_groups */
	struct list_head watches;  /* struct watch, by group_link */
	struct list_head events;   /* struct kevent, oldest first */
	uint32_t uid;              /* (c) whose instance, for the limits */
	uint32_t nevents;          /* atomic reads: poll */
	uint32_t nwatches;
	uint64_t bytes;            /* what FIONREAD reports */
	int next_wd;
	struct wait_queue wq;      /* readers and pollers */
};

struct watch {
	struct list_head all_link;
	struct list_head group_link;
	struct group *group;       /* (c) */
	struct inode *inode;       /* (c) referenced */
	int wd;                    /* (c) */
	uint32_t mask;
};

struct kevent {
	struct list_head link;
	struct inotify_event ev;   /* ev.len: the padded name's bytes */
	char name[];
};

/* ---- the queue (inotify_lock held) ---- */

static size_t padded_len(size_t len)
{
	return len ? ALIGN_UP(len + 1, EVENT_SIZE) : 0;
}

/* Is the newest event of g the same as this one? (Linux merges them.) */
static bool same_as_tail(struct group *g, int wd, uint32_t mask, uint32_t cookie, const char *name,
			 size_t len)
{
	if (list_empty(&g->events))
		return false;
	struct kevent *t = list_entry(g->events.prev, struct kevent, link);
	return t->ev.wd == wd && t->ev.mask == mask && t->ev.cookie == cookie &&
	       t->ev.len == padded_len(len) && (!len || (strncmp(t->name, name, len) == 0 &&
							 t->name[len] == 0));
}

static void enqueue(struct group *g, struct kevent *e)
{
	list_add_tail(&e->link, &g->events);
	g->bytes += EVENT_SIZE + e->ev.len;
	__atomic_store_n(&g->nevents, g->nevents + 1, __ATOMIC_RELAXED);
}

/* Queue an event for g, or merge it, or overflow. No failure is
 * reported: Linux too drops an event it cannot allocate (as overflow). */
static void queue_event(struct group *g, int wd, uint32_t mask, uint32_t cookie, const char *name,
			size_t len)
{
	if (same_as_tail(g, wd, mask, cookie, name, len))
		return;
	bool full = g->nevents >= (uint32_t)max_queued_events;
	if (full && same_as_tail(g, -1, IN_Q_OVERFLOW, 0, NULL, 0))
		return;
	if (full) {
		wd = -1, mask = IN_Q_OVERFLOW, cookie = 0, len = 0;
	}
	size_t plen = padded_len(len);
	struct kevent *e = kzalloc(sizeof(*e) + plen);
	if (!e)
		return;
	e->ev.wd = wd;
	e->ev.mask = mask;
	e->ev.cookie = cookie;
	e->ev.len = (uint32_t)plen;
	if (len)
		memcpy(e->name, name, len);
	enqueue(g, e);
	wake_up(&g->wq);
}

/* Take w out of its group and the global list, queueing IN_IGNORED if
 * asked; w goes onto dead for the caller to free after unlocking. */
static void detach_watch(struct watch *w, bool ignored, struct list_head *dead)
{
	if (ignored)
		queue_event(w->group, w->wd, IN_IGNORED, 0, NULL, 0);
	list_del(&w->all_link);
	list_del(&w->group_link);
	w->group->nwatches--;
	list_add_tail(&w->all_link, dead);
	__atomic_sub_fetch(&inotify_nwatches, 1, __ATOMIC_RELAXED);
}

/* Free detached watches: their inode references go. May sleep. */
static void free_dead(struct list_head *dead)
{
	struct watch *w, *tmp;
	list_for_each_entry_safe(w, tmp, dead, all_link) {
		inode_put(w->inode);
		kfree(w);
	}
}

/* ---- the hooks ---- */

void fsnotify_inode_slow(struct inode *inode, uint32_t mask, bool isdir, const char *name,
			 size_t len, uint32_t cookie)
{
	LIST_HEAD(dead);
	struct watch *w, *tmp;
	spin_lock(&inotify_lock);
	list_for_each_entry_safe(w, tmp, &all_watches, all_link) {
		if (w->inode != inode || !(w->mask & mask & IN_ALL_EVENTS))
			continue;
		uint32_t m = (mask & (w->mask | IN_IGNORED)) | (isdir ? IN_ISDIR : 0);
		queue_event(w->group, w->wd, m, cookie, name, len);
		if (w->mask & IN_ONESHOT)
			detach_watch(w, true, &dead);
	}
	if (mask & IN_DELETE_SELF) {        /* the inode is gone: so are its watches */
		list_for_each_entry_safe(w, tmp, &all_watches, all_link)
			if (w->inode == inode)
				detach_watch(w, true, &dead);
	}
	spin_unlock(&inotify_lock);
	free_dead(&dead);
}

void fsnotify_inode(struct inode *inode, uint32_t mask)
{
	if (inotify_active())
		fsnotify_inode_slow(inode, mask, S_ISDIR(inode->mode), NULL, 0, 0);
}

void fsnotify_unlinked(struct inode *inode)
{
	if (!inotify_active())
		return;
	if (!S_ISDIR(inode->mode))
		fsnotify_inode(inode, IN_ATTRIB);
	if (__atomic_load_n(&inode->nlink, __ATOMIC_RELAXED) == 0 || S_ISDIR(inode->mode))
		fsnotify_inode(inode, IN_DELETE_SELF);
}

void fsnotify_move(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		   const char *nname, size_t nlen, struct inode *moved)
{
	if (!inotify_active())
		return;
	uint32_t cookie = __atomic_add_fetch(&next_cookie, 1, __ATOMIC_RELAXED);
	bool isdir = S_ISDIR(moved->mode);
	fsnotify_inode_slow(odir, IN_MOVED_FROM, isdir, oname, olen, cookie);
	fsnotify_inode_slow(ndir, IN_MOVED_TO, isdir, nname, nlen, cookie);
	fsnotify_inode(moved, IN_MOVE_SELF);
}

/* The name an open file was opened by, for its parent's watches. */
struct notify_name {
	struct inode *dir;         /* referenced */
	size_t len;
	char name[];
};

void fsnotify_opened(struct file *f, struct inode *dir, const char *last, size_t len)
{
	if (!inotify_active() || !f->inode)
		return;
	struct notify_name *n = kmalloc(sizeof(*n) + len);
	if (n) {
		n->dir = inode_get(dir);
		n->len = len;
		memcpy(n->name, last, len);
		f->notify = n;
	}
	fsnotify_file(f, IN_OPEN);
}

void fsnotify_file(struct file *f, uint32_t mask)
{
	if (!inotify_active() || !f->inode)
		return;
	fsnotify_inode(f->inode, mask);
	struct notify_name *n = f->notify;
	if (n)
		fsnotify_inode_slow(n->dir, mask, S_ISDIR(f->inode->mode), n->name, n->len, 0);
}

void fsnotify_closed(struct file *f)
{
	fsnotify_file(f, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
	struct notify_name *n = f->notify;
	if (n) {
		inode_put(n->dir);
		kfree(n);
		f->notify = NULL;
	}
}

/* ---- the descriptor ---- */

static long inotify_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct group *g = f->private;
	size_t done = 0;
	(void)pos;
	for (;;) {
		spin_lock(&inotify_lock);
		struct kevent *e = list_empty(&g->events) ? NULL
				   : list_entry(g->events.next, struct kevent, link);
		size_t size = e ? EVENT_SIZE + e->ev.len : 0;
		if (e && size <= n - done) {
			list_del(&e->link);
			g->bytes -= size;
			__atomic_store_n(&g->nevents, g->nevents - 1, __ATOMIC_RELAXED);
		}
		spin_unlock(&inotify_lock);
		if (e && size > n - done)
			return done ? (long)done : -EINVAL;   /* the next one does not fit */
		if (e) {
			int bad = copy_to_user(ubuf + done, &e->ev, size);
			kfree(e);
			if (bad)
				return done ? (long)done : -EFAULT;
			done += size;
			continue;
		}
		if (done)
			return (long)done;
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		int err = wait_event_interruptible(g->wq,
			__atomic_load_n(&g->nevents, __ATOMIC_RELAXED) != 0);
		if (err)
			return err;
	}
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct group *g = f->private;
	poll_wait(pt, &g->wq);
	return __atomic_load_n(&g->nevents, __ATOMIC_RELAXED) ? POLLIN | POLLRDNORM : 0;
}

static long inotify_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct group *g = f->private;
	if (cmd != FIONREAD)
		return -EINVAL;            /* Linux's answer for other requests */
	spin_lock(&inotify_lock);
	int bytes = (int)g->bytes;
	spin_unlock(&inotify_lock);
	return copy_to_user((void *)arg, &bytes, sizeof(bytes)) ? -EFAULT : 0;
}

static void inotify_release(struct file *f)
{
	struct group *g = f->private;
	LIST_HEAD(dead);
	spin_lock(&inotify_lock);
	while (!list_empty(&g->watches))
		detach_watch(list_entry(g->watches.next, struct watch, group_link), false, &dead);
	list_del(&g->link);
	spin_unlock(&inotify_lock);
	free_dead(&dead);
	struct kevent *e, *tmp;
	list_for_each_entry_safe(e, tmp, &g->events, link)
		kfree(e);
	kfree(g);
}

static const struct file_ops inotify_fops = {
	.name = "inotify",
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.release = inotify_release,
};

/* ---- the syscalls ---- */

/* Groups of uid, and their watches; inotify_lock held. */
static void count_of_user(uint32_t uid, int *groups, int *watches)
{
	struct group *g;
	*groups = *watches = 0;
	list_for_each_entry(g, &all_groups, link) {
		if (g->uid == uid) {
			(*groups)++;
			*watches += (int)g->nwatches;
		}
	}
}

/* inotify_init1 - a new inotify descriptor: -EINVAL for unknown flags,
 * -EMFILE past max_user_instances, -ENOMEM, or fd_install's error. */
long sys_inotify_init1(int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	struct group *g = kzalloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	uint32_t gid;
	current_fsids(&g->uid, &gid);
	list_init(&g->watches);
	list_init(&g->events);
	wait_queue_init(&g->wq, "inotify_wq");
	g->next_wd = 1;
	int groups, watches;
	spin_lock(&inotify_lock);
	count_of_user(g->uid, &groups, &watches);
	bool over = groups >= max_user_instances;
	if (!over)
		list_add_tail(&g->link, &all_groups);
	spin_unlock(&inotify_lock);
	if (over) {
		kfree(g);
		return -EMFILE;
	}
	/* not fd_install_anon: its failures free g, on our list or not */
	struct file *f = file_alloc_raw(NULL, O_RDWR | (flags & IN_NONBLOCK), &inotify_fops, g);
	if (!f) {
		spin_lock(&inotify_lock);
		list_del(&g->link);
		spin_unlock(&inotify_lock);
		kfree(g);
		return -ENOMEM;
	}
	long fd = fd_install(current_files(), f, 0, flags & IN_CLOEXEC);
	if (fd < 0)
		file_put(f);   /* ->release takes g off the list and frees it */
	return fd;
}

long sys_inotify_init(void)
{
	return sys_inotify_init1(0);
}

/* The group behind descriptor fd (*fp referenced): -EBADF, or -EINVAL
 * for another kind of file. */
static int group_of(int fd, struct file **fp)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (f->fops != &inotify_fops) {
		file_put(f);
		return -EINVAL;
	}
	*fp = f;
	return 0;
}

/* Add or update g's watch on inode (whose reference the call takes).
 * inotify_lock taken here. The wd, or -EEXIST, -ENOSPC, -ENOMEM. */
static long watch_inode(struct group *g, struct inode *inode, uint32_t mask)
{
	struct watch *w, *fresh = kzalloc(sizeof(*fresh));
	long ret = -ENOMEM;
	spin_lock(&inotify_lock);
	list_for_each_entry(w, &g->watches, group_link) {
		if (w->inode != inode)
			continue;
		ret = w->wd;
		if (mask & IN_MASK_CREATE)
			ret = -EEXIST;
		else
			w->mask = (mask & IN_MASK_ADD ? w->mask : 0) | (mask & ~IN_MASK_ADD);
		goto out;
	}
	int groups, watches;
	count_of_user(g->uid, &groups, &watches);
	if (watches >= max_user_watches)
		ret = -ENOSPC;
	else if (fresh) {
		fresh->group = g;
		fresh->inode = inode;
		inode = NULL;                /* the watch holds the reference */
		fresh->wd = ret = g->next_wd++;
		fresh->mask = mask & ~(IN_MASK_ADD | IN_MASK_CREATE);
		list_add_tail(&fresh->all_link, &all_watches);
		list_add_tail(&fresh->group_link, &g->watches);
		g->nwatches++;
		__atomic_add_fetch(&inotify_nwatches, 1, __ATOMIC_RELAXED);
		fresh = NULL;
	}
out:
	spin_unlock(&inotify_lock);
	kfree(fresh);
	inode_put(inode);
	return ret;
}

/* inotify_add_watch - see the top of the file. Linux's order: the mask
 * (EINVAL), the descriptor (EBADF, EINVAL), the path (ENOENT, ENOTDIR
 * with IN_ONLYDIR...), read permission (EACCES). */
long sys_inotify_add_watch(int fd, const char *upath, uint32_t mask)
{
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & IN_ALL_EVENTS))
		return -EINVAL;
	struct file *f;
	long err = group_of(fd, &f);
	if (err)
		return err;
	int lf = (mask & IN_DONT_FOLLOW ? 0 : LOOKUP_FOLLOW) | (mask & IN_ONLYDIR ? LOOKUP_DIRECTORY : 0);
	struct inode *inode;
	err = user_lookup_at(AT_FDCWD, upath, lf, 0, &inode);
	if (!err && (err = inode_permission(inode, MAY_READ)) != 0)
		inode_put(inode);
	if (!err)
		err = watch_inode(f->private, inode, mask & (IN_ALL_EVENTS | IN_FLAGS));
	file_put(f);
	return err;
}

/* inotify_rm_watch - remove watch wd (IN_IGNORED queued): 0, -EBADF,
 * -EINVAL (not inotify, or no such watch). */
long sys_inotify_rm_watch(int fd, int wd)
{
	struct file *f;
	long err = group_of(fd, &f);
	if (err)
		return err;
	struct group *g = f->private;
	LIST_HEAD(dead);
	struct watch *w;
	err = -EINVAL;
	spin_lock(&inotify_lock);
	list_for_each_entry(w, &g->watches, group_link) {
		if (w->wd == wd) {
			detach_watch(w, true, &dead);
			err = 0;
			break;
		}
	}
	spin_unlock(&inotify_lock);
	free_dead(&dead);
	file_put(f);
	return err;
}
