/*
 * commit.h - overcommit accounting (Linux's vm_committed_as and
 * __vm_enough_memory): what the address spaces and shared memory objects
 * could touch, against vm.overcommit_memory's policy.
 *
 * Charged (in pages, Committed_AS in /proc/meminfo): regions marked
 * REGION_ACCOUNT, for their size (private writable mappings, the heap,
 * the stack; MAP_NORESERVE ones only in mode 2), and shared anonymous
 * objects (MAP_SHARED|MAP_ANONYMOUS, System V shm without SHM_NORESERVE)
 * through inode->committed. A charge is taken when memory is promised
 * (mmap, brk, stack growth, mremap growth, mprotect making a private
 * region writable, fork's copy of each region, shmget) and returned when
 * the region or object goes (munmap, exit, exec, a shrink).
 *
 * Policy (docs/swap.md):
 *   0 heuristic   refuse only a single charge larger than RAM + swap
 *   1 always      never refuse
 *   2 never       refuse when Committed_AS would reach CommitLimit =
 *                 swap + RAM * overcommit_ratio / 100 (or swap +
 *                 overcommit_kbytes when that is set)
 *
 * Locks: none; the counter is atomic, as Linux's percpu counter (a
 * charge adds first and checks after, so two racing charges can both
 * fail near the limit but never both pass it).
 */
#ifndef ASPEN_MM_COMMIT_H
#define ASPEN_MM_COMMIT_H
#include "lib/kernel.h"

#define OVERCOMMIT_GUESS  0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER  2

extern int vm_overcommit_memory;      /* vm.overcommit_memory (atomic) */

/* vm_commit_charge - promise pages more; 0, or -ENOMEM (nothing charged)
 * when the policy refuses. Never sleeps. */
int vm_commit_charge(uint64_t pages);
/* vm_commit_uncharge - return pages charged before. */
void vm_commit_uncharge(uint64_t pages);
/* vm_committed_pages - Committed_AS, in pages. */
uint64_t vm_committed_pages(void);
/* vm_commit_limit - CommitLimit, in pages. */
uint64_t vm_commit_limit(void);
/* vm_commit_noreserve - does MAP_NORESERVE (SHM_NORESERVE) skip the
 * charge now? In every mode but 2, as Linux. */
bool vm_commit_noreserve(void);

/* region_commit_pages - what region r holds charged: its size in pages
 * if it is REGION_ACCOUNT, else 0. (struct region: mm/region.h) */
#define region_commit_pages(r) \
	((r)->flags & REGION_ACCOUNT ? ((r)->end - (r)->start) >> PAGE_SHIFT : 0)
/* vm_commit_flags - REGION_ACCOUNT or REGION_NORESERVE (or 0) for a new
 * region of rights prot (REGION_*) and flags rflags, norsv when the
 * caller asked MAP_NORESERVE: Linux's accountable_mapping, private and
 * writable. */
uint32_t vm_commit_flags(uint32_t prot, uint32_t rflags, bool norsv);
#endif
