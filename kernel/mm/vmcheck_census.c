/*
 * vmcheck_census.c - the whole-system half of the checker: every frame's
 * reference count against the references that hold it.
 *
 * The other CPUs are stopped at safe points first (proc/quiesce.h), and
 * every task asleep is at one too (kernel code never sleeps in the middle
 * of handing a frame from one holder to another; a reference it keeps
 * across a sleep is a pin, frame_pin). Then each rule below adds the
 * references of its kind to expected[], one count per frame, and every
 * frame in use is compared with its refcount:
 *
 *   page tables   a page-table page: one per table entry pointing at it
 *                 (a table reached twice is walked once); a user page:
 *                 one per present leaf entry mapping it
 *   page cache    a file's page: one from its file (ramfs, shmem)
 *   swap cache    a frame in the swap cache: one from the cache
 *   pins          one per frame_pin: a kernel reference held across a sleep
 *
 * Swap slots are counted the same way from the other side: the areas'
 * slot counts must add up to the swap entries in page tables (shmem
 * keeps none yet), and the slots marked as cached to the frames in the
 * swap cache, each of whose slot must carry the mark.
 *
 * Kernel frames (kmalloc, stacks) hold themselves and are only checked
 * to be named by no page table. A frame whose count disagrees is
 * explained holder by holder (each rule's explain) before the panic.
 *
 * To teach the census a new kind of reference, add a rule: a count
 * function adding to expected[] and an explain function naming the
 * holders of one frame (docs/testing.md).
 */
#include "mm/vdso.h"
#include "mm/vmcheck.h"
#include "mm/vm.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/kmalloc.h"
#include "mm/swap.h"
#include "fs/ramfs.h"
#include "proc/quiesce.h"
#include "proc/task.h"
#include "lib/string.h"
#include "arch.h"
#include "boot.h"

static uint32_t *expected;   /* per frame number; owned by the quiescing CPU */
static uint64_t nframes;

void vmcheck_census_init(void)
{
	nframes = frame_nr();
	expected = kmalloc(nframes * sizeof(*expected));
	if (!expected)
		panic("vmcheck: no memory for the census (%lu frames)", (unsigned long)nframes);
}

static inline uint64_t pfn(paddr_t pa) { return pa >> PAGE_SHIFT; }

/* The frame pa is named by an entry; beyond RAM is a broken entry. */
static void add(paddr_t pa, const char *what)
{
	if (pfn(pa) >= nframes)
		vmcheck_fail("the census", NULL, 0, "%s names 0x%lx, beyond RAM", what, (unsigned long)pa);
	expected[pfn(pa)]++;
}

/* ---- rule: page tables ---- */

static bool count_table(paddr_t pa, int level, vaddr_t va, void *arg)
{
	add(pa, "a table entry");
	return expected[pfn(pa)] == 1;   /* a shared table: its leaves once */
}

static void count_leaf(pte_t pte, vaddr_t va, void *arg)
{
	add(pte_addr(pte), "a page-table entry");
}

static uint64_t swap_ptes;   /* swap entries in page tables, this census */

static void count_swap_leaf(pte_t pte, vaddr_t va, void *arg)
{
	swap_ptes++;
}

static void count_page_tables(void)
{
	struct pt_visitor v = { count_table, count_leaf, NULL, count_swap_leaf };
	struct mm *mm;
	list_for_each_entry(mm, &all_mms, all_link)
		pt_visit(mm, &v);
}

struct explain {
	paddr_t pa;
	struct mm *mm;
};

static bool explain_table(paddr_t pa, int level, vaddr_t va, void *arg)
{
	struct explain *e = arg;
	struct process *p = vmcheck_owner(e->mm);
	if (pa == e->pa)
		printk(LOG_ERR, "  a level-%d page table of pid %d (%s), for 0x%lx\n", level, p ? p->pid : -1,
		       p ? p->comm : "no task", (unsigned long)va);
	return true;
}

