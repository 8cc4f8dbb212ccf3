// UNIT-SRCS: kernel/mm/kmalloc.c kernel/mm/frame.c
/*
 * test_kmalloc.c - the kernel heap over the buddy allocator and a
 * malloc'd "RAM". The RAM is set up once: the slab caches are static
 * and outlive any one test, so every test frees what it takes and
 * checks frames_in_use() against the value it started with.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "fake_ram.h"

#define FAKE_RAM (8UL << 20)   /* 8 MiB: 2048 frames */
#define MAX_OBJECTS (FAKE_RAM / 16)   /* more than fit: the headers take room */

static void ram_init_once(void)
{
	fake_ram_init(FAKE_RAM, 0);
}

/* The alignment kmalloc promises for size. */
static size_t promised_align(size_t size)
{
	size_t a = 1;
	while (a < size && a < PAGE_SIZE)
		a <<= 1;
	return a;
}

/* A byte pattern that differs between blocks and positions. */
static unsigned char pattern(size_t block, size_t i)
{
	return (unsigned char)(block * 31 + i * 7 + 1);
}

static void fill(unsigned char *p, size_t n, size_t block)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(block, i);
}

static bool intact(const unsigned char *p, size_t n, size_t block)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != pattern(block, i))
			return false;
	}
	return true;
}

UNIT_TEST(zero_and_absurd_sizes_return_null)
{
	ram_init_once();
	CHECK(kmalloc(0) == NULL);
	CHECK(kzalloc(0) == NULL);
	CHECK(kmalloc((PAGE_SIZE << FRAME_MAX_ORDER) + 1) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	kfree(NULL);
}

UNIT_TEST(every_size_is_aligned_and_usable)
{
	ram_init_once();
	uint64_t baseline = frames_in_use();
	for (size_t size = 1; size <= 3 * PAGE_SIZE; size += size < 300 ? 1 : 97) {
		unsigned char *p = kmalloc(size);
		CHECK(p != NULL);
		CHECK_EQ((uintptr_t)p % promised_align(size), 0);
		size_t usable = kmalloc_usable_size(p);
		CHECK(usable >= size);
		CHECK(usable < 2 * size || usable == 16);
		memset(p, 0xee, usable);
		kfree(p);
	}
	CHECK_EQ(frames_in_use(), baseline);
}

UNIT_TEST(many_blocks_do_not_overlap_and_free_to_baseline)
{
	ram_init_once();
	static const size_t sizes[] = { 1, 8, 16, 17, 24, 32, 48, 64, 100, 128, 200,
					256, 300, 512, 700, 1024, 1500, 2048, 2049, 4096, 5000 };
	enum { N = 1500 };
	uint64_t baseline = frames_in_use();
	unsigned char **blocks = calloc(N, sizeof(*blocks));
	size_t *lens = calloc(N, sizeof(*lens));
	for (size_t i = 0; i < N; i++) {
		lens[i] = sizes[(i * 7) % ARRAY_SIZE(sizes)];
		blocks[i] = kmalloc(lens[i]);
		CHECK(blocks[i] != NULL);
		fill(blocks[i], lens[i], i);
	}
	CHECK(frames_in_use() > baseline);
	/* Free every third block, refill the holes, and check all patterns. */
	for (size_t i = 0; i < N; i += 3) {
		CHECK(intact(blocks[i], lens[i], i));
		kfree(blocks[i]);
		blocks[i] = kmalloc(lens[i]);
		CHECK(blocks[i] != NULL);
		fill(blocks[i], lens[i], i);
	}
	for (size_t i = 0; i < N; i++)
		CHECK(intact(blocks[i], lens[i], i));
	for (size_t i = N; i-- > 0; )
		kfree(blocks[i]);
	free(blocks);
	free(lens);
	CHECK_EQ(frames_in_use(), baseline);
}

UNIT_TEST(kzalloc_returns_zeroed_memory_after_reuse)
{
	ram_init_once();
	unsigned char *p = kmalloc(200);
	memset(p, 0xff, 200);
	unsigned char *keep = kmalloc(200);   /* keeps the slab alive */
	kfree(p);
	unsigned char *z = kzalloc(200);
	CHECK(z == p);
	for (size_t i = 0; i < 200; i++)
		CHECK_EQ(z[i], 0);
	kfree(z);
	kfree(keep);
}

/* Allocate size-byte blocks until kmalloc fails; free them all. */
static size_t exhaust_with(size_t size, uint64_t baseline)
{
	void **all = malloc(MAX_OBJECTS * sizeof(*all));
	size_t n = 0;
	while (n < MAX_OBJECTS && (all[n] = kmalloc(size)) != NULL)
		n++;
	for (size_t i = 0; i < n; i++)
		kfree(all[i]);
	free(all);
	return frames_in_use() == baseline ? n : 0;
}

UNIT_TEST(exhaustion_returns_null_then_recovers)
{
	ram_init_once();
	uint64_t baseline = frames_in_use();
	struct frame_stats st;
	frame_get_stats(&st);
	size_t free_frames = st.free;
	static const size_t sizes[] = { 16, 64, 512, 2048, 4096, 3 * PAGE_SIZE };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = exhaust_with(sizes[i], baseline);
		CHECK(n > 0 && n < MAX_OBJECTS);
		/* Nearly all free memory went to objects of this size. */
		CHECK(n * sizes[i] >= free_frames * PAGE_SIZE / 2);
	}
	/* And everything can be had again. */
	CHECK_EQ(exhaust_with(16, baseline), exhaust_with(16, baseline));
}

