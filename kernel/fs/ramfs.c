/*
 * ramfs.c - a file system that lives in memory.
 *
 * Directories are lists of named entries; each entry holds a reference
 * on its inode, and a directory holds one on its parent (so ".." stays
 * valid in a removed directory someone still stands in). Regular files
 * keep their pages in a tree of tables (ramfs_pages.c). Symlinks keep
 * their target string.
 *
 * An inode lives while it has references: names, open files, cwds,
 * mappings. So unlinking an open file keeps its pages until the last
 * close, and the instance itself goes with its last inode.
 *
 * Locks (see docs/fs.md):
 *   sb->ns_lock (mutex) guards every directory's entries and parent
 *     pointer and the dead state of directories: all of the name space
 *     of one instance, which keeps rename simple and deadlock-free.
 *   inode->lock guards size, nlink, mode, owner, times and the page tree.
 *   Order: ns_lock, then at most one inode->lock at a time.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "fs/context.h"
#include "fs/ramfs_impl.h"

static const struct inode_ops ramfs_iops;




/* ---- inodes ---- */

/* A new inode of sb with refcount 1 and nlink 1 (2 for a directory), or NULL. */
static struct ramfs_inode *ramfs_new_inode(struct ramfs_sb *sb, uint32_t mode, uint32_t uid,
					   uint32_t gid)
{
	struct ramfs_inode *ri = kzalloc(sizeof(*ri));
	if (!ri)
		return NULL;
	const struct file_ops *fops = NULL;
	if (S_ISREG(mode))
		fops = &page_file_ops;
	else if (S_ISDIR(mode))
		fops = &dir_file_ops;
	inode_init(&ri->vfs, sb->dev, mode, uid, gid, &ramfs_iops, fops);
	ri->sb = sb;
	xattr_mem_init(&ri->xattrs);
	if (S_ISDIR(mode)) {
		list_init(&ri->dir.entries);
		ri->dir.next_cookie = FIRST_COOKIE;
	} else if (S_ISREG(mode)) {
		ramfs_file_listed(ri);
	}
	__atomic_add_fetch(&sb->ninodes, 1, __ATOMIC_RELAXED);
	return ri;
}

/* ramfs_create - a new instance and its root directory. See ramfs.h. */
struct inode *ramfs_create(void)
{
	struct ramfs_sb *sb = kzalloc(sizeof(*sb));
	if (!sb)
		return NULL;
	mutex_init(&sb->ns_lock, "ramfs_ns");
	sb->dev = vfs_alloc_dev();
	struct ramfs_inode *root = ramfs_new_inode(sb, S_IFDIR | 0755, 0, 0);
	if (!root) {
		kfree(sb);
		return NULL;
	}
	root->dir.parent = &root->vfs;
	return &root->vfs;
}

/* May the instance change (-EROFS), and take one more inode if new
 * (-ENOSPC)? A snapshot: the limits are soft against racing creators. */
static int writable(struct ramfs_sb *sb, bool new_inode)
{
	if (sb->limits.readonly)
		return -EROFS;
	if (new_inode && sb->limits.max_inodes &&
	    __atomic_load_n(&sb->ninodes, __ATOMIC_RELAXED) >= sb->limits.max_inodes)
		return -ENOSPC;
	return 0;
}

/* An inode lost its last name: it lives on while referenced (counted,
 * so that an unmount can tell the instance is still in use). */
static void became_orphan(struct inode *inode)
{
	__atomic_add_fetch(&RI(inode)->sb->orphans, 1, __ATOMIC_RELAXED);
}

/* Add delta to inode's link count, with its lock. */
void ramfs_adjust_nlink(struct inode *inode, int delta)
{
	mutex_lock(&inode->lock);
	inode->nlink += delta;
	bool orphan = inode->nlink == 0;
	inode_touch_locked(inode, ATTR_CTIME);
	mutex_unlock(&inode->lock);
	if (orphan)
		became_orphan(inode);
}

static void touch(struct inode *inode, uint32_t which)
{
	mutex_lock(&inode->lock);
	inode_touch_locked(inode, which);
	mutex_unlock(&inode->lock);
}

/* ---- directory entries (ns_lock held) ---- */

