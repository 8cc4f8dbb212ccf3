// UNIT-SRCS: kernel/mm/vm.c kernel/mm/vm_fork.c kernel/mm/vm_map.c kernel/mm/vm_change.c kernel/mm/commit.c kernel/mm/pagetable.c kernel/mm/fault.c kernel/mm/region.c kernel/lib/rbtree.c kernel/mm/frame.c kernel/mm/kmalloc.c kernel/mm/swapfile.c kernel/mm/swap_state.c kernel/mm/reclaim.c kernel/mm/swapoff.c kernel/mm/madvise.c tests/unit/fake_arch.c tests/unit/fake_swap.c tests/unit/vm_harness.c kernel/sys/sysctl.c
/*
 * test_swap.c - swap on the host: the SWAPSPACE2 header, the slot
 * allocator with priorities, swap entries in page tables, the swap
 * cache, the reclaim clock's choice (second chance for accessed pages),
 * page-out and page-in of private pages and of pages shared after fork,
 * clean pages not written twice, read errors, swapoff; every frame and
 * every slot back at the end of each test. The device is fake_swap.c's.
 */
#include <string.h>
#include <stdlib.h>
#include "unit.h"
#include "vm_harness.h"
#include "fake_swap.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "mm/pagetable.h"
#include <uapi/aspen.h>
#include "fs/vfs.h"
#include "lib/errno.h"

#define SWAP_PAGES 256

static struct inode node_a, node_b;   /* stand-ins for device nodes */

static uint64_t swap_used(void)
{
	uint64_t total, free;
	swap_totals(&total, &free);
	return total - free;
}

static bool is_swapped(struct mm *mm, vaddr_t va)
{
	const pte_t *pte = pt_lookup(mm, va);
	return pte && pte_is_swap(*pte);
}

static swp_entry_t entry_at(struct mm *mm, vaddr_t va)
{
	return pte_to_swp_entry(*pt_lookup(mm, va));
}

/* n pages written with 'A' + i % 26, their accessed bits then cleared
 * (as if the clock had passed once). No readahead unless a test asks. */
static long pages_written(struct mm *mm, int n)
{
	swap_page_cluster = 0;
	long a = vm_mmap(mm, 0, (uint64_t)n * PAGE_SIZE, RW, ANON, NULL, 0);
	for (int i = 0; i < n; i++) {
		user_write(mm, a + i * PAGE_SIZE, (char)('A' + i % 26));
		pte_t *pte = pt_walk(mm, a + i * PAGE_SIZE, false);
		*pte = pte_mkold(*pte);
	}
	return a;
}

UNIT_TEST(header_of_mkswap_parses_with_bad_pages_and_label)
{
	uint8_t *page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	uint32_t bad[2] = { 5, 9 };
	struct swap_header_info h;
	fake_mkswap(page, 100, bad, 2, "swaplabel");
	CHECK_EQ(swap_header_parse(page, 100, &h), 0);
	CHECK_EQ(h.pages, 100);
	CHECK_EQ(h.nr_bad, 2);
	CHECK_EQ(h.bad[1], 9);
	CHECK(strcmp(h.label, "swaplabel") == 0);
	CHECK_EQ(h.uuid[0], 0xab);
	CHECK_EQ(swap_header_parse(page, 50, &h), -EINVAL);     /* longer than the device */
	bad[0] = 100;
	fake_mkswap(page, 100, bad, 1, "");
	CHECK_EQ(swap_header_parse(page, 100, &h), -EINVAL);    /* bad page past the end */
	fake_mkswap(page, 100, NULL, 0, "");
	page[SWAP_HEADER_INFO] = 2;
	CHECK_EQ(swap_header_parse(page, 100, &h), -EINVAL);    /* version 2 */
	fake_mkswap(page, 100, NULL, 0, "");
	page[PAGE_SIZE - 1] = 'X';
	CHECK_EQ(swap_header_parse(page, 100, &h), -EINVAL);    /* no signature */
	fake_mkswap(page, 1, NULL, 0, "");
	CHECK_EQ(swap_header_parse(page, 1, &h), -EINVAL);      /* no page after the header */
	free(page);
}

