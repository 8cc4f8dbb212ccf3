/*
 * vm_impl.h - what the address-space files (vm_map.c, vm_change.c)
 * share; for kernel/mm/ only. Every _locked function expects mm->lock
 * held and keeps it.
 */
#ifndef ASPEN_MM_VM_IMPL_H
#define ASPEN_MM_VM_IMPL_H
#include "mm/vm.h"

/* PROT_* rights as REGION_* ones. */
static inline uint32_t vm_prot_to_region(int prot)
{
	return (prot & PROT_READ ? REGION_READ : 0) | (prot & PROT_WRITE ? REGION_WRITE : 0) |
	       (prot & PROT_EXEC ? REGION_EXEC : 0);
}

/* vm_is_data - Linux's is_data_mapping: private, writable, not a stack. */
bool vm_is_data(uint32_t prot, uint32_t flags);

/* vm_may_expand_locked - Linux's may_expand_vm: may mm map add bytes
 * more (data: as a data mapping), [start, end) being replaced? 0 or
 * -ENOMEM (RLIMIT_AS, RLIMIT_DATA). */
int vm_may_expand_locked(struct mm *mm, uint64_t add, bool data, vaddr_t start, vaddr_t end);

/* vm_split_at_bounds_locked - split the regions straddling the ends of
 * [start, end); 0 or -ENOMEM (no memory, or past vm.max_map_count: for
 * unmap, only a hole inside one region counts). */
int vm_split_at_bounds_locked(struct mm *mm, vaddr_t start, vaddr_t end, bool unmap);

/* vm_unmap_range_locked - remove pages and regions of [start, end); 0 or
 * -ENOMEM (a split, or the copy of a shared page table at an edge;
 * then nothing is unmapped). */
int vm_unmap_range_locked(struct mm *mm, vaddr_t start, vaddr_t end);

/* vm_drop_region - take r out of mm's tree and free it, giving back
 * its commit charge (mm/commit.h): the one way a region leaves for good.
 * (mm->lock held, or mm being torn down.) */
void vm_drop_region(struct mm *mm, struct region *r);

/* vm_choose_address_locked - where a new mapping of len bytes goes: the
 * hint if free, else the highest gap below mmap_base; 0 if none. */
vaddr_t vm_choose_address_locked(struct mm *mm, vaddr_t hint, uint64_t len);
#endif
