/*
 * mount.c - the mount table and the system calls on it: mount, umount2,
 * statfs's per-file-system part, sync and syncfs.
 *
 * mount(2) of a new instance: check, find the kind, resolve the target
 * directory (and for a disk file system the block device), let the kind
 * fill the instance, then attach its root over the directory (vfs.c) and
 * add it to the table. umount2(2): the target must be the root of a
 * mount; it is busy (EBUSY) while other mounts sit on it or its inodes
 * are in use, unless MNT_DETACH, which detaches it (and the mounts on
 * it) at once and lets the instance go when its last inode does.
 *
 * Not supported (EINVAL): MS_BIND and MS_MOVE; propagation flags
 * (MS_PRIVATE, MS_SHARED, ...) are accepted and change nothing (Aspen
 * has one mount name space).
 */
#include "fs/mount.h"
#include "proc/cred.h"
#include "block/blkdev.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"

#define FS_TYPES_MAX 8
#define FSTYPE_MAX 32
#define MOUNT_DATA_MAX PAGE_SIZE
#define STATFS_FILES_PER_FRAME 4
#define MS_PROPAGATION (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED)

static struct mutex mount_table_lock;           /* see mount.h */
static LIST_HEAD(mount_table);                  /* (m) struct mount, in order */
static int next_mount_id = 1;                   /* (m) */
static const struct fs_type *fs_types[FS_TYPES_MAX];   /* boot, then constant */
static int nfs_types;

void mount_register_type(const struct fs_type *type)
{
	assert(nfs_types < FS_TYPES_MAX);
	fs_types[nfs_types++] = type;
}

static const struct fs_type *find_type(const char *name)
{
	for (int i = 0; i < nfs_types; i++)
		if (strcmp(fs_types[i]->name, name) == 0)
			return fs_types[i];
	return NULL;
}

void mount_for_each_type(void (*fn)(const struct fs_type *t, void *arg), void *arg)
{
	for (int i = 0; i < nfs_types; i++)
		fn(fs_types[i], arg);
}

/* The mount whose instance has device number dev; mount_table_lock held. */
static struct mount *mount_of_dev_locked(uint32_t dev)
{
	struct mount *m;
	list_for_each_entry(m, &mount_table, link)
		if (m->dev == dev)
			return m;
	return NULL;
}

/* The mount whose root is root, or NULL; mount_table_lock held. */
static struct mount *mount_of_root_locked(struct inode *root)
{
	struct mount *m;
	list_for_each_entry(m, &mount_table, link)
		if (m->root == root)
			return m;
	return NULL;
}

void mount_for_each(void (*fn)(struct mount *m, void *arg), void *arg)
{
	struct mount *m;
	mutex_lock(&mount_table_lock);
	list_for_each_entry(m, &mount_table, link)
		fn(m, arg);
	mutex_unlock(&mount_table_lock);
}

