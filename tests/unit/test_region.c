// UNIT-SRCS: kernel/mm/region.c kernel/lib/rbtree.c
/*
 * test_region.c - the region tree: lookups and order over many regions,
 * overlap rejection, split and merge (with file offsets, sizes and
 * references), top-down gap finding, and removal. The red-black
 * invariants are checked on the tree after bulk changes. rand() is never
 * seeded, so every run sees the same sequence.
 */
#include "unit.h"
#include "lib/errno.h"
#include "mm/kmalloc.h"
#include "mm/region.h"

/* The kernel heap over the host's, so regions can be counted by ASan. */
void *kmalloc(size_t size) { return malloc(size); }
void *kzalloc(size_t size) { return calloc(1, size); }
void kfree(void *p) { free(p); }

/* File references: the tests only need the balance. */
static long file_refs;
void region_file_get(struct inode *file) { file_refs++; }
void region_file_put(struct inode *file) { file_refs--; }
void region_file_link(struct region *r) {}
void region_file_unlink(struct region *r) {}
void region_file_writable(struct inode *file, int delta) {}

static char file_a, file_b; /* stand-ins for two inodes */
#define FILE_A ((struct inode *)&file_a)
#define FILE_B ((struct inode *)&file_b)

#define PAGES(n) ((vaddr_t)(n) * PAGE_SIZE)
#define RW (REGION_READ | REGION_WRITE)

/* Black height of the subtree at n, or -1 on a bad parent link, a red
 * node with a red child or unequal black heights. */
static int rb_black_height(const struct rb_node *n, const struct rb_node *parent)
{
	int left, right;

	if (!n)
		return 1;
	if (n->parent != parent)
		return -1;
	if (n->red && ((n->left && n->left->red) || (n->right && n->right->red)))
		return -1;
	left = rb_black_height(n->left, n);
	right = rb_black_height(n->right, n);
	return left < 0 || left != right ? -1 : left + !n->red;
}

/* Whether t is a valid red-black tree of ordered, disjoint, non-empty
 * regions, as many as t->count says, walking the same both ways. */
static bool tree_valid(struct region_tree *t)
{
	struct region *r, *prev = NULL;
	uint64_t count = 0;

	if (t->root.node && (t->root.node->red || rb_black_height(t->root.node, NULL) < 0))
		return false;
	for (r = region_first(t); r; prev = r, r = region_next(r), count++) {
		if (r->start >= r->end || (prev && prev->end > r->start) || region_prev(r) != prev)
			return false;
	}
	return count == t->count;
}

/* A new anonymous region, inserted; NULL if that failed. */
static struct region *add(struct region_tree *t, vaddr_t start, vaddr_t end, uint32_t prot)
{
	struct region *r = region_alloc(start, end, prot, 0);

	if (r && region_insert(t, r) != 0) {
		region_free(r);
		return NULL;
	}
	return r;
}

/* A new file-backed region holding its own file reference, inserted. */
static struct region *add_file(struct region_tree *t, vaddr_t start, vaddr_t end,
			       struct inode *file, uint64_t off, uint64_t size)
{
	struct region *r = add(t, start, end, REGION_READ);

	if (r) {
		r->file = file;
		region_file_get(file);
		r->file_off = off;
		r->file_size = size;
	}
	return r;
}

/* Remove and free every region. */
static void clear(struct region_tree *t)
{
	struct region *r;

	while ((r = region_first(t))) {
		region_remove(t, r);
		region_free(r);
	}
}

/*
 * Many regions: slot i is the 16 pages at BASE + i * 16 pages; a region
 * takes the first 1..15 pages of its slot, so each slot ends in a gap.
 */
enum { SLOTS = 20000, SLOT_PAGES = 16, NREGIONS = 10000 };
#define BASE ((vaddr_t)0x400000)
#define SLOT_START(i) (BASE + PAGES((vaddr_t)(i) * SLOT_PAGES))

