/*
 * reclaim.c - choosing pages to send to swap, without a reverse map.
 *
 * Aspen keeps no map from a frame to the page tables that map it, so
 * reclaim starts from the page tables, as BSD's pagedaemon over
 * pmaps and Linux 2.4's swap_out did: one clock hand walks every address
 * space in turn (the mm list), leaf by leaf. At each present anonymous
 * page it reads the accessed bit the CPU set:
 *   set      clear it: the page has one more turn of the hand to be used
 *            (second chance); no TLB flush, as Linux on x86 does not
 *            flush for this either (a stale TLB entry only delays the bit)
 *   clear    the page was not touched for a whole turn: it goes out.
 *            The frame joins the swap cache (a slot is taken the first
 *            time), the entry becomes the swap entry, and once the TLBs
 *            are flushed the page table's reference is dropped.
 * A frame several processes share after fork is unmapped from each as
 * the hand passes; it is written once, when the last one lets go (only
 * the cache holds it), and freed. A frame the cache holds alone that
 * nobody will map again is freed by the cache's own clock
 * (swap_cache_shrink). docs/swap.md argues the choice.
 *
 * Pages that stay: file pages (ramfs keeps them anyway), regions locked
 * with mlock, System V segments under SHM_LOCK, shared mappings of files. Shared anonymous memory is only
 * unmapped by the hand; it goes out through its object once no mapping
 * is left (mm/shmem_swap.c).
 *
 * Locks: reclaim_mutex makes one reclaimer at a time move the hand;
 * then one mm->lock at a time, only tried (a busy address space is
 * passed over); mmlist_lock (spinlock) guards the list. Order:
 * reclaim_mutex, mm->lock, swap_lock.
 */
#include "sys/sysctl.h"
#include "mm/reclaim.h"
#include "mm/swap.h"
#include "mm/trace.h"
#include "mm/vm.h"
#include "mm/pagetable.h"
#include "mm/frame.h"
#include "proc/task.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "lib/spinlock.h"

#define SCAN_BATCH 256          /* leaves looked at per visit of an mm */
#define MIN_FREE_KB_MIN 128     /* Linux's bounds on min_free_kbytes */
#define MIN_FREE_KB_MAX 262144

static struct spinlock mmlist_lock = SPINLOCK_INIT("mmlist_lock");
static LIST_HEAD(mmlist);                       /* (mmlist_lock) every mm, oldest first */
static struct mutex reclaim_mutex = { SPINLOCK_INIT("reclaim_mutex"), NULL,
				      LIST_HEAD_INIT(reclaim_mutex.waiters), "reclaim" };
static struct mm *hand_hint;                    /* (reclaim_mutex) the hand's mm, not referenced:
						   looked up in the list before use */
uint64_t reclaim_swappiness = 60;
/* vm.swappiness: Linux's balance between anonymous and file pages. Aspen
 * reclaims only anonymous memory (its files live in RAM), so the value is
 * kept and shown, as Linux's 0..200, and changes no choice (docs/swap.md). */
SYSCTL_LONG("vm/swappiness", 0644, &reclaim_swappiness, 0, 200);

/* ---- the list of address spaces ---- */

void reclaim_mm_add(struct mm *mm)
{
	spin_lock(&mmlist_lock);
	list_add_tail(&mm->mmlist, &mmlist);
	spin_unlock(&mmlist_lock);
}

void reclaim_mm_del(struct mm *mm)
{
	spin_lock(&mmlist_lock);
	list_del(&mm->mmlist);
	spin_unlock(&mmlist_lock);
}

struct mm *mmlist_next(struct mm *prev)
{
	struct mm *next = NULL;
	spin_lock(&mmlist_lock);
	struct list_head *pos = prev ? prev->mmlist.next : mmlist.next;
	for (; pos != &mmlist; pos = pos->next) {
		struct mm *mm = container_of(pos, struct mm, mmlist);
		if (mm_get_not_zero(mm)) {
			next = mm;
			break;
		}
	}
	spin_unlock(&mmlist_lock);
	if (prev)
		mm_put(prev);
	return next;
}

