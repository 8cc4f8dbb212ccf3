/*
 * vm.h - address spaces (Linux's mm_struct): the regions of a process
 * and the page table that maps them.
 *
 * Layout of the user half, as Linux x86-64 without randomization
 * (docs/memory-layout.md draws it):
 *   0x400000 or 0x555555554000  text, data, bss of the ELF
 *   brk_start .. brk            the heap, growing up
 *   ... mmap_base               mmap area, growing down from 0x7ffff7fff000
 *   ... USER_STACK_TOP          the stack, growing down from 0x7ffffffff000
 *
 * Locks: mm->lock (a mutex) guards the region tree, the page table and
 * the brk and layout fields. It is never held across a copy to or from
 * user memory (a fault there takes it). Frames are reference counted
 * (mm/frame.h) and need no mm lock.
 */
#ifndef ASPEN_MM_VM_H
#define ASPEN_MM_VM_H
#include "lib/kernel.h"
#include "sync/mutex.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "mm/region.h"
#include "arch.h"

#define USER_STACK_TOP   0x00007ffffffff000UL  /* Linux's TASK_SIZE */
#define USER_MMAP_BASE   (USER_STACK_TOP - (128UL << 20))  /* TASK_SIZE - MIN_GAP */
#define USER_MIN_ADDR    0x10000UL               /* mmap_min_addr */
#define STACK_RLIMIT_DEFAULT (8UL << 20)
#define STACK_INITIAL_SIZE (128UL << 10)
#define STACK_GUARD_GAP  (256UL * PAGE_SIZE)
/* coredump_filter's default: anonymous private and shared memory, ELF
 * headers, private huge pages (Linux's MMF_DUMP_FILTER_DEFAULT). */
#define MM_DUMP_FILTER_DEFAULT 0x33

/* mmap flags we interpret (Linux's values). */
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

struct inode;

struct mm {
	struct mutex lock;
	struct region_tree regions;       /* (lock) */
	paddr_t pt_root;                  /* (lock) for changes; constant */
	uint32_t users;                   /* atomic: tasks sharing it (CLONE_VM) */
	uint32_t pins;                    /* atomic: holds on the struct alone (mm_pin); the users hold one together */
	vaddr_t brk_start, brk;           /* (lock) heap: [brk_start, brk) */
	vaddr_t mmap_base;                /* (lock) top of the mmap area */
	vaddr_t stack_top;                /* (lock) */
	uint64_t stack_limit;             /* (lock) RLIMIT_STACK */
	/* For /proc: where things were put by exec. */
	vaddr_t start_code, end_code, start_data, end_data, start_stack;
	vaddr_t arg_start, arg_end, env_start, env_end;
	vaddr_t auxv_start, auxv_end;     /* the auxiliary vector on the first stack (core dumps) */
	uint32_t dump_filter;             /* atomic: /proc/PID/coredump_filter (proc/coredump.h) */
	struct inode *exe;                /* the program's file (counted) */
	uint64_t cpu_mask;                /* atomic: CPUs whose page-table register holds it */
	uint32_t membarrier_state;        /* atomic: membarrier(2)'s registrations (sched/membarrier.c) */
	struct list_head mmlist;          /* (mmlist_lock) in every mm's list, for reclaim (mm/reclaim.c) */
	vaddr_t reclaim_va;               /* (reclaim_mutex) where the clock hand goes on in it; 0: the start */
	uint32_t def_flags;               /* (lock) REGION_LOCKED after mlockall(MCL_FUTURE) */
	bool pkey_spent;                  /* (lock) pkey_alloc's key 0 is taken (mm/sys_mm.c) */
	uint64_t trace_tag;               /* atomic: trace session << 32 | id (mm/trace.c) */
	struct list_head all_link;        /* (mm_list_lock) in all_mms, until its teardown is done */
};

/* Every address space from mm_create until its teardown is done, also
 * those no task uses yet (fork's child before it is committed): what
 * vmcheck's census walks. */
extern struct spinlock mm_list_lock;
extern struct list_head all_mms;

/* mm_create - an empty address space; NULL when out of memory. */
struct mm *mm_create(void);
/* mm_get / mm_put - share and release; the last put frees every page,
 * table and region. May sleep. */
