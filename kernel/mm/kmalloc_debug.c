/*
 * kmalloc_debug.c - the debug kernel's checks on the heap (DEBUG_KERNEL,
 * make DEBUG=1): redzones, poisoning, and leaks by call site.
 *
 * A small object (one that still fits a slab with KDBG_OVERHEAD more)
 * is laid out as
 *
 *   | caller | magic size | seq | caller2 | the caller's bytes | redzone ... |
 *   0        8            16   24    32                    32+size      end of the slab object
 *
 * The redzone is filled with KDBG_REDZONE and checked at kfree (an
 * overflow); a freed object is filled with KDBG_POISON, which must still
 * be there when it is handed out again (a write after free). The first
 * word holds the slab's free-list link while the object is free, so the
 * magic that tells a live object from a freed one sits in the second;
 * caller2 is the caller's own caller (one step up its frame pointers).
 * Larger blocks (whole frames) keep their caller and sequence number in
 * their head frame's metadata instead.
 *
 * Leaks: every allocation gets a sequence number. kmalloc_debug_mark()
 * (called when init starts the program it runs) remembers the current
 * one; each call site counts its blocks allocated since then and still
 * live, and kmalloc_debug_report() lists the sites with any at
 * power-off: what the program left in the kernel heap; then it walks
 * the slabs and lists each such small block left (at most REPORT_MAX):
 * its caller and the caller's caller, its sequence number (how late in
 * the run it came: the report gives the last number too), its first
 * words (a pid, a pointer, a count often tell what it is) and its first
 * bytes as text (a file name, a path).
 */
#include "mm/kmalloc_debug.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch.h"

#define KDBG_LIVE 0x4b444247u    /* "GBDK" */
#define KDBG_DEAD 0x44454144u
#define KDBG_REDZONE 0xcc
#define KDBG_POISON 0x6b
#define KDBG_FILL 0xa5           /* what kmalloc (not kzalloc) returns */
#define SITES 256
#define REPORT_MAX 32            /* blocks listed one by one */
#define REPORT_BYTES 64          /* of each, shown as text (names, paths) */

struct kdbg_head {
	uint64_t caller;             /* the free-list link while free */
	uint32_t magic, size;
	uint64_t seq, caller2;
};

struct site {
	uint64_t caller;
	int64_t live;                /* blocks since the mark, still allocated */
	uint32_t size;               /* of the last one */
};

static struct spinlock sites_lock = SPINLOCK_INIT("kmalloc_debug");
static struct site sites[SITES];    /* (sites_lock) open addressing by caller */
static uint64_t next_seq = 1;       /* atomic */
static uint64_t mark_seq = ~0UL;    /* atomic: none yet */
static uint64_t sites_full;         /* (sites_lock) counts lost: no free entry */

/* Count one block of caller's allocated after the mark (delta +1 at
 * allocation, -1 at its free). */
static void site_count(uint64_t caller, uint64_t seq, int delta, uint32_t size)
{
	if (seq <= __atomic_load_n(&mark_seq, __ATOMIC_RELAXED))
		return;
	spin_lock(&sites_lock);
	unsigned i = 0;
	for (unsigned h = (unsigned)(caller >> 2) % SITES; i < SITES; i++, h = (h + 1) % SITES) {
		if (sites[h].caller == caller || sites[h].caller == 0) {
			sites[h].caller = caller;
			sites[h].live += delta;
			sites[h].size = size;
			break;
		}
	}
	if (i == SITES)
		sites_full++;
	spin_unlock(&sites_lock);
}

static uint64_t new_seq(void)
{
	return __atomic_fetch_add(&next_seq, 1, __ATOMIC_RELAXED);
}

