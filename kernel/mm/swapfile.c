/*
 * swapfile.c - swap areas: Linux's SWAPSPACE2 header, the per-slot
 * counts (Linux's swap_map), slot allocation by priority, and enabling
 * and disabling areas (the core of swapon and swapoff).
 *
 * Allocation takes a slot from the area of highest priority that has
 * one; areas of equal priority take turns, one page each (Linux's
 * round robin). Within an area a cursor moves forward and wraps, so a
 * burst of page-outs lands on consecutive slots.
 *
 * Locks: swap_lock (spinlock) guards every area's map, counters and
 * cursor and the `areas` table entries' state; swapon_mutex serialises
 * swapon/swapoff and keeps an area's name and device alive for readers
 * of /proc/swaps. See swap.h.
 */
#include "mm/swap.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define SWAP_NAME_MAX 128
/* The map is one kmalloc block: 2 bytes a slot, so at most 2^21 slots (8 GiB). */
#define SWAP_MAX_PAGES (1UL << 21)

struct swap_area {
	uint16_t *map;             /* (swap_lock) per slot: count, SWAP_HAS_CACHE, SWAP_MAP_BAD */
	uint64_t pages;            /* (-) slots, header included */
	uint64_t good;             /* (-) usable slots */
	uint64_t inuse;            /* (swap_lock) slots taken */
	uint64_t cursor;           /* (swap_lock) next slot to try */
	int prio;                  /* (-) */
	bool writeok;              /* (swap_lock) page-out may use it (not during swapoff) */
	const struct swap_io *io;  /* (-) */
	void *dev;                 /* (-) */
	struct inode *node;        /* (swapon_mutex) the device node, referenced */
	char name[SWAP_NAME_MAX];  /* (swapon_mutex) */
};

struct spinlock swap_lock = SPINLOCK_INIT("swap_lock");
static struct mutex swapon_mutex = { SPINLOCK_INIT("swapon_mutex"), NULL, LIST_HEAD_INIT(swapon_mutex.waiters), "swapon" };
static struct swap_area *areas[MAX_SWAPFILES];   /* (swap_lock) to read, both locks to change */
static int last_type = -1;                       /* (swap_lock) round robin among equals */
static int least_prio = -1;                      /* (swapon_mutex) automatic ones: -2, -3, ... as Linux */
static uint64_t total_pages, free_pages;         /* (swap_lock) over areas in use */
struct swap_stats swap_stats;

/* ---- the header ---- */

static uint32_t swab32(uint32_t x)
{
	return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}

static uint32_t header_word(const uint8_t *hdr, size_t off, bool swapped)
{
	uint32_t v;
	memcpy(&v, hdr + off, sizeof(v));
	return swapped ? swab32(v) : v;
}

/* swap_header_parse - see swap.h. The info block (after 1024 bytes of
 * boot bits): version, last_page, nr_badpages, uuid[16], volume[16],
 * padding, badpages[]; the magic ends the page. A header written on a
 * machine of the other byte order is read as Linux does, by swapping. */
int swap_header_parse(const void *page, uint64_t dev_pages, struct swap_header_info *out)
{
	const uint8_t *hdr = page;
	if (memcmp(hdr + PAGE_SIZE - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN) != 0)
		return -EINVAL;
	uint32_t version = header_word(hdr, SWAP_HEADER_INFO, false);
	bool swapped = version == swab32(1);
	if (header_word(hdr, SWAP_HEADER_INFO, swapped) != 1)
		return -EINVAL;
	uint64_t last_page = header_word(hdr, SWAP_HEADER_INFO + 4, swapped);
	uint32_t nr_bad = header_word(hdr, SWAP_HEADER_INFO + 8, swapped);
	if (last_page == 0 || nr_bad > MAX_SWAP_BADPAGES)
		return -EINVAL;
	uint64_t pages = last_page + 1;
	if (pages > SWAP_MAX_PAGES) {
		pr_warn("Truncating oversized swap area, only using %luk out of %luk\n",
			(unsigned long)(SWAP_MAX_PAGES * 4), (unsigned long)(pages * 4));
		pages = SWAP_MAX_PAGES;
	}
	if (dev_pages && pages > dev_pages) {
		pr_warn("Swap area shorter than signature indicates\n");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < nr_bad; i++) {
		uint32_t b = header_word(hdr, SWAP_HEADER_BADPAGES + 4 * i, swapped);
		if (b == 0 || b >= last_page + 1)
			return -EINVAL;
		out->bad[i] = b;
	}
	if (pages - 1 <= nr_bad) {
		pr_warn("Empty swap-file\n");
		return -EINVAL;
	}
	out->pages = pages;
	out->nr_bad = nr_bad;
	memcpy(out->uuid, hdr + SWAP_HEADER_INFO + 12, 16);
	memcpy(out->label, hdr + SWAP_HEADER_INFO + 28, 16);
	out->label[16] = 0;
	return 0;
}

