/*
 * memfd.c - memfd_create(2) and file seals, as Linux's mm/memfd.c.
 *
 * The file is an unlinked shmem file (ramfs_create_anon, not charged to
 * Committed_AS: Linux's memfds are VM_NORESERVE) opened read-write. Its
 * seals live in struct memfd under inode->lock, which is also the lock
 * of every change they forbid, so a write or a truncate either happens
 * before a seal or is refused after it. F_SEAL_WRITE needs the file
 * mapped writable nowhere: inode->mmap_writable counts the shared
 * regions that may write it (mm's region hooks, vfs.c).
 */
#include "fs/memfd.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/memfd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define MFD_KNOWN (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC)
#define MFD_PREFIX "memfd:"
#define MFD_NAME_MAX (NAME_MAX - (sizeof(MFD_PREFIX) - 1))   /* 249, without the NUL */

/* The seals of inode: its memfd's, F_SEAL_SEAL for another file of the
 * memory file systems (Linux's tmpfs files), -EINVAL for others.
 * inode->lock held for a memfd. */
static long seals_of(struct inode *inode)
{
	if (inode->memfd)
		return inode->memfd->seals;
	return S_ISREG(inode->mode) && ramfs_owns(inode) ? F_SEAL_SEAL : -EINVAL;
}

/* F_ADD_SEALS in Linux's order of checks. */
static long add_seals(struct file *f, unsigned seals)
{
	struct inode *inode = f->inode;
	if (!file_writable(f))
		return -EPERM;
	if (seals & ~MEMFD_ALL_SEALS)
		return -EINVAL;
	mutex_lock(&inode->lock);
	long cur = seals_of(inode);
	long err = cur < 0 ? cur : 0;
	if (!err && (cur & F_SEAL_SEAL))
		err = -EPERM;
	if (!err && (seals & F_SEAL_WRITE) && !(cur & F_SEAL_WRITE) &&
	    __atomic_load_n(&inode->mmap_writable, __ATOMIC_ACQUIRE) > 0)
		err = -EBUSY;
	if (!err && (seals & F_SEAL_EXEC) && (inode->mode & 0111))
		seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
	if (!err)
		inode->memfd->seals |= seals;
	mutex_unlock(&inode->lock);
	return err;
}

long memfd_fcntl(struct file *f, unsigned cmd, unsigned arg)
{
	if (!f->inode)
		return -EINVAL;
	if (cmd == F_ADD_SEALS)
		return add_seals(f, arg);
	mutex_lock(&f->inode->lock);
	long r = seals_of(f->inode);
	mutex_unlock(&f->inode->lock);
	return r;
}

bool memfd_name(const struct inode *inode, char *buf, size_t size)
{
	if (!inode->memfd)
		return false;
	snprintf(buf, size, "/%s (deleted)", inode->memfd->name);
	return true;
}

/* The new file's inode: a shmem file named for /proc, with its mode,
 * owner and first seals. NULL when out of memory. */
static struct inode *memfd_inode(const char *name, unsigned flags)
{
	struct memfd *m = kzalloc(sizeof(*m));
	struct inode *ip = m ? ramfs_create_anon(0, false) : NULL;
	if (!ip) {
		kfree(m);
		return NULL;
	}
	snprintf(m->name, sizeof(m->name), MFD_PREFIX "%s", name);
	m->seals = flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL) ? 0 : F_SEAL_SEAL;
	if (flags & MFD_NOEXEC_SEAL)
		m->seals |= F_SEAL_EXEC;
	struct iattr attr = { .ia_valid = ATTR_MODE | ATTR_UID | ATTR_GID,
			      .mode = flags & MFD_NOEXEC_SEAL ? 0666 : 0777 };
	current_fsids(&attr.uid, &attr.gid);
	ip->iops->setattr(ip, &attr);
	ip->memfd = m;
	return ip;
}

/* memfd_create: flags, then the name (EFAULT, EINVAL past 249 bytes).
 * MFD_HUGETLB is EINVAL: no huge pages (as mmap's MAP_HUGETLB). */
long sys_memfd_create(const char *uname, unsigned flags)
{
	if ((flags & ~MFD_KNOWN) || (flags & MFD_HUGETLB))
		return -EINVAL;
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	char name[MFD_NAME_MAX + 1];
	long len = strncpy_from_user(name, uname, sizeof(name));
	if (len < 0)
		return len == -ENAMETOOLONG ? -EINVAL : len;
	struct inode *ip = memfd_inode(name, flags);
	if (!ip)
		return -ENOMEM;
	struct file *f;
	int err = file_open_inode(ip, O_RDWR | O_LARGEFILE, &f);
	inode_put(ip);
	if (err)
		return err;
	int fd = fd_install(current_files(), f, 0, flags & MFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
