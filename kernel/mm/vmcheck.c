/*
 * vmcheck.c - the per-address-space half of the consistency checker
 * (vmcheck.h), its hooks and its report. The census of every frame is
 * in vmcheck_census.c.
 *
 * vmcheck_mm walks one mm under its lock: first the region tree, then
 * every page-table page and present leaf (pt_visit), applying one rule
 * function per property. Rules that need the whole system (a frame's
 * exact count) belong to the census; here a frame's count is only
 * bounded from below by what this mm and the frame's own marks explain.
 */
#include "mm/vmcheck.h"
#include "mm/vm.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/swap.h"
#include "proc/task.h"
#include "fs/vfs.h"
#include "sys/syscall.h"
#include "lib/console.h"
#include "lib/string.h"
#include "boot.h"
#include "arch.h"
#include <asm/unistd_64.h>

int vmcheck_mode;
struct vmcheck_stats vmcheck_stats;

void vmcheck_census_init(void);   /* vmcheck_census.c */

void vmcheck_init(void)
{
	const char *v = boot_cmdline_value("vmcheck");
	if (v)
		vmcheck_mode = strcmp(v, "full") == 0 ? VMCHECK_FULL : VMCHECK_ON;
	else if (boot_cmdline_has_word("vmcheck"))
		vmcheck_mode = VMCHECK_ON;
	if (vmcheck_mode == VMCHECK_OFF)
		return;
	vmcheck_census_init();
	__atomic_add_fetch(&syscall_exit_slow_all, 1, __ATOMIC_SEQ_CST);   /* checks after every call */
	pr_info("vmcheck: on%s: address spaces checked after every system call and fault\n",
		vmcheck_mode == VMCHECK_FULL ? " (full census after each)" : "");
}

void vmcheck_report(void)
{
	struct vmcheck_stats *s = &vmcheck_stats;
	printk(LOG_ERR, "vmcheck: %lu address-space checks of %lu entries in %lu ms, "
	       "%lu censuses of %lu frames in %lu ms\n", (unsigned long)s->mm_checks,
	       (unsigned long)s->ptes_checked, (unsigned long)(s->mm_check_ns / 1000000),
	       (unsigned long)s->census_runs, (unsigned long)s->frames_counted,
	       (unsigned long)(s->census_ns / 1000000));
}

/* ---- the report of a failure ---- */

/* The process using mm, for the report; walked without locks (we are
 * about to panic, and may hold any of them). */
struct process *vmcheck_owner(struct mm *mm)
{
	struct process *p;
	struct task *t;
	if (!mm)
		return NULL;
	list_for_each_entry(p, &all_processes, all_link)
		list_for_each_entry(t, &p->threads, thread_link)
			if (t->mm == mm)
				return p;
	return NULL;
}

void vmcheck_fail(const char *event, struct mm *mm, vaddr_t va, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct process *p = vmcheck_owner(mm);
	console_emergency(true);
	if (mm)
		printk(LOG_ERR, "\nvmcheck: after %s: pid %d (%s), address 0x%lx:\nvmcheck: %s\n", event,
		       p ? p->pid : -1, p ? p->comm : "an address space no task uses", (unsigned long)va, msg);
	else
		printk(LOG_ERR, "vmcheck: after %s:\nvmcheck: %s\n", event, msg);
	panic("vmcheck: the first disagreement is above");
}

unsigned vmcheck_pte_allowed(uint32_t prot, uint32_t flags)
{
	if (!(prot & (REGION_READ | REGION_WRITE | REGION_EXEC)))
		return 0;   /* PROT_NONE: no access at all */
	unsigned rights = PTE_USER | PTE_READ;
	if (prot & REGION_WRITE)
		rights |= PTE_WRITE;
	if (prot & REGION_EXEC)
		rights |= PTE_EXEC;
	if (flags & REGION_SHARED)
		rights |= PTE_SHARED;   /* a private entry marked shared would escape copy-on-write */
	return rights;
}

/* ---- the region tree ---- */

#define REGION_PROT_BITS (REGION_READ | REGION_WRITE | REGION_EXEC)
#define REGION_FLAG_BITS (REGION_SHARED | REGION_GROWSDOWN | REGION_HEAP | REGION_STACK | \
			  REGION_MAYWRITE | REGION_LOCKED | REGION_VDSO | REGION_VVAR | \
			  REGION_ACCOUNT | REGION_NORESERVE | REGION_DONTDUMP | REGION_RDONLY_FILE)