/* ---- slots ---- */

/* The area of e if e names one of its slots in use, else NULL. */
static struct swap_area *area_of_locked(swp_entry_t e)
{
	unsigned type = swp_type(e);
	if (type >= MAX_SWAPFILES || !areas[type])
		return NULL;
	struct swap_area *a = areas[type];
	uint64_t off = swp_offset(e);
	return off > 0 && off < a->pages ? a : NULL;
}

bool swap_entry_writeok_locked(swp_entry_t e)
{
	struct swap_area *a = area_of_locked(e);
	return a && a->writeok;
}

uint16_t *swap_map_locked(swp_entry_t e)
{
	struct swap_area *a = area_of_locked(e);
	return a ? &a->map[swp_offset(e)] : NULL;
}

/* A free slot of a, from its cursor on; 0 when full. */
static uint64_t take_slot_locked(struct swap_area *a)
{
	if (a->inuse >= a->good)
		return 0;
	for (uint64_t n = 0; n < a->pages; n++) {
		uint64_t off = a->cursor;
		a->cursor = off + 1 < a->pages ? off + 1 : 1;
		if (off && a->map[off] == 0) {
			a->map[off] = SWAP_HAS_CACHE;
			a->inuse++;
			free_pages--;
			return off;
		}
	}
	return 0;
}

/* The area page-out should use next: the highest priority with room;
 * among equals, the first after the last one used. -1 if none. */
static int pick_area_locked(void)
{
	int best = -1;
	for (int k = 1; k <= MAX_SWAPFILES; k++) {
		int t = (last_type + k + MAX_SWAPFILES) % MAX_SWAPFILES;
		struct swap_area *a = areas[t];
		if (!a || !a->writeok || a->inuse >= a->good)
			continue;
		if (best < 0 || a->prio > areas[best]->prio)
			best = t;
	}
	return best;
}

swp_entry_t swap_alloc_slot_locked(void)
{
	int t = pick_area_locked();
	if (t < 0)
		return (swp_entry_t){ 0 };
	uint64_t off = take_slot_locked(areas[t]);
	last_type = t;
	return off ? swp_entry((unsigned)t, off) : (swp_entry_t){ 0 };
}

/* The slot of e leaves use: its map word is 0 now. */
static void release_slot_locked(swp_entry_t e)
{
	struct swap_area *a = areas[swp_type(e)];
	a->inuse--;
	if (a->writeok)
		free_pages++;
}

int swap_dup(swp_entry_t e)
{
	spin_lock(&swap_lock);
	uint16_t *m = swap_map_locked(e);
	int err = -ENOMEM;
	if (m && (*m & SWAP_COUNT_MASK) < SWAP_COUNT_MAX && *m != SWAP_MAP_BAD && *m) {
		(*m)++;
		err = 0;
	}
	spin_unlock(&swap_lock);
	return err;
}

void swap_free(swp_entry_t e)
{
	paddr_t drop = 0;
	spin_lock(&swap_lock);
	uint16_t *m = swap_map_locked(e);
	if (!m || !(*m & SWAP_COUNT_MASK) || *m == SWAP_MAP_BAD)
		panic("swap_free: bad entry %lx", (unsigned long)e.val);
	(*m)--;
	if (*m == 0)
		release_slot_locked(e);
	else if (*m == SWAP_HAS_CACHE)
		drop = swap_cache_drop_unused_locked(e);
	spin_unlock(&swap_lock);
	if (drop)
		frame_put(drop);
}

/* swap_slot_uncache_locked - the cache let go of e's frame. */
void swap_slot_uncache_locked(swp_entry_t e)
{
	uint16_t *m = swap_map_locked(e);
	*m &= ~SWAP_HAS_CACHE;
	if (*m == 0)
		release_slot_locked(e);
}

