/*
 * epoll.c - epoll_create, epoll_create1, epoll_ctl, epoll_wait,
 * epoll_pwait, epoll_pwait2, as Linux's fs/eventpoll.c.
 *
 * An epoll is a set of watches (struct epitem), one per (file, fd)
 * added. Readiness comes from the files' own ->poll hooks and wait
 * queues, the ones poll and select use (fs/poll.h): when a watch is
 * added, the file's hook is called with epoll's poll table, which puts
 * a callback waiter (struct ep_hook) on every queue the hook names.
 * Whenever such a queue is woken, the callback puts the watch on the
 * epoll's ready list and wakes the epoll's sleepers. epoll_wait takes
 * the ready list, asks each watch's file for its bits now (->poll with
 * no table) and reports those the watch wants:
 *
 *   level-triggered   the watch goes back on the ready list after being
 *                     reported, and leaves it the first time its file
 *                     answers "not ready";
 *   EPOLLET           it is reported once per wake-up of its queues;
 *   EPOLLONESHOT      after one report it wants nothing until EPOLL_CTL_MOD.
 *
 * A wake-up carries no mask here (Linux's carries one), so an
 * edge-triggered watch may be reported again after a wake-up of its
 * queue for the other direction while its bits still hold.
 * EPOLLEXCLUSIVE is accepted and checked as Linux checks it, and wakes
 * every waiter (Linux wakes one).
 *
 * Closing: a watch lives as long as its open file description, as in
 * Linux: closing one of several descriptors of the file keeps it;
 * when the description's last reference goes, file_put calls
 * epoll_file_gone and the watch is removed from every epoll.
 *
 * An epoll watched by another epoll (nesting) is allowed up to
 * EP_MAX_NESTS deep, never in a cycle (ELOOP). Inside another epoll
 * (and in poll or select, when its lock is busy) an epoll counts as
 * ready while its ready list is not empty, which may hold a
 * level-triggered watch no longer ready: at worst a spurious wake-up.
 *
 * Locks (docs/locking.md): epoll_mutex (one, global) guards every
 * epoll's set of watches and every file's ep_links, and orders adds
 * for the loop check; ep->mtx serializes the reports of one epoll with
 * the changes to its watches (and keeps the watched files alive while
 * their hooks are called); ep->lock (spinlock) guards the ready list
 * and each watch's ready state, taken by the callbacks under the file's
 * wait-queue lock. Order: epoll_mutex -> ep->mtx -> mm->lock ...;
 * wait-queue lock -> ep->lock -> ep->wq.lock -> rq_lock.
 */
#include "fs/epoll.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/signal.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/lockorder.h"
#include <linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/time_types.h>

#define EP_MAX_NESTS 4
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct epoll_event))
/* What EPOLLEXCLUSIVE may come with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
/* The flags of a watch that are not events. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_FOREVER UINT64_MAX

static struct mutex epoll_mutex = { SPINLOCK_INIT("epoll_mutex_lock"), NULL,
				    LIST_HEAD_INIT(epoll_mutex.waiters), "epoll_mutex" };

/* Where a watch is, (L) ep->lock. */
enum ep_ready { EP_IDLE, EP_READY, EP_REPORTING, EP_REPORTING_WOKEN };

struct eventpoll;

/* A watch's callback waiter on one of its file's queues. */
struct ep_hook {
	struct waiter w;             /* func = ep_hook_wake */
	struct wait_queue *wq;       /* NULL once the queue died (epoll_queue_dying) */
	struct epitem *epi;
	struct ep_hook *next;
};

/* One watch. Legend: (M) epoll_mutex and ep->mtx to change, either to
 * read; (X) ep->mtx; (L) ep->lock. */
