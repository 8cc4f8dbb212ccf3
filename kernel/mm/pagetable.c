/*
 * pagetable.c - walking, changing, sharing and copying page tables. See
 * pagetable.h for the rules of shared last-level tables.
 *
 * Levels count up from the leaves: level 0 entries map pages, level 1
 * entries ("slots") name last-level tables, the root is level
 * PT_LEVELS - 1. A slot is where sharing happens: two address spaces
 * share a last-level table when their slots name the same frame. An
 * entry above the leaves is either 0 or present, so walks skip empty
 * ones by testing for 0, without asking the arch.
 *
 * When a shared table is changed (own_table): the changer gets a copy
 * with a reference on every frame, the private writable leaves lose
 * their write right in both tables (copy-on-write from then on, as after
 * a `cow` fork), the changer's TLBs are flushed, and only then is its
 * reference to the old table dropped: another CPU of the changer's may
 * have been walking it.
 */
#include "mm/pagetable.h"
#include "mm/frame.h"
#include "mm/fail_alloc.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "mm/swap.h"
#include "proc/task.h"
#include "lib/errno.h"

#define SLOT_LEVEL 1                   /* entries of this level name last-level tables */
#define ROOT_LEVEL (PT_LEVELS - 1)
#define TABLE_SPAN (1UL << (PAGE_SHIFT + PT_INDEX_BITS))   /* what one last-level table maps */

static inline unsigned index_of(vaddr_t va, int level)
{
	return (va >> (PAGE_SHIFT + PT_INDEX_BITS * level)) & (PT_ENTRIES - 1);
}

/* The first address the level-`level` entry of index i maps, in the
 * table of that level that maps va. */
static inline vaddr_t entry_start(vaddr_t va, int level, unsigned i)
{
	unsigned shift = PAGE_SHIFT + PT_INDEX_BITS * level;
	vaddr_t table_base = va & ~((1UL << (shift + PT_INDEX_BITS)) - 1);
	return table_base + ((vaddr_t)i << shift);
}

static inline pte_t *table_of(pte_t e) { return phys_to_virt(pte_addr(e)); }

/* Tables are mostly empty in small processes (a process's whole tree
 * is a few tables: one per level for its text, one per level for its
 * stack and mappings): passes over them test eight entries at a time. */
#define LEAF_BLOCK 8
static inline bool block_empty(const pte_t *p)
{
	return !(p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7]);
}

/* next_used - the first index in [i, end) of table t whose entry is not
 * empty, or end. Eight entries at a time: exec's teardown of the old
 * tree (destroy_tables) looked at some 3000 empty entries one by one,
 * a fifth of the call. Last-level tables have a finer way (next_leaf). */
static unsigned next_used(const pte_t *t, unsigned i, unsigned end)
{
	for (; i < end && i % LEAF_BLOCK; i++)
		if (t[i])
			return i;
	while (i + LEAF_BLOCK <= end && block_empty(&t[i]))
		i += LEAF_BLOCK;
	while (i < end && !t[i])
		i++;
	return i;
}

/*
 * A last-level table's used mask (its frame's pt_used): bit b set when
 * entries [8b, 8b + 8) may be non-empty. Whoever may fill an entry
 * marks its block first (pt_walk hands out no leaf unmarked; the copies
 * of a table mark what they copy); unmap_slot clears the bits of the
 * blocks it empties. So a pass over a table looks only at the blocks
 * some fault, copy or move once filled: the munmap of a range never
 * touched, however large, looks at no entry, and a table's last user
 * does not scan 512 entries to free a stack of three pages. A bit set
 * for a block since emptied some other way (MADV_DONTNEED, mremap's
 * move) only costs a look. The mask changes under mm->lock of the
 * table's one user; a shared table's is not changed (nor are its
 * entries), and a copy of it takes its mask.
 */
#define LEAF_BLOCKS (PT_ENTRIES / LEAF_BLOCK)
_Static_assert(LEAF_BLOCKS == 64, "one bit of pt_used per block of a last-level table");

static inline uint64_t *used_mask(const pte_t *leaf)
{
	return &frame_of(virt_to_phys(leaf))->pt_used;
}

