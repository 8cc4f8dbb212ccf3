/*
 * swap.c - pages go to swap and come back: data larger than RAM written
 * and verified, the same across fork with both writing, a process
 * killed while its pages come back,
 * MADV_PAGEOUT and what /proc shows of it (pagemap's swap bits, VmSwap,
 * smaps Swap:, mincore, major faults), mlock under pressure, a System V
 * segment under SHM_LOCK staying in RAM, swapoff with
 * pages out (and without room for them), a swap device that fails reads
 * (SIGBUS, never a crash), busybox's mkswap/swapon/swapoff/free, and
 * priorities. Tests that need swap skip where there is none (natively,
 * on a host without swap); those that use the harness's disks are
 * Aspen-only. (Threads on two CPUs faulting one swapped page: thread.c,
 * which also runs on two CPUs.)
 */
// MEM: 96
// DISKS: blank:8 blank:8 badread:1
#include "gtest.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>

#define PAGE 4096UL
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)
#define SWAP_TIMEOUT 240
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static long kb(const char *key) { return proc_number("/proc/meminfo", key); }

/* Skip unless swap with at least need_kb free is on. */
#define NEED_SWAP(need_kb) do { \
	if (kb("SwapFree:") < (long)(need_kb)) \
		SKIP("no swap (or less than %ld kB free)", (long)(need_kb)); \
} while (0)

static char *map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Write tag and the page number into every page; check them back. */
static void fill(char *p, size_t pages, long tag)
{
	for (size_t i = 0; i < pages; i++) {
		long *w = (long *)(p + i * PAGE);
		w[0] = tag;
		w[1] = (long)i;
	}
}

static size_t first_bad(const char *p, size_t pages, long tag)
{
	for (size_t i = 0; i < pages; i++) {
		const long *w = (const long *)(p + i * PAGE);
		if (w[0] != tag || w[1] != (long)i)
			return i;
	}
	return (size_t)-1;
}

static long major_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* Pages of RAM (MemTotal) times num/den. */
static size_t ram_pages(long num, long den)
{
	return (size_t)(kb("MemTotal:") * num / den / 4);
}

/* The pagemap entry of the page at p. */
static uint64_t pagemap_of(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / PAGE * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

GTEST_SLOW(data_one_and_a_half_times_ram_written_and_verified, SWAP_TIMEOUT)
{
	size_t pages = ram_pages(3, 2);
	NEED_SWAP(pages * 4);
	char *p = map_anon(pages * PAGE);
	long out = proc_number("/proc/vmstat", "pswpout ");
	CHECK(p != NULL);
	fill(p, pages, 0x5157);
	CHECK(proc_number("/proc/self/status", "VmSwap:") > 0, "nothing in swap while over RAM");
	CHECK(proc_number("/proc/vmstat", "pswpout ") > out);
	long majors = major_faults();
	size_t bad = first_bad(p, pages, 0x5157);
	CHECK(bad == (size_t)-1, "page %zu of %zu lost its contents", bad, pages);
	CHECK(major_faults() > majors, "no major fault reading back %zu pages", pages);
	CHECK_EQ(munmap(p, pages * PAGE), 0);
}

GTEST_SLOW(fork_beyond_ram_both_write_and_verify, SWAP_TIMEOUT)
{
	size_t pages = ram_pages(3, 4);
	NEED_SWAP(pages * 8);
	char *p = map_anon(pages * PAGE);
	CHECK(p != NULL);
	fill(p, pages, 1);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK(first_bad(p, pages, 1) == (size_t)-1);
		fill(p, pages, 2);
		CHECK(first_bad(p, pages, 2) == (size_t)-1);
		_exit(0);
	}
	fill(p, pages, 3);
	CHECK(first_bad(p, pages, 3) == (size_t)-1);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(first_bad(p, pages, 3) == (size_t)-1);
}

/* Page out n pages at p; true if they all went (pagemap's swap bit). */
static bool paged_out(char *p, size_t n)
{
	if (madvise(p, n * PAGE, MADV_PAGEOUT) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(pagemap_of(p + i * PAGE) & PM_SWAP))
			return false;
	return true;
}

GTEST(pageout_shows_in_pagemap_vmswap_smaps_and_mincore)
{
	NEED_SWAP(1024);
	size_t n = 16;
	char *p = map_anon(n * PAGE);
	unsigned char vec[16];
	CHECK(p != NULL);
	fill(p, n, 7);
	long before = proc_number("/proc/self/status", "VmSwap:");
	CHECK(paged_out(p, n), "MADV_PAGEOUT left pages in RAM");
	uint64_t e = pagemap_of(p);
	CHECK(!(e & PM_PRESENT) && (e & PM_SWAP));
	CHECK(e & ~((1ULL << 5) - 1) & ((1ULL << 55) - 1), "no swap offset in %llx", (unsigned long long)e);
	CHECK(proc_number("/proc/self/status", "VmSwap:") >= before + 64);
	CHECK_EQ(mincore(p, n * PAGE, vec), 0);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(vec[i] & 1, 0);
	long majors = major_faults();
	CHECK(first_bad(p, n, 7) == (size_t)-1);
	CHECK(major_faults() >= majors + 1);
	CHECK(pagemap_of(p) & PM_PRESENT);
}

