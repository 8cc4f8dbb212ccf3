/*
 * frame.h - the physical frame allocator.
 *
 * Every 4 KiB frame of RAM has a struct frame in one array indexed by
 * frame number. Free frames are kept by a buddy allocator (orders 0 to
 * FRAME_MAX_ORDER) so that kernel stacks and large kmalloc blocks get
 * contiguous memory. A frame in use carries a reference count: the
 * number of page-table entries, page caches and kernel users holding it.
 * Copy-on-write fork relies on it: a frame mapped by parent and child
 * has refcount 2, and the last frame_put() frees it.
 *
 * Locks: frame_lock guards the free lists and the counters. Reference
 * counts are atomic and need no lock.
 */
#ifndef ASPEN_MM_FRAME_H
#define ASPEN_MM_FRAME_H
#include "lib/kernel.h"
#include "lib/list.h"

#define FRAME_MAX_ORDER 10  /* largest block: 2^10 frames = 4 MiB */

/* Frame flags. */
#define FRAME_RESERVED  0x1  /* not RAM we manage (firmware, kernel image) */
#define FRAME_FREE      0x2  /* on a buddy free list; `order` is valid */
#define FRAME_KERNEL    0x4  /* allocated for kernel use (kmalloc, stacks) */
#define FRAME_SLAB      0x8  /* owned by a kmalloc slab; `slab` is valid */
#define FRAME_FILE      0x10 /* holds file contents (page cache of tmpfs) */
/* A user page in the swap cache (mm/swap.h); these bits and `swapc` are
 * guarded by swap_lock. */
#define FRAME_SWAPCACHE 0x20 /* in the swap cache: swapc.entry names its slot */
#define FRAME_LOCKED    0x40 /* being read from swap: wait on swap_io_wq */
#define FRAME_DIRTY     0x80 /* newer than its slot: write before freeing */
#define FRAME_IOERR     0x100 /* its read failed: whoever waited gets -EIO */
#define FRAME_WRITEBACK 0x200 /* being written to swap: keep it in the cache */
#define FRAME_PTABLE    0x400 /* a page-table page (its refcount: the address spaces using it) */
#define FRAME_READAHEAD 0x800 /* read ahead, not asked for yet (the first use is a hit) */
#define FRAME_RA_AGED   0x1000 /* read ahead and passed once by the cache's clock: freed next time */

struct frame {
	uint32_t refcount;       /* atomic; 0 when free */
	uint32_t pins;           /* atomic: of which frame_pin's temporary ones */
	uint16_t flags;          /* FRAME_*; guarded by frame_lock while free */
	uint16_t order;          /* buddy order while FRAME_FREE, or of the allocation head */
	union {
		struct list_head free_link; /* on a free list (frame_lock) */
		void *slab;                 /* FRAME_SLAB: the slab header */
		uint64_t pt_used;           /* FRAME_PTABLE, last level: blocks of entries
					     * that may be used (mm/pagetable.c; mm->lock
					     * of its one user, never changed while shared) */
		struct {                    /* FRAME_SWAPCACHE (swap_lock) */
			uint64_t entry;     /* its swap entry (swp_entry_t) */
			struct frame *next; /* in the swap cache's hash chain */
		} swapc;
	};
};

struct frame_stats {
	uint64_t total;   /* frames of usable RAM managed */
	uint64_t free;    /* frames on the free lists */
	uint64_t used;    /* total - free */
};

/* frame_init - set up the frame array for physical addresses [0, max_pa).
 * meta points to zeroed memory of frame_meta_size(max_pa) bytes, already
 * excluded from the ranges later given to frame_add_range. All frames
 * start reserved. Boot only, one CPU. */
size_t frame_meta_size(paddr_t max_pa);
void frame_init(struct frame *meta, paddr_t max_pa);
/* frame_add_range - give the usable RAM [start, end) to the allocator
 * (rounded inward to whole frames). Boot only. */
void frame_add_range(paddr_t start, paddr_t end);

