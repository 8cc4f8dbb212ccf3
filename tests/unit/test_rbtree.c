// UNIT-SRCS: kernel/lib/rbtree.c
/*
 * test_rbtree.c - the red-black tree against its invariants: after every
 * change the tree is checked for parent links, key order, no red node
 * with a red child, a black root and equal black heights. rand() is
 * never seeded, so every run sees the same sequence.
 */
#include "unit.h"
#include "lib/rbtree.h"

struct item {
	struct rb_node node;
	long key;
};

static struct item *item_of(const struct rb_node *n)
{
	return n ? container_of(n, struct item, node) : NULL;
}

/* Insert it by key (equal keys go right). */
static void item_insert(struct rb_root *root, struct item *it)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = it->key < item_of(parent)->key ? &parent->left : &parent->right;
	}
	rb_link_node(&it->node, parent, link);
	rb_insert_fixup(root, &it->node);
}

/*
 * Check the subtree at n, whose parent must be parent and whose keys must
 * lie in [lo, hi]. Returns its black height, or -1 if an invariant fails.
 */
static int check_subtree(const struct rb_node *n, const struct rb_node *parent, long lo, long hi)
{
	long key;
	int left, right;

	if (!n)
		return 1;
	key = item_of(n)->key;
	if (n->parent != parent || key < lo || key > hi)
		return -1;
	if (n->red && ((n->left && n->left->red) || (n->right && n->right->red)))
		return -1;
	left = check_subtree(n->left, n, lo, key);
	right = check_subtree(n->right, n, key, hi);
	if (left < 0 || right < 0 || left != right)
		return -1;
	return left + !n->red;
}

/* Whether the whole tree is a valid red-black tree. */
static bool tree_valid(const struct rb_root *root)
{
	if (root->node && root->node->red)
		return false;
	return check_subtree(root->node, NULL, -0x7fffffffffffffffL, 0x7fffffffffffffffL) > 0;
}

static int tree_height(const struct rb_node *n)
{
	if (!n)
		return 0;
	return 1 + MAX(tree_height(n->left), tree_height(n->right));
}

static size_t tree_count(const struct rb_root *root)
{
	size_t count = 0;

	for (struct rb_node *n = rb_first(root); n; n = rb_next(n))
		count++;
	return count;
}

/* Fisher-Yates shuffle of an array of pointers. */
static void shuffle(struct item **a, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (unsigned)rand() % (i + 1);
		struct item *tmp = a[i];
		a[i] = a[j];
		a[j] = tmp;
	}
}

/* Items with keys 0, 10, 20, ... in a calloc'd array; NULL on failure. */
static struct item *make_items(size_t n)
{
	struct item *items = calloc(n, sizeof(*items));

	for (size_t i = 0; items && i < n; i++)
		items[i].key = (long)i * 10;
	return items;
}

/* An array of pointers to items[0..n), shuffled. */
static struct item **shuffled_pointers(struct item *items, size_t n)
{
	struct item **order = calloc(n, sizeof(*order));

	for (size_t i = 0; order && i < n; i++)
		order[i] = &items[i];
	if (order)
		shuffle(order, n);
	return order;
}

UNIT_TEST(empty_tree_has_no_first_or_last)
{
	struct rb_root root = { NULL };

	CHECK(rb_first(&root) == NULL);
	CHECK(rb_last(&root) == NULL);
	CHECK(tree_valid(&root));
}

UNIT_TEST(single_node_is_black_root_without_neighbours)
{
	struct rb_root root = { NULL };
	struct item it = { .key = 5 };

	item_insert(&root, &it);
	CHECK(root.node == &it.node);
	CHECK(!it.node.red);
	CHECK(rb_next(&it.node) == NULL && rb_prev(&it.node) == NULL);
	rb_erase(&root, &it.node);
	CHECK(root.node == NULL);
}

UNIT_TEST(ascending_inserts_stay_balanced)
{
	enum { N = 4095 };
	struct rb_root root = { NULL };
	struct item *items = make_items(N);

	CHECK(items);
	for (size_t i = 0; i < N; i++) {
		item_insert(&root, &items[i]);
		if (!tree_valid(&root))
			break;
	}
	CHECK(tree_valid(&root));
	CHECK(tree_height(root.node) <= 2 * 12); /* 2 log2(N + 1) */
	free(items);
}

UNIT_TEST(random_inserts_walk_in_key_order_both_ways)
{
	enum { N = 5000 };
	struct rb_root root = { NULL };
	struct item *items = make_items(N);
	struct item **order = shuffled_pointers(items, N);
	long expect = 0;

	CHECK(items && order);
	for (size_t i = 0; i < N; i++)
		item_insert(&root, order[i]);
	CHECK(tree_valid(&root));
	for (struct rb_node *n = rb_first(&root); n; n = rb_next(n), expect += 10)
		CHECK_EQ(item_of(n)->key, expect);
	CHECK_EQ(expect, N * 10);
	for (struct rb_node *n = rb_last(&root); n; n = rb_prev(n)) {
		expect -= 10;
		CHECK_EQ(item_of(n)->key, expect);
	}
	CHECK_EQ(expect, 0);
	free(order);
	free(items);
}

UNIT_TEST(erase_in_random_order_keeps_invariants_after_each_step)
{
	enum { N = 2000 };
	struct rb_root root = { NULL };
	struct item *items = make_items(N);
	struct item **order = shuffled_pointers(items, N);

	CHECK(items && order);
	for (size_t i = 0; i < N; i++)
		item_insert(&root, &items[i]);
	for (size_t i = 0; i < N; i++) {
		rb_erase(&root, &order[i]->node);
		CHECK(tree_valid(&root));
		CHECK_EQ(tree_count(&root), N - 1 - i);
	}
	CHECK(root.node == NULL);
	free(order);
	free(items);
}

UNIT_TEST(erasing_root_repeatedly_empties_tree)
{
	enum { N = 1000 };
	struct rb_root root = { NULL };
	struct item *items = make_items(N);
	size_t left = N;

	CHECK(items);
	for (size_t i = 0; i < N; i++)
		item_insert(&root, &items[i]);
	while (root.node) {
		rb_erase(&root, root.node);
		left--;
		CHECK(tree_valid(&root));
	}
	CHECK_EQ(left, 0);
	free(items);
}

UNIT_TEST(interleaved_inserts_and_erases_with_duplicate_keys_stay_valid)
{
	enum { N = 3000, ROUNDS = 20000 };
	struct rb_root root = { NULL };
	struct item *items = calloc(N, sizeof(*items));
	bool *in = calloc(N, sizeof(*in));
	size_t count = 0;

	CHECK(items && in);
	for (int round = 0; round < ROUNDS; round++) {
		size_t i = (unsigned)rand() % N;
		if (in[i]) {
			rb_erase(&root, &items[i].node);
			count--;
		} else {
			items[i].key = (long)(rand() % 500); /* many equal keys */
			item_insert(&root, &items[i]);
			count++;
		}
		in[i] = !in[i];
		if (round % 500 == 0)
			CHECK(tree_valid(&root));
	}
	CHECK(tree_valid(&root));
	CHECK_EQ(tree_count(&root), count);
	free(in);
	free(items);
}