static struct ramfs_dirent *find_entry(struct ramfs_inode *dir, const char *name, size_t len)
{
	struct ramfs_dirent *d;
	list_for_each_entry(d, &dir->dir.entries, link)
		if (d->len == len && memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

static struct ramfs_dirent *dirent_alloc(const char *name, size_t len)
{
	struct ramfs_dirent *d = kmalloc(sizeof(*d) + len + 1);
	if (d) {
		memcpy(d->name, name, len);
		d->name[len] = '\0';
		d->len = len;
	}
	return d;
}

/* Link d (naming inode, whose reference d takes over) into dir. */
static void add_entry(struct ramfs_inode *dir, struct ramfs_dirent *d, struct inode *inode)
{
	d->inode = inode;
	d->cookie = dir->dir.next_cookie++;
	list_add_tail(&d->link, &dir->dir.entries);
	dir->dir.count++;
	touch(&dir->vfs, ATTR_MTIME | ATTR_CTIME);
}

/* Unlink d from dir; returns the inode with d's reference. */
struct inode *ramfs_remove_entry(struct ramfs_inode *dir, struct ramfs_dirent *d)
{
	struct inode *inode = d->inode;
	list_del(&d->link);
	dir->dir.count--;
	kfree(d);
	touch(&dir->vfs, ATTR_MTIME | ATTR_CTIME);
	return inode;
}

/* A removed directory (nlink 0) takes no new entries. */
static bool dir_dead(struct ramfs_inode *dir)
{
	return dir->vfs.nlink == 0;
}

/* ---- directory operations ---- */

static int ramfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ramfs_inode *rd = RI(dir);
	int err = 0;
	mutex_lock(&rd->sb->ns_lock);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = inode_get(rd->dir.parent);
	} else {
		struct ramfs_dirent *d = find_entry(rd, name, len);
		if (d)
			*out = inode_get(d->inode);
		else
			err = -ENOENT;
	}
	mutex_unlock(&rd->sb->ns_lock);
	return err;
}

/* What a new node is: type and permission bits, and per type a device
 * number or a symlink target. */
struct node_spec {
	uint32_t mode, uid, gid, rdev;
	const char *target;
};

/* Give a new inode its type-specific state; ns_lock held. */
static int init_node(struct ramfs_inode *dir, struct ramfs_inode *ri, const struct node_spec *spec)
{
	if (S_ISLNK(spec->mode)) {
		size_t tlen = strlen(spec->target);
		ri->target = kmalloc(tlen + 1);
		if (!ri->target)
			return -ENOMEM;
		memcpy(ri->target, spec->target, tlen + 1);
		ri->vfs.size = tlen;
	} else if (S_ISDIR(spec->mode)) {
		ri->dir.parent = inode_get(&dir->vfs);
		ramfs_adjust_nlink(&dir->vfs, 1);
	}
	ri->vfs.rdev = spec->rdev;
	return 0;
}

/* Create a node named name in dir per spec: the common part of create,
 * mkdir, mknod and symlink. */
static int new_node(struct inode *dir, const char *name, size_t len, const struct node_spec *spec,
		    struct inode **out)
{
	struct ramfs_inode *rd = RI(dir);
	int err = writable(rd->sb, true);
	if (err)
		return err;
	struct ramfs_dirent *d = dirent_alloc(name, len);
	struct ramfs_inode *ri = ramfs_new_inode(rd->sb, spec->mode, spec->uid, spec->gid);
	err = d && ri ? 0 : -ENOMEM;
	mutex_lock(&rd->sb->ns_lock);
	if (!err && dir_dead(rd))
		err = -ENOENT;
	if (!err && find_entry(rd, name, len))
		err = -EEXIST;
	if (!err)
		err = init_node(rd, ri, spec);
	if (!err) {
		add_entry(rd, d, inode_get(&ri->vfs));
		*out = &ri->vfs;
	}
	mutex_unlock(&rd->sb->ns_lock);
	if (err) {
		kfree(d);
		if (ri)
			inode_put(&ri->vfs);
	}
	return err;
}

static int ramfs_create_file(struct inode *dir, const char *name, size_t len, uint32_t mode,
			     uint32_t uid, uint32_t gid, struct inode **out)
{
	struct node_spec spec = { S_IFREG | (mode & 07777), uid, gid, 0, NULL };
	return new_node(dir, name, len, &spec, out);
}

