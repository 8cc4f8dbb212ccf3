/*
 * super.c - mounting ext2: reading and checking the superblock and the
 * group descriptors, the instance's life (mount, sync, remount, unmount
 * and the last inode of a detached instance), statfs, and the flusher
 * that writes dirty data back every EXT2_FLUSH_SECONDS.
 *
 * A read-write mount marks the file system "not clean" on disk and an
 * unmount marks it clean again (s_state), as Linux does, so e2fsck can
 * tell a crash from a clean shutdown.
 */
#include "fs/ext2/ext2.h"
#include "fs/mount.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "proc/kthread.h"
#include "sync/sleep.h"
#include "arch.h"

#define EXT2_FLUSH_SECONDS 5
#define NS_PER_SEC 1000000000UL
#define RESERVED_GDT_OFFSET 206          /* s_reserved_gdt_blocks, in the superblock */
#define FEATURE_COMPAT_RESIZE_INODE 0x0010

/* Every mounted instance, for the flusher. (ext2_list_lock) */
static struct mutex ext2_list_lock;
static struct ext2_sb_info *instances[BLK_MAX_DISKS];

/* ---- reading the superblock ---- */

/* The primary superblock into sbi->sb: 0, or -EIO, -EINVAL (not ext2). */
static int read_super(struct ext2_sb_info *sbi)
{
	void *buf = kmalloc(EXT2_SUPER_SIZE);
	if (!buf)
		return -ENOMEM;
	int err = ext2_read_raw(sbi, EXT2_SUPER_OFFSET, virt_to_phys(buf), EXT2_SUPER_SIZE);
	if (!err)
		memcpy(&sbi->sb, buf, sizeof(sbi->sb));
	kfree(buf);
	if (!err && sbi->sb.s_magic != EXT2_SUPER_MAGIC)
		err = -EINVAL;
	return err;
}

static int bad_geometry(struct ext2_sb_info *sbi, const char *what)
{
	printk(LOG_ERR, "ext2 %s: %s\n", blkdev_name(sbi->bdev), what);
	return -EINVAL;
}

/* The geometry from the superblock, checked against itself and the disk. */
static int read_geometry(struct ext2_sb_info *sbi, bool readonly)
{
	struct ext2_super_block *sb = &sbi->sb;
	if (sb->s_log_block_size > 2)
		return bad_geometry(sbi, "block size above 4096 (not supported)");
	sbi->block_shift = 10 + sb->s_log_block_size;
	sbi->block_size = 1u << sbi->block_shift;
	bool dynamic = sb->s_rev_level >= EXT2_DYNAMIC_REV;
	sbi->inode_size = dynamic ? sb->s_inode_size : EXT2_GOOD_OLD_INODE_SIZE;
	sbi->first_ino = dynamic ? sb->s_first_ino : EXT2_GOOD_OLD_FIRST_INO;
	if (dynamic && (sb->s_feature_incompat & ~EXT2_INCOMPAT_SUPPORTED))
		return bad_geometry(sbi, "unsupported incompatible features (ext3/ext4?)");
	if (dynamic && !readonly && (sb->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED))
		return bad_geometry(sbi, "unsupported features: mount it read-only");
	sbi->filetype = dynamic && (sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE);
	sbi->blocks_per_group = sb->s_blocks_per_group;
	sbi->inodes_per_group = sb->s_inodes_per_group;
	sbi->blocks_count = sb->s_blocks_count;
	sbi->inodes_count = sb->s_inodes_count;
	sbi->first_data_block = sb->s_first_data_block;
	if (sbi->inode_size < EXT2_GOOD_OLD_INODE_SIZE || sbi->inode_size > sbi->block_size ||
	    (sbi->inode_size & (sbi->inode_size - 1)) || !sbi->blocks_per_group ||
	    sbi->blocks_per_group > 8 * sbi->block_size || !sbi->inodes_per_group ||
	    sbi->inodes_per_group > 8 * sbi->block_size || sbi->first_data_block >= sbi->blocks_count ||
	    sbi->first_ino <= EXT2_ROOT_INO)
		return bad_geometry(sbi, "bad geometry in the superblock");
	if ((uint64_t)sbi->blocks_count << sbi->block_shift > blkdev_size(sbi->bdev))
		return bad_geometry(sbi, "the file system is larger than the disk");
	sbi->ngroups = (sbi->blocks_count - sbi->first_data_block + sbi->blocks_per_group - 1) /
		       sbi->blocks_per_group;
	if ((uint64_t)sbi->ngroups * sbi->inodes_per_group < sbi->inodes_count)
		return bad_geometry(sbi, "inode count does not match the groups");
	sbi->gdt_block = sbi->first_data_block + 1;
	return 0;
}

