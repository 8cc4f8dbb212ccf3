/*
 * pagetable.h - the page tables of address spaces: reading them,
 * changing them, and the three ways a fork fills a child's
 * (mm/pagetable.c). The tree's shape and entry format are the arch's
 * (arch.h); the walking is here, generic, and runs on the host in unit
 * tests over tests/unit/fake_arch.c.
 *
 * Shared last-level tables (the tables whose entries map pages; fork's
 * `shared` strategy, docs/fork.md):
 *  - a last-level table's frame reference count is the number of
 *    address spaces whose tree points at it: its users. The table holds
 *    one reference on what each of its leaves names (the frame of a
 *    present leaf, the swap slot of a swap entry), whatever its number
 *    of users, and the last user to leave drops them.
 *  - an entry naming a table with more than one user is read-only
 *    (pt_table_entry(t, false)): no write reaches its pages without a
 *    fault. It stays read-only when the others leave, until the last
 *    user's next change takes the table back.
 *  - reading (pt_lookup, pt_for_each_present, pt_for_each_used) gives
 *    const leaves, which may sit in a shared table.
 *  - changing goes only through pt_walk, pt_modify_present,
 *    pt_modify_used, pt_unmap_range and the fork functions. Each gives the caller its own
 *    table before handing out a writable leaf in it (own_table in
 *    pagetable.c: the one choke point): a shared table is copied, and
 *    the entries of both copies then copy-on-write. No other function
 *    returns a writable leaf, so no change can reach a shared table.
 *
 * Locks: the caller holds mm->lock (for fork, the parent's; nobody else
 * knows the child yet). A shared table is read under any user's lock
 * and changed under none, with one exception: a copy of it takes the
 * write right off its private writable leaves, atomically, which changes
 * nothing anyone can do (no user can write through it). Functions that
 * change entries flush the TLBs of mm on every CPU before a table or
 * frame they dropped can be freed.
 */
#ifndef ASPEN_MM_PAGETABLE_H
#define ASPEN_MM_PAGETABLE_H
#include "lib/kernel.h"
#include "arch.h"

struct mm;

/* ---- reading ---- */

/* pt_lookup - the leaf for va, or NULL when no table holds it. */
const pte_t *pt_lookup(struct mm *mm, vaddr_t va);
/* pt_for_each_present - fn on each present leaf in [start, end), in
 * address order; stops at and returns fn's first nonzero value. */
int pt_for_each_present(struct mm *mm, vaddr_t start, vaddr_t end,
			int (*fn)(const pte_t *pte, vaddr_t va, void *arg), void *arg);
/* pt_for_each_used - the same for every leaf that is not empty: present
 * pages and swap entries. */
int pt_for_each_used(struct mm *mm, vaddr_t start, vaddr_t end,
		     int (*fn)(const pte_t *pte, vaddr_t va, void *arg), void *arg);
/* pt_write_allowed - would a write at va get through without a fault:
 * a present writable leaf under a writable slot? */
bool pt_write_allowed(struct mm *mm, vaddr_t va);
/* pt_leaf_users - the address spaces mapping the page of a leaf through
 * the table that holds it (1 unless the table is shared). */
unsigned pt_leaf_users(const pte_t *pte);

/* pt_add_shared_mappings - add to counts[i], for frame first_pfn + i
 * (i < n), the mappings it has through shared tables beyond their one
 * reference (users - 1 per shared table mapping it): with its reference
 * count that makes the address spaces mapping it. A pass over every
 * frame while any table is shared: for /proc, not for hot paths. */
void pt_add_shared_mappings(uint64_t first_pfn, size_t n, uint64_t *counts);

/* Page-table pages of an address space (its user half). */
struct pt_census {
	uint64_t tables;       /* every level, the root included */
	uint64_t last_level;   /* tables of leaves */
	uint64_t shared;       /* of those, used by another address space too */
};
void pt_census(struct mm *mm, struct pt_census *c);
/* One last-level table, as /proc/PID/ptables shows it. */
struct pt_table_info {
	vaddr_t start;         /* the first address it maps */
	paddr_t table;         /* the table's own frame */
	unsigned users;        /* address spaces using it */
	unsigned present;      /* present leaves */
	bool writable;         /* the entry above lets writes through */
};
/* pt_for_each_table - fn on each last-level table in address order;
 * stops at and returns fn's first nonzero value. */
