/*
 * sys_swap.c - swapon(2) and swapoff(2): from a path to a swap area.
 *
 * Errors, as Linux gives them: EPERM (not root, or all MAX_SWAPFILES in
 * use), EINVAL (unknown flags; not a block device, or a regular file:
 * Aspen's files live in memory, like tmpfs, which Linux refuses too; no
 * SWAPSPACE2 signature; swapoff of something that is not swap), ENOENT
 * and the other lookup errors, EISDIR, ENXIO (a node without a disk),
 * EBUSY (already swapon'd), EIO (the header cannot be read), ENOMEM
 * (swapoff: the pages do not fit back in memory).
 */
#include "mm/swap.h"
#include "mm/swap_dev.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "fs/vfs.h"
#include "fs/sysutil.h"
#include "fs/procfs/procfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/fcntl.h>
#include <linux/stat.h>

#define SWAP_PATH_MAX 128

/* The inode of a user path (followed), checked as swapon wants it. */
static int swap_node(const char *upath, struct inode **out)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	int err = user_lookup_at(AT_FDCWD, upath, LOOKUP_FOLLOW, 0, out);
	if (err)
		return err;
	if (S_ISDIR((*out)->mode)) {
		inode_put(*out);
		return -EISDIR;
	}
	return 0;
}

/* Read the header of dev into a frame and add the area. */
static int add_area(struct inode *node, const struct swap_io *io, void *dev, uint64_t pages, int flags)
{
	char name[SWAP_PATH_MAX];
	if (procfs_inode_path(node, name, sizeof(name)))
		strlcpy(name, "(unknown)", sizeof(name));
	paddr_t hdr = frame_alloc();
	if (!hdr)
		return -ENOMEM;
	frame_pin_ref(hdr);   /* held across the I/O (vmcheck) */
	int err = io->rw(dev, false, 0, hdr);
	if (!err)
		err = swap_area_add(phys_to_virt(hdr), pages, io, dev, node, name, flags);
	frame_unpin_ref(hdr);
	frame_put(hdr);
	return err < 0 ? err : 0;
}

long sys_swapon(const char *upath, int flags)
{
	if (flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	struct inode *node;
	int err = swap_node(upath, &node);
	if (err)
		return err;
	const struct swap_io *io;
	void *dev;
	uint64_t pages;
	err = S_ISBLK(node->mode) ? swap_dev_open(node->rdev, &io, &dev, &pages) : -EINVAL;
	if (!err) {
		err = add_area(node, io, dev, pages, flags);
		if (err)
			io->release(dev);
	}
	inode_put(node);
	return err;
}

long sys_swapoff(const char *upath)
{
	struct inode *node;
	int err = swap_node(upath, &node);
	if (err)
		return err;
	err = swap_area_remove(node);
	inode_put(node);
	return err;
}