struct mm *mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* mm_get_not_zero - mm_get unless its last user has gone (it is being
 * torn down): whether it was taken. For finding an mm through a list
 * that does not hold it (reclaim's, a file's mappers), or taking one
 * back that only a pin (mm_pin) held. */
bool mm_get_not_zero(struct mm *mm);
/* mm_pin / mm_unpin - keep the struct (not its pages) while holding no
 * user reference, as Linux's mmgrab/mmdrop: reclaim's hand across its
 * writes, so that an exiting process's pages go at its exit, not when
 * the I/O ends. mm_pin needs a user reference or a pin held; a pinned mm
 * whose users are gone is torn down (out of reclaim's list): mm_get_not_zero
 * says which. */
void mm_pin(struct mm *mm);
void mm_unpin(struct mm *mm);
/*
 * mm_fork - the address space of a forked child: parent's regions, and
 * its pages by one of three strategies (docs/fork.md), all with the same
 * meaning to the two processes:
 *   ASPEN_FORK_COPY    every private page copied now;
 *   ASPEN_FORK_COW     every frame shared, private writable pages made
 *                      read-only in both, copied on the first write;
 *   ASPEN_FORK_SHARED  the last-level page tables themselves shared,
 *                      read-only; the first change in one copies it.
 * MAP_SHARED pages are shared by all three. hot: an address both
 * processes will write at once (the parent's stack pointer), whose table
 * `shared` copies as `cow` does rather than share it for one fault each.
 * NULL when out of memory, with nothing left behind. Takes parent->lock.
 */
struct mm *mm_fork(struct mm *parent, int strategy, vaddr_t hot);

/* The system's fork strategy (ASPEN_FORK_*): /proc/sys/vm/fork_strategy
 * and the fork_strategy= boot option set it; a process may choose its
 * own (prctl PR_ASPEN_SET_FORK_STRATEGY). Atomic. */
extern int vm_fork_strategy;
/* vm_fork_strategy_name - "copy", "cow" or "shared"; NULL if unknown. */
const char *vm_fork_strategy_name(int strategy);
/* vm_fork_strategy_parse - the strategy named by the len bytes at s (a
 * trailing newline allowed), or -EINVAL. */
int vm_fork_strategy_parse(const char *s, size_t len);

/* mm_switch - this CPU stops using old (NULL: none) and loads new
 * (NULL: the kernel's own table), keeping cpu_mask right. */
void mm_switch(struct mm *old, struct mm *new);
/* mm_flush_tlb - after changing present entries of mm: drop the stale
 * translations of va (MM_FLUSH_ALL: all) here and on every other CPU
 * that has mm loaded, waiting for them. */
#define MM_FLUSH_ALL (~0UL)
void mm_flush_tlb(struct mm *mm, vaddr_t va);
/* mm_flush_range - the same for [start, end): page by page when it is
 * small and mm is loaded on this CPU alone, else all. */
void mm_flush_range(struct mm *mm, vaddr_t start, vaddr_t end);

/* vm_mmap - map len bytes (see mmap(2)) at a place chosen from addr and
 * flags; file NULL for anonymous memory. Returns the address or -errno.
 * Takes mm->lock. */
long vm_mmap(struct mm *mm, vaddr_t addr, uint64_t len, int prot, int flags,
	     struct inode *file, uint64_t off);
/* vm_map_segment - exec's segment mapping: filesz bytes of file at off
 * (file NULL: anonymous memory), the rest of [start, start+len) zero;
 * MAP_FIXED semantics. Returns start or -errno. Takes mm->lock. */
long vm_map_segment(struct mm *mm, vaddr_t start, uint64_t len, int prot,
		    struct inode *file, uint64_t off, uint64_t filesz);
/* vm_map_special - map len bytes of a kernel object (file: the vDSO's)
 * at start with region flags rflags; MAP_FIXED semantics. Returns start
 * or -errno. Takes mm->lock. */
long vm_map_special(struct mm *mm, vaddr_t start, uint64_t len, int prot, uint32_t rflags,
		    struct inode *file);
/* vm_unmapped_area - where an mmap of len bytes without a hint would go:
 * the highest free gap below mmap_base. 0 if none. Takes mm->lock. */