static inline void mark_used(pte_t *leaf, unsigned i)
{
	*used_mask(leaf) |= 1ULL << (i / LEAF_BLOCK);
}

/* The mask's bits for the blocks holding entries [i, end), i < end. */
static inline uint64_t blocks_of(unsigned i, unsigned end)
{
	uint64_t upto = (end - 1) / LEAF_BLOCK == LEAF_BLOCKS - 1 ? ~0ULL
		: (1ULL << ((end - 1) / LEAF_BLOCK + 1)) - 1;
	return upto & (~0ULL << (i / LEAF_BLOCK));
}

/* next_leaf - next_used for a last-level table: only the blocks its
 * mask marks are looked at. Inline the test of entry i itself, so that
 * a pass over a full table costs a few instructions an entry. */
static unsigned next_leaf_scan(const pte_t *t, unsigned i, unsigned end);
static inline unsigned next_leaf(const pte_t *t, unsigned i, unsigned end)
{
	return i < end && t[i] ? i : next_leaf_scan(t, i, end);
}

static unsigned next_leaf_scan(const pte_t *t, unsigned i, unsigned end)
{
	uint64_t mask = *used_mask(t);
	while (i < end) {
		uint64_t m = mask & (~0ULL << (i / LEAF_BLOCK));
		if (!m)
			return end;
		unsigned b = __builtin_ctzll(m), stop = MIN(end, (b + 1) * LEAF_BLOCK);
		i = MAX(i, b * LEAF_BLOCK);
		for (; i < stop; i++)
			if (t[i])
				return i;
	}
	return end;
}

/* Clear the mask's bits of t's blocks among [i, end) that are empty now. */
static void unmark_emptied(pte_t *t, unsigned i, unsigned end)
{
	uint64_t *mask = used_mask(t);
	for (uint64_t m = *mask & blocks_of(i, end); m; m &= m - 1) {
		unsigned b = __builtin_ctzll(m);
		if (block_empty(&t[b * LEAF_BLOCK]))
			*mask &= ~(1ULL << b);
	}
}

static inline pte_t *root_of(struct mm *mm) { return phys_to_virt(mm->pt_root); }

static paddr_t table_alloc(void)
{
	unsigned path = alloc_path_enter(ALLOC_PATH_PT);
	paddr_t t = frame_alloc_zeroed();
	alloc_path_leave(path);
	if (t) {
		frame_of(t)->flags |= FRAME_PTABLE;
		frame_of(t)->pt_used = 0;
	}
	return t;
}

/* The address spaces using table t. Acquire: what a user that left did
 * to the table (a copy's write protection) is seen by the one left. */
static unsigned table_users(paddr_t t)
{
	return __atomic_load_n(&frame_of(t)->refcount, __ATOMIC_ACQUIRE);
}

/* One more address space uses table t. vm_stats.pt_shared counts the
 * tables with two users or more: exactly, since each change of a
 * table's count is atomic and seen once. */
static void table_get(paddr_t t)
{
	if (frame_get(t) == 2)
		__atomic_add_fetch(&vm_stats.pt_shared, 1, __ATOMIC_RELAXED);
}

/* ---- what a leaf holds ----
 * The two places that know what a non-empty leaf refers to, a frame or
 * a swap slot: a copy of it takes a reference (0, or -ENOMEM when the
 * slot's count is full), a leaf that goes away drops it. */

static int entry_dup(pte_t e)
{
	if (pte_is_swap(e))
		return swap_dup(pte_to_swp_entry(e));
	frame_get(pte_addr(e));
	return 0;
}

static void entry_release(pte_t e)
{
	if (pte_is_swap(e))
		swap_free(pte_to_swp_entry(e));
	else
		user_page_put(pte_addr(e));
}

/* An address space stops using table t; the last one drops what its
 * leaves hold and frees it. Nobody may walk t any more through the
 * caller's slot (the caller flushed its TLBs). */
static void table_put(paddr_t t)
{
	uint32_t left = frame_put_unless_last(t);
	if (left == 1)
		__atomic_sub_fetch(&vm_stats.pt_shared, 1, __ATOMIC_RELAXED);
	if (left)
		return;
	pte_t *leaf = phys_to_virt(t);
	for (unsigned i = next_leaf(leaf, 0, PT_ENTRIES); i < PT_ENTRIES; i = next_leaf(leaf, i + 1, PT_ENTRIES))
		entry_release(leaf[i]);
	frame_put(t);
}