/* One region on its own: a non-empty aligned range of the user half, known
 * rights and flags, a file offset on a page, and a shared region backed
 * by an object (MAP_SHARED anonymous memory has its shmem file). */
static void rule_region_shape(const char *ev, struct mm *mm, const struct region *r)
{
	if (!IS_PAGE_ALIGNED(r->start) || !IS_PAGE_ALIGNED(r->end) || r->start >= r->end)
		vmcheck_fail(ev, mm, r->start, "region [0x%lx, 0x%lx): expected a non-empty page-aligned range",
			     r->start, r->end);
	if (r->end > USER_STACK_TOP)
		vmcheck_fail(ev, mm, r->start, "region ends at 0x%lx: expected at most 0x%lx", r->end,
			     USER_STACK_TOP);
	if ((r->prot & ~REGION_PROT_BITS) || (r->flags & ~REGION_FLAG_BITS))
		vmcheck_fail(ev, mm, r->start, "region prot 0x%x flags 0x%x: unknown bits", r->prot, r->flags);
	if (r->file && !IS_PAGE_ALIGNED(r->file_off))
		vmcheck_fail(ev, mm, r->start, "file offset 0x%lx: expected page aligned", r->file_off);
	if ((r->flags & REGION_SHARED) && !r->file)
		vmcheck_fail(ev, mm, r->start, "a shared region without an object: expected a file or shmem");
}

/* The tree in order: sorted, disjoint, and as many as it counts. */
static void rule_regions(const char *ev, struct mm *mm)
{
	uint64_t n = 0;
	vaddr_t prev_end = 0;
	for (struct region *r = region_first(&mm->regions); r; r = region_next(r), n++) {
		rule_region_shape(ev, mm, r);
		if (r->start < prev_end)
			vmcheck_fail(ev, mm, r->start, "region starts at 0x%lx: expected at or after the previous end 0x%lx",
				     r->start, prev_end);
		prev_end = r->end;
	}
	if (n != mm->regions.count)
		vmcheck_fail(ev, mm, 0, "region tree: expected %lu regions as counted, found %lu",
			     (unsigned long)mm->regions.count, (unsigned long)n);
}

/* ---- page tables ---- */

struct mm_walk {
	const char *event;
	struct mm *mm;
	struct region *r;        /* the region at or after the last leaf visited */
	uint64_t tables, ptes;
	unsigned table_users;    /* address spaces using the leaves' table (shared tables) */
};

/* The region holding va; the leaves come in increasing order, so a
 * cursor moves forward through the tree. */
static struct region *region_at(struct mm_walk *w, vaddr_t va)
{
	while (w->r && w->r->end <= va)
		w->r = region_next(w->r);
	return w->r && w->r->start <= va ? w->r : NULL;
}

/* A page-table page: tagged as one, and referenced. */
static bool rule_table(paddr_t pa, int level, vaddr_t va, void *arg)
{
	struct mm_walk *w = arg;
	struct frame *f = frame_of(pa);
	w->tables++;
	if (level == 0)
		w->table_users = __atomic_load_n(&f->refcount, __ATOMIC_ACQUIRE);
	if (!(f->flags & FRAME_PTABLE) || f->refcount == 0)
		vmcheck_fail(w->event, w->mm, va, "page-table page 0x%lx (level %d): expected a referenced "
			     "FRAME_PTABLE frame, found flags 0x%x refcount %u", (unsigned long)pa, level,
			     f->flags, f->refcount);
	else if (level == 0 && pt_unmarked_entry(pa) < PT_ENTRIES)
		vmcheck_fail(w->event, w->mm, va, "page-table page 0x%lx: entry %u is used but not marked "
			     "in its used mask 0x%lx", (unsigned long)pa, pt_unmarked_entry(pa),
			     (unsigned long)f->pt_used);
	return true;
}

/* The entry grants user mode no more than its region allows (an entry
 * without PTE_USER grants it nothing: PROT_NONE pages stay mapped so,
 * for the kernel only). */
static void rule_pte_rights(struct mm_walk *w, const struct region *r, pte_t pte, vaddr_t va)
{
	unsigned allowed = vmcheck_pte_allowed(r->prot, r->flags), rights = pte_rights(pte);
	if ((rights & PTE_USER) && (rights & ~allowed))
		vmcheck_fail(w->event, w->mm, va, "entry rights 0x%x exceed the region's 0x%x (prot 0x%x, "
			     "flags 0x%x)", rights, allowed, r->prot, r->flags);
}

#define FRAME_NOT_USER (FRAME_FREE | FRAME_RESERVED | FRAME_KERNEL | FRAME_SLAB | FRAME_PTABLE)

