// UNIT-SRCS: kernel/mm/frame.c
/*
 * test_frame.c - the buddy frame allocator over a malloc'd "RAM".
 *
 * Fake physical memory is [0, FAKE_RAM) backed by one aligned block;
 * each test starts from a fresh frame_init.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "mm/frame.h"
#include "mm/phys.h"

#define FAKE_RAM (16UL << 20)                  /* 16 MiB: 4096 frames */
#define FAKE_FRAMES (FAKE_RAM >> PAGE_SHIFT)
#define MAX_BLOCK_FRAMES (1UL << FRAME_MAX_ORDER)

static void *ram;
static struct frame *meta;

/* Fresh allocator over [0, FAKE_RAM) with no RAM given to it yet. */
static void fake_ram_init(void)
{
	if (!ram)
		ram = aligned_alloc(PAGE_SIZE, FAKE_RAM);
	free(meta);
	meta = calloc(1, frame_meta_size(FAKE_RAM));
	host_phys_offset = (uintptr_t)ram;
	frame_init(meta, FAKE_RAM);
}

/* Fresh allocator with all of the fake RAM usable. */
static void fake_ram_init_all(void)
{
	fake_ram_init();
	frame_add_range(0, FAKE_RAM);
}

static uint64_t free_count(void)
{
	struct frame_stats st;
	frame_get_stats(&st);
	return st.free;
}

/* Allocate single frames until exhaustion; returns how many (<= max). */
static size_t alloc_all(paddr_t *out, size_t max)
{
	size_t n = 0;
	paddr_t pa;
	while (n < max && (pa = frame_alloc()) != 0)
		out[n++] = pa;
	return n;
}

/* Run fn in a child (its output discarded); true if it died by panic. */
static bool panics(void (*fn)(paddr_t), paddr_t pa)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(2);
		fn(pa);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void put_once(paddr_t pa) { frame_put(pa); }
static void free_once(paddr_t pa) { frame_free_order(pa, 0); }
static void get_once(paddr_t pa) { frame_get(pa); }

UNIT_TEST(add_range_counts_every_frame_but_frame_zero)
{
	fake_ram_init_all();
	struct frame_stats st;
	frame_get_stats(&st);
	CHECK_EQ(st.total, FAKE_FRAMES - 1);
	CHECK_EQ(st.free, FAKE_FRAMES - 1);
	CHECK_EQ(st.used, 0);
	CHECK_EQ(frames_in_use(), 0);
}

UNIT_TEST(alloc_all_then_free_all_returns_every_frame)
{
	fake_ram_init_all();
	uint64_t before = free_count();
	paddr_t *pas = malloc(FAKE_FRAMES * sizeof(*pas));
	size_t n = alloc_all(pas, FAKE_FRAMES);
	CHECK_EQ(n, before);
	CHECK_EQ(frame_alloc(), 0);
	CHECK_EQ(frame_alloc_zeroed(), 0);
	CHECK_EQ(free_count(), 0);
	CHECK_EQ(frames_in_use(), before);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(frame_put(pas[i]), 0);
	free(pas);
	CHECK_EQ(free_count(), before);
	CHECK_EQ(frames_in_use(), 0);
}

UNIT_TEST(frame_zero_never_returned)
{
	fake_ram_init_all();
	paddr_t *pas = malloc(FAKE_FRAMES * sizeof(*pas));
	size_t n = alloc_all(pas, FAKE_FRAMES);
	for (size_t i = 0; i < n; i++)
		CHECK(pas[i] >= PAGE_SIZE);
	free(pas);
	CHECK(frame_of(0)->flags & FRAME_RESERVED);
}

UNIT_TEST(every_frame_handed_out_once)
{
	fake_ram_init_all();
	paddr_t *pas = malloc(FAKE_FRAMES * sizeof(*pas));
	char *seen = calloc(FAKE_FRAMES, 1);
	size_t n = alloc_all(pas, FAKE_FRAMES);
	for (size_t i = 0; i < n; i++) {
		CHECK(IS_PAGE_ALIGNED(pas[i]));
		CHECK(pas[i] < FAKE_RAM);
		CHECK(!seen[pas[i] >> PAGE_SHIFT]);
		seen[pas[i] >> PAGE_SHIFT] = 1;
	}
	free(seen);
	free(pas);
}

UNIT_TEST(reserved_ranges_never_returned)
{
	const paddr_t hole_start = 0x100000, hole_end = 0x300000;
	fake_ram_init();
	/* Unaligned ends are rounded inward. */
	frame_add_range(0x800, hole_start + 0x10);
	frame_add_range(hole_end - 0x10, FAKE_RAM - 1);
	struct frame_stats st;
	frame_get_stats(&st);
	/* Frame 0, the hole and the last, partial frame are left out. */
	CHECK_EQ(st.total, FAKE_FRAMES - 2 - ((hole_end - hole_start) >> PAGE_SHIFT));

	paddr_t *pas = malloc(FAKE_FRAMES * sizeof(*pas));
	size_t n = alloc_all(pas, FAKE_FRAMES);
	CHECK_EQ(n, st.total);
	for (size_t i = 0; i < n; i++) {
		CHECK(pas[i] >= PAGE_SIZE);
		CHECK(pas[i] < hole_start || pas[i] >= hole_end);
		CHECK(pas[i] < FAKE_RAM - PAGE_SIZE);
	}
	free(pas);
}

