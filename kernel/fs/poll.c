/*
 * poll.c - poll, ppoll, select and pselect6.
 *
 * All four become one loop over a kernel array of poll items (a file,
 * the events wanted, the events found):
 *
 *   mark the caller asleep (TASK_INTERRUPTIBLE);
 *   ask every file's ->poll for its bits (the first pass also puts the
 *     caller on each file's wait queues, through the poll table);
 *   stop if something is ready, the deadline passed or a signal is
 *     pending; else schedule() (until the deadline) and go round again.
 *
 * Because the caller is marked asleep before it asks, a wake_up() that
 * comes after a file answered "not ready" makes it runnable again, and
 * the schedule() returns at once: no wake-up is lost. The registrations
 * are removed when the syscall ends; every file polled is referenced
 * until then, so its wait queues stay alive.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/sysutil.h"
#include <linux/poll.h>
#include <linux/time_types.h>

#define POLL_FOREVER UINT64_MAX          /* a deadline that never comes */
#define POLL_CHUNK_ENTRIES 64            /* registrations per allocation */

/* What select's three sets ask of poll (Linux's fs/select.c). */
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)

/* One registration of the polling task on one wait queue. */
struct poll_entry {
	struct wait_queue *wq;
	struct waiter w;
};

struct poll_chunk {
	struct poll_chunk *next;
	unsigned used;
	struct poll_entry entries[POLL_CHUNK_ENTRIES];
};

/* poll/select's table: the caller's registrations (only the caller
 * touches it). */
struct poll_regs {
	struct poll_table pt;
	struct poll_chunk *chunks;
	int error;                 /* -ENOMEM when a registration failed */
};

/* One file being polled. */
struct poll_item {
	struct file *f;            /* referenced; NULL: fd < 0 (ignored) or not open */
	bool bad_fd;               /* fd >= 0 but not open: POLLNVAL */
	unsigned want;             /* the bits that count as ready */
	unsigned found;            /* want & what ->poll answered */
};

/* ---- the poll table ---- */

/* poll_wait - see poll.h. */
void poll_wait(struct poll_table *pt, struct wait_queue *wq)
{
	if (pt)
		pt->queue(pt, wq);
}

/* poll_regs_queue - register the polling task on wq. */
static void poll_regs_queue(struct poll_table *table, struct wait_queue *wq)
{
	struct poll_regs *pt = container_of(table, struct poll_regs, pt);
	struct poll_chunk *c = pt->chunks;
	if (!c || c->used == POLL_CHUNK_ENTRIES) {
		c = kmalloc(sizeof(*c));
		if (!c) {
			pt->error = -ENOMEM;
			return;
		}
		c->used = 0;
		c->next = pt->chunks;
		pt->chunks = c;
	}
	struct poll_entry *e = &c->entries[c->used++];
	e->wq = wq;
	e->w.task = current;
	e->w.func = NULL;
	spin_lock(&wq->lock);
	list_add_tail(&e->w.link, &wq->waiters);
	spin_unlock(&wq->lock);
	/* Queued before the caller looks at the file: wake_up looks at the
	 * queue without its lock (sync/wait.c), after a fence of its own. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Take every registration off its queue and free the table's memory. */
static void poll_table_free(struct poll_regs *pt)
{
	while (pt->chunks) {
		struct poll_chunk *c = pt->chunks;
		for (unsigned i = 0; i < c->used; i++) {
			spin_lock(&c->entries[i].wq->lock);
			list_del(&c->entries[i].w.link);
			spin_unlock(&c->entries[i].wq->lock);
		}
		pt->chunks = c->next;
		kfree(c);
	}
}

/* ---- the loop ---- */

/* Ask every item's file; the number of items with something found. */
static int poll_scan(struct poll_item *items, unsigned n, struct poll_table *pt)
{
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		struct poll_item *it = &items[i];
		if (it->bad_fd) {
			it->found = POLLNVAL;
		} else if (it->f) {
			unsigned mask = it->f->fops->poll ? it->f->fops->poll(it->f, pt) : DEFAULT_POLLMASK;
			it->found = mask & it->want;
		}
		ready += it->found != 0;
	}
	return ready;
}

