/*
 * swap_state.c - the swap cache: a hash of swap entries to frames, and
 * the page I/O that moves frames in and out of it.
 *
 * A frame is in the cache (FRAME_SWAPCACHE) from the moment page-out
 * picks it until it has been written and nobody maps it, and again
 * from the moment a fault reads it back until someone writes it (or
 * swap fills up). The cache holds one reference to the frame and sets
 * SWAP_HAS_CACHE on the slot. While it is in the cache:
 *   FRAME_LOCKED     the read is in flight; the contents are not there yet
 *   FRAME_WRITEBACK  the write is in flight; keep frame and slot together
 *   FRAME_DIRTY      the slot does not hold these contents yet
 * A frame leaves the cache only under swap_lock, never while LOCKED or
 * WRITEBACK, and only when the caller's reference and the cache's are
 * the only ones (so no page table maps it) or when the slot dies.
 *
 * Locks: swap_lock (mm/swapfile.c) guards the chains, the count and the
 * bits above; I/O runs without it and wakes swap_io_wq when done.
 */
#include "sys/sysctl.h"
#include "mm/swap.h"
#include "mm/frame.h"
#include "mm/reclaim.h"
#include "sync/wait.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

#define CACHE_BITS 12
#define CACHE_BUCKETS (1u << CACHE_BITS)
#define SHRINK_BATCH 8          /* frames taken from one chain at a time */
#define READAHEAD_MAX 8         /* Linux's default page_cluster 3 */
unsigned swap_page_cluster = 3;         /* readahead of 2^this pages (vm.page-cluster) */
SYSCTL_INT("vm/page-cluster", 0644, &swap_page_cluster, 0, 3);   /* at most READAHEAD_MAX pages */
#define FRAME_BUSY (FRAME_LOCKED | FRAME_WRITEBACK)

static struct frame *chains[CACHE_BUCKETS];    /* (swap_lock) */
/* Readahead's window (Linux's swapin_nr_pages): grows with the pages it
 * read that faults then found, shrinks slowly to 1 for random access. */
static uint32_t ra_hits;                       /* atomic: readahead pages used since the last window */
static uint64_t ra_prev_offset;                /* (swap_lock, approximately) */
static uint32_t ra_prev_win;
static uint64_t cached;                        /* (swap_lock) frames in the cache */
static unsigned shrink_hand;                   /* (swap_lock) the cache clock's bucket */
static struct wait_queue swap_io_wq = { SPINLOCK_INIT("swap_io_wq"), LIST_HEAD_INIT(swap_io_wq.waiters) };

static unsigned bucket_of(swp_entry_t e)
{
	return (unsigned)((e.val * 0x9e3779b97f4a7c15ULL) >> (64 - CACHE_BITS));
}

static struct frame *cache_find_locked(swp_entry_t e)
{
	for (struct frame *f = chains[bucket_of(e)]; f; f = f->swapc.next)
		if (f->swapc.entry == e.val)
			return f;
	return NULL;
}

/* Put f in the cache for e with these extra bits. The caller gives the
 * cache a reference of its own (frame_get) and marks the slot. */
static void cache_insert_locked(struct frame *f, swp_entry_t e, uint16_t bits)
{
	unsigned b = bucket_of(e);
	f->flags |= FRAME_SWAPCACHE | bits;
	f->swapc.entry = e.val;
	f->swapc.next = chains[b];
	chains[b] = f;
	cached++;
}

/* Take f out of the cache and unmark its slot; the caller then drops
 * the cache's reference (after unlocking). */
static void cache_remove_locked(struct frame *f)
{
	swp_entry_t e = { f->swapc.entry };
	struct frame **p = &chains[bucket_of(e)];
	while (*p != f)
		p = &(*p)->swapc.next;
	*p = f->swapc.next;
	f->flags &= ~(FRAME_SWAPCACHE | FRAME_DIRTY | FRAME_READAHEAD | FRAME_RA_AGED);
	f->swapc.entry = 0;
	f->swapc.next = NULL;
	cached--;
	swap_slot_uncache_locked(e);
}

