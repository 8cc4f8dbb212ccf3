/*
 * inode.c - ext2 inodes: finding them in memory or reading them from the
 * inode table, making new ones, writing them back, their block maps
 * (twelve direct blocks, then single, double and triple indirect
 * blocks), truncation, and the end of an inode's life in memory.
 *
 * An inode is in memory while the VFS holds references to it (names do
 * not: the directory entries are on disk). The last reference evicts it:
 * written back, or, with no name left, its blocks and number freed.
 */
#include "fs/ext2/ext2.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sync/sleep.h"

#define SECTORS(sbi) ((sbi)->block_size >> BLK_SECTOR_SHIFT)

/* ---- the inode table ---- */

/* Where inode ino lies: its table block and the byte offset in it. */
static void inode_place(struct ext2_sb_info *sbi, uint32_t ino, uint32_t *block, uint32_t *off)
{
	uint32_t g = (ino - 1) / sbi->inodes_per_group, i = (ino - 1) % sbi->inodes_per_group;
	uint64_t byte = (uint64_t)i * sbi->inode_size;
	*block = sbi->groups[g].bg_inode_table + (uint32_t)(byte >> sbi->block_shift);
	*off = (uint32_t)(byte & (sbi->block_size - 1));
}

/* Copy the disk inode ino (its first min(inode_size, sizeof) bytes). */
static int read_disk_inode(struct ext2_sb_info *sbi, uint32_t ino, struct ext2_disk_inode *di)
{
	uint32_t block, off;
	struct ext2_buf *b;
	memset(di, 0, sizeof(*di));
	mutex_lock(&sbi->alloc_lock);
	inode_place(sbi, ino, &block, &off);
	int err = ext2_bread(sbi, block, &b);
	if (!err) {
		memcpy(di, b->data + off, MIN(sbi->inode_size, sizeof(*di)));
		ext2_brelse(sbi, b);
	}
	mutex_unlock(&sbi->alloc_lock);
	return err;
}

static uint32_t disk_time(struct vfs_time t) { return (uint32_t)t.sec; }
static struct vfs_time vfs_time_of(uint32_t t) { return (struct vfs_time){ t, 0 }; }

/* The VFS and ext2 fields of ei from di. */
static void inode_from_disk(struct ext2_inode *ei, const struct ext2_disk_inode *di)
{
	struct inode *i = &ei->vfs;
	i->mode = di->i_mode;
	i->uid = di->i_uid | (uint32_t)di->i_uid_high << 16;
	i->gid = di->i_gid | (uint32_t)di->i_gid_high << 16;
	i->nlink = di->i_links_count;
	i->size = di->i_size | (S_ISREG(i->mode) ? (uint64_t)di->i_size_high << 32 : 0);
	i->atime = vfs_time_of(di->i_atime);
	i->mtime = vfs_time_of(di->i_mtime);
	i->ctime = vfs_time_of(di->i_ctime);
	memcpy(ei->block, di->i_block, sizeof(ei->block));
	ei->flags = di->i_flags;
	ei->disk_blocks = di->i_blocks;
	ei->dtime = di->i_dtime;
	ei->generation = di->i_generation;
	ei->file_acl = di->i_file_acl;
	if (S_ISCHR(i->mode) || S_ISBLK(i->mode))
		i->rdev = di->i_block[0] ? MKDEV((di->i_block[0] >> 8) & 0xff, di->i_block[0] & 0xff) :
					   di->i_block[1];
}

