/*
 * fault.h - the page-fault handler's interface (mm/fault.c).
 */
#ifndef ASPEN_MM_FAULT_H
#define ASPEN_MM_FAULT_H
#include "lib/kernel.h"

#define FAULT_WRITE      0x1  /* the access was a write */
#define FAULT_USER       0x2  /* from user mode (else a usercopy in the kernel) */
#define FAULT_EXEC       0x4  /* an instruction fetch */
#define FAULT_PROTECTION 0x8  /* the page was present: a rights violation */

/* vm_fault - resolve a fault at addr in the current address space.
 * Returns 0 when the access can be retried, -EFAULT for an address
 * outside any region, -EACCES for one against its region's rights (both
 * SIGSEGV: SEGV_MAPERR, SEGV_ACCERR), -ENOMEM when no
 * frame could be had. Called with interrupts on; may sleep. */
int vm_fault(vaddr_t addr, unsigned flags);
#endif