/* ---- the clock ---- */

/* A page the hand unmapped: its frame, with the page table's former
 * reference; for shared anonymous memory, its object (referenced) and
 * page index. */
struct victim {
	paddr_t pa;
	struct inode *obj;
	uint64_t index;
};

struct scan {
	const struct region *r;        /* the region being walked */
	uint64_t scanned, limit;       /* leaves looked at, and the most to look at */
	int n;                         /* victims */
	struct victim victims[RECLAIM_BATCH];
	vaddr_t next;                  /* where to go on */
	bool force;                    /* MADV_PAGEOUT: take accessed pages too */
	bool full;                     /* no swap slot left */
	struct mm *mm;                 /* whose page table is walked */
};

/* Can this frame go to swap? Anonymous frames only: a file page stays
 * in its file anyway. */
static bool swappable(paddr_t pa)
{
	return !(frame_of(pa)->flags & (FRAME_FILE | FRAME_KERNEL | FRAME_SLAB));
}

/* Is this the frame's only mapping (MADV_PAGEOUT takes only those, as
 * Linux's does)? The swap cache's and the file's references do not count. */
static bool mapped_once(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	uint32_t refs = __atomic_load_n(&f->refcount, __ATOMIC_RELAXED);
	refs -= (f->flags & FRAME_SWAPCACHE) ? 1 : 0;
	refs -= (f->flags & FRAME_FILE) ? 1 : 0;
	return refs == 1;
}

/* A page of shared anonymous memory: only unmapped here; its object
 * sends it to swap when no mapping is left (shmem_writeout). */
static int unmap_shared(pte_t *pte, vaddr_t va, struct scan *s)
{
	const struct region *r = s->r;
	if (!swap_space_left()) {
		s->full = true;
		return 0;
	}
	uint64_t index = (r->file_off + (va - r->start)) >> PAGE_SHIFT;
	s->victims[s->n++] = (struct victim){ pte_addr(*pte), inode_get(r->file), index };
	*pte = 0;
	return 0;
}

/* One leaf under the hand. Returns 1 to stop the walk (batch done). */
static int scan_pte_fn(pte_t *pte, vaddr_t va, void *arg)
{
	struct scan *s = arg;
	if (s->scanned >= s->limit || s->n == RECLAIM_BATCH || s->full) {
		s->next = va;
		return 1;
	}
	s->scanned++;
	s->next = va + PAGE_SIZE;
	if (pte_young(*pte) && !s->force) {
		*pte = pte_mkold(*pte);
		return 0;
	}
	paddr_t pa = pte_addr(*pte);
	if (s->force && !mapped_once(pa))
		return 0;
	if (s->r->flags & REGION_SHARED)
		return unmap_shared(pte, va, s);
	if (!swappable(pa))
		return 0;
	swp_entry_t e;
	int err = swap_out_entry(pa, &e);
	if (err) {
		s->full = err == -ENOSPC;
		return 0;
	}
	*pte = swp_entry_to_pte(e);
	trace_page_out(s->mm, va, e.val);
	s->victims[s->n++] = (struct victim){ pa, NULL, 0 };
	return 0;
}

/* Does the clock pass over region r's pages? Private memory and shared
 * anonymous memory, unless locked (mlock, or a segment's SHM_LOCK). */
static bool region_scanned(const struct region *r)
{
	if (r->flags & REGION_LOCKED)
		return false;
	return !(r->flags & REGION_SHARED) || shmem_evictable(r->file);
}

/* Walk mm from *va, filling s; *va moves on (to 0 when mm is done).
 * mm->lock held. */