void swap_for_each_area(void (*fn)(unsigned type, uint64_t pages, const uint16_t *map, void *arg), void *arg)
{
	spin_lock(&swap_lock);
	for (unsigned type = 0; type < MAX_SWAPFILES; type++)
		if (areas[type])
			fn(type, areas[type]->pages, areas[type]->map, arg);
	spin_unlock(&swap_lock);
}

uint32_t swap_count(swp_entry_t e)
{
	spin_lock(&swap_lock);
	uint16_t *m = swap_map_locked(e);
	uint32_t c = m && *m != SWAP_MAP_BAD ? *m & SWAP_COUNT_MASK : 0;
	spin_unlock(&swap_lock);
	return c;
}

int swap_io_rw(swp_entry_t e, bool write, paddr_t pa)
{
	spin_lock(&swap_lock);
	struct swap_area *a = area_of_locked(e);
	spin_unlock(&swap_lock);
	if (!a)
		return -EIO;
	/* The area cannot go: swapoff frees it only when no slot is in use,
	 * and the caller's I/O is for a slot in use. */
	return a->io->rw(a->dev, write, swp_offset(e), pa);
}

/* The I/Os of v that go to area t, issued together. */
static void area_io_many(struct swap_area *a, struct swap_iov *v, int n, unsigned t)
{
	struct swap_iov *mine[SWAP_IO_BATCH];
	int k = 0;
	for (int i = 0; i < n; i++)
		if (swp_type(v[i].entry) == t)
			mine[k++] = &v[i];
	if (a->io->rw_many) {
		a->io->rw_many(a->dev, mine, k);
		return;
	}
	for (int i = 0; i < k; i++)
		mine[i]->err = a->io->rw(a->dev, mine[i]->write, swp_offset(mine[i]->entry), mine[i]->pa);
}

void swap_io_many(struct swap_iov *v, int n)
{
	uint32_t types = 0;
	for (int i = 0; i < n; i++) {
		v[i].err = -EIO;
		types |= 1u << swp_type(v[i].entry);
	}
	for (unsigned t = 0; t < MAX_SWAPFILES; t++) {
		if (!(types & (1u << t)))
			continue;
		spin_lock(&swap_lock);
		struct swap_area *a = areas[t];   /* in use: its slots are (see swap_io_rw) */
		spin_unlock(&swap_lock);
		if (a)
			area_io_many(a, v, n, t);
	}
}

void swap_totals(uint64_t *total, uint64_t *free)
{
	*total = __atomic_load_n(&total_pages, __ATOMIC_RELAXED);
	*free = __atomic_load_n(&free_pages, __ATOMIC_RELAXED);
}

uint64_t swap_space_left(void)
{
	uint64_t left = 0;
	spin_lock(&swap_lock);
	for (int t = 0; t < MAX_SWAPFILES; t++)
		if (areas[t] && areas[t]->writeok)
			left += areas[t]->good - areas[t]->inuse;
	spin_unlock(&swap_lock);
	return left;
}

bool swap_is_full(void)
{
	uint64_t total, free;
	swap_totals(&total, &free);
	return free * 2 < total;
}

/* ---- areas ---- */

void swap_areas_lock(void) { mutex_lock(&swapon_mutex); }
void swap_areas_unlock(void) { mutex_unlock(&swapon_mutex); }

int swap_area_get_info(int i, struct swap_area_info *out)
{
	spin_lock(&swap_lock);
	struct swap_area *a = i >= 0 && i < MAX_SWAPFILES ? areas[i] : NULL;
	if (a) {
		out->name = a->name;
		out->is_block = a->node && S_ISBLK(a->node->mode);
		out->size_pages = a->good;
		out->used_pages = a->inuse;
		out->prio = a->prio;
	}
	spin_unlock(&swap_lock);
	return a != NULL;
}

static int find_node_locked(struct inode *node)
{
	for (int t = 0; t < MAX_SWAPFILES; t++)
		if (areas[t] && areas[t]->node == node)
			return t;
	return -1;
}

/* A new area from a parsed header; NULL when out of memory. */
static struct swap_area *area_alloc(const struct swap_header_info *h)
{
	struct swap_area *a = kzalloc(sizeof(*a));
	if (!a)
		return NULL;
	a->map = kzalloc(h->pages * sizeof(uint16_t));
	if (!a->map) {
		kfree(a);
		return NULL;
	}
	a->pages = h->pages;
	a->good = h->pages - 1;
	a->map[0] = SWAP_MAP_BAD;   /* the header */
	for (uint32_t i = 0; i < h->nr_bad; i++) {
		if (a->map[h->bad[i]] != SWAP_MAP_BAD)
			a->good--;
		a->map[h->bad[i]] = SWAP_MAP_BAD;
	}
	a->cursor = 1;
	return a;
}

