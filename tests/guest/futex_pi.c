/*
 * futex_pi.c - priority-inheritance futexes as Linux has them: the word
 * holds the owner's TID; FUTEX_TRYLOCK_PI and FUTEX_LOCK_PI take a free
 * word, fail with EDEADLK on one's own and ESRCH when the owner is no
 * thread; a contended LOCK_PI sets FUTEX_WAITERS and sleeps until
 * FUTEX_UNLOCK_PI (EPERM for a non-owner) hands the lock over with the
 * word naming the new owner; an owner's exit hands it on too, with
 * FUTEX_OWNER_DIED (robust list or not). And pthread's
 * PTHREAD_PRIO_INHERIT mutexes built on them: exclusion, trylock, and
 * robust ones reporting EOWNERDEAD.
 */
// GUEST: glibc
#include "gtest.h"
#include <linux/futex.h>
#include <pthread.h>

#define THREADS 4
#define ROUNDS 2000
#define NO_SUCH_TID 0x3ffffff0

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static uint32_t load(uint32_t *w) { return __atomic_load_n(w, __ATOMIC_ACQUIRE); }
static uint32_t tid(void) { return (uint32_t)syscall(SYS_gettid); }

GTEST(futex_pi_word_protocol_and_errors)
{
	uint32_t w = 0;
	long r = futex(&w, FUTEX_TRYLOCK_PI, 0, NULL);
	if (r < 0 && errno == ENOSYS)
		SKIP("no PI futexes");
	CHECK_EQ(r, 0);
	CHECK_EQ(w, tid());
	CHECK_ERR(futex(&w, FUTEX_TRYLOCK_PI, 0, NULL), EDEADLK);
	CHECK_ERR(futex(&w, FUTEX_LOCK_PI, 0, NULL), EDEADLK);
	CHECK_EQ(futex(&w, FUTEX_UNLOCK_PI, 0, NULL), 0);
	CHECK_EQ(w, 0);
	CHECK_ERR(futex(&w, FUTEX_UNLOCK_PI, 0, NULL), EPERM);      /* not ours */
	w = NO_SUCH_TID;
	CHECK_ERR(futex(&w, FUTEX_LOCK_PI, 0, NULL), ESRCH);
	w = FUTEX_OWNER_DIED;                                         /* free, owner died */
	CHECK_EQ(futex(&w, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL), 0);
	CHECK_EQ(w, tid() | FUTEX_OWNER_DIED);
	CHECK_ERR(futex((uint32_t *)((char *)&w + 1), FUTEX_LOCK_PI, 0, NULL), EINVAL);
}

struct contender {
	uint32_t *word;
	uint32_t tid;
	long result;
	uint32_t seen;      /* the word right after LOCK_PI returned */
};

static void *lock_pi_thread(void *arg)
{
	struct contender *c = arg;
	c->tid = tid();
	c->result = futex(c->word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL);
	c->seen = load(c->word);
	if (c->result == 0)
		futex(c->word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL);
	return NULL;
}

/* Wait (deterministically) until a contender has set FUTEX_WAITERS. */
static void wait_for_waiters_bit(uint32_t *w)
{
	for (int i = 0; i < 3000 && !(load(w) & FUTEX_WAITERS); i++)
		sleep_ms(10);
	CHECK(load(w) & FUTEX_WAITERS, "no waiter showed up: word %#x", load(w));
}

GTEST(futex_unlock_pi_hands_the_lock_to_the_waiter)
{
	static uint32_t w;
	CHECK_EQ(futex(&w, FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL), 0);
	struct contender c = { .word = &w };
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, lock_pi_thread, &c), 0);
	wait_for_waiters_bit(&w);
	CHECK_EQ(w & FUTEX_TID_MASK, tid());             /* still ours */
	uint32_t expect = tid();                          /* what a user-space unlock tries */
	CHECK(!__atomic_compare_exchange_n(&w, &expect, 0, false, __ATOMIC_RELEASE,
					   __ATOMIC_RELAXED), "user unlock must fail with waiters");
	CHECK_EQ(futex(&w, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(c.result, 0);
	CHECK_EQ(c.seen & FUTEX_TID_MASK, c.tid);        /* handed straight to it */
	CHECK_EQ(w, 0);                                   /* and it unlocked */
}

static void *hold_and_exit(void *arg)
{
	uint32_t *w = arg;
	if (futex(w, FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL) != 0)
		return (void *)1;
	wait_for_waiters_bit(w);
	return NULL;   /* exits owning it */
}

GTEST(futex_pi_owner_exit_hands_the_lock_on)
{
	static uint32_t w;
	pthread_t holder, waiter;
	CHECK_EQ(pthread_create(&holder, NULL, hold_and_exit, &w), 0);
	while (!(load(&w) & FUTEX_TID_MASK))
		sleep_ms(1);
	struct contender c = { .word = &w };
	CHECK_EQ(pthread_create(&waiter, NULL, lock_pi_thread, &c), 0);
	void *ret;
	CHECK_EQ(pthread_join(holder, &ret), 0);
	CHECK(ret == NULL, "the holder could not take the lock");
	CHECK_EQ(pthread_join(waiter, NULL), 0);
	CHECK_EQ(c.result, 0);
	CHECK_EQ(c.seen & FUTEX_TID_MASK, c.tid);
	CHECK(c.seen & FUTEX_OWNER_DIED, "word %#x", c.seen);   /* robust or not, as Linux */
}

static pthread_mutex_t pi_mutex;
static long counter;

static void *count_thread(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		if (pthread_mutex_lock(&pi_mutex))
			return (void *)1;
		long v = counter;
		sched_yield();
		counter = v + 1;
		pthread_mutex_unlock(&pi_mutex);
	}
	return NULL;
}

static void init_pi_mutex(pthread_mutex_t *m, bool robust)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	CHECK_EQ(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT), 0);
	if (robust)
		CHECK_EQ(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), 0);
	CHECK_EQ(pthread_mutex_init(m, &a), 0);
	pthread_mutexattr_destroy(&a);
}

GTEST(pthread_prio_inherit_mutex_excludes)
{
	init_pi_mutex(&pi_mutex, false);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, count_thread, NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		CHECK_EQ(pthread_join(t[i], &ret), 0);
		CHECK(ret == NULL, "a lock failed");
	}
	CHECK_EQ(counter, THREADS * ROUNDS);
	CHECK_EQ(pthread_mutex_lock(&pi_mutex), 0);
	CHECK_EQ(pthread_mutex_trylock(&pi_mutex), EBUSY);
	CHECK_EQ(pthread_mutex_unlock(&pi_mutex), 0);
}

static void *lock_and_leave(void *arg)
{
	return (void *)(long)pthread_mutex_lock(arg);   /* and exit holding it */
}

GTEST(robust_pi_mutex_of_a_dead_owner_is_EOWNERDEAD)
{
	static pthread_mutex_t m;
	init_pi_mutex(&m, true);
	pthread_t t;
	void *ret;
	CHECK_EQ(pthread_create(&t, NULL, lock_and_leave, &m), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == NULL, "the thread could not lock: %ld", (long)ret);
	CHECK_EQ(pthread_mutex_lock(&m), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
}