struct epitem {
	struct eventpoll *ep;        /* (c) */
	struct file *file;           /* (c) not referenced: removed before it goes */
	int fd;                      /* (c) */
	uint32_t events;             /* (X) wanted, with EPOLLET etc. */
	uint64_t data;               /* (X) */
	struct ep_hook *hooks;       /* (M) */
	struct list_head link;       /* (M) in ep->items */
	struct list_head file_link;  /* (M) in file->ep_links */
	struct list_head rdlink;     /* (L) in ep->rdlist, or a reporter's list */
	enum ep_ready ready;         /* (L) */
	bool requeue;                /* (X) back on the ready list after this report */
};

struct eventpoll {
	struct mutex mtx;
	struct spinlock lock;
	struct list_head items;      /* (M) struct epitem */
	struct list_head rdlist;     /* (L) watches woken, in order */
	struct wait_queue wq;        /* epoll_wait sleepers */
	struct wait_queue poll_wq;   /* those polling the epoll itself */
	struct file *file;           /* (c) */
};

static const struct file_ops epoll_fops;

static bool is_epoll(struct file *f)
{
	return f->fops == &epoll_fops;
}

/* ---- readiness ---- */

/* Put epi on the ready list unless it is there (or being reported:
 * then the reporter puts it back). True if the sleepers need waking. (L) */
static bool mark_ready_locked(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;
	if (!(epi->events & ~EP_PRIVATE_BITS))
		return false;   /* a spent EPOLLONESHOT */
	if (epi->ready == EP_IDLE) {
		list_add_tail(&epi->rdlink, &ep->rdlist);
		epi->ready = EP_READY;
		return true;
	}
	if (epi->ready == EP_REPORTING)
		epi->ready = EP_REPORTING_WOKEN;
	return false;
}

static void wake_sleepers(struct eventpoll *ep)
{
	wake_up(&ep->wq);
	wake_up(&ep->poll_wq);
}

/* A queue the watch is on was woken: the watch is ready (maybe). Runs
 * under that queue's lock, in any context. */
static void ep_hook_wake(struct waiter *w)
{
	struct ep_hook *h = container_of(w, struct ep_hook, w);
	struct eventpoll *ep = h->epi->ep;
	spin_lock(&ep->lock);
	bool wake = mark_ready_locked(h->epi);
	spin_unlock(&ep->lock);
	if (wake)
		wake_sleepers(ep);
}

/* Epoll's poll table: hook the watch being added on each queue. */
struct ep_table {
	struct poll_table pt;
	struct epitem *epi;
	int error;
};