static void area_free(struct swap_area *a)
{
	kfree(a->map);
	kfree(a);
}

/* The first free type, -EBUSY if node already backs an area, -EPERM if
 * every type is taken (Linux's answer too). swap_lock held. */
static int free_type_locked(struct inode *node)
{
	if (node && find_node_locked(node) >= 0)
		return -EBUSY;
	for (int t = 0; t < MAX_SWAPFILES; t++)
		if (!areas[t])
			return t;
	return -EPERM;
}

int swap_area_add(const void *hdr, uint64_t dev_pages, const struct swap_io *io, void *dev,
		  struct inode *node, const char *name, int flags)
{
	struct swap_header_info *h = kmalloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	int err = swap_header_parse(hdr, dev_pages, h);
	struct swap_area *a = err ? NULL : area_alloc(h);
	kfree(h);
	if (!a)
		return err ? err : -ENOMEM;
	a->io = io;
	a->dev = dev;
	a->node = node;
	snprintf(a->name, sizeof(a->name), "%s", name);
	mutex_lock(&swapon_mutex);
	a->prio = (flags & SWAP_FLAG_PREFER) ? (flags & SWAP_FLAG_PRIO_MASK) : least_prio - 1;
	spin_lock(&swap_lock);
	int type = free_type_locked(node);
	if (type >= 0) {
		a->writeok = true;
		areas[type] = a;
		total_pages += a->good;
		free_pages += a->good;
	}
	spin_unlock(&swap_lock);
	if (type >= 0 && !(flags & SWAP_FLAG_PREFER))
		least_prio--;
	mutex_unlock(&swapon_mutex);
	if (type < 0) {
		area_free(a);
		return type;
	}
	if (node)
		inode_get(node);
	pr_info("Adding %luk swap on %s.  Priority:%d extents:1 across:%luk\n",
		(unsigned long)(a->good * (PAGE_SIZE / 1024)), a->name, a->prio,
		(unsigned long)(a->pages * (PAGE_SIZE / 1024)));
	return type;
}

/* Stop or restart page-out to area t, taking its free slots out of the
 * totals or putting them back. swap_lock held. */
static void set_writeok_locked(struct swap_area *a, bool ok)
{
	uint64_t avail = a->good - a->inuse;
	a->writeok = ok;
	total_pages = ok ? total_pages + a->good : total_pages - a->good;
	free_pages = ok ? free_pages + avail : free_pages - avail;
}

/* An area with an automatic (negative) priority went: those below it
 * move up, as Linux renumbers them. swapon_mutex held. */
static void close_prio_gap(int prio)
{
	if (prio >= 0)
		return;
	spin_lock(&swap_lock);
	for (int t = 0; t < MAX_SWAPFILES; t++)
		if (areas[t] && areas[t]->prio < prio)
			areas[t]->prio++;
	spin_unlock(&swap_lock);
	least_prio++;
}

int swap_area_remove(struct inode *node)
{
	mutex_lock(&swapon_mutex);
	spin_lock(&swap_lock);
	int t = find_node_locked(node);
	struct swap_area *a = t >= 0 ? areas[t] : NULL;
	if (a)
		set_writeok_locked(a, false);
	spin_unlock(&swap_lock);
	if (!a) {
		mutex_unlock(&swapon_mutex);
		return -EINVAL;
	}
	int err = swap_unuse((unsigned)t);
	if (!err)
		swap_cache_drop_area((unsigned)t);
	spin_lock(&swap_lock);
	if (!err && a->inuse)
		err = -ENOMEM;   /* a page came back in meanwhile and went out again */
	if (err)
		set_writeok_locked(a, true);
	else
		areas[t] = NULL;
	spin_unlock(&swap_lock);
	if (!err)
		close_prio_gap(a->prio);
	mutex_unlock(&swapon_mutex);
	if (err)
		return err;
	if (a->io->release)
		a->io->release(a->dev);
	if (a->node)
		inode_put(a->node);
	area_free(a);
	return 0;
}