/* The on-disk image of ei's first 128 bytes into di (which holds the rest). */
static void inode_to_disk(const struct ext2_inode *ei, struct ext2_disk_inode *di)
{
	const struct inode *i = &ei->vfs;
	di->i_mode = (uint16_t)i->mode;
	di->i_uid = (uint16_t)i->uid;
	di->i_uid_high = (uint16_t)(i->uid >> 16);
	di->i_gid = (uint16_t)i->gid;
	di->i_gid_high = (uint16_t)(i->gid >> 16);
	di->i_links_count = (uint16_t)i->nlink;
	di->i_size = (uint32_t)i->size;
	di->i_size_high = S_ISREG(i->mode) ? (uint32_t)(i->size >> 32) : 0;
	di->i_atime = disk_time(i->atime);
	di->i_mtime = disk_time(i->mtime);
	di->i_ctime = disk_time(i->ctime);
	di->i_dtime = ei->dtime;
	di->i_blocks = ei->disk_blocks;
	di->i_flags = ei->flags;
	di->i_generation = ei->generation;
	di->i_file_acl = ei->file_acl;
	memcpy(di->i_block, ei->block, sizeof(di->i_block));
}

/* ext2_write_inode - see ext2.h. */
int ext2_write_inode(struct ext2_inode *ei)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint32_t block, off;
	struct ext2_buf *b;
	mutex_lock(&sbi->alloc_lock);
	inode_place(sbi, (uint32_t)ei->vfs.ino, &block, &off);
	int err = ext2_bread(sbi, block, &b);
	if (!err) {
		struct ext2_disk_inode *di = (struct ext2_disk_inode *)(b->data + off);
		struct ext2_disk_inode before;
		memcpy(&before, di, EXT2_GOOD_OLD_INODE_SIZE);
		inode_to_disk(ei, di);
		if (memcmp(&before, di, EXT2_GOOD_OLD_INODE_SIZE))
			ext2_bdirty(b);
		ext2_brelse(sbi, b);
		ei->dirty = false;
	}
	if (!err && ei->vfs.size > 0x7fffffffULL &&
	    !(sbi->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		sbi->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		sbi->sb_dirty = true;
	}
	mutex_unlock(&sbi->alloc_lock);
	return err;
}

/* ---- inodes in memory ---- */

static const struct inode_ops *iops_for(uint32_t mode)
{
	if (S_ISREG(mode))
		return &ext2_file_iops;
	if (S_ISDIR(mode))
		return &ext2_dir_iops;
	return &ext2_special_iops;
}

static const struct file_ops *fops_for(uint32_t mode)
{
	return S_ISREG(mode) ? &ext2_file_fops : S_ISDIR(mode) ? &ext2_dir_fops : NULL;
}

static struct ext2_inode *ext2_inode_alloc(struct ext2_sb_info *sbi, uint32_t ino, uint32_t mode)
{
	struct ext2_inode *ei = kzalloc(sizeof(*ei));
	if (!ei)
		return NULL;
	inode_init(&ei->vfs, sbi->dev, mode, 0, 0, iops_for(mode), fops_for(mode));
	ei->vfs.ino = ino;
	ei->sbi = sbi;
	return ei;
}

/* Enter ei in the table of inodes in memory. */
static void icache_add(struct ext2_sb_info *sbi, struct ext2_inode *ei)
{
	spin_lock(&sbi->icache_lock);
	list_add_tail(&ei->link, &sbi->inodes);
	sbi->live++;
	spin_unlock(&sbi->icache_lock);
}

/* The inode ino if in memory and not going: referenced in *out. Returns
 * false if absent; sets *dying when it is being evicted. */
static bool icache_find(struct ext2_sb_info *sbi, uint32_t ino, struct inode **out, bool *dying)
{
	struct ext2_inode *ei;
	bool found = false;
	*dying = false;
	spin_lock(&sbi->icache_lock);
	list_for_each_entry(ei, &sbi->inodes, link) {
		if (ei->vfs.ino != ino || ei->dead)
			continue;
		uint32_t refs = __atomic_load_n(&ei->vfs.refcount, __ATOMIC_RELAXED);
		if (refs == 0) {
			*dying = true;   /* its last put is on its way to evict it */
			break;
		}
		inode_get(&ei->vfs);
		*out = &ei->vfs;
		found = true;
		break;
	}
	spin_unlock(&sbi->icache_lock);
	return found;
}

