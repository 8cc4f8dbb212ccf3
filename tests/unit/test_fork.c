// UNIT-SRCS: kernel/mm/vm.c kernel/mm/vm_fork.c kernel/mm/vm_map.c kernel/mm/vm_change.c kernel/mm/commit.c kernel/mm/pagetable.c kernel/mm/fault.c kernel/mm/vm_report.c kernel/mm/region.c kernel/lib/rbtree.c kernel/mm/frame.c kernel/mm/kmalloc.c kernel/mm/swapfile.c kernel/mm/swap_state.c kernel/mm/reclaim.c kernel/mm/swapoff.c kernel/mm/madvise.c tests/unit/fake_arch.c tests/unit/fake_swap.c tests/unit/vm_harness.c kernel/sys/sysctl.c
/*
 * test_fork.c - mm_fork's three strategies on the host (docs/fork.md).
 * First what all three must agree on (each side keeps its own values,
 * every change after the fork stays on its side, every frame comes back,
 * a fork without memory leaves nothing), run under each strategy; then
 * how each gets there, read from the page tables and reference counts:
 * copy (the child's own frames at once), cow (frames shared read-only,
 * copied on write, reused by the last owner), shared (last-level tables
 * shared read-only with a reference count, one table copied per first
 * change in its range, dropped whole by an unmap, taken back by the last
 * user without a copy), and swap entries in shared tables (a slot
 * counted once per table; page-out copies a shared table first).
 */
#include <string.h>
#include "unit.h"
#include "vm_harness.h"
#include "mm/fault.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/vm_report.h"
#include "mm/reclaim.h"
#include "fake_swap.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include <uapi/aspen.h>

#define NPAGES 600                       /* more than one last-level table */
#define ALIGNED_AT 0x40000000UL          /* a table boundary, for whole-table tests */
#define FORK_OVERHEAD_MAX 8              /* upper tables and the root of a child */

static const int strategies[] = { ASPEN_FORK_COPY, ASPEN_FORK_COW, ASPEN_FORK_SHARED };
#define FOR_EACH_STRATEGY(s) for (unsigned i_ = 0; i_ < 3 && ((s) = strategies[i_], 1); i_++)

/* The value page i of a map_written mapping holds. */
static char written(int i) { return (char)('A' + i % 26); }

/* Does every one of n pages at a hold its map_written value? */
static bool pages_intact(struct mm *mm, vaddr_t a, int n)
{
	for (int i = 0; i < n; i++)
		if (user_read(mm, a + i * PAGE_SIZE) != written(i))
			return false;
	return true;
}

/* A parent with npages written pages at `at` (0: anywhere), forked. */
struct forked {
	uint64_t before;          /* frames in use before the parent existed */
	struct mm *p, *c;
	long a;                   /* the pages' address */
};

static void fork_begin(struct forked *f, int strategy, vaddr_t at, int npages)
{
	f->p = fresh_mm(&f->before);
	f->a = map_written(f->p, at, npages);
	f->c = mm_fork(f->p, strategy, 0);
}

/* Both gone (either may have been put already: NULL); every frame back? */
static bool fork_end(struct forked *f)
{
	if (f->c)
		mm_put(f->c);
	if (f->p)
		mm_put(f->p);
	return frames_in_use() == f->before && vm_stats.pt_shared == 0;
}

/* ---- what every strategy gives ---- */

UNIT_TEST(child_writes_stay_in_the_child_under_every_strategy)
{
	int s;
	FOR_EACH_STRATEGY(s) {
		struct forked f;
		fork_begin(&f, s, 0, NPAGES);
		CHECK(f.c != NULL);
		for (int i = 0; i < NPAGES; i += 7)
			CHECK_EQ(user_write(f.c, f.a + i * PAGE_SIZE, 'c'), 0);
		for (int i = 0; i < NPAGES; i++)
			CHECK_EQ(user_read(f.c, f.a + i * PAGE_SIZE), i % 7 ? written(i) : 'c');
		CHECK(pages_intact(f.p, f.a, NPAGES));
		mm_put(f.c);
		f.c = NULL;
		CHECK(pages_intact(f.p, f.a, NPAGES));
		CHECK(fork_end(&f));
	}
}