GTEST(killed_while_reading_back_frees_everything)
{
	size_t n = ram_pages(1, 4);
	NEED_SWAP(n * 4);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		char *p = map_anon(n * PAGE);
		fill(p, n, 4);
		madvise(p, n * PAGE, MADV_PAGEOUT);
		CHECK_EQ(write(fds[1], "x", 1), 1);
		for (;;)   /* read back, over and over, until killed */
			if (first_bad(p, n, 4) != (size_t)-1)
				_exit(5);
	}
	char c;
	CHECK_EQ(read(fds[0], &c, 1), 1);
	sleep_ms(50);
	kill(pid, SIGKILL);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
}

GTEST(mlocked_pages_stay_under_pressure)
{
	size_t locked = 32, hog = ram_pages(1, 1);
	NEED_SWAP(hog * 4);
	char *p = map_anon(locked * PAGE), *q = map_anon(hog * PAGE);
	unsigned char vec[32];
	CHECK(p && q);
	CHECK_EQ(mlock(p, locked * PAGE), 0);
	fill(p, locked, 5);
	fill(q, hog, 6);   /* more than RAM: something must go out */
	CHECK_EQ(mincore(p, locked * PAGE, vec), 0);
	for (size_t i = 0; i < locked; i++)
		CHECK(vec[i] & 1, "locked page %zu not resident", i);
	CHECK(!(pagemap_of(p) & PM_SWAP));
	CHECK(first_bad(q, hog, 6) == (size_t)-1);
}

/* Resident pages of the n pages at p (mincore). */
static size_t resident(char *p, size_t n)
{
	unsigned char vec[64];
	size_t count = 0;
	if (n > sizeof(vec) || mincore(p, n * PAGE, vec) != 0)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

/* A System V segment under SHM_LOCK keeps its pages in RAM: page-out
 * passes them over; after SHM_UNLOCK they may go again (Linux: its
 * pages are unevictable while locked). */
GTEST(shm_locked_segment_stays_in_ram)
{
	NEED_SWAP(1024);
	size_t n = 16;
	int id = shmget(IPC_PRIVATE, n * PAGE, IPC_CREAT | 0600);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	char *p = shmat(id, NULL, 0);
	CHECK(p != (char *)-1, "shmat: %s", strerror(errno));
	shmctl(id, IPC_RMID, NULL);   /* goes with the last detach */
	fill(p, n, 8);
	CHECK_EQ(shmctl(id, SHM_LOCK, NULL), 0);
	CHECK_EQ(madvise(p, n * PAGE, MADV_PAGEOUT), 0);
	CHECK_EQ(resident(p, n), n);
	CHECK(!(pagemap_of(p) & PM_SWAP));
	CHECK_EQ(shmctl(id, SHM_UNLOCK, NULL), 0);
	CHECK_EQ(madvise(p, n * PAGE, MADV_PAGEOUT), 0);
	CHECK_EQ(resident(p, n), 0);
	CHECK(first_bad(p, n, 8) == (size_t)-1);   /* back from swap, intact */
	CHECK_EQ(resident(p, n), n);
	CHECK_EQ(shmdt(p), 0);
}

/* ---- Aspen-only: the harness's disks ---- */

/* The device of the first swap area in /proc/swaps into path. */
static bool first_swap_area(char *path, size_t size)
{
	char line[256];
	FILE *f = fopen("/proc/swaps", "r");
	bool found = f && fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f);
	if (found)
		sscanf(line, "%255s", path);
	if (f)
		fclose(f);
	return found && strlen(path) < size;
}

/* The path of the harness's n-th disk of this kind ("blank", ...). */
static bool harness_disk(const char *kind, int nth, char *path, size_t size)
{
	char name[32], k[16], line[128];
	FILE *f = fopen("/etc/aspen-disks", "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %15s", name, k) == 2 && !strcmp(k, kind) && nth-- == 0)
			found = true;
	if (f)
		fclose(f);
	if (found)
		snprintf(path, size, "/dev/%s", name);
	return found;
}

static int sh(const char *cmd)
{
	fflush(stdout);
	int s = system(cmd);
	return WIFEXITED(s) ? WEXITSTATUS(s) : 128;
}

