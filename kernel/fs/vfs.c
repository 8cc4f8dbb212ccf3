/*
 * vfs.c - inodes, permissions, mounts, kernel access to file pages and
 * the character-device registry.
 *
 * Mounts: a directory inode with ->mounted set is covered by another file
 * system's root, whose ->covered points back. Lookups cross from the
 * directory to the root (vfs_cross_mounts); ".." at a mounted root first
 * steps back to the covered directory (namei.c). mount_lock guards both
 * pointers; it is a spinlock, the innermost lock of the file system.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/region.h"
#include "mm/commit.h"
#include "fs/context.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/memfd.h"
#include "fs/vfs.h"

#define CHARDEV_MAX 32         /* registered character devices */
#define ANON_DEV_MAJOR 0       /* Linux's major for in-memory file systems */

static struct spinlock mount_lock = SPINLOCK_INIT("mount_lock");
static struct inode *ns_root;             /* (mount_lock) the name space's root */
static uint64_t next_ino = 1;             /* atomic */
static uint32_t next_anon_minor = 1;      /* atomic */
static int64_t (*clock_ns)(void);
static struct inode *anon_inode;          /* (c) after vfs_init: see vfs_anon_inode */

/* inode_init - fill the common fields of a new inode: refcount 1, nlink 1
 * (2 for directories), times now. The file system sets size and rdev. */
void inode_init(struct inode *inode, uint32_t dev, uint32_t mode, uint32_t uid, uint32_t gid,
		const struct inode_ops *iops, const struct file_ops *fops)
{
	memset(inode, 0, sizeof(*inode));
	inode->ino = vfs_next_ino();
	inode->dev = dev;
	inode->mode = mode;
	inode->uid = uid;
	inode->gid = gid;
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	inode->atime = inode->mtime = inode->ctime = vfs_now();
	inode->refcount = 1;
	mutex_init(&inode->lock, "inode");
	list_init(&inode->locks);
	spin_init(&inode->map_lock, "inode_mappers");
	list_init(&inode->mappers);
	inode->fault_end = UINT64_MAX;
	inode->iops = iops;
	inode->fops = fops;
}

/* inode_get - one more reference; returns inode. */
struct inode *inode_get(struct inode *inode)
{
	__atomic_add_fetch(&inode->refcount, 1, __ATOMIC_RELAXED);
	return inode;
}

/* inode_put - drop a reference; the last evicts the inode through its
 * file system. NULL is ignored. May sleep (eviction frees memory). */
void inode_put(struct inode *inode)
{
	if (!inode)
		return;
	uint32_t left = __atomic_sub_fetch(&inode->refcount, 1, __ATOMIC_ACQ_REL);
	if (left == 0) {
		vm_commit_uncharge(inode->committed);
		kfree(inode->memfd);
		inode->iops->evict(inode);
	}
	else if (left == UINT32_MAX)
		panic("inode_put: inode %lu refcount underflow", (unsigned long)inode->ino);
}

/* The mm's hooks for a region's backing file: a reference per region,
 * and the news for the inode's map_hook. */
void region_file_get(struct inode *file)
{
	inode_get(file);
	if (file->map_hook)
		file->map_hook->mapped(file->map_hook, file, 1);
}

/* region_file_writable - a shared region that may write file began
 * (+1) or ceased (-1): memfd's F_SEAL_WRITE waits for none. */
void region_file_writable(struct inode *file, int delta)
{
	__atomic_add_fetch(&file->mmap_writable, delta, __ATOMIC_ACQ_REL);
}

void region_file_put(struct inode *file)
{
	if (file->map_hook)
		file->map_hook->mapped(file->map_hook, file, -1);
	inode_put(file);
}

/* vfs_next_ino - a fresh inode number. */
uint64_t vfs_next_ino(void)
{
	return __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
}