/* Choose NREGIONS distinct slots in random order into slots[]. */
static void pick_slots(unsigned *slots)
{
	unsigned *all = malloc(SLOTS * sizeof(*all));

	for (unsigned i = 0; i < SLOTS; i++)
		all[i] = i;
	for (unsigned i = 0; i < NREGIONS; i++) {
		unsigned j = i + (unsigned)rand() % (SLOTS - i);
		unsigned tmp = all[i];
		all[i] = all[j];
		all[j] = tmp;
		slots[i] = all[i];
	}
	free(all);
}

/* Check lookups of start, last byte, end and the gap of one region. */
static bool lookups_agree(struct region_tree *t, struct region *r)
{
	struct region *next = region_next(r);

	return region_find(t, r->start) == r && region_find(t, r->end - 1) == r &&
	       region_find(t, r->start - 1) != r && region_find(t, r->end) == NULL &&
	       region_find_next(t, r->end) == next &&
	       region_first_overlap(t, r->start - PAGE_SIZE, r->start + 1) == r;
}

UNIT_TEST(ten_thousand_random_regions_are_found_in_order)
{
	struct region_tree t;
	unsigned *slots = malloc(NREGIONS * sizeof(*slots));
	struct region *r;
	vaddr_t last_start = 0;

	region_tree_init(&t);
	pick_slots(slots);
	for (unsigned i = 0; i < NREGIONS; i++) {
		vaddr_t start = SLOT_START(slots[i]);
		CHECK(add(&t, start, start + PAGES(1 + (unsigned)rand() % (SLOT_PAGES - 1)), RW));
	}
	CHECK_EQ(t.count, NREGIONS);
	CHECK(tree_valid(&t));
	for (r = region_first(&t); r; r = region_next(r)) {
		CHECK(r->start > last_start);
		CHECK(lookups_agree(&t, r));
		last_start = r->start;
	}
	CHECK(region_find(&t, BASE - 1) == NULL);
	CHECK(region_find_next(&t, SLOT_START(SLOTS)) == NULL);
	clear(&t);
	free(slots);
}

UNIT_TEST(insert_overlapping_region_returns_eexist)
{
	static const vaddr_t clash[][2] = {
		{ 5, 11 }, { 19, 25 }, { 12, 13 }, { 0, 100 }, { 10, 20 }, { 15, 35 },
	};
	struct region_tree t;
	struct region *r;

	region_tree_init(&t);
	CHECK(add(&t, PAGES(10), PAGES(20), RW));
	CHECK(add(&t, PAGES(30), PAGES(40), RW));
	for (size_t i = 0; i < ARRAY_SIZE(clash); i++) {
		r = region_alloc(PAGES(clash[i][0]), PAGES(clash[i][1]), RW, 0);
		CHECK_EQ(region_insert(&t, r), -EEXIST);
		region_free(r);
	}
	CHECK(add(&t, PAGES(0), PAGES(10), RW));   /* touching below */
	CHECK(add(&t, PAGES(20), PAGES(30), RW));  /* exactly the hole */
	CHECK_EQ(t.count, 4);
	CHECK(tree_valid(&t));
	clear(&t);
}

UNIT_TEST(first_overlap_and_find_next_skip_to_following_region)
{
	struct region_tree t;
	struct region *a, *b;

	region_tree_init(&t);
	a = add(&t, PAGES(10), PAGES(20), RW);
	b = add(&t, PAGES(30), PAGES(40), RW);
	CHECK(a && b);
	CHECK(region_first_overlap(&t, PAGES(0), PAGES(50)) == a);
	CHECK(region_first_overlap(&t, PAGES(19), PAGES(31)) == a);
	CHECK(region_first_overlap(&t, PAGES(20), PAGES(31)) == b);
	CHECK(region_first_overlap(&t, PAGES(20), PAGES(30)) == NULL);
	CHECK(region_find_next(&t, PAGES(25)) == b);
	CHECK(region_find_next(&t, PAGES(15)) == a);
	CHECK(region_find_next(&t, PAGES(40)) == NULL);
	clear(&t);
}

