/*
 * xattr_mem.c - extended attributes kept in memory, for ramfs and tmpfs
 * (as Linux's simple_xattr list of shmem). One kmalloc'd entry per
 * attribute, the name then the value in one block; a set builds the new
 * entry before it takes the lock and frees the old one after, so the
 * lock (a spinlock, see xattr.h) is held only to look and to swap.
 */
#include "fs/xattr.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

struct xattr_mem_entry {
	struct list_head link;      /* (lock) in xattr_mem.entries */
	uint8_t index;
	uint8_t name_len;
	uint32_t size;              /* value bytes, after the name */
	char data[];                /* name (no NUL), then value */
};

void xattr_mem_init(struct xattr_mem *x)
{
	spin_init(&x->lock, "xattr_mem");
	list_init(&x->entries);
	x->bytes = 0;
}

void xattr_mem_free(struct xattr_mem *x)
{
	struct xattr_mem_entry *e, *next;
	list_for_each_entry_safe(e, next, &x->entries, link)
		kfree(e);
	list_init(&x->entries);
	x->bytes = 0;
}

/* The entry (index, name), or NULL. x->lock held. */
static struct xattr_mem_entry *find_locked(struct xattr_mem *x, int index, const char *name,
					   size_t len)
{
	struct xattr_mem_entry *e;
	list_for_each_entry(e, &x->entries, link)
		if (e->index == index && e->name_len == len && memcmp(e->data, name, len) == 0)
			return e;
	return NULL;
}

long xattr_mem_get(struct xattr_mem *x, int index, const char *name, void *buf, size_t size)
{
	size_t len = strlen(name);
	long ret;
	spin_lock(&x->lock);
	struct xattr_mem_entry *e = find_locked(x, index, name, len);
	if (!e)
		ret = -ENODATA;
	else if (size && size < e->size)
		ret = -ERANGE;
	else {
		if (size)
			memcpy(buf, e->data + e->name_len, e->size);
		ret = e->size;
	}
	spin_unlock(&x->lock);
	return ret;
}

/* A new entry holding (index, name, value), or NULL. */
static struct xattr_mem_entry *entry_new(int index, const char *name, size_t len,
					 const void *value, size_t size)
{
	struct xattr_mem_entry *e = kmalloc(sizeof(*e) + len + size);
	if (!e)
		return NULL;
	e->index = (uint8_t)index;
	e->name_len = (uint8_t)len;
	e->size = (uint32_t)size;
	memcpy(e->data, name, len);
	memcpy(e->data + len, value, size);
	return e;
}

int xattr_mem_set(struct xattr_mem *x, int index, const char *name, const void *value,
		  size_t size, int flags)
{
	size_t len = strlen(name);
	struct xattr_mem_entry *new = NULL;
	if (value && !(new = entry_new(index, name, len, value, size)))
		return -ENOMEM;
	int err = 0;
	spin_lock(&x->lock);
	struct xattr_mem_entry *old = find_locked(x, index, name, len);
	uint32_t bytes = x->bytes - (old ? old->name_len + old->size : 0) +
			 (new ? (uint32_t)(len + size) : 0);
	if (old && (flags & XATTR_CREATE))
		err = -EEXIST;
	else if (!old && (!value || (flags & XATTR_REPLACE)))
		err = -ENODATA;
	else if (bytes > XATTR_MEM_MAX_BYTES)
		err = -ENOSPC;
	else {
		if (new)
			list_add_tail(&new->link, old ? &old->link : &x->entries);
		if (old)
			list_del(&old->link);
		x->bytes = bytes;
		new = old;          /* what to free */
	}
	spin_unlock(&x->lock);
	kfree(new);
	return err;
}

int xattr_mem_list(struct xattr_mem *x, xattr_emit_fn emit, void *ctx)
{
	int err = 0;
	struct xattr_mem_entry *e;
	spin_lock(&x->lock);
	list_for_each_entry(e, &x->entries, link)
		if ((err = emit(ctx, e->index, e->data, e->name_len)))
			break;
	spin_unlock(&x->lock);
	return err;
}
