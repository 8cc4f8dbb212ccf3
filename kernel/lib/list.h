/* list.h - intrusive circular doubly linked lists, as in Linux. */
#ifndef ASPEN_LIB_LIST_H
#define ASPEN_LIB_LIST_H
#include "lib/kernel.h"

struct list_head { struct list_head *next, *prev; };

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void list_insert_between(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
/* list_add - insert n right after head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head) { list_insert_between(n, head, head->next); }
/* list_add_tail - insert n before head (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head) { list_insert_between(n, head->prev, head); }
/* list_del - unlink n and leave it pointing to itself. */
static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* list_splice_init - move every entry of list to just after head, in
 * order; list is left empty. */
static inline void list_splice_init(struct list_head *list, struct list_head *head)
{
	if (list_empty(list))
		return;
	struct list_head *first = list->next, *last = list->prev, *at = head->next;
	first->prev = head;
	head->next = first;
	last->next = at;
	at->prev = last;
	list_init(list);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member), \
	     n = list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head); pos = n, n = list_entry(n->member.next, __typeof__(*n), member))
#endif
