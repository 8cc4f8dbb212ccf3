/*
 * rbtree.h - an intrusive red-black tree. The user embeds struct rb_node
 * and does its own descent to find the link to insert at, then calls
 * rb_insert_fixup (as Linux's rbtree). No locking: the owner's lock.
 */
#ifndef ASPEN_LIB_RBTREE_H
#define ASPEN_LIB_RBTREE_H
#include "lib/kernel.h"

struct rb_node {
	struct rb_node *parent, *left, *right;
	int red;
};
struct rb_root { struct rb_node *node; };

/* rb_link_node - attach n as a red leaf at *link under parent. */
void rb_link_node(struct rb_node *n, struct rb_node *parent, struct rb_node **link);
/* rb_insert_fixup - rebalance after rb_link_node. */
void rb_insert_fixup(struct rb_root *root, struct rb_node *n);
/* rb_erase - remove n from the tree. */
void rb_erase(struct rb_root *root, struct rb_node *n);
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);
#endif