UNIT_TEST(header_from_other_byte_order_is_swapped)
{
	uint8_t *page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	struct swap_header_info h;
	fake_mkswap(page, 0x100, NULL, 0, "");
	uint32_t be[3] = { 0x01000000, 0xff000000, 0 };   /* version 1, last_page 255 */
	memcpy(page + SWAP_HEADER_INFO, be, sizeof(be));
	CHECK_EQ(swap_header_parse(page, 0x100, &h), 0);
	CHECK_EQ(h.pages, 0x100);
	free(page);
}

UNIT_TEST(swapon_twice_is_ebusy_and_swapoff_frees_everything)
{
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	struct fake_swap_dev d, d2;
	uint64_t heap = frames_in_use();
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	CHECK_EQ(fake_swapon(&d2, SWAP_PAGES, &node_a, 0), -EBUSY);
	free(d2.data);
	uint64_t total, free_slots;
	swap_totals(&total, &free_slots);
	CHECK_EQ(total, SWAP_PAGES - 1);
	CHECK_EQ(free_slots, SWAP_PAGES - 1);
	CHECK_EQ(swap_area_remove(&node_b), -EINVAL);
	fake_swapoff(&d, &node_a);
	CHECK(d.released);
	swap_totals(&total, &free_slots);
	CHECK_EQ(total, 0);
	CHECK_EQ(frames_in_use(), heap);
	mm_put(mm);
}