/* Take the write right off *p, atomically: the CPU may be setting its
 * accessed or dirty bit at the same time. Returns the new leaf. */
static pte_t leaf_wrprotect(pte_t *p)
{
	pte_t old = __atomic_load_n(p, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(p, &old, pte_wrprotect(old), false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	return pte_wrprotect(old);
}

static bool is_cow_candidate(pte_t e)
{
	unsigned rights = pte_rights(e);
	return pte_present(e) && (rights & PTE_WRITE) && !(rights & PTE_SHARED);
}

/* Fill the empty table dst with src's leaves for copy-on-write: each
 * referenced once more, private writable ones read-only in both.
 * -ENOMEM when a swap slot's count is full: dst then holds the leaves
 * copied so far (table_put of it drops them). */
static int copy_leaves_cow(pte_t *dst, pte_t *src)
{
	*used_mask(dst) = *used_mask(src);
	for (unsigned i = next_leaf(src, 0, PT_ENTRIES); i < PT_ENTRIES; i = next_leaf(src, i + 1, PT_ENTRIES)) {
		pte_t e = src[i];
		if (entry_dup(e))
			return -ENOMEM;
		dst[i] = is_cow_candidate(e) ? leaf_wrprotect(&src[i]) : e;
	}
	return 0;
}

/* ---- the choke point ---- */

/* own_table - make the table under *slot mm's own and writable: taken
 * back if mm is its last user, else copied (see the file comment).
 * 0 or -ENOMEM (nothing changed). mm->lock held. */
static int own_table(struct mm *mm, pte_t *slot)
{
	if (pt_table_writable(*slot))
		return 0;
	paddr_t old = pte_addr(*slot);
	if (table_users(old) == 1) {
		/* Only mm holds it, and only mm could share it again. */
		*slot = pt_table_entry(old, true);
		return 0;
	}
	paddr_t copy = table_alloc();
	if (!copy)
		return -ENOMEM;
	if (copy_leaves_cow(phys_to_virt(copy), phys_to_virt(old))) {
		table_put(copy);
		return -ENOMEM;
	}
	*slot = pt_table_entry(copy, true);
	mm_flush_tlb(mm, MM_FLUSH_ALL);
	table_put(old);
	__atomic_add_fetch(&vm_proc_counters()->pt_unshares, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vm_stats.pt_unshares, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---- walking ---- */

/* The slot for va: tables above it made when alloc; NULL if missing. */
static pte_t *slot_for(struct mm *mm, vaddr_t va, bool alloc)
{
	pte_t *t = root_of(mm);
	for (int level = ROOT_LEVEL; level > SLOT_LEVEL; level--) {
		pte_t *e = &t[index_of(va, level)];
		if (!*e) {
			paddr_t n = alloc ? table_alloc() : 0;
			if (!n)
				return NULL;
			*e = pt_table_entry(n, true);
		}
		t = table_of(*e);
	}
	return &t[index_of(va, SLOT_LEVEL)];
}

typedef int (*slot_fn)(pte_t *slot, vaddr_t va, vaddr_t end, void *arg);

/* fn(slot, from, to) for each present slot whose table maps part of
 * [va, end), with the part [from, to) it maps; t is a table of this
 * level, and [va, end) lies in what it maps. */
static int walk_slots(pte_t *t, int level, vaddr_t va, vaddr_t end, slot_fn fn, void *arg)
{
	unsigned last = index_of(end - 1, level);
	for (unsigned i = index_of(va, level); i <= last; i++) {
		if (!t[i])
			continue;
		vaddr_t from = MAX(va, entry_start(va, level, i));
		vaddr_t to = MIN(end, entry_start(va, level, i + 1));
		int r = level == SLOT_LEVEL ? fn(&t[i], from, to, arg)
			: walk_slots(table_of(t[i]), level - 1, from, to, fn, arg);
		if (r)
			return r;
	}
	return 0;
}

/* fn for each present slot whose table maps part of [start, end): for a
 * range inside one last-level table (a thread's stack, most mprotect and
 * munmap calls) straight down to its slot, else by walk_slots. */
static int for_each_slot(struct mm *mm, vaddr_t start, vaddr_t end, slot_fn fn, void *arg)
{
	end = MIN(end, PT_USER_END);
	if (start >= end)
		return 0;
	if (start / TABLE_SPAN == (end - 1) / TABLE_SPAN) {
		pte_t *slot = slot_for(mm, start, false);
		return slot && *slot ? fn(slot, start, end, arg) : 0;
	}
	return walk_slots(root_of(mm), ROOT_LEVEL, start, end, fn, arg);
}

const pte_t *pt_lookup(struct mm *mm, vaddr_t va)
{
	pte_t *slot = slot_for(mm, va, false);
	return slot && pte_present(*slot) ? &table_of(*slot)[index_of(va, 0)] : NULL;
}

bool pt_write_allowed(struct mm *mm, vaddr_t va)
{
	pte_t *slot = slot_for(mm, va, false);
	if (!slot || !pte_present(*slot) || !pt_table_writable(*slot))
		return false;
	pte_t e = table_of(*slot)[index_of(va, 0)];
	return pte_present(e) && (pte_rights(e) & PTE_WRITE);
}

unsigned pt_leaf_users(const pte_t *pte)
{
	return table_users(virt_to_phys((const void *)PAGE_ROUND_DOWN((uintptr_t)pte)));
}

struct leaf_walk {
	struct mm *mm;
	bool used;                                 /* swap entries too, not only present leaves */
	int (*fn)(const pte_t *, vaddr_t, void *);
	int (*mod_fn)(pte_t *, vaddr_t, void *);
	void *arg;
};

/* The first used entry of the table under slot among those mapping
 * [va, end), or the index past them: a change needs the table as its
 * own only when there is one. */
static unsigned first_used(const pte_t *slot, vaddr_t va, vaddr_t end)
{
	return next_leaf(table_of(*slot), index_of(va, 0), index_of(end - 1, 0) + 1);
}

static int visit_leaves(pte_t *slot, vaddr_t va, vaddr_t end, void *arg)
{
	struct leaf_walk *w = arg;
	unsigned first = first_used(slot, va, end), last = index_of(end - 1, 0) + 1;
	if (first == last)
		return 0;
	if (w->mod_fn) {
		int err = own_table(w->mm, slot);   /* a copy has the same entries */
		if (err)
			return err;
	}
	pte_t *leaf = table_of(*slot);
	vaddr_t base = va - ((vaddr_t)index_of(va, 0) << PAGE_SHIFT);
	for (unsigned i = first; i < last; i = next_leaf(leaf, i + 1, last)) {
		pte_t *p = &leaf[i];
		if (!w->used && !pte_present(*p))
			continue;
		vaddr_t at = base + ((vaddr_t)i << PAGE_SHIFT);
		int r = w->mod_fn ? w->mod_fn(p, at, w->arg) : w->fn(p, at, w->arg);
		if (r)
			return r;
	}
	return 0;
}

int pt_for_each_present(struct mm *mm, vaddr_t start, vaddr_t end,
			int (*fn)(const pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	struct leaf_walk w = { mm, false, fn, NULL, arg };
	return for_each_slot(mm, start, end, visit_leaves, &w);
}

int pt_for_each_used(struct mm *mm, vaddr_t start, vaddr_t end,
		     int (*fn)(const pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	struct leaf_walk w = { mm, true, fn, NULL, arg };
	return for_each_slot(mm, start, end, visit_leaves, &w);
}

int pt_modify_present(struct mm *mm, vaddr_t start, vaddr_t end,
		      int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	struct leaf_walk w = { mm, false, NULL, fn, arg };
	return for_each_slot(mm, start, end, visit_leaves, &w);
}

int pt_modify_used(struct mm *mm, vaddr_t start, vaddr_t end,
		   int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	struct leaf_walk w = { mm, true, NULL, fn, arg };
	return for_each_slot(mm, start, end, visit_leaves, &w);
}

pte_t *pt_walk(struct mm *mm, vaddr_t va, bool alloc)
{
	pte_t *slot = slot_for(mm, va, alloc);
	if (!slot)
		return NULL;
	if (!*slot) {
		paddr_t t = alloc ? table_alloc() : 0;
		if (!t)
			return NULL;
		*slot = pt_table_entry(t, true);
	} else if (own_table(mm, slot)) {
		return NULL;
	}
	pte_t *leaf = table_of(*slot);
	mark_used(leaf, index_of(va, 0));   /* the caller may fill it */
	return &leaf[index_of(va, 0)];
}

static int own_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *mm)
{
	return first_used(slot, va, end) < index_of(end - 1, 0) + 1 ? own_table(mm, slot) : 0;
}

int pt_own_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	return for_each_slot(mm, start, end, own_slot, mm);
}

/* ---- unmapping: frames and tables dropped after the flush ---- */

#define GATHER_MAX 64
#define GATHER_TABLE 0x1   /* low bit of an item: a table to put, not a frame */

struct gather {
	struct mm *mm;
	vaddr_t start, end;             /* what to flush */
	unsigned n;
	paddr_t item[GATHER_MAX];
};

static void gather_flush(struct gather *g)
{
	if (!g->n)
		return;
	mm_flush_range(g->mm, g->start, g->end);
	for (unsigned i = 0; i < g->n; i++) {
		if (g->item[i] & GATHER_TABLE)
			table_put(g->item[i] & ~(paddr_t)GATHER_TABLE);
		else
			user_page_put(g->item[i]);
	}
	g->n = 0;
}

static void gather_add(struct gather *g, paddr_t item)
{
	if (g->n == GATHER_MAX)
		gather_flush(g);
	g->item[g->n++] = item;
}

/* Unmap [va, end) of the table under slot: the whole table goes (its
 * leaves stay for its other users, or for table_put); a part of it is
 * cleared leaf by leaf (the table is mm's own: pt_unmap_range saw to it). */
static int unmap_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *arg)
{
	struct gather *g = arg;
	if (end - va == TABLE_SPAN) {
		paddr_t t = pte_addr(*slot);
		*slot = 0;
		gather_add(g, t | GATHER_TABLE);
		return 0;
	}
	if (!pt_table_writable(*slot))
		panic("pt_unmap_range: a shared table at 0x%lx", (unsigned long)va);
	pte_t *leaf = table_of(*slot);
	unsigned first = index_of(va, 0), last = index_of(end - 1, 0) + 1;
	for (unsigned i = next_leaf(leaf, first, last); i < last; i = next_leaf(leaf, i + 1, last)) {
		pte_t e = leaf[i];
		leaf[i] = 0;
		if (pte_present(e))
			gather_add(g, pte_addr(e));
		else
			entry_release(e);
	}
	unmark_emptied(leaf, first, last);
	return 0;
}

/* Own the table holding va if the range edge va cuts through it. */
static int own_edge(struct mm *mm, vaddr_t va)
{
	if (va % TABLE_SPAN == 0)
		return 0;
	pte_t *slot = slot_for(mm, va, false);
	return slot && pte_present(*slot) ? own_table(mm, slot) : 0;
}

/* A range inside one last-level table, as most munmaps are: one walk
 * down, and nothing more when the mask shows no used entry in it (the
 * table is then neither copied nor flushed). */
static int unmap_in_table(struct mm *mm, vaddr_t start, vaddr_t end)
{
	pte_t *slot = slot_for(mm, start, false);
	if (!slot || !*slot)
		return 0;
	if (end - start < TABLE_SPAN) {
		if (first_used(slot, start, end) == index_of(end - 1, 0) + 1)
			return 0;
		int err = own_table(mm, slot);
		if (err)
			return err;
	}
	struct gather g = { .mm = mm, .start = start, .end = end };
	unmap_slot(slot, start, end, &g);
	gather_flush(&g);
	return 0;
}

int pt_unmap_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	if (start >= end)
		return 0;
	if (end <= PT_USER_END && start / TABLE_SPAN == (end - 1) / TABLE_SPAN)
		return unmap_in_table(mm, start, end);
	int err = own_edge(mm, start);
	if (!err && end < PT_USER_END)
		err = own_edge(mm, end);
	if (err)
		return err;
	struct gather g = { .mm = mm, .start = start, .end = end };
	for_each_slot(mm, start, end, unmap_slot, &g);
	gather_flush(&g);
	return 0;
}

/* Drop the tables under t (of this level; its first n entries), the
 * last-level ones with table_put (the last user drops what they map),
 * then t itself. */
static void destroy_tables(pte_t *t, int level, unsigned n)
{
	for (unsigned i = next_used(t, 0, n); i < n; i = next_used(t, i + 1, n)) {
		if (level == SLOT_LEVEL)
			table_put(pte_addr(t[i]));
		else
			destroy_tables(table_of(t[i]), level - 1, PT_ENTRIES);
	}
	frame_put(virt_to_phys(t));
}

void pt_destroy(struct mm *mm)
{
	mm_flush_tlb(mm, MM_FLUSH_ALL);   /* a no-op: no CPU may still have it */
	destroy_tables(root_of(mm), ROOT_LEVEL, index_of(PT_USER_END - 1, ROOT_LEVEL) + 1);
}

/* pt_add_shared_mappings - see pagetable.h. The shared tables are found
 * by their frames (FRAME_PTABLE, two users or more) rather than kept on
 * a list, so that sharing and dropping a table cost an atomic add and
 * nothing more; the price is a pass over the frame array per call, paid
 * only while some table is shared. A table whose users all leave during
 * the pass may be counted once more: the figures are a snapshot. */
void pt_add_shared_mappings(uint64_t first_pfn, size_t n, uint64_t *counts)
{
	for (uint64_t pfn = 1; pfn < frame_nr(); pfn++) {
		struct frame *f = frame_of(pfn << PAGE_SHIFT);
		uint32_t users = __atomic_load_n(&f->refcount, __ATOMIC_ACQUIRE);
		if (!(f->flags & FRAME_PTABLE) || users < 2)
			continue;
		const pte_t *leaf = phys_to_virt(pfn << PAGE_SHIFT);
		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			uint64_t p = pte_addr(leaf[i]) >> PAGE_SHIFT;
			if (pte_present(leaf[i]) && p >= first_pfn && p - first_pfn < n)
				counts[p - first_pfn] += users - 1;
		}
	}
}

/* ---- census ---- */

static int census_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *arg)
{
	struct pt_census *c = arg;
	c->last_level++;
	if (table_users(pte_addr(*slot)) > 1)
		c->shared++;
	return 0;
}

