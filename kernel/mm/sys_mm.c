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
#include "fs/memfd.h"
#include "lib/errno.h"
#include <linux/fcntl.h>
#include <linux/stat.h>

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTDUMP 16
#define MADV_DODUMP 17
#define MADV_COLD 20
#define MADV_PAGEOUT 21
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

/* do_mmap's checks that come before the file's access, in Linux's
 * order (the offset's alignment and the descriptor are checked before
 * them): the length, a fixed address's alignment, the file offsets'
 * range, the map type (unknown flags are ignored, except by
 * MAP_SHARED_VALIDATE, which is for files only). 0 or -errno. */
static long mmap_check_args(uint64_t addr, uint64_t len, int flags, uint64_t off, bool file)
{
	int type = flags & MAP_TYPE;
	if (len == 0)
		return -EINVAL;
	uint64_t size = PAGE_ROUND_UP(len);
	if (size == 0 || size > USER_STACK_TOP)
		return -ENOMEM;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	if (file && off > (uint64_t)INT64_MAX - size)
		return -EOVERFLOW;   /* past the largest file offset */
	if (file && type == MAP_SHARED_VALIDATE)
		return flags & ~MAP_KNOWN_FLAGS ? -EOPNOTSUPP : 0;
	if (type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL;
	return 0;
}

/* A file may be mapped if it was opened for reading, and, for a writable
 * shared mapping, for writing too (EACCES); then only a regular file or
 * /dev/zero (ENODEV), and never as growing down (EINVAL), in Linux's
 * order. */
static long check_file_mapping(struct file *f, int prot, int flags)
{
	uint32_t acc = f->flags & O_ACCMODE;
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR)
		return -EACCES;
	if (acc == O_WRONLY)
		return -EACCES;
	if (!f->inode || (!S_ISREG(f->inode->mode) && !dev_maps_anonymous(f)))
		return -ENODEV;
	if (flags & MAP_GROWSDOWN)
		return -EINVAL;
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

/* mmap: unknown PROT_ bits are ignored, as Linux's mmap (not mprotect)
 * does. */
long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	if (!IS_PAGE_ALIGNED(off))
		return -EINVAL;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fd_get(current->files, fd)))
		return -EBADF;
	/* no huge pages (CONFIG_HUGETLBFS off): EINVAL, as Linux without them */
	long ret = flags & MAP_HUGETLB ? -EINVAL : mmap_check_args(addr, len, flags, off, f);
	flags &= MAP_KNOWN_FLAGS;
	if (!ret && !f && (flags & MAP_GROWSDOWN) && (flags & MAP_TYPE) != MAP_PRIVATE)
		ret = -EINVAL;
	bool no_maywrite = false;   /* a read-only shared mapping that may never write */
	if (!ret && f)
		ret = check_file_mapping(f, prot, flags);
	if (!ret && f)
		ret = memfd_check_mmap(f->inode, prot, (flags & MAP_TYPE) != MAP_PRIVATE, &no_maywrite);
	if (!ret && f && dev_maps_anonymous(f))   /* /dev/zero: anonymous memory */
		ret = vm_mmap(current->mm, addr, len, prot, flags | MAP_ANONYMOUS, NULL, 0);
	else if (!ret)
		ret = vm_mmap(current->mm, addr, len, prot, flags, f ? f->inode : NULL, f ? off : 0);
	if (f) {
		bool rdonly = (f->flags & O_ACCMODE) != O_RDWR;
		if (ret >= 0 && (flags & MAP_TYPE) != MAP_PRIVATE && (rdonly || no_maywrite))
			vm_change_flags(current->mm, (vaddr_t)ret, (vaddr_t)ret + PAGE_ROUND_UP(len),
					rdonly ? REGION_RDONLY_FILE : 0,
					REGION_MAYWRITE);   /* mprotect may not add write (EACCES) */
		file_put(f);
	}
	return ret < 0 ? ret : mmap_lock_and_populate(ret, len, flags);
}