/* vfs_alloc_dev - a fresh anonymous device number (major 0) for st_dev. */
uint32_t vfs_alloc_dev(void)
{
	return MKDEV(ANON_DEV_MAJOR, __atomic_fetch_add(&next_anon_minor, 1, __ATOMIC_RELAXED));
}

/* vfs_alloc_dev_once - *dev, given a fresh number by its first caller. */
uint32_t vfs_alloc_dev_once(uint32_t *dev)
{
	uint32_t d = __atomic_load_n(dev, __ATOMIC_RELAXED), zero = 0;
	if (d)
		return d;
	d = vfs_alloc_dev();
	if (!__atomic_compare_exchange_n(dev, &zero, d, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		d = zero;   /* another caller set it first */
	return d;
}

/* vfs_set_clock - install the realtime clock used for file times. */
void vfs_set_clock(int64_t (*realtime_ns)(void))
{
	clock_ns = realtime_ns;
}

/* vfs_now - the wall-clock time, or 0 before a clock is installed. */
struct vfs_time vfs_now(void)
{
	int64_t ns = clock_ns ? clock_ns() : 0;
	return (struct vfs_time){ ns / 1000000000, ns % 1000000000 };
}

/* inode_touch_locked - set the times named in which (ATTR_ATIME, MTIME,
 * CTIME) to now; inode->lock held. */
void inode_touch_locked(struct inode *inode, uint32_t which)
{
	struct vfs_time now = vfs_now();
	if (which & ATTR_ATIME)
		inode->atime = now;
	if (which & ATTR_MTIME)
		inode->mtime = now;
	if (which & ATTR_CTIME)
		inode->ctime = now;
}

/* setattr_copy_locked - see vfs.h. */
void setattr_copy_locked(struct inode *inode, const struct iattr *attr)
{
	if (attr->ia_valid & ATTR_MODE)
		inode->mode = (inode->mode & S_IFMT) | (attr->mode & 07777);
	if (attr->ia_valid & ATTR_UID)
		inode->uid = attr->uid;
	if (attr->ia_valid & ATTR_GID)
		inode->gid = attr->gid;
	if (attr->ia_valid & ATTR_ATIME)
		inode->atime = attr->atime;
	if (attr->ia_valid & ATTR_MTIME)
		inode->mtime = attr->mtime;
	inode_touch_locked(inode, ATTR_CTIME);
}

static int64_t time_cmp(struct vfs_time a, struct vfs_time b)
{
	return a.sec != b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

#define RELATIME_SECS (24 * 60 * 60)

/* inode_accessed - a read of inode's data: atime moves under Linux's
 * relatime rule (when it is not after mtime or ctime, or is a day old). */
void inode_accessed(struct inode *inode)
{
	struct vfs_time now = vfs_now();
	mutex_lock(&inode->lock);
	if (time_cmp(inode->atime, inode->mtime) <= 0 || time_cmp(inode->atime, inode->ctime) <= 0 ||
	    now.sec - inode->atime.sec >= RELATIME_SECS)
		inode->atime = now;
	mutex_unlock(&inode->lock);
}

/* ---- file pages ---- */

bool inode_has_pages(const struct inode *inode)
{
	return inode->iops->find_page || inode->iops->get_page;
}

/* inode_page_locked - the file system's page op. See vfs.h. */
int inode_page_locked(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa)
{
	if (inode->iops->find_page)
		return inode->iops->find_page(inode, index, alloc, pa);
	if (!inode->iops->get_page)
		return -EINVAL;
	*pa = inode->iops->get_page(inode, index, alloc);
	return *pa || !alloc ? 0 : -ENOSPC;   /* a full tmpfs, or no memory: as Linux's tmpfs */
}

int inode_prepare_write(struct inode *inode, uint64_t pos, size_t len)
{
	return inode->iops->prepare_write ? inode->iops->prepare_write(inode, pos, len) : 0;
}

/* inode_mkwrite - a shared writable mapping of page index. See vfs.h. */
int inode_mkwrite(struct inode *inode, uint64_t index)
{
	if (!inode->iops->prepare_write)
		return 0;
	mutex_lock(&inode->lock);
	int err = inode->iops->prepare_write(inode, index << PAGE_SHIFT, 0);
	mutex_unlock(&inode->lock);
	return err;
}

/* inode_find_page - a referenced frame for page index. See vfs.h. */
int inode_find_page(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa)
{
	*pa = 0;
	if (!inode_has_pages(inode))
		return -EINVAL;
	mutex_lock(&inode->lock);
	int err = inode_page_locked(inode, index, alloc, pa);
	if (!err && *pa)
		frame_get(*pa);
	mutex_unlock(&inode->lock);
	return err;
}

/* inode_get_page - a referenced frame for page index, or 0 (a hole
 * without alloc, out of memory, a failed read, or no pages). */
paddr_t inode_get_page(struct inode *inode, uint64_t index, bool alloc)
{
	paddr_t pa;
	return inode_find_page(inode, index, alloc, &pa) ? 0 : pa;
}

/* inode_read_kernel - copy up to len bytes at off into buf; returns the
 * count (0 at or past the end; short before a page that cannot be read),
 * or -EINVAL for an inode without pages, -EIO if nothing could be read.
 * Takes inode->lock; may sleep. */
long inode_read_kernel(struct inode *inode, uint64_t off, void *buf, size_t len)
{
	if (!inode_has_pages(inode))
		return -EINVAL;
	mutex_lock(&inode->lock);
	size_t done = 0;
	int err = 0;
	if (off < inode->size)
		len = MIN(len, inode->size - off);
	else
		len = 0;
	while (done < len) {
		uint64_t pos = off + done;
		size_t in_page = pos & (PAGE_SIZE - 1);
		size_t chunk = MIN(len - done, PAGE_SIZE - in_page);
		paddr_t pa;
		err = inode_page_locked(inode, pos >> PAGE_SHIFT, false, &pa);
		if (err)
			break;
		if (pa)
			memcpy((char *)buf + done, (char *)phys_to_virt(pa) + in_page, chunk);
		else
			memset((char *)buf + done, 0, chunk);
		done += chunk;
	}
	mutex_unlock(&inode->lock);
	return done || !err ? (long)done : err;
}

/* inode_write_at - store len bytes from kbuf at *pos (first moved to the
 * end of the file if append), growing the file, and advance *pos; returns
 * the bytes stored, short when a page cannot be had or prepared (*err).
 * Takes inode->lock. */
size_t inode_write_at(struct inode *inode, uint64_t *pos, bool append, const void *kbuf,
		      size_t len, int *err)
{
	*err = 0;
	if (!inode_has_pages(inode)) {
		*err = -EINVAL;
		return 0;
	}
	mutex_lock(&inode->lock);
	if (append)
		*pos = inode->size;
	size_t done = 0;
	if (inode->memfd)
		*err = memfd_check_write_locked(inode, *pos, &len);
	while (done < len && !*err) {
		size_t in_page = *pos & (PAGE_SIZE - 1);
		size_t chunk = MIN(len - done, PAGE_SIZE - in_page);
		paddr_t pa;
		*err = inode_page_locked(inode, *pos >> PAGE_SHIFT, true, &pa);
		if (!*err)
			*err = inode_prepare_write(inode, *pos, chunk);
		if (*err)
			break;
		memcpy((char *)phys_to_virt(pa) + in_page, (const char *)kbuf + done, chunk);
		done += chunk;
		*pos += chunk;
		if (*pos > inode->size)
			inode->size = *pos;
	}
	if (done)
		inode_touch_locked(inode, ATTR_MTIME | ATTR_CTIME);
	mutex_unlock(&inode->lock);
	return done;
}

/* inode_write_kernel - write len bytes of buf at off; returns the bytes
 * written, or the error that stopped it before any. May sleep. */
long inode_write_kernel(struct inode *inode, uint64_t off, const void *buf, size_t len)
{
	int err;
	size_t done = inode_write_at(inode, &off, false, buf, len, &err);
	return done || !err ? (long)done : err;
}

/* ---- permissions ---- */

/* inode_permission - 0 if the caller may access inode as mask (MAY_*)
 * asks, else -EACCES: the file system's rule, or generic_permission. */
int inode_permission(struct inode *inode, int mask)
{
	if (inode->iops->permission)
		return inode->iops->permission(inode, mask);
	return generic_permission(inode, mask);
}

/* Linux's generic_permission: the owner's bits for the fsuid, the
 * group's for a member, the others' for the rest; then the capabilities:
 * CAP_DAC_READ_SEARCH reads any file and searches any directory,
 * CAP_DAC_OVERRIDE does anything but run a file with no x bit at all. */
int generic_permission(struct inode *inode, int mask)
{
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	uint32_t mode = __atomic_load_n(&inode->mode, __ATOMIC_RELAXED);
	uint32_t bits = uid == inode->uid ? mode >> 6 : current_in_group(inode->gid) ? mode >> 3 : mode;
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if ((mask & ~bits & 7) == 0)
		return 0;
	if (S_ISDIR(mode)) {
		if (!(mask & MAY_WRITE) && capable(CAP_DAC_READ_SEARCH))
			return 0;
		return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (mask == MAY_READ && capable(CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(mask & MAY_EXEC) || (mode & (S_IXUSR | S_IXGRP | S_IXOTH))) && capable(CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

/* vfs_may_delete - in a sticky directory only the owner of the victim or
 * of the directory (or root) may remove or rename it: 0 or -EPERM. */
int vfs_may_delete(struct inode *dir, struct inode *victim)
{
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	if (!(dir->mode & S_ISVTX) || uid == victim->uid || uid == dir->uid || capable(CAP_FOWNER))
		return 0;
	return -EPERM;
}

/* ---- mounts ---- */

/* vfs_set_root - make root the root of the name space (boot); NULL
 * drops the old one (tests). */
void vfs_set_root(struct inode *root)
{
	if (root)
		inode_get(root);
	spin_lock(&mount_lock);
	struct inode *old = ns_root;
	ns_root = root;
	spin_unlock(&mount_lock);
	inode_put(old);
}

/* vfs_root - the name space's root, referenced (NULL before vfs_init). */
struct inode *vfs_root(void)
{
	spin_lock(&mount_lock);
	struct inode *root = ns_root ? inode_get(ns_root) : NULL;
	spin_unlock(&mount_lock);
	return root;
}

/* vfs_mount_at - cover dir with root. See vfs.h. */
int vfs_mount_at(struct inode *dir, struct inode *root)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	spin_lock(&mount_lock);
	if (dir->mounted || root->covered) {
		spin_unlock(&mount_lock);
		return -EBUSY;
	}
	dir->mounted = inode_get(root);
	root->covered = inode_get(dir);
	spin_unlock(&mount_lock);
	return 0;
}

/* vfs_unmount - uncover what root covers. See vfs.h. */
void vfs_unmount(struct inode *root)
{
	spin_lock(&mount_lock);
	struct inode *dir = root->covered;
	if (dir) {
		dir->mounted = NULL;
		root->covered = NULL;
	}
	spin_unlock(&mount_lock);
	if (dir) {
		inode_put(root);
		inode_put(dir);
	}
}

/* vfs_mount - cover the directory at path with root. See vfs.h. */
int vfs_mount(const char *path, struct inode *root)
{
	struct inode *dir;
	int err = vfs_lookup_root(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
	if (err)
		return err;
	err = vfs_mount_at(dir, root);
	inode_put(dir);
	return err;
}

/* vfs_cross_mounts - dir, or what is mounted on it (repeatedly);
 * consumes the caller's reference on dir, returns a referenced inode. */
struct inode *vfs_cross_mounts(struct inode *dir)
{
	for (;;) {
		spin_lock(&mount_lock);
		struct inode *m = dir->mounted ? inode_get(dir->mounted) : NULL;
		spin_unlock(&mount_lock);
		if (!m)
			return dir;
		inode_put(dir);
		dir = m;
	}
}

/* vfs_mount_covered - the directory a mounted root covers (referenced),
 * or NULL if root is not mounted. */
struct inode *vfs_mount_covered(struct inode *root)
{
	spin_lock(&mount_lock);
	struct inode *c = root->covered ? inode_get(root->covered) : NULL;
	spin_unlock(&mount_lock);
	return c;
}

/* ---- device nodes: character and block ---- */

static struct spinlock chardev_lock = SPINLOCK_INIT("chardev_lock");
#define DEVICE_NAME_MAX 24
static struct {
	uint32_t type;    /* S_IFCHR or S_IFBLK */
	uint32_t rdev;
	uint32_t mode;    /* permission bits of its node */
	char name[DEVICE_NAME_MAX];   /* the node's name under /dev ("" if elsewhere) */
	const struct file_ops *fops;
} chardevs[CHARDEV_MAX];   /* (chardev_lock) fops NULL: free */
#define CHAR_MAJORS_MAX 4
static struct {
	uint32_t major;
	const struct file_ops *fops;
} char_majors[CHAR_MAJORS_MAX];   /* (chardev_lock) whole majors: pty slaves */

/* vfs_register_char_major - see vfs.h. */
int vfs_register_char_major(uint32_t major, const struct file_ops *fops)
{
	int err = -ENOSPC;
	spin_lock(&chardev_lock);
	for (size_t i = 0; i < CHAR_MAJORS_MAX && err; i++)
		if (!char_majors[i].fops) {
			char_majors[i].major = major;
			char_majors[i].fops = fops;
			err = 0;
		}
	spin_unlock(&chardev_lock);
	return err;
}

/* Remember fops as the driver of (type, rdev) (again is fine); -EBUSY if
 * another driver has it, -ENOSPC if the table is full. */
static int device_add(const char *path, uint32_t type, uint32_t rdev, uint32_t mode,
		      const struct file_ops *fops)
{
	int err = -ENOSPC;
	size_t i;
	spin_lock(&chardev_lock);
	for (i = 0; i < CHARDEV_MAX; i++)
		if (chardevs[i].fops && chardevs[i].type == type && chardevs[i].rdev == rdev)
			break;
	if (i < CHARDEV_MAX) {
		err = chardevs[i].fops == fops ? 0 : -EBUSY;
	} else {
		for (i = 0; i < CHARDEV_MAX && chardevs[i].fops; i++)
			;
		if (i < CHARDEV_MAX) {
			chardevs[i].type = type;
			chardevs[i].rdev = rdev;
			chardevs[i].mode = mode & 07777;
			const char *name = strncmp(path, "/dev/", 5) == 0 && !strchr(path + 5, '/') ?
					   path + 5 : "";
			strlcpy(chardevs[i].name, name, DEVICE_NAME_MAX);
			chardevs[i].fops = fops;
			err = 0;
		}
	}
	spin_unlock(&chardev_lock);
	return err;
}

/* vfs_device_ops - the driver of a node of this type and rdev, or NULL. */
const struct file_ops *vfs_device_ops(uint32_t type, uint32_t rdev)
{
	const struct file_ops *fops = NULL;
	spin_lock(&chardev_lock);
	for (size_t i = 0; i < CHARDEV_MAX; i++)
		if (chardevs[i].fops && chardevs[i].type == type && chardevs[i].rdev == rdev)
			fops = chardevs[i].fops;
	for (size_t i = 0; i < CHAR_MAJORS_MAX && !fops && type == S_IFCHR; i++)
		if (char_majors[i].fops && char_majors[i].major == DEV_MAJOR(rdev))
			fops = char_majors[i].fops;
	spin_unlock(&chardev_lock);
	return fops;
}

const struct file_ops *vfs_chardev_ops(uint32_t rdev)
{
	return vfs_device_ops(S_IFCHR, rdev);
}

/* Register fops for (type, rdev) and make the node at path. */
static int register_device(const char *path, uint32_t type, uint32_t rdev, uint32_t mode,
			   const struct file_ops *fops)
{
	int err = device_add(path, type, rdev, mode, fops);
	if (err)
		return err;
	struct inode *dir, *node;
	struct vfs_last *last = kmalloc(sizeof(*last));
	if (!last)
		return -ENOMEM;
	err = vfs_lookup_parent_root(path, &dir, last);
	if (!err) {
		if (last->type != LAST_NORM || !dir->iops->mknod)
			err = -EINVAL;
		else
			err = dir->iops->mknod(dir, last->name, last->len, type | (mode & 07777),
					       rdev, 0, 0, &node);
		if (!err)
			inode_put(node);
		else if (err == -EEXIST)
			err = 0;
		inode_put(dir);
	}
	kfree(last);
	return err;
}

/* vfs_register_chardev / vfs_register_blockdev - see vfs.h. */
int vfs_register_chardev(const char *path, uint32_t rdev, uint32_t mode,
			 const struct file_ops *fops)
{
	return register_device(path, S_IFCHR, rdev, mode, fops);
}

int vfs_register_blockdev(const char *path, uint32_t rdev, uint32_t mode,
			  const struct file_ops *fops)
{
	return register_device(path, S_IFBLK, rdev, mode, fops);
}

/* vfs_unlink_root - remove the non-directory at path (from the root), for
 * the kernel itself (a removed loop device's node). 0 or -errno. */
int vfs_unlink_root(const char *path)
{
	struct inode *dir;
	struct vfs_last *last = kmalloc(sizeof(*last));
	if (!last)
		return -ENOMEM;
	int err = vfs_lookup_parent_root(path, &dir, last);
	if (!err) {
		err = last->type != LAST_NORM || !dir->iops->unlink ? -EINVAL :
		      dir->iops->unlink(dir, last->name, last->len);
		inode_put(dir);
	}
	kfree(last);
	return err;
}

/* vfs_make_device_nodes - a node in dir for each device registered
 * under /dev (devtmpfs). 0 or the first error. May sleep. */
int vfs_make_device_nodes(struct inode *dir)
{
	for (size_t i = 0; i < CHARDEV_MAX; i++) {
		spin_lock(&chardev_lock);
		uint32_t type = chardevs[i].type, rdev = chardevs[i].rdev, mode = chardevs[i].mode;
		char name[DEVICE_NAME_MAX];
		strlcpy(name, chardevs[i].fops ? chardevs[i].name : "", DEVICE_NAME_MAX);
		spin_unlock(&chardev_lock);
		if (!name[0])
			continue;
		struct inode *node;
		int err = dir->iops->mknod(dir, name, strlen(name), type | mode, rdev, 0, 0, &node);
		if (err)
			return err;
		inode_put(node);
	}
	return 0;
}

/* vfs_anon_inode - the inode of files that have none. See vfs.h. */
struct inode *vfs_anon_inode(void)
{
	return anon_inode;
}

/* The anonymous inode: a file system of its own (its own st_dev), read
 * and write for its owner only, as Linux's; never evicted. */
static void anon_inode_init(void)
{
	static const struct inode_ops anon_iops;
	anon_inode = kmalloc(sizeof(*anon_inode));
	if (!anon_inode)
		panic("vfs_init: no memory for the anonymous inode");
	inode_init(anon_inode, vfs_alloc_dev(), S_IRUSR | S_IWUSR, 0, 0, &anon_iops, NULL);
}

/* vfs_init - a ramfs as the root of the name space, and the anonymous
 * inode. Boot, once. */
void vfs_init(void)
{
	struct inode *root = ramfs_create();
	if (!root)
		panic("vfs_init: no memory for the root file system");
	vfs_set_root(root);
	inode_put(root);
	anon_inode_init();
}
