/*
 * vm.c - address spaces: creating, copying for fork, mapping and
 * unmapping regions, the break, and tearing down.
 *
 * Every change pairs a region-tree edit (mm/region.c) with the
 * page-table edit it implies, under mm->lock. Pages are never mapped
 * here (except by vm_write_to_mm): the fault handler (mm/fault.c) maps
 * them on first touch.
 */
#include "mm/vm.h"
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
	mm->mmap_base = USER_MMAP_BASE;
	mm->stack_top = USER_STACK_TOP;
	mm->stack_limit = STACK_RLIMIT_DEFAULT;
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

static void mm_destroy(struct mm *mm)
{
	reclaim_mm_del(mm);
	struct region *r;
	trace_mm_free(mm);
	pt_destroy(mm);
	while ((r = region_first(&mm->regions))) {
		region_remove(&mm->regions, r);
		region_free(r);
	}
	spin_lock(&mm_list_lock);
	list_del(&mm->all_link);
	spin_unlock(&mm_list_lock);
	if (mm->exe) {
		inode_allow_write_access(mm->exe);
		inode_put(mm->exe);
	}
	kfree(mm);
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

/* ---- fork ---- */

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

static struct region *region_clone(const struct region *r)
{
	struct region *n = region_alloc(r->start, r->end, r->prot, r->flags);
	if (!n)
		return NULL;
	n->file = r->file;
	n->file_off = r->file_off;
	n->file_size = r->file_size;
	if (n->file)
		region_file_get(n->file);
	return n;
}

/* The child's regions, and with the copy strategy its pages. */
static int fork_regions_locked(struct mm *parent, struct mm *child, int strategy)
{
	for (struct region *r = region_first(&parent->regions); r; r = region_next(r)) {
		struct region *n = region_clone(r);
		if (!n)
			return -ENOMEM;
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
	copy_layout(child, parent);
	int err = fork_regions_locked(parent, child, strategy);
	if (!err)
		err = fork_tables_locked(parent, child, strategy, hot);
	mutex_unlock(&parent->lock);
	if (err) {
		mm_put(child);
		return NULL;
	}
	return child;
}

/* ---- mapping ---- */

unsigned vm_region_rights(const struct region *r)
{
	unsigned rights = PTE_USER | PTE_READ | (r->flags & REGION_SHARED ? PTE_SHARED : 0);
	if (r->prot & REGION_WRITE)
		rights |= PTE_WRITE;
	if (r->prot & REGION_EXEC)
		rights |= PTE_EXEC;
	return rights;
}

/* ---- limits: vm.max_map_count, RLIMIT_AS, RLIMIT_DATA ---- */

#define DEFAULT_MAX_MAP_COUNT 65530     /* Linux's: USHRT_MAX less a margin for core dumps */
static int max_map_count = DEFAULT_MAX_MAP_COUNT;
SYSCTL_INT("vm/max_map_count", 0644, &max_map_count, 0, INT32_MAX);

/* May a split add one more region (Linux's split_vma)? mm->lock held. */
static bool may_split_locked(struct mm *mm)
{
	return mm->regions.count < (uint64_t)SYSCTL_READ(max_map_count);
}

/* Linux's is_data_mapping: private, writable, not a stack. */
static bool is_data(uint32_t prot, uint32_t flags)
{
	return (prot & REGION_WRITE) && !(flags & (REGION_SHARED | REGION_GROWSDOWN | REGION_STACK));
}

/* Linux's may_expand_vm: can mm map add bytes more (data: as a data
 * mapping), [start, end) being replaced? RLIMIT_AS and RLIMIT_DATA; 0 or
 * -ENOMEM. mm->lock held. */
static int may_expand_locked(struct mm *mm, uint64_t add, bool data, vaddr_t start, vaddr_t end)
{
	if (rlimit_cur(RLIMIT_AS) == RLIM_INF && rlimit_cur(RLIMIT_DATA) == RLIM_INF)
		return 0;               /* the usual case: no walk */
	uint64_t total = add, data_bytes = data ? add : 0;
	for (struct region *r = region_first(&mm->regions); r; r = region_next(r)) {
		uint64_t len = r->end - r->start;
		if (r->start < end && start < r->end)
			len -= MIN(r->end, end) - MAX(r->start, start);
		total += len;
		data_bytes += is_data(r->prot, r->flags) ? len : 0;
	}
	return rlimit_vm_fits(total, data_bytes);
}

/* Make [start, end) a boundary-free range: split regions straddling
 * its ends. -ENOMEM if a split cannot allocate, or past max_map_count:
 * for unmap, only a hole inside one region counts (Linux lets munmap's
 * edge splits go above it), otherwise every split. mm->lock held. */
static int split_at_bounds_locked(struct mm *mm, vaddr_t start, vaddr_t end, bool unmap)
{
	struct region *r = region_find(&mm->regions, start);
	bool hole = r && r->start < start && r->end > end;
	if (r && r->start < start) {
		if ((!unmap || hole) && !may_split_locked(mm))
			return -ENOMEM;
		if (!region_split(&mm->regions, r, start))
			return -ENOMEM;
	}
	r = region_find(&mm->regions, end - 1);
	if (r && r->end > end) {
		if (!unmap && !may_split_locked(mm))
			return -ENOMEM;
		if (!region_split(&mm->regions, r, end))
			return -ENOMEM;
	}
	return 0;
}

/* Remove everything in [start, end): pages, then regions. 0, or -ENOMEM
 * (a region split, or a copy of a shared page table at an edge, could
 * not be had; then nothing is unmapped). mm->lock held. */
static int unmap_range_locked(struct mm *mm, vaddr_t start, vaddr_t end)
{
	int err = split_at_bounds_locked(mm, start, end, true);
	if (!err)
		err = pt_unmap_range(mm, start, end);
	if (err)
		return err;
	struct region *r;
	while ((r = region_first_overlap(&mm->regions, start, end))) {
		region_remove(&mm->regions, r);
		region_free(r);
	}
	return 0;
}

static uint32_t prot_to_region(int prot)
{
	return (prot & PROT_READ ? REGION_READ : 0) | (prot & PROT_WRITE ? REGION_WRITE : 0) |
	       (prot & PROT_EXEC ? REGION_EXEC : 0);
}

/* Insert a new region [start, start+len), merged with its neighbours. */
static long insert_region_locked(struct mm *mm, vaddr_t start, uint64_t len, int prot,
				 uint32_t flags, struct inode *file, uint64_t off, uint64_t filesz)
{
	struct region *r = region_alloc(start, start + len, prot_to_region(prot), flags | mm->def_flags);
	if (!r)
		return -ENOMEM;
	if (file) {
		r->file = file;
		region_file_get(file);
		r->file_off = off;
		r->file_size = filesz;
	}
	if (region_insert(&mm->regions, r)) {
		region_free(r);
		return -EEXIST;
	}
	region_merge_neighbours(&mm->regions, r);
	return (long)start;
}

/* Choose where a mapping of len bytes goes: the hint if free, else the
 * highest gap below mmap_base. 0 when nothing fits. */
static vaddr_t choose_address_locked(struct mm *mm, vaddr_t hint, uint64_t len)
{
	if (hint && hint >= USER_MIN_ADDR && hint + len <= mm->mmap_base && hint + len > hint &&
	    !region_first_overlap(&mm->regions, hint, hint + len))
		return hint;
	return region_find_gap_topdown(&mm->regions, USER_MIN_ADDR, mm->mmap_base, len);
}

static struct inode *anon_shared_object(uint64_t len)
{
	return ramfs_create_anon(len);
}

long vm_mmap(struct mm *mm, vaddr_t addr, uint64_t len, int prot, int flags,
	     struct inode *file, uint64_t off)
{
	int type = flags & MAP_TYPE;
	if (len == 0 || (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE))
		return -EINVAL;
	if (!IS_PAGE_ALIGNED(off) || ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !IS_PAGE_ALIGNED(addr)))
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	if (len == 0 || len > USER_STACK_TOP || off + len < off)
		return -ENOMEM;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr + len > USER_STACK_TOP || addr + len < addr))
		return -ENOMEM;
	if (fixed && addr < USER_MIN_ADDR)
		return -EPERM;
	uint32_t rflags = type == MAP_PRIVATE ? 0 : REGION_SHARED;
	if (rflags & REGION_SHARED)
		rflags |= REGION_MAYWRITE;
	if (flags & MAP_GROWSDOWN)
		rflags |= REGION_GROWSDOWN;

	struct inode *obj = file;
	if (!file && (rflags & REGION_SHARED)) {
		obj = anon_shared_object(len);
		if (!obj)
			return -ENOMEM;
		off = 0;
	}
	mutex_lock(&mm->lock);
	long ret = 0;
	if (mm->regions.count > (uint64_t)SYSCTL_READ(max_map_count))
		ret = -ENOMEM;
	else if (may_expand_locked(mm, len, is_data(prot_to_region(prot), rflags), fixed ? addr : 0,
				   fixed ? addr + len : 0))
		ret = -ENOMEM;
	else if (flags & MAP_FIXED_NOREPLACE) {
		ret = region_first_overlap(&mm->regions, addr, addr + len) ? -EEXIST : 0;
	} else if (flags & MAP_FIXED) {
		ret = unmap_range_locked(mm, addr, addr + len);
	} else {
		addr = choose_address_locked(mm, PAGE_ROUND_DOWN(addr), len);
		ret = addr ? 0 : -ENOMEM;
	}
	if (ret == 0)
		ret = insert_region_locked(mm, addr, len, prot, rflags, obj, off, obj ? len : 0);
	mutex_unlock(&mm->lock);
	if (obj && obj != file)
		inode_put(obj);   /* the region holds its own reference */
	trace_map(mm, TRACE_MMAP, (vaddr_t)ret, len, prot, flags);
	return ret;
}