long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr)
{
	return vm_mremap(current->mm, old, old_len, new_len, flags, new_addr);
}

/* remap_file_pages: deprecated since Linux 3.16, whose 4.0 replaced its
 * nonlinear mappings by this emulation: prot must be 0, flags other than
 * MAP_NONBLOCK are ignored, start and size are rounded down to pages; the
 * pages are faulted in (MAP_POPULATE) unless MAP_NONBLOCK, or always in a
 * locked region. Logged once, as Linux does. */
long sys_remap_file_pages(uint64_t start, uint64_t size, uint64_t prot, uint64_t pgoff, uint64_t flags)
{
	static bool warned;   /* benign race: at worst two lines */
	if (!warned) {
		warned = true;
		pr_warn("mmap: %s (%d) uses deprecated remap_file_pages() syscall. "
			"See Documentation/mm/remap_file_pages.rst.\n", current->comm, current->tid);
	}
	start = PAGE_ROUND_DOWN(start);
	size = PAGE_ROUND_DOWN(size);
	if (prot || start + size <= start || pgoff + (size >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	long ret = vm_remap_file_pages(current->mm, start, size, pgoff);
	if (ret < 0)
		return ret;
	if (!(flags & MAP_NONBLOCK) || ret == VM_REMAP_LOCKED)
		vm_populate(current->mm, start, start + size);
	return 0;
}

long sys_munmap(uint64_t addr, uint64_t len)
{
	return vm_munmap(current->mm, addr, len);
}

long sys_mprotect(uint64_t addr, uint64_t len, int prot)
{
	return vm_mprotect(current->mm, addr, len, prot);
}

/*
 * Memory protection keys: Aspen's CPU (QEMU's default model) has no PKU,
 * and Aspen answers as Linux 6.1 on such a CPU. There, pkey_alloc (after
 * its argument checks) takes key 0 from the address space's allocation
 * map, then fails to set its rights (EINVAL) and cannot give it back
 * (key 0 never counts as allocated): every later pkey_alloc of that
 * address space finds the map full (ENOSPC). fork copies the map, execve
 * starts a fresh one. No key can be freed (EINVAL), and pkey_mprotect is
 * mprotect with key -1 and EINVAL with any other, after the checks
 * mprotect makes first: an unaligned start EINVAL, an empty range 0, a
 * wrapping one ENOMEM.
 */
#define PKEY_ACCESS_MASK 3   /* PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE */

long sys_pkey_alloc(uint64_t flags, uint64_t init_rights)
{
	if (flags || (init_rights & ~(uint64_t)PKEY_ACCESS_MASK))
		return -EINVAL;
	struct mm *mm = current->mm;
	mutex_lock(&mm->lock);
	bool spent = mm->pkey_spent;
	mm->pkey_spent = true;
	mutex_unlock(&mm->lock);
	return spent ? -ENOSPC : -EINVAL;
}

long sys_pkey_free(int pkey)
{
	return -EINVAL;
}

long sys_pkey_mprotect(uint64_t addr, uint64_t len, int prot, int pkey)
{
	if (pkey == -1)
		return sys_mprotect(addr, len, prot);
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!len)
		return 0;
	return addr + PAGE_ROUND_UP(len) <= addr ? -ENOMEM : -EINVAL;
}

long sys_madvise(uint64_t addr, uint64_t len, int advice)
{
	vaddr_t end;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		return vm_dontneed(current->mm, addr, len);
	case MADV_REMOVE:
		return vm_remove(current->mm, addr, len);
	case MADV_WILLNEED:
		return vm_advise(current->mm, addr, len, VM_ADVISE_WILLNEED);
	case MADV_COLD:
		return vm_advise(current->mm, addr, len, VM_ADVISE_COLD);
	case MADV_PAGEOUT:
		return vm_advise(current->mm, addr, len, VM_ADVISE_PAGEOUT);
	case MADV_DONTDUMP:
	case MADV_DODUMP:   /* a region flag core dumps look at (docs/coredump.md) */
		if (!vm_advice_range(addr, len, &end))
			return -EINVAL;
		return end == addr ? 0 : vm_change_flags(current->mm, addr, end,
			advice == MADV_DONTDUMP ? REGION_DONTDUMP : 0,
			advice == MADV_DODUMP ? REGION_DONTDUMP : 0);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		return vm_advice_range(addr, len, &end) ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

#define MSYNC_FILES_MAX 16   /* distinct files written back by one call */
#define MS_ASYNC 1           /* msync flags, as <asm-generic/mman-common.h> */
#define MS_INVALIDATE 2
#define MS_SYNC 4

/* The files of the shared file mappings in [addr, end), referenced, into
 * files (at most max); whether a part of the range is unmapped. */
static bool msync_files(struct mm *mm, vaddr_t addr, vaddr_t end, struct inode **files, int *n, int max)
{
	vaddr_t at = addr;
	mutex_lock(&mm->lock);
	for (struct region *r = region_first_overlap(&mm->regions, addr, end); r && r->start < end;
	     r = region_next(r)) {
		bool seen = false;
		for (int i = 0; i < *n; i++)
			seen |= files[i] == r->file;
		if (r->start > at)
			break;
		at = r->end;
		if ((r->flags & REGION_SHARED) && r->file && !seen && *n < max)
			files[(*n)++] = inode_get(r->file);
	}
	mutex_unlock(&mm->lock);
	return at < end;
}

/* msync: shared file pages are write-protected again so that later
 * writes stamp the file's mtime (mm/fault.c); MS_SYNC then writes the
 * files of the shared mappings in the range back to their disks (MS_ASYNC
 * does nothing more, as on Linux since 2.6.19: dirty pages are written
 * back anyway). Linux's checks: flags, alignment, MS_ASYNC with MS_SYNC
 * (EINVAL), a hole in the range (ENOMEM). */
long sys_msync(uint64_t addr, uint64_t len, int flags)
{
	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || !IS_PAGE_ALIGNED(addr) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	long err = vm_msync(current->mm, addr, len);
	uint64_t end = addr + PAGE_ROUND_UP(len);
	if (err || !(flags & MS_SYNC) || end == addr)
		return err;
	struct inode *files[MSYNC_FILES_MAX];
	int n = 0;
	msync_files(current->mm, addr, end, files, &n, MSYNC_FILES_MAX);
	for (int i = 0; i < n; i++) {
		if (vfs_fsync_inode(files[i]) && !err)
			err = -EIO;
		inode_put(files[i]);
	}
	return err;
}

#define POSIX_FADV_NOREUSE 5   /* the last of POSIX_FADV_NORMAL..NOREUSE */

/* fadvise64: advice about a file's pages. Every page of a file is in
 * memory or read on demand, so it is checked and ignored, as Linux does
 * for a file with no backing device: EBADF, ESPIPE for a pipe, EINVAL
 * for a negative length or unknown advice. */
long sys_fadvise64(int fd, int64_t off, int64_t len, int advice)
{
	struct file *f = fd_get(current->files, fd);
	if (!f)
		return -EBADF;
	long err = S_ISFIFO(f->inode ? f->inode->mode : 0) ? -ESPIPE : 0;
	if (!err && (!f->inode || len < 0 || advice < 0 || advice > POSIX_FADV_NOREUSE))
		err = -EINVAL;
	file_put(f);
	return err;
}

/* readahead: a regular file opened for reading (EBADF, EINVAL); its
 * pages are read on demand, so there is nothing to start. */
long sys_readahead(int fd, int64_t off, size_t count)
{
	struct file *f = fd_get(current->files, fd);
	if (!f)
		return -EBADF;
	long err = file_readable(f) ? 0 : -EBADF;
	if (!err && (!f->inode || !S_ISREG(f->inode->mode)))
		err = -EINVAL;
	file_put(f);
	return err;
}
