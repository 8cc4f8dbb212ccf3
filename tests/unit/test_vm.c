// UNIT-SRCS: kernel/mm/vm.c kernel/mm/vm_fork.c kernel/mm/vm_map.c kernel/mm/vm_change.c kernel/mm/commit.c kernel/mm/pagetable.c kernel/mm/fault.c kernel/mm/region.c kernel/lib/rbtree.c kernel/mm/frame.c kernel/mm/kmalloc.c kernel/mm/swapfile.c kernel/mm/swap_state.c kernel/mm/reclaim.c kernel/mm/swapoff.c tests/unit/fake_arch.c tests/unit/fake_swap.c tests/unit/vm_harness.c kernel/sys/sysctl.c
/*
 * test_vm.c - the generic address-space code on the host: placement,
 * splitting and merging of regions by mmap/munmap/mprotect, the fault
 * cases (zero fill, rights, stack growth), brk and mremap, each ending
 * with every frame back. Fork is test_fork.c's. The page table is walked
 * by mm/pagetable.c over fake_arch.c's entries; frames are the real
 * allocator's over a block of host memory.
 */
#include <string.h>
#include "unit.h"
#include "mm/vm.h"
#include "mm/fault.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "proc/task.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "vm_harness.h"
#include "sys/sysctl.h"
#include "mm/commit.h"
#include <uapi/aspen.h>

