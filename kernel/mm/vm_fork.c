/*
 * vm_fork.c - the child's address space at fork, by the system's
 * strategy (docs/fork.md): copy (every private page copied now), cow
 * (page tables copied, private pages shared read-only until written) or
 * shared (last-level page tables themselves shared until changed).
 *
 * Locks: mm_fork holds the parent's mm->lock (a sleeping mutex) for the
 * whole copy; the child is new and reachable only through the reclaim
 * and vmcheck lists. vm_fork_strategy is read and written atomically.
 */
#include "mm/vm.h"
#include "mm/commit.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/pagetable.h"
#include "mm/swap.h"
#include "sys/sysctl.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <uapi/aspen.h>

int vm_fork_strategy = ASPEN_FORK_SHARED;

static const char *const strategy_names[] = {
	[ASPEN_FORK_COPY] = "copy", [ASPEN_FORK_COW] = "cow", [ASPEN_FORK_SHARED] = "shared",
};

const char *vm_fork_strategy_name(int strategy)
{
	return strategy >= ASPEN_FORK_COPY && strategy <= ASPEN_FORK_SHARED ? strategy_names[strategy] : NULL;
}

int vm_fork_strategy_parse(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n')
		len--;
	for (int i = ASPEN_FORK_COPY; i <= ASPEN_FORK_SHARED; i++)
		if (strlen(strategy_names[i]) == len && !memcmp(s, strategy_names[i], len))
			return i;
	return -EINVAL;
}

/* vm.fork_strategy: the system's strategy by name (docs/fork.md); root
 * writes "copy", "cow" or "shared" (a newline after it allowed), any
 * other text fails with EINVAL and changes nothing (an empty write
 * changes nothing either, and succeeds, as on Linux). */
static long show_fork_strategy(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%s\n", vm_fork_strategy_name(SYSCTL_READ(vm_fork_strategy)));
}

static long store_fork_strategy(const struct sysctl *s, const char *text, size_t len)
{
	if (len == 0)
		return 0;
	int strategy = vm_fork_strategy_parse(text, len);
	if (strategy < 0)
		return strategy;
	__atomic_store_n(&vm_fork_strategy, strategy, __ATOMIC_RELAXED);
	return (long)len;
}
SYSCTL_PROC("vm/fork_strategy", 0644, show_fork_strategy, store_fork_strategy);

/* The copy strategy's leaf: a private page (neither MAP_SHARED nor a
 * file's own frame, which private mappings only ever read) is copied
 * into a new frame with the parent's rights, and writable if its region
 * is (a copy-on-write page is the child's own now); the rest is shared.
 * A page in swap is not resident: it is shared by its slot, as cow does. */
static int copy_page_fn(const pte_t *pte, pte_t *cpte, vaddr_t va, void *arg)
{
	const struct region *r = arg;
	if (pte_is_swap(*pte)) {
		if (swap_dup(pte_to_swp_entry(*pte)))
			return -ENOMEM;
		*cpte = *pte;
		return 0;
	}
	paddr_t pa = pte_addr(*pte);
	if ((pte_rights(*pte) & PTE_SHARED) || (frame_of(pa)->flags & FRAME_FILE)) {
		frame_get(pa);
		*cpte = *pte;
		return 0;
	}
	paddr_t copy = frame_alloc();
	if (!copy)
		return -ENOMEM;
	memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
	unsigned rights = pte_rights(*pte) | (r->prot & REGION_WRITE ? PTE_WRITE : 0);
	*cpte = pte_make(copy, rights);   /* PROT_NONE stays out of user reach */
	return 0;
}

/* The child's regions, and with the copy strategy its pages. */
static int fork_regions_locked(struct mm *parent, struct mm *child, int strategy)
{
	for (struct region *r = region_first(&parent->regions); r; r = region_next(r)) {
		if (vm_commit_charge(region_commit_pages(r)))
			return -ENOMEM;   /* the child's regions so far return theirs */
		struct region *n = region_clone(r);
		if (!n) {
			vm_commit_uncharge(region_commit_pages(r));
			return -ENOMEM;
		}
		n->flags &= ~REGION_LOCKED;   /* memory locks are not inherited (mlock(2)) */
		region_insert(&child->regions, n);
		if (strategy != ASPEN_FORK_COPY)
			continue;
		int err = pt_copy_used(child, parent, r->start, r->end, copy_page_fn, r);
		if (err)
			return err;
	}
	return 0;
}

/* The child's page tables; the parent's TLBs are flushed when its
 * entries lost rights (cow: private pages; shared: whole tables). */
static int fork_tables_locked(struct mm *parent, struct mm *child, int strategy, vaddr_t hot)
{
	int err = 0;
	if (strategy == ASPEN_FORK_COW)
		err = pt_fork_cow(child, parent);
	else if (strategy == ASPEN_FORK_SHARED)
		err = pt_fork_share(child, parent, hot);
	if (strategy != ASPEN_FORK_COPY)
		mm_flush_tlb(parent, MM_FLUSH_ALL);
	return err;
}

static void copy_layout(struct mm *dst, const struct mm *src)
{
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_base = src->mmap_base;
	dst->stack_top = src->stack_top;
	dst->stack_limit = src->stack_limit;
	dst->start_code = src->start_code;
	dst->end_code = src->end_code;
	dst->start_data = src->start_data;
	dst->end_data = src->end_data;
	dst->start_stack = src->start_stack;
	dst->arg_start = src->arg_start;
	dst->arg_end = src->arg_end;
	dst->env_start = src->env_start;
	dst->env_end = src->env_end;
	dst->auxv_start = src->auxv_start;
	dst->auxv_end = src->auxv_end;
	dst->dump_filter = __atomic_load_n(&src->dump_filter, __ATOMIC_RELAXED);
	dst->pkey_spent = src->pkey_spent;
	dst->exe = src->exe ? inode_get(src->exe) : NULL;
	if (dst->exe)
		inode_deny_write_access(dst->exe);   /* src's denial stands: cannot fail */
}

struct mm *mm_fork(struct mm *parent, int strategy, vaddr_t hot)
{
	struct mm *child = mm_create();
	if (!child)
		return NULL;
	mutex_lock(&parent->lock);
	/* The child is on reclaim's list from mm_create: kswapd must not
	 * walk its tables while they are being built, so the builder holds
	 * its lock too (reclaim only tries mm locks). Reclaim run by the
	 * builder's own allocations still reaches the child (RECLAIM_OWN_MM:
	 * a lock the caller holds), which a fork of a process whose pages are
	 * mostly on their way to swap needs. */
	mutex_lock_nested(&child->lock);
	copy_layout(child, parent);
	int err = fork_regions_locked(parent, child, strategy);
	if (!err)
		err = fork_tables_locked(parent, child, strategy, hot);
	mutex_unlock(&child->lock);
	mutex_unlock(&parent->lock);
	if (err) {
		mm_put(child);
		return NULL;
	}
	return child;
}