/*
 * do_poll - wait until an item is ready or the deadline (monotonic ns;
 * POLL_FOREVER) passes. Returns the number of ready items (0 on
 * timeout), -ERESTARTNOHAND when a signal arrives first (EINTR for
 * the caller if a handler runs, else the call restarts; select, ppoll
 * and pselect6 have written back the time left by then), or -ENOMEM.
 * Sleeps.
 */
static long do_poll(struct poll_item *items, unsigned n, uint64_t deadline)
{
	struct poll_regs table = { { poll_regs_queue }, NULL, 0 };
	struct poll_table *pt = deadline > arch_clock_ns() ? &table.pt : NULL;
	long r;
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		r = poll_scan(items, n, pt);
		pt = NULL;   /* registered once; later passes only ask */
		if (r || table.error)
			break;
		if (deadline != POLL_FOREVER && arch_clock_ns() >= deadline)
			break;
		if (signal_pending_current()) {
			r = -ERESTARTNOHAND;
			break;
		}
		if (deadline == POLL_FOREVER)
			schedule();
		else
			schedule_until(deadline);
	}
	set_current_state(TASK_RUNNING);
	poll_table_free(&table);
	return table.error ? table.error : r;
}

static void items_put(struct poll_item *items, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (items[i].f)
			file_put(items[i].f);
	kfree(items);
}

/* ---- time ---- */

/* The deadline after ns nanoseconds from now. */
static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = arch_clock_ns();
	return ns >= POLL_FOREVER - now ? POLL_FOREVER - 1 : now + ns;
}

/* A user timespec (NULL: forever) as a deadline; -EFAULT, -EINVAL. */
static int timespec_deadline(const struct __kernel_timespec *uts, uint64_t *deadline)
{
	struct __kernel_timespec ts;
	*deadline = POLL_FOREVER;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long long)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec >= POLL_FOREVER / NSEC_PER_SEC)
		return 0;
	*deadline = deadline_after((uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
	return 0;
}

/* The time left until deadline, in ns (0 once past). */
static uint64_t time_left(uint64_t deadline)
{
	uint64_t now = arch_clock_ns();
	return deadline > now ? deadline - now : 0;
}

/* Write the time left back to a user timespec, as Linux does for ppoll
 * and pselect6 (libc ignores it). Fails silently, as on Linux. */
static void timespec_update(struct __kernel_timespec *uts, uint64_t deadline)
{
	if (!uts || deadline == POLL_FOREVER)
		return;
	uint64_t left = time_left(deadline);
	struct __kernel_timespec ts = { (long long)(left / NSEC_PER_SEC), (long long)(left % NSEC_PER_SEC) };
	copy_to_user(uts, &ts, sizeof(ts));
}

/* ---- the signal mask of ppoll and pselect6 ---- */

/* Install the user's mask (if any) for the wait, keeping the old one as
 * the mask to restore (as rt_sigsuspend does). 0, -EINVAL, -EFAULT. */
static int sigmask_swap_in(const uint64_t *umask, size_t size)
{
	return umask ? signal_mask_swap_in(umask, size) : 0;
}

/* poll_sigmask_finish - see poll.h. */
void poll_sigmask_finish(bool interrupted)
{
	struct task *t = current;
	if (!t->sig_restore_mask || interrupted)
		return;
	spin_lock(&t->sighand->lock);
	t->sig_blocked = t->sig_saved_mask;
	t->sig_restore_mask = false;
	spin_unlock(&t->sighand->lock);
}

/* ---- poll and ppoll ---- */

/* Build the items of a pollfd array (already copied in). */
static void pollfd_items(const struct pollfd *fds, struct poll_item *items, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		items[i].want = (unsigned)(uint16_t)fds[i].events | POLLERR | POLLHUP;
		if (fds[i].fd < 0)
			continue;
		items[i].f = fd_file(fds[i].fd);
		items[i].bad_fd = !items[i].f;
	}
}