static int ramfs_mkdir(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       uint32_t uid, uint32_t gid, struct inode **out)
{
	struct node_spec spec = { S_IFDIR | (mode & 07777), uid, gid, 0, NULL };
	return new_node(dir, name, len, &spec, out);
}

static int ramfs_mknod(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       uint32_t rdev, uint32_t uid, uint32_t gid, struct inode **out)
{
	if (S_ISDIR(mode) || S_ISLNK(mode))
		return -EINVAL;
	struct node_spec spec = { mode, uid, gid, rdev, NULL };
	return new_node(dir, name, len, &spec, out);
}

static int ramfs_symlink(struct inode *dir, const char *name, size_t len, const char *target,
			 uint32_t uid, uint32_t gid, struct inode **out)
{
	struct node_spec spec = { S_IFLNK | 0777, uid, gid, 0, target };
	return new_node(dir, name, len, &spec, out);
}

static int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	struct ramfs_inode *rd = RI(dir);
	if (S_ISDIR(target->mode))
		return -EPERM;
	if (writable(rd->sb, false))
		return -EROFS;
	struct ramfs_dirent *d = dirent_alloc(name, len);
	if (!d)
		return -ENOMEM;
	int err = 0;
	mutex_lock(&rd->sb->ns_lock);
	if (dir_dead(rd))
		err = -ENOENT;
	else if (find_entry(rd, name, len))
		err = -EEXIST;
	else if (target->nlink == 0)
		err = -ENOENT;        /* an unlinked file cannot get a name back */
	if (!err) {
		ramfs_adjust_nlink(target, 1);
		add_entry(rd, d, inode_get(target));
	}
	mutex_unlock(&rd->sb->ns_lock);
	if (err)
		kfree(d);
	return err;
}

/* Find the entry name in dir for removal: -ENOENT, or the sticky rule. */
static int find_victim(struct ramfs_inode *dir, const char *name, size_t len,
		       struct ramfs_dirent **out)
{
	struct ramfs_dirent *d = find_entry(dir, name, len);
	if (!d)
		return -ENOENT;
	*out = d;
	return vfs_may_delete(&dir->vfs, d->inode);
}

/* May directory victim go (be removed or replaced)? ns_lock held. */
static int dir_removable(struct inode *victim)
{
	if (RI(victim)->dir.count)
		return -ENOTEMPTY;
	if (__atomic_load_n(&victim->mounted, __ATOMIC_RELAXED))
		return -EBUSY;
	return 0;
}

/* Mark directory victim (just unlinked from parent) removed. ns_lock held. */
void ramfs_kill_dir(struct inode *parent, struct inode *victim)
{
	mutex_lock(&victim->lock);
	victim->nlink = 0;
	inode_touch_locked(victim, ATTR_CTIME);
	mutex_unlock(&victim->lock);
	became_orphan(victim);
	ramfs_adjust_nlink(parent, -1);
}

/* Remove the entry name of dir: a directory (rmdir) or anything else
 * (unlink), with the errors each gives for the wrong kind. */
static int remove_node(struct inode *dir, const char *name, size_t len, bool want_dir)
{
	struct ramfs_inode *rd = RI(dir);
	struct ramfs_dirent *d;
	struct inode *victim = NULL;
	if (writable(rd->sb, false))
		return -EROFS;
	mutex_lock(&rd->sb->ns_lock);
	int err = find_victim(rd, name, len, &d);
	if (!err && S_ISDIR(d->inode->mode) != want_dir)
		err = want_dir ? -ENOTDIR : -EISDIR;
	if (!err && want_dir)
		err = dir_removable(d->inode);
	if (!err) {
		victim = ramfs_remove_entry(rd, d);
		if (want_dir)
			ramfs_kill_dir(dir, victim);
		else
			ramfs_adjust_nlink(victim, -1);
	}
	mutex_unlock(&rd->sb->ns_lock);
	inode_put(victim);
	return err;
}

static int ramfs_unlink(struct inode *dir, const char *name, size_t len)
{
	return remove_node(dir, name, len, false);
}

static int ramfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	return remove_node(dir, name, len, true);
}

/* ---- rename ---- */

