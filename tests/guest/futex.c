/*
 * futex.c - the futex system call itself, through syscall(): WAIT's
 * value check (EAGAIN) and timeouts (relative, absolute on either
 * clock), WAKE's count, bitsets, CMP_REQUEUE and REQUEUE, WAKE_OP, a
 * shared futex across fork, a signal interrupting a wait, the
 * argument errors; futex_waitv's checks, timeout and woken index.
 */
// GUEST: glibc
#include "gtest.h"
#include <pthread.h>

/* <linux/futex.h>'s values (musl's toolchain has no kernel headers). */
#define FUTEX_WAIT                 0
#define FUTEX_WAKE                 1
#define FUTEX_REQUEUE              3
#define FUTEX_CMP_REQUEUE          4
#define FUTEX_WAKE_OP              5
#define FUTEX_WAIT_BITSET          9
#define FUTEX_WAKE_BITSET          10
#define FUTEX_PRIVATE_FLAG         128
#define FUTEX_CLOCK_REALTIME       256
#define FUTEX_WAIT_PRIVATE         (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE         (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE      (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE  (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE      (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE  (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE  (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY     0xffffffffu
#define FUTEX_OP_SET               0
#define FUTEX_OP_ADD               1
#define FUTEX_OP_OR                2
#define FUTEX_OP_OPARG_SHIFT       8
#define FUTEX_OP_CMP_EQ            0
#define FUTEX_OP_CMP_NE            1
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

#define WAITERS      3
#define NS_PER_MS    1000000L

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts,
		  uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / NS_PER_MS;
}

static struct timespec clock_plus_ms(clockid_t clk, long ms)
{
	struct timespec t;

	clock_gettime(clk, &t);
	t.tv_nsec += ms * NS_PER_MS;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

/* ---- waiters on threads ---- */

struct waiter {
	uint32_t *word;
	int op;              /* FUTEX_WAIT_BITSET_PRIVATE etc. */
	uint32_t bitset;
	long ret;
	int err;
	volatile int done;
	volatile pid_t tid;  /* set before it waits */
};

static volatile int arrived;

static void *wait_on_word(void *arg)
{
	struct waiter *w = arg;

	w->tid = (pid_t)syscall(SYS_gettid);
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	w->ret = futex(w->word, w->op, 0, NULL, NULL, w->bitset);
	w->err = errno;
	w->done = 1;
	return NULL;
}

/* Start n waiters on word (value 0) and return once each is asleep in
 * its wait (a guessed delay could be overrun on a busy host). */
static void start_waiters(pthread_t *th, struct waiter *w, int n, uint32_t *word, uint32_t bitset)
{
	arrived = 0;
	for (int i = 0; i < n; i++) {
		w[i] = (struct waiter){ word, FUTEX_WAIT_BITSET_PRIVATE, bitset, -2, 0, 0, 0 };
		CHECK_EQ(pthread_create(&th[i], NULL, wait_on_word, &w[i]), 0);
	}
	while (arrived < n)
		sleep_ms(1);
	for (int i = 0; i < n; i++)
		wait_until_asleep(getpid(), w[i].tid);
}

static int count_done(struct waiter *w, int n)
{
	int d = 0;

	for (int i = 0; i < n; i++)
		d += w[i].done;
	return d;
}

static void join_all(pthread_t *th, struct waiter *w, int n)
{
	for (int i = 0; i < n; i++) {
		CHECK_EQ(pthread_join(th[i], NULL), 0);
		CHECK(w[i].ret == 0, "waiter %d: %ld, errno %s", i, w[i].ret, strerror(w[i].err));
	}
}

/* ---- WAIT ---- */

GTEST(wait_value_differs_eagain)
{
	uint32_t word = 1;

	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0), EAGAIN);
}

GTEST(wait_relative_timeout_etimedout)
{
	uint32_t word = 0;
	struct timespec t0, rel = { 0, 50 * NS_PER_MS };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0), ETIMEDOUT);
	long ms = ms_since(&t0);
	CHECK(ms >= 45, "a 50 ms timeout took %ld ms", ms);
}

/* WAIT_BITSET's timeout is absolute: on CLOCK_MONOTONIC, or with
 * FUTEX_CLOCK_REALTIME on the wall clock; one already past returns at once. */