/* poll and ppoll: copy in, wait, copy revents out. */
static long poll_fds(struct pollfd *ufds, unsigned nfds, uint64_t deadline)
{
	if (nfds > (unsigned)fd_limit())
		return -EINVAL;
	size_t bytes = (size_t)nfds * sizeof(struct pollfd);
	struct pollfd *fds = kmalloc(bytes ? bytes : 1);
	struct poll_item *items = kzalloc(nfds ? nfds * sizeof(*items) : 1);
	long r = fds && items ? 0 : -ENOMEM;
	if (!r && copy_from_user(fds, ufds, bytes))
		r = -EFAULT;
	if (!r) {
		pollfd_items(fds, items, nfds);
		r = do_poll(items, nfds, deadline);
	}
	for (unsigned i = 0; r >= 0 && i < nfds; i++)
		fds[i].revents = (short)items[i].found;
	if (r >= 0 && copy_to_user(ufds, fds, bytes))
		r = -EFAULT;
	if (items)
		items_put(items, nfds);
	kfree(fds);
	return r;
}

long sys_poll(struct pollfd *ufds, unsigned nfds, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? POLL_FOREVER : deadline_after((uint64_t)timeout_ms * NSEC_PER_MSEC);
	return poll_fds(ufds, nfds, deadline);
}

long sys_ppoll(struct pollfd *ufds, unsigned nfds, struct __kernel_timespec *uts,
	       const uint64_t *umask, size_t sigsetsize)
{
	uint64_t deadline;
	long r = timespec_deadline(uts, &deadline);
	if (r)
		return r;
	r = sigmask_swap_in(umask, sigsetsize);
	if (r)
		return r;
	r = poll_fds(ufds, nfds, deadline);
	poll_sigmask_finish(r == -ERESTARTNOHAND);
	timespec_update(uts, deadline);
	return r;
}

/* ---- select and pselect6 ---- */

#define FDSET_WORDS(n) (((size_t)(n) + 63) / 64)

/* select's three fd sets (read, write, except) for n fds, copied in; a
 * NULL user set reads as empty. */
struct select_sets {
	int n;
	size_t words;                /* per set */
	uint64_t *bits;              /* 3 * words: the three sets in a row */
};

/* What each set asks of poll (Linux's fs/select.c). */
static const unsigned select_set_mask[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };

static bool fdset_has(const uint64_t *set, int fd)
{
	return set[fd / 64] & (1ULL << (fd % 64));
}