/* Is dir the directory anc or below it? ns_lock held (parents stable). */
static bool is_within(struct inode *dir, struct inode *anc)
{
	for (;;) {
		if (dir == anc)
			return true;
		struct inode *up = RI(dir)->dir.parent;
		if (up == dir)
			return false;
		dir = up;
	}
}

/* Linux's checks of rename(src -> the entry dst of ndir, maybe NULL).
 * ns_lock held. */
static int rename_check(struct ramfs_inode *odir, struct inode *src, struct ramfs_inode *ndir,
			struct ramfs_dirent *dst, unsigned flags)
{
	if (dir_dead(ndir))
		return -ENOENT;
	if (S_ISDIR(src->mode) && is_within(&ndir->vfs, src))
		return -EINVAL;
	int err = vfs_may_delete(&odir->vfs, src);
	if (!err && S_ISDIR(src->mode) && odir != ndir)
		err = inode_permission(src, MAY_WRITE);   /* its ".." changes */
	if (err || !dst)
		return err;
	if (flags & RENAME_NOREPLACE)
		return -EEXIST;
	if (S_ISDIR(src->mode)) {
		if (!S_ISDIR(dst->inode->mode))
			return -ENOTDIR;
		err = dir_removable(dst->inode);
	} else if (S_ISDIR(dst->inode->mode)) {
		return -EISDIR;
	}
	return err ? err : vfs_may_delete(&ndir->vfs, dst->inode);
}

/* Move directory src from odir to ndir: its ".." and both link counts.
 * Returns the old parent's reference for the caller to drop. */
static struct inode *reparent(struct inode *src, struct ramfs_inode *odir, struct ramfs_inode *ndir)
{
	struct inode *old = RI(src)->dir.parent;
	RI(src)->dir.parent = inode_get(&ndir->vfs);
	ramfs_adjust_nlink(&odir->vfs, -1);
	ramfs_adjust_nlink(&ndir->vfs, 1);
	return old;
}

/* Swap the inodes that entries a (in adir) and b (in bdir) name
 * (RENAME_EXCHANGE): directories that change parent take their new
 * "..". ns_lock held; old parents' references go to *put[2]. */
static void exchange_entries(struct ramfs_inode *adir, struct ramfs_dirent *a,
			     struct ramfs_inode *bdir, struct ramfs_dirent *b, struct inode *put[2])
{
	struct inode *ai = a->inode, *bi = b->inode;
	a->inode = bi;
	b->inode = ai;
	if (adir != bdir && S_ISDIR(ai->mode))
		put[0] = reparent(ai, adir, bdir);
	if (adir != bdir && S_ISDIR(bi->mode))
		put[1] = reparent(bi, bdir, adir);
	touch(&adir->vfs, ATTR_MTIME | ATTR_CTIME);
	touch(&bdir->vfs, ATTR_MTIME | ATTR_CTIME);
	touch(ai, ATTR_CTIME);
	touch(bi, ATTR_CTIME);
}

/* Linux's checks of an exchange of src (in odir) and dst (in ndir), both
 * present: neither may be an ancestor of the other's directory.
 * ns_lock held. */
static int exchange_check(struct ramfs_inode *odir, struct ramfs_dirent *src,
			  struct ramfs_inode *ndir, struct ramfs_dirent *dst)
{
	if (!src || !dst)
		return -ENOENT;
	if ((S_ISDIR(src->inode->mode) && is_within(&ndir->vfs, src->inode)) ||
	    (S_ISDIR(dst->inode->mode) && is_within(&odir->vfs, dst->inode)))
		return -EINVAL;
	int err = vfs_may_delete(&odir->vfs, src->inode);
	if (!err)
		err = vfs_may_delete(&ndir->vfs, dst->inode);
	if (!err && odir != ndir && S_ISDIR(src->inode->mode))
		err = inode_permission(src->inode, MAY_WRITE);
	if (!err && odir != ndir && S_ISDIR(dst->inode->mode))
		err = inode_permission(dst->inode, MAY_WRITE);
	return err;
}

