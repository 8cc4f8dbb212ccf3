/*
 * vm_map.c - adding and removing regions: mmap, munmap, brk,
 * MADV_DONTNEED, the ELF segments and the stack of exec; and the limits
 * they obey (vm.max_map_count, RLIMIT_AS, RLIMIT_DATA). The helpers that
 * vm_change.c uses too are declared in vm_impl.h.
 *
 * Locks: each entry point takes mm->lock (a sleeping mutex) around its
 * region-tree and page-table edits; every _locked function expects it
 * held. max_map_count is a sysctl, read with SYSCTL_READ.
 */
#include "mm/vm.h"
#include "mm/vm_impl.h"
#include "mm/commit.h"
#include "mm/pagetable.h"
#include "mm/trace.h"
#include "proc/rlimit.h"
#include "sys/sysctl.h"
#include "fs/vfs.h"
#include "fs/memfd.h"
#include "lib/errno.h"

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
bool vm_is_data(uint32_t prot, uint32_t flags)
{
	return (prot & REGION_WRITE) && !(flags & (REGION_SHARED | REGION_GROWSDOWN | REGION_STACK));
}

/* Linux's may_expand_vm: can mm map add bytes more (data: as a data
 * mapping), [start, end) being replaced? RLIMIT_AS and RLIMIT_DATA; 0 or
 * -ENOMEM. mm->lock held. */
int vm_may_expand_locked(struct mm *mm, uint64_t add, bool data, vaddr_t start, vaddr_t end)
{
	if (rlimit_cur(RLIMIT_AS) == RLIM_INF && rlimit_cur(RLIMIT_DATA) == RLIM_INF)
		return 0;               /* the usual case: no walk */
	uint64_t total = add, data_bytes = data ? add : 0;
	for (struct region *r = region_first(&mm->regions); r; r = region_next(r)) {
		uint64_t len = r->end - r->start;
		if (r->start < end && start < r->end)
			len -= MIN(r->end, end) - MAX(r->start, start);
		total += len;
		data_bytes += vm_is_data(r->prot, r->flags) ? len : 0;
	}
	return rlimit_vm_fits(total, data_bytes);
}

/* Make [start, end) a boundary-free range: split regions straddling
 * its ends. -ENOMEM if a split cannot allocate, or past max_map_count:
 * for unmap, only a hole inside one region counts (Linux lets munmap's
 * edge splits go above it), otherwise every split. An empty range
 * (mremap to the same size unmaps [end, end)) splits nothing. mm->lock
 * held. */