GTEST(wait_bitset_absolute_timeout_both_clocks)
{
	uint32_t word = 0;
	struct timespec t0, dl, past = { 0, 0 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	dl = clock_plus_ms(CLOCK_MONOTONIC, 50);
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &dl, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	long ms = ms_since(&t0);
	CHECK(ms >= 45, "monotonic: %ld ms", ms);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	dl = clock_plus_ms(CLOCK_REALTIME, 50);
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &dl, NULL,
			FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	ms = ms_since(&t0);
	CHECK(ms >= 45, "realtime: %ld ms", ms);

	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
}

static void on_usr1(int sig)
{
}

static pid_t main_tid;

/* SIGUSR1 to thread arg once the main thread is asleep in its wait. */
static void *send_usr1_later(void *arg)
{
	wait_until_asleep(getpid(), main_tid);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

/* A handled signal (no SA_RESTART) ends a wait with EINTR. */
GTEST(wait_interrupted_by_signal_eintr)
{
	uint32_t word = 0;
	pthread_t self = pthread_self(), th;
	struct sigaction sa = { .sa_handler = on_usr1 };

	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	main_tid = (pid_t)syscall(SYS_gettid);
	CHECK_EQ(pthread_create(&th, NULL, send_usr1_later, &self), 0);
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINTR);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

/* ---- WAKE ---- */

/* WAKE returns how many it woke: 2 of 3, then the last one, then none. */
GTEST(wake_returns_count_woken)
{
	static uint32_t word;
	pthread_t th[WAITERS];
	struct waiter w[WAITERS];

	start_waiters(th, w, WAITERS, &word, FUTEX_BITSET_MATCH_ANY);
	CHECK_EQ(count_done(w, WAITERS), 0);
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0), 2);
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 0);
	join_all(th, w, WAITERS);
}

/* WAKE_BITSET wakes only waiters whose bitset meets its own. */
GTEST(wake_bitset_selects_waiters)
{
	static uint32_t word;
	pthread_t th[2];
	struct waiter w[2];

	start_waiters(th, w, 1, &word, 0x1);
	start_waiters(th + 1, w + 1, 1, &word, 0x2);
	CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x2), 1);
	while (!w[1].done)
		sleep_ms(5);
	CHECK_EQ(w[1].done, 1);
	CHECK_EQ(w[0].done, 0);
	CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x4), 0);
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
	join_all(th, w, 2);
}

/* ---- REQUEUE ---- */

/* CMP_REQUEUE: EAGAIN if the word moved on; else wake some, move the
 * rest to the second word, where a WAKE finds them. */
GTEST(cmp_requeue_moves_waiters)
{
	static uint32_t a, b;
	pthread_t th[WAITERS];
	struct waiter w[WAITERS];

	start_waiters(th, w, WAITERS, &a, FUTEX_BITSET_MATCH_ANY);
	CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)10L, &b, 7), EAGAIN);
	CHECK_EQ(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)10L, &b, 0), WAITERS);
	while (count_done(w, WAITERS) < 1)
		sleep_ms(5);
	CHECK_EQ(count_done(w, WAITERS), 1);
	CHECK_EQ(futex(&a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 0);
	CHECK_EQ(futex(&b, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), WAITERS - 1);
	join_all(th, w, WAITERS);
}

/* REQUEUE (no compare) with no wake: musl's condition variables move a
 * waiter onto the mutex word this way. */
GTEST(requeue_without_wake)
{
	static uint32_t a, b;
	pthread_t th[2];
	struct waiter w[2];

	start_waiters(th, w, 2, &a, FUTEX_BITSET_MATCH_ANY);
	CHECK_EQ(futex(&a, FUTEX_REQUEUE_PRIVATE, 0, (void *)1L, &b, 0), 1);
	CHECK_EQ(futex(&b, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
	CHECK_EQ(futex(&a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
	join_all(th, w, 2);
}

/* ---- WAKE_OP ---- */

/* WAKE_OP adds to the second word and wakes on both when the old value
 * passes the comparison; on the first only when it does not. */
GTEST(wake_op_updates_and_compares)
{
	static uint32_t a, b;
	pthread_t th[2];
	struct waiter w[2];

	b = 5;
	start_waiters(th, w, 1, &a, FUTEX_BITSET_MATCH_ANY);
	/* b is 5, not 0: the waiter on b would see EAGAIN, so b's waiter is
	 * checked through the count only. */
	CHECK_EQ(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &b,
		       FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5)), 1);
	CHECK_EQ(b, 8);
	CHECK_EQ(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &b,
		       FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_NE, 8)), 0);
	CHECK_EQ(b, 8 | (1 << 4));
	b = 0;
	start_waiters(th + 1, w + 1, 1, &b, FUTEX_BITSET_MATCH_ANY);
	CHECK_EQ(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &b,
		       FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)), 1);
	CHECK_EQ(b, 1);
	join_all(th, w, 2);
}

/* ---- shared ---- */

/* A futex in MAP_SHARED memory joins processes: a forked child waits
 * (without the PRIVATE flag), the parent's WAKE finds it. */