/* rename(RENAME_EXCHANGE): both names stay, their inodes swap. */
static int ramfs_rename_exchange(struct ramfs_inode *odir, const char *oname, size_t olen,
				 struct ramfs_inode *ndir, const char *nname, size_t nlen)
{
	struct inode *put[2] = { NULL, NULL };
	mutex_lock(&odir->sb->ns_lock);
	struct ramfs_dirent *src = find_entry(odir, oname, olen);
	struct ramfs_dirent *dst = find_entry(ndir, nname, nlen);
	int err = exchange_check(odir, src, ndir, dst);
	if (!err && src->inode != dst->inode)
		exchange_entries(odir, src, ndir, dst, put);
	mutex_unlock(&odir->sb->ns_lock);
	inode_put(put[0]);
	inode_put(put[1]);
	return err;
}

/* The whiteout RENAME_WHITEOUT leaves at the old name: a character
 * device 0:0 with no permission bits (Linux's WHITEOUT_MODE/DEV), the
 * caller's. Its entry and inode, allocated before the rename commits. */
static int whiteout_alloc(struct ramfs_inode *odir, const char *oname, size_t olen,
			  struct ramfs_dirent **d, struct ramfs_inode **wi)
{
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	if (odir->vfs.mode & S_ISGID)
		gid = odir->vfs.gid;           /* inode_init_owner's rule for a non-directory */
	*d = dirent_alloc(oname, olen);
	*wi = *d ? ramfs_new_inode(odir->sb, S_IFCHR, uid, gid) : NULL;
	if (*wi)
		return 0;
	kfree(*d);
	return -ENOMEM;
}

static int ramfs_rename(struct inode *odir_i, const char *oname, size_t olen,
			struct inode *ndir_i, const char *nname, size_t nlen, unsigned flags)
{
	struct ramfs_inode *odir = RI(odir_i), *ndir = RI(ndir_i);
	if (odir->sb != ndir->sb)
		return -EXDEV;
	int werr = writable(odir->sb, (flags & RENAME_WHITEOUT) != 0);
	if (werr)
		return werr;
	if (flags & RENAME_EXCHANGE)
		return ramfs_rename_exchange(odir, oname, olen, ndir, nname, nlen);
	struct ramfs_dirent *wd = NULL;
	struct ramfs_inode *wi = NULL;
	if ((flags & RENAME_WHITEOUT) && whiteout_alloc(odir, oname, olen, &wd, &wi))
		return -ENOMEM;
	struct ramfs_dirent *nd = dirent_alloc(nname, nlen);
	if (!nd) {
		kfree(wd);
		inode_put(wi ? &wi->vfs : NULL);
		return -ENOMEM;
	}
	struct inode *victim = NULL, *old_parent = NULL;
	mutex_lock(&odir->sb->ns_lock);
	struct ramfs_dirent *src = find_entry(odir, oname, olen);
	struct ramfs_dirent *dst = find_entry(ndir, nname, nlen);
	int err = src ? rename_check(odir, src->inode, ndir, dst, flags) : -ENOENT;
	if (err || (dst && dst->inode == src->inode))
		goto out;       /* two names of one inode: Linux does nothing */
	/* committed: nothing below fails */
	if (dst) {
		victim = ramfs_remove_entry(ndir, dst);
		if (S_ISDIR(victim->mode))
			ramfs_kill_dir(&ndir->vfs, victim);
		else
			ramfs_adjust_nlink(victim, -1);
	}
	struct inode *moved = ramfs_remove_entry(odir, src);
	if (S_ISDIR(moved->mode) && odir != ndir)
		old_parent = reparent(moved, odir, ndir);
	add_entry(ndir, nd, moved);
	nd = NULL;
	touch(moved, ATTR_CTIME);
	if (wd) {
		add_entry(odir, wd, &wi->vfs);   /* the entry takes the new inode's reference */
		wd = NULL;
		wi = NULL;
	}
out:
	mutex_unlock(&odir->sb->ns_lock);
	kfree(nd);
	kfree(wd);
	inode_put(wi ? &wi->vfs : NULL);
	inode_put(victim);
	inode_put(old_parent);
	return err;
}

/* ---- other operations ---- */

static long ramfs_readlink(struct inode *link, char *buf, size_t size)
{
	size_t n = MIN(size, link->size);
	memcpy(buf, RI(link)->target, n);
	return (long)n;
}