/* Replace whatever is in [start, start+len) by a new region. */
static long map_fixed(struct mm *mm, vaddr_t start, uint64_t len, int prot, uint32_t rflags,
		      struct inode *file, uint64_t off, uint64_t filesz)
{
	mutex_lock(&mm->lock);
	long ret = unmap_range_locked(mm, start, start + len);
	if (ret == 0)
		ret = insert_region_locked(mm, start, len, prot, rflags, file, off, filesz);
	mutex_unlock(&mm->lock);
	trace_map(mm, TRACE_MMAP, (vaddr_t)ret, len, prot, MAP_PRIVATE | MAP_FIXED);
	return ret;
}

long vm_map_segment(struct mm *mm, vaddr_t start, uint64_t len, int prot,
		    struct inode *file, uint64_t off, uint64_t filesz)
{
	return map_fixed(mm, start, len, prot, 0, file, off, filesz);
}

long vm_map_special(struct mm *mm, vaddr_t start, uint64_t len, int prot, uint32_t rflags,
		    struct inode *file)
{
	return map_fixed(mm, start, len, prot, rflags, file, 0, len);
}

vaddr_t vm_unmapped_area(struct mm *mm, uint64_t len)
{
	mutex_lock(&mm->lock);
	vaddr_t addr = choose_address_locked(mm, 0, PAGE_ROUND_UP(len));
	mutex_unlock(&mm->lock);
	return addr;
}

