/*
 * remote.c - reading and writing another process's memory:
 * process_vm_readv/process_vm_writev and /proc/PID/mem; and
 * process_madvise, advice on another process's memory.
 *
 * Both go page by page through vm_remote_page (mm/fault.c), which brings
 * the target's page in as a fault would and hands back a referenced
 * frame; the bytes are copied through a kernel bounce buffer, so no
 * address-space lock is held across a copy to or from the caller's
 * memory. process_vm_* obey the target's protections (EFAULT otherwise);
 * /proc/PID/mem forces as a debugger does: it reads any region and
 * writes any private one, where the write lands in a copy of the page
 * made for the target alone, never in the file behind it (docs/ipc.md:
 * "Dirty COW").
 *
 * Who may: the caller's effective uid 0, or a caller whose effective uid
 * and gid match the target's real and effective ones (Linux's ptrace
 * access check, without capabilities or dumpability yet).
 */
#include "proc/cred.h"
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/fault.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/remote.h"
#include "mm/swap.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "proc/task.h"
#include "proc/pidfd.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include <linux/capability.h>

#define MADV_WILLNEED 3   /* <asm-generic/mman-common.h> */
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define IOV_MAX 1024   /* Linux's UIO_MAXIOV */

struct iovec_k {
	void *base;
	size_t len;
};


