/*
 * futex_waitv.c - futex_waitv(2) (Linux 5.16): sleep on up to 128
 * futex words at once until one is woken.
 *
 * Each entry (struct futex_waitv: val, uaddr, flags) becomes a queued
 * futex_q of the caller (futex.c's queues, so FUTEX_WAKE on any of the
 * words wakes it). As futex_wait, every waiter is queued before the
 * words are read: a word that no longer holds its value is -EAGAIN,
 * unless a waiter was woken meanwhile. The result is the index of a
 * woken entry. The timeout is absolute, on CLOCK_MONOTONIC or
 * CLOCK_REALTIME; a signal restarts the call (-ERESTARTSYS, as Linux).
 * Flags: FUTEX2_SIZE_U32 (the only size Linux takes here), optionally
 * FUTEX2_PRIVATE; anything else, a nonzero reserved field or a value
 * above 32 bits is EINVAL.
 */
#include "proc/task.h"
#include "proc/futex_impl.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "time/clock.h"
#include <linux/futex.h>
#include <linux/time.h>
#include <linux/time_types.h>

#define NO_DEADLINE UINT64_MAX
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG

/* The absolute deadline, on the monotonic or the wall clock (sync/sleep.h). */
static int waitv_deadline(const struct __kernel_timespec *ut, int clockid, uint64_t *deadline)
{
	uint64_t ns;
	*deadline = NO_DEADLINE;
	if (!ut)
		return 0;
	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
		return -EINVAL;
	int err = futex_timespec_ns(ut, &ns);
	if (err)
		return err;
	*deadline = clockid == CLOCK_REALTIME ? deadline_realtime(ns) : ns;
	return 0;
}

/* A word to check: its address and expected value. */
struct waitv_word {
	uint64_t uaddr;
	uint32_t val;
};

/* Read and check the entries: each q's key, each word. */
static int waitv_parse(const struct futex_waitv *uw, unsigned n, struct futex_q *qs, struct waitv_word *words)
{
	for (unsigned i = 0; i < n; i++) {
		struct futex_waitv w;
		if (copy_from_user(&w, &uw[i], sizeof(w)))
			return -EFAULT;
		if ((w.flags & ~(uint32_t)(FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)) ||
		    (w.flags & 3) != FUTEX2_SIZE_U32 || w.__reserved || w.val > UINT32_MAX)
			return -EINVAL;
		int err = futex_key_get(w.uaddr, w.flags & FUTEX2_PRIVATE, &qs[i].key);
		if (err)
			return err;
		qs[i].bitset = FUTEX_BITSET_MATCH_ANY;
		qs[i].task = current;
		words[i].uaddr = w.uaddr;
		words[i].val = (uint32_t)w.val;
	}
	return 0;
}

/* Take every waiter off its queue: the index of one that was woken, or err. */
static long waitv_unqueue(struct futex_q *qs, unsigned n, long err)
{
	long woken = -1;
	for (unsigned i = 0; i < n; i++)
		if (futex_unqueue(&qs[i]) && woken < 0)
			woken = i;
	return woken >= 0 ? woken : err;
}

/* Queue all, then check the words and sleep. */
static long waitv_sleep(struct futex_q *qs, const struct waitv_word *words, unsigned n, uint64_t deadline)
{
	for (unsigned i = 0; i < n; i++)
		futex_queue(&qs[i]);
	long err = 0;
	for (unsigned i = 0; i < n && !err; i++) {
		uint32_t cur;
		if (copy_from_user(&cur, (const void *)words[i].uaddr, sizeof(cur)))
			err = -EFAULT;
		else if (cur != words[i].val)
			err = -EAGAIN;
	}
	if (!err)
		err = futex_sleep_any(qs, (int)n, deadline);
	return waitv_unqueue(qs, n, err);
}

long sys_futex_waitv(const struct futex_waitv *uw, unsigned n, unsigned flags,
		     const struct __kernel_timespec *timeout, int clockid)
{
	uint64_t deadline;
	if (flags || !n || n > FUTEX_WAITV_MAX || !uw)
		return -EINVAL;
	long err = waitv_deadline(timeout, clockid, &deadline);
	if (err)
		return err;
	struct futex_q *qs = kzalloc(n * (sizeof(*qs) + sizeof(struct waitv_word)));
	if (!qs)
		return -ENOMEM;
	struct waitv_word *words = (struct waitv_word *)(qs + n);
	err = waitv_parse(uw, n, qs, words);
	if (!err)
		err = waitv_sleep(qs, words, n, deadline);
	kfree(qs);
	return err;
}
