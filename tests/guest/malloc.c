/*
 * malloc.c - 256 MiB through malloc and free, in small blocks (brk or
 * small mmaps, depending on the libc) and in large ones (mmap), every
 * byte written with a pattern and read back before it is freed. In an
 * Aspen guest with less than twice that free, half the free memory.
 */
#include "gtest.h"

#define TOTAL_BYTES  (256UL << 20)
#define PAGE_SIZE    4096UL
#define SMALL_MIN    64UL
#define SMALL_SHIFTS 7          /* sizes 64, 128, ... 4096 */
#define LARGE_MIN    (1UL << 20)
#define LARGE_STEPS  8          /* sizes 1 MiB, 2 MiB, ... 8 MiB */
#define FRAME_SLACK  256        /* frames the allocator may keep cached */

/* The pattern word at index i of block b: differs per block and per word. */
static uint64_t pattern(size_t b, size_t i)
{
	return (b * 0x9e3779b97f4a7c15ULL) ^ (i * 0xbf58476d1ce4e5b9ULL) ^ i;
}

static void fill(uint64_t *p, size_t size, size_t b)
{
	for (size_t i = 0; i < size / sizeof(*p); i++)
		p[i] = pattern(b, i);
}

/* Index of the first word of block b that lost its pattern, or -1. */
static long first_bad_word(const uint64_t *p, size_t size, size_t b)
{
	for (size_t i = 0; i < size / sizeof(*p); i++)
		if (p[i] != pattern(b, i))
			return (long)i;
	return -1;
}

/* TOTAL_BYTES, or half the free memory of a small Aspen guest. */
static size_t total_bytes(void)
{
	struct aspen_counters c;
	size_t half_free;

	if (!on_aspen())
		return TOTAL_BYTES;
	c = counters_self();
	half_free = (c.sys_frames_total - c.sys_frames_used) * PAGE_SIZE / 2;
	if (half_free >= TOTAL_BYTES)
		return TOTAL_BYTES;
	printf("# small guest: %zu MiB instead of %lu MiB\n", half_free >> 20, TOTAL_BYTES >> 20);
	return half_free;
}

/* Allocate blocks of size_of(b) until total_bytes(), fill them all,
 * verify them all, free them all. */
static void churn(size_t (*size_of)(size_t b))
{
	size_t limit = total_bytes(), n = 0, total = 0;
	uint64_t **blocks = malloc(limit / SMALL_MIN * sizeof(*blocks));

	CHECK(blocks != NULL);
	for (n = 0; total < limit; n++) {
		blocks[n] = malloc(size_of(n));
		CHECK(blocks[n] != NULL, "block %zu of %zu bytes, %zu bytes in use",
		      n, size_of(n), total);
		CHECK(((uintptr_t)blocks[n] & 15) == 0, "block %p not 16-byte aligned", blocks[n]);
		fill(blocks[n], size_of(n), n);
		total += size_of(n);
	}
	for (size_t b = 0; b < n; b++) {
		long bad = first_bad_word(blocks[b], size_of(b), b);
		CHECK(bad < 0, "block %zu (%p, %zu bytes): word %ld overwritten",
		      b, blocks[b], size_of(b), bad);
	}
	for (size_t b = 0; b < n; b++)
		free(blocks[b]);
	free(blocks);
}

/* The 256 MiB runs write and check every byte: seconds on an idle host,
 * minutes on a busy one (natively too, where make test runs them beside
 * QEMU). The bound is for a hang, not a speed; the harness's own
 * per-program limits stay the outer bound. */
#define MALLOC_BOUND_S 110

static size_t small_size(size_t b)
{
	return SMALL_MIN << (b % SMALL_SHIFTS);
}

static size_t large_size(size_t b)
{
	return LARGE_MIN * (1 + b % LARGE_STEPS);
}

GTEST_SLOW(malloc_small_blocks_256mib_keep_pattern, MALLOC_BOUND_S)
{
	churn(small_size);
}

GTEST_SLOW(malloc_large_blocks_256mib_keep_pattern, MALLOC_BOUND_S)
{
	churn(large_size);
}

/* Freed memory comes back: 256 MiB in large blocks, three times over,
 * does not run out, and on Aspen the frames return to the system (musl
 * unmaps large blocks on free). */
GTEST_SLOW(malloc_free_cycles_return_memory, MALLOC_BOUND_S)
{
	struct aspen_counters before = { 0 }, after;

	if (on_aspen())
		before = counters_self();
	for (int round = 0; round < 3; round++)
		churn(large_size);
	if (on_aspen()) {
		after = counters_self();
		CHECK(after.sys_frames_used <= before.sys_frames_used + FRAME_SLACK,
		      "frames used %llu before, %llu after",
		      (unsigned long long)before.sys_frames_used,
		      (unsigned long long)after.sys_frames_used);
	}
}

/* calloc must zero both fresh memory and memory that held a pattern. */
GTEST(calloc_returns_zeroed_memory)
{
	for (int round = 0; round < 2; round++) {
		for (size_t size = SMALL_MIN; size <= 8 * LARGE_MIN; size *= 4) {
			unsigned char *p = calloc(1, size);
			CHECK(p != NULL);
			for (size_t i = 0; i < size; i++)
				CHECK(p[i] == 0, "byte %zu of a %zu-byte block is %#x", i, size, p[i]);
			memset(p, 0xa5, size);
			free(p);
		}
	}
}

GTEST(realloc_grows_and_keeps_contents)
{
	size_t size = SMALL_MIN;
	uint64_t *p = malloc(size);

	CHECK(p != NULL);
	fill(p, size, 1);
	for (; size < 16 * LARGE_MIN; size *= 2) {
		p = realloc(p, 2 * size);
		CHECK(p != NULL, "realloc to %zu", 2 * size);
		CHECK(first_bad_word(p, size, 1) < 0, "contents lost growing to %zu bytes", 2 * size);
		fill(p, 2 * size, 1);
	}
	free(p);
}