static uint64_t count_upper(pte_t *t, int level, unsigned n)
{
	uint64_t count = 1;
	for (unsigned i = 0; level > SLOT_LEVEL && i < n; i++)
		if (t[i])
			count += count_upper(table_of(t[i]), level - 1, PT_ENTRIES);
	return count;
}

void pt_census(struct mm *mm, struct pt_census *c)
{
	c->last_level = c->shared = 0;
	for_each_slot(mm, 0, PT_USER_END, census_slot, c);
	c->tables = c->last_level +
		count_upper(root_of(mm), ROOT_LEVEL, index_of(PT_USER_END - 1, ROOT_LEVEL) + 1);
}

struct table_visit {
	int (*fn)(const struct pt_table_info *, void *);
	void *arg;
};

static int describe_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *arg)
{
	struct table_visit *v = arg;
	struct pt_table_info info = { va & ~(TABLE_SPAN - 1), pte_addr(*slot),
				      table_users(pte_addr(*slot)), 0, pt_table_writable(*slot) };
	const pte_t *leaf = table_of(*slot);
	for (unsigned i = next_leaf(leaf, 0, PT_ENTRIES); i < PT_ENTRIES; i = next_leaf(leaf, i + 1, PT_ENTRIES))
		info.present += pte_present(leaf[i]);
	return v->fn(&info, v->arg);
}

