/*
 * region.c - the regions of an address space in a red-black tree keyed
 * by start address (see region.h).
 *
 * Regions never overlap, so ordering by start also orders them by end:
 * "the first region whose end is above addr" is a single descent, and
 * lookup, first-overlap, insert and remove are all O(log n).
 *
 * Every function expects the owning mm's lock held; none sleeps.
 */
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/region.h"

static struct region *to_region(struct rb_node *n)
{
	return n ? container_of(n, struct region, node) : NULL;
}

/* region_tree_init - an empty tree. */
void region_tree_init(struct region_tree *t)
{
	t->root.node = NULL;
	t->count = 0;
}

/*
 * region_alloc - a new anonymous region [start, end), in no tree.
 * Returns NULL when out of memory. Does not sleep.
 */
struct region *region_alloc(vaddr_t start, vaddr_t end, uint32_t prot, uint32_t flags)
{
	struct region *r;

	assert(start < end && IS_PAGE_ALIGNED(start) && IS_PAGE_ALIGNED(end));
	r = kzalloc(sizeof(*r));
	if (!r)
		return NULL;
	r->start = start;
	r->end = end;
	r->prot = prot;
	r->flags = flags;
	return r;
}

/*
 * region_clone - a copy of r (rights, flags, file and its offsets), in no
 * tree, with its own file reference. NULL when out of memory.
 */
struct region *region_clone(const struct region *r)
{
	struct region *n = region_alloc(r->start, r->end, r->prot, r->flags);

	if (!n)
		return NULL;
	n->file = r->file;
	n->file_off = r->file_off;
	n->file_size = r->file_size;
	if (n->file)
		region_file_get(n->file);
	if (region_writes_file(n))
		region_file_writable(n->file, 1);
	return n;
}

/* region_free - release r (in no tree) and its file reference. */
void region_free(struct region *r)
{
	if (region_writes_file(r))
		region_file_writable(r->file, -1);
	if (r->file)
		region_file_put(r->file);
	kfree(r);
}

/* region_find_next - the lowest region with end > addr, or NULL. */
struct region *region_find_next(struct region_tree *t, vaddr_t addr)
{
	struct rb_node *n = t->root.node;
	struct region *best = NULL;

	while (n) {
		struct region *r = to_region(n);
		if (r->end > addr) {
			best = r;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* region_find - the region containing addr, or NULL. */
struct region *region_find(struct region_tree *t, vaddr_t addr)
{
	struct region *r = region_find_next(t, addr);

	return r && r->start <= addr ? r : NULL;
}

/* region_first_overlap - the lowest region meeting [start, end), or NULL. */
struct region *region_first_overlap(struct region_tree *t, vaddr_t start, vaddr_t end)
{
	struct region *r = region_find_next(t, start);

	return r && r->start < end ? r : NULL;
}

/* The highest region starting below addr, or NULL. */
static struct region *region_last_before(struct region_tree *t, vaddr_t addr)
{
	struct rb_node *n = t->root.node;
	struct region *best = NULL;

	while (n) {
		struct region *r = to_region(n);
		if (r->start < addr) {
			best = r;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* Link r into t by its start; the caller has ruled out overlaps. */
static void region_link(struct region_tree *t, struct region *r)
{
	struct rb_node **link = &t->root.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = r->start < to_region(parent)->start ? &parent->left : &parent->right;
	}
	rb_link_node(&r->node, parent, link);
	rb_insert_fixup(&t->root, &r->node);
	t->count++;
	r->tree = t;
	if (r->file)
		region_file_link(r);
}

/*
 * region_insert - add r to t. Returns 0, or -EEXIST if r overlaps a
 * region already there: the first region ending above r->start (r's
 * would-be successor, or the predecessor reaching into r) must start at
 * or after r->end.
 */
int region_insert(struct region_tree *t, struct region *r)
{
	if (region_first_overlap(t, r->start, r->end))
		return -EEXIST;
	region_link(t, r);
	return 0;
}

/* region_remove - unlink r from t; r stays allocated. */
void region_remove(struct region_tree *t, struct region *r)
{
	if (r->file)
		region_file_unlink(r);
	rb_erase(&t->root, &r->node);
	t->count--;
}

/* region_first / region_next / region_prev - walk in address order. */
struct region *region_first(struct region_tree *t)
{
	return to_region(rb_first(&t->root));
}

struct region *region_next(struct region *r)
{
	return to_region(rb_next(&r->node));
}

struct region *region_prev(struct region *r)
{
	return to_region(rb_prev(&r->node));
}

/*
 * region_split - cut r at addr; r keeps [start, addr), a new region in t
 * takes [addr, end) with its own file reference. The file data mapped
 * (file_size bytes from file_off) is shared out between the two halves.
 * Returns the new region, or NULL when out of memory (r unchanged).
 */
struct region *region_split(struct region_tree *t, struct region *r, vaddr_t addr)
{
	uint64_t head = addr - r->start;
	struct region *tail;

	assert(r->start < addr && addr < r->end && IS_PAGE_ALIGNED(addr));
	tail = region_clone(r);
	if (!tail)
		return NULL;
	tail->start = addr;
	tail->file_off = r->file_off + head;
	tail->file_size = r->file_size > head ? r->file_size - head : 0;
	r->file_size = MIN(r->file_size, head);
	r->end = addr;
	region_link(t, tail);
	return tail;
}

/*
 * region_can_merge - whether b can be absorbed into a: a ends where b
 * starts, same rights, flags and file; for a file mapping, b's offset
 * continues a's and a's file data fills a (no zero-filled bss tail in
 * the middle of the merged region).
 */
bool region_can_merge(const struct region *a, const struct region *b)
{
	uint64_t a_len = a->end - a->start;

	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    a->file != b->file)
		return false;
	if (!a->file)
		return true;
	return b->file_off == a->file_off + a_len && a->file_size == a_len;
}

/* Grow a over its successor b, then remove and free b. */
static void region_absorb(struct region_tree *t, struct region *a, struct region *b)
{
	a->end = b->end;
	a->file_size += b->file_size;
	region_remove(t, b);
	region_free(b);
}

/*
 * region_merge_neighbours - merge r with its predecessor and successor
 * where region_can_merge allows, freeing the absorbed regions. Returns
 * the region that now covers r's range (r or its predecessor).
 */
struct region *region_merge_neighbours(struct region_tree *t, struct region *r)
{
	struct region *prev = region_prev(r);
	struct region *next;

	if (prev && region_can_merge(prev, r)) {
		region_absorb(t, prev, r);
		r = prev;
	}
	next = region_next(r);
	if (next && region_can_merge(r, next))
		region_absorb(t, r, next);
	return r;
}

/*
 * region_find_gap_topdown - the highest page-aligned s with [s, s + len)
 * inside [low, high) and free of regions; 0 if there is none (so low
 * should be above 0). Walks down from high over the gaps between
 * regions: O(log n + regions passed).
 */
vaddr_t region_find_gap_topdown(struct region_tree *t, vaddr_t low, vaddr_t high, uint64_t len)
{
	struct region *below = region_last_before(t, high);
	vaddr_t ceiling = high;

	if (len == 0)
		return 0;
	for (;;) {
		vaddr_t floor = below ? MAX(below->end, low) : low;

		if (ceiling >= len && PAGE_ROUND_DOWN(ceiling - len) >= floor)
			return PAGE_ROUND_DOWN(ceiling - len);
		if (!below || below->start <= low)
			return 0;
		ceiling = below->start;
		below = region_prev(below);
	}
}
