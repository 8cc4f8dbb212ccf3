/*
 * thread.c - POSIX threads on one address space: what threads share
 * (globals, the heap) and what each has to itself (stack, __thread
 * variables, its tid); mutexes, condition variables and joins, which
 * both libcs build on futex; and many threads created and joined with
 * every frame given back (Aspen-only counter check); threads faulting
 * swapped pages at once, or dropping them while another reads them back.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <pthread.h>

#define NTHREADS        3
#define COUNT_THREADS   8
#define COUNT_EACH      200000
#define TURNS           1000
#define MANY_THREADS    200
#define SETTLE_POLL_MS  10
#define SETTLE_POLLS    2000 /* up to 20 s on a busy host */

/* ---- shared globals, private __thread ---- */

static int global_counter;
static __thread int thread_local_var;
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;

struct seen {
	int id;
	int *global_addr;
	int *tls_addr;
	int tls_value;
	pid_t pid, tid;
};

static void *record_addresses(void *arg)
{
	struct seen *s = arg;

	pthread_mutex_lock(&global_lock);
	global_counter += 100;
	pthread_mutex_unlock(&global_lock);
	thread_local_var = s->id * 10;
	sleep_ms(20); /* let the others run and write their own copies */
	s->global_addr = &global_counter;
	s->tls_addr = &thread_local_var;
	s->tls_value = thread_local_var;
	s->pid = getpid();
	s->tid = (pid_t)syscall(SYS_gettid);
	return NULL;
}

/* The seeds' walkthrough: the global has one address and sums every
 * thread's additions; the __thread variable has one address and one
 * value per thread, and main's copy is untouched. */