/* ext2_iget - see ext2.h. */
int ext2_iget(struct ext2_sb_info *sbi, uint32_t ino, struct inode **out)
{
	bool dying;
	if (ino < 1 || ino > sbi->inodes_count)
		return -EUCLEAN;
	while (!icache_find(sbi, ino, out, &dying)) {
		if (dying) {
			schedule();   /* let the evicting task finish */
			continue;
		}
		struct ext2_disk_inode di;
		int err = read_disk_inode(sbi, ino, &di);
		if (err)
			return err;
		if (!di.i_links_count && (!di.i_mode || di.i_dtime))
			return -EUCLEAN;   /* a free inode (never used, or deleted), as Linux's */
		struct ext2_inode *ei = ext2_inode_alloc(sbi, ino, di.i_mode);
		if (!ei)
			return -ENOMEM;
		inode_from_disk(ei, &di);
		ei->last_block = 0;
		spin_lock(&sbi->icache_lock);
		struct ext2_inode *other;
		bool raced = false;
		list_for_each_entry(other, &sbi->inodes, link)
			raced |= other->vfs.ino == ino && !other->dead;
		if (!raced) {
			list_add_tail(&ei->link, &sbi->inodes);
			sbi->live++;
		}
		spin_unlock(&sbi->icache_lock);
		if (!raced) {
			*out = &ei->vfs;
			return 0;
		}
		kfree(ei);   /* another task read it first: take theirs */
	}
	return 0;
}

/* ext2_encode_fh - ->encode_fh (see vfs.h): Linux's ext2 handle, the
 * inode number and its generation (FILEID_INO32_GEN). */
int ext2_encode_fh(struct inode *inode, uint32_t *fh, uint32_t *words)
{
	uint32_t room = *words;
	*words = 2;
	if (room < 2)
		return FILEID_INVALID;
	fh[0] = (uint32_t)inode->ino;
	fh[1] = EI(inode)->generation;
	return FILEID_INO32_GEN;
}

/* ext2_fh_to_inode - ->fh_to_inode (see vfs.h), Linux's ext2_nfs_get_inode:
 * a reserved or out-of-range number, a free inode or another generation
 * (0 matches any) is -ESTALE. */
int ext2_fh_to_inode(struct inode *any, const uint32_t *fh, uint32_t words, int type, struct inode **out)
{
	struct ext2_sb_info *sbi = EI(any)->sbi;
	if (type != FILEID_INO32_GEN || words < 2)
		return -ESTALE;
	uint32_t ino = fh[0], gen = fh[1];
	if ((ino < sbi->first_ino && ino != EXT2_ROOT_INO) || ino > sbi->inodes_count)
		return -ESTALE;
	int err = ext2_iget(sbi, ino, out);
	if (err)
		return err == -EUCLEAN ? -ESTALE : err;
	if (gen && EI(*out)->generation != gen) {
		inode_put(*out);
		return -ESTALE;
	}
	return 0;
}

/* ext2_new_inode - see ext2.h. The inode is written whole: zeros, then
 * the fields, extra_isize and crtime in a large inode as mke2fs does. */
