/*
 * frame.c - the physical frame allocator: a binary buddy system.
 *
 * Free memory is kept as blocks of 2^order frames (order 0 to
 * FRAME_MAX_ORDER), each aligned to its own size, on one free list per
 * order. Only the first frame of a free block (its head) is on a list;
 * it carries FRAME_FREE and the block's order. The buddy of the block at
 * frame number pfn with order o is the block at pfn ^ (1 << o): freeing a
 * block merges it with its buddy while the buddy is free and of the same
 * order, so memory returns to large blocks as it is given back.
 *
 * Allocation takes the first block of the smallest nonempty order that
 * fits and splits it, giving the upper halves back to the lists: at most
 * FRAME_MAX_ORDER steps, whatever the amount of memory.
 *
 * Frame 0 stays reserved forever, so that 0 can mean "no frame".
 *
 * Locking: frame_lock (below) guards the free lists, the FRAME_FREE flag
 * and order of free frames, and the counters. Reference counts are
 * changed with atomic builtins and need no lock.
 */
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/phys.h"

/* Freed frames are filled with junk to catch use after free. It costs a
 * memset per free, so only the debug kernel (and host tests) do it; the
 * debug kernel also junk-fills RAM as it is handed over at boot and
 * checks, when a block is handed out again, that nobody wrote to it
 * while it was free (FRAME_CHECK_JUNK). */
#ifndef FRAME_JUNK_FILL
#if defined(HOST_TEST) || DEBUG_KERNEL
#define FRAME_JUNK_FILL 1
#else
#define FRAME_JUNK_FILL 0
#endif
#endif
#define FRAME_CHECK_JUNK DEBUG_KERNEL
#define FRAME_JUNK_BYTE 0x5a

static struct spinlock frame_lock = SPINLOCK_INIT("frame_lock");

/* The allocator's state; everything but frames/nframes is under frame_lock. */
static struct frame *frames;     /* one per frame of [0, max_pa) */
static uint64_t nframes;
static struct list_head free_lists[FRAME_MAX_ORDER + 1];
static uint64_t total_frames;    /* frames given by frame_add_range */
static uint64_t free_frames;     /* frames on the free lists */

struct frame_watermarks frame_wmark;         /* set once at boot (mm/reclaim.c) */
uint64_t (*frame_floor)(void);
bool (*frame_reclaim)(unsigned order);
#define RECLAIM_TRIES 8     /* frame_reclaim rounds before an allocation fails */

/* frames_free - a snapshot of the free count, read without the lock. */
uint64_t frames_free(void)
{
	return __atomic_load_n(&free_frames, __ATOMIC_RELAXED);
}

uint64_t frames_total(void)
{
	return __atomic_load_n(&total_frames, __ATOMIC_RELAXED);
}

/* May 2^order frames be taken now, leaving the caller's floor free?
 * frame_lock held. */
static bool may_take_locked(unsigned order)
{
	uint64_t floor = frame_floor ? frame_floor() : frame_wmark.min;
	return free_frames >= (1UL << order) + floor;
}

static inline uint64_t pfn_of(const struct frame *f) { return (uint64_t)(f - frames); }

/* frame_meta_size - bytes of struct frame needed to cover [0, max_pa). */
size_t frame_meta_size(paddr_t max_pa)
{
	return (PAGE_ROUND_UP(max_pa) >> PAGE_SHIFT) * sizeof(struct frame);
}

/* frame_init - adopt meta as the frame array for [0, max_pa), every frame
 * reserved (each byte written: meta need not be zeroed) and every list
 * empty. Boot only (host tests call it again to start afresh). */
void frame_init(struct frame *meta, paddr_t max_pa)
{
	frames = meta;
	nframes = PAGE_ROUND_UP(max_pa) >> PAGE_SHIFT;
	for (uint64_t i = 0; i < nframes; i++)
		frames[i] = (struct frame){ .flags = FRAME_RESERVED };
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		list_init(&free_lists[o]);
	total_frames = 0;
	free_frames = 0;
}

/* frame_nr - the size of the frame array. */
uint64_t frame_nr(void) { return nframes; }

/* frame_of - the metadata of the frame holding pa; panics beyond RAM. */
struct frame *frame_of(paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	if (unlikely(pfn >= nframes))
		panic("frame_of: 0x%lx beyond the frame array", (unsigned long)pa);
	return &frames[pfn];
}

/* frame_addr - the physical address of the frame f describes. */
paddr_t frame_addr(const struct frame *f)
{
	return pfn_of(f) << PAGE_SHIFT;
}

/* Put the free block with head f on the list of its order. */
static void push_free_locked(struct frame *f, unsigned order)
{
	f->flags = FRAME_FREE;
	f->order = order;
	list_add(&f->free_link, &free_lists[order]);
}

/* Take the free block with head f off its list; it is no head any more. */
static void pop_free_locked(struct frame *f)
{
	list_del(&f->free_link);
	f->flags = 0;
}