/* The group descriptors, each checked to point inside its disk. */
static int read_groups(struct ext2_sb_info *sbi)
{
	size_t bytes = sbi->ngroups * sizeof(struct ext2_group_desc);
	sbi->groups = kmalloc(bytes);
	if (!sbi->groups)
		return -ENOMEM;
	int err = 0;
	mutex_lock(&sbi->alloc_lock);
	for (size_t done = 0; done < bytes && !err;) {
		struct ext2_buf *b;
		err = ext2_bread(sbi, sbi->gdt_block + (uint32_t)(done >> sbi->block_shift), &b);
		if (err)
			break;
		size_t n = MIN(bytes - done, sbi->block_size);
		memcpy((char *)sbi->groups + done, b->data, n);
		ext2_brelse(sbi, b);
		done += n;
	}
	mutex_unlock(&sbi->alloc_lock);
	uint32_t itb = (uint32_t)(((uint64_t)sbi->inodes_per_group * sbi->inode_size) >> sbi->block_shift);
	for (uint32_t g = 0; g < sbi->ngroups && !err; g++) {
		struct ext2_group_desc *gd = &sbi->groups[g];
		if (gd->bg_block_bitmap >= sbi->blocks_count || gd->bg_inode_bitmap >= sbi->blocks_count ||
		    gd->bg_inode_table + itb > sbi->blocks_count)
			err = bad_geometry(sbi, "a group descriptor points outside the disk");
	}
	return err;
}

/* ---- the instance ---- */

static void free_sbi(struct ext2_sb_info *sbi)
{
	mutex_lock(&sbi->alloc_lock);
	ext2_bfree_all(sbi);
	mutex_unlock(&sbi->alloc_lock);
	kfree(sbi->groups);
	blkdev_put(sbi->bdev);
	kfree(sbi);
}

/* Mark the disk clean (ro: leave it) or in use, and write it all. */
static int set_state(struct ext2_sb_info *sbi, bool clean)
{
	mutex_lock(&sbi->alloc_lock);
	if (clean)
		sbi->sb.s_state |= EXT2_VALID_FS;
	else
		sbi->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
	sbi->sb_dirty = true;
	int err = ext2_store_super(sbi) || ext2_bflush(sbi) ? -EIO : 0;
	mutex_unlock(&sbi->alloc_lock);
	return ext2_flush_disk(sbi) ? -EIO : err;
}

static void register_instance(struct ext2_sb_info *sbi, bool add)
{
	mutex_lock(&ext2_list_lock);
	for (int i = 0; i < BLK_MAX_DISKS; i++)
		if (add ? !instances[i] : instances[i] == sbi) {
			instances[i] = add ? sbi : NULL;
			break;
		}
	mutex_unlock(&ext2_list_lock);
}

/* ext2_inode_gone - see ext2.h. The last inode of a detached instance
 * marks the disk clean, lets the disk go and frees the instance. */
void ext2_inode_gone(struct ext2_sb_info *sbi)
{
	spin_lock(&sbi->icache_lock);
	bool last = --sbi->live == 0 && sbi->detached;
	spin_unlock(&sbi->icache_lock);
	if (!last)
		return;
	if (!sbi->readonly && set_state(sbi, true))
		printk(LOG_ERR, "ext2 %s: could not mark the file system clean\n", blkdev_name(sbi->bdev));
	blkdev_unclaim(sbi->bdev, sbi);
	free_sbi(sbi);
}

/* ext2_sync_fs - see ext2.h. The inodes are taken under the icache lock
 * (skipping those on their way out) and written back one by one. */