static void scan_mm_locked(struct mm *mm, vaddr_t *va, vaddr_t end, struct scan *s)
{
	struct region *r = region_find_next(&mm->regions, *va);
	s->mm = mm;
	for (; r && r->start < end; r = region_next(r)) {
		if (!region_scanned(r))
			continue;
		vaddr_t from = MAX(r->start, *va);
		s->next = r->end;
		s->r = r;
		/* Page-out and ageing change leaves: a shared page table is
		 * copied first. If it cannot be (-ENOMEM), the rest of the
		 * region waits for the next turn. */
		if (pt_modify_present(mm, from, MIN(r->end, end), scan_pte_fn, s) == 1) {
			*va = s->next;
			return;
		}
	}
	*va = 0;
}

/* Give up the page table's former reference to a shared anonymous
 * victim's frame, sending it to swap if nothing else holds it; true if
 * freed. */
static bool victim_release(struct victim *v)
{
	bool freed = shmem_writeout(v->obj, v->index, v->pa);
	inode_put(v->obj);
	return freed;
}

/* Release every victim of s: the private pages' writes go out together. */
static uint64_t victims_release(struct scan *s)
{
	paddr_t pas[RECLAIM_BATCH];
	int k = 0;
	uint64_t freed = 0;
	for (int i = 0; i < s->n; i++) {
		if (s->victims[i].obj)
			freed += victim_release(&s->victims[i]);
		else
			pas[k++] = s->victims[i].pa;
	}
	return freed + swap_out_release_many(pas, k);
}

/* Flush *mmp's TLBs, then give up the page tables' references to the
 * victims (writing and freeing those only the cache holds now). Returns
 * frames freed. mm->lock held on entry; released unless keep_lock.
 * Unless keep_lock, the hand's user reference is let go for the writes,
 * only a pin kept: a process that exits meanwhile gives its memory back
 * at its exit, so that its parent's wait finds it freed, not when the
 * I/O ends. *mmp is then the mm referenced again, or NULL if its last
 * task left meanwhile (it was torn down). */
static uint64_t release_victims(struct mm **mmp, struct scan *s, bool keep_lock)
{
	struct mm *mm = *mmp;
	if (s->n)
		mm_flush_tlb(mm, MM_FLUSH_ALL);
	if (!keep_lock) {
		mutex_unlock(&mm->lock);
		mm_pin(mm);
		mm_put(mm);
	}
	uint64_t freed = victims_release(s);
	if (!keep_lock) {
		if (!mm_get_not_zero(mm))
			*mmp = NULL;
		mm_unpin(mm);
	}
	__atomic_add_fetch(&swap_stats.pgscan, s->scanned, __ATOMIC_RELAXED);
	__atomic_add_fetch(&swap_stats.pgsteal, freed, __ATOMIC_RELAXED);
	return freed;
}

/* Lock mm for the hand: tried, never waited for. With RECLAIM_OWN_MM,
 * an address space whose lock the caller holds (an allocation in fork,
 * mmap, ...) is scanned too; never from a fault, which holds page-table
 * entries it is about to use. *own says which. */
static bool hand_lock(struct mm *mm, unsigned flags, bool *own)
{
	*own = mutex_held(&mm->lock);
	if (*own)
		return flags & RECLAIM_OWN_MM;
	return mutex_trylock(&mm->lock);
}

/* The mm the hand was on, referenced, if it is still in the list. The
 * hand keeps no reference between runs: an exited process's memory must
 * not wait for the next run of the clock. reclaim_mutex held. */
static struct mm *hand_take(void)
{
	struct mm *found = NULL, *mm;
	spin_lock(&mmlist_lock);
	list_for_each_entry(mm, &mmlist, mmlist)
		if (mm == hand_hint && mm_get_not_zero(mm)) {
			found = mm;
			break;
		}
	spin_unlock(&mmlist_lock);
	return found;
}

