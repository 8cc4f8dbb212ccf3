/*
 * vm_harness.h - what the address-space unit tests share (test_vm.c,
 * test_fork.c, test_swap.c): fake RAM for the real frame allocator, one
 * current process, and user accesses as the CPU would make them over
 * fake_arch.c's page tables (a fault when the leaf or the table above it
 * does not allow the access, then the load or store, the accessed bit
 * set). Files take no part.
 */
#ifndef ASPEN_TEST_VM_HARNESS_H
#define ASPEN_TEST_VM_HARNESS_H
#include "mm/vm.h"
#include "mm/fault.h"
#include "proc/task.h"

#define FAKE_RAM (64UL << 20)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define TABLE_SPAN (PAGE_SIZE << PT_INDEX_BITS)   /* what one last-level table maps */

/* The current process (its counters are reset by fresh_mm). */
extern struct process test_proc;
/* TLB flushes so far (fake_arch.c counts them). */
extern int tlb_flushes;

/* fresh_mm - a new empty address space; *frames_before the frames in use
 * before it. */
struct mm *fresh_mm(uint64_t *frames_before);
uint64_t count_regions(struct mm *mm);
/* frame_at - the frame mapped at va, or 0. writable_at - would a user
 * write at va get through without a fault (leaf and table allow it)? */
paddr_t frame_at(struct mm *mm, vaddr_t va);
bool writable_at(struct mm *mm, vaddr_t va);
/* user_write / user_read - a user store of c at va, or a load: a fault
 * first if the entry does not allow it. user_write returns 0 or the
 * fault's error, user_read the byte or -1. */
int user_write(struct mm *mm, vaddr_t va, char c);
char user_read(struct mm *mm, vaddr_t va);
/* map_written - mmap n private pages at addr (0: anywhere; else
 * MAP_FIXED) and write 'A' + i % 26 on page i; the address or -errno. */
long map_written(struct mm *mm, vaddr_t addr, int n);
/* table_of_va - the last-level table mapping va in mm (its physical
 * address), or 0. */
paddr_t table_of_va(struct mm *mm, vaddr_t va);
/* fake_touch - set the accessed bit of a present entry (fake_arch.c). */
void fake_touch(const pte_t *pte);
#endif