UNIT_TEST(mmap_places_top_down_below_mmap_base)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	long a = vm_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON, NULL, 0);
	long b = vm_mmap(mm, 0, PAGE_SIZE, RW, ANON, NULL, 0);
	CHECK_EQ(a, USER_MMAP_BASE - 4 * PAGE_SIZE);
	CHECK_EQ(b, a - PAGE_SIZE);
	CHECK_EQ(count_regions(mm), 1);   /* same rights, adjacent: merged */
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(munmap_middle_splits_region_in_two)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	long a = vm_mmap(mm, 0, 8 * PAGE_SIZE, RW, ANON, NULL, 0);
	CHECK(a > 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(user_write(mm, a + i * PAGE_SIZE, 'x'), 0);
	CHECK_EQ(vm_munmap(mm, a + 2 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
	CHECK_EQ(count_regions(mm), 2);
	CHECK_EQ(frame_at(mm, a + 3 * PAGE_SIZE), 0);
	CHECK_EQ(vm_fault_mm(mm, a + 3 * PAGE_SIZE, FAULT_USER), -EFAULT);
	CHECK_EQ(user_read(mm, a + 7 * PAGE_SIZE), 'x');
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

/* Set vm.max_map_count through its /proc/sys handler (found in the
 * linker section directly: sysctl_init would allocate from fake RAM). */
extern const struct sysctl *const __start_sysctl_table[], *const __stop_sysctl_table[];
static void set_sysctl(const char *path, const char *text)
{
	for (const struct sysctl *const *s = __start_sysctl_table; s < __stop_sysctl_table; s++)
		if (strcmp((*s)->path, path) == 0)
			CHECK_EQ((*s)->store(*s, text, strlen(text)), (long)strlen(text));
}

/* Past vm.max_map_count: mmap and splits fail with ENOMEM, except
 * munmap's splits at a region's edge (Linux lets those through). */
UNIT_TEST(max_map_count_bounds_mmap_and_splits)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	long a = vm_mmap(mm, 0, 8 * PAGE_SIZE, RW, ANON, NULL, 0);
	CHECK(a > 0);
	set_sysctl("vm/max_map_count", "1");
	CHECK_EQ(vm_mprotect(mm, a + PAGE_SIZE, PAGE_SIZE, PROT_READ), -ENOMEM);
	CHECK_EQ(vm_munmap(mm, a + 2 * PAGE_SIZE, PAGE_SIZE), -ENOMEM);       /* a hole */
	CHECK_EQ(count_regions(mm), 1);
	CHECK_EQ(vm_munmap(mm, a + 7 * PAGE_SIZE, PAGE_SIZE), 0);             /* an edge */
	CHECK_EQ(vm_mmap(mm, 0, PAGE_SIZE, PROT_READ, ANON, NULL, 0) > 0, 1); /* count 1 is not past 1 */
	CHECK_EQ(vm_mmap(mm, 0, PAGE_SIZE, PROT_READ, ANON, NULL, 0), -ENOMEM);
	set_sysctl("vm/max_map_count", "65530");
	CHECK_EQ(vm_munmap(mm, a + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(mprotect_middle_splits_in_three_and_back_merges)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	long a = vm_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, NULL, 0);
	CHECK_EQ(user_write(mm, a + PAGE_SIZE, 'y'), 0);
	CHECK_EQ(vm_mprotect(mm, a + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	CHECK_EQ(count_regions(mm), 3);
	CHECK(!writable_at(mm, a + PAGE_SIZE));
	CHECK_EQ(vm_fault_mm(mm, a + PAGE_SIZE, FAULT_WRITE | FAULT_USER), -EFAULT);
	CHECK_EQ(user_read(mm, a + PAGE_SIZE), 'y');
	CHECK_EQ(vm_mprotect(mm, a, 3 * PAGE_SIZE, RW), 0);
	CHECK_EQ(vm_mprotect(mm, a, 4 * PAGE_SIZE, RW), -ENOMEM);   /* a hole above */
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(map_fixed_noreplace_and_fixed)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	vaddr_t at = 0x10000000;
	CHECK_EQ(vm_mmap(mm, at, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), (long)at);
	CHECK_EQ(user_write(mm, at, 'a'), 0);
	CHECK_EQ(vm_mmap(mm, at, PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE, NULL, 0), -EEXIST);
	CHECK_EQ(vm_mmap(mm, at, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), (long)at);
	CHECK_EQ(frame_at(mm, at), 0);   /* the old page went with the old mapping */
	CHECK_EQ(vm_mmap(mm, 0x1000, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), -EPERM);
	CHECK_EQ(vm_mmap(mm, at, 0, RW, ANON, NULL, 0), -EINVAL);
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(first_touch_zero_fills_and_counts)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	long a = vm_mmap(mm, 0, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	CHECK_EQ(user_read(mm, a + 100), 0);
	CHECK_EQ(test_proc.counters.zero_fills, 1);
	CHECK_EQ(test_proc.counters.minor_faults, 1);
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(stack_grows_down_to_its_limit_only)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(vm_setup_stack(mm, 4 * PAGE_SIZE), 0);
	vaddr_t low = mm->stack_top - 4 * PAGE_SIZE;
	CHECK_EQ(user_write(mm, low - 10 * PAGE_SIZE, 's'), 0);   /* grows */
	CHECK_EQ(region_find(&mm->regions, low - 10 * PAGE_SIZE)->start, low - 10 * PAGE_SIZE);
	CHECK_EQ(vm_fault_mm(mm, mm->stack_top - mm->stack_limit - PAGE_SIZE, FAULT_USER), -EFAULT);
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(brk_grows_and_shrinks_with_its_pages)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	mm->brk_start = mm->brk = 0x600000;
	CHECK_EQ(vm_brk(mm, 0x600000 + 10 * PAGE_SIZE), 0x600000 + 10 * PAGE_SIZE);
	CHECK_EQ(user_write(mm, 0x600000 + 9 * PAGE_SIZE, 'h'), 0);
	CHECK_EQ(vm_brk(mm, 0x600000 + PAGE_SIZE), 0x600000 + PAGE_SIZE);
	CHECK_EQ(frame_at(mm, 0x600000 + 9 * PAGE_SIZE), 0);
	CHECK_EQ(vm_brk(mm, 0x100000), 0x600000 + PAGE_SIZE);   /* below the start: refused */
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(mremap_moves_the_frames_not_copies)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	long a = vm_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, NULL, 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(user_write(mm, a + i * PAGE_SIZE, (char)('m' + i)), 0);
	CHECK_EQ(vm_mmap(mm, a + 3 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0), a + 3 * PAGE_SIZE);
	paddr_t frames[3];
	for (int i = 0; i < 3; i++)
		frames[i] = frame_at(mm, a + i * PAGE_SIZE);
	uint64_t in_use = frames_in_use();
	long b = vm_mremap(mm, a, 3 * PAGE_SIZE, 6 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	CHECK(b > 0 && b != a);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(frame_at(mm, b + i * PAGE_SIZE), frames[i]);
		CHECK_EQ(frame_at(mm, a + i * PAGE_SIZE), 0);
		CHECK_EQ(user_read(mm, b + i * PAGE_SIZE), (char)('m' + i));
	}
	CHECK(frames_in_use() <= in_use + 4);   /* at most new page tables */
	CHECK_EQ(vm_fault_mm(mm, a, FAULT_USER), -EFAULT);
	mm_put(mm);
	CHECK_EQ(frames_in_use(), before);
}

/* Committed_AS (mm/commit.h): what each call charges, and every charge
 * back once the address spaces are gone. Mode 2 with a limit of the RAM
 * alone (no swap here) refuses what passes it. */
UNIT_TEST(commit_charges_follow_regions_and_return_exactly)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	uint64_t base = vm_committed_pages();
	long a = vm_mmap(mm, 0, 8 * PAGE_SIZE, RW, ANON, NULL, 0);
	long ro = vm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ, ANON, NULL, 0);
	long nr = vm_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON | MAP_NORESERVE, NULL, 0);
	CHECK(a > 0 && ro > 0 && nr > 0);
	CHECK_EQ(vm_committed_pages(), base + 8);
	CHECK_EQ(vm_mprotect(mm, ro, 2 * PAGE_SIZE, RW), 0);      /* half made writable */
	CHECK_EQ(vm_committed_pages(), base + 10);
	CHECK_EQ(vm_mprotect(mm, ro, 2 * PAGE_SIZE, PROT_READ), 0); /* untouched: given back */
	CHECK_EQ(vm_committed_pages(), base + 8);
	CHECK_EQ(vm_munmap(mm, a + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0); /* a hole */
	CHECK_EQ(vm_committed_pages(), base + 6);
	long m = vm_mremap(mm, a + 4 * PAGE_SIZE, 4 * PAGE_SIZE, 12 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	CHECK(m > 0);
	CHECK_EQ(vm_committed_pages(), base + 14);
	CHECK_EQ(vm_mremap(mm, m, 12 * PAGE_SIZE, 3 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   nr - 16 * PAGE_SIZE), (long)(nr - 16 * PAGE_SIZE));
	CHECK_EQ(vm_committed_pages(), base + 5);
	mm->brk_start = mm->brk = 0x600000;
	CHECK_EQ(vm_brk(mm, 0x600000 + 5 * PAGE_SIZE), 0x600000 + 5 * PAGE_SIZE);
	CHECK_EQ(vm_committed_pages(), base + 10);
	CHECK_EQ(vm_setup_stack(mm, 2 * PAGE_SIZE), 0);
	CHECK_EQ(user_write(mm, mm->stack_top - 6 * PAGE_SIZE, 's'), 0);   /* grows by 4 */
	CHECK_EQ(vm_committed_pages(), base + 16);
	for (int strategy = ASPEN_FORK_COPY; strategy <= ASPEN_FORK_SHARED; strategy++) {
		struct mm *child = mm_fork(mm, strategy, 0);
		CHECK(child != NULL);
		CHECK_EQ(vm_committed_pages(), base + 32);
		mm_put(child);
		CHECK_EQ(vm_committed_pages(), base + 16);
	}
	set_sysctl("vm/overcommit_memory", "2\n");
	uint64_t limit = vm_commit_limit() * PAGE_SIZE;
	CHECK_EQ(vm_mmap(mm, 0, limit, RW, ANON, NULL, 0), -ENOMEM);
	CHECK_EQ(vm_mmap(mm, 0, limit, RW, ANON | MAP_NORESERVE, NULL, 0), -ENOMEM);
	CHECK_EQ(vm_mprotect(mm, nr, 4 * PAGE_SIZE, PROT_READ), 0);
	CHECK_EQ(vm_mprotect(mm, nr, 4 * PAGE_SIZE, RW), 0);   /* MAP_NORESERVE: never charged */
	CHECK_EQ(vm_brk(mm, 0x600000 + limit), 0x600000 + 5 * PAGE_SIZE);
	set_sysctl("vm/overcommit_memory", "0\n");
	CHECK_EQ(vm_committed_pages(), base + 16);
	mm_put(mm);
	CHECK_EQ(vm_committed_pages(), base);
	CHECK_EQ(frames_in_use(), before);
}
