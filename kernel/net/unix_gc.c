/*
 * unix_gc.c - collecting AF_UNIX sockets that only messages in flight
 * keep (Linux's net/unix/garbage.c, its classic algorithm).
 *
 * A socket sent over itself (or a ring of sockets each queued on the
 * next) and then closed by everyone is held by its own messages: its
 * file's references are all in flight, in queues nobody can read. Such
 * sockets are found and their queues emptied, which drops the last
 * references, after a close of any AF_UNIX socket while sockets are in
 * flight:
 *
 *  1. candidates: the in-flight sockets whose file has no reference but
 *     their messages in flight (refcount == inflight); each is pinned
 *     and its in-flight count noted (unix_inflight_lock held, so no
 *     count moves meanwhile);
 *  2. each candidate's queue (and its embryos', for a listener) is read
 *     and, for each candidate a message there carries, one reference is
 *     counted as internal;
 *  3. a candidate with more in-flight references than internal ones is
 *     reachable from outside: from a live socket's queue, or a message
 *     being sent or received. It, and every candidate its queue carries,
 *     transitively, is alive;
 *  4. the queues of the others are emptied and freed: every file they
 *     carried loses its reference, and the garbage sockets go with them.
 *
 * Counts only move towards "alive": a message that leaves a queue or
 * joins one while this runs is either not counted as internal (so its
 * socket stays) or sits in a garbage queue that nobody can read.
 *
 * Locks: one collection at a time (gc_busy, an atomic flag: a close
 * meanwhile, including those the collection causes itself, asks for
 * another pass instead of waiting); the (G) fields of struct unix_sock
 * are the running collection's. It takes each socket's lock alone and
 * unix_inflight_lock, as a close does; the queues it empties are freed
 * with no lock held.
 */
#include "net/unix.h"
#include "fs/file.h"
#include "lib/list.h"
#include "lib/spinlock.h"

static int gc_busy;              /* (a) a collection runs */
static int gc_again;             /* (a) a close asked for one meanwhile */

/* The AF_UNIX socket behind f, or NULL. */
static struct unix_sock *unix_of_file(struct file *f)
{
	struct socket *s = f ? sock_of(f) : NULL;
	return s && s->family == AF_UNIX ? unix_sk(s) : NULL;
}

/* 1. Pin the candidates onto cands (unix_inflight_lock held inside). */
static void gc_candidates(struct list_head *cands)
{
	struct unix_sock *u;
	spin_lock(&unix_inflight_lock);
	list_for_each_entry(u, &unix_inflight_socks, inflight_link) {
		uint32_t refs = __atomic_load_n(&u->file->refcount, __ATOMIC_ACQUIRE);
		if (refs != u->inflight)
			continue;
		u->gc_candidate = true;
		u->gc_alive = false;
		u->gc_inflight = u->inflight;
		u->gc_internal = 0;
		unix_get(u);
		list_add_tail(&u->gc_link, cands);
	}
	spin_unlock(&unix_inflight_lock);
}

typedef void (*gc_visit_fn)(struct unix_sock *target, void *arg);

/* Call fn for each candidate carried by a message queued on u. u->lock held. */
static void gc_scan_queue_locked(struct unix_sock *u, gc_visit_fn fn, void *arg)
{
	struct unix_skb *skb;
	list_for_each_entry(skb, &u->rq, link) {
		for (int i = 0; skb->fp && i < skb->fp->count; i++) {
			struct unix_sock *t = unix_of_file(skb->fp->files[i]);
			if (t && t->gc_candidate)
				fn(t, arg);
		}
	}
}

/* Call fn for each candidate that u's queue, or the queue of one of its
 * embryos (a listener's unaccepted connections), carries. Takes each
 * socket's lock alone. */
static void gc_scan(struct unix_sock *u, gc_visit_fn fn, void *arg)
{
	LIST_HEAD(embryos);
	struct unix_sock *e, *next;
	mutex_lock(&u->lock);
	gc_scan_queue_locked(u, fn, arg);
	list_for_each_entry(e, &u->accq, acc_link) {
		unix_get(e);
		list_add_tail(&e->gc_link, &embryos);
	}
	mutex_unlock(&u->lock);
	list_for_each_entry_safe(e, next, &embryos, gc_link) {
		mutex_lock(&e->lock);
		gc_scan_queue_locked(e, fn, arg);
		mutex_unlock(&e->lock);
		list_del(&e->gc_link);
		unix_put(e);
	}
}

static void count_internal(struct unix_sock *t, void *arg)
{
	t->gc_internal++;
}

static void mark_alive(struct unix_sock *t, void *arg)
{
	if (!t->gc_alive) {
		t->gc_alive = true;
		*(bool *)arg = true;
	}
}

/* 2 and 3: mark the candidates reachable from outside, and those their
 * queues carry, transitively. */
static void gc_mark_alive(struct list_head *cands)
{
	struct unix_sock *u;
	list_for_each_entry(u, cands, gc_link)
		gc_scan(u, count_internal, NULL);
	list_for_each_entry(u, cands, gc_link)
		if (u->gc_inflight > u->gc_internal)
			u->gc_alive = true;
	bool more = true;
	while (more) {
		more = false;
		list_for_each_entry(u, cands, gc_link)
			if (u->gc_alive)
				gc_scan(u, mark_alive, &more);
	}
}

/* Move u's queued messages, and its embryos', onto msgs. */
static void gc_take_queue(struct unix_sock *u, struct list_head *msgs)
{
	struct unix_sock *e;
	mutex_lock(&u->lock);
	list_splice_init(&u->rq, msgs);
	u->rq_bytes = u->rq_len = 0;
	list_for_each_entry(e, &u->accq, acc_link) {
		/* an embryo's lock is never taken under its listener's: the
		 * listener is garbage, so nobody accepts or sends to it now,
		 * but its peer may still send: take the lock */
		unix_get(e);
		mutex_unlock(&u->lock);
		mutex_lock(&e->lock);
		list_splice_init(&e->rq, msgs);
		e->rq_bytes = e->rq_len = 0;
		mutex_unlock(&e->lock);
		mutex_lock(&u->lock);
		unix_put(e);
	}
	mutex_unlock(&u->lock);
	wake_up(&u->wq);
}

/* One collection: returns the messages of the garbage queues on msgs,
 * and unpins every candidate. */
static void gc_collect(struct list_head *msgs)
{
	LIST_HEAD(cands);
	struct unix_sock *u, *next;
	gc_candidates(&cands);
	if (list_empty(&cands))
		return;
	gc_mark_alive(&cands);
	list_for_each_entry(u, &cands, gc_link)
		if (!u->gc_alive)
			gc_take_queue(u, msgs);
	list_for_each_entry_safe(u, next, &cands, gc_link) {
		u->gc_candidate = false;
		list_del(&u->gc_link);
		unix_put(u);   /* the last reference if it was closed meanwhile */
	}
}

void unix_gc(void)
{
	if (!__atomic_load_n(&unix_inflight_sockets, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&gc_again, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&gc_again, __ATOMIC_ACQUIRE) &&
	       !__atomic_exchange_n(&gc_busy, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_exchange_n(&gc_again, 0, __ATOMIC_ACQ_REL)) {
			LIST_HEAD(msgs);
			gc_collect(&msgs);
			unix_purge(&msgs);   /* may close sockets: they ask for gc_again */
		}
		__atomic_store_n(&gc_busy, 0, __ATOMIC_RELEASE);
	}
}
