/*
 * swap.h - swap areas, swap entries and the swap cache (docs/swap.md).
 *
 * A swap area is a device (or, in host tests, a fake) laid out in
 * Linux's SWAPSPACE2 format: page 0 is the header, every other page a
 * slot. A page that was sent out is named by a swap entry, (type, offset):
 * the area's index and the slot. A page-table entry of a swapped page
 * holds it (arch.h: pte_make_swap), as does the page index of a shared
 * anonymous object (mm/shmem.c).
 *
 * Each slot has a count, as Linux's swap_map: the page-table entries and
 * shmem index entries naming it, plus the SWAP_HAS_CACHE mark while a
 * frame for it is in the swap cache. The slot is free when both are gone.
 *
 * The swap cache maps entries to frames: a page on its way out, or read
 * back in, stays there so that every process naming the entry maps the
 * same frame (copy-on-write sharing survives a trip to disk), and so
 * that a page read back and not written need not be written again while
 * its slot is kept. A frame in the cache holds one reference for it.
 *
 * Locks: swap_lock (a spinlock) guards the areas' slot counts and
 * cursors, the cache's hash chains and the FRAME_SWAPCACHE, LOCKED,
 * DIRTY and IOERR bits of frames; swapon_mutex serialises swapon and
 * swapoff. I/O runs with neither held; a frame under I/O is
 * FRAME_LOCKED and waiters sleep on swap_io_wq.
 */
#ifndef ASPEN_MM_SWAP_H
#define ASPEN_MM_SWAP_H
#include "lib/kernel.h"
#include "arch.h"

#define MAX_SWAPFILES PTE_SWAP_TYPES

/* A swap entry: val 0 is no entry (slot 0 is always the header). */
typedef struct {
	uint64_t val;
} swp_entry_t;

#define SWP_TYPE_SHIFT 58
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)

static inline swp_entry_t swp_entry(unsigned type, uint64_t offset)
{
	return (swp_entry_t){ ((uint64_t)type << SWP_TYPE_SHIFT) | offset };
}
static inline unsigned swp_type(swp_entry_t e) { return (unsigned)(e.val >> SWP_TYPE_SHIFT); }
static inline uint64_t swp_offset(swp_entry_t e) { return e.val & SWP_OFFSET_MASK; }
static inline pte_t swp_entry_to_pte(swp_entry_t e) { return pte_make_swap(swp_type(e), swp_offset(e)); }
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	return swp_entry(pte_swap_type(pte), pte_swap_offset(pte));
}

/* One page of I/O between a frame and a slot. */
struct swap_iov {
	swp_entry_t entry;
	bool write;
	paddr_t pa;
	int err;                 /* set when done: 0 or -EIO */
};

/* How an area reaches its storage: rw moves one page between frame pa
 * and slot `page`; 0 or -EIO. rw_many does n page I/Os of this area at
 * once (each v[i]->err set) and waits for them all; NULL: one rw each.
 * Both may sleep. release ends the use of dev. */
struct swap_io {
	int (*rw)(void *dev, bool write, uint64_t page, paddr_t pa);
	void (*rw_many)(void *dev, struct swap_iov *const *v, int n);
	void (*release)(void *dev);
};

/* ---- the on-disk header (Linux's union swap_header) ---- */
#define SWAP_MAGIC "SWAPSPACE2"
#define SWAP_MAGIC_LEN 10
#define SWAP_HEADER_INFO 1024                /* bytes of boot bits before the info */
#define SWAP_HEADER_BADPAGES 1536            /* offset of badpages[] */
#define MAX_SWAP_BADPAGES ((PAGE_SIZE - SWAP_HEADER_BADPAGES - SWAP_MAGIC_LEN) / 4)

struct swap_header_info {
	uint64_t pages;          /* slots, the header's included (last_page + 1) */
	uint32_t nr_bad;
	uint32_t bad[MAX_SWAP_BADPAGES];
	uint8_t uuid[16];
	char label[17];
};
/* swap_header_parse - read the header page hdr of a device dev_pages
 * long (0: unknown). 0 or -EINVAL (no signature, wrong version, empty,
 * longer than the device, bad-page list out of range). Pure. */
int swap_header_parse(const void *hdr, uint64_t dev_pages, struct swap_header_info *out);

/* ---- areas (mm/swapfile.c) ---- */
/* swapon(2)'s flags. */
#define SWAP_FLAG_PREFER 0x8000
#define SWAP_FLAG_PRIO_MASK 0x7fff
#define SWAP_FLAG_DISCARD 0x10000
#define SWAP_FLAG_DISCARD_ONCE 0x20000
#define SWAP_FLAG_DISCARD_PAGES 0x40000
#define SWAP_FLAGS_VALID (SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | \
			  SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES)