int ext2_new_inode(struct inode *dir, uint32_t mode, uint32_t uid, uint32_t gid,
		   struct inode **out)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	uint32_t ino, block, off;
	struct ext2_buf *b;
	mutex_lock(&sbi->alloc_lock);
	int err = ext2_new_ino(sbi, (uint32_t)dir->ino, mode, &ino);
	struct ext2_inode *ei = err ? NULL : ext2_inode_alloc(sbi, ino, mode);
	if (!err && !ei) {
		ext2_free_ino(sbi, ino, S_ISDIR(mode));
		err = -ENOMEM;
	}
	if (!err) {
		ei->vfs.uid = uid;
		ei->vfs.gid = gid;
		ei->generation = sbi->next_generation++;
		ei->flags = 0;
		inode_place(sbi, ino, &block, &off);
		err = ext2_bread(sbi, block, &b);
		if (err) {
			ext2_free_ino(sbi, ino, S_ISDIR(mode));
			kfree(ei);
		}
	}
	if (!err) {
		struct ext2_disk_inode *di = (struct ext2_disk_inode *)(b->data + off);
		memset(di, 0, sbi->inode_size);
		inode_to_disk(ei, di);
		if (sbi->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + EXT2_EXTRA_ISIZE) {
			di->i_extra_isize = EXT2_EXTRA_ISIZE;
			di->i_crtime = di->i_ctime;
		}
		ext2_bdirty(b);
		ext2_brelse(sbi, b);
	}
	mutex_unlock(&sbi->alloc_lock);
	if (err)
		return err;
	icache_add(sbi, ei);
	*out = &ei->vfs;
	return 0;
}

/* ---- block maps ---- */

/* The path to file block n: the depth (0: direct) and the index at
 * each level. -EFBIG past triple indirection. */
static int block_path(struct ext2_sb_info *sbi, uint64_t n, int *depth, uint32_t idx[4])
{
	uint64_t ppb = sbi->block_size / 4;
	if (n < EXT2_NDIR_BLOCKS) {
		*depth = 0;
		idx[0] = (uint32_t)n;
		return 0;
	}
	n -= EXT2_NDIR_BLOCKS;
	uint64_t span = ppb;
	for (int d = 1; d <= 3; d++, n -= span, span *= ppb) {
		if (n < span) {
			*depth = d;
			idx[0] = EXT2_IND_BLOCK + (uint32_t)d - 1;
			for (int k = d; k >= 1; k--) {
				idx[k] = (uint32_t)(n % ppb);
				n /= ppb;
			}
			return 0;
		}
	}
	return -EFBIG;
}

/* A new block for ei (near its last one), zeroed in the cache if it will
 * hold pointers. alloc_lock held. */
static int alloc_block(struct ext2_inode *ei, bool table, uint32_t *out)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint32_t goal = ei->last_block ? ei->last_block + 1 :
			sbi->groups[(ei->vfs.ino - 1) / sbi->inodes_per_group].bg_inode_table;
	int err = ext2_new_block(sbi, goal, out);
	if (err)
		return err;
	ei->last_block = *out;
	ei->disk_blocks += SECTORS(sbi);
	ei->dirty = true;
	if (table) {
		struct ext2_buf *b;
		err = ext2_bget_zeroed(sbi, *out, &b);
		if (err) {
			ext2_free_block(sbi, *out);
			ei->disk_blocks -= SECTORS(sbi);
			return err;
		}
		ext2_bdirty(b);
		ext2_brelse(sbi, b);
	}
	return 0;
}

/* ext2_bmap - walk (and with alloc, fill) the path to file block n. */
int ext2_bmap(struct ext2_inode *ei, uint64_t n, bool alloc, uint32_t *out)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint32_t idx[4];
	int depth, err = block_path(sbi, n, &depth, idx);
	if (err)
		return err;
	mutex_lock(&sbi->alloc_lock);
	uint32_t *slot = &ei->block[idx[0]];
	struct ext2_buf *held = NULL;
	for (int level = 0; !err; level++) {
		bool leaf = level == depth;
		if (!*slot && alloc && !(err = alloc_block(ei, !leaf, slot))) {
			if (held)
				ext2_bdirty(held);
			else
				ei->dirty = true;
		}
		if (err || leaf || !*slot)
			break;
		struct ext2_buf *b;
		err = ext2_bread(sbi, *slot, &b);
		ext2_brelse(sbi, held);
		held = err ? NULL : b;
		if (!err)
			slot = (uint32_t *)b->data + idx[level + 1];
	}
	*out = err ? 0 : *slot;
	ext2_brelse(sbi, held);
	mutex_unlock(&sbi->alloc_lock);
	return err;
}