UNIT_TEST(split_then_merge_restores_one_region)
{
	struct region_tree t;
	struct region *r, *tail;

	region_tree_init(&t);
	r = add(&t, PAGES(10), PAGES(20), RW);
	tail = region_split(&t, r, PAGES(13));
	CHECK(tail);
	CHECK_EQ(r->end, PAGES(13));
	CHECK_EQ(tail->start, PAGES(13));
	CHECK_EQ(tail->end, PAGES(20));
	CHECK_EQ(tail->prot, RW);
	CHECK(region_next(r) == tail);
	CHECK_EQ(t.count, 2);
	CHECK(region_merge_neighbours(&t, tail) == r);
	CHECK_EQ(t.count, 1);
	CHECK_EQ(r->start, PAGES(10));
	CHECK_EQ(r->end, PAGES(20));
	CHECK(tree_valid(&t));
	clear(&t);
}

UNIT_TEST(merge_of_middle_absorbs_both_neighbours)
{
	struct region_tree t;
	struct region *r, *mid, *last;

	region_tree_init(&t);
	r = add(&t, PAGES(10), PAGES(20), RW);
	mid = region_split(&t, r, PAGES(12));
	last = region_split(&t, mid, PAGES(15));
	CHECK(mid && last);
	CHECK_EQ(t.count, 3);
	CHECK(region_merge_neighbours(&t, mid) == r);
	CHECK_EQ(t.count, 1);
	CHECK_EQ(r->end, PAGES(20));
	clear(&t);
}

UNIT_TEST(merge_refused_for_different_prot_flags_or_file)
{
	struct region_tree t;
	struct region *r, *tail;

	region_tree_init(&t);
	r = add(&t, PAGES(10), PAGES(20), RW);
	tail = region_split(&t, r, PAGES(15));
	tail->prot = REGION_READ;
	CHECK(!region_can_merge(r, tail));
	CHECK(region_merge_neighbours(&t, tail) == tail);
	CHECK_EQ(t.count, 2);
	tail->prot = RW;
	tail->flags = REGION_SHARED;
	CHECK(!region_can_merge(r, tail));
	tail->flags = 0;
	tail->file = FILE_A; /* a file only on one side */
	CHECK(!region_can_merge(r, tail));
	tail->file = NULL;
	CHECK(region_can_merge(r, tail));
	CHECK(!region_can_merge(tail, r)); /* not adjacent in that order */
	clear(&t);
}

UNIT_TEST(split_file_region_advances_offset_and_divides_file_size)
{
	struct region_tree t;
	struct region *r, *mid, *last;

	region_tree_init(&t);
	/* 5 pages from offset 2 pages; 2.5 pages of file data, then bss. */
	r = add_file(&t, PAGES(16), PAGES(21), FILE_A, PAGES(2), PAGES(2) + PAGE_SIZE / 2);
	mid = region_split(&t, r, PAGES(18));
	CHECK(mid);
	CHECK_EQ(r->file_size, PAGES(2));
	CHECK_EQ(mid->file_off, PAGES(4));
	CHECK_EQ(mid->file_size, PAGE_SIZE / 2);
	CHECK(mid->file == FILE_A);
	last = region_split(&t, mid, PAGES(20));
	CHECK(last);
	CHECK_EQ(mid->file_size, PAGE_SIZE / 2);
	CHECK_EQ(last->file_off, PAGES(6));
	CHECK_EQ(last->file_size, 0);
	CHECK_EQ(file_refs, 3);
	clear(&t);
	CHECK_EQ(file_refs, 0);
}

