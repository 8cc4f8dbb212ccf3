/*
 * vm_change.c - changing regions that are there: mremap (moving a
 * region's pages with it), mprotect, and the REGION_* flags of a range
 * (mlock, MAP_LOCKED).
 *
 * Locks: each entry point takes mm->lock (a sleeping mutex) around its
 * region-tree and page-table edits, and flushes the TLBs of the pages it
 * took rights from before releasing it; _locked functions expect it held.
 */
#include "mm/vm.h"
#include "mm/vm_impl.h"
#include "mm/commit.h"
#include "mm/pagetable.h"
#include "mm/trace.h"
#include "lib/errno.h"

struct pte_move {
	struct mm *mm;
	vaddr_t from, to;   /* the page at from + d goes to to + d */
};

/* First pass: make every page-table page the move will need. */
static int prepare_move_fn(const pte_t *pte, vaddr_t va, void *arg)
{
	struct pte_move *m = arg;
	return pt_walk(m->mm, va - m->from + m->to, true) ? 0 : -ENOMEM;
}

/* Second pass: move the entry; cannot fail (its table is ours). */
static int move_pte_fn(pte_t *pte, vaddr_t va, void *arg)
{
	struct pte_move *m = arg;
	*pt_walk(m->mm, va - m->from + m->to, false) = *pte;
	*pte = 0;
	return 0;
}

/* A mapping made by mmap maps its whole length of the file; grown, it
 * maps more of it. (An ELF segment's file part stays as it was.) */
static uint64_t grown_file_size(const struct region *r, uint64_t new_len)
{
	return r->file && r->file_size == r->end - r->start ? new_len : r->file_size;
}

/* Move region r (exactly the range being remapped) to [to, to+new_len),
 * its pages with it. mm->lock held; the destination is free. */
static long move_region_locked(struct mm *mm, struct region *r, vaddr_t to, uint64_t new_len)
{
	struct pte_move m = { mm, r->start, to };
	vaddr_t keep_end = r->start + MIN(r->end - r->start, new_len);
	if (pt_own_range(mm, r->start, r->end) || pt_for_each_used(mm, r->start, keep_end, prepare_move_fn, &m))
		return -ENOMEM;
	struct region *n = region_clone(r);
	if (!n)
		return -ENOMEM;
	/* Committed: the tables are ours on both sides, nothing below fails. */
	pt_modify_used(mm, r->start, keep_end, move_pte_fn, &m);
	mm_flush_range(mm, r->start, keep_end);
	if (new_len < r->end - r->start)
		vm_commit_uncharge(region_commit_pages(r) - (r->flags & REGION_ACCOUNT ? new_len >> PAGE_SHIFT : 0));
	n->start = to;
	n->end = to + new_len;
	n->file_size = grown_file_size(r, new_len);
	pt_unmap_range(mm, r->start, r->end);   /* what was not moved (a shrink's tail) */
	region_remove(&mm->regions, r);
	region_free(r);
	region_insert(&mm->regions, n);
	region_merge_neighbours(&mm->regions, n);
	return (long)to;
}

/* Grow r in place to new_len if the space after it is free. */
static bool grow_in_place_locked(struct mm *mm, struct region *r, uint64_t new_len)
{
	vaddr_t end = r->start + new_len;
	if (end > USER_STACK_TOP || end < r->start || region_first_overlap(&mm->regions, r->end, end))
		return false;
	r->file_size = grown_file_size(r, new_len);
	r->end = end;   /* nothing lies between: the tree order holds */
	region_merge_neighbours(&mm->regions, r);
	return true;
}

/* mremap in place or to a new place. Shrinking or keeping the size in
 * place only unmaps the tail, as munmap would, so it may span regions
 * and splits none at old (Linux: only a mapping at old is needed). */