/* vm_access_remote - see remote.h. */
long vm_access_remote(struct mm *mm, vaddr_t addr, void *kbuf, size_t len, bool write, bool force)
{
	size_t done = 0;
	while (done < len) {
		vaddr_t a = addr + done;
		if (a < addr || a >= USER_STACK_TOP)
			break;
		size_t chunk = MIN(len - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
		int err;
		paddr_t pa = vm_remote_page(mm, a, write, force, &err);
		if (!pa)
			return done ? (long)done : err;
		char *page = (char *)phys_to_virt(pa) + (a & (PAGE_SIZE - 1));
		if (write)
			memcpy(page, (char *)kbuf + done, chunk);
		else
			memcpy((char *)kbuf + done, page, chunk);
		user_page_put(pa);   /* may be the swap cache's last user */
		done += chunk;
	}
	return done ? (long)done : -EFAULT;
}

/* remote_may_access - may the caller read and write p's memory?
 * (proc/cred.h's ptrace check.) tasklist_lock held. */
bool remote_may_access(struct process *p)
{
	return cred_may_ptrace_locked(p);
}

/* The mm of process pid, referenced, after the access check: 0, -ESRCH
 * (no such process, or no memory left: a zombie), -EPERM. */
int remote_mm(int pid, struct mm **out)
{
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	int err = -ESRCH;
	if (p && p->state == PROC_ALIVE && p->leader && p->leader->mm) {
		err = remote_may_access(p) ? 0 : -EPERM;
		if (!err)
			*out = mm_get(p->leader->mm);
	}
	spin_unlock(&tasklist_lock);
	return err;
}

/* Copy in an iovec array of n entries (n <= IOV_MAX, checked). */
static struct iovec_k *iov_in(const void *uiov, unsigned long n, long *err)
{
	*err = -EINVAL;
	if (n > IOV_MAX)
		return NULL;
	struct iovec_k *v = kmalloc(MAX(n, 1) * sizeof(*v));
	*err = -ENOMEM;
	if (!v)
		return NULL;
	*err = -EFAULT;
	if (n && copy_from_user(v, uiov, n * sizeof(*v))) {
		kfree(v);
		return NULL;
	}
	*err = 0;
	return v;
}

/* Walk both lists in step, moving each piece through buf: the bytes
 * moved, or the first error when none were. */
static long transfer(struct mm *mm, struct iovec_k *lv, unsigned long ln, struct iovec_k *rv,
		     unsigned long rn, bool write, char *buf)
{
	size_t done = 0, li = 0, loff = 0, ri = 0, roff = 0;
	long err = 0;
	while (li < ln && ri < rn) {
		if (loff == lv[li].len) { li++; loff = 0; continue; }
		if (roff == rv[ri].len) { ri++; roff = 0; continue; }
		size_t n = MIN(MIN(lv[li].len - loff, rv[ri].len - roff), PAGE_SIZE);
		char *local = (char *)lv[li].base + loff;
		vaddr_t remote = (vaddr_t)rv[ri].base + roff;
		long got;
		if (write) {
			got = copy_from_user(buf, local, n) ? -EFAULT
				: vm_access_remote(mm, remote, buf, n, true, false);
		} else {
			got = vm_access_remote(mm, remote, buf, n, false, false);
			if (got > 0 && copy_to_user(local, buf, (size_t)got))
				got = -EFAULT;
		}
		if (got <= 0) {
			err = got;
			break;
		}
		done += (size_t)got;
		loff += (size_t)got;
		roff += (size_t)got;
		if ((size_t)got < n)
			break;   /* a partial page: stop as Linux does */
	}
	return done ? (long)done : err;
}

/* process_vm_readv / process_vm_writev: Linux's rules (EINVAL for flags
 * or too many vectors, ESRCH, EPERM, EFAULT; a short count when a remote
 * piece ends early). */
static long process_vm_rw(int pid, const void *ulocal, unsigned long ln, const void *uremote,
			  unsigned long rn, unsigned long flags, bool write)
{
	if (flags)
		return -EINVAL;
	long err;
	struct iovec_k *lv = iov_in(ulocal, ln, &err);
	if (!lv)
		return err;
	struct iovec_k *rv = iov_in(uremote, rn, &err);
	char *buf = rv ? kmalloc(PAGE_SIZE) : NULL;
	struct mm *mm = NULL;
	if (rv && !buf)
		err = -ENOMEM;
	if (buf)
		err = remote_mm(pid, &mm);
	if (mm) {
		err = transfer(mm, lv, ln, rv, rn, write, buf);
		mm_put(mm);
	}
	kfree(buf);
	kfree(rv);
	kfree(lv);
	return err;
}

long sys_process_vm_readv(int pid, const void *lvec, unsigned long liovcnt, const void *rvec,
			  unsigned long riovcnt, unsigned long flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

long sys_process_vm_writev(int pid, const void *lvec, unsigned long liovcnt, const void *rvec,
			   unsigned long riovcnt, unsigned long flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}

/* ---- process_madvise ---- */

/* The mm of the process pidfd names, referenced, with Linux's errors in
 * its order (pidfd_get_task, the advice, mm_access): -EBADF (no such
 * fd, or not a pidfd), -ESRCH (reaped), -EINVAL (!advice_ok), -ESRCH (a
 * zombie: no memory), -EACCES (the ptrace access check fails; one's own
 * memory needs none). */
static int pidfd_mm(int pidfd, bool advice_ok, struct mm **out)
{
	struct file *f = fd_get_own(current->files, pidfd);
	if (!f)
		return -EBADF;
	bool is_pidfd;
	int err;
	spin_lock(&tasklist_lock);
	struct process *p = pidfd_process_locked(f, &is_pidfd);
	struct task *leader = p && p->state == PROC_ALIVE ? p->leader : NULL;
	if (!is_pidfd)
		err = -EBADF;
	else if (!p)
		err = -ESRCH;
	else if (!advice_ok)
		err = -EINVAL;
	else if (!leader || !leader->mm)
		err = -ESRCH;
	else if (p != current->proc && !remote_may_access(p))
		err = -EACCES;
	else
		err = 0;
	if (!err)
		*out = mm_get(leader->mm);
	spin_unlock(&tasklist_lock);
	file_put(f);
	return err;
}

/* Advise the ranges of v[0..n) in mm in turn: the bytes advised before
 * the first error, or that error if there were none. */
static long advise_ranges(struct mm *mm, const struct iovec_k *v, size_t n, int advice)
{
	int kind = advice == MADV_WILLNEED ? VM_ADVISE_WILLNEED :
		   advice == MADV_COLD ? VM_ADVISE_COLD : VM_ADVISE_PAGEOUT;
	uint64_t done = 0;
	long err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		err = vm_advise(mm, (vaddr_t)v[i].base, v[i].len, kind);
		if (!err)
			done += v[i].len;
	}
	return done ? (long)done : err;
}

/* process_madvise(pidfd, vec, vlen, advice, flags): WILLNEED, COLD and
 * PAGEOUT for the process pidfd names (MADV_COLLAPSE, which Linux 6.1
 * also takes, is EINVAL as on a kernel without transparent huge pages).
 * Errors in Linux's order: flags, the vector (EINVAL, EFAULT), the
 * pidfd, the advice, the access check, CAP_SYS_NICE (EPERM). */
long sys_process_madvise(int pidfd, const void *uvec, size_t vlen, int advice, unsigned flags)
{
	if (flags)
		return -EINVAL;
	long err;
	struct iovec_k *v = iov_in(uvec, vlen, &err);
	if (!v)
		return err;
	for (size_t i = 0; i < vlen && !err; i++)
		if ((int64_t)v[i].len < 0)
			err = -EINVAL;
		else if (!access_ok((uint64_t)v[i].base, v[i].len))
			err = -EFAULT;
	struct mm *mm = NULL;
	bool advice_ok = advice == MADV_WILLNEED || advice == MADV_COLD || advice == MADV_PAGEOUT;
	if (!err)
		err = pidfd_mm(pidfd, advice_ok, &mm);
	if (!err && !capable(CAP_SYS_NICE))
		err = -EPERM;
	if (!err)
		err = advise_ranges(mm, v, vlen, advice);
	if (mm)
		mm_put(mm);
	kfree(v);
	return err;
}