static void ep_table_queue(struct poll_table *pt, struct wait_queue *wq)
{
	struct ep_table *t = container_of(pt, struct ep_table, pt);
	struct ep_hook *h = kzalloc(sizeof(*h));
	if (!h) {
		t->error = -ENOMEM;
		return;
	}
	h->wq = wq;
	h->epi = t->epi;
	h->w.func = ep_hook_wake;
	h->next = t->epi->hooks;
	t->epi->hooks = h;
	spin_lock(&wq->lock);
	list_add_tail(&h->w.link, &wq->waiters);
	spin_unlock(&wq->lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* before the file is asked: see fs/poll.c */
}

/* The hooks' queues die with a sighand (signalfd) and others: this lock
 * orders a hook's removal with its queue's death. Taken before any
 * wait-queue lock; nothing but those is taken under it. */
static struct spinlock hooks_lock = SPINLOCK_INIT("epoll_hooks");

/* epoll_queue_dying - see fs/poll.h. */
void epoll_queue_dying(struct wait_queue *wq)
{
	struct waiter *w, *tmp;
	spin_lock(&hooks_lock);
	spin_lock(&wq->lock);
	list_for_each_entry_safe(w, tmp, &wq->waiters, link) {
		if (w->func != ep_hook_wake)
			continue;
		list_del(&w->link);
		container_of(w, struct ep_hook, w)->wq = NULL;
	}
	spin_unlock(&wq->lock);
	spin_unlock(&hooks_lock);
}

/* Take the watch off its file's queues and free its hooks. (M) */
static void unhook(struct epitem *epi)
{
	spin_lock(&hooks_lock);
	for (struct ep_hook *h = epi->hooks; h; h = h->next) {
		if (!h->wq)
			continue;
		spin_lock(&h->wq->lock);
		list_del(&h->w.link);
		spin_unlock(&h->wq->lock);
	}
	spin_unlock(&hooks_lock);
	while (epi->hooks) {
		struct ep_hook *h = epi->hooks;
		epi->hooks = h->next;
		kfree(h);
	}
}

/* The bits f reports now; with pt, also hook the watch on its queues.
 * Inside an epoll, another epoll answers from its ready list (its lock
 * may be held above us). (X) held, so f is alive. */
static unsigned item_poll(struct file *f, struct poll_table *pt);

static unsigned ep_ready_list_poll(struct eventpoll *ep, struct poll_table *pt)
{
	poll_wait(pt, &ep->poll_wq);
	spin_lock(&ep->lock);
	bool any = !list_empty(&ep->rdlist);
	spin_unlock(&ep->lock);
	return any ? POLLIN | POLLRDNORM : 0;
}

static unsigned item_poll(struct file *f, struct poll_table *pt)
{
	if (is_epoll(f))
		return ep_ready_list_poll(f->private, pt);
	return f->fops->poll(f, pt);
}

/* The events of epi to report now (0: none). (X) */
static uint32_t item_events(struct epitem *epi)
{
	uint32_t want = (epi->events & ~EP_PRIVATE_BITS) | EPOLLERR | EPOLLHUP;
	if (!(epi->events & ~EP_PRIVATE_BITS))
		return 0;
	return item_poll(epi->file, NULL) & want;
}

/* ---- reporting ---- */

/* End a report: the watches not reached go back to the front of the
 * ready list, in order; of those reached (done), the ones to report
 * again (level-triggered, or woken meanwhile) to its tail. */
static void report_done(struct eventpoll *ep, struct list_head *unreached, struct list_head *done)
{
	struct epitem *epi, *tmp;
	spin_lock(&ep->lock);
	list_for_each_entry(epi, unreached, rdlink)
		epi->ready = EP_READY;
	list_splice_init(unreached, &ep->rdlist);
	list_for_each_entry_safe(epi, tmp, done, rdlink) {
		bool again = epi->requeue || epi->ready == EP_REPORTING_WOKEN;
		list_del(&epi->rdlink);
		epi->ready = EP_IDLE;
		if (again)
			mark_ready_locked(epi);
	}
	bool any = !list_empty(&ep->rdlist);
	spin_unlock(&ep->lock);
	if (any)
		wake_up(&ep->poll_wq);   /* a poller may have found the list empty meanwhile */
}

/* Report one watch (taken off the list being reported) to *uev if its
 * file has events for it: 1 if written, 0 if not ready, -EFAULT. (X) */
static int report_one(struct epitem *epi, struct epoll_event *uev)
{
	uint32_t ev = item_events(epi);
	epi->requeue = false;
	if (!ev)
		return 0;
	struct epoll_event out = { .events = ev, .data = epi->data };
	if (copy_to_user(uev, &out, sizeof(out))) {
		epi->requeue = true;
		return -EFAULT;
	}
	if (epi->events & EPOLLONESHOT)
		epi->events &= EP_PRIVATE_BITS;
	else if (!(epi->events & EPOLLET))
		epi->requeue = true;
	return 1;
}

/* Report up to max ready events to uevents: the number reported, or
 * -EFAULT if none could be written. Takes ep->mtx. */
static long ep_report(struct eventpoll *ep, struct epoll_event *uevents, int max)
{
	struct list_head todo, done;
	struct epitem *epi;
	long n = 0;
	list_init(&todo);
	list_init(&done);
	mutex_lock(&ep->mtx);
	spin_lock(&ep->lock);
	list_splice_init(&ep->rdlist, &todo);
	list_for_each_entry(epi, &todo, rdlink)
		epi->ready = EP_REPORTING;
	spin_unlock(&ep->lock);
	while (n < max && !list_empty(&todo)) {
		epi = list_first_entry(&todo, struct epitem, rdlink);
		spin_lock(&ep->lock);
		list_del(&epi->rdlink);
		list_add_tail(&epi->rdlink, &done);
		spin_unlock(&ep->lock);
		int r = report_one(epi, &uevents[n]);
		if (r < 0) {
			n = n ? n : r;
			break;
		}
		n += r;
	}
	report_done(ep, &todo, &done);
	mutex_unlock(&ep->mtx);
	return n;
}

/* Wait until something is reported, the deadline passes or a signal
 * comes. Returns the number of events, 0, -EINTR, -EFAULT. As Linux,
 * events found are reported even when a signal is pending. */
static long ep_wait(struct eventpoll *ep, struct epoll_event *uevents, int max, uint64_t deadline)
{
	struct waiter w = { { NULL, NULL }, NULL, NULL };
	for (;;) {
		long n = ep_report(ep, uevents, max);
		if (n)
			return n;
		if (deadline != EP_FOREVER && arch_clock_ns() >= deadline)
			return 0;
		if (signal_pending_current())
			return -EINTR;
		prepare_to_wait(&ep->wq, &w, SLEEP_INTERRUPTIBLE);
		spin_lock(&ep->lock);
		bool ready = !list_empty(&ep->rdlist);
		spin_unlock(&ep->lock);
		if (!ready && !signal_pending_current()) {
			if (deadline == EP_FOREVER)
				schedule();
			else
				schedule_until(deadline);
		}
		finish_wait(&ep->wq, &w);
	}
}

/* ---- the file ---- */

static unsigned epoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->private;
	if (!mutex_trylock(&ep->mtx))
		return ep_ready_list_poll(ep, pt);
	poll_wait(pt, &ep->poll_wq);
	unsigned mask = 0;
	struct epitem *epi;
	spin_lock(&ep->lock);
	struct list_head todo;
	list_init(&todo);
	list_splice_init(&ep->rdlist, &todo);
	spin_unlock(&ep->lock);
	list_for_each_entry(epi, &todo, rdlink) {
		if (item_events(epi)) {
			mask = POLLIN | POLLRDNORM;
			break;
		}
	}
	spin_lock(&ep->lock);
	list_splice_init(&ep->rdlist, todo.prev);   /* keep those woken meanwhile, after */
	list_splice_init(&todo, &ep->rdlist);
	spin_unlock(&ep->lock);
	mutex_unlock(&ep->mtx);
	return mask;
}