void kmalloc_debug_mark(void)
{
	spin_lock(&sites_lock);
	memset(sites, 0, sizeof(sites));
	sites_full = 0;
	__atomic_store_n(&mark_seq, __atomic_load_n(&next_seq, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	spin_unlock(&sites_lock);
}

size_t kdbg_object_size(size_t n)
{
	return n + KDBG_OVERHEAD;
}

void kdbg_poison_slab(void *first, size_t bytes)
{
	memset(first, KDBG_POISON, bytes);
}

/* The first byte in [p, p + n) that is not b, or NULL. */
static const uint8_t *differs(const void *p, size_t n, uint8_t b)
{
	const uint8_t *q = p;
	for (size_t i = 0; i < n; i++)
		if (q[i] != b)
			return q + i;
	return NULL;
}

void *kdbg_wrap(void *obj, size_t objsize, size_t n, uint64_t caller, uint64_t caller2)
{
	struct kdbg_head *h = obj;
	const uint8_t *bad = differs(h + 1, objsize - sizeof(*h), KDBG_POISON);
	if (bad)
		panic("kmalloc: a freed %zu-byte object at %p was written after its free (offset %zu: 0x%x)",
		      objsize, obj, (size_t)(bad - (const uint8_t *)obj), *bad);
	*h = (struct kdbg_head){ caller, KDBG_LIVE, (uint32_t)n, new_seq(), caller2 };
	memset(h + 1, KDBG_FILL, n);
	memset((char *)(h + 1) + n, KDBG_REDZONE, objsize - sizeof(*h) - n);
	site_count(caller, h->seq, 1, (uint32_t)n);
	return h + 1;
}

void *kdbg_unwrap(void *p, size_t objsize)
{
	struct kdbg_head *h = (struct kdbg_head *)p - 1;
	if (h->magic == KDBG_DEAD)
		panic("kfree: %p freed twice", p);
	if (h->magic != KDBG_LIVE || h->size + sizeof(*h) > objsize)
		panic("kfree: %p is not a live kmalloc object (magic 0x%x)", p, h->magic);
	const uint8_t *bad = differs((char *)p + h->size, objsize - sizeof(*h) - h->size, KDBG_REDZONE);
	if (bad)
		panic("kfree: overflow past the %u bytes at %p (from %p): byte %zu of the redzone is 0x%x",
		      h->size, p, (void *)h->caller, (size_t)(bad - (const uint8_t *)p) - h->size, *bad);
	site_count(h->caller, h->seq, -1, h->size);
	memset(p, KDBG_POISON, objsize - sizeof(*h));
	h->magic = KDBG_DEAD;
	return h;
}

size_t kdbg_usable_size(void *p)
{
	return ((struct kdbg_head *)p - 1)->size;
}

/* Large blocks: the head frame's slab pointer and pins word are unused
 * for FRAME_KERNEL frames; they keep the caller and a sequence number. */
void kdbg_page_alloc(paddr_t pa, uint64_t caller, size_t n)
{
	struct frame *f = frame_of(pa);
	uint64_t seq = new_seq();
	f->slab = (void *)caller;
	f->pins = (uint32_t)seq;
	site_count(caller, seq, 1, (uint32_t)n);
}

void kdbg_page_free(paddr_t pa)
{
	struct frame *f = frame_of(pa);
	site_count((uint64_t)f->slab, f->pins, -1, (uint32_t)(PAGE_SIZE << f->order));
	f->slab = NULL;
	f->pins = 0;
}

static int blocks_listed;

/* One slab object: listed if it is a live block from after the mark. */
static void report_object(void *obj, size_t objsize)
{
	const struct kdbg_head *h = obj;
	if (h->magic != KDBG_LIVE || h->seq <= __atomic_load_n(&mark_seq, __ATOMIC_RELAXED))
		return;
	if (blocks_listed++ >= REPORT_MAX)
		return;
	uint64_t w[4] = { 0 }, off1 = 0, off2 = 0;
	memcpy(w, h + 1, MIN((size_t)h->size, sizeof(w)));
	char text[REPORT_BYTES + 1];
	const char *b = (const char *)(h + 1);
	size_t n = MIN((size_t)h->size, (size_t)REPORT_BYTES);
	for (size_t i = 0; i < n; i++)
		text[i] = b[i] >= 0x20 && b[i] < 0x7f ? b[i] : '.';
	text[n] = 0;
	const char *n1 = ksym_lookup(h->caller, &off1), *n2 = ksym_lookup(h->caller2, &off2);
	printk(LOG_ERR, "  block %p (%u bytes, kmalloc-%zu) seq %lu from %s+0x%lx <- %s+0x%lx: %lx %lx %lx %lx |%s|\n",
	       (void *)(h + 1), h->size, objsize, (unsigned long)h->seq, n1 ? n1 : "?", (unsigned long)off1,
	       n2 ? n2 : "?", (unsigned long)off2, (unsigned long)w[0], (unsigned long)w[1],
	       (unsigned long)w[2], (unsigned long)w[3], text);
}

void kmalloc_debug_report(void)
{
	bool any = false;
	int64_t left = 0;
	uint64_t mark = __atomic_load_n(&mark_seq, __ATOMIC_RELAXED);
	uint64_t next = __atomic_load_n(&next_seq, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < SITES; i++) {
		if (sites[i].live <= 0)
			continue;
		left += sites[i].live;
		uint64_t off = 0;
		const char *name = ksym_lookup(sites[i].caller, &off);
		if (!any)
			printk(LOG_ERR, "kmalloc: blocks the program left allocated, by caller:\n");
		printk(LOG_ERR, "  %ld from %s+0x%lx (last of %u bytes)\n", (long)sites[i].live,
		       name ? name : "?", (unsigned long)off, sites[i].size);
		any = true;
	}
	if (sites_full)
		printk(LOG_ERR, "kmalloc: %lu counts lost (more than %d call sites)\n", (unsigned long)sites_full,
		       SITES);
	if (mark != ~0UL) {
		blocks_listed = 0;
		kmalloc_for_each_object(report_object);
		if (blocks_listed > REPORT_MAX)
			printk(LOG_ERR, "  ... and %d more\n", blocks_listed - REPORT_MAX);
		if (blocks_listed)
			printk(LOG_ERR, "kmalloc: %d small blocks left (sequence numbers after %lu, up to %lu)\n",
			       blocks_listed, (unsigned long)mark, (unsigned long)next - 1);
	}
	/* The line tests/run-all.sh looks for: this was the debug kernel. */
	printk(LOG_ERR, "kmalloc_debug: %lu blocks allocated since the program started, %ld left\n",
	       (unsigned long)(mark == ~0UL ? next - 1 : next - 1 - mark), (long)left);
}
