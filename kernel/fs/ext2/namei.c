/*
 * namei.c - ext2's directory operations: lookup, and making, linking,
 * removing and renaming names, with Linux's errors (as ramfs gives them).
 *
 * Each takes sbi->ns_lock for the whole change, so names and link counts
 * change together. A new inode is written before the entry naming it; a
 * rename writes the new entry before removing the old one, so a crash
 * between leaves an extra name rather than a lost file (e2fsck fixes the
 * count). Link counts as ext2 keeps them: a directory has 2 plus one per
 * subdirectory, at most EXT2_LINK_MAX.
 */
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"

#define EXT2_LINK_MAX 32000
#define ANCESTRY_MAX 4096      /* levels walked up looking for a rename loop */

/* ---- lookup ---- */

static int ext2_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	uint32_t ino;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	mutex_lock(&sbi->ns_lock);
	int err = dir->nlink ? ext2_find_entry(dir, name, len, &ino) : -ENOENT;
	if (!err)
		err = ext2_iget(sbi, ino, out);
	mutex_unlock(&sbi->ns_lock);
	return err;
}

/* ---- making ---- */

static void add_links(struct inode *inode, int delta)
{
	mutex_lock(&inode->lock);
	inode->nlink = (uint32_t)((int)inode->nlink + delta);
	inode_touch_locked(inode, ATTR_CTIME);
	EI(inode)->dirty = true;
	mutex_unlock(&inode->lock);
}

/* The contents of a new symlink: in i_block when short, else a block. */
static int store_symlink(struct inode *link, const char *target)
{
	struct ext2_inode *ei = EI(link);
	size_t len = strlen(target);
	if (len + 1 > ei->sbi->block_size)
		return -ENAMETOOLONG;
	link->size = len;
	if (len <= EXT2_FAST_SYMLINK_MAX) {
		memcpy(ei->block, target, len);
		return 0;
	}
	uint32_t disk;
	struct ext2_buf *b;
	mutex_lock(&link->lock);
	int err = ext2_bmap(ei, 0, true, &disk);
	mutex_unlock(&link->lock);
	if (err)
		return err;
	mutex_lock(&ei->sbi->alloc_lock);
	err = ext2_bget_zeroed(ei->sbi, disk, &b);
	if (!err) {
		memcpy(b->data, target, len);
		ext2_bdirty(b);
		ext2_brelse(ei->sbi, b);
	}
	mutex_unlock(&ei->sbi->alloc_lock);
	return err;
}

/* Device numbers as ext2 stores them: the old 8:8 form in i_block[0]
 * when both fit, else Linux's new encoding in i_block[1]. */
static void store_rdev(struct inode *node, uint32_t rdev)
{
	struct ext2_inode *ei = EI(node);
	node->rdev = rdev;
	if (DEV_MAJOR(rdev) < 256 && DEV_MINOR(rdev) < 256)
		ei->block[0] = DEV_MAJOR(rdev) << 8 | DEV_MINOR(rdev);
	else
		ei->block[1] = rdev;
}

/* What a new node is (as ramfs's node_spec). */
struct spec {
	uint32_t mode, rdev, uid, gid;
	const char *target;
};

/* Give the new inode its contents by type. ns_lock held. */
static int init_node(struct inode *dir, struct inode *inode, const struct spec *s)
{
	if (S_ISDIR(s->mode))
		return ext2_make_dir(inode, dir);
	if (S_ISLNK(s->mode))
		return store_symlink(inode, s->target);
	if (S_ISCHR(s->mode) || S_ISBLK(s->mode))
		store_rdev(inode, s->rdev);
	return 0;
}

/* Undo a new inode that got no name: it is freed at its last put. */
static void discard(struct inode *inode)
{
	mutex_lock(&inode->lock);
	inode->nlink = 0;
	mutex_unlock(&inode->lock);
	inode_put(inode);
}

static int new_node(struct inode *dir, const char *name, size_t len, const struct spec *s,
		    struct inode **out)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	struct inode *inode = NULL;
	uint32_t ino;
	if (sbi->readonly)
		return -EROFS;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	mutex_lock(&sbi->ns_lock);
	int err = !dir->nlink ? -ENOENT : ext2_find_entry(dir, name, len, &ino) == 0 ? -EEXIST : 0;
	if (!err && S_ISDIR(s->mode) && dir->nlink >= EXT2_LINK_MAX)
		err = -EMLINK;
	if (!err)
		err = ext2_new_inode(dir, s->mode, s->uid, s->gid, &inode);
	if (!err) {
		inode->nlink = S_ISDIR(s->mode) ? 2 : 1;
		err = init_node(dir, inode, s);
	}
	if (!err) {
		mutex_lock(&inode->lock);
		err = ext2_write_inode(EI(inode));
		mutex_unlock(&inode->lock);
	}
	if (!err)
		err = ext2_add_entry(dir, name, len, inode);
	if (!err && S_ISDIR(s->mode))
		add_links(dir, 1);
	mutex_unlock(&sbi->ns_lock);
	if (err && inode)
		discard(inode);
	else if (!err)
		*out = inode;
	return err;
}

