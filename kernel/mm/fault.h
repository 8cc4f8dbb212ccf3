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

struct mm;
/* vm_msync - msync's work on [addr, addr + len) of mm (addr aligned):
 * the pages of writable shared file mappings become read-only again, so
 * that the next write through them stamps the file's mtime and ctime
 * (memory is the medium: nothing to write back). 0, or -ENOMEM when part
 * of the range is not mapped. Takes mm->lock. */
int vm_msync(struct mm *mm, vaddr_t addr, uint64_t len);
/* vm_remote_page - the frame holding addr's page in mm (another process's
 * address space), brought in as a fault would, with a new reference for
 * the caller (user_page_put it). A write gets a page private to mm: a
 * private mapping's page is copied first, never the file's. Without
 * force the region's rights apply; with force (/proc/PID/mem) any region
 * can be read and any private one written. 0 with *err -EFAULT (no
 * region, or not allowed), -ENOMEM, -EIO. May sleep. */
paddr_t vm_remote_page(struct mm *mm, vaddr_t addr, bool write, bool force, int *err);
/* vm_dump_page - for a core dump: addr's page in mm read as vm_remote_page
 * with force does (a page in swap read back, a file's page read), except
 * that an anonymous private page never touched is a hole: 0 with *err 0
 * (Linux's FOLL_DUMP). Otherwise as vm_remote_page. May sleep. */
paddr_t vm_dump_page(struct mm *mm, vaddr_t addr, int *err);
#endif