UNIT_TEST(parent_writes_stay_in_the_parent_under_every_strategy)
{
	int s;
	FOR_EACH_STRATEGY(s) {
		struct forked f;
		fork_begin(&f, s, 0, NPAGES);
		for (int i = 0; i < NPAGES; i += 3)
			CHECK_EQ(user_write(f.p, f.a + i * PAGE_SIZE, 'p'), 0);
		CHECK(pages_intact(f.c, f.a, NPAGES));
		mm_put(f.p);   /* the parent may go first: the child keeps its pages */
		f.p = NULL;
		CHECK(pages_intact(f.c, f.a, NPAGES));
		CHECK(fork_end(&f));
	}
}

/* Each change a process can make in a range it shares: munmap of part
 * of it, mprotect, madvise(DONTNEED), MAP_FIXED over it, mremap. The
 * other side must see none of them. */
UNIT_TEST(changes_after_fork_stay_on_their_side_under_every_strategy)
{
	int s;
	FOR_EACH_STRATEGY(s) {
		struct forked f;
		fork_begin(&f, s, 0, NPAGES);
		long a = f.a;
		CHECK_EQ(vm_munmap(f.c, a + 10 * PAGE_SIZE, 5 * PAGE_SIZE), 0);
		CHECK_EQ(vm_mprotect(f.c, a + 100 * PAGE_SIZE, 50 * PAGE_SIZE, PROT_READ), 0);
		CHECK_EQ(vm_dontneed(f.c, a + 200 * PAGE_SIZE, 20 * PAGE_SIZE), 0);
		CHECK_EQ(vm_mmap(f.c, a + 300 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0),
			 a + 300 * PAGE_SIZE);
		long b = vm_mremap(f.c, a + 400 * PAGE_SIZE, 10 * PAGE_SIZE, 20 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
		CHECK(b > 0);
		CHECK_EQ(user_read(f.c, b), written(400));
		CHECK_EQ(user_read(f.c, a + 200 * PAGE_SIZE), 0);
		CHECK_EQ(user_read(f.c, a + 300 * PAGE_SIZE), 0);
		CHECK_EQ(vm_fault_mm(f.c, a + 120 * PAGE_SIZE, FAULT_WRITE | FAULT_USER), -EFAULT);
		CHECK(pages_intact(f.p, a, NPAGES));
		CHECK_EQ(user_write(f.p, a + 120 * PAGE_SIZE, 'w'), 0);
		CHECK_EQ(user_read(f.c, a + 120 * PAGE_SIZE), written(120));
		CHECK(fork_end(&f));
	}
}

UNIT_TEST(grandchildren_and_any_exit_order_give_every_frame_back)
{
	int s;
	FOR_EACH_STRATEGY(s) {
		struct forked f;
		fork_begin(&f, s, 0, NPAGES);
		struct mm *g = mm_fork(f.c, s, 0);
		CHECK_EQ(user_write(f.c, f.a, 'c'), 0);
		CHECK_EQ(user_write(g, f.a + PAGE_SIZE, 'g'), 0);
		CHECK_EQ(user_read(g, f.a), written(0));
		CHECK_EQ(user_read(f.c, f.a + PAGE_SIZE), written(1));
		mm_put(f.c);
		f.c = NULL;
		CHECK(pages_intact(f.p, f.a, NPAGES));
		CHECK_EQ(user_read(g, f.a + PAGE_SIZE), 'g');
		mm_put(f.p);
		f.p = NULL;
		CHECK_EQ(user_read(g, f.a + 2 * PAGE_SIZE), written(2));
		f.c = g;
		CHECK(fork_end(&f));
	}
}

UNIT_TEST(fork_without_memory_fails_and_leaves_nothing_under_every_strategy)
{
	int s;
	FOR_EACH_STRATEGY(s) {
		struct forked f;
		fork_begin(&f, s, 0, 1100);   /* three page tables' worth */
		mm_put(f.c);
		uint64_t after_parent = frames_in_use();
		static paddr_t hog[20000];
		int n = 0;
		while (n < 20000 && (hog[n] = frame_alloc()))
			n++;
		for (int i = 0; i < 2 && n > 0; i++)
			frame_put(hog[--n]);
		f.c = mm_fork(f.p, s, 0);
		CHECK(f.c == NULL);
		for (int i = 0; i < n; i++)
			frame_put(hog[i]);
		CHECK_EQ(frames_in_use(), after_parent);
		CHECK_EQ(user_write(f.p, f.a, 'z'), 0);   /* the parent goes on */
		CHECK_EQ(user_read(f.p, f.a + PAGE_SIZE), written(1));
		CHECK(fork_end(&f));
	}
}

/* ---- copy ---- */

UNIT_TEST(copy_fork_gives_the_child_its_own_writable_frames)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_COPY, 0, NPAGES);
	for (int i = 0; i < NPAGES; i++) {
		vaddr_t va = f.a + i * PAGE_SIZE;
		CHECK(frame_at(f.c, va) != frame_at(f.p, va));
		CHECK_EQ(frame_refcount(frame_at(f.c, va)), 1);
		CHECK(writable_at(f.p, va) && writable_at(f.c, va));
	}
	uint64_t faults = test_proc.counters.minor_faults;
	CHECK_EQ(user_write(f.c, f.a, 'c'), 0);
	CHECK_EQ(test_proc.counters.minor_faults, faults);   /* no fault at all */
	CHECK(fork_end(&f));
}

