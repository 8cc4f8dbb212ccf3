/*
 * fake_arch.c - the machine boundary (kernel/arch.h) for host unit tests
 * of the generic memory code: a four-level page table of the same shape
 * as x86-64's, built from frames of the real frame allocator (so page
 * tables count in frames_in_use), with its own simple entry bits; TLB
 * flushes and CPU switches do nothing; one fake current task.
 */
#include "arch.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "proc/task.h"
#include "lib/errno.h"

#define F_P 0x1UL
#define F_W 0x2UL
#define F_U 0x4UL
#define F_X 0x8UL
#define F_SWAP 0x10UL   /* not present: a swap entry, type in bits 6-11, offset from bit 12 */
#define F_A 0x20UL      /* accessed: set by fake_touch (tests), as a CPU would */
#define F_ADDR 0x000ffffffffff000UL
#define ENTRIES 512

static inline unsigned idx(vaddr_t va, int level) { return (va >> (12 + 9 * level)) & 511; }
static inline uint64_t *table(uint64_t e) { return phys_to_virt(e & F_ADDR); }

struct task *fake_current;
int tlb_flushes;   /* counted, for tests that care */

struct task *arch_current(void) { return fake_current; }
void arch_set_current(struct task *t) { fake_current = t; }
int arch_cpu_id(void) { return 0; }
int arch_ncpus(void) { return 1; }
void arch_tlb_shootdown(uint64_t mask) {}
void tlb_flush_page(vaddr_t va) { tlb_flushes++; }
void tlb_flush_all(void) { tlb_flushes++; }
void pt_switch(paddr_t root) {}
paddr_t pt_kernel_root(void) { return 0; }

paddr_t pt_create(void) { return frame_alloc_zeroed(); }

static void free_table(uint64_t *t, int level)
{
	for (int i = 0; level > 0 && i < ENTRIES; i++)
		if (t[i] & F_P)
			free_table(table(t[i]), level - 1);
	frame_put(virt_to_phys(t));
}

void pt_destroy(paddr_t root) { free_table(phys_to_virt(root), 3); }

static uint64_t count_tables(uint64_t *t, int level)
{
	uint64_t n = 1;
	for (int i = 0; level > 0 && i < ENTRIES; i++)
		if (t[i] & F_P)
			n += count_tables(table(t[i]), level - 1);
	return n;
}
uint64_t pt_count_tables(paddr_t root) { return count_tables(phys_to_virt(root), 3); }

pte_t *pt_walk(paddr_t root, vaddr_t va, bool alloc)
{
	uint64_t *t = phys_to_virt(root);
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[idx(va, level)];
		if (!(*e & F_P)) {
			paddr_t n = alloc ? frame_alloc_zeroed() : 0;
			if (!n)
				return NULL;
			*e = n | F_P;
		}
		t = table(*e);
	}
	return &t[idx(va, 0)];
}

/* used: visit swap entries too, not only present leaves. */
static int walk(uint64_t *t, uint64_t *dst, int level, vaddr_t va, vaddr_t end, bool used,
		int (*fn)(pte_t *, vaddr_t, void *), int (*cfn)(pte_t *, pte_t *, vaddr_t, void *), void *arg)
{
	uint64_t span = 1UL << (12 + 9 * level);
	for (unsigned i = idx(va, level); i < ENTRIES && va < end; i++) {
		vaddr_t next = (va & ~(span - 1)) + span;
		if (level == 0 ? (used ? t[i] != 0 : (t[i] & F_P) != 0) : (t[i] & F_P) != 0) {
			int r;
			if (level == 0) {
				r = dst ? cfn(&t[i], &dst[i], va, arg) : fn(&t[i], va, arg);
			} else {
				if (dst && !(dst[i] & F_P)) {
					paddr_t n = frame_alloc_zeroed();
					if (!n)
						return -ENOMEM;
					dst[i] = n | F_P;
				}
				r = walk(table(t[i]), dst ? table(dst[i]) : NULL, level - 1, va, end, used, fn, cfn, arg);
			}
			if (r)
				return r;
		}
		va = next;
	}
	return 0;
}

int pt_for_each_present(paddr_t root, vaddr_t start, vaddr_t end,
			int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	return walk(phys_to_virt(root), NULL, 3, start, end, false, fn, NULL, arg);
}

int pt_copy_present(paddr_t dst, paddr_t src, vaddr_t start, vaddr_t end,
		    int (*fn)(pte_t *src, pte_t *dst, vaddr_t va, void *arg), void *arg)
{
	return walk(phys_to_virt(src), phys_to_virt(dst), 3, start, end, false, NULL, fn, arg);
}

int pt_for_each_used(paddr_t root, vaddr_t start, vaddr_t end,
		     int (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	return walk(phys_to_virt(root), NULL, 3, start, end, true, fn, NULL, arg);
}

int pt_copy_used(paddr_t dst, paddr_t src, vaddr_t start, vaddr_t end,
		 int (*fn)(pte_t *src, pte_t *dst, vaddr_t va, void *arg), void *arg)
{
	return walk(phys_to_virt(src), phys_to_virt(dst), 3, start, end, true, NULL, fn, arg);
}

pte_t pte_make(paddr_t pa, unsigned rights)
{
	return pa | F_P | (rights & PTE_WRITE ? F_W : 0) | (rights & PTE_USER ? F_U : 0) |
	       (rights & PTE_EXEC ? F_X : 0);
}
bool pte_present(pte_t pte) { return pte & F_P; }
paddr_t pte_addr(pte_t pte) { return pte & F_ADDR; }
bool pte_dirty(pte_t pte) { return false; }
bool pte_young(pte_t pte) { return pte & F_A; }
pte_t pte_mkold(pte_t pte) { return pte & ~F_A; }
pte_t pte_make_swap(unsigned type, uint64_t offset) { return offset << 12 | (uint64_t)type << 6 | F_SWAP; }
bool pte_is_swap(pte_t pte) { return pte && !(pte & F_P); }
unsigned pte_swap_type(pte_t pte) { return (pte >> 6) & 63; }
uint64_t pte_swap_offset(pte_t pte) { return pte >> 12; }
/* fake_touch - what the CPU does on an access through a present entry. */
void fake_touch(pte_t *pte) { if (*pte & F_P) *pte |= F_A; }
unsigned pte_rights(pte_t pte)
{
	return PTE_READ | (pte & F_W ? PTE_WRITE : 0) | (pte & F_U ? PTE_USER : 0) | (pte & F_X ? PTE_EXEC : 0);
}

/* The memory trace (mm/trace.h) stays off in unit tests: its event
 * sites test trace_active and never reach these. */
#include "mm/trace.h"
int trace_active;
void trace_mm_created_slow(struct mm *mm) { panic("trace: off in unit tests"); }
void trace_mm_free_slow(struct mm *mm) { panic("trace: off in unit tests"); }
void trace_fault_slow(struct mm *mm, const struct region *r, vaddr_t va, pte_t b, pte_t a) { panic("trace: off"); }
void trace_map_slow(struct mm *mm, int op, vaddr_t addr, uint64_t len, int prot, int flags) { panic("trace: off"); }
void trace_resnap_slow(struct mm *mm, int why, vaddr_t addr, uint64_t len, int prot) { panic("trace: off"); }
void trace_dontneed_slow(struct mm *mm, vaddr_t addr, uint64_t len) { panic("trace: off"); }
void trace_page_out_slow(struct mm *mm, vaddr_t va, uint64_t slot) { panic("trace: off"); }
