/*
 * futex_impl.h - what futex.c shares with futex_pi.c: keys, queued
 * sleepers and the sleep itself.
 */
#ifndef ASPEN_PROC_FUTEX_IMPL_H
#define ASPEN_PROC_FUTEX_IMPL_H
#include "lib/kernel.h"
#include "lib/list.h"

struct mm;
struct task;

struct futex_key {
	struct mm *mm;          /* NULL: addr is the word's physical address */
	uint64_t addr;
};

struct futex_q {
	struct list_head link;  /* (F) in its hash bucket (futex_pi.c: its own list) */
	struct futex_key key;   /* (F) requeue changes it */
	uint32_t bitset;        /* (-) FUTEX_WAIT_BITSET's mask */
	struct task *task;      /* (-) the sleeper */
	bool woken;             /* (F) a waker took it off the queue */
};

/* futex_key_get - the key of the word at uaddr (private: this mm and
 * the address; else what is mapped there). 0, -EINVAL, -EFAULT. */
int futex_key_get(uint64_t uaddr, bool private, struct futex_key *key);
bool futex_key_eq(const struct futex_key *a, const struct futex_key *b);
/* futex_sleep - sleep until q->woken, the deadline on the monotonic
 * clock (UINT64_MAX: none; -ETIMEDOUT) or a signal (-ERESTARTSYS
 * without a deadline, -EINTR with one). */
int futex_sleep(struct futex_q *q, uint64_t deadline);
/* futex_sleep_any - the same for the first of n queued waiters of the
 * caller to be woken; a signal is -ERESTARTSYS, deadline or not. */
int futex_sleep_any(struct futex_q *qs, int n, uint64_t deadline);
/* futex_timespec_ns - a user timespec as nanoseconds (clamped far in
 * the future): 0, -EFAULT, or -EINVAL when it is not a valid time. */
struct __kernel_timespec;
int futex_timespec_ns(const struct __kernel_timespec *ut, uint64_t *ns);
/* futex_queue / futex_unqueue - put q on its key's queue / take it off;
 * futex_unqueue is true if a waker had already done so. Take (F). */
void futex_queue(struct futex_q *q);
bool futex_unqueue(struct futex_q *q);

/* futex_pi.c: the PI operations and what a thread's exit does to them. */
long futex_lock_pi(uint64_t uaddr, bool private, uint64_t deadline, bool trylock);
long futex_unlock_pi(uint64_t uaddr, bool private);
void futex_pi_exit(struct task *t);
#endif
