/*
 * paging.c - x86-64 four-level page tables behind the page-table part
 * of arch.h: the entry format, roots and TLB flushes. Walking, sharing
 * and copying tables is generic (mm/pagetable.c).
 *
 * The kernel half (PML4 entries 256-511) is set up at boot and never
 * changes: every new root copies those entries, so all address spaces
 * share the kernel's tables. Entries above the leaves allow everything
 * (present, writable, user) unless a shared last-level table is below:
 * then its PDE lacks the write bit, and with CR0.WP set (boot.S) no
 * write to any of its 512 pages gets through, from user or kernel mode.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/fail_alloc.h"
#include "lib/string.h"

#define X86_P   0x1UL
#define X86_W   0x2UL
#define X86_U   0x4UL
#define X86_A   0x20UL
#define X86_D   0x40UL
#define X86_PS  0x80UL
#define X86_SHARED (1UL << 9)  /* ignored by the CPU: Aspen's PTE_SHARED */
#define X86_NX  (1UL << 63)
#define X86_ADDR_MASK 0x000ffffffffff000UL
#define USER_PML4_ENTRIES 256
#define KERNEL_VMA 0xffffffff80000000UL

extern uint64_t boot_pml4[];

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

/* pt_create - a new root sharing the kernel half; 0 when out of memory. */
paddr_t pt_create(void)
{
	paddr_t root = frame_alloc_zeroed();
	if (!root)
		return 0;
	frame_of(root)->flags |= FRAME_PTABLE;
	uint64_t *pml4 = phys_to_virt(root);
	memcpy(pml4 + USER_PML4_ENTRIES, boot_pml4 + USER_PML4_ENTRIES,
	       USER_PML4_ENTRIES * sizeof(uint64_t));
	return root;
}

pte_t pt_table_entry(paddr_t table, bool writable)
{
	return table | X86_P | X86_U | (writable ? X86_W : 0);
}

bool pt_table_writable(pte_t e) { return e & X86_W; }

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
	if (rights & PTE_SHARED)
		e |= X86_SHARED;
	return e;
}

bool pte_present(pte_t pte) { return pte & X86_P; }
paddr_t pte_addr(pte_t pte) { return pte & X86_ADDR_MASK; }
bool pte_dirty(pte_t pte) { return pte & X86_D; }
pte_t pte_wrprotect(pte_t pte) { return pte & ~X86_W; }
bool pte_young(pte_t pte) { return pte & X86_A; }
pte_t pte_mkold(pte_t pte) { return pte & ~X86_A; }

unsigned pte_rights(pte_t pte)
{
	unsigned r = PTE_READ;
	if (pte & X86_W) r |= PTE_WRITE;
	if (pte & X86_U) r |= PTE_USER;
	if (!(pte & X86_NX)) r |= PTE_EXEC;
	if (pte & X86_SHARED) r |= PTE_SHARED;
	return r;
}

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
