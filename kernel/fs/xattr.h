/*
 * xattr.h - extended attributes: the namespaces the VFS knows, what a
 * file system provides (inode_ops' xattr_get, xattr_set, xattr_list),
 * and an in-memory store for memory file systems (xattr_mem.c).
 *
 * The VFS (sys_xattr.c) splits a name into its namespace and the rest
 * ("user.foo" -> XATTR_INDEX_USER, "foo"), checks Linux's permission
 * rules for that namespace and copies values and lists between user
 * memory and kernel buffers. A file system only stores (index, name,
 * value) triples. The index numbers are ext2's e_name_index values, so
 * ext2 writes them as they are. docs/fs.md, "Extended attributes".
 */
#ifndef ASPEN_FS_XATTR_H
#define ASPEN_FS_XATTR_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "fs/vfs.h"

#include <linux/xattr.h>     /* XATTR_CREATE, XATTR_REPLACE, the prefixes */

/* Linux's <linux/limits.h> values. */
#ifndef XATTR_NAME_MAX
#define XATTR_NAME_MAX 255      /* a whole name, prefix included */
#define XATTR_SIZE_MAX 65536    /* one value */
#define XATTR_LIST_MAX 65536    /* one list */
#endif

/* Namespaces, numbered as ext2's e_name_index (Linux fs/ext2/xattr.h). */
#define XATTR_INDEX_USER 1
#define XATTR_INDEX_POSIX_ACL_ACCESS 2
#define XATTR_INDEX_POSIX_ACL_DEFAULT 3
#define XATTR_INDEX_TRUSTED 4
#define XATTR_INDEX_SECURITY 6

/* xattr_prefix - "user." and so on for a namespace index, or NULL. */
const char *xattr_prefix(int index);

/*
 * An in-memory set of attributes (ramfs, tmpfs): a list of entries, one
 * kmalloc'd block each (name, then value). Its lock, xattr_mem.lock (a
 * spinlock, a leaf: only kmalloc's locks are taken under it), guards
 * the list and the byte count; values are copied under it, never to or
 * from user memory. Blocks are allocated before it is taken.
 */
#define XATTR_MEM_MAX_BYTES (256 * 1024)   /* names + values per inode: ENOSPC past it */

struct xattr_mem {
	struct spinlock lock;
	struct list_head entries;   /* (lock) struct xattr_mem_entry */
	uint32_t bytes;             /* (lock) names and values held */
};

/* xattr_mem_init - an empty set. */
void xattr_mem_init(struct xattr_mem *x);
/* xattr_mem_free - free every entry (the inode is going: no lock). */
void xattr_mem_free(struct xattr_mem *x);
/* xattr_mem_get - ->xattr_get on the set: the value's length (copied
 * to buf if size is not 0), -ENODATA, -ERANGE. Takes x->lock. */
long xattr_mem_get(struct xattr_mem *x, int index, const char *name, void *buf, size_t size);
/* xattr_mem_set - ->xattr_set on the set (value NULL: remove): 0,
 * -EEXIST, -ENODATA, -ENOSPC (XATTR_MEM_MAX_BYTES), -ENOMEM. Takes x->lock. */
int xattr_mem_set(struct xattr_mem *x, int index, const char *name, const void *value,
		  size_t size, int flags);
/* xattr_mem_list - emit every entry, in the order they were made:
 * 0 or emit's error. Takes x->lock: emit must not sleep. */
int xattr_mem_list(struct xattr_mem *x, xattr_emit_fn emit, void *ctx);
#endif