static int ext2_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       uint32_t uid, uint32_t gid, struct inode **out)
{
	struct spec s = { S_IFREG | (mode & 07777), 0, uid, gid, NULL };
	return new_node(dir, name, len, &s, out);
}

static int ext2_mkdir(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t uid, uint32_t gid, struct inode **out)
{
	struct spec s = { S_IFDIR | (mode & 07777), 0, uid, gid, NULL };
	return new_node(dir, name, len, &s, out);
}

static int ext2_mknod(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev, uint32_t uid, uint32_t gid, struct inode **out)
{
	if (S_ISDIR(mode) || S_ISLNK(mode))
		return -EINVAL;
	struct spec s = { mode, rdev, uid, gid, NULL };
	return new_node(dir, name, len, &s, out);
}

static int ext2_symlink(struct inode *dir, const char *name, size_t len, const char *target,
			uint32_t uid, uint32_t gid, struct inode **out)
{
	struct spec s = { S_IFLNK | 0777, 0, uid, gid, target };
	return new_node(dir, name, len, &s, out);
}

static int ext2_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	uint32_t ino;
	if (S_ISDIR(target->mode))
		return -EPERM;
	if (sbi->readonly)
		return -EROFS;
	mutex_lock(&sbi->ns_lock);
	int err = !dir->nlink ? -ENOENT : ext2_find_entry(dir, name, len, &ino) == 0 ? -EEXIST :
		  target->nlink == 0 ? -ENOENT : target->nlink >= EXT2_LINK_MAX ? -EMLINK : 0;
	if (!err)
		err = ext2_add_entry(dir, name, len, target);
	if (!err)
		add_links(target, 1);
	mutex_unlock(&sbi->ns_lock);
	return err;
}

/* ---- removing ---- */

/* The entry name of dir for removal, with its inode (referenced). */
static int victim_of(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	uint32_t ino;
	int err = ext2_find_entry(dir, name, len, &ino);
	if (!err)
		err = ext2_iget(EI(dir)->sbi, ino, out);
	if (!err && (err = vfs_may_delete(dir, *out))) {
		inode_put(*out);
		*out = NULL;
	}
	return err;
}

/* May directory victim be removed or replaced? ns_lock held. */
static int dir_removable(struct inode *victim)
{
	if (__atomic_load_n(&victim->mounted, __ATOMIC_RELAXED))
		return -EBUSY;
	int empty = ext2_dir_empty(victim);
	return empty < 0 ? empty : empty ? 0 : -ENOTEMPTY;
}

static void unlink_dir(struct inode *parent, struct inode *victim)
{
	add_links(victim, -(int)victim->nlink);
	add_links(parent, -1);
}

static int remove_node(struct inode *dir, const char *name, size_t len, bool want_dir)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	struct inode *victim = NULL;
	if (sbi->readonly)
		return -EROFS;
	mutex_lock(&sbi->ns_lock);
	int err = victim_of(dir, name, len, &victim);
	if (!err && S_ISDIR(victim->mode) != want_dir)
		err = want_dir ? -ENOTDIR : -EISDIR;
	if (!err && want_dir)
		err = dir_removable(victim);
	if (!err)
		err = ext2_delete_entry(dir, name, len);
	if (!err && want_dir)
		unlink_dir(dir, victim);
	else if (!err)
		add_links(victim, -1);
	mutex_unlock(&sbi->ns_lock);
	inode_put(victim);
	return err;
}

static int ext2_unlink(struct inode *dir, const char *name, size_t len)
{
	return remove_node(dir, name, len, false);
}

static int ext2_rmdir(struct inode *dir, const char *name, size_t len)
{
	return remove_node(dir, name, len, true);
}

/* ---- rename ---- */

/* Is dir the directory anc or below it? Walks the ".." entries up to the
 * root. ns_lock held. */
static int is_within(struct inode *dir, struct inode *anc)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	struct inode *cur = inode_get(dir);
	int r = 0;
	for (int depth = 0; depth < ANCESTRY_MAX; depth++) {
		uint32_t up;
		if (cur == anc || cur->ino == EXT2_ROOT_INO) {
			r = cur == anc;
			break;
		}
		struct inode *next;
		r = ext2_find_entry(cur, "..", 2, &up);
		if (!r)
			r = ext2_iget(sbi, up, &next);
		if (r)
			break;
		inode_put(cur);
		cur = next;
	}
	inode_put(cur);
	return r;
}

/* Linux's checks of rename(src -> dst in ndir, dst maybe NULL). ns_lock held. */
static int rename_check(struct inode *odir, struct inode *src, struct inode *ndir,
			struct inode *dst, unsigned flags)
{
	if (!ndir->nlink)
		return -ENOENT;
	if (S_ISDIR(src->mode)) {
		int within = is_within(ndir, src);
		if (within)
			return within < 0 ? within : -EINVAL;
	}
	int err = vfs_may_delete(odir, src);
	if (err || !dst)
		return err;
	if (flags & RENAME_NOREPLACE)
		return -EEXIST;
	if (S_ISDIR(src->mode)) {
		if (!S_ISDIR(dst->mode))
			return -ENOTDIR;
		err = dir_removable(dst);
	} else if (S_ISDIR(dst->mode)) {
		return -EISDIR;
	} else if (src->nlink >= EXT2_LINK_MAX && src != dst) {
		return -EMLINK;
	}
	return err ? err : vfs_may_delete(ndir, dst);
}

