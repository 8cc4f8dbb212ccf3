/*
 * fake_arch.c - the machine boundary (kernel/arch.h) for host unit tests
 * of the generic memory code: page tables of arch.h's shape, walked by
 * the kernel's own mm/pagetable.c, built from frames of the real frame
 * allocator (so page tables count in frames_in_use), with the fake's own
 * simple entry bits; TLB flushes are counted, CPU switches do nothing;
 * one fake current task.
 */
#include "arch.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "proc/task.h"

#define F_P 0x1UL
#define F_W 0x2UL
#define F_U 0x4UL
#define F_X 0x8UL
#define F_SWAP 0x10UL   /* not present: a swap entry, type in bits 6-11, offset from bit 12 */
#define F_A 0x20UL      /* accessed: set by fake_touch (tests), as a CPU would */
#define F_S 0x40UL      /* present: PTE_SHARED */
#define F_ADDR 0x000ffffffffff000UL

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

paddr_t pt_create(void)
{
	paddr_t root = frame_alloc_zeroed();
	if (root)
		frame_of(root)->flags |= FRAME_PTABLE;
	return root;
}

/* Entries above the leaves: the fake's own "writable" bit, so that a
 * read-only slot (a shared table) is told apart as on x86. */
pte_t pt_table_entry(paddr_t t, bool writable) { return t | F_P | (writable ? F_W : 0); }
bool pt_table_writable(pte_t e) { return e & F_W; }

pte_t pte_make(paddr_t pa, unsigned rights)
{
	return pa | F_P | (rights & PTE_WRITE ? F_W : 0) | (rights & PTE_USER ? F_U : 0) |
	       (rights & PTE_EXEC ? F_X : 0) | (rights & PTE_SHARED ? F_S : 0);
}
bool pte_present(pte_t pte) { return pte & F_P; }
paddr_t pte_addr(pte_t pte) { return pte & F_ADDR; }
bool pte_dirty(pte_t pte) { return false; }
pte_t pte_wrprotect(pte_t pte) { return pte & ~F_W; }
bool pte_young(pte_t pte) { return pte & F_A; }
pte_t pte_mkold(pte_t pte) { return pte & ~F_A; }
pte_t pte_make_swap(unsigned type, uint64_t offset) { return offset << 12 | (uint64_t)type << 6 | F_SWAP; }
bool pte_is_swap(pte_t pte) { return pte && !(pte & F_P); }
unsigned pte_swap_type(pte_t pte) { return (pte >> 6) & 63; }
uint64_t pte_swap_offset(pte_t pte) { return pte >> 12; }
/* fake_touch - what the CPU does on an access through a present entry. */
void fake_touch(const pte_t *pte) { if (*pte & F_P) *(pte_t *)pte |= F_A; }
unsigned pte_rights(pte_t pte)
{
	return PTE_READ | (pte & F_W ? PTE_WRITE : 0) | (pte & F_U ? PTE_USER : 0) |
	       (pte & F_X ? PTE_EXEC : 0) | (pte & F_S ? PTE_SHARED : 0);
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
