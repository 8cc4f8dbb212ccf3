/*
 * remote.h - reading and writing another process's memory (mm/remote.c):
 * process_vm_readv/writev and /proc/PID/mem.
 */
#ifndef ASPEN_MM_REMOTE_H
#define ASPEN_MM_REMOTE_H
#include "lib/kernel.h"

struct mm;
struct process;

/* vm_access_remote - copy len bytes between kbuf and addr in mm (another
 * address space) page by page; force as vm_remote_page. Returns the
 * bytes done (short at the first page that cannot be had) or, when
 * none, -EFAULT/-ENOMEM/-EIO. May sleep. */
long vm_access_remote(struct mm *mm, vaddr_t addr, void *kbuf, size_t len, bool write, bool force);

/* remote_may_access - may the caller read and write p's memory (Linux's
 * ptrace access check)? Caller holds tasklist_lock. */
bool remote_may_access(struct process *p);

/* remote_mm - the mm of live process pid, referenced (mm_put it), after
 * the access check: 0, -ESRCH (none, or a zombie), -EPERM. Takes
 * tasklist_lock. */
int remote_mm(int pid, struct mm **out);

/* process_madvise(2). */
long sys_process_madvise(int pidfd, const void *uvec, size_t vlen, int advice, unsigned flags);

long sys_process_vm_readv(int pid, const void *lvec, unsigned long liovcnt, const void *rvec,
			  unsigned long riovcnt, unsigned long flags);
long sys_process_vm_writev(int pid, const void *lvec, unsigned long liovcnt, const void *rvec,
			   unsigned long riovcnt, unsigned long flags);
#endif