UNIT_TEST(file_regions_merge_only_when_data_and_offsets_continue)
{
	struct region_tree t;
	struct region *r, *mid, *last;

	region_tree_init(&t);
	r = add_file(&t, PAGES(16), PAGES(21), FILE_A, PAGES(2), PAGES(2) + PAGE_SIZE / 2);
	mid = region_split(&t, r, PAGES(18));
	last = region_split(&t, mid, PAGES(20));
	CHECK(mid && last);
	/* mid's data stops half-way, so last (all bss) cannot join it. */
	CHECK(!region_can_merge(mid, last));
	CHECK(region_merge_neighbours(&t, mid) == r);
	CHECK_EQ(t.count, 2);
	CHECK_EQ(r->end, PAGES(20));
	CHECK_EQ(r->file_size, PAGES(2) + PAGE_SIZE / 2);
	CHECK_EQ(file_refs, 2);
	/* Same file, adjacent addresses, but a gap in file offsets. */
	CHECK(add_file(&t, PAGES(30), PAGES(32), FILE_B, 0, PAGES(2)));
	mid = add_file(&t, PAGES(32), PAGES(34), FILE_B, PAGES(3), PAGES(2));
	CHECK(mid);
	CHECK(region_merge_neighbours(&t, mid) == mid);
	mid->file_off = PAGES(2);
	CHECK(region_merge_neighbours(&t, mid) != mid);
	CHECK_EQ(t.count, 3);
	clear(&t);
	CHECK_EQ(file_refs, 0);
}

UNIT_TEST(gap_topdown_returns_highest_page_aligned_fit)
{
	const vaddr_t low = 0x100000, high = 0x200000;
	struct region_tree t;

	region_tree_init(&t);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x10000), high - 0x10000);
	CHECK(add(&t, 0x1f0000, 0x200000, RW));
	CHECK(add(&t, 0x180000, 0x1e0000, RW));
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x10000), 0x1e0000);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x1800), 0x1ee000);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x20000), 0x160000);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x80000), low);
	/* high below the regions' tops, and a region reaching across high. */
	CHECK_EQ(region_find_gap_topdown(&t, low, 0x1c0000, 0x10000), 0x170000);
	CHECK_EQ(region_find_gap_topdown(&t, low, 0x1f8000, 0x8000), 0x1e8000);
	clear(&t);
}

UNIT_TEST(gap_topdown_returns_zero_when_nothing_fits)
{
	const vaddr_t low = 0x100000, high = 0x200000;
	struct region_tree t;

	region_tree_init(&t);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, high - low + PAGE_SIZE), 0);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0), 0);
	CHECK(add(&t, 0x0f0000, 0x140000, RW));  /* reaches over low */
	CHECK(add(&t, 0x150000, 0x1c0000, RW));
	CHECK(add(&t, 0x1c8000, 0x210000, RW));  /* reaches over high */
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x8000), 0x1c0000);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x10000), 0x140000);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, 0x11000), 0);
	CHECK_EQ(region_find_gap_topdown(&t, low, high, ~(uint64_t)0), 0);
	clear(&t);
}

UNIT_TEST(removing_every_region_in_random_order_empties_tree)
{
	enum { N = 3000 };
	struct region_tree t;
	struct region **all = malloc(N * sizeof(*all));

	region_tree_init(&t);
	for (unsigned i = 0; i < N; i++) {
		struct inode *file = i % 3 ? NULL : FILE_A;
		all[i] = file ? add_file(&t, PAGES(2 * i + 1), PAGES(2 * i + 2), file, 0, PAGE_SIZE)
			      : add(&t, PAGES(2 * i + 1), PAGES(2 * i + 2), RW);
		CHECK(all[i]);
	}
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1);
		struct region *tmp = all[i];
		all[i] = all[j];
		all[j] = tmp;
	}
	for (unsigned i = 0; i < N; i++) {
		region_remove(&t, all[i]);
		CHECK(region_find(&t, all[i]->start) == NULL);
		region_free(all[i]);
		if (i % 100 == 0)
			CHECK(tree_valid(&t));
	}
	CHECK_EQ(t.count, 0);
	CHECK(region_first(&t) == NULL);
	CHECK_EQ(file_refs, 0);
	free(all);
}