static long remap_region_locked(struct mm *mm, vaddr_t old, uint64_t old_len, uint64_t new_len,
				int flags, vaddr_t to)
{
	struct region *r = region_find(&mm->regions, old);
	if (r && !(flags & MREMAP_FIXED) && new_len <= old_len && old + old_len > old) {
		int err = vm_unmap_range_locked(mm, old + new_len, old + old_len);
		return err ? err : (long)old;
	}
	if (!r || r->end < old + old_len || old + old_len < old)
		return -EFAULT;
	if (new_len > old_len && vm_may_expand_locked(mm, new_len - old_len, vm_is_data(r->prot, r->flags), 0, 0))
		return -ENOMEM;
	if (vm_split_at_bounds_locked(mm, old, old + old_len, false))
		return -ENOMEM;
	r = region_find(&mm->regions, old);
	if (flags & MREMAP_FIXED) {
		if (to + new_len > USER_STACK_TOP || to < USER_MIN_ADDR || vm_unmap_range_locked(mm, to, to + new_len))
			return -ENOMEM;
		return move_region_locked(mm, r, to, new_len);
	}
	if (grow_in_place_locked(mm, r, new_len))
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = vm_choose_address_locked(mm, 0, new_len);
	return to ? move_region_locked(mm, r, to, new_len) : -ENOMEM;
}

/* mremap's work, with a growth of a charged region charged first (and
 * returned if it fails); a shrink returns its part as it unmaps. */
static long remap_locked(struct mm *mm, vaddr_t old, uint64_t old_len, uint64_t new_len,
			 int flags, vaddr_t to)
{
	struct region *r = region_find(&mm->regions, old);
	uint64_t grow = r && (r->flags & REGION_ACCOUNT) && new_len > old_len ? (new_len - old_len) >> PAGE_SHIFT : 0;
	if (vm_commit_charge(grow))
		return -ENOMEM;
	long ret = remap_region_locked(mm, old, old_len, new_len, flags, to);
	if (ret < 0)
		vm_commit_uncharge(grow);
	return ret;
}