/* The buddy of the block at pfn if it is a free block of this order. */
static struct frame *free_buddy_locked(uint64_t pfn, unsigned order)
{
	uint64_t buddy = pfn ^ (1UL << order);
	if (buddy >= nframes)
		return NULL;
	struct frame *b = &frames[buddy];
	if (!(b->flags & FRAME_FREE) || b->order != order)
		return NULL;
	return b;
}

/* Give the block [pfn, pfn + 2^order) back, merging it with free buddies
 * for as long as there are any. */
static void free_block_locked(uint64_t pfn, unsigned order)
{
	free_frames += 1UL << order;
	while (order < FRAME_MAX_ORDER) {
		struct frame *b = free_buddy_locked(pfn, order);
		if (!b)
			break;
		pop_free_locked(b);
		pfn &= ~(1UL << order);
		order++;
	}
	push_free_locked(&frames[pfn], order);
}

/* The largest order of a block that starts at pfn and ends by end. */
static unsigned largest_order_at(uint64_t pfn, uint64_t end)
{
	unsigned order = 0;
	while (order < FRAME_MAX_ORDER && !(pfn & (1UL << order)) &&
	       pfn + (2UL << order) <= end)
		order++;
	return order;
}

/* frame_add_range - give the usable RAM [start, end) to the allocator,
 * rounded inward to whole frames; frame 0 and anything past the frame
 * array are left out. Panics if part of it was given before. Boot only;
 * takes frame_lock. */
void frame_add_range(paddr_t start, paddr_t end)
{
	uint64_t pfn = PAGE_ROUND_UP(start) >> PAGE_SHIFT;
	uint64_t last = MIN(PAGE_ROUND_DOWN(end) >> PAGE_SHIFT, nframes);

	spin_lock(&frame_lock);
	for (pfn = MAX(pfn, 1); pfn < last; ) {
		unsigned order = largest_order_at(pfn, last);
		uint64_t n = 1UL << order;
		for (uint64_t i = pfn; i < pfn + n; i++) {
			if (!(frames[i].flags & FRAME_RESERVED))
				panic("frame_add_range: frame 0x%lx given twice", (unsigned long)i);
			frames[i].flags = 0;
		}
		total_frames += n;
		if (FRAME_CHECK_JUNK)
			memset(phys_to_virt(pfn << PAGE_SHIFT), FRAME_JUNK_BYTE, n << PAGE_SHIFT);
		free_block_locked(pfn, order);
		pfn += n;
	}
	spin_unlock(&frame_lock);
}

/* Take a free block of exactly this order, splitting a larger one if
 * need be; NULL when none is large enough. */
static struct frame *take_block_locked(unsigned order)
{
	unsigned o = order;
	while (o <= FRAME_MAX_ORDER && list_empty(&free_lists[o]))
		o++;
	if (o > FRAME_MAX_ORDER)
		return NULL;
	struct frame *f = list_first_entry(&free_lists[o], struct frame, free_link);
	pop_free_locked(f);
	while (o > order) {
		o--;
		push_free_locked(f + (1UL << o), o);
	}
	free_frames -= 1UL << order;
	return f;
}

/* frame_alloc_order - 2^order contiguous frames, aligned to their size,
 * refcount 1 and the order recorded on the first. Returns the physical
 * address, or 0 when no block is free. Takes frame_lock; sleeps only in
 * frame_reclaim, which does nothing unless the caller may sleep. */
bool (*alloc_fail_hook)(unsigned what);

/* The debug kernel: a block handed out must still hold the junk it was
 * filled with when freed; anything else was written after the free. */
static void check_junk(struct frame *f, unsigned order)
{
	const uint64_t *w = phys_to_virt(frame_addr(f));
	uint64_t junk = 0x0101010101010101UL * FRAME_JUNK_BYTE;
	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(*w); i++)
		if (w[i] != junk)
			panic("frame 0x%lx written after it was freed: offset 0x%lx holds 0x%lx",
			      (unsigned long)frame_addr(f), (unsigned long)(i * sizeof(*w)), (unsigned long)w[i]);
}

paddr_t frame_alloc_order(unsigned order)
{
	if (order > FRAME_MAX_ORDER)
		return 0;
	if (unlikely(alloc_fail_hook) && alloc_fail_hook(ALLOC_FRAME))
		return 0;
	struct frame *f;
	for (int tries = 0; ; tries++) {
		spin_lock(&frame_lock);
		f = may_take_locked(order) ? take_block_locked(order) : NULL;
		spin_unlock(&frame_lock);
		if (f || tries == RECLAIM_TRIES || !frame_reclaim || !frame_reclaim(order))
			break;
	}
	if (!f)
		return 0;
	if (FRAME_CHECK_JUNK)
		check_junk(f, order);
	f->flags = 0;
	f->order = order;
	f->slab = NULL;
	f->pins = 0;
	__atomic_store_n(&f->refcount, 1, __ATOMIC_RELAXED);
	return frame_addr(f);
}

