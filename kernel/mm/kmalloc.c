/*
 * kmalloc.c - the kernel heap.
 *
 * Small sizes (16 to 2048 bytes) come from one slab cache per power of
 * two. A slab is a single frame cut into objects of the cache's size;
 * its free objects are linked through their first word. The frame is
 * marked FRAME_SLAB and frame->slab points at the slab header, so kfree
 * finds the cache from the address alone. Slabs of small objects keep
 * their header at the start of the frame; for 512 bytes and up that
 * would waste an object, so the header is kmalloc'd apart (from a cache
 * of small objects, which never recurses).
 *
 * A slab with free objects is on its cache's partial list; a full slab
 * is on no list; a slab that becomes empty goes straight back to the
 * frame allocator, so that frames_in_use() returns to its baseline once
 * everything is freed.
 *
 * Larger sizes take a whole buddy block of 2^order frames, marked
 * FRAME_KERNEL, its order recorded on the head frame.
 *
 * Locking: each cache's lock guards its partial list and the free lists
 * and counts of its slabs. No cache lock is held while calling the frame
 * allocator or another cache.
 */
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/kmalloc_debug.h"
#include "mm/phys.h"

#define KMALLOC_MIN_SHIFT 4      /* 16 bytes */
#define KMALLOC_MAX_SHIFT 11     /* 2048 bytes */
#define KMALLOC_NCACHES (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)
#define SLAB_OFFSLAB_MIN 512     /* caches this large keep headers apart */

struct kmem_cache {
	struct spinlock lock;
	size_t size;                 /* object size, a power of two */
	struct list_head partial;    /* slabs with free objects (lock) */
};

struct slab {
	struct list_head link;       /* on cache->partial, or self-linked when full */
	struct kmem_cache *cache;
	void *base;                  /* the frame, in the direct map */
	void *free;                  /* first free object (cache->lock) */
	uint16_t inuse;              /* objects handed out (cache->lock) */
	uint16_t capacity;
};

struct free_object { struct free_object *next; };

#define CACHE_INIT(i, sz) [i] = { \
	.lock = SPINLOCK_INIT("kmalloc-" #sz), \
	.size = sz, \
	.partial = LIST_HEAD_INIT(kmalloc_caches[i].partial), \
}

/* kmalloc_caches[i] holds objects of 1 << (KMALLOC_MIN_SHIFT + i) bytes. */
static struct kmem_cache kmalloc_caches[KMALLOC_NCACHES] = {
	CACHE_INIT(0, 16), CACHE_INIT(1, 32), CACHE_INIT(2, 64), CACHE_INIT(3, 128),
	CACHE_INIT(4, 256), CACHE_INIT(5, 512), CACHE_INIT(6, 1024), CACHE_INIT(7, 2048),
};

/* The smallest shift with (1 << shift) >= n, for n >= 1. */
static unsigned ceil_log2(size_t n)
{
	return n <= 1 ? 0 : 64 - (unsigned)__builtin_clzl(n - 1);
}

static bool cache_offslab(const struct kmem_cache *c)
{
	return c->size >= SLAB_OFFSLAB_MIN;
}

/* Offset of the first object in a slab of c: after an on-slab header,
 * rounded up so that every object is aligned to its size. */
static size_t slab_first_offset(const struct kmem_cache *c)
{
	return cache_offslab(c) ? 0 : ALIGN_UP(sizeof(struct slab), c->size);
}

/* Cut a fresh frame into a slab for c; NULL when memory is exhausted.
 * Called without c->lock. */
static struct slab *slab_create(struct kmem_cache *c)
{
	paddr_t pa = frame_alloc();
	if (!pa)
		return NULL;
	char *base = phys_to_virt(pa);
	struct slab *s = cache_offslab(c) ? kmalloc(sizeof(*s)) : (struct slab *)base;
	if (!s) {
		frame_free_order(pa, 0);
		return NULL;
	}
	size_t first = slab_first_offset(c);
	if (DEBUG_KERNEL)
		kdbg_poison_slab(base + first, PAGE_SIZE - first);
	s->cache = c;
	s->base = base;
	s->inuse = 0;
	s->capacity = (PAGE_SIZE - first) / c->size;
	s->free = NULL;
	/* Link the objects in address order, the last one first. */
	for (size_t i = s->capacity; i-- > 0; ) {
		struct free_object *o = (struct free_object *)(base + first + i * c->size);
		o->next = s->free;
		s->free = o;
	}
	list_init(&s->link);
	struct frame *f = frame_of(pa);
	f->flags |= FRAME_SLAB;
	f->slab = s;
	return s;
}

/* Give an empty slab's frame (and its header if apart) back. Called
 * without c->lock; the slab is on no list. */
static void slab_destroy(struct slab *s)
{
	paddr_t pa = virt_to_phys(s->base);
	bool offslab = cache_offslab(s->cache);
	frame_of(pa)->slab = NULL;
	if (offslab)
		kfree(s);
	frame_free_order(pa, 0);
}

/* Take a free object from slab s; off the partial list when it fills. */
static void *slab_take_locked(struct slab *s)
{
	struct free_object *o = s->free;
	s->free = o->next;
	s->inuse++;
	if (!s->free)
		list_del(&s->link);
	return o;
}

