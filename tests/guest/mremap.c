// GUEST: glibc
/*
 * mremap.c - resizing and moving a mapping: shrink in place, grow in
 * place when the space after it is free, move (pages and all) when it is
 * not and MREMAP_MAYMOVE allows, MREMAP_FIXED, and the errors.
 */
#include "gtest.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL

static char *map_at(void *hint, size_t len, int extra)
{
	char *p = mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void touch(void *p) { *(volatile char *)p = 1; }

static int touch_in_child(void *p)
{
	pid_t pid = xfork();
	if (pid == 0) {
		touch(p);
		_exit(0);
	}
	return wait_status(pid);
}

GTEST(grow_in_place_when_room)
{
	char *a = map_at(NULL, 4 * PAGE, 0);
	CHECK(a != NULL);
	CHECK(munmap(a + 2 * PAGE, 2 * PAGE) == 0);
	memset(a, 'g', 2 * PAGE);
	char *b = mremap(a, 2 * PAGE, 4 * PAGE, 0);
	CHECK(b == a, "moved to %p", (void *)b);
	CHECK_EQ(a[2 * PAGE - 1], 'g');
	CHECK_EQ(a[3 * PAGE], 0);
	CHECK(munmap(a, 4 * PAGE) == 0);
}

GTEST(grow_moves_when_blocked_and_keeps_data)
{
	char *a = map_at(NULL, 4 * PAGE, 0);
	CHECK(a != NULL);
	CHECK(munmap(a + 2 * PAGE, 2 * PAGE) == 0);
	CHECK(map_at(a + 2 * PAGE, PAGE, MAP_FIXED) == a + 2 * PAGE);   /* the blocker */
	for (unsigned long i = 0; i < 2 * PAGE; i++)
		a[i] = (char)(i * 7);
	CHECK(mremap(a, 2 * PAGE, 8 * PAGE, 0) == MAP_FAILED && errno == ENOMEM);
	char *b = mremap(a, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	CHECK(b != MAP_FAILED && b != a);
	for (unsigned long i = 0; i < 2 * PAGE; i++)
		CHECK_EQ(b[i], (char)(i * 7));
	CHECK_EQ(b[8 * PAGE - 1], 0);
	CHECK_SIGNALED(touch_in_child(a), SIGSEGV);   /* the old place is gone */
	touch(a + 2 * PAGE);                           /* the blocker stays */
}

GTEST(shrink_unmaps_the_tail)
{
	char *a = map_at(NULL, 4 * PAGE, 0);
	CHECK(a != NULL);
	a[0] = 's';
	CHECK(mremap(a, 4 * PAGE, PAGE, 0) == a);
	CHECK_EQ(a[0], 's');
	CHECK_SIGNALED(touch_in_child(a + PAGE), SIGSEGV);
}

/* The same size is a no-op that returns the address, also for a part of
 * a larger mapping (the fuzzer found a kernel that split the neighbour
 * at the empty tail [end, end) and panicked). */
GTEST(same_size_inside_a_larger_mapping_changes_nothing)
{
	char *a = map_at(NULL, 3 * PAGE, 0);
	CHECK(a != NULL);
	for (int i = 0; i < 3; i++)
		a[i * PAGE] = (char)('x' + i);
	CHECK(mremap(a, PAGE, PAGE, 0) == a);
	CHECK(mremap(a + PAGE, PAGE, PAGE, 0) == a + PAGE);
	CHECK(mremap(a, 3 * PAGE, 3 * PAGE, MREMAP_MAYMOVE) == a);   /* still one mapping */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(a[i * PAGE], (char)('x' + i));
	CHECK(munmap(a, 3 * PAGE) == 0);
}

/* Shrinking, or keeping the size, needs only a mapping at the address: the
 * range may cross mappings (of different rights here), as munmap's may. */
GTEST(shrink_across_two_mappings_unmaps_the_tail)
{
	char *a = map_at(NULL, 3 * PAGE, 0);
	CHECK(a != NULL);
	CHECK(mprotect(a + PAGE, PAGE, PROT_READ) == 0);
	CHECK(mremap(a, 3 * PAGE, 3 * PAGE, 0) == a);
	touch(a + 2 * PAGE);
	CHECK(mremap(a, 3 * PAGE, PAGE, 0) == a);
	touch(a);
	CHECK_SIGNALED(touch_in_child(a + 2 * PAGE), SIGSEGV);
	CHECK(munmap(a, PAGE) == 0);
	CHECK_ERR(syscall(SYS_mremap, a, 2 * PAGE, PAGE, 0, 0), EFAULT);   /* nothing at a */
}

GTEST(fixed_moves_to_the_address_given)
{
	char *a = map_at(NULL, 2 * PAGE, 0);
	char *target = map_at(NULL, 2 * PAGE, 0);   /* a place we know is ours */
	CHECK(a != NULL && target != NULL);
	strcpy(a + PAGE, "moved");
	char *b = mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	CHECK(b == target);
	CHECK(strcmp(target + PAGE, "moved") == 0);
	CHECK_SIGNALED(touch_in_child(a), SIGSEGV);
}

GTEST(mremap_errors)
{
	char *a = map_at(NULL, 2 * PAGE, 0);
	CHECK(a != NULL);
	CHECK_ERR(syscall(SYS_mremap, a + 1, PAGE, 2 * PAGE, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_mremap, a, PAGE, 0, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_mremap, a, PAGE, PAGE, MREMAP_FIXED, a + PAGE), EINVAL);
	CHECK(munmap(a, 2 * PAGE) == 0);
	CHECK_ERR(syscall(SYS_mremap, a, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0), EFAULT);
}

/* A fixed destination must lie below the top of user space: one that
 * would wrap past 2^64, or end above 0x7ffffffff000, is EINVAL and the
 * source stays mapped (the fuzzer once made a region [2^64-4096, 0x4000)). */
GTEST(fixed_destination_past_the_top_einval)
{
	const uint64_t top = 0x7ffffffff000ULL;
	char *a = map_at(NULL, 4 * PAGE, 0);
	CHECK(a != NULL);
	a[0] = 'k';
	CHECK_ERR(syscall(SYS_mremap, a, 4 * PAGE, 5 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			  0xfffffffffffff000ULL), EINVAL);
	CHECK_ERR(syscall(SYS_mremap, a, 4 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			  top - PAGE), EINVAL);
	CHECK_ERR(syscall(SYS_mremap, a, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			  0x800000000000ULL), EINVAL);
	CHECK_EQ(a[0], 'k');
	CHECK(munmap(a, 4 * PAGE) == 0);
}

GTEST(realloc_of_a_large_block_keeps_contents)
{
	size_t n = 1 << 20;
	unsigned char *p = malloc(n);
	CHECK(p != NULL);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 13);
	p = realloc(p, 8 * n);
	CHECK(p != NULL);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(p[i], (unsigned char)(i * 13));
	free(p);
}