GTEST_SLOW(swapoff_brings_pages_back_then_swapon_again, SWAP_TIMEOUT)
{
	char dev[128];
	ASPEN_ONLY();
	NEED_SWAP(1024);
	CHECK(first_swap_area(dev, sizeof(dev)));
	size_t n = 256;
	char *p = map_anon(n * PAGE);
	CHECK(p != NULL);
	fill(p, n, 8);
	CHECK(paged_out(p, n));
	CHECK_ERR(swapon(dev, 0), EBUSY);
	CHECK_EQ(swapoff(dev), 0);
	CHECK(!(pagemap_of(p) & PM_SWAP));
	CHECK_EQ(kb("SwapTotal:"), 0);
	CHECK(first_bad(p, n, 8) == (size_t)-1);
	CHECK_ERR(swapoff(dev), EINVAL);
	CHECK_EQ(swapon(dev, 0), 0);
	CHECK(kb("SwapTotal:") > 0);
}

GTEST_SLOW(swapoff_without_room_fails_with_enomem, SWAP_TIMEOUT)
{
	char dev[128];
	ASPEN_ONLY();
	size_t n = ram_pages(5, 4);
	NEED_SWAP(n * 4);
	CHECK(first_swap_area(dev, sizeof(dev)));
	char *p = map_anon(n * PAGE);
	CHECK(p != NULL);
	fill(p, n, 10);
	CHECK_ERR(swapoff(dev), ENOMEM);
	CHECK(kb("SwapTotal:") > 0, "the area must stay on");
	CHECK(first_bad(p, n, 10) == (size_t)-1);
}

GTEST(busybox_mkswap_swapon_free_swapoff)
{
	char dev[64], cmd[256];
	ASPEN_ONLY();
	CHECK(harness_disk("blank", 0, dev, sizeof(dev)));
	long total = kb("SwapTotal:");
	snprintf(cmd, sizeof(cmd), "mkswap -L testswap %s > /dev/null && swapon %s", dev, dev);
	CHECK_EQ(sh(cmd), 0);
	CHECK_EQ(kb("SwapTotal:"), total + 8188);   /* 8 MiB less the header page */
	snprintf(cmd, sizeof(cmd), "free | grep -q '^Swap: *%ld ' && grep -q '^%s ' /proc/swaps",
		 total + 8188, dev);
	CHECK_EQ(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "swapoff %s", dev);
	CHECK_EQ(sh(cmd), 0);
	CHECK_EQ(kb("SwapTotal:"), total);
}

/* Used KiB of the area on dev in /proc/swaps, or -1. */
static long area_used(const char *dev)
{
	char line[256], name[128];
	long size, used;
	FILE *f = fopen("/proc/swaps", "r");
	long found = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %*s %ld %ld", name, &size, &used) == 3 && !strcmp(name, dev))
			found = used;
	if (f)
		fclose(f);
	return found;
}

GTEST(equal_priorities_share_pages_out)
{
	char a[64], b[64], cmd[256];
	ASPEN_ONLY();
	CHECK(harness_disk("blank", 0, a, sizeof(a)) && harness_disk("blank", 1, b, sizeof(b)));
	snprintf(cmd, sizeof(cmd), "mkswap %s >/dev/null && mkswap %s >/dev/null", a, b);
	CHECK_EQ(sh(cmd), 0);
	CHECK_EQ(swapon(a, SWAP_FLAG_PREFER | 100), 0);
	CHECK_EQ(swapon(b, SWAP_FLAG_PREFER | 100), 0);
	size_t n = 64;
	char *p = map_anon(n * PAGE);
	fill(p, n, 11);
	CHECK(paged_out(p, n));
	CHECK(area_used(a) > 0 && area_used(b) > 0, "used %ld and %ld kB", area_used(a), area_used(b));
	CHECK(first_bad(p, n, 11) == (size_t)-1);
	CHECK_EQ(munmap(p, n * PAGE), 0);
	CHECK_EQ(swapoff(a), 0);
	CHECK_EQ(swapoff(b), 0);
}

GTEST(failing_swap_read_is_sigbus_not_a_crash)
{
	char dev[64], cmd[256];
	ASPEN_ONLY();
	CHECK(harness_disk("badread", 0, dev, sizeof(dev)));
	snprintf(cmd, sizeof(cmd), "mkswap %s > /dev/null", dev);
	CHECK_EQ(sh(cmd), 0);
	CHECK_EQ(swapon(dev, SWAP_FLAG_PREFER | 32767), 0);   /* first choice: slot 1 cannot be read */
	pid_t pid = xfork();
	if (pid == 0) {
		char *p = map_anon(PAGE);
		fill(p, 1, 12);
		if (!paged_out(p, 1))
			_exit(3);
		_exit(first_bad(p, 1, 12) == (size_t)-1 ? 0 : 4);   /* the read must not return */
	}
	CHECK_SIGNALED(wait_status(pid), SIGBUS);
	CHECK_EQ(swapoff(dev), 0);
}
