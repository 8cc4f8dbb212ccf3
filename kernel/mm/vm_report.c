/*
 * vm_report.c - reading an address space for /proc: region snapshots
 * with page figures, pagemap entries, and copies out of another
 * process's memory. See vm_report.h for how sharing is judged.
 *
 * Dirty or clean: an anonymous frame is always dirty (its contents exist
 * nowhere else; Linux counts such pages dirty too), a file page is dirty
 * when its page-table entry says it was written through this mapping.
 */
#include "mm/vm_report.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pagetable.h"
#include "mm/swap.h"
#include "fs/vfs.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"

/* How many page-table entries map frame f: its references but the
 * file's own for a page-cache frame and the swap cache's. */
static uint64_t frame_mapcount(const struct frame *f)
{
	uint64_t count = __atomic_load_n(&f->refcount, __ATOMIC_RELAXED);
	if ((f->flags & FRAME_FILE) && count)
		count--;          /* the file's own reference */
	if ((f->flags & FRAME_SWAPCACHE) && count)
		count--;          /* the swap cache's */
	return count;
}

/* How many address spaces map the frame of leaf pte (at least 1): its
 * mappings, plus the other users of pte's table when it is shared
 * (their one reference maps it for all). */
static uint64_t frame_mappings(const pte_t *pte, bool *is_file)
{
	struct frame *f = frame_of(pte_addr(*pte));
	uint64_t count = frame_mapcount(f);
	*is_file = f->flags & FRAME_FILE;
	if (!count)
		count = 1;
	count += pt_leaf_users(pte) - 1;
	return count ? count : 1;
}

static int count_page_fn(const pte_t *pte, vaddr_t va, void *arg)
{
	struct vm_page_figures *p = arg;
	if (pte_is_swap(*pte)) {
		p->swap++;
		return 0;
	}
	bool is_file;
	uint64_t maps = frame_mappings(pte, &is_file);
	bool dirty = !is_file || pte_dirty(*pte);
	p->rss++;
	p->pss += (1ULL << VM_PSS_SHIFT) / maps;
	if (maps > 1)
		*(dirty ? &p->shared_dirty : &p->shared_clean) += 1;
	else
		*(dirty ? &p->private_dirty : &p->private_clean) += 1;
	*(is_file ? &p->file : &p->anon) += 1;
	return 0;
}

struct usage_walk {
	struct mm_usage *u;
	const struct region *r;
};

static int usage_page_fn(const pte_t *pte, vaddr_t va, void *arg)
{
	struct usage_walk *w = arg;
	struct mm_usage *u = w->u;
	if (pte_is_swap(*pte)) {
		u->swapped++;
		return 0;
	}
	bool is_file;
	uint64_t maps = frame_mappings(pte, &is_file);
	u->resident++;
	u->shared += maps > 1;
	if (!is_file)
		u->anon++;
	else if (shmem_owns(w->r->file))
		u->shmem++;
	else
		u->file++;
	return 0;
}

/* vm_usage (vm.h) - resident pages and those mapped elsewhere too,
 * counted as /proc counts them (a file page's own reference aside),
 * swap entries, page tables and region sizes. Takes mm->lock. */
void vm_usage(struct mm *mm, struct mm_usage *out)
{
	memset(out, 0, sizeof(*out));
	struct usage_walk w = { out, NULL };
	struct pt_census c;
	mutex_lock(&mm->lock);
	for (struct region *r = region_first(&mm->regions); r; r = region_next(r)) {
		uint64_t pages = (r->end - r->start) >> PAGE_SHIFT;
		out->total_vm += pages;
		if (r->flags & REGION_LOCKED)
			out->locked_vm += pages;
		w.r = r;
		pt_for_each_used(mm, r->start, r->end, usage_page_fn, &w);
	}
	pt_census(mm, &c);
	mutex_unlock(&mm->lock);
	out->pgtables = c.tables;
	out->pgtables_shared = c.shared;
}

static void report_one(struct mm *mm, const struct region *r, bool figures,
		       struct vm_region_report *out)
{
	memset(out, 0, sizeof(*out));
	out->start = r->start;
	out->end = r->end;
	out->prot = r->prot;
	out->flags = r->flags;
	out->file = r->file ? inode_get(r->file) : NULL;
	out->file_off = r->file_off;
	if (figures)
		pt_for_each_used(mm, r->start, r->end, count_page_fn, &out->pages);
}

/* vm_report_regions - see vm_report.h. The region count may change
 * while the array is allocated without the lock, so allocate, then
 * check under the lock and retry with the new count. */
