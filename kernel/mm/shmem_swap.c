/*
 * shmem_swap.c - shared anonymous memory goes to swap through its object.
 *
 * A MAP_SHARED|MAP_ANONYMOUS mapping is backed by an unlinked ramfs file
 * (mm/shmem.c): every process maps the file's frames. The reclaim clock
 * unmaps such a page from each process whose entry it finds unused; when
 * the last mapping is gone and only the object holds the frame
 * (shmem_writeout), the object's page slot gets a swap entry and the
 * frame is written and freed, through the swap cache like any page. The
 * next fault on any of the mappings asks the object for the page
 * (ramfs_get_page), which reads it back here and puts the frame in the
 * slot again; the slot is freed then (the object's pages are rewritten
 * next time rather than tracked clean).
 *
 * Locks: the object's inode->lock guards its slots, then swap_lock.
 */
#include "mm/swap.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "fs/vfs.h"
#include "fs/ramfs.h"
#include "mm/reclaim.h"
#include "lib/errno.h"

static swp_entry_t slot_entry(uint64_t slot)
{
	return (swp_entry_t){ slot >> 1 };
}

/* shmem_slot_swap_in - see swap.h. The frame leaves the swap cache
 * whoever else holds it, as Linux's shmem_swapin_folio deletes it. Left
 * there when the cache's reclaim clock held it at that moment, it could
 * not go to swap again (shmem_writeout wants the index's reference and
 * reclaim's alone) and outlived the object, with its slot, until memory
 * ran short: the long fuzz run's frames not back. */
paddr_t shmem_slot_swap_in(uint64_t *slot)
{
	swp_entry_t e = slot_entry(*slot);
	paddr_t pa;
	if (swap_read_page(e, &pa) < 0)
		return 0;
	swap_free(e);   /* the slot's reference: the frame replaces it */
	swap_cache_delete(pa);   /* even if reclaim holds it too: see above */
	frame_of(pa)->flags |= FRAME_FILE;
	*slot = pa;
	return pa;
}

void shmem_slot_free(uint64_t slot)
{
	swap_free(slot_entry(slot));
}

bool shmem_writeout(struct inode *ip, uint64_t index, paddr_t pa)
{
	if (!mutex_trylock(&ip->lock)) {   /* busy (maybe by our own allocation): later */
		frame_put(pa);
		return false;
	}
	uint64_t *slot = ramfs_page_slot_locked(ip, index);
	swp_entry_t e;
	/* a segment locked since the hand unmapped this page keeps it */
	bool out = slot && *slot == pa && frame_refcount(pa) == 2 &&
		   !__atomic_load_n(&ip->unevictable, __ATOMIC_RELAXED) &&
		   swap_out_entry(pa, &e) == 0;
	if (out) {
		*slot = e.val << 1 | SHMEM_SLOT_SWAPPED;
		frame_put(pa);   /* the object's reference: the entry replaces it */
	}
	mutex_unlock(&ip->lock);
	if (out)
		return swap_out_release(pa);
	frame_put(pa);
	return false;
}

bool shmem_page_resident(struct inode *ip, uint64_t index)
{
	mutex_lock(&ip->lock);
	uint64_t *slot = ramfs_page_slot_locked(ip, index);
	bool in = slot && *slot &&
		  (!(*slot & SHMEM_SLOT_SWAPPED) || swap_cache_has(slot_entry(*slot)));
	mutex_unlock(&ip->lock);
	return in;
}

/* Bring back the pages of object ip that lie in area type. */
static int unuse_object(struct inode *ip, unsigned type)
{
	int err = 0;
	mutex_lock(&ip->lock);
	for (uint64_t i = 0; !err && i < PAGE_ROUND_UP(ip->size) >> PAGE_SHIFT; i++) {
		uint64_t *slot = ramfs_page_slot_locked(ip, i);
		if (slot && (*slot & SHMEM_SLOT_SWAPPED) && swp_type(slot_entry(*slot)) == type &&
		    !shmem_slot_swap_in(slot))
			err = -ENOMEM;
	}
	mutex_unlock(&ip->lock);
	return err;
}

/* shmem_unuse - see vm.h. Every object is mapped somewhere (it has no
 * name: unmapped, it is gone), so the address spaces lead to them all. */
int shmem_unuse(unsigned type)
{
	int err = 0;
	for (struct mm *mm = mmlist_next(NULL); mm; mm = mmlist_next(mm)) {
		mutex_lock(&mm->lock);
		for (struct region *r = region_first(&mm->regions); r && !err; r = region_next(r))
			if ((r->flags & REGION_SHARED) && shmem_owns(r->file))
				err = unuse_object(r->file, type);
		mutex_unlock(&mm->lock);
	}
	return err;
}
