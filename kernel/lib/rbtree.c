/*
 * rbtree.c - an intrusive red-black tree (see rbtree.h).
 *
 * Invariants, with NULL children counted as black leaves:
 *   1. every node is red or black;
 *   2. the root is black;
 *   3. a red node has no red child;
 *   4. every path from a node down to a leaf has the same number of
 *      black nodes (its black height).
 * Together they keep the height at most 2 log2(n + 1).
 *
 * Each case is written once, for a direction: "dir" is the side on which
 * the node being fixed hangs below its parent, and !dir the other side.
 * The mirror image of a case is the same code with dir flipped.
 *
 * Insert: the new node is red, so only invariant 3 may break, between n
 * and its parent p (grandparent g, uncle u on g's other side):
 *   I1. u red: make p and u black and g red, then fix g in turn.
 *   I2. u black, n is the inner grandchild: rotate p so that n becomes
 *       the outer one, then as I3.
 *   I3. u black, n is the outer grandchild: rotate g towards u and swap
 *       the colours of p and g.
 *
 * Erase: removing a black node leaves its replacement x (possibly NULL)
 * one black short ("doubly black"); if x is red, painting it black is
 * enough. Otherwise, with parent p and sibling w on p's other side:
 *   E1. w red: rotate p towards x and swap colours, giving x a black
 *       sibling, then one of E2-E4.
 *   E2. w black, both its children black: make w red, which moves the
 *       shortage up to p.
 *   E3. w black, its far child black, near child red: rotate w away from
 *       x so the red child becomes the far one, then as E4.
 *   E4. w black, far child red: rotate p towards x, give w p's colour,
 *       make p and the far child black. Done.
 */
#include "lib/rbtree.h"

enum { RB_LEFT = 0, RB_RIGHT = 1 };

/* The link to n's child on side dir. */
static struct rb_node **child_link(struct rb_node *n, int dir)
{
	return dir == RB_LEFT ? &n->left : &n->right;
}

static bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* Which side of its parent n hangs on (n must have a parent). */
static int side_of(const struct rb_node *n, const struct rb_node *parent)
{
	return parent->left == n ? RB_LEFT : RB_RIGHT;
}

/* Make new take old's place under old's parent (or at the root). */
static void replace_child(struct rb_root *root, struct rb_node *old, struct rb_node *new)
{
	struct rb_node *parent = old->parent;

	if (!parent)
		root->node = new;
	else
		*child_link(parent, side_of(old, parent)) = new;
	if (new)
		new->parent = parent;
}

/*
 * Rotate x down towards dir: its child y on the other side takes x's
 * place, x becomes y's child on side dir, and y's inner subtree moves
 * across to x. A left rotation is rotate(root, x, RB_LEFT).
 */
static void rotate(struct rb_root *root, struct rb_node *x, int dir)
{
	struct rb_node *y = *child_link(x, !dir);
	struct rb_node *inner = *child_link(y, dir);

	*child_link(x, !dir) = inner;
	if (inner)
		inner->parent = x;
	replace_child(root, x, y);
	*child_link(y, dir) = x;
	x->parent = y;
}

/*
 * rb_link_node - make n a red leaf at *link, the empty child link of
 * parent (NULL for an empty tree) found by the caller's descent.
 * Follow with rb_insert_fixup. The owner's lock is held; no sleeping.
 */
void rb_link_node(struct rb_node *n, struct rb_node *parent, struct rb_node **link)
{
	n->parent = parent;
	n->left = n->right = NULL;
	n->red = 1;
	*link = n;
}

/*
 * rb_insert_fixup - recolour and rotate after rb_link_node(n) until the
 * invariants hold again; O(log n), at most two rotations.
 */
void rb_insert_fixup(struct rb_root *root, struct rb_node *n)
{
	struct rb_node *parent;

	while ((parent = n->parent) && parent->red) {
		struct rb_node *gp = parent->parent; /* exists: a red node is not the root */
		int dir = side_of(parent, gp);
		struct rb_node *uncle = *child_link(gp, !dir);

		if (is_red(uncle)) { /* I1 */
			parent->red = uncle->red = 0;
			gp->red = 1;
			n = gp;
			continue;
		}
		if (n == *child_link(parent, !dir)) { /* I2 */
			rotate(root, parent, dir);
			n = parent;
			parent = n->parent;
		}
		parent->red = 0; /* I3 */
		gp->red = 1;
		rotate(root, gp, !dir);
		break;
	}
	root->node->red = 0;
}

