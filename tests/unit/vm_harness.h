/*
 * vm_harness.h - what the address-space unit tests (test_vm, test_fork)
 * share: a fake RAM for the real frame allocator, one current process
 * whose counters the fault handler bumps, and user accesses as the CPU
 * would make them (a fault when the leaf or the table above it does not
 * allow the access, then the load or store). Files take no part.
 */
#ifndef ASPEN_TEST_VM_HARNESS_H
#define ASPEN_TEST_VM_HARNESS_H
#include "mm/vm.h"
#include "proc/task.h"

#define VM_FAKE_RAM (64UL << 20)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define TABLE_SPAN (PAGE_SIZE << PT_INDEX_BITS)   /* what one last-level table maps */

/* TLB flushes so far (fake_arch.c counts them). */
extern int tlb_flushes;
/* The fake current process (its counters start at zero per fresh_mm). */
extern struct process vm_proc;

/* fresh_mm - zero the counters, note the frames in use, a new mm. */
struct mm *fresh_mm(uint64_t *frames_before);
/* frame_at - the frame behind va in mm, or 0. */
paddr_t frame_at(struct mm *mm, vaddr_t va);
/* writable_at - would a user write at va get through without a fault
 * (the leaf and the table above it both allow it)? */
bool writable_at(struct mm *mm, vaddr_t va);
/* user_write / user_read - a user access at va: fault if needed, then
 * the store or load. user_write returns the fault's error; user_read -1
 * when the fault failed. */
int user_write(struct mm *mm, vaddr_t va, char c);
char user_read(struct mm *mm, vaddr_t va);
/* map_written - mmap n private pages at addr (0: anywhere; else
 * MAP_FIXED) and write 'A' + i % 26 on page i; the address or -errno. */
long map_written(struct mm *mm, vaddr_t addr, int n);
/* table_of_va - the last-level table mapping va in mm (its physical
 * address), or 0. */
paddr_t table_of_va(struct mm *mm, vaddr_t va);
#endif
