/*
 * futex_pi.c - priority-inheritance futexes: FUTEX_LOCK_PI, LOCK_PI2,
 * TRYLOCK_PI and UNLOCK_PI, with Linux's protocol on the user word.
 *
 * The word holds the owner's TID (0: free), FUTEX_WAITERS when someone
 * sleeps in the kernel for it, FUTEX_OWNER_DIED after an owner died
 * holding it. User space takes a free lock with cmpxchg(0 -> tid) and
 * gives it back with cmpxchg(tid -> 0); both fail once FUTEX_WAITERS is
 * set, sending the thread here. LOCK_PI sets FUTEX_WAITERS (if the owner
 * is a live thread: else ESRCH) and sleeps; UNLOCK_PI hands the lock
 * straight to the longest waiter (the word becomes its TID with
 * FUTEX_WAITERS), or frees it. A thread that exits owning PI futexes
 * others wait for hands each to its first waiter marked FUTEX_OWNER_DIED
 * (robust or not, as Linux does), so pthread's robust PI mutexes report
 * EOWNERDEAD to the waiter.
 *
 * Not done: the inheritance itself. Aspen's scheduler has no priority to
 * lend yet, so an owner runs at its own; waiters are served in arrival
 * order, not by priority.
 *
 * Lock: pi_mutex (sleeping) serializes every kernel-side PI operation
 * and guards pi_waiters; the user word is read and changed under it (a
 * fault there takes mm->lock, never pi_mutex). Sleepers drop it.
 */
#include "proc/task.h"
#include "proc/futex.h"
#include "proc/futex_impl.h"
#include "sync/mutex.h"
#include "sync/sleep.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include <linux/futex.h>

#define PI_TRIES 16

/* A thread asleep in LOCK_PI. (P) pi_mutex. */
struct pi_waiter {
	struct futex_q q;       /* key, task, woken; q.link on pi_waiters */
	uint64_t uaddr;         /* the word, in q.task's address space */
	int owner;              /* (P) the TID it waits for */
};

static struct mutex pi_mutex = {
	SPINLOCK_INIT("futex_pi"), NULL, LIST_HEAD_INIT(pi_mutex.waiters), "futex_pi"
};
static LIST_HEAD(pi_waiters);   /* (P) struct pi_waiter, oldest first */

static uint32_t my_tid(void) { return (uint32_t)current->tid; }

static bool tid_alive(uint32_t tid)
{
	spin_lock(&tasklist_lock);
	bool alive = task_find_locked((int)tid) != NULL;
	spin_unlock(&tasklist_lock);
	return alive;
}

/* The first waiter for key, or NULL. (P) */
static struct pi_waiter *first_waiter(const struct futex_key *key)
{
	struct pi_waiter *w;
	list_for_each_entry(w, &pi_waiters, q.link)
		if (futex_key_eq(&w->q.key, key))
			return w;
	return NULL;
}

/* Hand the lock to w: the word (holding old) becomes w's TID with
 * FUTEX_WAITERS and the given extra bits, and w wakes owning it. 0 or
 * -EFAULT/-EAGAIN (the word changed under us: the caller looks again). */
static int hand_over(uint64_t uaddr, uint32_t old, struct pi_waiter *w, uint32_t extra)
{
	uint32_t seen, nv = (uint32_t)w->q.task->tid | FUTEX_WAITERS | extra;
	if (user_cmpxchg32((uint32_t *)uaddr, old, nv, &seen))
		return -EFAULT;
	if (seen != old)
		return -EAGAIN;
	list_del(&w->q.link);
	struct pi_waiter *other;
	list_for_each_entry(other, &pi_waiters, q.link)
		if (futex_key_eq(&other->q.key, &w->q.key))
			other->owner = w->q.task->tid;
	__atomic_store_n(&w->q.woken, true, __ATOMIC_RELEASE);
	wake_task(w->q.task, false);
	return 0;
}

/*
 * One try at the word under pi_mutex: 1 taken, 0 must sleep (FUTEX_WAITERS
 * now set, *owner the holder), or -EDEADLK (ours), -ESRCH (the holder is
 * no thread), -EFAULT.
 */