static uint32_t refs(struct frame *f)
{
	return __atomic_load_n(&f->refcount, __ATOMIC_ACQUIRE);
}

static uint16_t frame_bits(struct frame *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_ACQUIRE);
}

/* Only the holder and the cache reference f, no I/O runs on it, and no
 * page table names its slot: it may leave the cache. */
static bool unused_locked(struct frame *f, uint32_t holder_refs)
{
	swp_entry_t e = { f->swapc.entry };
	return (f->flags & FRAME_SWAPCACHE) && !(f->flags & FRAME_BUSY) &&
	       refs(f) == holder_refs + 1 && !(*swap_map_locked(e) & SWAP_COUNT_MASK);
}

paddr_t swap_cache_drop_unused_locked(swp_entry_t e)
{
	struct frame *f = cache_find_locked(e);
	if (!f || !unused_locked(f, 0))
		return 0;
	cache_remove_locked(f);
	return frame_addr(f);
}

/* Wait for the read of f to end; 0, or -EIO (and the reference dropped)
 * if it failed. */
static int wait_read(struct frame *f)
{
	frame_pin_ref(frame_addr(f));   /* our reference, across the sleep (vmcheck) */
	wait_event(swap_io_wq, !(frame_bits(f) & FRAME_LOCKED));
	frame_unpin_ref(frame_addr(f));
	if (frame_bits(f) & FRAME_IOERR) {
		frame_put(frame_addr(f));
		return -EIO;
	}
	return 0;
}

/* A new frame pa joins the cache for e, LOCKED until its read ends.
 * The caller gives the cache a reference. swap_lock held. */
static void cache_insert_reading_locked(paddr_t pa, swp_entry_t e)
{
	cache_insert_locked(frame_of(pa), e, FRAME_LOCKED);
	*swap_map_locked(e) |= SWAP_HAS_CACHE;
}

/* How many pages to read around offset: Linux's heuristic (hits + 2,
 * rounded up to a power of two; with no hits, 2 only if the fault is
 * next to the last one; never below half the last window). */
static uint32_t readahead_window(uint64_t offset)
{
	uint32_t max = MIN(1u << swap_page_cluster, READAHEAD_MAX);
	uint32_t pages = __atomic_exchange_n(&ra_hits, 0, __ATOMIC_RELAXED) + 2;
	if (pages == 2) {
		if (offset != ra_prev_offset + 1 && offset + 1 != ra_prev_offset)
			pages = 1;
	} else {
		uint32_t roundup = 4;
		while (roundup < pages)
			roundup <<= 1;
		pages = roundup;
	}
	pages = MIN(pages, max);
	pages = MAX(pages, ra_prev_win / 2);
	ra_prev_offset = offset;
	ra_prev_win = pages;
	return pages;
}

/* Readahead, as Linux's swap cluster: the other slots of e's aligned
 * window that hold a page and are not cached get a frame in the cache
 * (its reference the cache's, FRAME_READAHEAD), read with e's; as a
 * fault may, down to the fault floor (less a margin). Appends to v;
 * returns the new count. */
static int add_readahead(swp_entry_t e, struct swap_iov *v, int k)
{
	uint64_t pages = readahead_window(swp_offset(e));
	uint64_t base = swp_offset(e) & ~(pages - 1);
	for (uint64_t o = base; o < base + pages; o++) {
		swp_entry_t n = swp_entry(swp_type(e), o);
		if (o == swp_offset(e))
			continue;
		if (frames_free() < frame_wmark.min / 2 + READAHEAD_MAX)
			break;   /* not the faults' last reserve: that is for pages asked for */
		paddr_t pa = frame_alloc();
		if (!pa)
			break;
		spin_lock(&swap_lock);
		uint16_t *m = swap_map_locked(n);
		bool want = m && (*m & SWAP_COUNT_MASK) && *m != SWAP_MAP_BAD && !(*m & SWAP_HAS_CACHE);
		if (want) {
			cache_insert_reading_locked(pa, n);
			frame_of(pa)->flags |= FRAME_READAHEAD;
		}
		spin_unlock(&swap_lock);
		if (want)
			v[k++] = (struct swap_iov){ n, false, pa, 0 };
		else
			frame_put(pa);
	}
	return k;
}