static void explain_leaf(pte_t pte, vaddr_t va, void *arg)
{
	struct explain *e = arg;
	struct process *p = vmcheck_owner(e->mm);
	if (pte_addr(pte) == e->pa)
		printk(LOG_ERR, "  mapped by pid %d (%s) at 0x%lx, entry 0x%lx\n", p ? p->pid : -1,
		       p ? p->comm : "no task", (unsigned long)va, (unsigned long)pte);
}

static void explain_page_tables(paddr_t pa)
{
	struct explain e = { pa, NULL };
	struct pt_visitor v = { explain_table, explain_leaf, &e, NULL };
	list_for_each_entry(e.mm, &all_mms, all_link)
		pt_visit(e.mm, &v);
}

/* ---- rule: the page cache ---- */

static void count_file_page(paddr_t pa, struct inode *inode, uint64_t index, void *arg)
{
	add(pa, "a file's page index");
}

static void count_page_cache(void)
{
	ramfs_for_each_page(count_file_page, NULL);
	vdso_for_each_page(count_file_page, NULL);
}

static void explain_file_page(paddr_t pa, struct inode *inode, uint64_t index, void *arg)
{
	if (pa == *(paddr_t *)arg)
		printk(LOG_ERR, "  page %lu of file inode %lu\n", (unsigned long)index, (unsigned long)inode->ino);
}

static void explain_page_cache(paddr_t pa)
{
	ramfs_for_each_page(explain_file_page, &pa);
	vdso_for_each_page(explain_file_page, &pa);
}

/* ---- rules on the frames' own marks: the swap cache, pins ---- */
/* (Their counts are added frame by frame in compare(), which reads every
 * frame anyway: frame_marks().) */

static void count_nothing(void)
{
}

static void explain_swap_cache(paddr_t pa)
{
	if (frame_of(pa)->flags & FRAME_SWAPCACHE)
		printk(LOG_ERR, "  the swap cache (entry 0x%lx)\n", (unsigned long)frame_of(pa)->swapc.entry);
}


static void explain_pins(paddr_t pa)
{
	if (frame_of(pa)->pins)
		printk(LOG_ERR, "  %u pins (kernel references across a sleep)\n", frame_of(pa)->pins);
}

/* ---- swap slots ---- */

struct swap_tally {
	uint64_t refs, cached;   /* references the slots count; slots marked cached */
};

static void tally_area(unsigned type, uint64_t pages, const uint16_t *map, void *arg)
{
	struct swap_tally *t = arg;
	for (uint64_t i = 1; i < pages; i++) {
		if (map[i] == SWAP_MAP_BAD)
			continue;
		t->refs += map[i] & SWAP_COUNT_MASK;
		t->cached += !!(map[i] & SWAP_HAS_CACHE);
	}
}

/* A frame in the swap cache: its slot is marked as cached. */
static void check_cached_slot(const char *event, paddr_t pa)
{
	swp_entry_t e = { frame_of(pa)->swapc.entry };
	spin_lock(&swap_lock);
	uint16_t *m = swap_map_locked(e);
	bool marked = m && (*m & SWAP_HAS_CACHE);
	spin_unlock(&swap_lock);
	if (!marked)
		vmcheck_fail(event, NULL, 0, "frame 0x%lx is in the swap cache for entry 0x%lx, whose slot is "
			     "not marked cached", (unsigned long)pa, (unsigned long)e.val);
}

static void check_swap_slots(const char *event, uint64_t cache_frames)
{
	struct swap_tally t = { 0, 0 };
	swap_for_each_area(tally_area, &t);
	if (t.refs != swap_ptes)
		vmcheck_fail(event, NULL, 0, "swap slots: expected %lu references (the swap entries in page "
			     "tables), the areas count %lu", (unsigned long)swap_ptes, (unsigned long)t.refs);
	if (t.cached != cache_frames)
		vmcheck_fail(event, NULL, 0, "swap slots: expected %lu marked cached (the swap cache's "
			     "frames), found %lu", (unsigned long)cache_frames, (unsigned long)t.cached);
}