paddr_t frame_alloc_kernel(unsigned order)
{
	paddr_t pa = frame_alloc_order(order);
	if (pa)
		frame_of(pa)->flags |= FRAME_KERNEL;
	return pa;
}

/* frame_alloc - one frame, refcount 1, contents undefined; 0 when memory
 * is exhausted. Takes frame_lock; does not sleep. */
paddr_t frame_alloc(void)
{
	return frame_alloc_order(0);
}

/* frame_alloc_zeroed - one zero-filled frame, refcount 1; 0 when memory
 * is exhausted. Takes frame_lock; does not sleep. */
paddr_t frame_alloc_zeroed(void)
{
	paddr_t pa = frame_alloc_order(0);
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* Give the block with head f back; its last reference is gone. */
static void release_block(struct frame *f, unsigned order)
{
	if (FRAME_JUNK_FILL)
		memset(phys_to_virt(frame_addr(f)), FRAME_JUNK_BYTE, PAGE_SIZE << order);
	spin_lock(&frame_lock);
	f->flags = 0;
	free_block_locked(pfn_of(f), order);
	spin_unlock(&frame_lock);
}

/* frame_free_order - give back a block from frame_alloc_order(order),
 * whatever its refcount. Panics on a misaligned, reserved or already
 * free block. Takes frame_lock; does not sleep. */
void frame_free_order(paddr_t pa, unsigned order)
{
	struct frame *f = frame_of(pa);

	if (order > FRAME_MAX_ORDER || (pfn_of(f) & ((1UL << order) - 1)) || !IS_PAGE_ALIGNED(pa))
		panic("frame_free_order: bad block 0x%lx order %u", (unsigned long)pa, order);
	if (f->flags & FRAME_RESERVED)
		panic("frame_free_order: 0x%lx is reserved", (unsigned long)pa);
	/* Every allocated head holds a reference: none means freed before. */
	if (__atomic_exchange_n(&f->refcount, 0, __ATOMIC_ACQ_REL) == 0)
		panic("frame_free_order: 0x%lx is already free", (unsigned long)pa);
	release_block(f, order);
}

/* frame_get - take one more reference to an allocated frame; returns
 * the count after. Panics if the frame is free. Lock-free; does not sleep. */
uint32_t frame_get(paddr_t pa)
{
	uint32_t old = __atomic_fetch_add(&frame_of(pa)->refcount, 1, __ATOMIC_RELAXED);
	if (unlikely(old == 0))
		panic("frame_get: 0x%lx is not allocated", (unsigned long)pa);
	return old + 1;
}

/* frame_put - drop a reference. The last one frees the block (order 0
 * for frame_alloc, the recorded order for frame_alloc_order). Returns
 * the count left; panics below zero. Lock-free unless it frees. */
uint32_t frame_put(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	uint32_t old = __atomic_fetch_sub(&f->refcount, 1, __ATOMIC_ACQ_REL);
	if (unlikely(old == 0))
		panic("frame_put: 0x%lx refcount below zero", (unsigned long)pa);
	if (old == 1)
		release_block(f, f->order);
	return old - 1;
}

void frame_pin_ref(paddr_t pa)
{
	__atomic_add_fetch(&frame_of(pa)->pins, 1, __ATOMIC_RELAXED);
}

void frame_unpin_ref(paddr_t pa)
{
	if (__atomic_fetch_sub(&frame_of(pa)->pins, 1, __ATOMIC_RELAXED) == 0)
		panic("frame_unpin_ref: 0x%lx is not pinned", (unsigned long)pa);
}

void frame_pin(paddr_t pa)
{
	frame_get(pa);
	frame_pin_ref(pa);
}

void frame_unpin(paddr_t pa)
{
	frame_unpin_ref(pa);
	frame_put(pa);
}

/* frame_put_unless_last - see frame.h: a compare-and-swap loop, so that
 * of two holders dropping at once exactly one learns it was last. */
uint32_t frame_put_unless_last(paddr_t pa)
{
	uint32_t *count = &frame_of(pa)->refcount;
	uint32_t old = __atomic_load_n(count, __ATOMIC_RELAXED);
	do {
		if (unlikely(old == 0))
			panic("frame_put_unless_last: 0x%lx is not allocated", (unsigned long)pa);
		if (old == 1)
			return 0;
	} while (!__atomic_compare_exchange_n(count, &old, old - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return old - 1;
}

/* frame_refcount - a snapshot of the reference count of pa's frame. */
uint32_t frame_refcount(paddr_t pa)
{
	return __atomic_load_n(&frame_of(pa)->refcount, __ATOMIC_RELAXED);
}

/* frame_get_stats - the counters, read together under frame_lock. */
void frame_get_stats(struct frame_stats *out)
{
	spin_lock(&frame_lock);
	out->total = total_frames;
	out->free = free_frames;
	out->used = total_frames - free_frames;
	spin_unlock(&frame_lock);
}

/* frames_in_use - frames handed out and not freed yet (for leak checks). */
uint64_t frames_in_use(void)
{
	struct frame_stats st;
	frame_get_stats(&st);
	return st.used;
}
