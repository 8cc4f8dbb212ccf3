/*
 * sys_mm.c - the memory system calls: brk, mmap, munmap, mprotect,
 * madvise, msync (mlock and mincore are in mlock.c).
 */
#include "mm/vm.h"
#include "mm/fault.h"
#include "mm/swap.h"
#include "proc/task.h"
#include "fs/fdtable.h"
#include "fs/dev.h"
#include "fs/file.h"
#include "lib/errno.h"
#include <linux/fcntl.h>
#include <linux/stat.h>

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#define MAP_KNOWN_FLAGS (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE | \
	MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | \
	MAP_HUGETLB | MAP_FIXED_NOREPLACE)

long sys_brk(uint64_t addr)
{
	struct mm *mm = current->mm;
	if (addr == 0)
		return (long)mm->brk;
	return (long)vm_brk(mm, addr);
}

/* A file may be mapped if it is a regular file (or /dev/zero) opened for
 * reading, and, for a writable shared mapping, for writing too. */
static long check_file_mapping(struct file *f, int prot, int flags)
{
	if (!f->inode || (!S_ISREG(f->inode->mode) && !dev_maps_anonymous(f)))
		return -ENODEV;
	uint32_t acc = f->flags & O_ACCMODE;
	if (acc == O_WRONLY)
		return -EACCES;
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR)
		return -EACCES;
	return 0;
}

/* MAP_LOCKED: lock the new mapping (Linux's VM_LOCKED); it and
 * MAP_POPULATE fault its pages in now. Failure to populate is not an
 * error (Linux's mmap does not report it either). */
static long mmap_lock_and_populate(long at, uint64_t len, int flags)
{
	vaddr_t end = (vaddr_t)at + PAGE_ROUND_UP(len);
	if (flags & MAP_LOCKED)
		vm_change_flags(current->mm, (vaddr_t)at, end, REGION_LOCKED, 0);
	if (flags & (MAP_LOCKED | MAP_POPULATE))
		vm_populate(current->mm, (vaddr_t)at, end);
	return at;
}

long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	if (flags & ~MAP_KNOWN_FLAGS)
		return (flags & MAP_TYPE) == MAP_SHARED_VALIDATE ? -EOPNOTSUPP : -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	long ret;
	if (flags & MAP_ANONYMOUS) {
		ret = vm_mmap(current->mm, addr, len, prot, flags, NULL, 0);
	} else {
		struct file *f = fd_get(current->files, fd);
		if (!f)
			return -EBADF;
		ret = check_file_mapping(f, prot, flags);
		if (!ret && dev_maps_anonymous(f))   /* /dev/zero: anonymous memory */
			ret = vm_mmap(current->mm, addr, len, prot, flags | MAP_ANONYMOUS, NULL, 0);
		else if (!ret)
			ret = vm_mmap(current->mm, addr, len, prot, flags, f->inode, off);
		if (ret >= 0 && (flags & MAP_TYPE) != MAP_PRIVATE && (f->flags & O_ACCMODE) != O_RDWR)
			vm_change_flags(current->mm, (vaddr_t)ret, (vaddr_t)ret + PAGE_ROUND_UP(len), 0,
					REGION_MAYWRITE);   /* mprotect may not add write (EACCES) */
		file_put(f);
	}
	return ret < 0 ? ret : mmap_lock_and_populate(ret, len, flags);
}

long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr)
{
	return vm_mremap(current->mm, old, old_len, new_len, flags, new_addr);
}

long sys_munmap(uint64_t addr, uint64_t len)
{
	return vm_munmap(current->mm, addr, len);
}

long sys_mprotect(uint64_t addr, uint64_t len, int prot)
{
	return vm_mprotect(current->mm, addr, len, prot);
}

long sys_madvise(uint64_t addr, uint64_t len, int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		return vm_dontneed(current->mm, addr, len);
	case MADV_WILLNEED:
		return vm_advise(current->mm, addr, len, VM_ADVISE_WILLNEED);
	case MADV_COLD:
		return vm_advise(current->mm, addr, len, VM_ADVISE_COLD);
	case MADV_PAGEOUT:
		return vm_advise(current->mm, addr, len, VM_ADVISE_PAGEOUT);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		return IS_PAGE_ALIGNED(addr) ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* msync: nothing to write back (files live in memory), but shared file
 * pages are write-protected again so that later writes stamp the file's
 * mtime (mm/fault.c). Linux's checks: flags, alignment, MS_ASYNC with
 * MS_SYNC (EINVAL), a hole in the range (ENOMEM). */
long sys_msync(uint64_t addr, uint64_t len, int flags)
{
	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || !IS_PAGE_ALIGNED(addr) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	return vm_msync(current->mm, addr, len);
}