int vm_report_regions(struct mm *mm, bool figures, struct vm_region_report **out, size_t *n)
{
	size_t cap = 16;
	for (;;) {
		struct vm_region_report *a = kmalloc(cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		mutex_lock(&mm->lock);
		size_t count = mm->regions.count;
		if (count <= cap) {
			size_t i = 0;
			for (struct region *r = region_first(&mm->regions); r; r = region_next(r))
				report_one(mm, r, figures, &a[i++]);
			mutex_unlock(&mm->lock);
			*out = a;
			*n = i;
			return 0;
		}
		mutex_unlock(&mm->lock);
		kfree(a);
		cap = count + 8;
	}
}

void vm_report_pgtables(struct mm *mm, uint64_t *tables, uint64_t *shared)
{
	struct pt_census c;
	mutex_lock(&mm->lock);
	pt_census(mm, &c);
	mutex_unlock(&mm->lock);
	*tables = c.tables;
	*shared = c.shared;
}

struct table_list {
	struct vm_table_report *a;
	size_t n, cap;
};

static int add_table_fn(const struct pt_table_info *t, void *arg)
{
	struct table_list *l = arg;
	if (l->n == l->cap)
		return -ENOSPC;
	l->a[l->n++] = (struct vm_table_report){ t->start, t->table >> PAGE_SHIFT, t->users,
						 t->present, t->writable };
	return 0;
}

/* vm_report_tables - see vm_report.h; as vm_report_regions, allocate
 * for the count seen last and retry while it is too small. */
int vm_report_tables(struct mm *mm, struct vm_table_report **out, size_t *n)
{
	uint64_t cap = 16, shared;
	for (;;) {
		struct table_list l = { kmalloc(cap * sizeof(*l.a)), 0, cap };
		if (!l.a)
			return -ENOMEM;
		mutex_lock(&mm->lock);
		int err = pt_for_each_table(mm, add_table_fn, &l);
		mutex_unlock(&mm->lock);
		if (!err) {
			*out = l.a;
			*n = l.n;
			return 0;
		}
		kfree(l.a);
		vm_report_pgtables(mm, &cap, &shared);
		cap += 8;
	}
}

void vm_report_free(struct vm_region_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		inode_put(r[i].file);
	kfree(r);
}

static uint64_t pagemap_entry(const pte_t *pte)
{
	if (pte && pte_is_swap(*pte))   /* Linux's layout: type in bits 0-4, offset above */
		return PM_SWAP | (pte_swap_type(*pte) & PM_SWAP_TYPE_MASK) |
		       ((pte_swap_offset(*pte) << PM_SWAP_TYPE_BITS) & PM_PFN_MASK);
	if (!pte || !pte_present(*pte))
		return 0;
	paddr_t pa = pte_addr(*pte);
	bool is_file;
	uint64_t e = PM_PRESENT | ((pa >> PAGE_SHIFT) & PM_PFN_MASK);
	if (frame_mappings(pte, &is_file) == 1)
		e |= PM_MMAP_EXCLUSIVE;
	if (is_file)
		e |= PM_FILE;
	return e;
}

void vm_report_pagemap(struct mm *mm, vaddr_t va, size_t n, uint64_t *out)
{
	mutex_lock(&mm->lock);
	for (size_t i = 0; i < n; i++, va += PAGE_SIZE)
		out[i] = va < USER_STACK_TOP ? pagemap_entry(pt_lookup(mm, va)) : 0;
	mutex_unlock(&mm->lock);
}

/* The frame holding mm's page at va, with a reference: mapped, or read
 * from swap into the swap cache (the page table is left as it is). 0 if
 * none. mm->lock held; may sleep. */
static paddr_t page_for_read_locked(struct mm *mm, vaddr_t va)
{
	const pte_t *pte = pt_lookup(mm, PAGE_ROUND_DOWN(va));
	paddr_t pa = 0;
	if (pte && pte_present(*pte)) {
		pa = pte_addr(*pte);
		frame_get(pa);
	} else if (pte && pte_is_swap(*pte) && swap_read_page(pte_to_swp_entry(*pte), &pa) < 0) {
		pa = 0;
	}
	return pa;
}

size_t vm_report_read(struct mm *mm, vaddr_t va, void *buf, size_t len)
{
	size_t done = 0;
	mutex_lock(&mm->lock);
	while (done < len && va < USER_STACK_TOP) {
		paddr_t pa = page_for_read_locked(mm, va);
		if (!pa)
			break;
		size_t in_page = va & (PAGE_SIZE - 1);
		size_t chunk = MIN(len - done, PAGE_SIZE - in_page);
		memcpy((char *)buf + done, (char *)phys_to_virt(pa) + in_page, chunk);
		user_page_put(pa);
		done += chunk;
		va += chunk;
	}
	mutex_unlock(&mm->lock);
	return done;
}

uint64_t vm_report_nr_pfns(void)
{
	return frame_nr();
}

void vm_report_kpagecount(uint64_t first_pfn, size_t n, uint64_t *out)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = first_pfn + i;
		out[i] = pfn < vm_report_nr_pfns() ? frame_mapcount(frame_of(pfn << PAGE_SHIFT)) : 0;
	}
	if (__atomic_load_n(&vm_stats.pt_shared, __ATOMIC_RELAXED))
		pt_add_shared_mappings(first_pfn, n, out);
}

void vm_report_frame_census(struct vm_frame_census *c)
{
	uint64_t max = vm_report_nr_pfns();
	memset(c, 0, sizeof(*c));
	for (uint64_t pfn = 1; pfn < max; pfn++) {
		struct frame *f = frame_of(pfn << PAGE_SHIFT);
		uint16_t flags = f->flags;
		if (flags & (FRAME_RESERVED | FRAME_FREE) || !__atomic_load_n(&f->refcount, __ATOMIC_RELAXED))
			continue;
		if (flags & FRAME_FILE)
			c->file++;
		else if (flags & FRAME_SLAB)
			c->slab++;
		else if (flags & FRAME_KERNEL)
			c->kernel++;
		else if (flags & FRAME_PTABLE)
			c->ptables++;
		else
			c->other++;
	}
}