static const struct { unsigned long flag; const char *name; } flag_names[] = {
	{ MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" }, { MS_NOEXEC, "noexec" },
	{ MS_SYNCHRONOUS, "sync" }, { MS_NOATIME, "noatime" }, { MS_NODIRATIME, "nodiratime" },
	{ MS_RELATIME, "relatime" }, { MS_LAZYTIME, "lazytime" },
};

void mount_flag_string(unsigned long flags, char *buf, size_t size)
{
	size_t n = strlcpy(buf, flags & MS_RDONLY ? "ro" : "rw", size);
	for (size_t i = 0; i < ARRAY_SIZE(flag_names) && n < size; i++)
		if (flags & flag_names[i].flag)
			n += (size_t)snprintf(buf + n, size - n, ",%s", flag_names[i].name);
}

bool mount_readonly(const struct inode *inode)
{
	mutex_lock(&mount_table_lock);
	struct mount *m = mount_of_dev_locked(inode->dev);
	bool ro = m && (m->flags & MS_RDONLY);
	mutex_unlock(&mount_table_lock);
	return ro;
}

/* Memory, for instances without a statfs (and inodes of no mount). */
static void statfs_memory(struct statfs *st)
{
	struct frame_stats fs;
	frame_get_stats(&fs);
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_blocks = fs.total;
	st->f_bfree = st->f_bavail = fs.free;
	st->f_files = fs.total * STATFS_FILES_PER_FRAME;
	st->f_ffree = fs.free * STATFS_FILES_PER_FRAME;
	st->f_namelen = NAME_MAX;
}

static unsigned long statfs_flags(unsigned long ms)
{
	static const struct { unsigned long ms, st; } map[] = {
		{ MS_RDONLY, ST_RDONLY }, { MS_NOSUID, ST_NOSUID }, { MS_NODEV, ST_NODEV },
		{ MS_NOEXEC, ST_NOEXEC }, { MS_SYNCHRONOUS, ST_SYNCHRONOUS },
		{ MS_NOATIME, ST_NOATIME }, { MS_NODIRATIME, ST_NODIRATIME },
		{ MS_RELATIME, ST_RELATIME },
	};
	unsigned long st = ST_VALID;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (ms & map[i].ms)
			st |= map[i].st;
	return st;
}

/* mount_statfs - see mount.h. */
int mount_statfs(struct inode *inode, struct statfs *st)
{
	memset(st, 0, sizeof(*st));
	if (inode == vfs_anon_inode()) {   /* as Linux's simple_statfs on anon_inodefs */
		st->f_type = ANON_INODE_FS_MAGIC;
		st->f_bsize = PAGE_SIZE;
		st->f_namelen = 255;
		st->f_fsid.val[0] = (int)inode->dev;
		return 0;
	}
	mutex_lock(&mount_table_lock);
	struct mount *m = mount_of_dev_locked(inode->dev);
	if (m && m->ops->statfs)
		m->ops->statfs(m, st);
	else
		statfs_memory(st);
	st->f_flags = statfs_flags(m ? m->flags : MS_RELATIME);
	mutex_unlock(&mount_table_lock);
	st->f_fsid.val[0] = (int)inode->dev;
	return 0;
}

static int sync_locked(struct mount *m)
{
	return m->ops->sync ? m->ops->sync(m) : 0;
}

int mount_sync_all(void)
{
	int err = 0;
	struct mount *m;
	mutex_lock(&mount_table_lock);
	list_for_each_entry(m, &mount_table, link)
		if (sync_locked(m))
			err = -EIO;
	mutex_unlock(&mount_table_lock);
	return err;
}

int mount_sync_inode(struct inode *inode)
{
	mutex_lock(&mount_table_lock);
	struct mount *m = mount_of_dev_locked(inode->dev);
	int err = m ? sync_locked(m) : 0;
	mutex_unlock(&mount_table_lock);
	return err;
}

/* vfs_fsync_inode - see vfs.h. */
int vfs_fsync_inode(struct inode *inode)
{
	return inode->iops->writeback ? mount_sync_inode(inode) : 0;
}

/* ---- making and attaching mounts ---- */

static void mount_free(struct mount *m)
{
	inode_put(m->root);
	inode_put(m->mountpoint);
	blkdev_put(m->bdev);
	kfree(m->source);
	kfree(m->path);
	kfree(m);
}

/* Attach the filled mount m over dir and enter it in the table (its id,
 * parent and path). mount_table_lock held. 0 or -errno. */
static int attach_locked(struct mount *m, struct inode *dir)
{
	struct inode *root = vfs_root();
	char *path = kmalloc(PATH_MAX);
	long len = path ? vfs_getcwd(root, dir, path, PATH_MAX) : -ENOMEM;
	inode_put(root);
	int err = len < 0 ? (int)len : vfs_mount_at(dir, m->root);
	if (err) {
		kfree(path);
		return err;
	}
	struct mount *parent = mount_of_dev_locked(dir->dev);
	m->path = path;
	m->mountpoint = inode_get(dir);
	m->id = next_mount_id++;
	m->parent_id = parent ? parent->id : m->id;
	list_add_tail(&m->link, &mount_table);
	return 0;
}

/* The block device at path for a disk file system: referenced in *out.
 * -ENOTBLK (not a block device), -ENXIO (no disk), -EBUSY (mounted). */
static int source_device(const char *upath, struct blkdev **out)
{
	struct inode *node;
	int err = user_lookup_at(AT_FDCWD, upath, LOOKUP_FOLLOW, 0, &node);
	if (err)
		return err;
	if (!S_ISBLK(node->mode))
		err = -ENOTBLK;
	else if (!(*out = blkdev_get(node->rdev)))
		err = -ENXIO;
	inode_put(node);
	if (err)
		return err;
	struct mount *m;
	list_for_each_entry(m, &mount_table, link)
		if (m->bdev == *out)
			err = -EBUSY;
	if (err)
		blkdev_put(*out);
	return err;
}

/* A new instance of type over dir. mount_table_lock held. */
static int mount_new_locked(const struct fs_type *type, const char *usource, const char *ksource,
			    struct inode *dir, unsigned long flags, const char *data)
{
	struct mount *m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->flags = flags & MOUNT_FLAGS_KEPT;
	if (!(flags & (MS_NOATIME | MS_STRICTATIME)))
		m->flags |= MS_RELATIME;
	m->flags &= ~(unsigned long)MS_STRICTATIME;
	int err = type->needs_device ? (usource ? source_device(usource, &m->bdev) : -EINVAL) : 0;
	m->source = kmalloc(strlen(ksource) + 1);
	if (!err && !m->source)
		err = -ENOMEM;
	if (!err) {
		strlcpy(m->source, ksource, strlen(ksource) + 1);
		if (m->bdev && m->bdev->read_only && !(m->flags & MS_RDONLY))
			err = -EACCES;
	}
	if (!err)
		err = type->fill(m, data);
	if (err) {
		blkdev_put(m->bdev);
		kfree(m->source);
		kfree(m);
		return err;
	}
	err = attach_locked(m, dir);
	if (err) {
		if (m->ops->kill)
			m->ops->kill(m);
		m->mountpoint = NULL;
		mount_free(m);
	}
	return err;
}

/* mount_kernel - see mount.h. */
int mount_kernel(const char *name, const char *path, unsigned long flags, const char *data)
{
	const struct fs_type *type = find_type(name);
	struct inode *dir;
	if (!type || type->needs_device)
		return -ENODEV;
	int err = vfs_lookup_root(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
	if (err)
		return err;
	mutex_lock(&mount_table_lock);
	err = mount_new_locked(type, NULL, name, dir, flags, data);
	mutex_unlock(&mount_table_lock);
	inode_put(dir);
	return err;
}

/* mount_init - the table and the root file system as mount 1. */
void mount_init(void)
{
	static const struct mount_ops rootfs_ops;
	mutex_init(&mount_table_lock, "mount_table");
	struct mount *m = kzalloc(sizeof(*m));
	char *source = kmalloc(8), *path = kmalloc(2);
	if (!m || !source || !path)
		panic("mount_init: out of memory");
	strlcpy(source, "rootfs", 8);
	strlcpy(path, "/", 2);
	*m = (struct mount){ .id = next_mount_id++, .ops = &rootfs_ops, .root = vfs_root(),
			     .source = source, .path = path, .flags = 0 };
	m->parent_id = m->id;
	m->dev = m->root->dev;
	list_add_tail(&m->link, &mount_table);
}

/* ---- mount(2) ---- */

/* A user string of at most max bytes into a kmalloc'd buffer, or NULL
 * for a NULL pointer. */
static int user_string(const char *ustr, size_t max, char **out)
{
	*out = NULL;
	if (!ustr)
		return 0;
	char *buf = kmalloc(max);
	if (!buf)
		return -ENOMEM;
	long n = strncpy_from_user(buf, ustr, max);
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	*out = buf;
	return 0;
}

/* Mounting is CAP_SYS_ADMIN's, as on Linux. */
static bool caller_is_root(void)
{
	return capable(CAP_SYS_ADMIN);
}

/* MS_REMOUNT: new flags and options for the mount whose root is root. */
static int remount_locked(struct inode *root, unsigned long flags, const char *data)
{
	struct mount *m = mount_of_root_locked(root);
	if (!m)
		return -EINVAL;
	unsigned long kept = flags & MOUNT_FLAGS_KEPT;
	if (!(flags & (MS_NOATIME | MS_STRICTATIME)))
		kept |= MS_RELATIME;
	kept &= ~(unsigned long)MS_STRICTATIME;
	if (!(flags & MS_BIND)) {
		if (!(kept & MS_RDONLY) && m->bdev && m->bdev->read_only)
			return -EACCES;
		int err = m->ops->remount ? m->ops->remount(m, kept, data) : 0;
		if (err)
			return err;
	}
	m->flags = kept;
	return 0;
}

/* Everything after the arguments are in the kernel. */
static long do_mount(const char *usource, const char *ksource, struct inode *target,
		     const char *fstype, unsigned long flags, const char *data)
{
	if (flags & (MS_BIND | MS_MOVE) && !(flags & MS_REMOUNT))
		return -EINVAL;
	mutex_lock(&mount_table_lock);
	long err;
	if (flags & MS_REMOUNT) {
		err = remount_locked(target, flags, data);
	} else if (flags & MS_PROPAGATION) {
		err = mount_of_root_locked(target) ? 0 : -EINVAL;
	} else if (!fstype) {
		err = -EINVAL;
	} else {
		const struct fs_type *type = find_type(fstype);
		err = !type ? -ENODEV : !S_ISDIR(target->mode) ? -ENOTDIR :
		      mount_new_locked(type, usource, ksource ? ksource : "none", target, flags, data);
	}
	mutex_unlock(&mount_table_lock);
	return err;
}

long sys_mount(const char *usource, const char *utarget, const char *ufstype,
	       unsigned long flags, const void *udata)
{
	if (!caller_is_root())
		return -EPERM;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(unsigned long)MS_MGC_MSK;
	char *source = NULL, *fstype = NULL, *data = NULL;
	struct inode *target = NULL;
	long err = user_lookup_at(AT_FDCWD, utarget, LOOKUP_FOLLOW, 0, &target);
	if (!err)
		err = user_string(usource, PATH_MAX, &source);
	if (!err && !(flags & (MS_REMOUNT | MS_PROPAGATION)))
		err = user_string(ufstype, FSTYPE_MAX, &fstype);
	if (!err)
		err = user_string(udata, MOUNT_DATA_MAX, &data);
	if (!err)
		err = do_mount(usource, source, target, fstype, flags, data);
	inode_put(target);
	kfree(source);
	kfree(fstype);
	kfree(data);
	return err;
}

/* ---- umount2(2) ---- */

/* Detach m and what is mounted on it (deepest first) and free them.
 * mount_table_lock held. */
static void detach_tree_locked(struct mount *m)
{
	struct mount *c, *next;
	list_for_each_entry_safe(c, next, &mount_table, link)
		if (c->parent_id == m->id && c != m)
			detach_tree_locked(c);
	vfs_unmount(m->root);
	list_del(&m->link);
	if (m->ops->kill)
		m->ops->kill(m);
	mount_free(m);
}

static bool has_children_locked(struct mount *m)
{
	struct mount *c;
	list_for_each_entry(c, &mount_table, link)
		if (c->parent_id == m->id && c != m)
			return true;
	return false;
}

/* Unmount the mount whose root is root (the caller holds one more
 * reference on it). */
static long do_umount(struct inode *root, int flags)
{
	mutex_lock(&mount_table_lock);
	struct mount *m = mount_of_root_locked(root);
	long err = 0;
	if (!m)
		err = -EINVAL;
	else if (m->id == 1)
		err = -EBUSY;
	else if (!(flags & MNT_DETACH) && (has_children_locked(m) || (m->ops->busy && m->ops->busy(m))))
		err = -EBUSY;
	else if (flags & MNT_EXPIRE)
		err = -EAGAIN;   /* not marked for expiry yet: Linux's answer to the first call */
	if (!err)
		detach_tree_locked(m);
	mutex_unlock(&mount_table_lock);
	return err;
}

long sys_umount2(const char *utarget, int flags)
{
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW) ||
	    ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH))))
		return -EINVAL;
	if (!caller_is_root())
		return -EPERM;
	struct inode *target;
	long err = user_lookup_at(AT_FDCWD, utarget, flags & UMOUNT_NOFOLLOW ? 0 : LOOKUP_FOLLOW, 0,
				  &target);
	if (err)
		return err;
	err = do_umount(target, flags);
	inode_put(target);
	return err;
}

/* ---- syncfs ---- */

long sys_syncfs(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long err = f->inode ? mount_sync_inode(f->inode) : 0;
	file_put(f);
	return err;
}
