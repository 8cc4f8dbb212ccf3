/*
 * madvise.c - advice on a range that involves swap: MADV_WILLNEED,
 * MADV_COLD and MADV_PAGEOUT (the others are in sys_mm.c and vm_map.c;
 * process_madvise, the same advice for another process, in remote.c).
 */
#include "mm/vm.h"
#include "mm/swap.h"
#include "mm/reclaim.h"
#include "mm/pagetable.h"
#include "lib/errno.h"

/* MADV_WILLNEED: read a swapped page into the swap cache, unmapped; the
 * fault that comes for it then finds it there (a minor fault). */
static int willneed_fn(const pte_t *pte, vaddr_t va, void *arg)
{
	paddr_t pa;
	if (pte_is_swap(*pte) && swap_read_page(pte_to_swp_entry(*pte), &pa) >= 0)
		user_page_put(pa);
	return 0;
}

/* MADV_COLD: not accessed, as far as the clock will know. A change like
 * any other: a shared page table is copied first. */
static int cold_fn(pte_t *pte, vaddr_t va, void *arg)
{
	*pte = pte_mkold(*pte);
	return 0;
}

/* Apply advice to [start, end) of region r. mm->lock held. */
static int advise_region_locked(struct mm *mm, struct region *r, vaddr_t start, vaddr_t end, int advice)
{
	if (advice != VM_ADVISE_WILLNEED && (r->flags & REGION_LOCKED))
		return -EINVAL;
	switch (advice) {
	case VM_ADVISE_WILLNEED:
		pt_for_each_used(mm, start, end, willneed_fn, NULL);
		break;
	case VM_ADVISE_COLD:
		return pt_modify_present(mm, start, end, cold_fn, NULL);
	case VM_ADVISE_PAGEOUT:
		if (!(r->flags & REGION_SHARED) || shmem_evictable(r->file))
			reclaim_range_locked(mm, start, end);
		break;
	}
	return 0;
}

int vm_advise(struct mm *mm, vaddr_t addr, uint64_t len, int advice)
{
	vaddr_t end;
	if (!vm_advice_range(addr, len, &end))
		return -EINVAL;
	if (end == addr)
		return 0;
	mutex_lock(&mm->lock);
	int err = 0;
	for (struct region *r = region_find_next(&mm->regions, addr); !err && r && r->start < end; r = region_next(r))
		err = advise_region_locked(mm, r, MAX(addr, r->start), MIN(end, r->end), advice);
	if (!err && !vm_range_mapped_locked(mm, addr, end))
		err = -ENOMEM;
	mutex_unlock(&mm->lock);
	return err;
}