/* ---- cow ---- */

UNIT_TEST(cow_fork_shares_every_frame_read_only)
{
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	long a = map_written(parent, 0, NPAGES);
	uint64_t frames_at_fork = frames_in_use();
	struct forked f = { before, parent, mm_fork(parent, ASPEN_FORK_COW, 0), a };
	CHECK(f.c != NULL);
	CHECK(frames_in_use() - frames_at_fork <= FORK_OVERHEAD_MAX + 2);   /* page tables only */
	for (int i = 0; i < NPAGES; i++) {
		vaddr_t va = a + i * PAGE_SIZE;
		CHECK_EQ(frame_at(f.c, va), frame_at(parent, va));
		CHECK_EQ(frame_refcount(frame_at(parent, va)), 2);
		CHECK(!writable_at(parent, va) && !writable_at(f.c, va));
		CHECK(table_of_va(f.c, va) != table_of_va(parent, va));
	}
	CHECK(fork_end(&f));
}

UNIT_TEST(cow_child_write_copies_and_parent_keeps_its_value)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_COW, 0, 4);
	paddr_t shared = frame_at(f.p, f.a);
	CHECK_EQ(user_write(f.c, f.a, 'c'), 0);
	CHECK_EQ(test_proc.counters.cow_copies, 1);
	CHECK(frame_at(f.c, f.a) != shared);
	CHECK_EQ(frame_at(f.p, f.a), shared);
	CHECK_EQ(frame_refcount(shared), 1);
	CHECK_EQ(user_read(f.c, f.a), 'c');
	CHECK_EQ(user_read(f.p, f.a), 'A');
	CHECK_EQ(frame_at(f.c, f.a + PAGE_SIZE), frame_at(f.p, f.a + PAGE_SIZE));
	CHECK(fork_end(&f));
}

UNIT_TEST(cow_last_owner_reuses_without_copy)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_COW, 0, 2);
	mm_put(f.c);   /* the child exits: the parent owns every frame again */
	f.c = NULL;
	paddr_t frame = frame_at(f.p, f.a);
	uint64_t frames = frames_in_use();
	CHECK_EQ(user_write(f.p, f.a, 'r'), 0);
	CHECK_EQ(test_proc.counters.cow_copies, 0);
	CHECK_EQ(test_proc.counters.cow_reuses, 1);
	CHECK_EQ(frame_at(f.p, f.a), frame);
	CHECK_EQ(frames_in_use(), frames);
	CHECK(fork_end(&f));
}

/* ---- shared ---- */