/* Move the hand over one batch of *cur, from where it left that address
 * space (mm->reclaim_va), then on to the next one once a batch reaches
 * its end or it is busy. Each address space keeps its place: a busy one
 * is resumed, not restarted, next time, so its pages all come under the
 * hand in turn. Returns frames freed; *scanned grows by the leaves looked
 * at (a busy mm, or the end of the list, counts as a batch).
 * reclaim_mutex held. */
static uint64_t clock_step(struct mm **cur, unsigned flags, uint64_t *scanned, bool *full)
{
	if (!*cur) {
		*cur = mmlist_next(NULL);
		if (!*cur) {
			*scanned += SCAN_BATCH;
			return 0;
		}
	}
	struct mm *mm = *cur;
	struct scan s = { .limit = SCAN_BATCH };
	bool own;
	if (!hand_lock(mm, flags, &own)) {
		*cur = mmlist_next(mm);   /* busy: on to the next, its place kept */
		*scanned += SCAN_BATCH;
		return 0;
	}
	vaddr_t va = mm->reclaim_va ? mm->reclaim_va : USER_MIN_ADDR;
	scan_mm_locked(mm, &va, USER_STACK_TOP, &s);
	mm->reclaim_va = va;
	*scanned += s.scanned + 1;
	*full = s.full;
	uint64_t freed = release_victims(cur, &s, own);
	if (!*cur)
		*cur = mmlist_next(NULL);   /* it was torn down: the hand starts the list again */
	else if (va == 0)
		*cur = mmlist_next(mm);   /* its turn is over */
	return freed;
}

/* Leaves the whole hand might look at: every frame, twice over (a page
 * needs one pass to lose its accessed bit, one to go). */
static uint64_t scan_budget(void)
{
	struct frame_stats st;
	frame_get_stats(&st);
	return 2 * st.total + SCAN_BATCH;
}

uint64_t reclaim_pages(uint64_t want, unsigned flags)
{
	if (mutex_held(&reclaim_mutex))
		return 0;   /* an allocation inside reclaim itself */
	mutex_lock(&reclaim_mutex);
	uint64_t freed = swap_cache_shrink(want);
	uint64_t scanned = 0, budget = scan_budget();
	bool full = false;
	struct mm *cur = hand_take();
	while (freed < want && scanned < budget && !full && swap_space_left() > 0)
		freed += clock_step(&cur, flags, &scanned, &full);
	hand_hint = cur;
	if (cur)
		mm_put(cur);
	mutex_unlock(&reclaim_mutex);
	return freed;
}

void reclaim_settle(void)
{
	mutex_lock(&reclaim_mutex);
	mutex_unlock(&reclaim_mutex);
}

uint64_t reclaim_range_locked(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t sent = 0;
	vaddr_t va = start;
	while (va) {
		struct scan s = { .limit = SCAN_BATCH, .force = true };
		scan_mm_locked(mm, &va, end, &s);
		if (s.n)
			mm_flush_tlb(mm, MM_FLUSH_ALL);
		victims_release(&s);
		sent += s.n;
		if (s.full)
			break;
	}
	return sent;
}

/* ---- watermarks ---- */

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0;
	for (uint64_t bit = 1UL << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* Linux's rules: min_free_kbytes = sqrt(16 * RAM in KiB), in [128 KiB,
 * 256 MiB]; low and high a quarter and a half of min above it, or 0.1%
 * of RAM (watermark_scale_factor) if that is more. */
void reclaim_set_watermarks(uint64_t total)
{
	uint64_t kb = total * (PAGE_SIZE / 1024);
	uint64_t min_kb = MIN(MAX(isqrt(kb * 16), MIN_FREE_KB_MIN), MIN_FREE_KB_MAX);
	uint64_t min = min_kb / (PAGE_SIZE / 1024);
	uint64_t step = MAX(min / 4, total / 1000);
	frame_wmark.min = min;
	frame_wmark.low = min + step;
	frame_wmark.high = min + 2 * step;
}
