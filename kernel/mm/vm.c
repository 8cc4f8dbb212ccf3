/*
 * vm.c - address spaces: creating, switching to, flushing and tearing
 * down one; and what the other address-space files share: a region's
 * page rights, populating a range, writing into an address space that
 * is not the current one.
 *
 * The other files: vm_fork.c (copying an address space for fork),
 * vm_map.c (mmap, munmap, brk, the stack: adding and removing regions,
 * within the limits), vm_change.c (mremap, mprotect, flags: changing
 * regions that are there). Every change pairs a region-tree edit
 * (mm/region.c) with the page-table edit it implies, under mm->lock.
 * Pages are never mapped by these files (except by vm_write_to_mm): the
 * fault handler (mm/fault.c) maps them on first touch.
 *
 * Locks: mm->lock (a sleeping mutex) guards an mm's regions and page
 * tables; mm_list_lock (spinlock) the list of every mm (all_mms); the
 * user count and the cpu_mask of an mm are atomic.
 */
#include "mm/vm.h"
#include "mm/vm_impl.h"
#include "mm/commit.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/fault.h"
#include "mm/pagetable.h"
#include "mm/swap.h"
#include "mm/reclaim.h"
#include "mm/trace.h"
#include "proc/task.h"
#include "proc/rlimit.h"
#include "sys/sysctl.h"
#include "fs/vfs.h"

#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <uapi/aspen.h>

struct vm_stats vm_stats;
struct spinlock mm_list_lock = SPINLOCK_INIT("mm_list");
LIST_HEAD(all_mms);

struct proc_counters *vm_proc_counters(void)
{
	static struct proc_counters discard;
	struct task *t = current;
	return t && t->proc ? &t->proc->counters : &discard;
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->pt_root = pt_create();
	if (!mm->pt_root) {
		kfree(mm);
		return NULL;
	}
	mutex_init(&mm->lock, "mm");
	region_tree_init(&mm->regions);
	mm->users = 1;
	mm->pins = 1;   /* the users' */
	mm->mmap_base = USER_MMAP_BASE;
	mm->stack_top = USER_STACK_TOP;
	mm->stack_limit = STACK_RLIMIT_DEFAULT;
	mm->dump_filter = MM_DUMP_FILTER_DEFAULT;
	reclaim_mm_add(mm);
	trace_mm_created(mm);
	spin_lock(&mm_list_lock);
	list_add_tail(&mm->all_link, &all_mms);
	spin_unlock(&mm_list_lock);
	return mm;
}

struct mm *mm_get(struct mm *mm)
{
	__atomic_add_fetch(&mm->users, 1, __ATOMIC_RELAXED);
	return mm;
}