/* Free what *slot points at, at level (0: a data block), covering file
 * blocks from base, keeping those before first. Returns true if *slot
 * was freed (and cleared). alloc_lock held. */
static bool free_branch(struct ext2_inode *ei, uint32_t *slot, int level, uint64_t base,
			uint64_t first)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint64_t ppb = sbi->block_size / 4, span = 1;
	for (int k = 0; k < level; k++)
		span *= ppb;
	if (!*slot || base + span <= first)
		return false;   /* nothing, or all of it before first */
	if (level > 0) {
		struct ext2_buf *b;
		if (ext2_bread(sbi, *slot, &b))
			return false;   /* keep it: a leak e2fsck reports, not a corruption */
		uint64_t child = span / ppb;
		for (uint64_t i = 0; i < ppb; i++)
			if (free_branch(ei, (uint32_t *)b->data + i, level - 1, base + i * child, first))
				ext2_bdirty(b);
		ext2_brelse(sbi, b);
		if (base < first)
			return false;
	}
	ext2_free_block(sbi, *slot);
	ei->disk_blocks -= SECTORS(sbi);
	*slot = 0;
	return true;
}

/* ext2_truncate_blocks - see ext2.h. */
int ext2_truncate_blocks(struct ext2_inode *ei, uint64_t first)
{
	struct ext2_sb_info *sbi = ei->sbi;
	uint64_t ppb = sbi->block_size / 4, base = EXT2_NDIR_BLOCKS, span = ppb;
	mutex_lock(&sbi->alloc_lock);
	for (uint64_t i = 0; i < EXT2_NDIR_BLOCKS; i++)
		free_branch(ei, &ei->block[i], 0, i, first);
	for (int level = 1; level <= 3; level++, base += span, span *= ppb)
		free_branch(ei, &ei->block[EXT2_IND_BLOCK + level - 1], level, base, first);
	if (first == 0)
		ei->last_block = 0;
	ei->dirty = true;
	mutex_unlock(&sbi->alloc_lock);
	return 0;
}

/* ---- the end of an inode in memory ---- */

/* An inode with no name left and no user: its blocks and number go. */
static void free_on_disk(struct ext2_inode *ei)
{
	struct ext2_sb_info *sbi = ei->sbi;
	bool fast_symlink = ext2_is_fast_symlink(ei);
	ext2_xattr_drop(ei);
	if (!fast_symlink && (S_ISREG(ei->vfs.mode) || S_ISDIR(ei->vfs.mode) || S_ISLNK(ei->vfs.mode)))
		ext2_truncate_blocks(ei, 0);
	ei->vfs.size = 0;
	ei->dtime = (uint32_t)vfs_now().sec;
	ext2_write_inode(ei);
	mutex_lock(&sbi->alloc_lock);
	ext2_free_ino(sbi, (uint32_t)ei->vfs.ino, S_ISDIR(ei->vfs.mode));
	mutex_unlock(&sbi->alloc_lock);
}

/* ext2_evict - the last reference is gone: store or free, then forget. */
void ext2_evict(struct inode *inode)
{
	struct ext2_inode *ei = EI(inode);
	struct ext2_sb_info *sbi = ei->sbi;
	spin_lock(&sbi->icache_lock);
	ei->dead = true;
	spin_unlock(&sbi->icache_lock);
	mutex_lock(&inode->lock);
	if (inode->nlink == 0 && !sbi->readonly) {
		ext2_drop_pages(ei);
		free_on_disk(ei);
	} else {
		if (!sbi->readonly && ext2_writeback_locked(ei))
			pr_err("ext2 %s: inode %lu lost its last writes\n", blkdev_name(sbi->bdev),
			       (unsigned long)inode->ino);
		ext2_drop_pages(ei);
	}
	mutex_unlock(&inode->lock);
	spin_lock(&sbi->icache_lock);
	list_del(&ei->link);
	spin_unlock(&sbi->icache_lock);
	kfree(ei);
	ext2_inode_gone(sbi);
}