UNIT_TEST(large_blocks_take_whole_buddy_blocks)
{
	ram_init_once();
	uint64_t baseline = frames_in_use();
	for (unsigned order = 0; order <= FRAME_MAX_ORDER; order++) {
		size_t size = (PAGE_SIZE << order) - (order ? 100 : 0);
		if (size <= 2048)
			continue;
		unsigned char *p = kmalloc(size);
		CHECK(p != NULL);
		CHECK_EQ((uintptr_t)p % PAGE_SIZE, 0);
		CHECK_EQ(kmalloc_usable_size(p), PAGE_SIZE << order);
		CHECK_EQ(frames_in_use(), baseline + (1UL << order));
		struct frame *f = frame_of(virt_to_phys(p));
		CHECK(f->flags & FRAME_KERNEL);
		CHECK_EQ(f->order, order);
		fill(p, size, order);
		CHECK(intact(p, size, order));
		kfree(p);
		CHECK_EQ(frames_in_use(), baseline);
	}
}

UNIT_TEST(slab_frames_point_back_at_their_slab)
{
	ram_init_once();
	uint64_t baseline = frames_in_use();
	void *a = kmalloc(40), *b = kmalloc(1000);
	struct frame *fa = frame_of(virt_to_phys(a));
	struct frame *fb = frame_of(virt_to_phys(b));
	CHECK(fa->flags & FRAME_SLAB);
	CHECK(fb->flags & FRAME_SLAB);
	CHECK(fa->slab != NULL);
	CHECK_EQ(kmalloc_usable_size(a), 64);
	CHECK_EQ(kmalloc_usable_size(b), 1024);
	kfree(a);
	kfree(b);
	CHECK_EQ(frames_in_use(), baseline);
}

UNIT_TEST(two_kilobyte_objects_fill_a_frame)
{
	ram_init_once();
	uint64_t baseline = frames_in_use();
	void *p[2] = { kmalloc(2048), kmalloc(2048) };
	CHECK((uintptr_t)p[0] / PAGE_SIZE == (uintptr_t)p[1] / PAGE_SIZE);
	kfree(p[0]);
	kfree(p[1]);
	CHECK_EQ(frames_in_use(), baseline);
}

/* True if kfree(p) panics, run in a child with its output discarded. */
static bool kfree_panics(void *p)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(2);
		kfree(p);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

UNIT_TEST(kfree_of_foreign_or_interior_pointer_panics)
{
	ram_init_once();
	char *small = kmalloc(64), *large = kmalloc(3 * PAGE_SIZE);
	CHECK(kfree_panics(small + 8));
	CHECK(kfree_panics(large + PAGE_SIZE));
	paddr_t pa = frame_alloc();             /* a frame kmalloc never saw */
	CHECK(kfree_panics(phys_to_virt(pa)));
	frame_put(pa);
	CHECK(!kfree_panics(small));
	kfree(small);
	kfree(large);
}