static int ramfs_setattr(struct inode *inode, const struct iattr *attr)
{
	int err = writable(RI(inode)->sb, false);
	if (err)
		return err;
	mutex_lock(&inode->lock);
	if (attr->ia_valid & ATTR_SIZE) {
		if (S_ISREG(inode->mode))
			err = ramfs_truncate_locked(RI(inode), attr->size);
		else
			err = S_ISDIR(inode->mode) ? -EISDIR : -EINVAL;
	}
	if (!err)
		setattr_copy_locked(inode, attr);
	mutex_unlock(&inode->lock);
	return err;
}

static int ramfs_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct ramfs_inode *rd = RI(dir);
	mutex_lock(&rd->sb->ns_lock);
	if (*pos == 0 && emit(ctx, ".", 1, dir->ino, IFTODT(S_IFDIR), 1))
		*pos = 1;
	if (*pos == 1 && emit(ctx, "..", 2, rd->dir.parent->ino, IFTODT(S_IFDIR), FIRST_COOKIE))
		*pos = FIRST_COOKIE;
	struct ramfs_dirent *d;
	if (*pos >= FIRST_COOKIE) {
		list_for_each_entry(d, &rd->dir.entries, link) {
			if (d->cookie < *pos)
				continue;
			if (!emit(ctx, d->name, d->len, d->inode->ino, IFTODT(d->inode->mode),
				  d->cookie + 1))
				break;
			*pos = d->cookie + 1;
		}
	}
	mutex_unlock(&rd->sb->ns_lock);
	return 0;
}

/* Extended attributes: each inode's own list (fs/xattr_mem.c). */
static long ramfs_xattr_get(struct inode *inode, int index, const char *name, void *buf,
			    size_t size)
{
	return xattr_mem_get(&RI(inode)->xattrs, index, name, buf, size);
}

static int ramfs_xattr_set(struct inode *inode, int index, const char *name, const void *value,
			   size_t size, int flags)
{
	int err = writable(SB(inode), false);
	if (!err)
		err = xattr_mem_set(&RI(inode)->xattrs, index, name, value, size, flags);
	if (!err) {
		mutex_lock(&inode->lock);
		inode->ctime = vfs_now();
		mutex_unlock(&inode->lock);
	}
	return err;
}

static int ramfs_xattr_list(struct inode *inode, xattr_emit_fn emit, void *ctx)
{
	return xattr_mem_list(&RI(inode)->xattrs, emit, ctx);
}

/* The last reference is gone: free the contents, the inode, and the
 * instance with its last inode. */
static void ramfs_evict(struct inode *inode)
{
	struct ramfs_inode *ri = RI(inode);
	struct ramfs_sb *sb = ri->sb;
	if (inode->nlink == 0)
		__atomic_sub_fetch(&sb->orphans, 1, __ATOMIC_RELAXED);
	if (S_ISREG(inode->mode)) {
		ramfs_file_release(ri);
	} else if (S_ISLNK(inode->mode)) {
		kfree(ri->target);
	} else if (S_ISDIR(inode->mode)) {
		assert(list_empty(&ri->dir.entries));
		if (ri->dir.parent != inode)
			inode_put(ri->dir.parent);
	}
	xattr_mem_free(&ri->xattrs);
	kfree(ri);
	if (__atomic_sub_fetch(&sb->ninodes, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sb);
}

static const struct inode_ops ramfs_iops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create_file,
	.mkdir = ramfs_mkdir,
	.mknod = ramfs_mknod,
	.symlink = ramfs_symlink,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rmdir = ramfs_rmdir,
	.rename = ramfs_rename,
	.readlink = ramfs_readlink,
	.setattr = ramfs_setattr,
	.fallocate = ramfs_fallocate,
	.iterate = ramfs_iterate,
	.get_page = ramfs_get_page,
	.blocks = ramfs_blocks,
	.xattr_get = ramfs_xattr_get,
	.xattr_set = ramfs_xattr_set,
	.xattr_list = ramfs_xattr_list,
	.evict = ramfs_evict,
	.by_ino = ramfs_by_ino,
};

/* ramfs_owns - is ip an inode of some ramfs instance? */
bool ramfs_owns(const struct inode *ip)
{
	return ip->iops == &ramfs_iops;
}
