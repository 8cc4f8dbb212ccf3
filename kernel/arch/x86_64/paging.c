/*
 * paging.c - x86-64 four-level page tables behind the generic pt_*
 * and pte_* interface of arch.h.
 *
 * The kernel half (PML4 entries 256-511) is set up at boot and never
 * changes: every new root copies those entries, so all address spaces
 * share the kernel's tables. The user half is private to each root.
 * Intermediate entries of the user half allow everything (present,
 * writable, user); the leaf decides.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "lib/errno.h"

#define X86_P   0x1UL
#define X86_W   0x2UL
#define X86_U   0x4UL
#define X86_A   0x20UL
#define X86_D   0x40UL
#define X86_PS  0x80UL
#define X86_NX  (1UL << 63)
#define X86_ADDR_MASK 0x000ffffffffff000UL
#define TABLE_ENTRIES 512
#define USER_PML4_ENTRIES 256
#define KERNEL_VMA 0xffffffff80000000UL

extern uint64_t boot_pml4[];

static inline unsigned pt_index(vaddr_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (TABLE_ENTRIES - 1);
}

static inline uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & X86_ADDR_MASK);
}

paddr_t pt_kernel_root(void)
{
	return (paddr_t)((uint64_t)boot_pml4 - KERNEL_VMA);
}

/* paging_init_kernel - drop the identity map the boot code needed. */
void paging_init_kernel(void)
{
	boot_pml4[0] = 0;
	tlb_flush_all();
}

/* A zeroed page-table page, tagged as one (vmcheck accounts for them). */
static paddr_t table_alloc(void)
{
	paddr_t t = frame_alloc_zeroed();
	if (t)
		frame_of(t)->flags |= FRAME_PAGETABLE;
	return t;
}

/* pt_create - a new root sharing the kernel half; 0 when out of memory. */
paddr_t pt_create(void)
{
	paddr_t root = table_alloc();
	if (!root)
		return 0;
	uint64_t *pml4 = phys_to_virt(root);
	memcpy(pml4 + USER_PML4_ENTRIES, boot_pml4 + USER_PML4_ENTRIES,
	       USER_PML4_ENTRIES * sizeof(uint64_t));
	return root;
}

static void free_table(uint64_t *table, int level)
{
	for (int i = 0; level > 0 && i < TABLE_ENTRIES; i++)
		if (table[i] & X86_P)
			free_table(table_of(table[i]), level - 1);
	frame_put(virt_to_phys(table));
}

/* pt_destroy - free the user half's tables and the root. */
void pt_destroy(paddr_t root)
{
	uint64_t *pml4 = phys_to_virt(root);
	for (int i = 0; i < USER_PML4_ENTRIES; i++)
		if (pml4[i] & X86_P)
			free_table(table_of(pml4[i]), 2);
	frame_put(root);
}

static uint64_t count_tables(const uint64_t *table, int level, unsigned entries)
{
	uint64_t n = 1;
	for (unsigned i = 0; level > 0 && i < entries; i++)
		if (table[i] & X86_P)
			n += count_tables(table_of(table[i]), level - 1, TABLE_ENTRIES);
	return n;
}

/* pt_count_tables - the root and the user half's tables. */
uint64_t pt_count_tables(paddr_t root)
{
	return count_tables(phys_to_virt(root), 3, USER_PML4_ENTRIES);
}

/* pt_walk - the leaf entry for va (user half), allocating tables on the way if asked. */
pte_t *pt_walk(paddr_t root, vaddr_t va, bool alloc)
{
	uint64_t *table = phys_to_virt(root);
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &table[pt_index(va, level)];
		if (!(*e & X86_P)) {
			if (!alloc)
				return NULL;
			paddr_t t = table_alloc();
			if (!t)
				return NULL;
			*e = t | X86_P | X86_W | X86_U;
		}
		table = table_of(*e);
	}
	return &table[pt_index(va, 0)];
}

struct walk {
	vaddr_t end;
	bool used;                                          /* leaves: all non-empty, not only present */
	int (*fn)(pte_t *, vaddr_t, void *);                /* pt_for_each_present */
	int (*copy_fn)(pte_t *, pte_t *, vaddr_t, void *);  /* pt_copy_present */
	void *arg;
};

/* The table under dst[i], made if missing; NULL when out of memory. */
static uint64_t *dst_subtable(uint64_t *dst, unsigned i)
{
	if (!(dst[i] & X86_P)) {
		paddr_t t = table_alloc();
		if (!t)
			return NULL;
		dst[i] = t | X86_P | X86_W | X86_U;
	}
	return table_of(dst[i]);
}

/* Visit the present leaves of table (at level) from va to w->end; with
 * dst, walk the same path in a second page table, building it as needed,
 * so that a fork copies whole tables without a walk per page. */