GTEST(shared_futex_across_fork)
{
	uint32_t *word = shared_map(4096);
	pid_t pid = xfork();

	if (pid == 0) {
		long r = futex(word, FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(r == 0 && *word == 1 ? 0 : 1);
	}
	wait_until_asleep(pid, pid);   /* in its wait: a changed word would be EAGAIN */
	*word = 1;
	CHECK_EQ(futex(word, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- errors ---- */

GTEST(argument_errors)
{
	static uint32_t words[2];
	struct timespec bad = { 0, 1000000000L };
	char *p = (char *)words;

	CHECK_ERR(futex((uint32_t *)(p + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(futex(words, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0), EINVAL);
	CHECK_ERR(futex(words, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), EINVAL);
	CHECK_ERR(futex(words, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(futex(words, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(futex(words, 99, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(futex(words, FUTEX_CMP_REQUEUE_PRIVATE, (uint32_t)-1, (void *)1L, words + 1, 0), EINVAL);
}

/* ---- futex_waitv (Linux 5.16) ---- */

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define FUTEX2_SIZE_U32 0x02
#define FUTEX_WAITV_MAX 128

struct waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

static long futex_waitv(struct waitv *w, unsigned n, unsigned flags, const struct timespec *ts, int clk)
{
	return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

static struct waitv waitv_of(uint32_t *word, uint32_t val, bool private)
{
	return (struct waitv){ val, (uint64_t)word, FUTEX2_SIZE_U32 | (private ? FUTEX_PRIVATE_FLAG : 0), 0 };
}

GTEST(waitv_argument_errors)
{
	static uint32_t words[2];
	struct waitv w[2] = { waitv_of(&words[0], 0, true), waitv_of(&words[1], 0, true) };
	struct timespec past = { 0, 0 }, bad = { 0, 1000000000L };
	CHECK_ERR(futex_waitv(w, 2, 1, &past, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(futex_waitv(w, 0, 0, &past, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(futex_waitv(w, FUTEX_WAITV_MAX + 1, 0, &past, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(futex_waitv(NULL, 1, 0, &past, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_PROCESS_CPUTIME_ID), EINVAL);
	CHECK_ERR(futex_waitv(w, 2, 0, &bad, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(futex_waitv(w, 2, 0, (void *)8, CLOCK_MONOTONIC), EFAULT);
	CHECK_ERR(futex_waitv((void *)8, 2, 0, &past, CLOCK_MONOTONIC), EFAULT);
	w[1].flags = FUTEX_PRIVATE_FLAG;   /* no size */
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_MONOTONIC), EINVAL);
	w[1] = waitv_of(&words[1], 0, true);
	w[1].reserved = 1;
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_MONOTONIC), EINVAL);
	w[1] = waitv_of(&words[1], 0, true);
	w[1].val = 1ULL << 32;
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_MONOTONIC), EINVAL);
	w[1] = waitv_of((uint32_t *)((char *)words + 1), 0, true);
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_MONOTONIC), EINVAL);
	w[1] = waitv_of(NULL, 0, true);
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_MONOTONIC), EFAULT);
	w[1] = waitv_of(&words[1], 5, true);   /* the word holds 0 */
	CHECK_ERR(futex_waitv(w, 2, 0, NULL, 0), EAGAIN);
	w[1] = waitv_of(&words[1], 0, true);
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_MONOTONIC), ETIMEDOUT);
	CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_REALTIME), ETIMEDOUT);
}

GTEST(waitv_absolute_timeout)
{
	static uint32_t word;
	struct waitv w = waitv_of(&word, 0, true);
	struct timespec t0;
	/* The start first, then the deadline: the other order lets a host
	 * pause between the two shorten the wait measured (26 ms seen). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct timespec until = clock_plus_ms(CLOCK_MONOTONIC, 30);
	CHECK_ERR(futex_waitv(&w, 1, 0, &until, CLOCK_MONOTONIC), ETIMEDOUT);
	CHECK(ms_since(&t0) >= 29, "returned after %ld ms", ms_since(&t0));
}

struct waitv_arg {
	uint32_t words[3];
	long ret;
	pid_t tid;
};

static void *waitv_thread(void *p)
{
	struct waitv_arg *a = p;
	struct waitv w[3];
	for (int i = 0; i < 3; i++)
		w[i] = waitv_of(&a->words[i], 0, true);
	__atomic_store_n(&a->tid, gettid(), __ATOMIC_RELEASE);
	a->ret = futex_waitv(w, 3, 0, NULL, 0);
	return NULL;
}

/* A wake on any of the words ends the wait with that word's index. */
GTEST(waitv_returns_index_woken)
{
	static struct waitv_arg a;
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, waitv_thread, &a), 0);
	while (!__atomic_load_n(&a.tid, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	wait_until_asleep(getpid(), a.tid);
	a.words[2] = 1;
	CHECK_EQ(futex(&a.words[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(a.ret, 2);
}

/* Shared words (no PRIVATE flag) meet a plain FUTEX_WAKE from another process. */
GTEST(waitv_shared_across_fork)
{
	uint32_t *words = shared_map(4096);
	pid_t pid = xfork();
	if (pid == 0) {
		struct waitv w[2] = { waitv_of(&words[0], 0, false), waitv_of(&words[1], 0, false) };
		_exit((int)futex_waitv(w, 2, 0, NULL, 0));
	}
	wait_until_asleep(pid, pid);
	words[0] = 1;
	CHECK_EQ(futex(&words[0], FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	CHECK_EXITED(wait_status(pid), 0);
}
