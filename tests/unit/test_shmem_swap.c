// UNIT-SRCS: kernel/mm/vm.c kernel/mm/vm_fork.c kernel/mm/vm_map.c kernel/mm/vm_change.c kernel/mm/commit.c kernel/mm/pagetable.c kernel/mm/fault.c kernel/mm/region.c kernel/lib/rbtree.c kernel/mm/frame.c kernel/mm/kmalloc.c kernel/mm/swapfile.c kernel/mm/swap_state.c kernel/mm/reclaim.c kernel/mm/swapoff.c kernel/mm/madvise.c kernel/mm/shmem_swap.c tests/unit/fake_arch.c tests/unit/fake_swap.c tests/unit/vm_harness.c kernel/sys/sysctl.c
/*
 * test_shmem_swap.c - a page of a shared anonymous object (mm/shmem_swap.c)
 * going to swap and coming back through the swap cache, with the cache's
 * reclaim clock holding the cached frame at the moment the object's
 * fault reads it back (the race the long fuzz run met): the page leaves
 * the cache all the same, so it can go to swap again (with what was
 * written to it since), and freeing the object frees frame and slot
 * (left in the cache, it kept both for ever). The object is
 * a stand-in: an inode and one page slot (ramfs_page_slot_locked below).
 */
#include <string.h>
#include "unit.h"
#include "vm_harness.h"
#include "fake_swap.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "fs/vfs.h"

#define SWAP_PAGES 64

static struct inode node;        /* the swap device's node */
static struct inode object;      /* the shared object */
static uint64_t object_slot;     /* its page 0 */

uint64_t *ramfs_page_slot_locked(struct inode *ip, uint64_t index)
{
	return ip == &object && index == 0 ? &object_slot : NULL;
}

static uint64_t swap_used(void)
{
	uint64_t total, free;
	swap_totals(&total, &free);
	return total - free;
}

/* Page 0 of the object, written with c. */
static paddr_t object_page(char c)
{
	paddr_t pa = frame_alloc_zeroed();
	frame_of(pa)->flags |= FRAME_FILE;
	memset(phys_to_virt(pa), c, PAGE_SIZE);
	object_slot = pa;
	return pa;
}

/* Reclaim's page-out of the object's page: true if it went to swap. */
static bool page_out(paddr_t pa)
{
	frame_get(pa);   /* the reclaim clock's reference */
	return shmem_writeout(&object, 0, pa);
}

/* The page in swap, then in the cache idle (read ahead by a neighbour's
 * fault), then held by the cache's clock (swap_cache_shrink took it)
 * when the object's fault reads it back; the clock then lets go. */
static paddr_t swap_in_while_the_clock_holds_it(void)
{
	paddr_t cached;
	swp_entry_t e = { object_slot >> 1 };
	if (swap_read_page(e, &cached) != 1)
		return 0;
	frame_put(cached);                  /* the reader's: the cache alone holds it */
	frame_get(cached);                  /* the clock takes it */
	mutex_lock(&object.lock);
	paddr_t pa = shmem_slot_swap_in(&object_slot);
	mutex_unlock(&object.lock);
	swap_out_release(cached);           /* the clock lets go */
	return pa == cached ? pa : 0;
}

UNIT_TEST(shmem_page_read_back_while_reclaim_holds_it_leaves_the_swap_cache)
{
	struct fake_swap_dev d;
	uint64_t before;
	struct mm *mm = fresh_mm(&before);
	mutex_init(&object.lock, "inode");
	CHECK(fake_swapon(&d, SWAP_PAGES, &node, 0) >= 0);
	uint64_t swap_on = frames_in_use();
	paddr_t pa = object_page('A');
	CHECK(page_out(pa));
	CHECK(object_slot & SHMEM_SLOT_SWAPPED);
	CHECK_EQ(swap_used(), 1);
	CHECK_EQ(frames_in_use(), swap_on);
	pa = swap_in_while_the_clock_holds_it();
	CHECK(pa);
	CHECK_EQ(object_slot, pa);
	CHECK_EQ(*(char *)phys_to_virt(pa), 'A');
	CHECK_EQ(swap_cache_pages(), 0);    /* out of the cache... */
	CHECK_EQ(swap_used(), 0);           /* ...and its slot free */
	CHECK_EQ(frame_refcount(pa), 1);    /* the object's reference alone */

	/* Written through a mapping, paged out again (refused while the cache
	 * still held it): the new contents go to swap and come back. */
	memset(phys_to_virt(pa), 'B', PAGE_SIZE);
	int writes = d.writes;
	CHECK(page_out(pa));
	CHECK_EQ(d.writes, writes + 1);
	mutex_lock(&object.lock);
	pa = shmem_slot_swap_in(&object_slot);
	mutex_unlock(&object.lock);
	CHECK(pa);
	CHECK_EQ(*(char *)phys_to_virt(pa), 'B');

	/* The object freed (ramfs frees a slot's frame with frame_put). */
	frame_put(pa);
	object_slot = 0;
	CHECK_EQ(swap_cache_pages(), 0);
	CHECK_EQ(swap_used(), 0);
	CHECK_EQ(frames_in_use(), swap_on);
	mm_put(mm);
	fake_swapoff(&d, &node);
	CHECK_EQ(frames_in_use(), before);
}