/*
 * Restore the black height after a black node was removed above x, which
 * is parent's child (x may be NULL, so parent is passed separately).
 */
static void erase_fixup(struct rb_root *root, struct rb_node *x, struct rb_node *parent)
{
	while (x != root->node && !is_red(x)) {
		int dir = parent->left == x ? RB_LEFT : RB_RIGHT;
		struct rb_node *w = *child_link(parent, !dir); /* not NULL: x's side is short */

		if (w->red) { /* E1 */
			w->red = 0;
			parent->red = 1;
			rotate(root, parent, dir);
			w = *child_link(parent, !dir);
		}
		if (!is_red(w->left) && !is_red(w->right)) { /* E2 */
			w->red = 1;
			x = parent;
			parent = x->parent;
			continue;
		}
		if (!is_red(*child_link(w, !dir))) { /* E3 */
			(*child_link(w, dir))->red = 0;
			w->red = 1;
			rotate(root, w, !dir);
			w = *child_link(parent, !dir);
		}
		w->red = parent->red; /* E4 */
		parent->red = 0;
		(*child_link(w, !dir))->red = 0;
		rotate(root, parent, dir);
		x = root->node;
	}
	if (x)
		x->red = 0;
}

/*
 * Unlink n, which has two children, by moving its successor s (the
 * leftmost node of its right subtree) into its place and colour. Sets
 * *x and *parent to the node that took s's old place and its parent;
 * returns s's old colour, the colour that left the tree.
 */
static int erase_by_successor(struct rb_root *root, struct rb_node *n,
			      struct rb_node **x, struct rb_node **parent)
{
	struct rb_node *s = n->right;
	int removed_red;

	while (s->left)
		s = s->left;
	removed_red = s->red;
	*x = s->right;
	if (s->parent == n) {
		*parent = s;
	} else {
		*parent = s->parent;
		replace_child(root, s, s->right);
		s->right = n->right;
		s->right->parent = s;
	}
	s->left = n->left;
	s->left->parent = s;
	replace_child(root, n, s);
	s->red = n->red;
	return removed_red;
}

/*
 * rb_erase - unlink n from the tree and rebalance; n's links are cleared
 * and its memory is the caller's. O(log n), at most three rotations.
 */
void rb_erase(struct rb_root *root, struct rb_node *n)
{
	struct rb_node *x, *parent;
	int removed_red;

	if (n->left && n->right) {
		removed_red = erase_by_successor(root, n, &x, &parent);
	} else {
		x = n->left ? n->left : n->right;
		parent = n->parent;
		removed_red = n->red;
		replace_child(root, n, x);
	}
	if (!removed_red)
		erase_fixup(root, x, parent);
	n->parent = n->left = n->right = NULL;
}

/* The outermost node on side dir below n, or NULL for an empty tree. */
static struct rb_node *outermost(struct rb_node *n, int dir)
{
	if (!n)
		return NULL;
	while (*child_link(n, dir))
		n = *child_link(n, dir);
	return n;
}

/* The neighbour of n in direction dir (RB_RIGHT: next), or NULL. */
static struct rb_node *step(const struct rb_node *n, int dir)
{
	struct rb_node *below = dir == RB_LEFT ? n->left : n->right;
	struct rb_node *p;

	if (below)
		return outermost(below, !dir);
	/* Climb while we come up from the dir side. */
	while ((p = n->parent) && *child_link(p, dir) == n)
		n = p;
	return p;
}

/* rb_first / rb_last - the lowest / highest node, or NULL when empty. */
struct rb_node *rb_first(const struct rb_root *root)
{
	return outermost(root->node, RB_LEFT);
}

struct rb_node *rb_last(const struct rb_root *root)
{
	return outermost(root->node, RB_RIGHT);
}

/* rb_next / rb_prev - n's in-order neighbour, or NULL at the end. */
struct rb_node *rb_next(const struct rb_node *n)
{
	return step(n, RB_RIGHT);
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	return step(n, RB_LEFT);
}
