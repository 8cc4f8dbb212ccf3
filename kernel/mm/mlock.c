/*
 * mlock.c - keeping pages in RAM and asking where they are: mlock,
 * mlock2, munlock, mlockall, munlockall, and mincore.
 *
 * A locked region (REGION_LOCKED, Linux's VM_LOCKED) is passed over by
 * the reclaim clock, and locking populates it (unless MLOCK_ONFAULT /
 * MCL_ONFAULT): so its pages come into RAM, out of swap if need be, and
 * stay. Locks are not inherited by fork and end at exec, as on Linux.
 * RLIMIT_MEMLOCK (proc/rlimit.h): EPERM when it is 0, ENOMEM past it,
 * unless the caller has CAP_IPC_LOCK (root does).
 */
#include "mm/vm.h"
#include "mm/swap.h"
#include "mm/pagetable.h"
#include "mm/usercopy.h"
#include "mm/kmalloc.h"
#include "mm/frame.h"
#include "proc/task.h"
#include "proc/rlimit.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

/* The page-aligned range [*start, *end) that addr, len cover, computed
 * as Linux does (a length that wraps when rounded covers nothing: 0);
 * -EINVAL if the range wraps, -ENOMEM past user space. */
static int lock_range(uint64_t addr, uint64_t len, vaddr_t *start, vaddr_t *end)
{
	*start = PAGE_ROUND_DOWN(addr);
	*end = *start + PAGE_ROUND_UP(len + (addr - *start));
	if (*end < *start)
		return -EINVAL;
	return *end > USER_STACK_TOP ? -ENOMEM : 0;
}

/* RLIMIT_MEMLOCK for more bytes locked on top of what mm has locked. */
static int check_memlock_limit(struct mm *mm, uint64_t more)
{
	int err = rlimit_mlock_permitted();
	if (err)
		return err;
	struct mm_usage u;
	vm_usage(mm, &u);
	return rlimit_mlock_fits((u.locked_vm << PAGE_SHIFT) + more);
}

static long do_mlock(uint64_t addr, uint64_t len, bool populate)
{
	struct mm *mm = current->mm;
	vaddr_t start, end;
	int err = lock_range(addr, len, &start, &end);
	if (err || start == end)
		return err;
	err = check_memlock_limit(mm, end - start);
	if (!err)
		err = vm_change_flags(mm, start, end, REGION_LOCKED, 0);
	if (!err && populate)
		err = vm_populate(mm, start, end);
	return err == -EFAULT || err == -EACCES ? 0 : err;
}

long sys_mlock(uint64_t addr, uint64_t len)
{
	return do_mlock(addr, len, true);
}

long sys_mlock2(uint64_t addr, uint64_t len, int flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(addr, len, !(flags & MLOCK_ONFAULT));
}

long sys_munlock(uint64_t addr, uint64_t len)
{
	vaddr_t start, end;
	int err = lock_range(addr, len, &start, &end);
	if (err || start == end)
		return err;
	return vm_change_flags(current->mm, start, end, 0, REGION_LOCKED);
}

/* Set or clear REGION_LOCKED on every region of mm. */
static int change_all(struct mm *mm, bool lock)
{
	mutex_lock(&mm->lock);
	vaddr_t start = 0, end = 0;
	struct region *first = region_first(&mm->regions);
	for (struct region *r = first; r; r = region_next(r))
		end = r->end;
	start = first ? first->start : 0;
	mutex_unlock(&mm->lock);
	for (vaddr_t at = start; at < end; ) {
		mutex_lock(&mm->lock);
		struct region *r = region_find_next(&mm->regions, at);
		vaddr_t rs = r ? r->start : end, re = r ? r->end : end;
		mutex_unlock(&mm->lock);
		if (!r)
			break;
		int err = vm_change_flags(mm, rs, re, lock ? REGION_LOCKED : 0, lock ? 0 : REGION_LOCKED);
		if (err)
			return err;
		at = re;
	}
	return 0;
}

long sys_mlockall(int flags)
{
	struct mm *mm = current->mm;
	if (!(flags & (MCL_CURRENT | MCL_FUTURE)) || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)))
		return -EINVAL;
	int err = rlimit_mlock_permitted();
	if (err)
		return err;
	struct mm_usage u;
	vm_usage(mm, &u);
	if ((flags & MCL_CURRENT) && (err = rlimit_mlock_fits(u.total_vm << PAGE_SHIFT)))
		return err;             /* Linux compares all the mapped memory */
	mutex_lock(&mm->lock);
	mm->def_flags = flags & MCL_FUTURE ? REGION_LOCKED : 0;
	mutex_unlock(&mm->lock);
	if (!(flags & MCL_CURRENT))
		return 0;
	err = change_all(mm, true);
	if (!err && !(flags & MCL_ONFAULT))
		vm_populate(mm, 0, USER_STACK_TOP);
	return err;
}

long sys_munlockall(void)
{
	struct mm *mm = current->mm;
	mutex_lock(&mm->lock);
	mm->def_flags = 0;
	mutex_unlock(&mm->lock);
	return change_all(mm, false);
}

/* ---- mincore ---- */

/* Is page index of a file in memory (its page cache)? A page of shared
 * anonymous memory in swap is not read back to answer. */
static uint8_t file_page_resident(struct inode *ip, uint64_t index)
{
	if (shmem_owns(ip))
		return shmem_page_resident(ip, index);
	paddr_t pa = inode_get_page(ip, index, false);
	if (pa)
		frame_put(pa);
	return pa != 0;
}

/* Is the page at va of region r in RAM? mm->lock held. */
static uint8_t page_resident_locked(struct mm *mm, const struct region *r, vaddr_t va)
{
	const pte_t *pte = pt_lookup(mm, va);
	if (pte && pte_present(*pte))
		return 1;
	if (pte && pte_is_swap(*pte))
		return swap_cache_has(pte_to_swp_entry(*pte));
	if (!r->file)
		return 0;
	uint64_t index = (r->file_off + (va - r->start)) >> PAGE_SHIFT;
	return file_page_resident(r->file, index);
}

/* Fill vec (n bytes) for [start, start + n pages); -ENOMEM at a hole. */
static int mincore_fill(struct mm *mm, vaddr_t start, uint8_t *vec, size_t n)
{
	int err = 0;
	mutex_lock(&mm->lock);
	for (size_t i = 0; i < n && !err; i++) {
		vaddr_t va = start + i * PAGE_SIZE;
		struct region *r = region_find(&mm->regions, va);
		if (!r)
			err = -ENOMEM;
		else
			vec[i] = page_resident_locked(mm, r, va);
	}
	mutex_unlock(&mm->lock);
	return err;
}

#define MINCORE_CHUNK 512   /* pages per pass: the kernel buffer's size */

long sys_mincore(uint64_t addr, uint64_t len, uint8_t *uvec)
{
	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	uint64_t pages = PAGE_ROUND_UP(len) >> PAGE_SHIFT;
	if (addr + len < addr || addr + len > USER_STACK_TOP)
		return -ENOMEM;
	uint8_t *buf = kmalloc(MINCORE_CHUNK);
	if (!buf)
		return -EAGAIN;
	long err = 0;
	for (uint64_t done = 0; done < pages && !err; done += MINCORE_CHUNK) {
		size_t n = MIN(MINCORE_CHUNK, pages - done);
		err = mincore_fill(current->mm, addr + done * PAGE_SIZE, buf, n);
		if (!err && copy_to_user(uvec + done, buf, n))
			err = -EFAULT;
	}
	kfree(buf);
	return err;
}