/* Allocate one object from c; NULL when memory is exhausted. */
static void *cache_alloc(struct kmem_cache *c)
{
	spin_lock(&c->lock);
	struct slab *s = list_empty(&c->partial) ? NULL :
		list_first_entry(&c->partial, struct slab, link);
	if (!s) {
		spin_unlock(&c->lock);
		s = slab_create(c);
		if (!s)
			return NULL;
		/* Another CPU may have added a slab meanwhile. Take from the
		 * new one anyway, so that no slab sits on the list empty. */
		spin_lock(&c->lock);
		list_add(&s->link, &c->partial);
	}
	void *p = slab_take_locked(s);
	spin_unlock(&c->lock);
	return p;
}

/* Return object p to its slab s; the slab goes back to the frame
 * allocator when it is empty. */
static void cache_free(struct slab *s, void *p)
{
	struct kmem_cache *c = s->cache;
	size_t off = (char *)p - (char *)s->base;
	size_t first = slab_first_offset(c);
	if (off < first || (off - first) % c->size)
		panic("kfree: %p is not an object of kmalloc-%zu", p, c->size);

	spin_lock(&c->lock);
	if (s->inuse == 0)
		panic("kfree: %p freed twice (slab empty)", p);
	struct free_object *o = p;
	o->next = s->free;
	s->free = o;
	if (--s->inuse == 0) {
		list_del(&s->link);
		spin_unlock(&c->lock);
		slab_destroy(s);
		return;
	}
	if (s->inuse == s->capacity - 1)
		list_add(&s->link, &c->partial);
	spin_unlock(&c->lock);
}

/* kmalloc - size bytes aligned to min(size rounded up to a power of two,
 * PAGE_SIZE). NULL when memory is exhausted, size is 0 or larger than
 * the largest buddy block. Takes a cache lock or frame_lock; does not
 * sleep. */
static void *kmalloc_for(size_t size, uint64_t caller, uint64_t caller2)
{
	if (size == 0 || size > (PAGE_SIZE << FRAME_MAX_ORDER))
		return NULL;
	if (unlikely(alloc_fail_hook) && alloc_fail_hook(ALLOC_KMALLOC))
		return NULL;
	size_t want = DEBUG_KERNEL ? kdbg_object_size(size) : size;
	unsigned shift = ceil_log2(want);
	if (shift <= KMALLOC_MAX_SHIFT) {
		struct kmem_cache *c = &kmalloc_caches[MAX(shift, KMALLOC_MIN_SHIFT) - KMALLOC_MIN_SHIFT];
		void *p = cache_alloc(c);
		return DEBUG_KERNEL && p ? kdbg_wrap(p, c->size, size, caller, caller2) : p;
	}
	paddr_t pa = frame_alloc_kernel(MAX(ceil_log2(size), PAGE_SHIFT) - PAGE_SHIFT);
	if (!pa)
		return NULL;
	if (DEBUG_KERNEL)
		kdbg_page_alloc(pa, caller, size);
	return phys_to_virt(pa);
}

/* The debug kernel records who called kmalloc's caller too (the kernel
 * keeps frame pointers, so one level up is safe to read). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wframe-address"
#define CALLER2() (DEBUG_KERNEL ? (uint64_t)__builtin_return_address(1) : 0)

void *kmalloc(size_t size)
{
	return kmalloc_for(size, (uint64_t)__builtin_return_address(0), CALLER2());
}

/* kzalloc - kmalloc, zero-filled. */
void *kzalloc(size_t size)
{
	void *p = kmalloc_for(size, (uint64_t)__builtin_return_address(0), CALLER2());
	if (p)
		memset(p, 0, size);
	return p;
}
#pragma GCC diagnostic pop

/* The frame of a kmalloc'd pointer, or a panic if p cannot be one. */
static struct frame *kmalloc_frame(void *p)
{
	struct frame *f = frame_of(virt_to_phys(p));
	if (f->flags & FRAME_SLAB)
		return f;
	if (!(f->flags & FRAME_KERNEL) || !IS_PAGE_ALIGNED((uintptr_t)p))
		panic("kfree: %p was not kmalloc'd", p);
	return f;
}

/* kfree - release a block from kmalloc; NULL is ignored. Panics on a
 * pointer kmalloc did not return. Takes a cache lock or frame_lock. */
void kfree(void *p)
{
	if (!p)
		return;
	struct frame *f = kmalloc_frame(p);
	if (f->flags & FRAME_SLAB) {
		struct slab *s = f->slab;
		cache_free(s, DEBUG_KERNEL ? kdbg_unwrap(p, s->cache->size) : p);
		return;
	}
	if (DEBUG_KERNEL)
		kdbg_page_free(virt_to_phys(p));
	frame_free_order(virt_to_phys(p), f->order);
}

/* kmalloc_usable_size - the bytes reserved for p (at least what was asked). */
size_t kmalloc_usable_size(void *p)
{
	struct frame *f = kmalloc_frame(p);
	if (f->flags & FRAME_SLAB)
		return DEBUG_KERNEL ? kdbg_usable_size(p) : ((struct slab *)f->slab)->cache->size;
	return PAGE_SIZE << f->order;
}

/* kmalloc_for_each_object - call fn on every object of every slab (the
 * debug kernel's report of what is left: it tells live objects from
 * free ones by their head). Walks the whole frame array without any
 * lock: only for a report when nothing else runs (power-off). */
void kmalloc_for_each_object(void (*fn)(void *obj, size_t objsize))
{
	for (uint64_t i = 0; i < frame_array_len; i++) {
		struct frame *f = &frame_array[i];
		if (!(f->flags & FRAME_SLAB) || !f->slab)
			continue;
		struct slab *s = f->slab;
		size_t first = slab_first_offset(s->cache);
		for (uint16_t k = 0; k < s->capacity; k++)
			fn((char *)s->base + first + k * s->cache->size, s->cache->size);
	}
}