/* The frame is in use, a user page, and counted at least by this entry,
 * by the page cache if a file page, by the swap cache if in it, and by
 * any pins. */
static void rule_pte_frame(struct mm_walk *w, pte_t pte, vaddr_t va)
{
	paddr_t pa = pte_addr(pte);
	if ((pa >> PAGE_SHIFT) >= frame_nr())
		vmcheck_fail(w->event, w->mm, va, "entry names 0x%lx, beyond RAM", (unsigned long)pa);
	struct frame *f = frame_of(pa);
	uint32_t least = 1 + f->pins + !!(f->flags & FRAME_FILE) + !!(f->flags & FRAME_SWAPCACHE);
	if (f->flags & FRAME_NOT_USER)
		vmcheck_fail(w->event, w->mm, va, "frame 0x%lx: expected a user page, found flags 0x%x",
			     (unsigned long)pa, f->flags);
	if (f->refcount < least)
		vmcheck_fail(w->event, w->mm, va, "frame 0x%lx: expected a refcount of at least %u, found %u",
			     (unsigned long)pa, least, f->refcount);
}

/* Copy-on-write: a private page is writable only when this mapping is
 * its only holder (not a file's page, not in the swap cache, count 1).
 * In a table shared by several address spaces the entry above it grants
 * no write, and another user copying the table holds references to its
 * pages before it takes the write right off its leaves: no rule then. */
static void rule_private_write(struct mm_walk *w, const struct region *r, pte_t pte, vaddr_t va)
{
	if ((r->flags & REGION_SHARED) || !(pte_rights(pte) & PTE_WRITE) || w->table_users > 1)
		return;
	struct frame *f = frame_of(pte_addr(pte));
	if ((f->flags & (FRAME_FILE | FRAME_SWAPCACHE)) || f->refcount - f->pins != 1)
		vmcheck_fail(w->event, w->mm, va, "writable private page 0x%lx: expected its only holder, "
			     "found refcount %u, flags 0x%x", (unsigned long)pte_addr(pte), f->refcount, f->flags);
}

/* The file's page now at index, without a new reference. May sleep. */
static paddr_t file_page_now(struct inode *inode, uint64_t index)
{
	if (!inode->iops->get_page)
		return 0;
	mutex_lock(&inode->lock);
	paddr_t pa = inode->iops->get_page(inode, index, false);
	mutex_unlock(&inode->lock);
	return pa;
}

/* A file's frame is mapped only where its region maps that page of that
 * file: always in a shared region, and in a private one until the first
 * write (then never writable). Anonymous memory maps no file frame. */
static void rule_file_page(struct mm_walk *w, const struct region *r, pte_t pte, vaddr_t va)
{
	paddr_t pa = pte_addr(pte);
	bool is_file = frame_of(pa)->flags & FRAME_FILE;
	if (!r->file) {
		if (is_file)
			vmcheck_fail(w->event, w->mm, va, "anonymous memory maps file frame 0x%lx", (unsigned long)pa);
		return;
	}
	if (!is_file && !(r->flags & REGION_SHARED))
		return;   /* a private copy */
	uint64_t index = (r->file_off + (va - r->start)) >> PAGE_SHIFT;
	paddr_t want = file_page_now(r->file, index);
	if (pa != want)
		vmcheck_fail(w->event, w->mm, va, "expected the file's page %lu (frame 0x%lx), found frame 0x%lx",
			     (unsigned long)index, (unsigned long)want, (unsigned long)pa);
	if (!(r->flags & REGION_SHARED) && (pte_rights(pte) & PTE_WRITE))
		vmcheck_fail(w->event, w->mm, va, "a private mapping may not write the file's frame 0x%lx",
			     (unsigned long)pa);
}

/* Every leaf rule on one present entry, in region r (NULL: none). */
static void check_leaf(struct mm_walk *w, const struct region *r, pte_t pte, vaddr_t va)
{
	w->ptes++;
	if (!r)
		vmcheck_fail(w->event, w->mm, va, "a present entry (0x%lx) outside every region",
			     (unsigned long)pte);
	rule_pte_rights(w, r, pte, va);
	rule_pte_frame(w, pte, va);
	rule_private_write(w, r, pte, va);
	rule_file_page(w, r, pte, va);
}

static void rule_leaf(pte_t pte, vaddr_t va, void *arg)
{
	struct mm_walk *w = arg;
	check_leaf(w, region_at(w, va), pte, va);
}