int pt_for_each_table(struct mm *mm, int (*fn)(const struct pt_table_info *t, void *arg), void *arg)
{
	struct table_visit v = { fn, arg };
	return for_each_slot(mm, 0, PT_USER_END, describe_slot, &v);
}

/* ---- checkers ---- */

unsigned pt_unmarked_entry(paddr_t table)
{
	const pte_t *leaf = phys_to_virt(table);
	uint64_t mask = *used_mask(leaf);
	for (unsigned i = next_used(leaf, 0, PT_ENTRIES); i < PT_ENTRIES; i = next_used(leaf, i + 1, PT_ENTRIES))
		if (!(mask & (1ULL << (i / LEAF_BLOCK))))
			return i;
	return PT_ENTRIES;
}

static void visit_table(const pte_t *t, int level, vaddr_t base, unsigned n, const struct pt_visitor *v)
{
	for (unsigned i = 0; i < n; i++) {
		vaddr_t va = base + ((vaddr_t)i << (PAGE_SHIFT + PT_INDEX_BITS * level));
		if (!t[i])
			continue;
		if (level == 0) {
			if (pte_present(t[i]))
				v->leaf(t[i], va, v->arg);
			else if (pte_is_swap(t[i]) && v->swap)
				v->swap(t[i], va, v->arg);
		} else if (v->table(pte_addr(t[i]), level - 1, va, v->arg)) {
			visit_table(table_of(t[i]), level - 1, va, PT_ENTRIES, v);
		}
	}
}

