/*
 * rmap.c - from a file to the address spaces that map it (Linux's
 * i_mmap): each inode lists the regions whose file it is, and
 * file_unmap_pages takes a range of the file's pages out of all of them,
 * as a shrinking truncate and a hole punch must (Linux's
 * unmap_mapping_range).
 *
 * Locks: inode->map_lock (a spinlock, docs/locking.md) guards the list
 * and each region's unmap_pass. A region joins the list when it is
 * linked into a tree and leaves it when it is removed (mm/region.c), so
 * under its mm->lock the list of an mm's regions of a file is its tree's.
 * map_lock is taken under mm->lock, so the walk below never holds it
 * while it takes an mm->lock: it picks one address space under map_lock,
 * takes a user reference on it (mm_get_not_zero), drops map_lock, and does that address space
 * whole under its mm->lock, marking its regions with the walk's pass
 * number; then it looks again for a region not marked.
 */
#include "mm/rmap.h"
#include "mm/vm.h"
#include "mm/pagetable.h"
#include "mm/frame.h"
#include "fs/vfs.h"

void region_file_link(struct region *r)
{
	struct inode *f = r->file;
	spin_lock(&f->map_lock);
	r->unmap_pass = 0;
	list_add_tail(&r->file_link, &f->mappers);
	spin_unlock(&f->map_lock);
}

void region_file_unlink(struct region *r)
{
	struct inode *f = r->file;
	spin_lock(&f->map_lock);
	list_del(&r->file_link);
	spin_unlock(&f->map_lock);
}

static uint64_t unmap_passes;   /* atomic: the last pass number given out */

/* The pages of r that map file pages [first, end): *s and *e, the part of
 * r that maps the file (not its zero-filled tail past file_size); false if
 * none. mm->lock held. */
static bool region_file_span(const struct region *r, uint64_t first, uint64_t end, vaddr_t *s, vaddr_t *e)
{
	uint64_t r_first = r->file_off >> PAGE_SHIFT;
	uint64_t r_pages = PAGE_ROUND_UP(MIN(r->file_size, r->end - r->start)) >> PAGE_SHIFT;
	uint64_t lo = MAX(first, r_first), hi = MIN(end, r_first + r_pages);
	if (lo >= hi)
		return false;
	*s = r->start + ((lo - r_first) << PAGE_SHIFT);
	*e = r->start + ((hi - r_first) << PAGE_SHIFT);
	return true;
}

/* Unmap [s, e) of r, but in a private region without even_cows only
 * the pages that are the file's own frames (FRAME_FILE), leaving the
 * private copies (Linux's zap of !PageAnon pages). mm->lock held; nonzero
 * if a shared page table could not be copied. */
static int unmap_span(struct mm *mm, const struct region *r, vaddr_t s, vaddr_t e, bool even_cows)
{
	if (even_cows || (r->flags & REGION_SHARED))
		return pt_unmap_range(mm, s, e);
	int err = 0;
	for (vaddr_t va = s; va < e; va += PAGE_SIZE) {
		const pte_t *pte = pt_lookup(mm, va);
		if (pte && pte_present(*pte) && (frame_of(pte_addr(*pte))->flags & FRAME_FILE))
			err |= pt_unmap_range(mm, va, va + PAGE_SIZE);
	}
	return err;
}

/* Unmap file pages [first, end) of inode from every region of mm that
 * maps it, and mark those regions with pass. */
static void unmap_in_mm(struct mm *mm, struct inode *inode, uint64_t first, uint64_t end, uint64_t pass,
			bool even_cows)
{
	static bool warned;
	mutex_lock(&mm->lock);
	for (struct region *r = region_first(&mm->regions); r; r = region_next(r)) {
		if (r->file != inode)
			continue;
		spin_lock(&inode->map_lock);
		r->unmap_pass = pass;
		spin_unlock(&inode->map_lock);
		vaddr_t s, e;
		if (region_file_span(r, first, end, &s, &e) && unmap_span(mm, r, s, e, even_cows) && !warned) {
			warned = true;   /* a shared page table could not be copied: left mapped */
			pr_warn("rmap: no memory to unmap file pages at 0x%lx\n", s);
		}
	}
	mutex_unlock(&mm->lock);
}

/* An address space with a region of inode not yet marked with pass,
 * with a user reference; NULL when every one is marked. Regions of address spaces being
 * torn down are marked and passed over: their pages go with them. */
static struct mm *next_mm(struct inode *inode, uint64_t pass)
{
	struct mm *mm = NULL;
	struct region *r;
	spin_lock(&inode->map_lock);
	list_for_each_entry(r, &inode->mappers, file_link) {
		if (r->unmap_pass == pass)
			continue;
		r->unmap_pass = pass;
		struct mm *owner = container_of(r->tree, struct mm, regions);
		if (mm_get_not_zero(owner)) {
			mm = owner;
			break;
		}
	}
	spin_unlock(&inode->map_lock);
	return mm;
}

void file_unmap_pages(struct inode *inode, uint64_t first, uint64_t end, bool even_cows)
{
	uint64_t pass = __atomic_add_fetch(&unmap_passes, 1, __ATOMIC_RELAXED);
	struct mm *mm;
	while ((mm = next_mm(inode, pass))) {
		unmap_in_mm(mm, inode, first, end, pass, even_cows);
		mm_put(mm);
	}
}
