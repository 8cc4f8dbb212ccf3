/*
 * trace.h - the memory event trace: what happens to address spaces,
 * one record per event, in a ring buffer read from /proc/aspen/trace
 * (docs/view.md gives the record format and the commands).
 *
 * Every event site is one line, a call to one of the inline functions
 * below. Each tests the global trace_active first and does nothing more
 * while tracing is off: one predictable, not-taken branch per site.
 * When it is on, the out-of-line part (trace.c) decides whether this
 * process (or this address space) is traced and records the event.
 *
 * Who is traced: every process (the "all" command), or chosen
 * processes and their descendants (a per-process flag, inherited at
 * fork). An address space is traced when a traced process made it or
 * used it while traced; its events (faults, mappings) carry its trace
 * id, so that threads and vfork children sharing it agree on it.
 *
 * Faults are traced at one place, fault_locked, from the page-table
 * entry before and after: the outcome is read off the change (a page
 * coming back from a swap entry is a swap-in, with no new call). For
 * helper swap, one call when reclaim writes a page out:
 *   trace_page_out(mm, va, slot)     mm->lock held, the entry changed
 * (docs/view.md, "Adding an event").
 */
#ifndef ASPEN_MM_TRACE_H
#define ASPEN_MM_TRACE_H
#include "lib/kernel.h"
#include "arch.h"

struct mm;
struct task;
struct region;

/* Nonzero while a trace session is on. Read (only) by the event sites. */
extern int trace_active;
#define TRACE_ON() __builtin_expect(__atomic_load_n(&trace_active, __ATOMIC_RELAXED), 0)

/* How a fault was served (the `how` of a fault record). */
enum trace_fault_how {
	TRACE_FAULT_ZERO = 1,      /* fault_zero_fill: a zeroed frame */
	TRACE_FAULT_FILE,          /* fault_file_map: the file's own frame */
	TRACE_FAULT_FILE_COPY,     /* fault_file_copy: a private copy of file bytes */
	TRACE_FAULT_COW_COPY,      /* fault_cow_copy: the shared frame copied */
	TRACE_FAULT_COW_REUSE,     /* fault_cow_reuse: sole owner, made writable */
	TRACE_FAULT_SHARED_WRITE,  /* a MAP_SHARED page made writable */
	TRACE_FAULT_SWAP_IN,       /* helper swap: read back from a swap slot */
};

/* Fork strategies (the `strategy` of a fork record; /proc/sys/vm/fork_strategy). */
enum trace_fork_strategy { TRACE_FORK_COW = 0, TRACE_FORK_COPY, TRACE_FORK_SHARED_PT };

/* Why an address space was snapshot. */
enum trace_snap_why {
	TRACE_SNAP_START = 1, TRACE_SNAP_FORK, TRACE_SNAP_EXEC, TRACE_SNAP_EXIT,
	TRACE_SNAP_END, TRACE_SNAP_MPROTECT, TRACE_SNAP_MREMAP,
};

/* What changed the regions (the `regions` record that follows lists them all). */
enum trace_map_op { TRACE_MMAP = 1, TRACE_MUNMAP, TRACE_BRK };

/* ---- out of line (trace.c); call only through the inlines below ---- */
void trace_mm_created_slow(struct mm *mm);
void trace_mm_free_slow(struct mm *mm);
void trace_fault_slow(struct mm *mm, const struct region *r, vaddr_t va, pte_t before, pte_t after);
void trace_map_slow(struct mm *mm, int op, vaddr_t addr, uint64_t len, int prot, int flags);
void trace_resnap_slow(struct mm *mm, int why, vaddr_t addr, uint64_t len, int prot);
void trace_dontneed_slow(struct mm *mm, vaddr_t addr, uint64_t len);
void trace_clone_slow(struct task *parent, struct task *child, uint64_t flags, int strategy);
void trace_exec_slow(struct task *t);
void trace_exit_slow(struct task *t, int status);
void trace_page_out_slow(struct mm *mm, vaddr_t va, uint64_t slot);

/* ---- event sites ---- */

/* A new address space (mm_create): traced if the creating process is. */
static inline void trace_mm_created(struct mm *mm)
{ if (TRACE_ON()) trace_mm_created_slow(mm); }
/* The address space is being destroyed (mm_destroy): its frames go. */
static inline void trace_mm_free(struct mm *mm)
{ if (TRACE_ON()) trace_mm_free_slow(mm); }
/* A fault in region r changed the entry of page va from before to
 * after (nothing when they are equal). mm->lock held. */
static inline void trace_fault(struct mm *mm, const struct region *r, vaddr_t va, pte_t before, pte_t after)
{ if (TRACE_ON()) trace_fault_slow(mm, r, va, before, after); }
/* mmap, munmap or brk changed mm's regions (mm->lock not held);
 * addr may be the -errno of a failed call: then nothing is recorded. */
static inline void trace_map(struct mm *mm, int op, vaddr_t addr, uint64_t len, int prot, int flags)
{ if (TRACE_ON()) trace_map_slow(mm, op, addr, len, prot, flags); }
/* mprotect or mremap changed rights or moved pages: a new snapshot of
 * mm follows the event (mm->lock not held; addr as for trace_map). */
static inline void trace_resnap(struct mm *mm, int why, vaddr_t addr, uint64_t len, int prot)
{ if (TRACE_ON()) trace_resnap_slow(mm, why, addr, len, prot); }
/* MADV_DONTNEED dropped the pages of [addr, addr+len). */
static inline void trace_dontneed(struct mm *mm, vaddr_t addr, uint64_t len)
{ if (TRACE_ON()) trace_dontneed_slow(mm, addr, len); }
/* A clone committed, before the child first runs: a fork (with
 * snapshots of both address spaces), a vfork or a thread. strategy is
 * how the address space was copied (TRACE_FORK_*: the fork strategy
 * mm_fork used, docs/fork.md). */
static inline void trace_clone(struct task *parent, struct task *child, uint64_t flags, int strategy)
{ if (TRACE_ON()) trace_clone_slow(parent, child, flags, strategy); }
/* t has just become a new program (after exec's point of no return). */
static inline void trace_exec(struct task *t)
{ if (TRACE_ON()) trace_exec_slow(t); }
/* t is exiting, its resources not yet released (a snapshot of its
 * address space when it is the last user). */
static inline void trace_exit(struct task *t, int status)
{ if (TRACE_ON()) trace_exit_slow(t, status); }
/* For helper swap: the page at va was written out to swap slot, its
 * frame given back. mm->lock held. */
static inline void trace_page_out(struct mm *mm, vaddr_t va, uint64_t slot)
{ if (TRACE_ON()) trace_page_out_slow(mm, va, slot); }

/* ---- the /proc/aspen/trace file (fs/procfs/aspen.c) ---- */

/*
 * trace_command - run a control command (a line written to the file):
 * "all", "pid N" (N and its future descendants; 0: the caller), "off",
 * "snapshot". Returns 0 or -EINVAL, -ESRCH, -ENOMEM, -EBUSY.
 * May sleep; no lock held.
 */
int trace_command(const char *cmd, size_t len);
/*
 * trace_read_text - up to size bytes of whole record lines into buf
 * (a kernel buffer of at least TRACE_LINE_MAX bytes), taking them off
 * the ring. Sleeps while the ring is empty and a session is on.
 * Returns the bytes, 0 at the end (no session, nothing left), or
 * -ERESTARTSYS when a signal came first. No lock held.
 */
#define TRACE_LINE_MAX 192
long trace_read_text(char *buf, size_t size);
#endif