int ext2_sync_fs(struct ext2_sb_info *sbi)
{
	if (sbi->readonly)
		return 0;
	spin_lock(&sbi->icache_lock);
	uint32_t n = sbi->live;
	spin_unlock(&sbi->icache_lock);
	struct inode **list = kmalloc((n ? n : 1) * sizeof(*list));
	if (!list)
		return -ENOMEM;
	uint32_t got = 0;
	struct ext2_inode *ei;
	spin_lock(&sbi->icache_lock);
	list_for_each_entry(ei, &sbi->inodes, link) {
		uint32_t refs = __atomic_load_n(&ei->vfs.refcount, __ATOMIC_RELAXED);
		if (got < n && !ei->dead && refs &&
		    __atomic_compare_exchange_n(&ei->vfs.refcount, &refs, refs + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			list[got++] = &ei->vfs;
	}
	spin_unlock(&sbi->icache_lock);
	int err = 0;
	for (uint32_t i = 0; i < got; i++) {
		if (ext2_writeback(list[i]))
			err = -EIO;
		inode_put(list[i]);
	}
	kfree(list);
	mutex_lock(&sbi->alloc_lock);
	if (ext2_store_super(sbi) || ext2_bflush(sbi))
		err = -EIO;
	mutex_unlock(&sbi->alloc_lock);
	return ext2_flush_disk(sbi) ? -EIO : err;
}

/* ---- mount operations ---- */

static int ext2_mount_sync(struct mount *m)
{
	return ext2_sync_fs(m->fs_info);
}

/* Blocks of metadata, as Linux's ext2/ext4 statfs leaves them out of
 * f_blocks: superblock copies with their descriptors (and the reserved
 * descriptor blocks), bitmaps, inode tables. */
static uint64_t overhead(struct ext2_sb_info *sbi)
{
	uint16_t reserved_gdt = 0;
	if (sbi->sb.s_feature_compat & FEATURE_COMPAT_RESIZE_INODE)
		memcpy(&reserved_gdt, (uint8_t *)&sbi->sb + RESERVED_GDT_OFFSET, sizeof(reserved_gdt));
	uint32_t gdb = (uint32_t)((sbi->ngroups * sizeof(struct ext2_group_desc) + sbi->block_size - 1) >>
				  sbi->block_shift);
	uint32_t itb = (uint32_t)(((uint64_t)sbi->inodes_per_group * sbi->inode_size) >> sbi->block_shift);
	uint64_t total = sbi->first_data_block;
	bool sparse = sbi->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER;
	for (uint32_t g = 0; g < sbi->ngroups; g++) {
		bool has_super = !sparse || g <= 1;
		for (uint32_t p = 3; sparse && !has_super && p <= 7; p += 2)
			for (uint64_t x = p; x <= g && !has_super; x *= p)
				has_super = x == g;
		total += has_super ? 1 + gdb + reserved_gdt : 0;
	}
	return total + (uint64_t)sbi->ngroups * (2 + itb);
}

static void ext2_statfs(struct mount *m, struct statfs *st)
{
	struct ext2_sb_info *sbi = m->fs_info;
	mutex_lock(&sbi->alloc_lock);
	st->f_type = EXT2_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = sbi->block_size;
	st->f_blocks = sbi->blocks_count - overhead(sbi);
	st->f_bfree = sbi->sb.s_free_blocks_count;
	st->f_bavail = st->f_bfree > sbi->sb.s_r_blocks_count ? st->f_bfree - sbi->sb.s_r_blocks_count : 0;
	st->f_files = sbi->inodes_count;
	st->f_ffree = sbi->sb.s_free_inodes_count;
	st->f_namelen = EXT2_NAME_LEN;
	mutex_unlock(&sbi->alloc_lock);
}

/* In use: an inode besides the root is in memory, or the root has users
 * beyond the mount, the vfs link and the caller. */
static bool ext2_busy(struct mount *m)
{
	struct ext2_sb_info *sbi = m->fs_info;
	spin_lock(&sbi->icache_lock);
	bool busy = sbi->live > 1 || __atomic_load_n(&m->root->refcount, __ATOMIC_RELAXED) > 3;
	spin_unlock(&sbi->icache_lock);
	return busy;
}

/* Unmounted: write everything; the instance goes with its last inode
 * (the root, when the mount drops it, unless files are still open). */
static void ext2_kill(struct mount *m)
{
	struct ext2_sb_info *sbi = m->fs_info;
	register_instance(sbi, false);
	if (ext2_sync_fs(sbi))
		printk(LOG_ERR, "ext2 %s: errors writing back at unmount\n", blkdev_name(sbi->bdev));
	spin_lock(&sbi->icache_lock);
	sbi->detached = true;
	spin_unlock(&sbi->icache_lock);
}

static int parse_options(const char *data)
{
	static const char *const known[] = { "ro", "rw", "acl", "noacl", "user_xattr", "nouser_xattr",
					     "errors=continue", "errors=remount-ro", "errors=panic",
					     "sync", "async", "nogrpid", "grpid", "bsddf", "minixdf" };
	for (const char *p = data; p && *p;) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		bool ok = end == p;
		for (size_t i = 0; i < ARRAY_SIZE(known) && !ok; i++)
			ok = strlen(known[i]) == (size_t)(end - p) && !strncmp(known[i], p, (size_t)(end - p));
		if (!ok)
			return -EINVAL;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int ext2_remount(struct mount *m, unsigned long flags, const char *data)
{
	struct ext2_sb_info *sbi = m->fs_info;
	bool ro = flags & MS_RDONLY;
	int err = parse_options(data);
	if (err || ro == sbi->readonly)
		return err;
	if (!ro && (sbi->sb.s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED))
		return -EINVAL;
	mutex_lock(&sbi->ns_lock);
	if (ro) {
		err = ext2_sync_fs(sbi);
		if (!err)
			err = set_state(sbi, true);
		sbi->readonly = !err;
	} else {
		sbi->readonly = false;
		err = set_state(sbi, false);
	}
	mutex_unlock(&sbi->ns_lock);
	return err;
}

static const struct mount_ops ext2_mount_ops = {
	.statfs = ext2_statfs, .sync = ext2_mount_sync, .busy = ext2_busy,
	.remount = ext2_remount, .kill = ext2_kill,
};

static struct ext2_sb_info *sbi_alloc(struct mount *m)
{
	struct ext2_sb_info *sbi = kzalloc(sizeof(*sbi));
	if (!sbi)
		return NULL;
	sbi->bdev = blkdev_get(m->bdev->dev);
	sbi->dev = m->bdev->dev;
	sbi->readonly = m->flags & MS_RDONLY;
	mutex_init(&sbi->ns_lock, "ext2_ns");
	mutex_init(&sbi->alloc_lock, "ext2_alloc");
	spin_init(&sbi->icache_lock, "ext2_icache");
	list_init(&sbi->inodes);
	sbi->next_generation = (uint32_t)arch_random_seed();
	return sbi;
}

/* Read, check and (read-write) mark in use; the root in *root. */
static int load(struct ext2_sb_info *sbi, struct inode **root)
{
	int err = read_super(sbi);
	if (err == -EINVAL)
		printk(LOG_ERR, "ext2 %s: no ext2 file system here\n", blkdev_name(sbi->bdev));
	if (!err)
		err = read_geometry(sbi, sbi->readonly);
	if (!err)
		err = read_groups(sbi);
	if (!err)
		err = ext2_iget(sbi, EXT2_ROOT_INO, root);
	if (!err && !S_ISDIR((*root)->mode)) {
		inode_put(*root);
		*root = NULL;
		err = bad_geometry(sbi, "the root is not a directory");
	}
	if (err || sbi->readonly)
		return err;
	if (!(sbi->sb.s_state & EXT2_VALID_FS))
		printk(LOG_WARN, "ext2 %s: mounting a file system not cleanly unmounted; run e2fsck\n",
		       blkdev_name(sbi->bdev));
	sbi->sb.s_mnt_count++;
	sbi->sb.s_mtime = (uint32_t)vfs_now().sec;
	return set_state(sbi, false);
}

/* The ext2 type's fill: see fs/mount.h. */
static int ext2_fill(struct mount *m, const char *data)
{
	int err = parse_options(data);
	if (err)
		return err;
	struct ext2_sb_info *sbi = sbi_alloc(m);
	if (!sbi)
		return -ENOMEM;
	if ((err = blkdev_claim(sbi->bdev, sbi))) {
		free_sbi(sbi);
		return err;
	}
	struct inode *root = NULL;
	err = load(sbi, &root);
	if (err) {
		inode_put(root);   /* the last inode: nothing was written but the super's state */
		blkdev_unclaim(sbi->bdev, sbi);
		spin_lock(&sbi->icache_lock);
		bool none = sbi->live == 0;
		sbi->detached = true;
		spin_unlock(&sbi->icache_lock);
		if (none)
			free_sbi(sbi);
		return err;
	}
	m->root = root;
	m->dev = sbi->dev;
	m->ops = &ext2_mount_ops;
	m->fs_info = sbi;
	register_instance(sbi, true);
	return 0;
}

/* ---- the flusher ---- */

/* Every EXT2_FLUSH_SECONDS, each mounted instance writes back. */
static void ext2_flusher(void *arg)
{
	for (;;) {
		set_current_state(SLEEP_INTERRUPTIBLE);
		schedule_until(arch_clock_ns() + EXT2_FLUSH_SECONDS * NS_PER_SEC);
		set_current_state(SLEEP_RUNNING);
		mutex_lock(&ext2_list_lock);
		for (int i = 0; i < BLK_MAX_DISKS; i++)
			if (instances[i])
				ext2_sync_fs(instances[i]);
		mutex_unlock(&ext2_list_lock);
	}
}

static const struct fs_type ext2_type = { .name = "ext2", .needs_device = true, .fill = ext2_fill };

/* ext2_init - register ext2 and start its flusher. Boot. */
void ext2_init(void)
{
	mutex_init(&ext2_list_lock, "ext2_list");
	mount_register_type(&ext2_type);
	if (!kthread_run(ext2_flusher, NULL))
		panic("ext2_init: no memory for the flusher");
}
