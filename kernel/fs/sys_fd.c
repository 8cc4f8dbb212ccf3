/*
 * sys_fd.c - system calls on whole ranges of descriptors: close_range.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "fs/fdtable.h"
#include "fs/context.h"
#include "proc/fork.h"
#include <linux/close_range.h>
#include <linux/sched.h>

/* close_range(2): close (or with CLOSE_RANGE_CLOEXEC mark) the open
 * descriptors in [first, last]; CLOSE_RANGE_UNSHARE first gives the
 * caller a table of its own, as unshare(CLONE_FILES). */
long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		long err = sys_unshare(CLONE_FILES);
		if (err)
			return err;
	}
	if (flags & CLOSE_RANGE_CLOEXEC)
		fd_cloexec_range(current_files(), first, last);
	else
		fd_close_range(current_files(), first, last, false);
	return 0;
}