UNIT_TEST(shared_fork_shares_the_tables_read_only_and_copies_no_entry)
{
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	long a = map_written(parent, ALIGNED_AT, NPAGES);   /* two tables: 512 + 88 pages */
	mm_switch(NULL, parent);   /* it runs on this CPU */
	uint64_t frames_at_fork = frames_in_use();
	int flushes = tlb_flushes;
	struct forked f = { before, parent, mm_fork(parent, ASPEN_FORK_SHARED, 0), a };
	CHECK(frames_in_use() - frames_at_fork <= FORK_OVERHEAD_MAX);
	CHECK(tlb_flushes > flushes);   /* the parent's tables just became read-only */
	for (int i = 0; i < NPAGES; i++) {
		vaddr_t va = a + i * PAGE_SIZE;
		CHECK_EQ(table_of_va(f.c, va), table_of_va(parent, va));
		CHECK_EQ(frame_refcount(table_of_va(parent, va)), 2);
		CHECK_EQ(frame_refcount(frame_at(parent, va)), 1);   /* one table, one reference */
		CHECK(!writable_at(parent, va) && !writable_at(f.c, va));
	}
	struct pt_census c;
	pt_census(f.c, &c);
	CHECK(c.shared >= 2 && c.shared == c.last_level);
	CHECK_EQ(vm_stats.pt_shared, c.shared);
	mm_put(f.c);
	f.c = NULL;
	CHECK_EQ(vm_stats.pt_shared, 0);
	CHECK_EQ(frame_refcount(table_of_va(parent, a)), 1);
	mm_switch(parent, NULL);
	CHECK(fork_end(&f));
}

UNIT_TEST(shared_first_write_copies_that_one_table_and_then_cows)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, NPAGES);
	long a = f.a;
	paddr_t first = table_of_va(f.p, a), second = table_of_va(f.p, a + TABLE_SPAN);
	paddr_t old = frame_at(f.p, a + 5 * PAGE_SIZE);
	CHECK_EQ(user_write(f.c, a + 5 * PAGE_SIZE, 'c'), 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 1);
	CHECK_EQ(test_proc.counters.cow_copies, 1);
	CHECK(table_of_va(f.c, a) != first);
	CHECK_EQ(table_of_va(f.p, a), first);
	CHECK_EQ(frame_refcount(first), 1);                        /* the child left it */
	CHECK_EQ(table_of_va(f.c, a + TABLE_SPAN), second);       /* the other is still shared */
	CHECK_EQ(frame_refcount(second), 2);
	CHECK_EQ(frame_refcount(frame_at(f.p, a + 6 * PAGE_SIZE)), 2);   /* now per entry */
	CHECK(!writable_at(f.c, a + 6 * PAGE_SIZE));
	CHECK_EQ(frame_at(f.p, a + 5 * PAGE_SIZE), old);
	CHECK_EQ(user_write(f.c, a + 6 * PAGE_SIZE, 'd'), 0);   /* a plain COW fault */
	CHECK_EQ(test_proc.counters.pt_unshares, 1);
	CHECK_EQ(test_proc.counters.cow_copies, 2);
	CHECK(pages_intact(f.p, a, NPAGES));
	CHECK(fork_end(&f));
}

/* The table under the stack pointer ("hot") is copied at fork, since
 * both processes write their stacks at once; the others are shared. */
UNIT_TEST(shared_fork_copies_the_hot_table_at_once)
{
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	long a = map_written(parent, ALIGNED_AT, 3 * PT_ENTRIES);
	struct forked f = { before, parent, mm_fork(parent, ASPEN_FORK_SHARED, a + TABLE_SPAN + 77), a };
	CHECK(table_of_va(f.c, a + TABLE_SPAN) != table_of_va(parent, a + TABLE_SPAN));
	CHECK_EQ(frame_refcount(frame_at(parent, a + TABLE_SPAN)), 2);   /* cow: per page */
	CHECK_EQ(table_of_va(f.c, a), table_of_va(parent, a));
	CHECK_EQ(table_of_va(f.c, a + 2 * TABLE_SPAN), table_of_va(parent, a + 2 * TABLE_SPAN));
	CHECK_EQ(user_write(f.c, a + TABLE_SPAN, 'h'), 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 0);
	CHECK_EQ(test_proc.counters.cow_copies, 1);
	CHECK(pages_intact(parent, a, 3 * PT_ENTRIES));
	CHECK(fork_end(&f));
}

/* The child leaves before anyone writes: the parent's next write takes
 * the table back (no copy of it, none of the page), one fault per table. */