/* Remove a watch from its epoll and its file. (M) */
static void ep_remove(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;
	unhook(epi);
	spin_lock(&ep->lock);
	if (epi->ready == EP_READY)
		list_del(&epi->rdlink);
	spin_unlock(&ep->lock);
	list_del(&epi->link);
	list_del(&epi->file_link);
	kfree(epi);
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->private;
	mutex_lock(&epoll_mutex);
	mutex_lock(&ep->mtx);
	while (!list_empty(&ep->items))
		ep_remove(list_first_entry(&ep->items, struct epitem, link));
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epoll_mutex);
	kfree(ep);
}

/* epoll_file_gone - see fs/epoll.h. */
void epoll_file_gone(struct file *f)
{
	mutex_lock(&epoll_mutex);
	while (!list_empty(&f->ep_links)) {
		struct epitem *epi = list_first_entry(&f->ep_links, struct epitem, file_link);
		struct eventpoll *ep = epi->ep;
		mutex_lock(&ep->mtx);
		ep_remove(epi);
		mutex_unlock(&ep->mtx);
	}
	mutex_unlock(&epoll_mutex);
}

/* epoll_watched_file - see fs/epoll.h. Watches count in the order added. */
long epoll_watched_file(struct file *f, int tfd, unsigned long toff, struct file **out)
{
	if (!is_epoll(f))
		return -EINVAL;
	struct eventpoll *ep = f->private;
	struct epitem *epi;
	long err = -ENOENT;
	mutex_lock(&ep->mtx);
	list_for_each_entry(epi, &ep->items, link)
		if (epi->fd == tfd && toff-- == 0) {
			*out = epi->file;
			err = 0;
			break;
		}
	mutex_unlock(&ep->mtx);
	return err;
}