static void fdset_add(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

/* The poll bits fd is selected for in sets `bits` (3 * words words). */
static unsigned select_want(const uint64_t *bits, size_t words, int fd)
{
	unsigned want = 0;
	for (int k = 0; k < 3; k++)
		if (fdset_has(bits + k * words, fd))
			want |= select_set_mask[k];
	return want;
}

static int sets_in(struct select_sets *s, uint64_t *const uset[3])
{
	size_t bytes = s->words * sizeof(uint64_t);
	s->bits = kzalloc(bytes ? 3 * bytes : 1);
	if (!s->bits)
		return -ENOMEM;
	for (int k = 0; k < 3; k++)
		if (uset[k] && copy_from_user(s->bits + k * s->words, uset[k], bytes))
			return -EFAULT;
	return 0;
}

static int sets_out(const struct select_sets *s, uint64_t *const uset[3])
{
	size_t bytes = s->words * sizeof(uint64_t);
	for (int k = 0; k < 3; k++)
		if (uset[k] && copy_to_user(uset[k], s->bits + k * s->words, bytes))
			return -EFAULT;
	return 0;
}

/* Items for the fds named in any set; -EBADF if one is not open. *count
 * gets the number of items. */
static int select_items(const struct select_sets *s, struct poll_item *items, unsigned *count)
{
	*count = 0;
	for (int fd = 0; fd < s->n; fd++) {
		unsigned want = select_want(s->bits, s->words, fd);
		if (!want)
			continue;
		struct poll_item *it = &items[(*count)++];
		it->want = want;
		it->f = fd_file(fd);
		if (!it->f)
			return -EBADF;
	}
	return 0;
}

/* Replace the sets by the items' findings; the number of bits set, or
 * -ENOMEM. */
static long select_results(struct select_sets *s, const struct poll_item *items)
{
	size_t bytes = 3 * s->words * sizeof(uint64_t);
	uint64_t *asked = kmalloc(bytes ? bytes : 1);
	if (!asked)
		return -ENOMEM;
	memcpy(asked, s->bits, bytes);
	memset(s->bits, 0, bytes);
	long total = 0;
	unsigned i = 0;
	for (int fd = 0; fd < s->n; fd++) {
		if (!select_want(asked, s->words, fd))
			continue;
		unsigned found = items[i++].found;
		for (int k = 0; k < 3; k++) {
			if (fdset_has(asked + k * s->words, fd) && (found & select_set_mask[k])) {
				fdset_add(s->bits + k * s->words, fd);
				total++;
			}
		}
	}
	kfree(asked);
	return total;
}

/* do_select - select's work once the deadline is known. */
static long do_select(int n, uint64_t *uin, uint64_t *uout, uint64_t *uex, uint64_t deadline)
{
	if (n < 0)
		return -EINVAL;
	n = MIN(n, fd_limit());
	uint64_t *const uset[3] = { uin, uout, uex };
	struct select_sets s = { n, FDSET_WORDS(n), NULL };
	struct poll_item *items = kzalloc(n ? (size_t)n * sizeof(*items) : 1);
	unsigned count = 0;
	long r = items ? sets_in(&s, uset) : -ENOMEM;
	if (!r)
		r = select_items(&s, items, &count);
	if (!r)
		r = do_poll(items, count, deadline);
	if (r >= 0)
		r = select_results(&s, items);
	if (r >= 0) {
		long err = sets_out(&s, uset);
		r = err ? err : r;
	}
	if (items)
		items_put(items, count);
	kfree(s.bits);
	return r;
}

long sys_select(int n, uint64_t *uin, uint64_t *uout, uint64_t *uex, struct __kernel_old_timeval *utv)
{
	struct __kernel_old_timeval tv;
	uint64_t deadline = POLL_FOREVER;
	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		uint64_t sec = (uint64_t)tv.tv_sec + (uint64_t)tv.tv_usec / 1000000;
		if (sec < POLL_FOREVER / NSEC_PER_SEC)
			deadline = deadline_after(sec * NSEC_PER_SEC + (uint64_t)(tv.tv_usec % 1000000) * NSEC_PER_USEC);
	}
	long r = do_select(n, uin, uout, uex, deadline);
	if (utv && deadline != POLL_FOREVER) {
		uint64_t left = time_left(deadline);
		tv.tv_sec = (long)(left / NSEC_PER_SEC);
		tv.tv_usec = (long)(left % NSEC_PER_SEC / NSEC_PER_USEC);
		copy_to_user(utv, &tv, sizeof(tv));
	}
	return r;
}

/* pselect6's sixth argument: the mask and its size. */
struct pselect_sigmask {
	const uint64_t *mask;
	size_t size;
};

long sys_pselect6(int n, uint64_t *uin, uint64_t *uout, uint64_t *uex, struct __kernel_timespec *uts,
		  const struct pselect_sigmask *usig)
{
	struct pselect_sigmask sig = { NULL, 0 };
	uint64_t deadline;
	long r = timespec_deadline(uts, &deadline);
	if (r)
		return r;
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	r = sigmask_swap_in(sig.mask, sig.size);
	if (r)
		return r;
	r = do_select(n, uin, uout, uex, deadline);
	poll_sigmask_finish(r == -ERESTARTNOHAND);
	timespec_update(uts, deadline);
	return r;
}