UNIT_TEST(shared_last_user_takes_the_table_back_without_copying)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, NPAGES);
	mm_put(f.c);
	f.c = NULL;
	paddr_t frame = frame_at(f.p, f.a), table = table_of_va(f.p, f.a);
	uint64_t frames = frames_in_use(), faults = test_proc.counters.minor_faults;
	CHECK(!writable_at(f.p, f.a));
	CHECK_EQ(user_write(f.p, f.a, 'r'), 0);
	CHECK_EQ(user_write(f.p, f.a + PAGE_SIZE, 's'), 0);   /* no fault: the table is back */
	CHECK_EQ(test_proc.counters.minor_faults, faults + 1);
	CHECK_EQ(test_proc.counters.pt_unshares, 0);
	CHECK_EQ(test_proc.counters.cow_copies + test_proc.counters.cow_reuses, 0);
	CHECK_EQ(frame_at(f.p, f.a), frame);
	CHECK_EQ(table_of_va(f.p, f.a), table);
	CHECK_EQ(frames_in_use(), frames);
	CHECK(fork_end(&f));
}

/* After the child copied a table and left, the parent's pages of that
 * table are write-protected but its own again: reused, not copied. */
UNIT_TEST(shared_copy_then_child_exit_lets_the_parent_reuse_its_frames)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, 8);
	CHECK_EQ(user_write(f.c, f.a, 'c'), 0);
	mm_put(f.c);
	f.c = NULL;
	uint64_t copies = test_proc.counters.cow_copies;
	CHECK_EQ(user_write(f.p, f.a + PAGE_SIZE, 'p'), 0);
	CHECK_EQ(test_proc.counters.cow_copies, copies);
	CHECK_EQ(test_proc.counters.cow_reuses, 1);
	CHECK_EQ(frame_refcount(table_of_va(f.p, f.a)), 1);
	CHECK(fork_end(&f));
}

/* Unmapping a table's whole range drops the reference and copies
 * nothing; unmapping part of one copies it. */
UNIT_TEST(shared_munmap_drops_whole_tables_and_copies_cut_ones)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, 3 * PT_ENTRIES);
	long a = f.a;
	paddr_t first = table_of_va(f.p, a);
	CHECK_EQ(vm_munmap(f.c, a, TABLE_SPAN), 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 0);
	CHECK_EQ(frame_refcount(first), 1);
	CHECK_EQ(table_of_va(f.c, a), 0);
	CHECK_EQ(vm_munmap(f.c, a + TABLE_SPAN + 4 * PAGE_SIZE, PAGE_SIZE), 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 1);
	CHECK_EQ(frame_at(f.c, a + TABLE_SPAN + 4 * PAGE_SIZE), 0);
	CHECK_EQ(frame_at(f.c, a + TABLE_SPAN + 5 * PAGE_SIZE), frame_at(f.p, a + TABLE_SPAN + 5 * PAGE_SIZE));
	CHECK(pages_intact(f.p, a, 3 * PT_ENTRIES));
	CHECK(fork_end(&f));
}

/* Every other change in a shared table's range copies that table:
 * mprotect, madvise(DONTNEED), mremap, a first touch of a new page. */
UNIT_TEST(shared_every_kind_of_change_copies_the_table_first)
{
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	long a = map_written(parent, ALIGNED_AT, 4 * PT_ENTRIES);
	CHECK_EQ(vm_mmap(parent, a + 4 * TABLE_SPAN, 4 * PAGE_SIZE, RW, ANON | MAP_FIXED, NULL, 0),
		 a + 4 * TABLE_SPAN);
	CHECK_EQ(user_write(parent, a + 4 * TABLE_SPAN, 'n'), 0);   /* one page of a fifth table */
	struct forked f = { before, parent, mm_fork(parent, ASPEN_FORK_SHARED, 0), a };
	CHECK_EQ(vm_mprotect(f.c, a + 3, PAGE_SIZE, PROT_READ), -EINVAL);   /* refused: nothing */
	CHECK_EQ(test_proc.counters.pt_unshares, 0);
	CHECK_EQ(vm_mprotect(f.c, a, PAGE_SIZE, PROT_READ), 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 1);
	CHECK_EQ(vm_dontneed(f.c, a + TABLE_SPAN, PAGE_SIZE), 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 2);
	CHECK(vm_mremap(f.c, a + 2 * TABLE_SPAN, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0) > 0);
	CHECK_EQ(test_proc.counters.pt_unshares, 3);
	CHECK_EQ(user_read(f.c, a + 4 * TABLE_SPAN + PAGE_SIZE), 0);   /* read fault, new page */
	CHECK_EQ(test_proc.counters.pt_unshares, 4);
	CHECK_EQ(table_of_va(f.c, a + 3 * TABLE_SPAN), table_of_va(parent, a + 3 * TABLE_SPAN));
	CHECK(pages_intact(parent, a, 4 * PT_ENTRIES));
	CHECK_EQ(user_read(parent, a + 4 * TABLE_SPAN), 'n');
	CHECK_EQ(frame_at(parent, a + 4 * TABLE_SPAN + PAGE_SIZE), 0);
	CHECK(fork_end(&f));
}