bool mm_get_not_zero(struct mm *mm)
{
	uint32_t u = __atomic_load_n(&mm->users, __ATOMIC_RELAXED);
	while (u)
		if (__atomic_compare_exchange_n(&mm->users, &u, u + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

void mm_switch(struct mm *old, struct mm *new)
{
	uint64_t bit = 1UL << arch_cpu_id();
	if (new) {
		__atomic_or_fetch(&new->cpu_mask, bit, __ATOMIC_ACQ_REL);
		pt_switch(new->pt_root);
	} else {
		pt_switch(pt_kernel_root());
	}
	if (old)
		__atomic_and_fetch(&old->cpu_mask, ~bit, __ATOMIC_ACQ_REL);
}

void mm_flush_tlb(struct mm *mm, vaddr_t va)
{
	uint64_t self = 1UL << arch_cpu_id();
	uint64_t mask = __atomic_load_n(&mm->cpu_mask, __ATOMIC_ACQUIRE);
	if (mask & self) {
		if (va == MM_FLUSH_ALL)
			tlb_flush_all();
		else
			tlb_flush_page(va);
	}
	if (mask & ~self)
		arch_tlb_shootdown(mask & ~self);
}

#define FLUSH_PAGES_MAX 32   /* beyond this, one full flush beats invlpg per page */

void mm_flush_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	uint64_t mask = __atomic_load_n(&mm->cpu_mask, __ATOMIC_ACQUIRE);
	if (!mask)
		return;
	if (end - start > FLUSH_PAGES_MAX * PAGE_SIZE || (mask & ~(1UL << arch_cpu_id()))) {
		mm_flush_tlb(mm, MM_FLUSH_ALL);
		return;
	}
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		tlb_flush_page(va);
}

void vm_drop_region(struct mm *mm, struct region *r)
{
	region_remove(&mm->regions, r);
	vm_commit_uncharge(region_commit_pages(r));
	region_free(r);
}

static void mm_destroy(struct mm *mm)
{
	reclaim_mm_del(mm);
	struct region *r;
	trace_mm_free(mm);
	pt_destroy(mm);
	while ((r = region_first(&mm->regions)))
		vm_drop_region(mm, r);
	spin_lock(&mm_list_lock);
	list_del(&mm->all_link);
	spin_unlock(&mm_list_lock);
	if (mm->exe) {
		inode_allow_write_access(mm->exe);
		inode_put(mm->exe);
	}
	mm_unpin(mm);   /* the users' pin */
}

void mm_pin(struct mm *mm)
{
	__atomic_add_fetch(&mm->pins, 1, __ATOMIC_RELAXED);
}

void mm_unpin(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->pins, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(mm);
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

unsigned vm_region_rights(const struct region *r)
{
	unsigned rights = PTE_USER | PTE_READ | (r->flags & REGION_SHARED ? PTE_SHARED : 0);
	if (r->prot & REGION_WRITE)
		rights |= PTE_WRITE;
	if (r->prot & REGION_EXEC)
		rights |= PTE_EXEC;
	return rights;
}

bool vm_range_mapped_locked(struct mm *mm, vaddr_t start, vaddr_t end)
{
	vaddr_t at = start;
	for (struct region *r = region_find(&mm->regions, start); r && at < end; r = region_next(r)) {
		if (r->start > at)
			return false;
		at = r->end;
	}
	return at >= end;
}

/* The fault flags that populate va with (0: leave it), and the next
 * address to look at: the region's end when va lies in a hole. */
static unsigned populate_flags_locked(struct mm *mm, vaddr_t va, vaddr_t *next)
{
	struct region *r = region_find_next(&mm->regions, va);
	*next = va + PAGE_SIZE;
	if (!r || r->start > va) {
		*next = r ? r->start : USER_STACK_TOP;
		return 0;
	}
	if (!(r->prot & (REGION_READ | REGION_WRITE | REGION_EXEC)))
		return 0;
	unsigned flags = FAULT_USER;
	if ((r->prot & REGION_WRITE) && !(r->flags & REGION_SHARED))
		flags |= FAULT_WRITE;   /* break copy-on-write now, as Linux's populate */
	const pte_t *pte = pt_lookup(mm, va);
	if (pte && pte_present(*pte) && (!(flags & FAULT_WRITE) || pt_write_allowed(mm, va)))
		return 0;   /* a leaf writable in a shared table is not: its table is copied */
	return flags;
}

int vm_populate(struct mm *mm, vaddr_t start, vaddr_t end)
{
	for (vaddr_t va = start, next; va < end; va = next) {
		mutex_lock(&mm->lock);
		unsigned flags = populate_flags_locked(mm, va, &next);
		mutex_unlock(&mm->lock);
		int err = flags ? vm_fault_mm(mm, va, flags) : 0;
		if (err)
			return err;
	}
	return 0;
}

int vm_write_to_mm(struct mm *mm, vaddr_t va, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	while (len > 0) {
		size_t chunk = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		int err = vm_fault_mm(mm, va, FAULT_WRITE | FAULT_USER);
		if (err)
			return err;
		mutex_lock(&mm->lock);
		const pte_t *pte = pt_lookup(mm, va);
		memcpy((uint8_t *)phys_to_virt(pte_addr(*pte)) + (va & (PAGE_SIZE - 1)), src, chunk);
		mutex_unlock(&mm->lock);
		va += chunk;
		src += chunk;
		len -= chunk;
	}
	return 0;
}