vaddr_t vm_unmapped_area(struct mm *mm, uint64_t len);
/* vm_mremap - move or resize the mapping at [old, old+old_len), which
 * must lie in one region (EFAULT): shrink in place, grow in place when
 * the space after it is free, else with MREMAP_MAYMOVE move it (pages
 * and all) elsewhere or to `to` with MREMAP_FIXED. Returns the new
 * address or -errno (EINVAL, ENOMEM). Takes mm->lock. */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
long vm_mremap(struct mm *mm, vaddr_t old, uint64_t old_len, uint64_t new_len, int flags, vaddr_t to);
/* vm_remap_file_pages - remap_file_pages(2) as Linux >= 4.0 emulates it:
 * [start, start+size) (page aligned, non-empty), which must lie in shared
 * regions of one file opened for writing with the same rights and flags,
 * is mapped again to the file's pages from pgoff on, as an
 * mmap(MAP_SHARED|MAP_FIXED) with those rights would. 0 or
 * VM_REMAP_LOCKED (the new region is mlocked: populate it), or -EINVAL,
 * -EOVERFLOW (pgoff past the largest file offset), -EPERM (a memfd sealed
 * against writes since), -ENOMEM. Takes mm->lock. */
#define VM_REMAP_LOCKED 1
long vm_remap_file_pages(struct mm *mm, vaddr_t start, uint64_t size, uint64_t pgoff);
/* vm_munmap - remove [addr, addr+len); 0 or -EINVAL. Takes mm->lock. */
int vm_munmap(struct mm *mm, vaddr_t addr, uint64_t len);
/* vm_mprotect - change rights of [addr, addr+len); 0, -EINVAL, -ENOMEM
 * (a hole in the range), -EACCES (write to a read-only shared file). */
int vm_mprotect(struct mm *mm, vaddr_t addr, uint64_t len, int prot);
/* vm_brk - move the break; returns the new (or unchanged) break. */
vaddr_t vm_brk(struct mm *mm, vaddr_t new_brk);
/* vm_dontneed - MADV_DONTNEED: drop the pages of [addr, addr+len). */
int vm_dontneed(struct mm *mm, vaddr_t addr, uint64_t len);
/* vm_advice_range - madvise's range as Linux checks it: *end is addr +
 * len rounded up to pages; false (EINVAL) when addr is not page-aligned
 * or the length wraps, rounded or added. */
static inline bool vm_advice_range(vaddr_t addr, uint64_t len, vaddr_t *end)
{
	uint64_t rounded = PAGE_ROUND_UP(len);
	*end = addr + rounded;
	return IS_PAGE_ALIGNED(addr) && (rounded || !len) && *end >= addr;
}
/* vm_range_mapped_locked - does [start, end) lie wholly in regions? */
bool vm_range_mapped_locked(struct mm *mm, vaddr_t start, vaddr_t end);
/* vm_remove - MADV_REMOVE: punch a hole in the files under [addr,
 * addr+len) of shared writable file mappings (tmpfs, memfds, shared
 * anonymous memory; fallocate's PUNCH_HOLE), as Linux's madvise_remove.
 * 0, -EINVAL (unaligned, locked memory, no file), -EACCES (not a shared
 * writable mapping), -ENOMEM (a hole in the range), or the punch's
 * error (-EOPNOTSUPP where the file system cannot, -EPERM under a
 * memfd's write seal). Takes mm->lock, drops it around each punch; may
 * sleep. (mm/madvise.c) */
int vm_remove(struct mm *mm, vaddr_t addr, uint64_t len);
/* vm_advise - madvise's MADV_WILLNEED (read swapped pages of the range
 * into the swap cache), MADV_COLD (make its pages the reclaim clock's
 * first choice), MADV_PAGEOUT (send its private pages to swap now).
 * 0, -EINVAL (unaligned; COLD or PAGEOUT on locked memory), -ENOMEM (a
 * hole). Takes mm->lock; may sleep (I/O). (mm/madvise.c) */
