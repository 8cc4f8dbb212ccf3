/*
 * vmcheck.h - a consistency checker for address spaces and frame
 * reference counts, on when the kernel command line says `vmcheck`
 * (docs/testing.md).
 *
 * After every system call and every page fault it checks
 * the caller's address space (vmcheck_mm): regions sorted, aligned and
 * disjoint; every present page-table entry inside a region, granting no
 * more than it allows, naming a frame in use of the right kind; every
 * page-table page tagged and referenced. At the points where frames
 * change hands between processes (wait, execve; with vmcheck=full after
 * every call) it takes a census of the whole system (vmcheck_census):
 * every frame's reference count must equal the references that hold it.
 * The first disagreement panics with the process, the address, what was
 * expected and what was found.
 *
 * A kind of reference is taught to the census by one rule function in
 * vmcheck_census.c (census_rules[]); docs/testing.md says how.
 */
#ifndef ASPEN_MM_VMCHECK_H
#define ASPEN_MM_VMCHECK_H
#include "lib/kernel.h"

struct mm;

enum vmcheck_mode {
	VMCHECK_OFF,
	VMCHECK_ON,     /* `vmcheck`: per-mm after each event, census at wait/exec */
	VMCHECK_FULL,   /* `vmcheck=full`: the census after every event too */
};
extern int vmcheck_mode;   /* set once at boot */

/* Where the checks ran (for the report and /proc/vmstat-like counting). */
struct vmcheck_stats {
	uint64_t mm_checks, census_runs, ptes_checked, frames_counted;
	uint64_t mm_check_ns, census_ns;   /* time spent, for docs/testing.md's figures */
};
extern struct vmcheck_stats vmcheck_stats;

/* vmcheck_init - read `vmcheck` / `vmcheck=full` from the command line
 * and set the census up. Boot, after the heap. */
void vmcheck_init(void);

/* vmcheck_report - one line of what the checks did and cost. */
void vmcheck_report(void);

/* vmcheck_after_syscall - system call nr has ended and the caller goes
 * back to user mode: check its address space, and take the census if nr
 * is a point that matters. No lock held; may sleep. */
void vmcheck_after_syscall(long nr);
/* vmcheck_after_fault - the same after a page fault at user address
 * addr, from user mode or a usercopy (locks as the fault's own). */
void vmcheck_after_fault(vaddr_t addr);
/* vmcheck_first_return - a new task's first return to user mode (the
 * child of fork: its address space was made by the parent's call). */
void vmcheck_first_return(void);

/* vmcheck_mm - every per-mm rule on mm, after `event`; panics on the
 * first failure. Takes mm->lock; may sleep. */
void vmcheck_mm(struct mm *mm, const char *event);
/* vmcheck_census - stop the other CPUs and compare every frame's
 * reference count with the references found; panics on a difference.
 * No lock held; never sleeps while the others are stopped. */
void vmcheck_census(const char *event);

/* ---- for the rules (vmcheck.c, vmcheck_census.c) ---- */
/* vmcheck_fail - print the report and panic. mm (may be NULL) names the
 * process; va the address; the message says what was expected and found. */
__noreturn void vmcheck_fail(const char *event, struct mm *mm, vaddr_t va, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* vmcheck_pte_allowed - the PTE rights a region with prot and flags may
 * grant (none for PROT_NONE; PTE_SHARED only in a shared region). */
unsigned vmcheck_pte_allowed(uint32_t prot, uint32_t flags);
/* vmcheck_owner - a process using mm, or NULL; no locks (reports only). */
struct process *vmcheck_owner(struct mm *mm);
#endif