static const struct file_ops epoll_fops = {
	.name = "eventpoll",
	.poll = epoll_poll,
	.release = epoll_release,
};

/* ---- epoll_create ---- */

long sys_epoll_create1(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	mutex_init(&ep->mtx, "epoll");
	spin_init(&ep->lock, "epoll_lock");
	list_init(&ep->items);
	list_init(&ep->rdlist);
	wait_queue_init(&ep->wq, "epoll_wq");
	ep->wq.lock.level = lock_level_of("epoll_wq");
	/* Nested epolls wake each other's poll_wq in the order of their
	 * nesting (acyclic, at most EP_MAX_NESTS deep): no one level. */
	wait_queue_init(&ep->poll_wq, "epoll_poll_wq");
	ep->poll_wq.lock.level = -1;
	struct file *f = file_alloc_raw(NULL, O_RDWR, &epoll_fops, ep);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	ep->file = f;
	int fd = fd_install(current_files(), f, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

/* ---- epoll_ctl ---- */

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;
	list_for_each_entry(epi, &ep->items, link)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

/* Would watching epoll file f from ep close a cycle, or nest deeper
 * than EP_MAX_NESTS? depth: epolls above f. (epoll_mutex) */
static bool ep_loops(struct eventpoll *ep, struct file *f, int depth)
{
	if (f->private == ep || depth > EP_MAX_NESTS)
		return true;
	struct epitem *epi;
	list_for_each_entry(epi, &((struct eventpoll *)f->private)->items, link)
		if (is_epoll(epi->file) && ep_loops(ep, epi->file, depth + 1))
			return true;
	return false;
}

/* How many epolls watch ep's file, at most (for the depth check). */
static int ep_depth_above(struct file *f, int depth)
{
	int max = depth;
	struct epitem *epi;
	if (depth > EP_MAX_NESTS)
		return depth;
	list_for_each_entry(epi, &f->ep_links, file_link)
		max = MAX(max, ep_depth_above(epi->ep->file, depth + 1));
	return max;
}

/* Let ep watch (f, fd) for ev. (M) held. */
static int ep_insert(struct eventpoll *ep, struct file *f, int fd, const struct epoll_event *ev)
{
	if (is_epoll(f) && ep_loops(ep, f, 1 + ep_depth_above(ep->file, 0)))
		return -ELOOP;
	struct epitem *epi = kzalloc(sizeof(*epi));
	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = f;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data;
	list_add_tail(&epi->link, &ep->items);
	list_add_tail(&epi->file_link, &f->ep_links);
	struct ep_table t = { { ep_table_queue }, epi, 0 };
	uint32_t now = item_poll(f, &t.pt) & (ev->events | EPOLLERR | EPOLLHUP);
	if (t.error) {
		ep_remove(epi);
		return t.error;
	}
	if (now) {
		spin_lock(&ep->lock);
		bool wake = mark_ready_locked(epi);
		spin_unlock(&ep->lock);
		if (wake)
			wake_sleepers(ep);
	}
	return 0;
}

/* New events for a watch; reported at once if they hold. (M) held. */
static void ep_modify(struct epitem *epi, const struct epoll_event *ev)
{
	epi->events = ev->events;
	epi->data = ev->data;
	if (item_events(epi)) {
		spin_lock(&epi->ep->lock);
		bool wake = mark_ready_locked(epi);
		spin_unlock(&epi->ep->lock);
		if (wake)
			wake_sleepers(epi->ep);
	}
}

/* Linux's checks of an epoll_ctl beyond the descriptors: 0 or -errno. */
static int ctl_check(int op, struct file *epf, struct file *tf, struct epoll_event *ev)
{
	if (!tf->fops->poll && !is_epoll(tf))
		return -EPERM;
	if (epf == tf || !is_epoll(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD || is_epoll(tf) || (ev->events & ~EP_EXCLUSIVE_OK))
			return -EINVAL;
	}
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		return -EINVAL;
	return 0;
}

/* Do op on ep for (tf, fd): 0 or -errno. (epoll_mutex) held. */
static int ctl_locked(struct eventpoll *ep, int op, struct file *tf, int fd, struct epoll_event *ev)
{
	mutex_lock(&ep->mtx);
	struct epitem *epi = ep_find(ep, tf, fd);
	int err = 0;
	if (op == EPOLL_CTL_ADD)
		err = epi ? -EEXIST : ep_insert(ep, tf, fd, ev);
	else if (!epi)
		err = -ENOENT;
	else if (op == EPOLL_CTL_DEL)
		ep_remove(epi);
	else if (epi->events & EPOLLEXCLUSIVE)
		err = -EINVAL;   /* Linux: an exclusive watch cannot be modified */
	else
		ep_modify(epi, ev);
	mutex_unlock(&ep->mtx);
	return err;
}

long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *uev)
{
	struct epoll_event ev = { 0, 0 };
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	struct file *epf = fd_get(current_files(), epfd);
	if (!epf)
		return -EBADF;
	struct file *tf = fd_get(current_files(), fd);
	if (!tf) {
		file_put(epf);
		return -EBADF;
	}
	int err = ctl_check(op, epf, tf, &ev);
	if (!err) {
		mutex_lock(&epoll_mutex);
		err = ctl_locked(epf->private, op, tf, fd, &ev);
		mutex_unlock(&epoll_mutex);
	}
	file_put(tf);
	file_put(epf);
	return err;
}

/* ---- epoll_wait and its variants ---- */

/* The epoll at epfd, referenced, checked with the event buffer. */
static long wait_begin(int epfd, struct epoll_event *uevents, int max, struct file **out)
{
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok((uint64_t)uevents, (uint64_t)max * sizeof(struct epoll_event)))
		return -EFAULT;
	struct file *f = fd_get(current_files(), epfd);
	if (!f)
		return -EBADF;
	if (!is_epoll(f)) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

static uint64_t deadline_in(uint64_t ns)
{
	uint64_t now = arch_clock_ns();
	return ns >= EP_FOREVER - now ? EP_FOREVER - 1 : now + ns;
}

/* epoll_wait with a deadline and an optional temporary signal mask. */
static long do_epoll_wait(int epfd, struct epoll_event *uevents, int max, uint64_t deadline,
			  const uint64_t *umask, size_t setsize)
{
	struct file *f;
	long err = wait_begin(epfd, uevents, max, &f);
	if (err)
		return err;
	if (umask && (err = signal_mask_swap_in(umask, setsize))) {
		file_put(f);
		return err;
	}
	long n = ep_wait(f->private, uevents, max, deadline);
	file_put(f);
	if (umask)
		poll_sigmask_finish(n == -EINTR);
	return n;
}

/* A timeout in ms as a deadline (negative: none). */
static uint64_t ms_deadline(int timeout)
{
	return timeout < 0 ? EP_FOREVER : deadline_in((uint64_t)timeout * 1000000ULL);
}

long sys_epoll_wait(int epfd, struct epoll_event *uevents, int max, int timeout)
{
	return do_epoll_wait(epfd, uevents, max, ms_deadline(timeout), NULL, 0);
}

long sys_epoll_pwait(int epfd, struct epoll_event *uevents, int max, int timeout,
		     const uint64_t *umask, size_t setsize)
{
	return do_epoll_wait(epfd, uevents, max, ms_deadline(timeout), umask, setsize);
}

long sys_epoll_pwait2(int epfd, struct epoll_event *uevents, int max,
		      const struct __kernel_timespec *uts, const uint64_t *umask, size_t setsize)
{
	uint64_t deadline = EP_FOREVER;
	if (uts) {
		struct __kernel_timespec ts;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000LL)
			return -EINVAL;
		if ((uint64_t)ts.tv_sec < EP_FOREVER / 1000000000ULL)
			deadline = deadline_in((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
	}
	return do_epoll_wait(epfd, uevents, max, deadline, umask, setsize);
}
