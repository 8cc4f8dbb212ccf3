/*
 * futex.c - futex(2): sleeping on a word of user memory.
 *
 * A futex is a 32-bit word in user memory. User space does the
 * uncontended work with atomic instructions and calls the kernel only
 * to sleep while the word still holds a value it saw (FUTEX_WAIT) and
 * to wake sleepers after changing it (FUTEX_WAKE). pthread mutexes,
 * condition variables, joins and once-calls of both libcs are built on
 * these two, plus requeue and wake-op.
 *
 * Keys. Sleepers are found by the word they sleep on:
 *   private word (FUTEX_PRIVATE_FLAG, or a private mapping)
 *                      (mm, user address)
 *   MAP_SHARED word    (NULL, physical address of the word), so that
 *                      processes sharing the frame (fork of a MAP_SHARED
 *                      mapping) meet on the same key.
 *
 * No lost wake-ups. A waiter is put on the queue before it reads the
 * word. A waker changes the word, then wakes: either the waiter reads
 * the new value (EAGAIN), or it was already queued and the wake finds
 * it. A waiter that was woken returns 0 even if it then saw a changed
 * value, a timeout or a signal: its wake-up was counted by the waker.
 *
 * Read-modify-write of user words (FUTEX_WAKE_OP, robust lists) is a
 * compare-and-exchange loop (user_cmpxchg32), atomic against threads on
 * other CPUs.
 *
 * Lock (F) futex_lock: the hash table and every queued futex_q's link,
 * key and woken flag. Taken before the run-queue locks (wake_task); never held
 * across a user copy or anything that sleeps.
 */
#include "proc/task.h"
#include "proc/futex.h"
#include "proc/futex_impl.h"
#include "proc/sched.h"
#include "mm/vm.h"
#include "mm/pagetable.h"
#include "mm/fault.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "time/clock.h"
#include <linux/futex.h>
#include <linux/time_types.h>

#define FUTEX_HASH_SIZE 64
#define NO_DEADLINE UINT64_MAX
#define FUTEX_RMW_TRIES 8       /* page stolen between fault-in and access */
#define FUTEX_KEY_TRIES 3
#define ROBUST_LIST_LIMIT 2048  /* Linux's bound on a (possibly circular) list */
#define NSEC_PER_SEC 1000000000L



/* The robust list head in user memory (struct robust_list_head). */
struct robust_head_user {
	uint64_t next;          /* first entry; bit 0: a PI futex */
	int64_t futex_offset;   /* from an entry to its futex word */
	uint64_t op_pending;    /* entry being locked or unlocked, or 0 */
};

static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct list_head futex_hash[FUTEX_HASH_SIZE];   /* (F) zero until first use */

bool futex_key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->mm == b->mm && a->addr == b->addr;
}

/* The bucket of key, initialised on first use. (F) held. */
static struct list_head *bucket_locked(const struct futex_key *k)
{
	uint64_t h = ((uint64_t)k->mm ^ (k->addr >> 2)) * 0x9e3779b97f4a7c15UL;
	struct list_head *b = &futex_hash[h >> 58];
	if (!b->next)
		list_init(b);
	return b;
}

/* ---- keys ---- */

/* The key of a word in a MAP_SHARED region: its physical address. The
 * read faults the page in; if it is gone again by the time we look
 * (unmapped by another thread), try again. */
static int key_shared(uint64_t uaddr, struct futex_key *key)
{
	struct mm *mm = current->mm;
	for (int tries = 0; tries < FUTEX_KEY_TRIES; tries++) {
		uint32_t v;
		if (copy_from_user(&v, (void *)uaddr, sizeof(v)))
			return -EFAULT;
		mutex_lock(&mm->lock);
		struct region *r = region_find(&mm->regions, uaddr);
		bool shared = r && (r->flags & REGION_SHARED);
		const pte_t *pte = shared ? pt_lookup(mm, uaddr) : NULL;
		bool present = pte && pte_present(*pte);
		if (present)
			*key = (struct futex_key){ NULL, pte_addr(*pte) + (uaddr & ~PAGE_MASK) };
		mutex_unlock(&mm->lock);
		if (!shared || present)
			return 0;
	}
	return -EFAULT;
}