#define VM_ADVISE_WILLNEED 1
#define VM_ADVISE_COLD 2
#define VM_ADVISE_PAGEOUT 3
int vm_advise(struct mm *mm, vaddr_t addr, uint64_t len, int advice);
/* vm_change_flags - set and clear REGION_* flags on [start, end), which
 * must be mapped throughout (-ENOMEM), splitting regions at its ends.
 * 0 or -ENOMEM. Takes mm->lock. (mlock) */
int vm_change_flags(struct mm *mm, vaddr_t start, vaddr_t end, uint32_t set, uint32_t clear);
/* vm_populate - fault in every page of [start, end) that its region lets
 * be touched: write faults for private writable memory (copy-on-write
 * broken now), read faults otherwise. 0 or the fault's error. May sleep. */
int vm_populate(struct mm *mm, vaddr_t start, vaddr_t end);
/* vm_setup_stack - the main stack region below USER_STACK_TOP. */
int vm_setup_stack(struct mm *mm, uint64_t initial_size);
/* vm_write_to_mm - copy a kernel buffer into mm (not the current one)
 * at va, faulting pages in; 0 or -errno. For exec's initial stack. */
int vm_write_to_mm(struct mm *mm, vaddr_t va, const void *buf, size_t len);

/* shmem_init - the hidden file system of shared anonymous memory (boot).
 * ramfs_create_anon - a new unlinked file of size bytes backing a
 * MAP_SHARED|MAP_ANONYMOUS mapping or a System V segment, its pages
 * charged to Committed_AS if account; NULL (nothing charged) when out of
 * memory or the overcommit policy refuses (mm/commit.h). (shmem.c) */
void shmem_init(void);
struct inode *ramfs_create_anon(uint64_t size, bool account);
/* shmem_unuse - bring back every page of the shared anonymous objects
 * that lies in swap area type (swapoff); 0, -ENOMEM or -EIO. */
int shmem_unuse(unsigned type);
/* shmem_owns - is ip a shared anonymous object (for shmem-rss)? */
bool shmem_owns(const struct inode *ip);
/* shmem_evictable - is ip a shared anonymous object whose pages may go
 * to swap (not a segment under SHM_LOCK: Linux's unevictable pages)? */
bool shmem_evictable(const struct inode *ip);
/* shmem_set_unevictable - SHM_LOCK (true) or SHM_UNLOCK (false) of
 * object ip: reclaim passes its pages over while it is set. Pages in swap
 * already stay there until used, as on Linux. */
void shmem_set_unevictable(struct inode *ip, bool on);

/* Memory figures of an address space (walks its page table; allocates
 * nothing, so the OOM killer can use it). In pages. */
struct mm_usage {
	uint64_t resident;      /* pages mapped */
	uint64_t shared;        /* of which frames mapped more than once (mm/vm_report.c) */
	uint64_t swapped;       /* swap entries */
	uint64_t pgtables;      /* page-table pages (user half, root included) */
	uint64_t pgtables_shared; /* last-level tables used by another address space too */
	uint64_t anon, file, shmem;   /* resident, by kind (Linux's RSS counters) */
	uint64_t total_vm;      /* pages of all regions */
	uint64_t locked_vm;     /* pages of mlocked regions */
};
void vm_usage(struct mm *mm, struct mm_usage *out);

/* System-wide counters (atomic). */
struct vm_stats {
	uint64_t minor_faults, cow_copies, cow_reuses, zero_fills, forks;
	uint64_t pt_unshares;   /* shared last-level tables copied by a change */
	uint64_t pt_shared;     /* last-level tables used by more than one address space now */
};
extern struct vm_stats vm_stats;
/* vm_proc_counters - the current process's counters (a discard area
 * when there is no process, as in early boot). */
struct proc_counters *vm_proc_counters(void);

/* Internal to mm/: the fault handler's core for any mm. */
int vm_fault_mm(struct mm *mm, vaddr_t addr, unsigned flags);
/* vm_swapin_locked - bring back the page at va, whose entry pte is a
 * swap entry, as a read fault would (swapoff). 0, -ENOMEM, -EIO.
 * mm->lock held; may sleep. */
int vm_swapin_locked(struct mm *mm, vaddr_t va, pte_t *pte);
/* vm_region_rights - the PTE rights a region allows (write included). */
unsigned vm_region_rights(const struct region *r);
#endif