static int try_take_locked(uint64_t uaddr, const struct futex_key *key, uint32_t *owner)
{
	uint32_t v;
	if (copy_from_user(&v, (void *)uaddr, sizeof(v)))
		return -EFAULT;
	for (int tries = 0; tries < PI_TRIES; tries++) {
		uint32_t tid = v & FUTEX_TID_MASK, nv, seen;
		if (tid == my_tid())
			return -EDEADLK;
		if (!tid)   /* free (perhaps OWNER_DIED): ours, waiters kept in the word */
			nv = my_tid() | (v & FUTEX_OWNER_DIED) | (first_waiter(key) ? FUTEX_WAITERS : 0);
		else if (!tid_alive(tid))
			return -ESRCH;
		else
			nv = v | FUTEX_WAITERS;
		if (user_cmpxchg32((uint32_t *)uaddr, v, nv, &seen))
			return -EFAULT;
		if (seen == v) {
			*owner = tid;
			return tid ? 0 : 1;
		}
		v = seen;
	}
	return -EAGAIN;
}

/* futex_lock_pi - see futex_impl.h: 0 (the lock is ours), -EDEADLK,
 * -ESRCH, -EFAULT, -EINVAL, -ETIMEDOUT, -ERESTARTNOINTR (a signal: the
 * call starts over, as Linux's), -EWOULDBLOCK (trylock, held). */
long futex_lock_pi(uint64_t uaddr, bool private, uint64_t deadline, bool trylock)
{
	struct pi_waiter w = { .q = { .task = current }, .uaddr = uaddr };
	int err = futex_key_get(uaddr, private, &w.q.key);
	if (err)
		return err;
	uint32_t owner = 0;
	mutex_lock(&pi_mutex);
	err = try_take_locked(uaddr, &w.q.key, &owner);
	if (err == 0 && trylock)
		err = -EWOULDBLOCK;
	if (err != 0) {
		mutex_unlock(&pi_mutex);
		return err == 1 ? 0 : err;
	}
	w.owner = (int)owner;
	list_add_tail(&w.q.link, &pi_waiters);
	mutex_unlock(&pi_mutex);
	err = futex_sleep(&w.q, deadline);
	mutex_lock(&pi_mutex);
	if (__atomic_load_n(&w.q.woken, __ATOMIC_ACQUIRE))
		err = 0;                       /* handed over: ours, whatever else happened */
	else
		list_del(&w.q.link);
	mutex_unlock(&pi_mutex);
	if (err == -ERESTARTSYS || err == -EINTR)
		err = -ERESTARTNOINTR;
	return err;
}

/* futex_unlock_pi - see futex_impl.h: 0, -EPERM (not the owner), -EFAULT. */
long futex_unlock_pi(uint64_t uaddr, bool private)
{
	struct futex_key key;
	int err = futex_key_get(uaddr, private, &key);
	if (err)
		return err;
	mutex_lock(&pi_mutex);
	for (int tries = 0; tries < PI_TRIES; tries++) {
		uint32_t v, seen;
		err = copy_from_user(&v, (void *)uaddr, sizeof(v)) ? -EFAULT : 0;
		if (!err && (v & FUTEX_TID_MASK) != my_tid())
			err = -EPERM;
		if (err)
			break;
		struct pi_waiter *w = first_waiter(&key);
		if (w)
			err = hand_over(uaddr, v, w, 0);
		else if (user_cmpxchg32((uint32_t *)uaddr, v, 0, &seen))
			err = -EFAULT;
		else
			err = seen == v ? 0 : -EAGAIN;
		if (err != -EAGAIN)
			break;
	}
	mutex_unlock(&pi_mutex);
	return err;
}

/* futex_pi_exit - t is exiting (robust list done): every PI futex of its
 * address space it still owns with waiters (the word holds its TID, or
 * 0 with OWNER_DIED from the robust list) goes to the first waiter,
 * marked FUTEX_OWNER_DIED. Runs in t. */
void futex_pi_exit(struct task *t)
{
	/* Nobody asleep in LOCK_PI at all (every thread's exit but in a
	 * program that uses PI futexes): no lock to take. A waiter that adds
	 * itself after this look would as well have come after the lock. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pi_waiters.next, __ATOMIC_RELAXED) == &pi_waiters)
		return;
	mutex_lock(&pi_mutex);
	struct pi_waiter *w, *n;
	list_for_each_entry_safe(w, n, &pi_waiters, q.link) {
		if (w->owner != t->tid || w->q.task->mm != t->mm)
			continue;
		for (int tries = 0; tries < PI_TRIES; tries++) {
			uint32_t v;
			if (copy_from_user(&v, (void *)w->uaddr, sizeof(v)))
				break;
			uint32_t tid = v & FUTEX_TID_MASK;
			if (tid != (uint32_t)t->tid && !(tid == 0 && (v & FUTEX_OWNER_DIED)))
				break;
			if (hand_over(w->uaddr, v, w, FUTEX_OWNER_DIED) != -EAGAIN)
				break;
		}
	}
	mutex_unlock(&pi_mutex);
}