struct inode;
/* swap_area_add - enable an area whose header page is hdr, dev_pages
 * long, reached through io/dev, for the device node `node` (counted
 * reference taken) called `name`. flags as swapon's. Returns the type
 * (>= 0) or -EINVAL (header), -EBUSY (node already in use), -EPERM (all
 * MAX_SWAPFILES in use), -ENOMEM. On failure io->release is not called.
 * Takes swapon_mutex; may sleep. */
int swap_area_add(const void *hdr, uint64_t dev_pages, const struct swap_io *io, void *dev,
		  struct inode *node, const char *name, int flags);
/* swap_area_remove - swapoff of the area of `node`: stop new page-outs
 * to it, bring every page back (swap_unuse), then free it. 0, -EINVAL
 * (not an area), -ENOMEM (memory ran out: the area is enabled again).
 * Takes swapon_mutex; may sleep. */
int swap_area_remove(struct inode *node);

/* What /proc/swaps and meminfo show of one area. */
struct swap_area_info {
	const char *name;
	bool is_block;
	uint64_t size_pages, used_pages;
	int prio;
};
/* swap_area_get_info - area i (0 .. MAX_SWAPFILES-1) if in use: 1 and *out
 * filled (name valid while swapon_mutex is held: call swap_areas_lock
 * around), else 0. */
int swap_area_get_info(int i, struct swap_area_info *out);
void swap_areas_lock(void);
void swap_areas_unlock(void);
/* swap_totals - pages of swap in all areas, and free pages. No lock. */
void swap_totals(uint64_t *total, uint64_t *free);
/* swap_space_left - free slots that page-out can still use. */
uint64_t swap_space_left(void);
/* swap_is_full - more than half the swap space is in use (Linux's
 * vm_swap_full: a page read back then loses its slot). */
bool swap_is_full(void);

/* Slot counts (swap_lock taken inside). */
/* swap_dup - one more reference to e (fork copying a swap PTE); 0, or
 * -ENOMEM when the count is at its maximum or e is not valid. */
int swap_dup(swp_entry_t e);
/* swap_free - drop a reference to e; the slot (and a cached frame for it
 * that nobody maps) is freed when the last goes. */
void swap_free(swp_entry_t e);
/* swap_count - the references to e (the cache mark not counted). */
uint32_t swap_count(swp_entry_t e);

/* swap_for_each_area - fn(type, pages, map, arg) for each area in use,
 * map[0 .. pages) its slots' count words (SWAP_HAS_CACHE, SWAP_MAP_BAD
 * included). For vmcheck's census, which has every other CPU stopped;
 * takes swap_lock; fn must not sleep. */
void swap_for_each_area(void (*fn)(unsigned type, uint64_t pages, const uint16_t *map, void *arg), void *arg);

/* ---- the swap cache and swap I/O (mm/swap_state.c) ---- */
/* swap_read_page - the frame holding e's page, with a reference for the
 * caller: found in the cache, or read into a new frame added to it.
 * Waits for I/O in flight. 0 (found in the cache) or 1 (read from the
 * device: a major fault) with *pa; -ENOMEM (no frame), -EIO (the read
 * failed), -EINVAL (e names no slot in use). May sleep. */
int swap_read_page(swp_entry_t e, paddr_t *pa);
/* swap_cache_reuse - the caller maps pa alone (its only reference besides
 * the cache's) and no page table or shmem index names its slot: take pa
 * out of the cache and free the slot, so that the caller may write it.
 * True if done (or pa was not in the cache and the caller's alone). */
bool swap_cache_reuse(paddr_t pa);
/* swap_cache_delete - take pa out of the cache whoever else holds it
 * (waiting for I/O in flight on it), freeing its slot: for a caller that
 * holds a reference and the slot's last name (shmem swap-in: a page is
 * in an object's index or in swap, never both). Other holders see a
 * frame out of the cache and only drop their references. May sleep. */
void swap_cache_delete(paddr_t pa);
/* user_page_put - drop a page table's reference to pa; a swap-cache
 * frame that then only the cache holds, whose slot nobody names, is
 * freed with its slot. */
void user_page_put(paddr_t pa);
/* swap_out_entry - page-out of one page-table reference to pa: pa joins
 * the cache (with a new slot, dirty) if not there yet, and the caller
 * gets a counted swap entry to store in place of its present entry. The
 * caller's reference to pa stays its own (give it to swap_out_release
 * after the TLB flush). 0, or -ENOSPC (no free slot) / -ENOMEM (count
 * full). */
int swap_out_entry(paddr_t pa, swp_entry_t *out);
/* swap_out_release - the reference that was a page table's is dropped;
 * if only the cache holds pa now, write it if dirty and free it.
 * Returns true if the frame was freed. May sleep (I/O). */
bool swap_out_release(paddr_t pa);
/* swap_out_release_many - the same for n frames (n at most
 * SWAP_IO_BATCH), their writes issued together. Returns frames freed. */
uint64_t swap_out_release_many(const paddr_t *pas, int n);
/* swap_cache_shrink - free up to n frames that only the cache holds
 * (writing dirty ones): the cache's own clock. Returns frames freed. */