GTEST(global_shared_thread_local_private)
{
	pthread_t th[NTHREADS];
	struct seen s[NTHREADS];

	thread_local_var = 7;
	for (int i = 0; i < NTHREADS; i++) {
		s[i] = (struct seen){ .id = i + 1 };
		CHECK_EQ(pthread_create(&th[i], NULL, record_addresses, &s[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	CHECK_EQ(global_counter, 100 * NTHREADS);
	CHECK_EQ(thread_local_var, 7);
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(s[i].global_addr == &global_counter, "thread %d sees the global at %p", i, (void *)s[i].global_addr);
		CHECK_EQ(s[i].tls_value, (i + 1) * 10);
		CHECK(s[i].tls_addr != &thread_local_var, "thread %d shares main's __thread copy", i);
		for (int j = 0; j < i; j++)
			CHECK(s[i].tls_addr != s[j].tls_addr, "threads %d and %d share a __thread copy", i, j);
	}
}

/* getpid is the group's id in every thread; gettid differs per thread,
 * and the main thread's tid is the pid. */
GTEST(getpid_same_gettid_differs)
{
	pthread_t th[NTHREADS];
	struct seen s[NTHREADS];

	CHECK_EQ(syscall(SYS_gettid), getpid());
	for (int i = 0; i < NTHREADS; i++) {
		s[i] = (struct seen){ .id = i + 1 };
		CHECK_EQ(pthread_create(&th[i], NULL, record_addresses, &s[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		CHECK_EQ(s[i].pid, getpid());
		CHECK(s[i].tid != getpid() && s[i].tid > 0, "thread %d has tid %d", i, (int)s[i].tid);
		for (int j = 0; j < i; j++)
			CHECK(s[i].tid != s[j].tid, "threads %d and %d both have tid %d", i, j, (int)s[i].tid);
	}
}

/* ---- mutexes ---- */

static long long locked_sum;

static void *add_locked(void *arg)
{
	for (int i = 0; i < COUNT_EACH; i++) {
		pthread_mutex_lock(&global_lock);
		locked_sum++;
		pthread_mutex_unlock(&global_lock);
	}
	return NULL;
}

/* 8 threads x 200000 increments under one mutex lose none: the mutex
 * excludes, and contended waiters sleep and wake through futex. */
GTEST_SLOW(mutex_8x200000_increments_exact, 120)
{
	pthread_t th[COUNT_THREADS];

	for (int i = 0; i < COUNT_THREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, add_locked, NULL), 0);
	for (int i = 0; i < COUNT_THREADS; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	CHECK_EQ(locked_sum, (long long)COUNT_THREADS * COUNT_EACH);
}

/* ---- condition variables ---- */

static pthread_cond_t turn_cond = PTHREAD_COND_INITIALIZER;
static int turn;          /* whose turn: 0 or 1 */
static int log_len;
static char turn_log[2 * TURNS];

static void *take_turns(void *arg)
{
	int me = (int)(long)arg;

	for (int i = 0; i < TURNS; i++) {
		pthread_mutex_lock(&global_lock);
		while (turn != me)
			pthread_cond_wait(&turn_cond, &global_lock);
		turn_log[log_len++] = (char)('a' + me);
		turn = !me;
		pthread_cond_signal(&turn_cond);
		pthread_mutex_unlock(&global_lock);
	}
	return NULL;
}

/* Two threads hand a turn back and forth through one condition
 * variable: the log alternates strictly, abab... */
GTEST_SLOW(condvar_strict_turns, 60)
{
	pthread_t a, b;

	CHECK_EQ(pthread_create(&b, NULL, take_turns, (void *)1L), 0);
	CHECK_EQ(pthread_create(&a, NULL, take_turns, (void *)0L), 0);
	CHECK_EQ(pthread_join(a, NULL), 0);
	CHECK_EQ(pthread_join(b, NULL), 0);
	CHECK_EQ(log_len, 2 * TURNS);
	for (int i = 0; i < 2 * TURNS; i++)
		CHECK(turn_log[i] == 'a' + (i & 1), "turn %d went to %c", i, turn_log[i]);
}

static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int go, waiting;

static void *wait_for_go(void *arg)
{
	pthread_mutex_lock(&global_lock);
	waiting++;
	while (!go)
		pthread_cond_wait(&go_cond, &global_lock);
	pthread_mutex_unlock(&global_lock);
	return arg;
}

/* pthread_cond_broadcast wakes every waiter. */
GTEST(condvar_broadcast_wakes_all)
{
	pthread_t th[COUNT_THREADS];

	for (int i = 0; i < COUNT_THREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, wait_for_go, NULL), 0);
	for (;;) {
		pthread_mutex_lock(&global_lock);
		int n = waiting;
		pthread_mutex_unlock(&global_lock);
		if (n == COUNT_THREADS)   /* all in pthread_cond_wait: only it let the lock go */
			break;
		sleep_ms(1);
	}
	pthread_mutex_lock(&global_lock);
	go = 1;
	pthread_cond_broadcast(&go_cond);
	pthread_mutex_unlock(&global_lock);
	for (int i = 0; i < COUNT_THREADS; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
}

/* A timed wait with nobody signalling times out near its deadline. */
GTEST(condvar_timedwait_times_out)
{
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec t0, t1, dl;

	clock_gettime(CLOCK_REALTIME, &t0);
	dl = t0;
	dl.tv_nsec += 100 * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&global_lock);
	CHECK_EQ(pthread_cond_timedwait(&c, &global_lock, &dl), ETIMEDOUT);
	pthread_mutex_unlock(&global_lock);
	clock_gettime(CLOCK_REALTIME, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 90, "waited %ld ms for a 100 ms timeout", ms);
}

/* ---- join ---- */

static void *return_arg_squared(void *arg)
{
	long v = (long)arg;
	sleep_ms((unsigned)(v % 3) * 5);
	return (void *)(v * v);
}

static void *exit_with_arg(void *arg)
{
	pthread_exit(arg);
}

/* pthread_join returns each thread's value, whether returned or passed
 * to pthread_exit, joined in any order. */
GTEST(join_returns_each_value)
{
	pthread_t th[COUNT_THREADS];
	void *ret;

	for (long i = 0; i < COUNT_THREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, (i & 1) ? exit_with_arg : return_arg_squared,
					(void *)(i + 1)), 0);
	for (long i = COUNT_THREADS - 1; i >= 0; i--) {
		CHECK_EQ(pthread_join(th[i], &ret), 0);
		long want = (i & 1) ? i + 1 : (i + 1) * (i + 1);
		CHECK_EQ((long)ret, want);
	}
}

/* ---- many threads ---- */

static void *nothing(void *arg)
{
	return arg;
}

static void create_join_many(void)
{
	pthread_t th[MANY_THREADS];
	void *ret;

	for (long i = 0; i < MANY_THREADS; i++) {
		int err = pthread_create(&th[i], NULL, nothing, (void *)i);
		CHECK(err == 0, "thread %ld: %s", i, strerror(err));
	}
	for (long i = 0; i < MANY_THREADS; i++) {
		CHECK_EQ(pthread_join(th[i], &ret), 0);
		CHECK_EQ((long)ret, i);
	}
}

/* 200 threads alive at once, all joined. On Aspen, after a warm-up
 * round, another round gives every frame back (stacks are unmapped on
 * join; kernel stacks freed at exit). When pages go to and from swap
 * meanwhile (the low-memory boot of make test), frames in use move with
 * them, so only the threads' results are checked then. */
GTEST_SLOW(create_join_200_frames_return, 120)
{
	struct aspen_counters base, now = { 0 };

	create_join_many();
	if (!on_aspen())
		return;
	base = counters_self();
	create_join_many();
	for (int i = 0; i < SETTLE_POLLS; i++) {
		now = counters_self();
		if (now.sys_frames_used <= base.sys_frames_used || paged_between(&base, &now))
			break;
		sleep_ms(SETTLE_POLL_MS);
	}
	CHECK(now.sys_frames_used <= base.sys_frames_used || paged_between(&base, &now),
	      "frames in use %llu, baseline %llu",
	      (unsigned long long)now.sys_frames_used, (unsigned long long)base.sys_frames_used);
}

/* ---- CPU count ---- */

/* Both libcs count CPUs with sched_getaffinity: at least one, and on
 * Aspen exactly one. The call returns the size of the kernel's mask. */
GTEST(cpu_count_from_affinity)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CHECK(n >= 1, "sysconf(_SC_NPROCESSORS_ONLN) = %ld", n);
	CHECK_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
	CHECK(CPU_COUNT(&set) >= 1, "CPU_COUNT %d", CPU_COUNT(&set));
	long r = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	CHECK(r >= 8 && r <= (long)sizeof(set) && r % 8 == 0, "raw sched_getaffinity returned %ld", r);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &set), EINVAL);
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 999999, sizeof(set), &set), ESRCH);
	if (on_aspen()) {   /* every running CPU, no pinning */
		CHECK_EQ(CPU_COUNT(&set), n);
		CHECK(CPU_ISSET(0, &set), "CPU 0 not in the mask");
	}
	CPU_ZERO(&set);
	CHECK_ERR(sched_setaffinity(0, sizeof(set), &set), EINVAL);
}