long vm_mremap(struct mm *mm, vaddr_t old, uint64_t old_len, uint64_t new_len, int flags, vaddr_t to)
{
	if (!IS_PAGE_ALIGNED(old) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	old_len = PAGE_ROUND_UP(old_len);
	new_len = PAGE_ROUND_UP(new_len);
	if (new_len == 0 || old_len == 0)
		return -EINVAL;
	/* as Linux's mremap_to: the destination lies below the top of user
	 * space (no wrap past 2^64), apart from the source */
	if ((flags & MREMAP_FIXED) &&
	    (!IS_PAGE_ALIGNED(to) || new_len > USER_STACK_TOP || to > USER_STACK_TOP - new_len ||
	     (to < old + old_len && old < to + new_len)))
		return -EINVAL;
	mutex_lock(&mm->lock);
	long ret = remap_locked(mm, old, old_len, new_len, flags, to);
	mutex_unlock(&mm->lock);
	trace_resnap(mm, TRACE_SNAP_MREMAP, (vaddr_t)ret, new_len, 0);
	return ret;
}

/* Rewrite the rights of the present pages of r after an mprotect: write
 * is only kept where it was (copy-on-write pages stay read-only). */
static int reprotect_fn(pte_t *pte, vaddr_t va, void *arg)
{
	const struct region *r = arg;
	unsigned want = vm_region_rights(r);
	unsigned keep_write = pte_rights(*pte) & PTE_WRITE;
	if (!(r->flags & REGION_SHARED))
		want = (want & ~PTE_WRITE) | (want & keep_write);
	if (!(r->prot & (REGION_READ | REGION_WRITE | REGION_EXEC)))
		want = 0;   /* PROT_NONE: present for the kernel only, so user access faults */
	*pte = pte_make(pte_addr(*pte), want);
	return 0;
}

/* A shared mapping of a file opened read-only, or the vDSO's data page,
 * can never be written (mprotect says EACCES). */
static bool may_become_writable(const struct region *r)
{
	if (r->flags & REGION_VVAR)
		return false;
	return !(r->flags & REGION_SHARED) || (r->flags & REGION_MAYWRITE);
}

/* Does making r writable charge it (Linux's mprotect_fixup): private,
 * not charged yet, not MAP_NORESERVE? */
static bool gains_charge(const struct region *r)
{
	return !(r->flags & (REGION_ACCOUNT | REGION_NORESERVE | REGION_SHARED | REGION_SPECIAL));
}

/* Charge the regions of [addr, end) that PROT_WRITE makes accountable;
 * 0 or -ENOMEM, *charged set to the pages. mm->lock held. */
static int charge_writable_locked(struct mm *mm, vaddr_t addr, vaddr_t end, uint64_t *charged)
{
	*charged = 0;
	for (struct region *r = region_find(&mm->regions, addr); r && r->start < end; r = region_next(r))
		if (gains_charge(r))
			*charged += (r->end - r->start) >> PAGE_SHIFT;
	int err = vm_commit_charge(*charged);
	if (err)
		*charged = 0;
	return err;
}

static int any_entry_fn(const pte_t *pte, vaddr_t va, void *arg)
{
	return 1;
}

/* Linux gives the charge of private anonymous memory back when it is
 * made read-only before any page of it was touched (mprotect_fixup: no
 * anon_vma yet); here, when no page-table entry is in it. mm->lock held. */
static bool charge_dropped_by_readonly(struct mm *mm, const struct region *r)
{
	return (r->flags & REGION_ACCOUNT) && !r->file && !pt_for_each_used(mm, r->start, r->end, any_entry_fn, NULL);
}

int vm_mprotect(struct mm *mm, vaddr_t addr, uint64_t len, int prot)
{
	if (!IS_PAGE_ALIGNED(addr) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len == 0)
		return 0;
	len = PAGE_ROUND_UP(len);
	vaddr_t end = addr + len;
	if (end <= addr || end > USER_STACK_TOP)
		return -ENOMEM;   /* as Linux, a length that wraps when rounded too */
	mutex_lock(&mm->lock);
	int err = vm_range_mapped_locked(mm, addr, end) ? 0 : -ENOMEM;
	for (struct region *r = region_find(&mm->regions, addr); !err && r && r->start < end; r = region_next(r))
		if ((prot & PROT_WRITE) && !may_become_writable(r))
			err = -EACCES;
	if (!err)
		err = vm_split_at_bounds_locked(mm, addr, end, false);
	uint64_t charged = 0;
	if (!err && (prot & PROT_WRITE))
		err = charge_writable_locked(mm, addr, end, &charged);
	if (!err)
		err = pt_own_range(mm, addr, end);   /* the only step left that can fail */
	if (err)
		vm_commit_uncharge(charged);
	for (struct region *r = region_find(&mm->regions, addr); !err && r && r->start < end; r = region_next(r)) {
		if (charged && gains_charge(r))
			r->flags |= REGION_ACCOUNT;
		if (!(prot & PROT_WRITE) && charge_dropped_by_readonly(mm, r)) {
			vm_commit_uncharge(region_commit_pages(r));
			r->flags &= ~REGION_ACCOUNT;
		}
		r->prot = vm_prot_to_region(prot);
		pt_modify_present(mm, r->start, r->end, reprotect_fn, r);
	}
	if (!err)
		mm_flush_tlb(mm, MM_FLUSH_ALL);
	mutex_unlock(&mm->lock);
	trace_resnap(mm, TRACE_SNAP_MPROTECT, err ? (vaddr_t)(long)err : addr, len, prot);
	return err;
}

int vm_change_flags(struct mm *mm, vaddr_t start, vaddr_t end, uint32_t set, uint32_t clear)
{
	mutex_lock(&mm->lock);
	int err = vm_range_mapped_locked(mm, start, end) ? 0 : -ENOMEM;
	if (!err)
		err = vm_split_at_bounds_locked(mm, start, end, false);
	for (struct region *r = region_find(&mm->regions, start); !err && r && r->start < end; r = region_next(r)) {
		int was = region_writes_file(r);
		r->flags = (r->flags | set) & ~clear;
		if (region_writes_file(r) != was)
			region_file_writable(r->file, region_writes_file(r) - was);
	}
	for (struct region *r = region_find(&mm->regions, start); !err && r && r->start < end; )
		r = region_next(region_merge_neighbours(&mm->regions, r));
	mutex_unlock(&mm->lock);
	return err;
}