/* futex_key_get - the key of the word at uaddr: 0, -EINVAL (not 4-byte
 * aligned) or -EFAULT. May sleep (shared keys read the word). */
int futex_key_get(uint64_t uaddr, bool private, struct futex_key *key)
{
	if (uaddr & (sizeof(uint32_t) - 1))
		return -EINVAL;
	if (!access_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	*key = (struct futex_key){ current->mm, uaddr };
	return private ? 0 : key_shared(uaddr, key);
}

/* ---- queue ---- */

void futex_queue(struct futex_q *q)
{
	spin_lock(&futex_lock);
	list_add_tail(&q->link, bucket_locked(&q->key));
	spin_unlock(&futex_lock);
}

bool futex_unqueue(struct futex_q *q)
{
	spin_lock(&futex_lock);
	bool woken = q->woken;
	if (!woken)
		list_del(&q->link);
	spin_unlock(&futex_lock);
	return woken;
}

/* Wake one queued waiter. (F) held; q may vanish once it is released. */
static void wake_one_locked(struct futex_q *q)
{
	struct task *t = q->task;
	list_del(&q->link);
	__atomic_store_n(&q->woken, true, __ATOMIC_RELEASE);
	wake_task(t, true);
}

/* Wake waiters on key whose bitset meets bitset: at least one (as
 * Linux: nr <= 0 wakes one), at most nr. Returns how many. (F) held. */
static int wake_locked(const struct futex_key *key, int nr, uint32_t bitset)
{
	struct futex_q *q, *n;
	int woken = 0;
	list_for_each_entry_safe(q, n, bucket_locked(key), link) {
		if (!futex_key_eq(&q->key, key) || !(q->bitset & bitset))
			continue;
		wake_one_locked(q);
		if (++woken >= nr)
			break;
	}
	return woken;
}

/* ---- FUTEX_WAIT ---- */

/* Sleep until woken, the deadline (-ETIMEDOUT) or a signal: without a
 * deadline -ERESTARTSYS (the wait resumes after a handler with
 * SA_RESTART or a stop, as Linux's), with one -EINTR (Linux's restart
 * block would resume it after a stop; both libcs retry on EINTR). */
int futex_sleep(struct futex_q *q, uint64_t deadline)
{
	int err = futex_sleep_any(q, 1, deadline);
	return err == -ERESTARTSYS && deadline != NO_DEADLINE ? -EINTR : err;
}

static bool any_woken(struct futex_q *qs, int n)
{
	for (int i = 0; i < n; i++)
		if (__atomic_load_n(&qs[i].woken, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int futex_sleep_any(struct futex_q *qs, int n, uint64_t deadline)
{
	int err = 0;
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (any_woken(qs, n))
			break;
		if (signal_pending_current()) {
			err = -ERESTARTSYS;
			break;
		}
		if (deadline == NO_DEADLINE) {
			schedule();
		} else if (deadline_passed(deadline)) {
			err = -ETIMEDOUT;
			break;
		} else {
			schedule_until(deadline);
		}
	}
	set_current_state(TASK_RUNNING);
	return err;
}

/* futex_wait - sleep on uaddr while it holds val. 0 when woken, or
 * -EAGAIN (value differs), -ETIMEDOUT, -ERESTARTSYS or -EINTR (a
 * signal), -EFAULT, -EINVAL. */
static long futex_wait(uint64_t uaddr, bool private, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct futex_q q = { .bitset = bitset, .task = current };
	if (!bitset)
		return -EINVAL;
	int err = futex_key_get(uaddr, private, &q.key);
	if (err)
		return err;
	futex_queue(&q);
	uint32_t cur;
	if (copy_from_user(&cur, (void *)uaddr, sizeof(cur)))
		err = -EFAULT;
	else if (cur != val)
		err = -EAGAIN;
	else
		err = futex_sleep(&q, deadline);
	return futex_unqueue(&q) ? 0 : err;
}

/* The deadline for a timeout: relative for FUTEX_WAIT, absolute for
 * the others, on CLOCK_REALTIME if asked (a wall-clock deadline:
 * sync/sleep.h). */
int futex_timespec_ns(const struct __kernel_timespec *ut, uint64_t *ns)
{
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, ut, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	uint64_t max_sec = (NO_DEADLINE - 1) / NSEC_PER_SEC / 2;
	*ns = (uint64_t)MIN((uint64_t)ts.tv_sec, max_sec) * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

static int futex_deadline(const struct __kernel_timespec *ut, int cmd, int op, uint64_t *deadline)
{
	uint64_t ns;
	*deadline = NO_DEADLINE;
	if (!ut)
		return 0;
	int err = futex_timespec_ns(ut, &ns);
	if (err)
		return err;
	if (cmd == FUTEX_WAIT)
		*deadline = arch_clock_ns() + ns;
	else if (op & FUTEX_CLOCK_REALTIME)
		*deadline = deadline_realtime(ns);   /* follows the wall clock when it is set */
	else
		*deadline = ns;
	return 0;
}

/* ---- FUTEX_WAKE ---- */

static long futex_wake(uint64_t uaddr, bool private, int nr, uint32_t bitset)
{
	struct futex_key key;
	if (!bitset)
		return -EINVAL;
	int err = futex_key_get(uaddr, private, &key);
	if (err)
		return err;
	spin_lock(&futex_lock);
	int woken = wake_locked(&key, nr, bitset);
	spin_unlock(&futex_lock);
	return woken;
}

long futex_wake_shared(uint64_t uaddr, int nr)
{
	return futex_wake(uaddr, false, nr, FUTEX_BITSET_MATCH_ANY);
}

/* ---- FUTEX_REQUEUE, FUTEX_CMP_REQUEUE ---- */

/* Move q to key. (F) held. Within one bucket it stays in place, so a
 * walk of that bucket does not meet it again. */
static void requeue_locked(struct futex_q *q, const struct futex_key *key)
{
	struct list_head *to = bucket_locked(key);
	if (to != bucket_locked(&q->key)) {
		list_del(&q->link);
		list_add_tail(&q->link, to);
	}
	q->key = *key;
}

/* Wake nr_wake waiters of k1, move up to nr_requeue more to k2 (Linux's
 * loop, counts included). Returns woken + moved. (F) held. */
static int requeue_all_locked(const struct futex_key *k1, const struct futex_key *k2,
			      int nr_wake, int nr_requeue)
{
	struct futex_q *q, *n;
	int count = 0;
	list_for_each_entry_safe(q, n, bucket_locked(k1), link) {
		if (count - nr_wake >= nr_requeue)
			break;
		if (!futex_key_eq(&q->key, k1))
			continue;
		if (++count <= nr_wake)
			wake_one_locked(q);
		else
			requeue_locked(q, k2);
	}
	return count;
}

/* cmpval NULL for FUTEX_REQUEUE; else FUTEX_CMP_REQUEUE: -EAGAIN unless
 * *uaddr == *cmpval. */
static long futex_requeue(uint64_t uaddr, bool private, int nr_wake, int nr_requeue,
			  uint64_t uaddr2, const uint32_t *cmpval)
{
	struct futex_key k1, k2;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	int err = futex_key_get(uaddr, private, &k1);
	if (!err)
		err = futex_key_get(uaddr2, private, &k2);
	if (err)
		return err;
	uint32_t cur;
	if (cmpval && copy_from_user(&cur, (void *)uaddr, sizeof(cur)))
		return -EFAULT;
	if (cmpval && cur != *cmpval)
		return -EAGAIN;
	spin_lock(&futex_lock);
	int count = requeue_all_locked(&k1, &k2, nr_wake, nr_requeue);
	spin_unlock(&futex_lock);
	return count;
}

/* ---- FUTEX_WAKE_OP ---- */

/* Replace the word at uaddr by fn(old, arg); the old value in *old.
 * 0 or -EFAULT. Atomic against other threads (a cmpxchg loop). */
static int user_word_update(uint64_t uaddr, uint32_t (*fn)(uint32_t, uint32_t), uint32_t arg,
			    uint32_t *old)
{
	uint32_t v;
	if ((uaddr & 3) || copy_from_user(&v, (void *)uaddr, sizeof(v)))
		return -EFAULT;
	for (int tries = 0; tries < FUTEX_RMW_TRIES; tries++) {
		uint32_t seen;
		if (user_cmpxchg32((uint32_t *)uaddr, v, fn(v, arg), &seen))
			return -EFAULT;
		if (seen == v) {
			*old = v;
			return 0;
		}
		v = seen;   /* another thread changed it: again with its value */
	}
	return -EFAULT;
}

static uint32_t op_set(uint32_t v, uint32_t a) { return a; }
static uint32_t op_add(uint32_t v, uint32_t a) { return v + a; }
static uint32_t op_or(uint32_t v, uint32_t a) { return v | a; }
static uint32_t op_andn(uint32_t v, uint32_t a) { return v & ~a; }
static uint32_t op_xor(uint32_t v, uint32_t a) { return v ^ a; }

static uint32_t (*const wake_ops[])(uint32_t, uint32_t) = {
	[FUTEX_OP_SET] = op_set, [FUTEX_OP_ADD] = op_add, [FUTEX_OP_OR] = op_or,
	[FUTEX_OP_ANDN] = op_andn, [FUTEX_OP_XOR] = op_xor,
};

/* 12-bit two's complement fields of the encoded operation. */
static int32_t sign_extend12(uint32_t v)
{
	return (int32_t)(v << 20) >> 20;
}

static bool wake_op_cmp(unsigned cmp, int32_t old, int32_t arg)
{
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: return old == arg;
	case FUTEX_OP_CMP_NE: return old != arg;
	case FUTEX_OP_CMP_LT: return old < arg;
	case FUTEX_OP_CMP_LE: return old <= arg;
	case FUTEX_OP_CMP_GT: return old > arg;
	default: return old >= arg;   /* FUTEX_OP_CMP_GE */
	}
}

/* Apply the encoded operation to *uaddr2, wake nr_wake waiters on
 * uaddr and, if the old value of *uaddr2 passes the comparison,
 * nr_wake2 on uaddr2. Returns the total woken; -ENOSYS for an unknown
 * operation or comparison. */
static long futex_wake_op(uint64_t uaddr, bool private, int nr_wake, int nr_wake2,
			  uint64_t uaddr2, uint32_t encoded)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = sign_extend12(encoded >> 12), cmparg = sign_extend12(encoded);
	struct futex_key k1, k2;
	if (op >= ARRAY_SIZE(wake_ops) || cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = 1 << (oparg & 31);
	int err = futex_key_get(uaddr, private, &k1);
	if (!err)
		err = futex_key_get(uaddr2, private, &k2);
	uint32_t old;
	if (!err)
		err = user_word_update(uaddr2, wake_ops[op], (uint32_t)oparg, &old);
	if (err)
		return err;
	spin_lock(&futex_lock);
	int woken = wake_locked(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	if (wake_op_cmp(cmp, (int32_t)old, cmparg))
		woken += wake_locked(&k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
	spin_unlock(&futex_lock);
	return woken;
}

/* ---- the system call ---- */

static bool cmd_takes_realtime(int cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAIT_REQUEUE_PI ||
	       cmd == FUTEX_LOCK_PI2;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3). LOCK_PI,
 * LOCK_PI2, TRYLOCK_PI and UNLOCK_PI are in futex_pi.c; the requeue-PI
 * pair is not implemented (-ENOSYS). */
long sys_futex(uint32_t *uaddr, int op, uint32_t val, const struct __kernel_timespec *utime,
	       uint32_t *uaddr2, uint32_t val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	int val2 = (int)(long)utime;   /* REQUEUE, CMP_REQUEUE, WAKE_OP pass a count here */
	uint64_t deadline;
	if ((op & FUTEX_CLOCK_REALTIME) && !cmd_takes_realtime(cmd))
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET: {
		int err = futex_deadline(utime, cmd, op, &deadline);
		return err ? err : futex_wait((uint64_t)uaddr, private, val, deadline, val3);
	}
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		return futex_wake((uint64_t)uaddr, private, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue((uint64_t)uaddr, private, (int)val, val2, (uint64_t)uaddr2, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue((uint64_t)uaddr, private, (int)val, val2, (uint64_t)uaddr2, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op((uint64_t)uaddr, private, (int)val, val2, (uint64_t)uaddr2, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI: {
		int err = cmd == FUTEX_TRYLOCK_PI ? 0 : futex_deadline(utime, FUTEX_LOCK_PI,
			cmd == FUTEX_LOCK_PI ? op | FUTEX_CLOCK_REALTIME : op, &deadline);
		if (cmd == FUTEX_TRYLOCK_PI)
			deadline = NO_DEADLINE;
		return err ? err : futex_lock_pi((uint64_t)uaddr, private, deadline,
						 cmd == FUTEX_TRYLOCK_PI);
	}
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi((uint64_t)uaddr, private);
	default:
		return -ENOSYS;
	}
}

/* ---- thread exit: robust lists and CLONE_CHILD_CLEARTID ---- */

/* The owner of a robust futex died: mark it OWNER_DIED and wake one
 * waiter, as Linux's handle_futex_death. pending: the entry was being
 * locked or unlocked, so an unowned word may still have a sleeper. */
static void robust_futex_death(uint64_t uaddr, int tid, bool pi, bool pending)
{
	if ((uaddr & 3) || !access_ok(uaddr, sizeof(uint32_t)))
		return;
	uint32_t v;
	if (copy_from_user(&v, (void *)uaddr, sizeof(v)))
		return;
	for (int tries = 0; tries < FUTEX_RMW_TRIES; tries++) {
		uint32_t owner = v & FUTEX_TID_MASK;
		if (pending && !pi && !owner) {
			futex_wake_shared(uaddr, 1);
			return;
		}
		if (owner != (uint32_t)tid)
			return;
		uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED, seen;
		if (user_cmpxchg32((uint32_t *)uaddr, v, nv, &seen))
			return;
		if (seen == v) {
			if (!pi && (v & FUTEX_WAITERS))
				futex_wake_shared(uaddr, 1);
			return;
		}
		v = seen;
	}
}

/* Walk t's robust list (set_robust_list), at most ROBUST_LIST_LIMIT
 * entries; a fault ends the walk. */
static void robust_list_release(struct task *t)
{
	struct robust_head_user head;
	uint64_t uhead = t->robust_list;
	t->robust_list = 0;
	if (!uhead || copy_from_user(&head, (void *)uhead, sizeof(head)))
		return;
	uint64_t pending = head.op_pending & ~1UL;
	uint64_t entry = head.next;
	for (int n = 0; n < ROBUST_LIST_LIMIT && (entry & ~1UL) && (entry & ~1UL) != uhead; n++) {
		uint64_t e = entry & ~1UL, next;
		int rc = copy_from_user(&next, (void *)e, sizeof(next));
		if (e != pending)
			robust_futex_death(e + (uint64_t)head.futex_offset, t->tid, entry & 1, false);
		if (rc)
			return;
		entry = next;
	}
	if (pending)
		robust_futex_death(pending + (uint64_t)head.futex_offset, t->tid, head.op_pending & 1, true);
}

void futex_exit_release(struct task *t)
{
	robust_list_release(t);
	futex_pi_exit(t);          /* after: OWNER_DIED, if robust, goes with it */
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copy_to_user((void *)t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_shared(t->clear_child_tid, 1);
		t->clear_child_tid = 0;
	}
}