/* The reads of v ended: unlock the frames; a failed one leaves the cache
 * marked IOERR, and a readahead frame whose slot died meanwhile (its
 * process exited) leaves it too; either loses the cache's reference. */
static void end_reads(struct swap_iov *v, int k)
{
	bool drop[READAHEAD_MAX];
	spin_lock(&swap_lock);
	for (int i = 0; i < k; i++) {
		struct frame *f = frame_of(v[i].pa);
		f->flags &= ~FRAME_LOCKED;
		if (v[i].err)
			f->flags |= FRAME_IOERR;
		drop[i] = v[i].err || (i > 0 && unused_locked(f, 0));
		if (drop[i])
			cache_remove_locked(f);
	}
	spin_unlock(&swap_lock);
	wake_up(&swap_io_wq);
	for (int i = 0; i < k; i++) {
		if (!v[i].err)
			__atomic_add_fetch(&swap_stats.pswpin, 1, __ATOMIC_RELAXED);
		if (drop[i])
			frame_put(v[i].pa);   /* the cache's */
	}
}

/* Read e into the new frame pa (in the cache, LOCKED), with readahead.
 * 1, or -EIO with the caller's reference dropped. */
static int read_into(swp_entry_t e, paddr_t pa)
{
	struct swap_iov v[READAHEAD_MAX];
	v[0] = (struct swap_iov){ e, false, pa, 0 };
	int k = add_readahead(e, v, 1);
	frame_pin_ref(pa);   /* our reference, across the I/O (vmcheck) */
	swap_io_many(v, k);
	frame_unpin_ref(pa);
	int err = v[0].err;
	end_reads(v, k);
	if (err) {
		frame_put(pa);   /* ours */
		return -EIO;
	}
	return 1;
}

/* Is e a slot in use (named by someone, or cached)? swap_lock held. */
static bool entry_live_locked(swp_entry_t e)
{
	uint16_t *m = swap_map_locked(e);
	return m && *m && *m != SWAP_MAP_BAD;
}

int swap_read_page(swp_entry_t e, paddr_t *out)
{
	paddr_t fresh = 0;
	for (;;) {
		spin_lock(&swap_lock);
		if (!entry_live_locked(e)) {
			spin_unlock(&swap_lock);
			if (fresh)
				frame_put(fresh);
			return -EINVAL;
		}
		struct frame *f = cache_find_locked(e);
		if (f) {
			frame_get(frame_addr(f));
			if (f->flags & FRAME_READAHEAD) {
				f->flags &= ~(FRAME_READAHEAD | FRAME_RA_AGED);
				__atomic_add_fetch(&ra_hits, 1, __ATOMIC_RELAXED);
			}
			spin_unlock(&swap_lock);
			if (fresh)
				frame_put(fresh);
			*out = frame_addr(f);
			return wait_read(f);
		}
		if (fresh) {
			cache_insert_reading_locked(fresh, e);
			frame_get(fresh);   /* the cache's */
			spin_unlock(&swap_lock);
			*out = fresh;
			return read_into(e, fresh);
		}
		spin_unlock(&swap_lock);
		fresh = frame_alloc();
		if (!fresh)
			return -ENOMEM;
	}
}

bool swap_cache_reuse(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	if (!(frame_bits(f) & FRAME_SWAPCACHE))
		return refs(f) == 1;
	spin_lock(&swap_lock);
	bool ok = unused_locked(f, 1);
	if (ok)
		cache_remove_locked(f);
	spin_unlock(&swap_lock);
	if (ok)
		frame_put(pa);
	return ok;
}