/* mlock and MAP_POPULATE fault a writable private range in now, copy on
 * write included (vm_populate): in a shared table a leaf's write right
 * is not the page's, so the table is copied and every page made the
 * child's own. */
UNIT_TEST(shared_populate_breaks_the_sharing_as_cow_does)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, 16);
	CHECK(!writable_at(f.c, f.a));
	CHECK_EQ(vm_populate(f.c, f.a, f.a + 16 * PAGE_SIZE), 0);
	for (int i = 0; i < 16; i++)
		CHECK(writable_at(f.c, f.a + i * PAGE_SIZE));
	CHECK_EQ(test_proc.counters.pt_unshares, 1);
	CHECK_EQ(test_proc.counters.cow_copies, 16);
	CHECK(pages_intact(f.p, f.a, 16));
	CHECK(pages_intact(f.c, f.a, 16));
	CHECK(fork_end(&f));
}

UNIT_TEST(shared_three_generations_count_three_users)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, 16);
	struct mm *g = mm_fork(f.c, ASPEN_FORK_SHARED, 0);
	paddr_t t = table_of_va(f.p, f.a);
	CHECK_EQ(frame_refcount(t), 3);
	CHECK_EQ(vm_stats.pt_shared, 1);
	CHECK_EQ(user_write(g, f.a, 'g'), 0);
	CHECK_EQ(frame_refcount(t), 2);
	CHECK_EQ(frame_refcount(frame_at(f.p, f.a + PAGE_SIZE)), 2);   /* t's and g's copy */
	mm_put(f.c);
	f.c = g;
	CHECK_EQ(frame_refcount(t), 1);
	CHECK_EQ(vm_stats.pt_shared, 0);
	CHECK(pages_intact(f.p, f.a, 16));
	mm_put(f.p);
	f.p = NULL;
	CHECK_EQ(user_read(g, f.a), 'g');
	CHECK(fork_end(&f));
}

/* Strategies can change between forks of one process. */
UNIT_TEST(shared_then_cow_then_copy_forks_of_one_parent_agree)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, 0, NPAGES);
	struct mm *c = mm_fork(f.p, ASPEN_FORK_COW, 0);
	struct mm *k = mm_fork(f.p, ASPEN_FORK_COPY, 0);
	struct mm *all[] = { f.p, f.c, c, k };
	const char mine[] = { 'p', 's', 'c', 'k' };
	for (int m = 0; m < 4; m++)
		CHECK_EQ(user_write(all[m], f.a + m * PAGE_SIZE, mine[m]), 0);
	for (int m = 0; m < 4; m++)
		for (int i = 0; i < 4; i++)
			CHECK_EQ(user_read(all[m], f.a + i * PAGE_SIZE), i == m ? mine[m] : written(i));
	mm_put(c);
	mm_put(k);
	CHECK(fork_end(&f));
}

/* What /proc shows: a page in a shared table is shared (mapped by both),
 * not exclusive in pagemap, counted once per address space in
 * kpagecount; once the other is gone it is one's own. */
