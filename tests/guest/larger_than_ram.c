/*
 * larger_than_ram.c - issue 12's done-when check. In a 128 MiB guest with
 * the harness's 512 MiB swap disk (what `MEM=128 make run` boots), a
 * program that touches 384 MiB runs to completion with every page
 * intact, swap is in use while it runs (as /proc/meminfo and `free` show
 * from within), and all of it is free again once the program has exited.
 *
 * The program is this file run again (execve, so that it shares no page
 * with the test: a frame shared after fork could stay in the swap cache
 * for the test's sake), chosen by LARGER_THAN_RAM_MUST_SWAP_KB in its
 * environment. The test process locks its own pages (mlockall) so that
 * what it reads after the program is gone is the program's swap alone.
 * Natively (where 384 MiB fits in RAM) the swap figures are only checked
 * to come back to where they were.
 */
// MEM: 128
#include "gtest.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define BIG (384UL << 20)
#define TAG 0x384d1bL

/* A number after key in /proc/meminfo (kB), or -1. */
static long meminfo(const char *key)
{
	char buf[8192];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Swap in use as `free` reports it (the "Swap:" line's second column,
 * kB), or -1. */
static long free_swap_used(void)
{
	char out[1024];
	char *argv[] = { "free", NULL };
	if (run_output("free", argv, out, sizeof(out)) != 0)
		return -1;
	char *p = strstr(out, "Swap:");
	long total, used;
	return p && sscanf(p, "Swap: %ld %ld", &total, &used) == 2 ? used : -1;
}

/* The program: touch every page of 384 MiB, check swap is in use if it
 * must be (more data than RAM), read every page back. */
static void touch_big(long must_swap_kb)
{
	char *p = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap 384 MiB: %s", strerror(errno));
	for (size_t i = 0; i < BIG / PAGE; i++) {
		long *w = (long *)(p + i * PAGE);
		w[0] = TAG;
		w[1] = (long)i;
	}
	if (must_swap_kb > 0) {
		long used = meminfo("SwapTotal:") - meminfo("SwapFree:");
		CHECK(used >= must_swap_kb, "swap in use %ld kB while 384 MiB is touched: expected at least %ld",
		      used, must_swap_kb);
		long shown = free_swap_used();
		CHECK(shown >= must_swap_kb, "free shows %ld kB of swap used: expected at least %ld", shown,
		      must_swap_kb);
	}
	for (size_t i = 0; i < BIG / PAGE; i++) {
		const long *w = (const long *)(p + i * PAGE);
		CHECK(w[0] == TAG && w[1] == (long)i, "page %zu of %lu lost its contents", i, BIG / PAGE);
	}
}

/* Run as the program when the test started us so, before gtest's main. */
__attribute__((constructor)) static void program(void)
{
	const char *must = getenv("LARGER_THAN_RAM_MUST_SWAP_KB");
	if (!must)
		return;
	setvbuf(stdout, NULL, _IONBF, 0);
	touch_big(atol(must));
	_exit(0);
}

GTEST_DEFINE(touch_384_mib_with_swap_then_all_swap_free, GTEST_F_NOFORK, 240)
{
	long ram_kb = meminfo("MemTotal:"), swap_kb = meminfo("SwapTotal:");
	/* What cannot be in RAM must be in swap. */
	long must_swap_kb = (long)(BIG / 1024) - ram_kb;
	if (on_aspen())
		CHECK(must_swap_kb > 0 && swap_kb >= must_swap_kb * 3 / 2,
		      "expected the harness's 128 MiB guest with swap: MemTotal %ld kB, SwapTotal %ld kB", ram_kb,
		      swap_kb);
	else if (must_swap_kb > 0 && swap_kb < must_swap_kb * 3 / 2)
		SKIP("less RAM than 384 MiB and not enough swap here");
	CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0);   /* our own pages stay out of swap */
	long free_before = meminfo("SwapFree:");

	pid_t pid = xfork();
	if (pid == 0) {
		char must[32];
		snprintf(must, sizeof(must), "%ld", must_swap_kb);
		setenv("LARGER_THAN_RAM_MUST_SWAP_KB", must, 1);
		execl("/proc/self/exe", "larger_than_ram", (char *)NULL);
		_exit(127);
	}
	CHECK_EXITED(wait_status(pid), 0);
	/* A slot whose write was still in flight at exit is let go when the
	 * write ends: wait for that (at most 30 s, not a timing check). */
	long free_after = meminfo("SwapFree:");
	for (int i = 0; i < 300 && free_after != free_before; i++) {
		usleep(100000);
		free_after = meminfo("SwapFree:");
	}
	munlockall();
	CHECK(free_after == free_before, "SwapFree %ld kB before, %ld kB after the program exited",
	      free_before, free_after);
}