/* ---- a swapped page faulted by two threads at once ---- */

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define SWAP_PAGES_READ 64
#define PM_SWAP (1ULL << 62)

struct reader {
	long *p;
	size_t pages;
	pthread_barrier_t *go;
	long bad;            /* first page read wrong, or -1 */
};

static void *read_swapped(void *arg)
{
	struct reader *r = arg;
	pthread_barrier_wait(r->go);
	r->bad = -1;
	for (size_t i = 0; i < r->pages && r->bad < 0; i++)
		if (r->p[i * 512] != (long)i)
			r->bad = (long)i;
	return NULL;
}

/* Is the page at p in swap (pagemap bit 62)? */
static bool in_swap(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / 4096 * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e & PM_SWAP;
}

/* Two threads (on two CPUs where there are two) fault in the same pages
 * of swap at the same moment: each sees the right contents. Needs swap. */
GTEST(threads_fault_the_same_swapped_pages)
{
	size_t len = SWAP_PAGES_READ * 4096;
	long *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_barrier_t go;
	pthread_t t[2];
	struct reader r[2];

	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < SWAP_PAGES_READ; i++)
		p[i * 512] = (long)i;
	if (madvise(p, len, MADV_PAGEOUT) != 0 || !in_swap(p))
		SKIP("no swap");
	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct reader){ p, SWAP_PAGES_READ, &go, -1 };
		CHECK_EQ(pthread_create(&t[i], NULL, read_swapped, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(pthread_join(t[i], NULL), 0);
		CHECK(r[i].bad < 0, "thread %d read page %ld wrong", i, r[i].bad);
	}
	pthread_barrier_destroy(&go);
}

/* ---- a thread drops swapped pages while another reads them back ---- */

#define DROP_ROUNDS 20

struct dropper {
	void *p;
	size_t len;
	int read;            /* pages the reader has read (atomic) */
	int err;             /* madvise's errno, or 0 */
};

/* Drop the pages once the reader has read the first: its next read
 * from swap is then likely in flight. */
static void *drop_pages(void *arg)
{
	struct dropper *d = arg;
	while (__atomic_load_n(&d->read, __ATOMIC_ACQUIRE) < 1)
		sched_yield();
	d->err = madvise(d->p, d->len, MADV_DONTNEED) == 0 ? 0 : errno;
	return NULL;
}

/* One thread reads pages back from swap while another drops them with
 * MADV_DONTNEED, so that pages go while their reads are in flight: each
 * page reads as it was or as zero (dropped), and all read zero after.
 * Needs swap. On Aspen the harness's swap_back_to_baseline check then
 * finds every slot free again: a page dropped during its read once kept
 * its slot, cached, until memory ran short (9 to 12 slots after this
 * test). The check is the harness's, after the program has exited: the
 * count is the whole system's, and in a low-memory boot other processes
 * take and free slots while the test runs. */
GTEST(pages_dropped_while_another_thread_reads_them_back)
{
	size_t len = SWAP_PAGES_READ * 4096;
	long *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	for (int round = 0; round < DROP_ROUNDS; round++) {
		for (size_t i = 0; i < SWAP_PAGES_READ; i++)
			p[i * 512] = (long)i + 1;
		if (madvise(p, len, MADV_PAGEOUT) != 0 || !in_swap(p))
			SKIP("no swap");
		struct dropper d = { p, len, 0, 0 };
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, drop_pages, &d), 0);
		long bad = -1;
		for (size_t i = 0; i < SWAP_PAGES_READ && bad < 0; i++) {
			long v = p[i * 512];
			if (v != (long)i + 1 && v != 0)
				bad = (long)i;
			__atomic_store_n(&d.read, (int)i + 1, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&d.read, SWAP_PAGES_READ, __ATOMIC_RELEASE);   /* even when one was bad */
		CHECK_EQ(pthread_join(t, NULL), 0);
		CHECK_EQ(d.err, 0);
		CHECK(bad < 0, "round %d: page %ld read %ld", round, bad, bad < 0 ? 0 : p[bad * 512]);
		for (size_t i = 0; i < SWAP_PAGES_READ; i++)
			CHECK(p[i * 512] == 0, "round %d: page %zu not zero after MADV_DONTNEED", round, i);
	}
	CHECK_EQ(munmap(p, len), 0);
}