int vm_munmap(struct mm *mm, vaddr_t addr, uint64_t len)
{
	if (!IS_PAGE_ALIGNED(addr) || len == 0)
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	if (addr + len > USER_STACK_TOP || addr + len < addr)
		return -EINVAL;
	mutex_lock(&mm->lock);
	int err = unmap_range_locked(mm, addr, addr + len);
	mutex_unlock(&mm->lock);
	trace_map(mm, TRACE_MUNMAP, err ? (vaddr_t)(long)err : addr, len, 0, 0);
	return err;
}

/* ---- mremap ---- */

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

static long remap_locked(struct mm *mm, vaddr_t old, uint64_t old_len, uint64_t new_len,
			 int flags, vaddr_t to)
{
	struct region *r = region_find(&mm->regions, old);
	if (!r || r->end < old + old_len || old + old_len < old)
		return -EFAULT;
	if (new_len > old_len && may_expand_locked(mm, new_len - old_len, is_data(r->prot, r->flags), 0, 0))
		return -ENOMEM;
	if (split_at_bounds_locked(mm, old, old + old_len, false))
		return -ENOMEM;
	r = region_find(&mm->regions, old);
	if (flags & MREMAP_FIXED) {
		if (to + new_len > USER_STACK_TOP || to < USER_MIN_ADDR || unmap_range_locked(mm, to, to + new_len))
			return -ENOMEM;
		return move_region_locked(mm, r, to, new_len);
	}
	if (new_len <= old_len) {
		unmap_range_locked(mm, old + new_len, old + old_len);
		return (long)old;
	}
	if (grow_in_place_locked(mm, r, new_len))
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = choose_address_locked(mm, 0, new_len);
	return to ? move_region_locked(mm, r, to, new_len) : -ENOMEM;
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
	if ((flags & MREMAP_FIXED) && (!IS_PAGE_ALIGNED(to) || (to < old + old_len && old < to + new_len)))
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

int vm_mprotect(struct mm *mm, vaddr_t addr, uint64_t len, int prot)
{
	if (!IS_PAGE_ALIGNED(addr) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	vaddr_t end = addr + len;
	if (end < addr || end > USER_STACK_TOP)
		return -ENOMEM;
	if (len == 0)
		return 0;
	mutex_lock(&mm->lock);
	int err = vm_range_mapped_locked(mm, addr, end) ? 0 : -ENOMEM;
	for (struct region *r = region_find(&mm->regions, addr); !err && r && r->start < end; r = region_next(r))
		if ((prot & PROT_WRITE) && !may_become_writable(r))
			err = -EACCES;
	if (!err)
		err = split_at_bounds_locked(mm, addr, end, false);
	if (!err)
		err = pt_own_range(mm, addr, end);   /* the only step left that can fail */
	for (struct region *r = region_find(&mm->regions, addr); !err && r && r->start < end; r = region_next(r)) {
		r->prot = prot_to_region(prot);
		pt_modify_present(mm, r->start, r->end, reprotect_fn, r);
	}
	if (!err)
		mm_flush_tlb(mm, MM_FLUSH_ALL);
	mutex_unlock(&mm->lock);
	trace_resnap(mm, TRACE_SNAP_MPROTECT, err ? (vaddr_t)(long)err : addr, len, prot);
	return err;
}

/* Linux's check_data_rlimit: the heap and the data segment together
 * within RLIMIT_DATA. */
static bool brk_over_data_limit(struct mm *mm, vaddr_t new_brk)
{
	uint64_t limit = rlimit_cur(RLIMIT_DATA);
	return limit != RLIM_INF && (new_brk - mm->brk_start) + (mm->end_data - mm->start_data) > limit;
}

vaddr_t vm_brk(struct mm *mm, vaddr_t new_brk)
{
	mutex_lock(&mm->lock);
	vaddr_t old_brk = mm->brk;
	vaddr_t old_end = PAGE_ROUND_UP(mm->brk), new_end = PAGE_ROUND_UP(new_brk);
	if (new_brk < mm->brk_start || new_brk > mm->mmap_base)
		goto out;
	if (new_end < old_end) {
		if (unmap_range_locked(mm, new_end, old_end))
			goto out;
	} else if (new_end > old_end) {
		if (region_first_overlap(&mm->regions, old_end, new_end))
			goto out;
		if (brk_over_data_limit(mm, new_brk) || may_expand_locked(mm, new_end - old_end, true, 0, 0) ||
		    mm->regions.count > (uint64_t)SYSCTL_READ(max_map_count))
			goto out;
		if (insert_region_locked(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
					 REGION_HEAP, NULL, 0, 0) < 0)
			goto out;
	}
	mm->brk = new_brk;
out:
	new_brk = mm->brk;
	mutex_unlock(&mm->lock);
	if (new_brk != old_brk)
		trace_map(mm, TRACE_BRK, new_brk, old_brk, PROT_READ | PROT_WRITE, 0);
	return new_brk;
}

int vm_dontneed(struct mm *mm, vaddr_t addr, uint64_t len)
{
	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	if (addr + len < addr)
		return -EINVAL;
	mutex_lock(&mm->lock);
	int err = vm_range_mapped_locked(mm, addr, addr + len) ? 0 : -ENOMEM;
	if (!err)
		err = pt_unmap_range(mm, addr, addr + len);
	mutex_unlock(&mm->lock);
	if (!err)
		trace_dontneed(mm, addr, len);
	return err;
}

int vm_change_flags(struct mm *mm, vaddr_t start, vaddr_t end, uint32_t set, uint32_t clear)
{
	mutex_lock(&mm->lock);
	int err = vm_range_mapped_locked(mm, start, end) ? 0 : -ENOMEM;
	if (!err)
		err = split_at_bounds_locked(mm, start, end, false);
	for (struct region *r = region_find(&mm->regions, start); !err && r && r->start < end; r = region_next(r))
		r->flags = (r->flags | set) & ~clear;
	for (struct region *r = region_find(&mm->regions, start); !err && r && r->start < end; )
		r = region_next(region_merge_neighbours(&mm->regions, r));
	mutex_unlock(&mm->lock);
	return err;
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

int vm_setup_stack(struct mm *mm, uint64_t initial_size)
{
	initial_size = PAGE_ROUND_UP(initial_size);
	mutex_lock(&mm->lock);
	long r = insert_region_locked(mm, mm->stack_top - initial_size, initial_size,
				      PROT_READ | PROT_WRITE, REGION_GROWSDOWN | REGION_STACK, NULL, 0, 0);
	mm->start_stack = mm->stack_top;
	mutex_unlock(&mm->lock);
	return r < 0 ? (int)r : 0;
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

