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
#include "mm/swap.h"
#include "mm/frame.h"
#include "sync/wait.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

#define CACHE_BITS 12
#define CACHE_BUCKETS (1u << CACHE_BITS)
#define SHRINK_BATCH 8          /* frames taken from one chain at a time */
#define FRAME_BUSY (FRAME_LOCKED | FRAME_WRITEBACK)

static struct frame *chains[CACHE_BUCKETS];    /* (swap_lock) */
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
	f->flags &= ~(FRAME_SWAPCACHE | FRAME_DIRTY);
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

/* Read e into the new frame pa, which is in the cache and LOCKED. */
static int read_into(swp_entry_t e, paddr_t pa)
{
	struct frame *f = frame_of(pa);
	frame_pin_ref(pa);   /* our reference, across the I/O (vmcheck) */
	int err = swap_io_rw(e, false, pa);
	frame_unpin_ref(pa);
	spin_lock(&swap_lock);
	f->flags &= ~FRAME_LOCKED;
	if (err) {
		f->flags |= FRAME_IOERR;
		cache_remove_locked(f);
	}
	spin_unlock(&swap_lock);
	wake_up(&swap_io_wq);
	if (err) {
		frame_put(pa);   /* the cache's */
		frame_put(pa);   /* ours */
		return -EIO;
	}
	__atomic_add_fetch(&swap_stats.pswpin, 1, __ATOMIC_RELAXED);
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
			spin_unlock(&swap_lock);
			if (fresh)
				frame_put(fresh);
			*out = frame_addr(f);
			return wait_read(f);
		}
		if (fresh) {
			cache_insert_locked(frame_of(fresh), e, FRAME_LOCKED);
			*swap_map_locked(e) |= SWAP_HAS_CACHE;
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

/* Write f (in the cache, dirty, held by the caller) to its slot. swap_lock
 * held on entry and on return; dropped for the I/O. */
static void write_back_locked(struct frame *f)
{
	swp_entry_t e = { f->swapc.entry };
	f->flags = (f->flags | FRAME_WRITEBACK) & ~FRAME_DIRTY;
	spin_unlock(&swap_lock);
	int err = swap_io_rw(e, true, frame_addr(f));
	spin_lock(&swap_lock);
	f->flags &= ~FRAME_WRITEBACK;
	if (err)
		f->flags |= FRAME_DIRTY;   /* stays in memory; tried again later */
	else
		__atomic_add_fetch(&swap_stats.pswpout, 1, __ATOMIC_RELAXED);
}

bool swap_out_release(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	bool freed = false, wrote = false;
	spin_lock(&swap_lock);
	if ((f->flags & FRAME_SWAPCACHE) && !(f->flags & FRAME_BUSY) && refs(f) == 2) {
		if (f->flags & FRAME_DIRTY) {
			write_back_locked(f);
			wrote = true;
		}
		freed = !(f->flags & (FRAME_DIRTY | FRAME_BUSY)) && (f->flags & FRAME_SWAPCACHE) && refs(f) == 2;
		if (freed)
			cache_remove_locked(f);
	}
	spin_unlock(&swap_lock);
	if (wrote)
		wake_up(&swap_io_wq);
	if (freed)
		frame_put(pa);
	user_page_put(pa);
	return freed;
}

/* Take up to max frames of chain b that only the cache holds, each with
 * a reference for the caller. swap_lock held. */
static int take_idle_locked(unsigned b, paddr_t *out, int max)
{
	int n = 0;
	for (struct frame *f = chains[b]; f && n < max; f = f->swapc.next)
		if (!(f->flags & FRAME_BUSY) && refs(f) == 1) {
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
		for (int i = 0; i < n; i++)
			freed += swap_out_release(got[i]);
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