UNIT_TEST(freeing_pieces_coalesces_to_max_order_block)
{
	fake_ram_init_all();
	/* Frame 0 breaks the first max block; the others are whole. */
	size_t whole = FAKE_FRAMES / MAX_BLOCK_FRAMES - 1;
	paddr_t *pas = malloc(FAKE_FRAMES * sizeof(*pas));
	size_t n = alloc_all(pas, FAKE_FRAMES);
	CHECK_EQ(frame_alloc_order(FRAME_MAX_ORDER), 0);
	/* Free in a scattered order so that merges happen in every shape. */
	for (size_t i = 0; i < n; i += 2)
		frame_put(pas[i]);
	CHECK_EQ(frame_alloc_order(1), 0);
	for (size_t i = 1; i < n; i += 2)
		frame_put(pas[i]);
	free(pas);

	paddr_t blocks[FAKE_FRAMES / MAX_BLOCK_FRAMES];
	size_t got = 0;
	while ((blocks[got] = frame_alloc_order(FRAME_MAX_ORDER)) != 0)
		got++;
	CHECK_EQ(got, whole);
	for (size_t i = 0; i < got; i++)
		frame_free_order(blocks[i], FRAME_MAX_ORDER);
	CHECK_EQ(frames_in_use(), 0);
}

UNIT_TEST(order_n_blocks_are_aligned_to_their_size)
{
	fake_ram_init_all();
	for (unsigned order = 0; order <= FRAME_MAX_ORDER; order++) {
		paddr_t pa = frame_alloc_order(order);
		CHECK(pa != 0);
		CHECK_EQ(pa & ((PAGE_SIZE << order) - 1), 0);
		CHECK_EQ(frame_of(pa)->order, order);
		CHECK_EQ(frame_refcount(pa), 1);
		/* The whole block is backed and writable. */
		memset(phys_to_virt(pa), 0xab, PAGE_SIZE << order);
	}
	CHECK_EQ(frame_alloc_order(FRAME_MAX_ORDER + 1), 0);
}

UNIT_TEST(mixed_orders_free_back_to_baseline)
{
	fake_ram_init_all();
	uint64_t before = free_count();
	paddr_t pas[64];
	unsigned orders[64];
	for (int i = 0; i < 64; i++) {
		orders[i] = (unsigned)(i * 7) % 6;
		pas[i] = frame_alloc_order(orders[i]);
		CHECK(pas[i] != 0);
	}
	for (int i = 63; i >= 0; i -= 2)
		frame_free_order(pas[i], orders[i]);
	for (int i = 62; i >= 0; i -= 2)
		frame_free_order(pas[i], orders[i]);
	CHECK_EQ(free_count(), before);
}

UNIT_TEST(refcount_get_put_frees_at_zero)
{
	fake_ram_init_all();
	uint64_t before = free_count();
	paddr_t pa = frame_alloc();
	CHECK(pa != 0);
	CHECK_EQ(frame_refcount(pa), 1);
	frame_get(pa);
	frame_get(pa);
	CHECK_EQ(frame_refcount(pa), 3);
	CHECK_EQ(frame_put(pa), 2);
	CHECK_EQ(frame_put(pa), 1);
	CHECK_EQ(free_count(), before - 1);
	CHECK_EQ(frame_put(pa), 0);
	CHECK_EQ(frame_refcount(pa), 0);
	CHECK_EQ(free_count(), before);
}

UNIT_TEST(alloc_zeroed_is_zero_after_reuse)
{
	fake_ram_init();
	frame_add_range(PAGE_SIZE, 2 * PAGE_SIZE);  /* exactly one frame */
	paddr_t pa = frame_alloc();
	CHECK(pa != 0);
	memset(phys_to_virt(pa), 0xff, PAGE_SIZE);
	frame_put(pa);
	paddr_t again = frame_alloc_zeroed();
	CHECK_EQ(again, pa);
	const unsigned char *p = phys_to_virt(again);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK_EQ(p[i], 0);
}

UNIT_TEST(frame_of_and_frame_addr_are_inverse)
{
	fake_ram_init_all();
	paddr_t pa = frame_alloc();
	CHECK_EQ(frame_addr(frame_of(pa)), pa);
	CHECK_EQ(frame_addr(frame_of(pa + 123)), pa);
	CHECK_EQ(frame_of(pa), &meta[pa >> PAGE_SHIFT]);
}

UNIT_TEST(put_below_zero_panics)
{
	fake_ram_init_all();
	paddr_t pa = frame_alloc();
	frame_put(pa);
	CHECK(panics(put_once, pa));
}

UNIT_TEST(double_free_and_get_of_free_frame_panic)
{
	fake_ram_init_all();
	paddr_t pa = frame_alloc();
	frame_free_order(pa, 0);
	CHECK(panics(free_once, pa));
	CHECK(panics(get_once, pa));
	CHECK(panics(free_once, 0));
	/* Also when the freed frame merged into its buddy's block: on a
	 * fresh allocator frames 2 and 3 come second and third. */
	fake_ram_init_all();
	frame_alloc();
	paddr_t a = frame_alloc(), b = frame_alloc();
	CHECK_EQ(a ^ b, PAGE_SIZE);
	frame_put(a);
	frame_put(b);
	CHECK(panics(free_once, a));
	CHECK(panics(free_once, b));
	CHECK(panics(put_once, a));
	CHECK(panics(put_once, b));
	CHECK(!panics(put_once, frame_alloc()));
}