void pt_visit(struct mm *mm, const struct pt_visitor *v)
{
	if (v->table(mm->pt_root, ROOT_LEVEL, 0, v->arg))
		visit_table(root_of(mm), ROOT_LEVEL, 0, index_of(PT_USER_END - 1, ROOT_LEVEL) + 1, v);
}

/* ---- fork ---- */

static int cow_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *child)
{
	pte_t *cslot = slot_for(child, va, true);
	paddr_t t = cslot ? table_alloc() : 0;
	if (!t)
		return -ENOMEM;
	*cslot = pt_table_entry(t, true);   /* the child's now: mm_put drops it if the copy fails */
	return copy_leaves_cow(phys_to_virt(t), table_of(*slot));
}

int pt_fork_cow(struct mm *child, struct mm *parent)
{
	return for_each_slot(parent, 0, PT_USER_END, cow_slot, child);
}

struct share_walk {
	struct mm *child;
	vaddr_t hot;
};

static int share_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *arg)
{
	struct share_walk *w = arg;
	if (w->hot >= va && w->hot < end)
		return cow_slot(slot, va, end, w->child);
	pte_t *cslot = slot_for(w->child, va, true);
	if (!cslot)
		return -ENOMEM;
	paddr_t t = pte_addr(*slot);
	table_get(t);
	*slot = pt_table_entry(t, false);
	*cslot = *slot;
	return 0;
}