/* The committed part of a rename: new name first, then the old one goes. */
static int rename_commit(struct inode *odir, const char *oname, size_t olen, struct inode *src,
			 struct inode *ndir, const char *nname, size_t nlen, struct inode *dst)
{
	int err = dst ? ext2_set_entry(ndir, nname, nlen, src) : ext2_add_entry(ndir, nname, nlen, src);
	if (!err)
		err = ext2_delete_entry(odir, oname, olen);
	if (err)
		return err;
	if (dst && S_ISDIR(dst->mode))
		unlink_dir(ndir, dst);
	else if (dst)
		add_links(dst, -1);
	if (S_ISDIR(src->mode) && odir != ndir) {
		err = ext2_set_entry(src, "..", 2, ndir);
		add_links(odir, -1);
		add_links(ndir, 1);
	}
	add_links(src, 0);   /* ctime */
	return err;
}

static int ext2_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		       const char *nname, size_t nlen, unsigned flags)
{
	struct ext2_sb_info *sbi = EI(odir)->sbi;
	struct inode *src = NULL, *dst = NULL;
	uint32_t ino;
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;       /* no EXCHANGE or WHITEOUT, as Linux's ext2 */
	if (EI(ndir)->sbi != sbi)
		return -EXDEV;
	if (sbi->readonly)
		return -EROFS;
	if (nlen > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	mutex_lock(&sbi->ns_lock);
	int err = ext2_find_entry(odir, oname, olen, &ino);
	if (!err)
		err = ext2_iget(sbi, ino, &src);
	if (!err && ext2_find_entry(ndir, nname, nlen, &ino) == 0)
		err = ext2_iget(sbi, ino, &dst);
	if (!err)
		err = rename_check(odir, src, ndir, dst, flags);
	if (!err && src != dst)
		err = rename_commit(odir, oname, olen, src, ndir, nname, nlen, dst);
	mutex_unlock(&sbi->ns_lock);
	inode_put(src);
	inode_put(dst);
	return err;
}

/* ---- symlinks ---- */

static long ext2_readlink(struct inode *link, char *buf, size_t size)
{
	struct ext2_inode *ei = EI(link);
	size_t n = MIN(size, link->size);
	if (link->size <= EXT2_FAST_SYMLINK_MAX && ext2_is_fast_symlink(ei)) {
		memcpy(buf, ei->block, n);
		return (long)n;
	}
	uint32_t disk;
	struct ext2_buf *b;
	mutex_lock(&link->lock);
	int err = ext2_bmap(ei, 0, false, &disk);
	mutex_unlock(&link->lock);
	if (err || !disk)
		return err ? err : -EUCLEAN;
	mutex_lock(&ei->sbi->alloc_lock);
	err = ext2_bread(ei->sbi, disk, &b);
	if (!err) {
		memcpy(buf, b->data, MIN(n, ei->sbi->block_size));
		ext2_brelse(ei->sbi, b);
	}
	mutex_unlock(&ei->sbi->alloc_lock);
	return err ? err : (long)n;
}

static uint64_t ext2_blocks(struct inode *inode)
{
	return EI(inode)->disk_blocks;
}

const struct inode_ops ext2_dir_iops = {
	.encode_fh = ext2_encode_fh, .fh_to_inode = ext2_fh_to_inode,
	.lookup = ext2_lookup, .create = ext2_create, .mkdir = ext2_mkdir, .mknod = ext2_mknod,
	.symlink = ext2_symlink, .link = ext2_link, .unlink = ext2_unlink, .rmdir = ext2_rmdir,
	.rename = ext2_rename, .setattr = ext2_setattr, .iterate = ext2_iterate,
	.writeback = ext2_writeback, .blocks = ext2_blocks, .evict = ext2_evict,
	.xattr_get = ext2_xattr_get, .xattr_set = ext2_xattr_set, .xattr_list = ext2_xattr_list,
};

const struct inode_ops ext2_file_iops = {
	.encode_fh = ext2_encode_fh, .fh_to_inode = ext2_fh_to_inode,
	.setattr = ext2_setattr, .find_page = ext2_find_page, .prepare_write = ext2_prepare_write,
	.writeback = ext2_writeback, .blocks = ext2_blocks, .evict = ext2_evict,
	.xattr_get = ext2_xattr_get, .xattr_set = ext2_xattr_set, .xattr_list = ext2_xattr_list,
};

const struct inode_ops ext2_special_iops = {
	.encode_fh = ext2_encode_fh, .fh_to_inode = ext2_fh_to_inode,
	.readlink = ext2_readlink, .setattr = ext2_setattr, .writeback = ext2_writeback,
	.blocks = ext2_blocks, .evict = ext2_evict,
	.xattr_get = ext2_xattr_get, .xattr_set = ext2_xattr_set, .xattr_list = ext2_xattr_list,
};