uint64_t swap_cache_shrink(uint64_t n);
/* swap_cache_drop_area - take every cached frame of area type out of
 * the cache (swapoff, once no entry names the area). */
void swap_cache_drop_area(unsigned type);
/* swap_page_cluster - a fault that reads swap reads the aligned group of
 * 2^this slots around it into the cache (at most 8; 0: no readahead), as
 * Linux's vm.page-cluster. */
extern unsigned swap_page_cluster;
/* swap_cache_idle_pages - frames only the cache holds (no mapping, no
 * I/O): what swap_cache_shrink could free. A snapshot; walks every
 * chain under swap_lock when the cache holds anything (the count moves
 * with every mapping of a cached frame, so it is not kept running). */
uint64_t swap_cache_idle_pages(void);
/* swap_cache_has - is a frame for e in the cache (mincore)? */
bool swap_cache_has(swp_entry_t e);
/* swap_cache_pages - frames in the swap cache (SwapCached). */
uint64_t swap_cache_pages(void);

/* ---- shared anonymous memory in swap (mm/shmem_swap.c) ----
 * A page-tree slot of a shared anonymous object holds a frame, or a swap
 * entry shifted left with SHMEM_SLOT_SWAPPED set (frames are page
 * aligned, so bit 0 tells them apart). The object's inode->lock guards
 * the slots. */
#define SHMEM_SLOT_SWAPPED 1UL
struct inode;
/* shmem_slot_swap_in - read the page of a swapped slot back; the slot
 * then holds the frame, which is returned (0 if the read or the frame
 * failed: the slot keeps the entry). inode->lock held; may sleep. */
paddr_t shmem_slot_swap_in(uint64_t *slot);
/* shmem_slot_free - the slot of a freed page held this swap entry. */
void shmem_slot_free(uint64_t slot);
/* shmem_writeout - page-out of page index of shared anonymous object ip,
 * frame pa, whose last mapping the caller just removed (it holds that
 * reference, which is dropped here): if only the object holds pa now,
 * the slot gets a swap entry and pa is written and freed. Tries
 * ip->lock (a busy object keeps its page); may sleep. Returns true if pa
 * was freed. */
bool shmem_writeout(struct inode *ip, uint64_t index, paddr_t pa);
/* shmem_page_resident - is page index of shared anonymous object ip in
 * RAM (its own frame, or its swap entry's page in the swap cache)?
 * Reads nothing back, as Linux's mincore. Takes ip->lock. */
bool shmem_page_resident(struct inode *ip, uint64_t index);

/* ---- internal to mm/ (swapfile.c <-> swap_state.c) ---- */
struct spinlock;
extern struct spinlock swap_lock;
/* swap_alloc_slot_locked - a free slot of the best area, marked
 * SWAP_HAS_CACHE; {0} when none. */
swp_entry_t swap_alloc_slot_locked(void);
/* swap_map_locked - the count word of e's slot, or NULL if e is invalid. */
uint16_t *swap_map_locked(swp_entry_t e);
/* swap_io_rw - page I/O on e's area; 0 or -EIO. No lock held; may sleep. */
int swap_io_rw(swp_entry_t e, bool write, paddr_t pa);
/* swap_io_many - n page I/Os, any areas, issued together; each v[i].err
 * set. n at most SWAP_IO_BATCH. No lock held; may sleep. */
#define SWAP_IO_BATCH 64
void swap_io_many(struct swap_iov *v, int n);
/* swap_cache_drop_unused_locked - e's count just reached 0 with a
 * frame cached: take the frame out of the cache if nobody else holds
 * it (the slot is then free). Returns the frame for the caller to
 * frame_put after unlocking, or 0. swap_lock held. */
paddr_t swap_cache_drop_unused_locked(swp_entry_t e);
/* swap_entry_writeok_locked - may page-out add references to e's area? */
bool swap_entry_writeok_locked(swp_entry_t e);
/* swap_slot_uncache_locked - the cache let go of e's frame: clear the
 * mark, freeing the slot if nothing else names it. */
void swap_slot_uncache_locked(swp_entry_t e);
/* swap_unuse - bring back every page of area type that a page table or
 * a shared anonymous object still names (swapoff); 0 or -ENOMEM. */
int swap_unuse(unsigned type);

/* Slot count word: references, the cache mark, the bad mark. */
#define SWAP_HAS_CACHE 0x8000
#define SWAP_MAP_BAD 0x4000
#define SWAP_COUNT_MASK 0x3fff
#define SWAP_COUNT_MAX 0x3ffe

/* Counters for /proc/vmstat (atomic). */
struct swap_stats {
	uint64_t pswpin, pswpout;      /* pages read from and written to swap */
	uint64_t pgmajfault;           /* faults that read swap */
	uint64_t pgscan, pgsteal;      /* pages the reclaim clock looked at, freed */
	uint64_t oom_kill;
};
extern struct swap_stats swap_stats;
#endif
