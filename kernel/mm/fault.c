/*
 * fault.c - the page-fault handler: deciding what a fault means and
 * mapping the page that makes the access succeed.
 *
 * The cases, in the order they are decided:
 *
 *   address in no region          below a grows-down stack within its
 *                                 limit: extend the stack; else SIGSEGV
 *   access the region forbids     SIGSEGV, -EACCES (write to read-only, exec
 *                                 of NX, any access to PROT_NONE)
 *   page sent to swap (a swap entry) fault_swap_in: the frame from the swap
 *                                 cache or read into it (a major fault);
 *                                 a write then goes on as below
 *   page not present:
 *     anonymous                   fault_zero_fill: a zeroed frame
 *     file, shared                fault_file_shared: the file's own frame
 *     file, private, read         fault_file_read: the file's frame, read-only
 *     file, private, write        fault_file_copy: a private copy
 *     file, partial last page     fault_file_copy: file bytes, then zeros (bss)
 *     file page past end of file  SIGBUS
 *     file page the disk fails    SIGBUS (-EIO; -ENOSPC when a shared
 *                                 writable page gets no blocks)
 *   page present, write, read-only PTE in a writable region:
 *     shared region               make it writable (a file's frame,
 *                                 after inode_mkwrite: blocks, dirty)
 *     frame mapped only here      fault_cow_reuse: make it writable, no copy
 *     (and its swap slot, if it     (the frame leaves the swap cache and the
 *     has one, named by no one)     slot is freed: swap_cache_reuse)
 *     frame mapped elsewhere too  fault_cow_copy: copy, map the copy writable
 *   page present, nothing wrong   another thread fixed it: retry
 *
 * No frame available: the fault may use the reserve below the min
 * watermark (mm/reclaim.c); if even that is gone, it reclaims directly
 * and, with memory and swap exhausted, the OOM killer picks a victim
 * (mm/oom.c). Only if the victim is the faulting process is -ENOMEM
 * returned (SIGKILL). A failed swap read is -EIO: SIGBUS.
 */
#include "mm/vm.h"
#include "mm/commit.h"
#include "mm/fault.h"
#include "mm/fail_alloc.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "mm/reclaim.h"
#include "mm/trace.h"
#include "proc/task.h"
#include "fs/vfs.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"