/* ---- the rules, and the comparison ---- */

struct census_rule {
	const char *name;
	void (*count)(void);            /* add this kind's references to expected[] */
	void (*explain)(paddr_t pa);    /* print this kind's holders of pa */
};

static const struct census_rule census_rules[] = {
	{ "page tables", count_page_tables, explain_page_tables },
	{ "page cache", count_page_cache, explain_page_cache },
	{ "swap cache", count_nothing, explain_swap_cache },   /* frame_marks */
	{ "pins", count_nothing, explain_pins },               /* frame_marks */
};

static __noreturn void frame_disagrees(const char *event, paddr_t pa, uint32_t want)
{
	struct frame *f = frame_of(pa);
	printk(LOG_ERR, "\nvmcheck: census after %s: frame 0x%lx (flags 0x%x) is held by:\n", event,
	       (unsigned long)pa, f->flags);
	for (size_t i = 0; i < ARRAY_SIZE(census_rules); i++)
		census_rules[i].explain(pa);
	vmcheck_fail(event, NULL, 0, "frame 0x%lx: expected refcount %u (the holders above), found %u",
		     (unsigned long)pa, want, f->refcount);
}

#define FRAME_SELF_OWNED (FRAME_KERNEL | FRAME_SLAB)

/* The references a frame's own marks stand for: the swap cache's, pins. */
static uint32_t frame_marks(const struct frame *f)
{
	return f->pins + !!(f->flags & FRAME_SWAPCACHE);
}

/* Every frame against what the rules found; returns the frames in the
 * swap cache (each checked against its slot). */
static uint64_t compare(const char *event)
{
	uint64_t cache_frames = 0;
	for (uint64_t i = 1; i < nframes; i++) {
		paddr_t pa = i << PAGE_SHIFT;
		struct frame *f = frame_of(pa);
		if (f->flags & (FRAME_FREE | FRAME_RESERVED | FRAME_SELF_OWNED)) {
			if (expected[i])
				frame_disagrees(event, pa, 0);   /* free or the kernel's, yet named */
			continue;
		}
		uint32_t want = expected[i] + frame_marks(f);
		if (f->refcount != want)
			frame_disagrees(event, pa, want);
		if (f->flags & FRAME_SWAPCACHE) {
			check_cached_slot(event, pa);
			cache_frames++;
		}
	}
	return cache_frames;
}

/* aspen.crash=refcount: after the first census has passed, take one
 * reference to a mapped file page that nobody will drop, for the boot
 * test that sees the next census report it (a file page, because the
 * per-address-space check would report a private page first). */
static void deliberate_leak(void)
{
	static bool done;
	if (done || !boot_options.crash || strcmp(boot_options.crash, "refcount") != 0)
		return;
	for (uint64_t i = 1; i < nframes && !done; i++) {
		struct frame *f = frame_of(i << PAGE_SHIFT);
		if (expected[i] >= 2 && (f->flags & FRAME_FILE)) {
			printk(LOG_ERR, "aspen.crash=refcount: one reference too many on frame 0x%lx\n",
			       (unsigned long)(i << PAGE_SHIFT));
			frame_get(i << PAGE_SHIFT);
			done = true;
		}
	}
}

void vmcheck_census(const char *event)
{
	uint64_t t0 = arch_clock_ns();
	quiesce_others();
	memset(expected, 0, nframes * sizeof(*expected));
	swap_ptes = 0;
	for (size_t i = 0; i < ARRAY_SIZE(census_rules); i++)
		census_rules[i].count();
	check_swap_slots(event, compare(event));
	deliberate_leak();
	quiesce_release();
	__atomic_add_fetch(&vmcheck_stats.census_runs, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vmcheck_stats.frames_counted, nframes, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vmcheck_stats.census_ns, arch_clock_ns() - t0, __ATOMIC_RELAXED);
}