static int walk_table(uint64_t *table, uint64_t *dst, int level, vaddr_t va, struct walk *w)
{
	uint64_t span = 1UL << (PAGE_SHIFT + 9 * level);
	for (unsigned i = pt_index(va, level); i < TABLE_ENTRIES && va < w->end; i++) {
		vaddr_t next = (va & ~(span - 1)) + span;
		int r = 0;
		if (level == 0 ? !(w->used ? table[i] : table[i] & X86_P) : !(table[i] & X86_P)) {
			/* nothing mapped here */
		} else if (level == 0) {
			r = dst ? w->copy_fn((pte_t *)&table[i], (pte_t *)&dst[i], va, w->arg)
				: w->fn((pte_t *)&table[i], va, w->arg);
		} else {
			uint64_t *sub = dst ? dst_subtable(dst, i) : NULL;
			r = dst && !sub ? -ENOMEM : walk_table(table_of(table[i]), sub, level - 1, va, w);
		}
		if (r)
			return r;
		va = next;
	}
	return 0;
}

/* pt_for_each_present - fn on each present leaf in [start, end). */
int pt_for_each_present(paddr_t root, vaddr_t start, vaddr_t end,
			int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	struct walk w = { end, false, fn, NULL, arg };
	return walk_table(phys_to_virt(root), NULL, 3, start, &w);
}

/* pt_for_each_used - fn on each non-empty leaf (present or swap) in [start, end). */
int pt_for_each_used(paddr_t root, vaddr_t start, vaddr_t end,
		     int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	struct walk w = { end, true, fn, NULL, arg };
	return walk_table(phys_to_virt(root), NULL, 3, start, &w);
}

/* pt_copy_present - fn on each present leaf of src in [start, end) with
 * the matching leaf of dst. */
int pt_copy_present(paddr_t dst, paddr_t src, vaddr_t start, vaddr_t end,
		    int (*fn)(pte_t *src, pte_t *dst, vaddr_t va, void *arg), void *arg)
{
	struct walk w = { end, false, NULL, fn, arg };
	return walk_table(phys_to_virt(src), phys_to_virt(dst), 3, start, &w);
}

/* pt_copy_used - pt_copy_present over every non-empty leaf (fork with swap). */
int pt_copy_used(paddr_t dst, paddr_t src, vaddr_t start, vaddr_t end,
		 int (*fn)(pte_t *src, pte_t *dst, vaddr_t va, void *arg), void *arg)
{
	struct walk w = { end, true, NULL, fn, arg };
	return walk_table(phys_to_virt(src), phys_to_virt(dst), 3, start, &w);
}

static void visit_table(const uint64_t *t, int level, vaddr_t base, const struct pt_visitor *v)
{
	unsigned n = level == 3 ? USER_PML4_ENTRIES : TABLE_ENTRIES;
	for (unsigned i = 0; i < n; i++) {
		vaddr_t va = base + ((vaddr_t)i << (PAGE_SHIFT + 9 * level));
		if (level == 0) {
			if (pte_present(t[i]))
				v->leaf(t[i], va, v->arg);
			else if (pte_is_swap(t[i]) && v->swap)
				v->swap(t[i], va, v->arg);
		} else if ((t[i] & X86_P) && v->table(t[i] & X86_ADDR_MASK, level - 1, va, v->arg)) {
			visit_table(table_of(t[i]), level - 1, va, v);
		}
	}
}

void pt_visit(paddr_t root, const struct pt_visitor *v)
{
	if (v->table(root, 3, 0, v->arg))
		visit_table(phys_to_virt(root), 3, 0, v);
}

void pt_switch(paddr_t root)
{
	if (read_cr3() != root)
		write_cr3(root);
}

void tlb_flush_page(vaddr_t va) { invlpg(va); }
void tlb_flush_all(void) { write_cr3(read_cr3()); }

pte_t pte_make(paddr_t pa, unsigned rights)
{
	pte_t e = pa | X86_P;
	if (rights & PTE_WRITE)
		e |= X86_W;
	if (rights & PTE_USER)
		e |= X86_U;
	if (!(rights & PTE_EXEC))
		e |= X86_NX;
	return e;
}

bool pte_present(pte_t pte) { return pte & X86_P; }
paddr_t pte_addr(pte_t pte) { return pte & X86_ADDR_MASK; }
bool pte_dirty(pte_t pte) { return pte & X86_D; }
bool pte_young(pte_t pte) { return pte & X86_A; }
pte_t pte_mkold(pte_t pte) { return pte & ~X86_A; }

/* Linux's x86-64 swap entry: the type in bits 59-63, the offset inverted
 * (so that a stale entry never looks like a usable physical address to
 * L1TF) from bit 9 up; bits 0-8 zero, so never present. */
#define SWP_TYPE_BITS 5
#define SWP_OFFSET_SHIFT (9 + SWP_TYPE_BITS)

pte_t pte_make_swap(unsigned type, uint64_t offset)
{
	return (~offset << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) | ((uint64_t)type << (64 - SWP_TYPE_BITS));
}
bool pte_is_swap(pte_t pte) { return pte && !(pte & X86_P); }
unsigned pte_swap_type(pte_t pte) { return (unsigned)(pte >> (64 - SWP_TYPE_BITS)); }
uint64_t pte_swap_offset(pte_t pte) { return ~pte << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT; }

unsigned pte_rights(pte_t pte)
{
	unsigned r = PTE_READ;
	if (pte & X86_W) r |= PTE_WRITE;
	if (pte & X86_U) r |= PTE_USER;
	if (!(pte & X86_NX)) r |= PTE_EXEC;
	return r;
}