UNIT_TEST(shared_tables_count_as_shared_pages_in_reports)
{
	struct forked f;
	fork_begin(&f, ASPEN_FORK_SHARED, ALIGNED_AT, 64);
	struct mm_usage u;
	uint64_t pm;
	vm_usage(f.c, &u);
	CHECK_EQ(u.resident, 64);
	CHECK_EQ(u.shared, 64);
	CHECK_EQ(u.pgtables_shared, 1);
	vm_report_pagemap(f.c, f.a, 1, &pm);
	CHECK(pm & PM_PRESENT);
	CHECK(!(pm & PM_MMAP_EXCLUSIVE));
	uint64_t count[2];
	vm_report_kpagecount(frame_at(f.p, f.a) >> PAGE_SHIFT, 2, count);
	CHECK_EQ(count[0], 2);    /* one reference, two address spaces */
	struct mm *g = mm_fork(f.c, ASPEN_FORK_SHARED, 0);
	vm_report_kpagecount(frame_at(f.p, f.a) >> PAGE_SHIFT, 1, count);
	CHECK_EQ(count[0], 3);
	CHECK_EQ(user_write(g, f.a + PAGE_SIZE, 'g'), 0);   /* g copies the table */
	vm_report_kpagecount(frame_at(f.p, f.a) >> PAGE_SHIFT, 1, count);
	CHECK_EQ(count[0], 3);    /* 2 references (table, copy), 1 more user */
	mm_put(g);
	mm_put(f.c);
	f.c = mm_fork(f.p, ASPEN_FORK_COPY, 0);
	vm_usage(f.c, &u);
	CHECK_EQ(u.shared, 0);
	vm_usage(f.p, &u);
	CHECK_EQ(u.shared, 0);
	CHECK_EQ(u.pgtables_shared, 0);
	vm_report_pagemap(f.p, f.a, 1, &pm);
	CHECK(pm & PM_MMAP_EXCLUSIVE);
	CHECK(fork_end(&f));
}

/* ---- shared tables and swap ---- */

static struct inode swap_node;   /* stands for the swap device's node */

/* Page out n pages at a of mm (MADV_PAGEOUT: they are mapped once). */
static bool paged_out(struct mm *mm, vaddr_t a, int n)
{
	vm_advise(mm, a, (uint64_t)n * PAGE_SIZE, VM_ADVISE_PAGEOUT);
	const pte_t *pte = pt_lookup(mm, a);
	return pte && pte_is_swap(*pte);
}

/* A shared table holding swap entries: one reference to each slot for
 * the table, however many use it; a copy of the table takes its own;
 * each side's exit drops what it holds, and every slot comes back. */
UNIT_TEST(shared_table_counts_swap_slots_once_per_table)
{
	struct fake_swap_dev d;
	struct forked f;
	f.p = fresh_mm(&f.before);
	CHECK_EQ(fake_swapon(&d, 64, &swap_node, 0), 0);
	f.a = map_written(f.p, ALIGNED_AT, 8);
	CHECK(paged_out(f.p, f.a, 4));
	swp_entry_t e = pte_to_swp_entry(*pt_lookup(f.p, f.a));
	CHECK_EQ(swap_count(e), 1);
	f.c = mm_fork(f.p, ASPEN_FORK_SHARED, 0);
	CHECK_EQ(swap_count(e), 1);                       /* the table is shared, not its leaves */
	CHECK_EQ(user_write(f.c, f.a + 6 * PAGE_SIZE, 'c'), 0);   /* copies the table */
	CHECK_EQ(test_proc.counters.pt_unshares, 1);
	CHECK_EQ(swap_count(e), 2);
	CHECK_EQ(user_read(f.c, f.a), 'A');               /* the child's leaf: read back */
	CHECK_EQ(swap_count(e), 1);
	mm_put(f.c);
	f.c = NULL;
	CHECK_EQ(user_read(f.p, f.a + PAGE_SIZE), 'B');
	mm_put(f.p);
	uint64_t total, free;
	swap_totals(&total, &free);
	CHECK_EQ(total - free, 0);
	fake_swapoff(&d, &swap_node);
	CHECK_EQ(frames_in_use(), f.before);
}

/* The reclaim clock changes leaves (ageing, page-out): in a shared table
 * it copies the table first; both processes keep their contents. */
UNIT_TEST(shared_page_out_copies_the_table_first)
{
	struct fake_swap_dev d;
	struct forked f;
	f.p = fresh_mm(&f.before);
	CHECK_EQ(fake_swapon(&d, 64, &swap_node, 0), 0);
	f.a = map_written(f.p, ALIGNED_AT, 8);
	f.c = mm_fork(f.p, ASPEN_FORK_SHARED, 0);
	for (int i = 0; i < 4 && d.writes == 0; i++)
		reclaim_pages(8, 0);
	CHECK(d.writes > 0);
	CHECK(test_proc.counters.pt_unshares >= 1);
	CHECK(pages_intact(f.c, f.a, 8));
	CHECK(pages_intact(f.p, f.a, 8));
	mm_put(f.c);
	mm_put(f.p);
	CHECK_EQ(vm_stats.pt_shared, 0);
	fake_swapoff(&d, &swap_node);
	CHECK_EQ(frames_in_use(), f.before);
}
