/*
 * vdso.h - the vDSO in every address space (mm/vdso.c): [vvar], the
 * page of clock data the kernel keeps current, and [vdso], the shared
 * object of user code that reads it (AT_SYSINFO_EHDR). The machine
 * provides both (arch.h, arch/x86_64/vdso.c).
 */
#ifndef ASPEN_MM_VDSO_H
#define ASPEN_MM_VDSO_H
#include "lib/kernel.h"

struct mm;

/* vdso_init - copy the image into frames of its own and fill the data
 * page; boot, once, after the clock and the VFS are up. */
void vdso_init(void);

/* vdso_map - map [vvar] and [vdso] into mm where an mmap without a hint
 * would go (below what exec has mapped so far), as Linux 6.1 does;
 * *base gets the vDSO's ELF header. 0 or -ENOMEM. Takes mm->lock. */
int vdso_map(struct mm *mm, vaddr_t *base);

/* vdso_clock_changed - publish the clock again (after the realtime
 * offset changed). Takes vdso_lock; does not sleep. */
void vdso_clock_changed(void);

struct inode;
/* vdso_for_each_page - fn(pa, inode, index, arg) for each frame of the
 * vDSO's text and data, which hold one reference each of their own (for
 * vmcheck's census, as ramfs_for_each_page). */
void vdso_for_each_page(void (*fn)(paddr_t pa, struct inode *inode, uint64_t index, void *arg), void *arg);
#endif
