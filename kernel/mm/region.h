/*
 * region.h - the regions of an address space (Linux's VMAs, uvm's map
 * entries) kept in a red-black tree ordered by address: O(log n) lookup,
 * insert and remove; split and merge of neighbours.
 *
 * This file knows nothing of page tables: mm/vm*.c pair each tree change
 * with the page-table work. Locks: the tree belongs to a struct mm and is
 * guarded by mm->lock (see mm/vm.h); these functions expect the caller to
 * hold it.
 */
#ifndef ASPEN_MM_REGION_H
#define ASPEN_MM_REGION_H
#include "lib/kernel.h"
#include "lib/rbtree.h"
#include "lib/list.h"

/* Access rights, with Linux's PROT_* values. */
#define REGION_READ   0x1
#define REGION_WRITE  0x2
#define REGION_EXEC   0x4

/* Kinds and properties. */
#define REGION_SHARED    0x0100 /* MAP_SHARED: writes reach the object, fork shares */
#define REGION_GROWSDOWN 0x0200 /* the stack: faults just below extend it */
#define REGION_HEAP      0x0400 /* the brk area, shown as [heap] */
#define REGION_STACK     0x0800 /* the main stack, shown as [stack] */
#define REGION_MAYWRITE  0x1000 /* mprotect may add write (file opened for writing) */
#define REGION_LOCKED    0x2000 /* mlock: its pages stay in RAM (Linux's VM_LOCKED) */
#define REGION_VDSO      0x4000 /* the vDSO's code, shown as [vdso] (mm/vdso.c) */
#define REGION_VVAR      0x8000 /* the vDSO's data, shown as [vvar] */
#define REGION_SPECIAL   (REGION_VDSO | REGION_VVAR)  /* kernel objects, not files */
#define REGION_ACCOUNT   0x10000 /* its size is charged to Committed_AS (mm/commit.h) */
#define REGION_NORESERVE 0x20000 /* MAP_NORESERVE: never charged, even made writable */
#define REGION_DONTDUMP  0x40000 /* MADV_DONTDUMP: left out of core dumps (proc/coredump_elf.c) */
#define REGION_RDONLY_FILE 0x80000 /* MAP_SHARED of a file opened read-only: Linux's VM_MAYSHARE
                                      without VM_SHARED (remap_file_pages refuses it) */

struct inode; /* fs/vfs.h */

struct region {
	struct rb_node node;    /* in mm->regions, by start */
	vaddr_t start;          /* page aligned, inclusive */
	vaddr_t end;            /* page aligned, exclusive */
	uint32_t prot;          /* REGION_READ|WRITE|EXEC */
	uint32_t flags;         /* REGION_SHARED, REGION_GROWSDOWN, ... */
	struct inode *file;     /* backing file, or NULL for anonymous memory
	                           (a counted reference: see inode_get/put) */
	uint64_t file_off;      /* offset in file of start, page aligned */
	uint64_t file_size;     /* bytes of file data mapped from file_off
	                           (the rest of the region reads as zeros: bss) */
	struct region_tree *tree; /* the tree it was linked into (its mm's): set once */
	struct list_head file_link; /* (file->map_lock) in file->mappers while in a tree */
	uint64_t unmap_pass;    /* (file->map_lock) the last file unmap that saw it (mm/rmap.c) */
};

struct region_tree {
	struct rb_root root;
	uint64_t count;         /* number of regions */
};

void region_tree_init(struct region_tree *t);

/* region_alloc - a new region [start, end) with the given rights and flags,
 * not yet in a tree; NULL when out of memory. region_free releases one
 * that is in no tree (dropping its file reference through region_file_put). */
struct region *region_alloc(vaddr_t start, vaddr_t end, uint32_t prot, uint32_t flags);
void region_free(struct region *r);
/* region_clone - a copy of r in no tree, with its own file reference;
 * NULL when out of memory. */
struct region *region_clone(const struct region *r);

/* region_find - the region containing addr, or NULL. */
struct region *region_find(struct region_tree *t, vaddr_t addr);
/* region_find_next - the first region whose end is above addr (the one
 * containing addr, or the next one after it); NULL if none. */
struct region *region_find_next(struct region_tree *t, vaddr_t addr);
/* region_first_overlap - the lowest region overlapping [start, end), or NULL. */
struct region *region_first_overlap(struct region_tree *t, vaddr_t start, vaddr_t end);

/* region_insert - add r; returns 0, or -EEXIST if it overlaps a region. */
int region_insert(struct region_tree *t, struct region *r);
/* region_remove - unlink r from t (does not free it). */
void region_remove(struct region_tree *t, struct region *r);

/* region_first / region_next / region_prev - in address order; NULL at the end. */
struct region *region_first(struct region_tree *t);
struct region *region_next(struct region *r);
struct region *region_prev(struct region *r);

/* region_split - cut r at addr (page aligned, start < addr < end): r keeps
 * [start, addr), a new region in the tree gets [addr, end) with the same
 * attributes and file offset advanced. Returns the new region, or NULL
 * when out of memory (r unchanged). */
struct region *region_split(struct region_tree *t, struct region *r, vaddr_t addr);

/* region_can_merge - a ends where b starts, and they have the same
 * rights, flags and file (and contiguous file offsets). */
bool region_can_merge(const struct region *a, const struct region *b);
/* region_merge_neighbours - merge r with its neighbours where possible;
 * returns the surviving region (r or its predecessor). */
struct region *region_merge_neighbours(struct region_tree *t, struct region *r);

/* region_find_gap_topdown - the highest page-aligned start s with
 * [s, s+len) in [low, high) overlapping no region; 0 if none. */
vaddr_t region_find_gap_topdown(struct region_tree *t, vaddr_t low, vaddr_t high, uint64_t len);

/* Hooks for the backing file's reference count, provided by fs/ (and by
 * the unit tests). region_split takes a reference for the new half. */
void region_file_get(struct inode *file);
void region_file_put(struct inode *file);
/* region_file_writable - a region that may write its file through a
 * shared mapping (REGION_SHARED and REGION_MAYWRITE) began (+1) or
 * ceased (-1) to exist, or gained or lost REGION_MAYWRITE. */
void region_file_writable(struct inode *file, int delta);
/* region_file_link / region_file_unlink - r, which has a file, entered
 * or left a tree: it is on its file's list of mappers in between
 * (mm/rmap.c). Called with the tree's mm->lock held (or none when an
 * address space is torn down). */
void region_file_link(struct region *r);
void region_file_unlink(struct region *r);
/* region_writes_file - is r such a region? */
static inline bool region_writes_file(const struct region *r)
{
	return r->file && (r->flags & (REGION_SHARED | REGION_MAYWRITE)) == (REGION_SHARED | REGION_MAYWRITE);
}
#endif
