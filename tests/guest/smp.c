// GUEST: glibc
/*
 * smp.c - several CPUs: the CPU count libc sees matches the CPUs the
 * kernel runs (sched_getaffinity, /proc/cpuinfo), and in Aspen two busy
 * threads of one process are seen running on two CPUs (getcpu) when
 * there are two. Threads of one address space on two CPUs also check
 * the TLB shootdown: a page one thread unmaps must fault in the other.
 */
#include "gtest.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int cpus_in_cpuinfo(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strncmp(line, "processor", 9) == 0;
	fclose(f);
	return n;
}

GTEST(cpu_count_agrees_everywhere)
{
	cpu_set_t set;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	int online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(online >= 1);
	CHECK_EQ(CPU_COUNT(&set), online);
	CHECK_EQ(cpus_in_cpuinfo(), online);
}

static atomic_uint seen_mask;
static atomic_int stop;
static atomic_int threads_ran;

static void *spin_noting_cpus(void *arg)
{
	atomic_fetch_add(&threads_ran, 1);
	while (!atomic_load(&stop)) {
		unsigned cpu = 0;
		syscall(SYS_getcpu, &cpu, NULL, NULL);
		if (cpu < 32)
			atomic_fetch_or(&seen_mask, 1u << cpu);
	}
	return NULL;
}

static unsigned affinity_mask(void)
{
	cpu_set_t set;
	unsigned mask = 0;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	for (int cpu = 0; cpu < 32; cpu++)
		if (CPU_ISSET(cpu, &set))
			mask |= 1u << cpu;
	return mask;
}

/* Aspen runs a queued task on any idle CPU, so two busy threads must
 * come to run on two CPUs. A Linux host under load may keep both on one
 * CPU for as long as it likes: natively, only that both threads ran on
 * CPUs of the affinity set. No time limit: the test's timeout is it. */
GTEST(two_busy_threads_use_two_cpus)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP("one CPU");
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, spin_noting_cpus, NULL) == 0);
	while (atomic_load(&threads_ran) < 2 || atomic_load(&seen_mask) == 0 ||
	       (on_aspen() && __builtin_popcount(atomic_load(&seen_mask)) < 2))
		sleep_ms(10);
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	unsigned seen = atomic_load(&seen_mask), allowed = affinity_mask();
	CHECK((seen & ~allowed) == 0, "CPUs seen 0x%x, affinity 0x%x", seen, allowed);
	if (on_aspen())
		CHECK(__builtin_popcount(seen) >= 2, "CPUs seen: mask 0x%x", seen);
}

/* One thread keeps reading a page; the main thread unmaps it. The reader
 * must then fault (SIGSEGV for the whole process, in a child). */
static volatile char *shared_page;
static atomic_int reader_started;

static void *read_forever(void *arg)
{
	atomic_store(&reader_started, 1);
	for (;;)
		(void)shared_page[0];
	return NULL;
}

GTEST(unmap_by_one_thread_faults_the_other)
{
	pid_t pid = xfork();
	if (pid == 0) {
		shared_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		shared_page[0] = 1;
		pthread_t t;
		pthread_create(&t, NULL, read_forever, NULL);
		while (!atomic_load(&reader_started))
			;
		munmap((void *)shared_page, 4096);
		for (;;)          /* the reader must fault, taking us with it */
			pause();
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
}