static void count(uint64_t *proc_counter, uint64_t *sys_counter)
{
	__atomic_add_fetch(proc_counter, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(sys_counter, 1, __ATOMIC_RELAXED);
}

static struct proc_counters *counters(void)
{
	return vm_proc_counters();
}

static bool access_permitted(const struct region *r, unsigned flags)
{
	if (flags & FAULT_WRITE)
		return r->prot & REGION_WRITE;
	if (flags & FAULT_EXEC)
		return r->prot & REGION_EXEC;
	return r->prot & (REGION_READ | REGION_WRITE | REGION_EXEC);
}

/* The stack region grows down to addr if addr is within its limit and
 * clear of the region below. Returns the stack region or NULL. */
static struct region *stack_grow_locked(struct mm *mm, vaddr_t addr)
{
	struct region *r = region_find_next(&mm->regions, addr);
	if (!r || !(r->flags & REGION_GROWSDOWN))
		return NULL;
	vaddr_t new_start = PAGE_ROUND_DOWN(addr);
	if (r->end - new_start > mm->stack_limit)
		return NULL;
	struct region *below = region_prev(r);
	if (below && below->end + STACK_GUARD_GAP > new_start)
		return NULL;
	if ((r->flags & REGION_ACCOUNT) && vm_commit_charge((r->start - new_start) >> PAGE_SHIFT))
		return NULL;   /* Linux's acct_stack_growth */
	r->start = new_start;   /* the tree order is unchanged: nothing lies between */
	return r;
}

static void map_page(pte_t *pte, paddr_t pa, unsigned rights)
{
	*pte = pte_make(pa, rights);
}

static int fault_zero_fill(const struct region *r, pte_t *pte)
{
	paddr_t pa = frame_alloc_zeroed();
	if (!pa)
		return -ENOMEM;
	map_page(pte, pa, vm_region_rights(r));
	count(&counters()->zero_fills, &vm_stats.zero_fills);
	return 0;
}

/* The page of r's file that backs va (index in the file). */
static uint64_t file_index(const struct region *r, vaddr_t va)
{
	return (r->file_off + (va - r->start)) >> PAGE_SHIFT;
}

/* A private frame holding the file's bytes for va (zeros past file_size). */
static int fault_file_copy(const struct region *r, vaddr_t va, pte_t *pte)
{
	paddr_t pa = frame_alloc_zeroed();
	if (!pa)
		return -ENOMEM;
	uint64_t in_region = va - r->start;
	uint64_t n = in_region < r->file_size ? MIN(PAGE_SIZE, r->file_size - in_region) : 0;
	frame_pin_ref(pa);   /* ours, held across the read, which may sleep */
	long got = n ? inode_read_kernel(r->file, r->file_off + in_region, phys_to_virt(pa), n) : 0;
	frame_unpin_ref(pa);
	if (got < 0) {
		frame_put(pa);
		return got == -EIO ? -EIO : -EFAULT;
	}
	map_page(pte, pa, vm_region_rights(r));
	return 0;
}

/*
 * Writes through a shared mapping of a file stamp its mtime and ctime,
 * as Linux's page_mkwrite does: such a page is mapped read-only until
 * written, the write fault stamps the file, and msync write-protects the
 * pages again so that the next write stamps it anew. Shared anonymous
 * memory (shmem) has no times anyone reads and is left alone.
 */
static bool region_stamps_file(const struct region *r)
{
	return (r->flags & REGION_SHARED) && r->file && !shmem_owns(r->file);
}

/* A write through r is about to be let in: stamp its file. mm->lock
 * held (it comes before inode->lock). */
static void stamp_file(const struct region *r)
{
	mutex_lock(&r->file->lock);
	inode_touch_locked(r->file, ATTR_MTIME | ATTR_CTIME);
	mutex_unlock(&r->file->lock);
}

/* Map the file's own frame for va: writable only for a write to a
 * writable shared mapping (or any access to shared memory without times);
 * a private mapping gets it read-only, to copy on write. */
static int fault_file_map(const struct region *r, vaddr_t va, pte_t *pte, bool shared,
			  unsigned flags)
{
	/* A hole gets its page in the file, so that a later write() to the
	 * file shows through this mapping too, as on Linux's tmpfs. */
	paddr_t pa;
	int err = inode_find_page(r->file, file_index(r, va), true, &pa);
	if (err)
		return err;   /* -EIO, -ENOSPC: SIGBUS, as Linux */
	unsigned rights = vm_region_rights(r);
	if (!shared || (region_stamps_file(r) && !(flags & FAULT_WRITE)))
		rights &= ~PTE_WRITE;
	else if ((rights & PTE_WRITE) && (err = inode_mkwrite(r->file, file_index(r, va)))) {
		frame_put(pa);
		return err;
	} else if (region_stamps_file(r) && (rights & PTE_WRITE))
		stamp_file(r);
	map_page(pte, pa, rights);   /* the mapping owns inode_get_page's reference */
	return 0;
}

static int fault_not_present(const struct region *r, vaddr_t va, pte_t *pte, unsigned flags)
{
	if (!r->file)
		return fault_zero_fill(r, pte);
	uint64_t in_region = va - r->start;
	if (in_region < r->file_size && r->file_off + in_region >= PAGE_ROUND_UP(inode_fault_size(r->file)))
		return -EIO;   /* wholly past the end of the file (or a truncate's): SIGBUS */
	if (r->flags & REGION_SHARED)
		return fault_file_map(r, va, pte, true, flags);
	bool whole_file_page = in_region + PAGE_SIZE <= r->file_size;
	if (!whole_file_page || (flags & FAULT_WRITE))
		return in_region >= r->file_size ? fault_zero_fill(r, pte) : fault_file_copy(r, va, pte);
	return fault_file_map(r, va, pte, false, flags);
}

static bool frame_is_file_page(paddr_t pa)
{
	return frame_of(pa)->flags & FRAME_FILE;
}

static int fault_cow_copy(const struct region *r, pte_t *pte, paddr_t old)
{
	paddr_t pa = frame_alloc();
	if (!pa)
		return -ENOMEM;
	memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
	map_page(pte, pa, vm_region_rights(r));
	user_page_put(old);
	count(&counters()->cow_copies, &vm_stats.cow_copies);
	return 0;
}

static int fault_cow_reuse(const struct region *r, pte_t *pte, paddr_t pa)
{
	map_page(pte, pa, vm_region_rights(r));
	count(&counters()->cow_reuses, &vm_stats.cow_reuses);
	return 0;
}

static int fault_write_protected(const struct region *r, pte_t *pte)
{
	paddr_t pa = pte_addr(*pte);
	if (r->flags & REGION_SHARED) {
		if (region_stamps_file(r))
			stamp_file(r);
		map_page(pte, pa, vm_region_rights(r));
		return 0;
	}
	if (!frame_is_file_page(pa) && swap_cache_reuse(pa))
		return fault_cow_reuse(r, pte, pa);
	return fault_cow_copy(r, pte, pa);
}

/* The page is in swap: map the frame the swap cache has or reads for
 * it, read-only, so that the slot stays valid (the page is clean) and
 * sharers after fork share the frame again. A write then reuses or
 * copies it as fault_write_protected decides; a read keeps the slot
 * unless swap is filling up (Linux's vm_swap_full). */
#define FAULT_MAJOR 1   /* fault_swap_in's success: it read the page in */

/* Rights of a page just read back: never write (the slot keeps a copy);
 * none at all for user code in a PROT_NONE region (swapoff brings such
 * pages back too; mprotect gives them their rights later). */
static unsigned swapin_rights(const struct region *r)
{
	if (!(r->prot & (REGION_READ | REGION_WRITE | REGION_EXEC)))
		return 0;
	return vm_region_rights(r) & ~PTE_WRITE;
}

static int fault_swap_in(const struct region *r, pte_t *pte, unsigned flags)
{
	swp_entry_t e = pte_to_swp_entry(*pte);
	paddr_t pa;
	int got = swap_read_page(e, &pa), err = 0;
	if (got < 0)
		return got == -ENOMEM ? -ENOMEM : -EIO;
	map_page(pte, pa, swapin_rights(r));   /* our reference is the entry's now */
	swap_free(e);
	if (flags & FAULT_WRITE)
		err = fault_write_protected(r, pte);
	else if (swap_is_full() && swap_cache_reuse(pa))
		map_page(pte, pa, vm_region_rights(r));
	return err ? err : got ? FAULT_MAJOR : 0;
}

int vm_swapin_locked(struct mm *mm, vaddr_t va, pte_t *pte)
{
	struct region *r = region_find(&mm->regions, va);
	if (!r)
		return -EFAULT;
	int err = fault_swap_in(r, pte, 0);
	return err > 0 ? 0 : err;
}

/* fault_locked's answer when the page is in swap and not cached, and
 * the caller may read it without mm->lock (*read_first names the slot). */
#define FAULT_READ_FIRST 2

static int fault_locked(struct mm *mm, vaddr_t addr, unsigned flags, swp_entry_t *read_first)
{
	struct region *r = region_find(&mm->regions, addr);
	if (!r)
		r = stack_grow_locked(mm, addr);
	if (!r)
		return -EFAULT;
	if (!access_permitted(r, flags))
		return -EACCES;   /* SEGV_ACCERR rather than SEGV_MAPERR */
	vaddr_t va = PAGE_ROUND_DOWN(addr);
	pte_t *pte = pt_walk(mm, va, true);   /* a shared table is copied here */
	if (!pte)
		return -ENOMEM;
	pte_t before = *pte;
	int err = 0;
	bool cow = pte_present(*pte) && (flags & FAULT_WRITE) && !(pte_rights(*pte) & PTE_WRITE);
	unsigned path = alloc_path_enter(cow ? ALLOC_PATH_COW : ALLOC_PATH_FAULT);
	if (pte_is_swap(*pte) && read_first && !swap_cache_has(pte_to_swp_entry(*pte))) {
		*read_first = pte_to_swp_entry(*pte);
		err = FAULT_READ_FIRST;
	} else if (pte_is_swap(*pte)) {
		err = fault_swap_in(r, pte, flags);           /* nor swap entries */
	} else if (!pte_present(*pte)) {
		err = fault_not_present(r, va, pte, flags);   /* x86 caches no absent entries */
	} else {
		if (cow && (r->flags & REGION_SHARED) && r->file)   /* the file's page becomes writable */
			err = inode_mkwrite(r->file, file_index(r, va));
		if (cow && !err)
			err = fault_write_protected(r, pte);
		if (err == 0)
			mm_flush_tlb(mm, va);
	}
	alloc_path_leave(path);
	if (err >= 0 && err != FAULT_READ_FIRST)
		trace_fault(mm, r, va, before, *pte);
	return err;
}

/* Read slot e into the swap cache, no lock held, for a fault to find it
 * there when it tries again: as Linux's fault drops mmap_lock for the
 * I/O (VM_FAULT_RETRY), so that reclaim can work on the address space
 * (write out other pages of it) while the read is in flight. Whatever
 * happened to the entry meanwhile, the retry sees. True if it read.
 * Another thread may have dropped the page during the read (munmap,
 * MADV_DONTNEED): swap_free could not take the frame from the cache
 * then (the read held it), so the last reference here does, and frees
 * the slot; else the frame stayed cached and the slot taken until
 * memory ran short (a swap slot not back after a test). */
static bool read_unlocked(swp_entry_t e)
{
	paddr_t pa;
	int got = swap_read_page(e, &pa);
	if (got >= 0)
		user_page_put(pa);   /* the cache keeps its own reference, while e lives */
	return got > 0;
}

/* Resolve the fault; when memory runs out, reclaim (or let the OOM
 * killer act) and try again, as long as reclaim_retry says so. The
 * fault may use the reserve below the min watermark. */
static int fault_mm(struct mm *mm, vaddr_t addr, unsigned flags)
{
	reclaim_throttle();
	int was = reclaim_reserve_enter();
	int err;
	bool read = false, may_drop = true;
	for (int tries = 0; ; tries++) {
		swp_entry_t e;
		mutex_lock(&mm->lock);
		err = fault_locked(mm, addr, flags, may_drop ? &e : NULL);
		mutex_unlock(&mm->lock);
		if (err == FAULT_READ_FIRST) {
			read |= read_unlocked(e);
			may_drop = false;   /* once: the next try reads under the lock if it must */
			continue;
		}
		if (err != -ENOMEM || !reclaim_retry(tries))
			break;
	}
	reclaim_reserve_leave(was);
	reclaim_wake_if_low();
	if (err == 0 && read)
		err = FAULT_MAJOR;
	if (err == FAULT_MAJOR)
		count(&counters()->major_faults, &swap_stats.pgmajfault);
	else if (err == 0)
		count(&counters()->minor_faults, &vm_stats.minor_faults);
	return err > 0 ? 0 : err;
}

int vm_fault_mm(struct mm *mm, vaddr_t addr, unsigned flags)
{
	int err = fault_mm(mm, addr, flags);
	return err == -EACCES ? -EFAULT : err;
}

int vm_fault(vaddr_t addr, unsigned flags)
{
	struct task *t = current;
	if (!t || !t->mm || addr >= USER_STACK_TOP)
		return -EFAULT;
	return fault_mm(t->mm, addr, flags);
}

/* ---- access for another process (/proc/PID/mem, process_vm_*) ---- */

/* May the kernel, acting for a debugger, access r as asked? Without
 * force the region's rights decide (process_vm_readv/writev); with force
 * (/proc/PID/mem, Linux's FOLL_FORCE) any region may be read and a
 * private one written, the write landing in mm's own copy. */
static bool remote_permitted(const struct region *r, bool write, bool force)
{
	if (write)
		return (r->prot & REGION_WRITE) || (force && !(r->flags & REGION_SHARED));
	return force || (r->prot & (REGION_READ | REGION_WRITE | REGION_EXEC));
}

/*
 * The frame (referenced) holding va's page in mm for such an access, or
 * 0 with *err. It all happens under mm->lock, so the page a write gets is
 * the copy this fault made or found: nothing (MADV_DONTNEED, reclaim, a
 * fork) can swap the file's page back in between, which is the race
 * Linux's Dirty COW lost. mm->lock held.
 */
static paddr_t remote_page_locked(struct mm *mm, vaddr_t va, bool write, bool force, int *err)
{
	struct region *r = region_find(&mm->regions, va);
	*err = -EFAULT;
	if (!r || !remote_permitted(r, write, force))
		return 0;
	pte_t *pte = pt_walk(mm, va, true);
	*err = -ENOMEM;
	if (!pte)
		return 0;
	pte_t before = *pte;
	unsigned flags = write ? FAULT_WRITE : 0;
	*err = 0;
	if (pte_is_swap(*pte))
		*err = fault_swap_in(r, pte, flags);
	else if (!pte_present(*pte))
		*err = fault_not_present(r, va, pte, flags);
	else if (write && !(pte_rights(*pte) & PTE_WRITE))
		*err = fault_write_protected(r, pte);
	if (*err < 0)
		return 0;
	*err = 0;
	if (!(r->prot & (REGION_READ | REGION_WRITE | REGION_EXEC)) && (pte_rights(*pte) & PTE_USER))
		*pte = pte_make(pte_addr(*pte), 0);   /* PROT_NONE: present for the kernel only */
	if (before != *pte) {
		mm_flush_tlb(mm, va);
		trace_fault(mm, r, va, before, *pte);
	}
	paddr_t pa = pte_addr(*pte);
	if (write && !(r->flags & REGION_SHARED) && frame_is_file_page(pa))
		panic("remote write to the file page of a private mapping");
	frame_get(pa);
	return pa;
}

/* vm_remote_page - see fault.h. */
paddr_t vm_remote_page(struct mm *mm, vaddr_t addr, bool write, bool force, int *err)
{
	vaddr_t va = PAGE_ROUND_DOWN(addr);
	paddr_t pa = 0;
	int was = reclaim_reserve_enter();
	for (int tries = 0; ; tries++) {
		mutex_lock(&mm->lock);
		pa = remote_page_locked(mm, va, write, force, err);
		mutex_unlock(&mm->lock);
		if (*err != -ENOMEM || !reclaim_retry(tries))
			break;
	}
	reclaim_reserve_leave(was);
	return pa;
}

/* vm_dump_page - see fault.h. The dumped process's threads are all
 * stopped, so the page cannot become touched between the look and the
 * read; reclaim may only send it to swap meanwhile, which reads back. */
paddr_t vm_dump_page(struct mm *mm, vaddr_t addr, int *err)
{
	vaddr_t va = PAGE_ROUND_DOWN(addr);
	mutex_lock(&mm->lock);
	const struct region *r = region_find(&mm->regions, va);
	const pte_t *pte = r && !r->file ? pt_lookup(mm, va) : NULL;
	bool hole = r && !r->file && !(r->flags & REGION_SPECIAL) &&
		    (!pte || (!pte_present(*pte) && !pte_is_swap(*pte)));
	mutex_unlock(&mm->lock);
	*err = 0;
	return hole ? 0 : vm_remote_page(mm, addr, false, true, err);
}

/* ---- msync ---- */

static int write_protect_fn(pte_t *pte, vaddr_t va, void *arg)
{
	*pte = pte_wrprotect(*pte);
	return 0;
}

/* vm_msync - see fault.h. */
int vm_msync(struct mm *mm, vaddr_t addr, uint64_t len)
{
	vaddr_t end = addr + PAGE_ROUND_UP(len);
	if (end < addr)
		return -ENOMEM;
	mutex_lock(&mm->lock);
	int err = 0;
	for (struct region *r = region_find_next(&mm->regions, addr); !err && r && r->start < end;
	     r = region_next(r)) {
		vaddr_t s = MAX(addr, r->start), e = MIN(end, r->end);
		if (region_stamps_file(r) && (r->prot & REGION_WRITE)) {
			err = pt_modify_present(mm, s, e, write_protect_fn, NULL);
			mm_flush_range(mm, s, e);
		}
	}
	if (!err && !vm_range_mapped_locked(mm, addr, end))
		err = -ENOMEM;
	mutex_unlock(&mm->lock);
	return err;
}