int vm_split_at_bounds_locked(struct mm *mm, vaddr_t start, vaddr_t end, bool unmap)
{
	if (start >= end)   /* an empty range has no ends to split at */
		return 0;
	struct region *r = region_find(&mm->regions, start);
	bool hole = r && r->start < start && r->end > end;
	if (r && r->start < start) {
		if ((!unmap || hole) && !may_split_locked(mm))
			return -ENOMEM;
		if (!(r = region_split(&mm->regions, r, start)))
			return -ENOMEM;
	}
	if (!r || r->end < end)   /* else r, from start, holds end - 1 too */
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
int vm_unmap_range_locked(struct mm *mm, vaddr_t start, vaddr_t end)
{
	if (start >= end)   /* nothing: mremap to the same size */
		return 0;
	int err = vm_split_at_bounds_locked(mm, start, end, true);
	if (!err)
		err = pt_unmap_range(mm, start, end);
	if (err)
		return err;
	struct region *r = region_first_overlap(&mm->regions, start, end);
	while (r && r->start < end) {
		struct region *next = region_next(r);   /* unmoved by r's removal */
		vm_drop_region(mm, r);
		r = next;
	}
	return 0;
}

/* Insert a new region [start, start+len), merged with its neighbours;
 * a REGION_ACCOUNT one is charged (-ENOMEM when the policy refuses). */
static long insert_region_locked(struct mm *mm, vaddr_t start, uint64_t len, int prot,
				 uint32_t flags, struct inode *file, uint64_t off, uint64_t filesz)
{
	uint64_t charge = flags & REGION_ACCOUNT ? len >> PAGE_SHIFT : 0;
	if (vm_commit_charge(charge))
		return -ENOMEM;
	struct region *r = region_alloc(start, start + len, vm_prot_to_region(prot), flags | mm->def_flags);
	if (!r) {
		vm_commit_uncharge(charge);
		return -ENOMEM;
	}
	if (file) {
		r->file = file;
		region_file_get(file);
		if (region_writes_file(r))
			region_file_writable(file, 1);
		r->file_off = off;
		r->file_size = filesz;
	}
	if (region_insert(&mm->regions, r)) {
		vm_commit_uncharge(charge);
		region_free(r);
		return -EEXIST;
	}
	region_merge_neighbours(&mm->regions, r);
	return (long)start;
}

/* Choose where a mapping of len bytes goes: the hint if free, else the
 * highest gap below mmap_base. 0 when nothing fits. */
vaddr_t vm_choose_address_locked(struct mm *mm, vaddr_t hint, uint64_t len)
{
	if (hint && hint >= USER_MIN_ADDR && hint + len <= mm->mmap_base && hint + len > hint &&
	    !region_first_overlap(&mm->regions, hint, hint + len))
		return hint;
	return region_find_gap_topdown(&mm->regions, USER_MIN_ADDR, mm->mmap_base, len);
}

static struct inode *anon_shared_object(uint64_t len, bool norsv)
{
	return ramfs_create_anon(len, !(norsv && vm_commit_noreserve()));
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
	rflags |= vm_commit_flags(vm_prot_to_region(prot), rflags, flags & MAP_NORESERVE);

	struct inode *obj = file;
	if (!file && (rflags & REGION_SHARED)) {
		obj = anon_shared_object(len, flags & MAP_NORESERVE);
		if (!obj)
			return -ENOMEM;
		off = 0;
	}
	mutex_lock(&mm->lock);
	long ret = 0;
	if (mm->regions.count > (uint64_t)SYSCTL_READ(max_map_count))
		ret = -ENOMEM;
	else if (vm_may_expand_locked(mm, len, vm_is_data(vm_prot_to_region(prot), rflags), fixed ? addr : 0,
				   fixed ? addr + len : 0))
		ret = -ENOMEM;
	else if (flags & MAP_FIXED_NOREPLACE) {
		ret = region_first_overlap(&mm->regions, addr, addr + len) ? -EEXIST : 0;
	} else if (flags & MAP_FIXED) {
		ret = vm_unmap_range_locked(mm, addr, addr + len);
	} else {
		addr = vm_choose_address_locked(mm, PAGE_ROUND_DOWN(addr), len);
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

/* The file pages [start, end) may be remapped from (Linux's checks in
 * remap_file_pages): shared regions of one file, opened for writing, with
 * the same rights and flags and no hole between them; the first of them,
 * or NULL. mm->lock held. */
static struct region *remap_source_locked(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct region *first = region_find(&mm->regions, start);
	if (!first || !first->file || (first->flags & (REGION_SHARED | REGION_RDONLY_FILE)) != REGION_SHARED)
		return NULL;
	for (struct region *r = first, *next; r->end < end; r = next) {
		next = region_next(r);
		if (!next || next->start != r->end || next->file != first->file || next->flags != first->flags ||
		    next->prot != first->prot)
			return NULL;
	}
	return first;
}

long vm_remap_file_pages(struct mm *mm, vaddr_t start, uint64_t size, uint64_t pgoff)
{
	vaddr_t end = start + size;
	mutex_lock(&mm->lock);
	struct region *src = remap_source_locked(mm, start, end);
	long ret = src ? 0 : -EINVAL;
	struct inode *file = src ? inode_get(src->file) : NULL;
	uint32_t prot = src ? src->prot : 0, flags = src ? src->flags : 0;
	bool no_maywrite = false;
	if (!ret && pgoff > ((uint64_t)INT64_MAX - size) >> PAGE_SHIFT)
		ret = -EOVERFLOW;   /* past the largest file offset, as mmap says */
	if (!ret)   /* seals added since the mapping was made (F_SEAL_FUTURE_WRITE) */
		ret = memfd_check_mmap(file, (int)prot, true, &no_maywrite);
	if (!ret && mm->regions.count > (uint64_t)SYSCTL_READ(max_map_count))
		ret = -ENOMEM;
	if (!ret)
		ret = vm_unmap_range_locked(mm, start, end);
	if (!ret)
		ret = insert_region_locked(mm, start, size, (int)prot, flags & ~(no_maywrite ? REGION_MAYWRITE : 0),
					   file, pgoff << PAGE_SHIFT, size);
	mutex_unlock(&mm->lock);
	if (file)
		inode_put(file);
	trace_map(mm, TRACE_MMAP, (vaddr_t)ret, size, (int)prot, MAP_SHARED | MAP_FIXED);
	if (ret < 0)
		return ret;
	return (flags | mm->def_flags) & REGION_LOCKED ? VM_REMAP_LOCKED : 0;
}

/* Replace whatever is in [start, start+len) by a new region. */
static long map_fixed(struct mm *mm, vaddr_t start, uint64_t len, int prot, uint32_t rflags,
		      struct inode *file, uint64_t off, uint64_t filesz)
{
	mutex_lock(&mm->lock);
	long ret = vm_unmap_range_locked(mm, start, start + len);
	if (ret == 0)
		ret = insert_region_locked(mm, start, len, prot, rflags, file, off, filesz);
	mutex_unlock(&mm->lock);
	trace_map(mm, TRACE_MMAP, (vaddr_t)ret, len, prot, MAP_PRIVATE | MAP_FIXED);
	return ret;
}

long vm_map_segment(struct mm *mm, vaddr_t start, uint64_t len, int prot,
		    struct inode *file, uint64_t off, uint64_t filesz)
{
	return map_fixed(mm, start, len, prot, vm_commit_flags(vm_prot_to_region(prot), 0, false), file,
			 off, filesz);
}

long vm_map_special(struct mm *mm, vaddr_t start, uint64_t len, int prot, uint32_t rflags,
		    struct inode *file)
{
	return map_fixed(mm, start, len, prot, rflags, file, 0, len);
}

vaddr_t vm_unmapped_area(struct mm *mm, uint64_t len)
{
	mutex_lock(&mm->lock);
	vaddr_t addr = vm_choose_address_locked(mm, 0, PAGE_ROUND_UP(len));
	mutex_unlock(&mm->lock);
	return addr;
}

int vm_munmap(struct mm *mm, vaddr_t addr, uint64_t len)
{
	/* Linux's order: the bounds before rounding, so no length wraps */
	if (!IS_PAGE_ALIGNED(addr) || len == 0 || addr > USER_STACK_TOP || len > USER_STACK_TOP - addr)
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	mutex_lock(&mm->lock);
	int err = vm_unmap_range_locked(mm, addr, addr + len);
	mutex_unlock(&mm->lock);
	trace_map(mm, TRACE_MUNMAP, err ? (vaddr_t)(long)err : addr, len, 0, 0);
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
		if (vm_unmap_range_locked(mm, new_end, old_end))
			goto out;
	} else if (new_end > old_end) {
		if (region_first_overlap(&mm->regions, old_end, new_end))
			goto out;
		if (brk_over_data_limit(mm, new_brk) || vm_may_expand_locked(mm, new_end - old_end, true, 0, 0) ||
		    mm->regions.count > (uint64_t)SYSCTL_READ(max_map_count))
			goto out;
		if (insert_region_locked(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
					 REGION_HEAP | REGION_ACCOUNT, NULL, 0, 0) < 0)
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
	vaddr_t end;
	if (!vm_advice_range(addr, len, &end))
		return -EINVAL;
	mutex_lock(&mm->lock);
	int err = vm_range_mapped_locked(mm, addr, end) ? 0 : -ENOMEM;
	if (!err)
		err = pt_unmap_range(mm, addr, end);
	mutex_unlock(&mm->lock);
	if (!err)
		trace_dontneed(mm, addr, end - addr);
	return err;
}

int vm_setup_stack(struct mm *mm, uint64_t initial_size)
{
	initial_size = PAGE_ROUND_UP(initial_size);
	mutex_lock(&mm->lock);
	long r = insert_region_locked(mm, mm->stack_top - initial_size, initial_size,
				      PROT_READ | PROT_WRITE, REGION_GROWSDOWN | REGION_STACK | REGION_ACCOUNT,
				      NULL, 0, 0);
	mm->start_stack = mm->stack_top;
	mutex_unlock(&mm->lock);
	return r < 0 ? (int)r : 0;
}