/* alloc_fail_hook - fault injection (mm/fail_alloc.c), when set: asked
 * before each allocation what it is (ALLOC_FRAME, ALLOC_KMALLOC); true
 * makes it fail. NULL (no injection) in host tests and by default. */
#define ALLOC_FRAME 1
#define ALLOC_KMALLOC 2
extern bool (*alloc_fail_hook)(unsigned what);

/* frame_alloc_order - allocate 2^order contiguous frames, refcount 1 on
 * the first, contents undefined. Returns the physical address, or 0 when
 * no block is free (frame 0 is never handed out). Takes frame_lock; does
 * not sleep. */
paddr_t frame_alloc_order(unsigned order);
/* frame_alloc_kernel - frame_alloc_order for the kernel's own use (stacks,
 * rings, buffers): marked FRAME_KERNEL, so vmcheck's census expects no
 * holder for it. Free with frame_free_order. */
paddr_t frame_alloc_kernel(unsigned order);
/* frame_alloc - one frame, contents undefined; 0 when memory is exhausted. */
paddr_t frame_alloc(void);
/* frame_alloc_zeroed - one zero-filled frame; 0 when exhausted. */
paddr_t frame_alloc_zeroed(void);
/*
 * Watermarks, in free frames. An ordinary allocation leaves `min` frames
 * free: what a user asks of the kernel (fork, page tables, buffers)
 * fails with ENOMEM while a reserve remains, so running processes can
 * still fault their pages in. A fault may go down to min/2, the
 * reclaimer (kswapd, swap I/O) to nothing: frame_floor says which
 * applies to the caller (mm/reclaim.c sets it). Below `low` kswapd is
 * woken; it works until `high`. All zero until set at boot.
 */
struct frame_watermarks {
	uint64_t min, low, high;
};
extern struct frame_watermarks frame_wmark;
/* frame_floor - free frames the caller must leave; NULL: frame_wmark.min. */
extern uint64_t (*frame_floor)(void);
/* frame_reclaim - called when an allocation of 2^order frames found none
 * it could take: free some (if the caller may sleep) and return true to
 * try again. NULL: fail at once. Set by mm/kswapd.c. */
extern bool (*frame_reclaim)(unsigned order);
/* frames_free - free frames now (a snapshot, no lock). */
uint64_t frames_free(void);
/* frames_total - frames of usable RAM managed (fixed after boot: no lock). */
uint64_t frames_total(void);

/* frame_free_order - return a block from frame_alloc_order(order) whatever
 * its refcount. */
void frame_free_order(paddr_t pa, unsigned order);

/* frame_get - take one more reference to an allocated frame; returns
 * the count it made. */
uint32_t frame_get(paddr_t pa);
/* frame_put - drop a reference; frees the frame (order 0) at zero.
 * Returns the count left. */
uint32_t frame_put(paddr_t pa);
/* frame_pin / frame_unpin - frame_get / frame_put for a temporary
 * reference that kernel code holds across a sleep (a page-cache page
 * being copied to user memory), also counted in frame->pins so that
 * vmcheck's census can tell it from a leak. frame_pin_ref /
 * frame_unpin_ref - the same mark on a reference the caller has already
 * (a new frame it fills, sleeping, before mapping it). */
void frame_pin(paddr_t pa);
void frame_unpin(paddr_t pa);
void frame_pin_ref(paddr_t pa);
void frame_unpin_ref(paddr_t pa);
/* frame_put_unless_last - drop a reference unless it is the last one;
 * returns the count left, or 0 when the caller's was the last: then
 * nothing changed and the caller alone holds the frame. Lock-free. */
uint32_t frame_put_unless_last(paddr_t pa);
/* frame_refcount - the current count (a snapshot). */
uint32_t frame_refcount(paddr_t pa);

/* frame_nr - frames in the frame array: every frame number is below it. */
uint64_t frame_nr(void);
/* frame_of / frame_addr - metadata <-> physical address. */
struct frame *frame_of(paddr_t pa);
paddr_t frame_addr(const struct frame *f);

void frame_get_stats(struct frame_stats *out);
/* frames_in_use - frames handed out and not yet freed (leak checks). */
uint64_t frames_in_use(void);
#endif