int pt_fork_share(struct mm *child, struct mm *parent, vaddr_t hot)
{
	struct share_walk w = { child, hot };
	return for_each_slot(parent, 0, PT_USER_END, share_slot, &w);
}

struct copy_walk {
	struct mm *dst;
	int (*fn)(const pte_t *, pte_t *, vaddr_t, void *);
	void *arg;
};

static int copy_slot(pte_t *slot, vaddr_t va, vaddr_t end, void *arg)
{
	struct copy_walk *w = arg;
	pte_t *dst = pt_walk(w->dst, va, true);
	if (!dst)
		return -ENOMEM;
	dst -= index_of(va, 0);
	const pte_t *src = table_of(*slot);
	vaddr_t base = va - ((vaddr_t)index_of(va, 0) << PAGE_SHIFT);
	unsigned last = index_of(end - 1, 0) + 1;
	for (unsigned i = next_leaf(src, index_of(va, 0), last); i < last; i = next_leaf(src, i + 1, last)) {
		mark_used(dst, i);
		int r = w->fn(&src[i], &dst[i], base + ((vaddr_t)i << PAGE_SHIFT), w->arg);
		if (r)
			return r;
	}
	return 0;
}

int pt_copy_used(struct mm *dst, struct mm *src, vaddr_t start, vaddr_t end,
		 int (*fn)(const pte_t *src, pte_t *dst, vaddr_t va, void *arg), void *arg)
{
	struct copy_walk w = { dst, fn, arg };
	return for_each_slot(src, start, end, copy_slot, &w);
}