int pt_for_each_table(struct mm *mm, int (*fn)(const struct pt_table_info *t, void *arg), void *arg);

/* pt_visit - every page-table page of mm's user half and every
 * non-empty leaf under them, for checkers (mm/vmcheck.c): v->table(pa,
 * level, va, arg) for each table page reached, the root first (level
 * PT_LEVELS - 1, leaf tables 0; va: the first address it covers), which
 * returns false to skip what lies under it; v->leaf(pte, va, arg) for
 * each present leaf of a table visited, and v->swap (if not NULL) for
 * each swap entry. The caller keeps the tables from changing. */
struct pt_visitor {
	bool (*table)(paddr_t pa, int level, vaddr_t va, void *arg);
	void (*leaf)(pte_t pte, vaddr_t va, void *arg);
	void *arg;
	void (*swap)(pte_t pte, vaddr_t va, void *arg);
};
void pt_visit(struct mm *mm, const struct pt_visitor *v);
/* pt_unmarked_entry - the index of a used entry of the last-level table
 * that its used mask does not mark (a broken invariant: passes would
 * skip it), or PT_ENTRIES. For the checker; the table's user's lock. */
unsigned pt_unmarked_entry(paddr_t table);

/* ---- changing (each makes the tables it enters mm's own first) ---- */

/* pt_walk - the leaf for va, to change. With alloc, missing tables are
 * made. NULL when a table is missing (without alloc) or when memory for
 * a table, or for the copy of a shared one, cannot be had. */
pte_t *pt_walk(struct mm *mm, vaddr_t va, bool alloc);
/* pt_own_range - make every table holding entries of [start, end)
 * mm's own: 0, or -ENOMEM with the tables not yet copied still shared.
 * After it, nothing in the range can fail for want of a table copy. */
int pt_own_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* pt_modify_present - fn on each present leaf of [start, end), each
 * table owned first. -ENOMEM when a shared table cannot be copied, else
 * fn's first nonzero value or 0. The caller flushes the TLBs. */
int pt_modify_present(struct mm *mm, vaddr_t start, vaddr_t end,
		      int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg);
/* pt_modify_used - the same for every leaf that is not empty. */
int pt_modify_used(struct mm *mm, vaddr_t start, vaddr_t end,
		   int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg);
/* pt_unmap_range - clear every leaf of [start, end), dropping the frames
 * after the TLBs are flushed (and the swap slots of swap entries). A table inside the range is dropped whole
 * (shared or not, nothing is copied); only the tables at its two ends,
 * if shared, are copied first. 0, or -ENOMEM (then nothing changed). */
int pt_unmap_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* pt_destroy - drop every table of mm and free its root (mm is loaded
 * on no CPU). */
void pt_destroy(struct mm *mm);

/* ---- fork: filling child's empty tree from parent's ---- */

/* pt_fork_share - child uses every last-level table of parent, which
 * become read-only in both; constant work per table. The table mapping
 * hot is copied instead, as pt_fork_cow does. */
int pt_fork_share(struct mm *child, struct mm *parent, vaddr_t hot);
/* pt_fork_cow - child gets a copy of each last-level table: every frame
 * and swap slot shared, private writable leaves made read-only in both.
 * -ENOMEM when a table, or a swap slot's count, cannot be had. */
int pt_fork_cow(struct mm *child, struct mm *parent);
/* pt_copy_used - for each non-empty leaf of src in [start, end), fn
 * with it and dst's leaf at the same address (tables made as needed).
 * -ENOMEM when a table cannot be had, else fn's first nonzero value. */
int pt_copy_used(struct mm *dst, struct mm *src, vaddr_t start, vaddr_t end,
		 int (*fn)(const pte_t *src, pte_t *dst, vaddr_t va, void *arg), void *arg);
#endif