void swap_cache_delete(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	for (;;) {
		spin_lock(&swap_lock);
		bool cached_idle = (f->flags & FRAME_SWAPCACHE) && !(f->flags & FRAME_BUSY);
		if (cached_idle)
			cache_remove_locked(f);
		bool done = !(f->flags & FRAME_SWAPCACHE);
		spin_unlock(&swap_lock);
		if (cached_idle)
			frame_put(pa);   /* the cache's */
		if (done)
			return;
		wait_event(swap_io_wq, !(frame_bits(f) & FRAME_BUSY));
	}
}

void user_page_put(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	if (frame_bits(f) & FRAME_SWAPCACHE) {
		spin_lock(&swap_lock);
		bool drop = unused_locked(f, 1);
		if (drop)
			cache_remove_locked(f);
		spin_unlock(&swap_lock);
		if (drop)
			frame_put(pa);
	}
	frame_put(pa);
}

int swap_out_entry(paddr_t pa, swp_entry_t *out)
{
	struct frame *f = frame_of(pa);
	int err = 0;
	spin_lock(&swap_lock);
	if (f->flags & FRAME_SWAPCACHE) {
		swp_entry_t e = { f->swapc.entry };
		uint16_t *m = swap_map_locked(e);
		if (!swap_entry_writeok_locked(e) || (*m & SWAP_COUNT_MASK) >= SWAP_COUNT_MAX)
			err = -ENOMEM;
		else
			(*m)++;
		*out = e;
	} else {
		swp_entry_t e = swap_alloc_slot_locked();
		if (e.val) {
			cache_insert_locked(f, e, FRAME_DIRTY);
			frame_get(pa);   /* the cache's */
			(*swap_map_locked(e))++;
		} else {
			err = -ENOSPC;
		}
		*out = e;
	}
	spin_unlock(&swap_lock);
	return err;
}

/* Only the holder's reference and the cache's, dirty, no I/O: it must
 * be written before it can go. swap_lock held. */
static bool must_write_locked(struct frame *f)
{
	return (f->flags & FRAME_SWAPCACHE) && !(f->flags & FRAME_BUSY) && (f->flags & FRAME_DIRTY) &&
	       refs(f) == 2;
}

/* Write the frames of pas that must be written, all at once. */
static void write_batch(const paddr_t *pas, int n)
{
	struct swap_iov v[SWAP_IO_BATCH];
	int k = 0;
	spin_lock(&swap_lock);
	for (int i = 0; i < n && k < SWAP_IO_BATCH; i++) {
		struct frame *f = frame_of(pas[i]);
		if (!must_write_locked(f))
			continue;
		f->flags = (f->flags | FRAME_WRITEBACK) & ~FRAME_DIRTY;
		v[k++] = (struct swap_iov){ { f->swapc.entry }, true, pas[i], 0 };
	}
	spin_unlock(&swap_lock);
	if (!k)
		return;
	swap_io_many(v, k);
	spin_lock(&swap_lock);
	for (int i = 0; i < k; i++) {
		struct frame *f = frame_of(v[i].pa);
		f->flags &= ~FRAME_WRITEBACK;
		if (v[i].err)
			f->flags |= FRAME_DIRTY;   /* stays in memory; tried again later */
	}
	spin_unlock(&swap_lock);
	wake_up(&swap_io_wq);
	for (int i = 0; i < k; i++)
		if (!v[i].err)
			__atomic_add_fetch(&swap_stats.pswpout, 1, __ATOMIC_RELAXED);
}

/* Drop the holder's reference to pa, freeing it (out of the cache) if
 * the cache held it alone and clean. True if freed. */
static bool release_one(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	spin_lock(&swap_lock);
	bool freed = (f->flags & FRAME_SWAPCACHE) && !(f->flags & (FRAME_DIRTY | FRAME_BUSY)) && refs(f) == 2;
	if (freed)
		cache_remove_locked(f);
	spin_unlock(&swap_lock);
	if (freed)
		frame_put(pa);   /* the cache's */
	user_page_put(pa);
	return freed;
}

