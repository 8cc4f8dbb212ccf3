/*
 * madvise.c - advice on a range that involves swap: MADV_WILLNEED,
 * MADV_COLD and MADV_PAGEOUT; and MADV_REMOVE, a hole punched in the
 * files under the range (the others are in sys_mm.c and vm_map.c;
 * process_madvise, the same advice for another process, in remote.c).
 */
#include "mm/vm.h"
#include "mm/swap.h"
#include "mm/reclaim.h"
#include "mm/pagetable.h"
#include "fs/file.h"
#include "lib/errno.h"
#include <linux/falloc.h>

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

/* MADV_REMOVE's part of region r, [start, end): its file and offset,
 * referenced in *inode; 0, or Linux's madvise_remove errors: -EINVAL for
 * locked memory or no file, -EACCES unless shared and writable (as
 * Linux's VM_SHARED and VM_MAYWRITE). mm->lock held. */
static int remove_target_locked(const struct region *r, vaddr_t start, struct inode **inode, uint64_t *off)
{
	if ((r->flags & REGION_LOCKED) || !r->file || (r->flags & REGION_SPECIAL))
		return -EINVAL;
	if (!region_writes_file(r))
		return -EACCES;
	*inode = inode_get(r->file);
	*off = r->file_off + (start - r->start);
	return 0;
}

int vm_remove(struct mm *mm, vaddr_t addr, uint64_t len)
{
	vaddr_t end;
	if (!vm_advice_range(addr, len, &end))
		return -EINVAL;
	int err = 0;
	for (vaddr_t at = addr; !err && at < end; ) {
		struct inode *inode = NULL;
		uint64_t off = 0;
		mutex_lock(&mm->lock);
		struct region *r = region_find_next(&mm->regions, at);
		vaddr_t start = r ? MAX(at, r->start) : end, stop = r ? MIN(end, r->end) : end;
		if (start < end)
			err = remove_target_locked(r, start, &inode, &off);
		mutex_unlock(&mm->lock);
		if (start >= end)
			break;
		if (!err)   /* without mm->lock: the punch takes every mapper's */
			err = (int)file_fallocate_inode(inode, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, stop - start);
		inode_put(inode);
		at = stop;
	}
	mutex_lock(&mm->lock);
	if (!err && !vm_range_mapped_locked(mm, addr, end))
		err = -ENOMEM;
	mutex_unlock(&mm->lock);
	return err;
}
