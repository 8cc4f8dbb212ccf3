/*
 * vm_harness.h - what the address-space unit tests share (test_vm.c,
 * test_swap.c): fake RAM for the real frame allocator, one current
 * process, and user accesses as the CPU would make them over
 * fake_arch.c's page tables (fault if needed, then load or store, the
 * accessed bit set).
 */
#ifndef ASPEN_TEST_VM_HARNESS_H
#define ASPEN_TEST_VM_HARNESS_H
#include "mm/vm.h"
#include "mm/fault.h"
#include "proc/task.h"

#define FAKE_RAM (64UL << 20)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* The current process (its counters are reset by fresh_mm). */
extern struct process test_proc;

/* fresh_mm - a new empty address space; *frames_before the frames in use
 * before it. */
struct mm *fresh_mm(uint64_t *frames_before);
uint64_t count_regions(struct mm *mm);
/* frame_at - the frame mapped at va, or 0. writable_at - mapped writable. */
paddr_t frame_at(struct mm *mm, vaddr_t va);
bool writable_at(struct mm *mm, vaddr_t va);
/* user_write / user_read - a user store of c at va, or a load: a fault
 * first if the entry does not allow it. user_write returns 0 or the
 * fault's error, user_read the byte or -1. */
int user_write(struct mm *mm, vaddr_t va, char c);
char user_read(struct mm *mm, vaddr_t va);
/* fake_touch - set the accessed bit of a present entry (fake_arch.c). */
void fake_touch(pte_t *pte);
#endif
