/*
 * swapoff.c - bringing every page of a swap area back (Linux's
 * try_to_unuse), so that swapoff can free it.
 *
 * The area takes no new pages (swap_area_remove cleared its writeok
 * first). Every address space is walked in list order, oldest first, so
 * that a child forked meanwhile, which is added at the end, is visited
 * after its parent; each swap entry of the area is read back as a read
 * fault would (vm_swapin_locked: the frame stays in the swap cache, so
 * pages shared after fork stay shared). Then swap_area_remove takes the
 * area's frames out of the cache. When memory runs out, reclaim (to the
 * other areas) is tried; if that does not help, -ENOMEM.
 *
 * Locks: one mm->lock at a time, held across the reads.
 */
#include "mm/swap.h"
#include "mm/pagetable.h"
#include "mm/vm.h"
#include "mm/reclaim.h"
#include "lib/errno.h"

#define UNUSE_RETRIES 8
#define UNUSE_RECLAIM 64

struct unuse {
	struct mm *mm;
	unsigned type;
	int err;
	vaddr_t at;        /* where the walk stopped */
};

static int unuse_pte_fn(pte_t *pte, vaddr_t va, void *arg)
{
	struct unuse *u = arg;
	if (!pte_is_swap(*pte) || pte_swap_type(*pte) != u->type)
		return 0;
	u->err = vm_swapin_locked(u->mm, va, pte);
	u->at = va;
	return u->err;
}

/* Bring back mm's pages of area type; 0 or the first error. */
static int unuse_mm(struct mm *mm, unsigned type)
{
	struct unuse u = { mm, type, 0, 0 };
	for (int tries = 0; ; tries++) {
		u.err = 0;
		mutex_lock(&mm->lock);
		int walked = pt_modify_used(mm, u.at, USER_STACK_TOP, unuse_pte_fn, &u);
		if (walked && !u.err)
			u.err = walked;   /* a shared page table could not be copied */
		mutex_unlock(&mm->lock);
		if (u.err != -ENOMEM || tries >= UNUSE_RETRIES)
			return u.err;
		reclaim_pages(UNUSE_RECLAIM, 0);
	}
}

int swap_unuse(unsigned type)
{
	int err = 0;
	for (struct mm *mm = mmlist_next(NULL); mm; mm = mmlist_next(mm))
		if (!err)
			err = unuse_mm(mm, type);
	if (!err)
		err = shmem_unuse(type);
	return err;
}