uint64_t swap_out_release_many(const paddr_t *pas, int n)
{
	write_batch(pas, n);
	uint64_t freed = 0;
	for (int i = 0; i < n; i++)
		freed += release_one(pas[i]);
	return freed;
}

bool swap_out_release(paddr_t pa)
{
	return swap_out_release_many(&pa, 1);
}

/* Take up to max frames of chain b that only the cache holds, each with
 * a reference for the caller. A page read ahead and not used yet gets
 * one turn of the hand's grace (FRAME_RA_AGED), as Linux's LRU keeps a
 * young readahead page: in a sequential sweep it is the very page the
 * next fault wants, and freeing it first meant reading it again.
 * swap_lock held. */
static int take_idle_locked(unsigned b, paddr_t *out, int max)
{
	int n = 0;
	for (struct frame *f = chains[b]; f && n < max; f = f->swapc.next) {
		if ((f->flags & FRAME_BUSY) || refs(f) != 1)
			continue;
		if ((f->flags & (FRAME_READAHEAD | FRAME_RA_AGED)) == FRAME_READAHEAD) {
			f->flags |= FRAME_RA_AGED;
			continue;
		}
		frame_get(frame_addr(f));
		out[n++] = frame_addr(f);
	}
	return n;
}

uint64_t swap_cache_shrink(uint64_t want)
{
	uint64_t freed = 0;
	for (unsigned k = 0; k < CACHE_BUCKETS && freed < want; k++) {
		paddr_t got[SHRINK_BATCH];
		spin_lock(&swap_lock);
		if (!cached) {
			spin_unlock(&swap_lock);
			break;
		}
		unsigned b = shrink_hand++ % CACHE_BUCKETS;
		int n = take_idle_locked(b, got, SHRINK_BATCH);
		spin_unlock(&swap_lock);
		freed += swap_out_release_many(got, n);
	}
	return freed;
}

/* A frame of area type in chain b, with a reference; NULL if none. */
static struct frame *take_of_area_locked(unsigned b, unsigned type)
{
	for (struct frame *f = chains[b]; f; f = f->swapc.next)
		if (swp_type((swp_entry_t){ f->swapc.entry }) == type) {
			frame_get(frame_addr(f));
			return f;
		}
	return NULL;
}

void swap_cache_drop_area(unsigned type)
{
	for (unsigned b = 0; b < CACHE_BUCKETS; ) {
		spin_lock(&swap_lock);
		struct frame *f = take_of_area_locked(b, type);
		bool busy = f && (f->flags & FRAME_BUSY);
		if (f && !busy)
			cache_remove_locked(f);
		spin_unlock(&swap_lock);
		if (!f) {
			b++;
			continue;
		}
		if (busy)
			wait_event(swap_io_wq, !(frame_bits(f) & FRAME_BUSY));
		else
			frame_put(frame_addr(f));   /* the cache's */
		frame_put(frame_addr(f));           /* ours */
	}
}

uint64_t swap_cache_idle_pages(void)
{
	uint64_t n = 0;
	if (!swap_cache_pages())
		return 0;   /* the usual case: no walk of the empty chains */
	spin_lock(&swap_lock);
	for (unsigned b = 0; b < CACHE_BUCKETS; b++)
		for (struct frame *f = chains[b]; f; f = f->swapc.next)
			n += !(f->flags & FRAME_BUSY) && refs(f) == 1;
	spin_unlock(&swap_lock);
	return n;
}

uint64_t swap_cache_pages(void)
{
	return __atomic_load_n(&cached, __ATOMIC_RELAXED);
}

bool swap_cache_has(swp_entry_t e)
{
	spin_lock(&swap_lock);
	bool has = cache_find_locked(e) != NULL;
	spin_unlock(&swap_lock);
	return has;
}