/* A swap entry lies in a region and names a slot in use. */
static void rule_swap_entry(pte_t pte, vaddr_t va, void *arg)
{
	struct mm_walk *w = arg;
	if (!region_at(w, va))
		vmcheck_fail(w->event, w->mm, va, "a swap entry (0x%lx) outside every region", (unsigned long)pte);
	if (swap_count(pte_to_swp_entry(pte)) == 0)
		vmcheck_fail(w->event, w->mm, va, "swap entry 0x%lx: expected a slot in use, found a free one",
			     (unsigned long)pte);
}

void vmcheck_mm(struct mm *mm, const char *event)
{
	uint64_t t0 = arch_clock_ns();
	mutex_lock(&mm->lock);
	rule_regions(event, mm);
	struct mm_walk w = { event, mm, region_first(&mm->regions), 0, 0, 1 };
	struct pt_visitor v = { rule_table, rule_leaf, &w, rule_swap_entry };
	pt_visit(mm, &v);
	mutex_unlock(&mm->lock);
	__atomic_add_fetch(&vmcheck_stats.mm_checks, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vmcheck_stats.ptes_checked, w.ptes, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vmcheck_stats.mm_check_ns, arch_clock_ns() - t0, __ATOMIC_RELAXED);
}

/* vmcheck_page - the checks a fault calls for: the region holding addr
 * (its shape and its place between its neighbours) and the entry of
 * addr's page. Walking the whole mm after every fault would make a
 * process that touches n pages cost n^2. Takes mm->lock; may sleep. */
static void vmcheck_page(struct mm *mm, vaddr_t addr, const char *event)
{
	uint64_t t0 = arch_clock_ns();
	vaddr_t va = PAGE_ROUND_DOWN(addr);
	mutex_lock(&mm->lock);
	struct region *r = region_find(&mm->regions, va);
	if (r) {
		rule_region_shape(event, mm, r);
		struct region *prev = region_prev(r), *next = region_next(r);
		if ((prev && prev->end > r->start) || (next && next->start < r->end))
			vmcheck_fail(event, mm, va, "region [0x%lx, 0x%lx) overlaps a neighbour", r->start, r->end);
	}
	struct mm_walk w = { event, mm, r, 0, 0, 1 };
	const pte_t *pte = va < USER_STACK_TOP ? pt_lookup(mm, va) : NULL;   /* never a change */
	if (pte)
		w.table_users = pt_leaf_users(pte);
	if (pte && pte_present(*pte))
		check_leaf(&w, r, *pte, va);
	mutex_unlock(&mm->lock);
	__atomic_add_fetch(&vmcheck_stats.mm_checks, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vmcheck_stats.ptes_checked, w.ptes, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vmcheck_stats.mm_check_ns, arch_clock_ns() - t0, __ATOMIC_RELAXED);
}

/* ---- the hooks ---- */

/* The calls after which frames have changed hands between processes:
 * a child's were given back (wait), an image replaced (exec). A census
 * walks every page table of the system: a program that forks and waits
 * a thousand times gets the first CENSUS_ALL_FIRST of them and then one
 * in CENSUS_SAMPLE (a count, so that a run is repeatable). */
#define CENSUS_ALL_FIRST 64
#define CENSUS_SAMPLE 16

static bool census_point(long nr)
{
	static uint64_t points;   /* atomic */
	if (nr != __NR_wait4 && nr != __NR_waitid && nr != __NR_execve && nr != __NR_execveat)
		return false;
	uint64_t n = __atomic_fetch_add(&points, 1, __ATOMIC_RELAXED);
	return n < CENSUS_ALL_FIRST || n % CENSUS_SAMPLE == 0;
}

void vmcheck_after_syscall(long nr)
{
	char event[48];
	const char *name = syscall_name((uint64_t)nr);
	snprintf(event, sizeof(event), "%s (system call %ld)", name ? name : "?", nr);
	struct mm *mm = current->mm;
	if (mm)
		vmcheck_mm(mm, event);
	if (vmcheck_mode == VMCHECK_FULL || census_point(nr))
		vmcheck_census(event);
}

void vmcheck_after_fault(vaddr_t addr)
{
	char event[48];
	snprintf(event, sizeof(event), "a page fault at 0x%lx", (unsigned long)addr);
	struct mm *mm = current->mm;
	if (mm)
		vmcheck_page(mm, addr, event);
	if (vmcheck_mode == VMCHECK_FULL)
		vmcheck_census(event);
}

void vmcheck_first_return(void)
{
	if (current->mm)
		vmcheck_mm(current->mm, "the first return of a new task");
}