UNIT_TEST(bad_pages_are_never_handed_out)
{
	struct fake_swap_dev d = { 0 };
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	d.pages = 8;
	d.data = calloc(8, PAGE_SIZE);
	uint32_t bad[3] = { 2, 3, 5 };
	fake_mkswap(d.data, 8, bad, 3, "");
	CHECK_EQ(swap_area_add(d.data, 8, &fake_swap_io, &d, &node_a, "/dev/bad", 0), 0);
	long a = pages_written(mm, 6);
	reclaim_pages(6, 0);
	int out = 0;
	for (int i = 0; i < 6; i++)
		if (is_swapped(mm, a + i * PAGE_SIZE)) {
			uint64_t off = swp_offset(entry_at(mm, a + i * PAGE_SIZE));
			CHECK(off != 0 && off != 2 && off != 3 && off != 5);
			out++;
		}
	CHECK_EQ(out, 4);   /* slots 1, 4, 6, 7: then swap is full */
	mm_put(mm);
	CHECK_EQ(swap_used(), 0);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(equal_priorities_take_turns_higher_goes_first)
{
	struct fake_swap_dev d1, d2, d3;
	static struct inode n3;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d1, 64, &node_a, SWAP_FLAG_PREFER | 5), 0);
	CHECK_EQ(fake_swapon(&d2, 64, &node_b, SWAP_FLAG_PREFER | 5), 1);
	CHECK_EQ(fake_swapon(&d3, 64, &n3, 0), 2);   /* automatic: negative, used last */
	long a = pages_written(mm, 8);
	reclaim_pages(8, 0);
	int on[3] = { 0, 0, 0 };
	for (int i = 0; i < 8; i++)
		on[swp_type(entry_at(mm, a + i * PAGE_SIZE))]++;
	CHECK_EQ(on[0], 4);
	CHECK_EQ(on[1], 4);
	CHECK_EQ(on[2], 0);
	struct swap_area_info info;
	CHECK_EQ(swap_area_get_info(2, &info), 1);
	CHECK(info.prio < 0);
	mm_put(mm);
	fake_swapoff(&d1, &node_a);
	fake_swapoff(&d2, &node_b);
	fake_swapoff(&d3, &n3);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(page_out_and_back_keeps_contents_and_counts_major_fault)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 20);
	uint64_t resident = frames_in_use();
	CHECK_EQ(reclaim_pages(20, 0), 20);
	CHECK_EQ(frames_in_use(), resident - 20);
	CHECK_EQ(d.writes, 20);
	CHECK_EQ(swap_used(), 20);
	for (int i = 0; i < 20; i++)
		CHECK(is_swapped(mm, a + i * PAGE_SIZE));
	CHECK_EQ(user_read(mm, a + 7 * PAGE_SIZE), 'A' + 7);
	CHECK_EQ(test_proc.counters.major_faults, 1);
	CHECK(!writable_at(mm, a + 7 * PAGE_SIZE));   /* read back: clean, still in the cache */
	CHECK_EQ(swap_cache_pages(), 1);
	CHECK_EQ(swap_used(), 20);                     /* its slot is kept */
	CHECK_EQ(user_write(mm, a + 7 * PAGE_SIZE, 'z'), 0);
	CHECK_EQ(swap_cache_pages(), 0);               /* written: out of the cache, slot freed */
	CHECK_EQ(swap_used(), 19);
	mm_put(mm);
	CHECK_EQ(swap_used(), 0);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(accessed_pages_get_a_second_chance)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 16);
	for (int i = 0; i < 16; i += 2)
		user_read(mm, a + i * PAGE_SIZE);   /* the hot half: accessed again */
	CHECK_EQ(reclaim_pages(8, 0), 8);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(is_swapped(mm, a + i * PAGE_SIZE), i % 2 == 1);
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(clean_page_read_back_is_not_written_again)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 4);
	reclaim_pages(4, 0);
	CHECK_EQ(d.writes, 4);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(user_read(mm, a + i * PAGE_SIZE), 'A' + i);
		pte_t *pte = pt_walk(mm, a + i * PAGE_SIZE, false);
		*pte = pte_mkold(*pte);
	}
	CHECK_EQ(reclaim_pages(4, 0), 4);
	CHECK_EQ(d.writes, 4);            /* the slots still held them */
	CHECK_EQ(d.reads, 4);
	CHECK_EQ(user_read(mm, a + 3 * PAGE_SIZE), 'D');
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(fork_shares_swap_slots_and_swapin_shares_the_frame_again)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(parent, 4);
	reclaim_pages(4, 0);
	struct mm *child = mm_fork(parent, ASPEN_FORK_COW, 0);
	CHECK(child != NULL);
	CHECK_EQ(swap_count(entry_at(parent, a)), 2);
	CHECK_EQ(swap_used(), 4);
	CHECK_EQ(user_read(child, a), 'A');
	CHECK_EQ(user_read(parent, a), 'A');
	CHECK_EQ(frame_at(child, a), frame_at(parent, a));   /* one frame, from the cache */
	CHECK_EQ(d.reads, 1);
	CHECK_EQ(user_write(child, a, 'c'), 0);               /* copy on write as before */
	CHECK(frame_at(child, a) != frame_at(parent, a));
	CHECK_EQ(user_read(parent, a), 'A');
	mm_put(child);
	CHECK_EQ(swap_count(entry_at(parent, a + PAGE_SIZE)), 1);
	mm_put(parent);
	CHECK_EQ(swap_used(), 0);
	CHECK_EQ(swap_cache_pages(), 0);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(page_shared_after_fork_is_written_once_when_both_let_go)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(parent, 3);
	struct mm *child = mm_fork(parent, ASPEN_FORK_COW, 0);
	uint64_t in_use = frames_in_use();
	reclaim_pages(3, 0);
	CHECK_EQ(d.writes, 3);
	CHECK_EQ(frames_in_use(), in_use - 3);
	CHECK_EQ(swap_used(), 3);
	CHECK_EQ(entry_at(parent, a).val, entry_at(child, a).val);
	CHECK_EQ(swap_count(entry_at(child, a)), 2);
	CHECK_EQ(user_read(child, a + 2 * PAGE_SIZE), 'C');
	mm_put(parent);
	mm_put(child);
	CHECK_EQ(swap_used(), 0);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(read_error_fails_the_fault_with_eio)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 2);
	reclaim_pages(2, 0);
	d.fail_reads = true;
	CHECK_EQ(vm_fault_mm(mm, a, FAULT_USER), -EIO);
	CHECK(is_swapped(mm, a));
	CHECK_EQ(swap_cache_pages(), 0);
	d.fail_reads = false;
	CHECK_EQ(user_read(mm, a), 'A');   /* the device works again */
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(write_error_keeps_the_page_in_memory)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 2);
	d.fail_writes = true;
	CHECK_EQ(reclaim_pages(2, 0), 0);
	CHECK_EQ(swap_cache_pages(), 2);   /* dirty, waiting for a working write */
	CHECK_EQ(user_read(mm, a), 'A');   /* from the cache, no read */
	CHECK_EQ(d.reads, 0);
	d.fail_writes = false;
	mm_put(mm);
	CHECK_EQ(swap_cache_pages(), 0);
	CHECK_EQ(swap_used(), 0);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(swapoff_brings_every_page_back)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *parent = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(parent, 10);
	reclaim_pages(10, 0);
	struct mm *child = mm_fork(parent, ASPEN_FORK_COW, 0);
	CHECK_EQ(swap_area_remove(&node_a), 0);
	for (int i = 0; i < 10; i++) {
		vaddr_t va = a + i * PAGE_SIZE;
		CHECK(!is_swapped(parent, va) && !is_swapped(child, va));
		CHECK_EQ(frame_at(parent, va), frame_at(child, va));
		CHECK_EQ(user_read(child, va), 'A' + i);
	}
	CHECK_EQ(swap_cache_pages(), 0);
	CHECK_EQ(user_write(parent, a, 'p'), 0);
	CHECK_EQ(user_read(child, a), 'A');
	free(d.data);
	mm_put(child);
	mm_put(parent);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(munmap_mremap_and_fork_failure_keep_slot_counts)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 6);
	reclaim_pages(6, 0);
	CHECK_EQ(vm_munmap(mm, a, 2 * PAGE_SIZE), 0);
	CHECK_EQ(swap_used(), 4);
	long b = vm_mremap(mm, a + 2 * PAGE_SIZE, 4 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	CHECK(b > 0);
	CHECK(is_swapped(mm, b));
	CHECK_EQ(user_read(mm, b + 3 * PAGE_SIZE), 'F');
	CHECK_EQ(vm_dontneed(mm, b, 2 * PAGE_SIZE), 0);
	CHECK_EQ(swap_used(), 2);
	CHECK_EQ(user_read(mm, b), 0);   /* MADV_DONTNEED: zeros */
	mm_put(mm);
	CHECK_EQ(swap_used(), 0);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(madv_pageout_sends_only_pages_mapped_once)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 4);
	user_read(mm, a);   /* accessed: PAGEOUT takes it anyway */
	CHECK_EQ(vm_advise(mm, a, 4 * PAGE_SIZE, VM_ADVISE_PAGEOUT), 0);
	for (int i = 0; i < 4; i++)
		CHECK(is_swapped(mm, a + i * PAGE_SIZE));
	CHECK_EQ(vm_advise(mm, a, 4 * PAGE_SIZE, VM_ADVISE_WILLNEED), 0);
	CHECK_EQ(swap_cache_pages(), 4);
	CHECK_EQ(user_read(mm, a + PAGE_SIZE), 'B');
	CHECK_EQ(test_proc.counters.major_faults, 0);   /* found in the cache: minor */
	CHECK_EQ(vm_advise(mm, a + 100 * PAGE_SIZE, PAGE_SIZE, VM_ADVISE_PAGEOUT), -ENOMEM);
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(locked_region_is_passed_over)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 4);
	CHECK_EQ(vm_change_flags(mm, a, a + 2 * PAGE_SIZE, REGION_LOCKED, 0), 0);
	CHECK_EQ(count_regions(mm), 2);
	reclaim_pages(4, 0);
	CHECK(!is_swapped(mm, a) && !is_swapped(mm, a + PAGE_SIZE));
	CHECK(is_swapped(mm, a + 2 * PAGE_SIZE) && is_swapped(mm, a + 3 * PAGE_SIZE));
	CHECK_EQ(vm_advise(mm, a, PAGE_SIZE, VM_ADVISE_PAGEOUT), -EINVAL);
	CHECK_EQ(vm_change_flags(mm, a, a + 2 * PAGE_SIZE, 0, REGION_LOCKED), 0);
	CHECK_EQ(count_regions(mm), 1);
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(fault_without_frames_reclaims_directly)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 64);
	static paddr_t hog[20000];
	int n = 0;
	while (n < 20000 && (hog[n] = frame_alloc()))
		n++;
	long b = vm_mmap(mm, 0, 8 * PAGE_SIZE, RW, ANON, NULL, 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(user_write(mm, b + i * PAGE_SIZE, 'x'), 0);   /* each took a frame of a */
	CHECK(swap_used() >= 8);
	for (int i = 0; i < n; i++)
		frame_put(hog[i]);
	CHECK_EQ(user_read(mm, a + 63 * PAGE_SIZE), 'A' + 63 % 26);
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(sequential_faults_grow_readahead_random_ones_do_not)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long a = pages_written(mm, 64);
	reclaim_pages(64, 0);   /* page i in slot i + 1 */
	swap_page_cluster = 3;
	for (int i = 0; i < 32; i++)
		CHECK_EQ(user_read(mm, a + i * PAGE_SIZE), 'A' + i % 26);
	CHECK(test_proc.counters.major_faults <= 10);   /* 32 pages in order */
	uint64_t majors = test_proc.counters.major_faults, reads = (uint64_t)d.reads;
	for (int i = 0; i < 4; i++)   /* far apart: no readahead after the first */
		CHECK_EQ(user_read(mm, a + (40 + 6 * i) * PAGE_SIZE), 'A' + (40 + 6 * i) % 26);
	CHECK_EQ(test_proc.counters.major_faults, majors + 4);
	CHECK((uint64_t)d.reads <= reads + 4 + 8);      /* the window shrinks back */
	swap_cache_shrink(1000);
	mm_put(mm);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(busy_address_space_is_passed_over_and_resumed_in_place)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *a = fresh_mm(&before), *b = mm_create();
	CHECK_EQ(fake_swapon(&d, SWAP_PAGES, &node_a, 0), 0);
	long pa = pages_written(a, 96), pb = pages_written(b, 96);
	CHECK_EQ(reclaim_pages(32, 0), 32);   /* a batch of a's */
	mutex_lock(&a->lock);                 /* a is busy: the hand goes on to b */
	CHECK_EQ(reclaim_pages(32, 0), 32);
	mutex_unlock(&a->lock);
	CHECK_EQ(reclaim_pages(32, 0), 32);
	int out_a = 0, out_b = 0;
	for (int i = 0; i < 96; i++) {
		out_a += is_swapped(a, pa + i * PAGE_SIZE);
		out_b += is_swapped(b, pb + i * PAGE_SIZE);
	}
	CHECK_EQ(out_a + out_b, 96);
	CHECK(out_b >= 32);   /* the busy one's turn went to the other */
	for (int i = 0; i < 96; i++)   /* and a's place was kept: its pages went in order */
		CHECK_EQ(is_swapped(a, pa + i * PAGE_SIZE), i < out_a);
	mm_put(b);
	mm_put(a);
	fake_swapoff(&d, &node_a);
	CHECK_EQ(frames_in_use(), before);
}

UNIT_TEST(watermarks_follow_linux_min_free_kbytes)
{
	reclaim_set_watermarks(32768);   /* 128 MiB */
	CHECK_EQ(frame_wmark.min, 1448 / 4);
	CHECK(frame_wmark.low > frame_wmark.min && frame_wmark.high > frame_wmark.low);
	reclaim_set_watermarks(262144);  /* 1 GiB: sqrt(16 * 1048576) = 4096 KiB */
	CHECK_EQ(frame_wmark.min, 1024);
	frame_wmark = (struct frame_watermarks){ 0, 0, 0 };
}
