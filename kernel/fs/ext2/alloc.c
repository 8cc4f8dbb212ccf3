/*
 * alloc.c - ext2's free-space bookkeeping: the block and inode bitmap of
 * each group, and the free counts kept three times over (the bitmap, the
 * group descriptor, the superblock), which e2fsck checks agree.
 *
 * Blocks go near a goal (the file's last block), so a file written in
 * order is laid out in order; new directories go to the group with the
 * most free inodes among those with enough free blocks, other inodes to
 * their directory's group if it has room. The blocks reserved for root
 * (s_r_blocks_count) are given only to root.
 *
 * Every function here runs with sbi->alloc_lock held.
 */
#include "proc/cred.h"
#include "fs/ext2/ext2.h"
#include "fs/context.h"
#include "lib/errno.h"
#include "lib/string.h"

static bool bit_test(const uint8_t *map, uint32_t i) { return map[i >> 3] & (1u << (i & 7)); }
static void bit_set(uint8_t *map, uint32_t i) { map[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void bit_clear(uint8_t *map, uint32_t i) { map[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

/* The first clear bit of map in [from, n), or n. */
static uint32_t find_clear(const uint8_t *map, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < n; i++) {
		if ((i & 7) == 0 && i + 8 <= n && map[i >> 3] == 0xff) {
			i += 7;
			continue;
		}
		if (!bit_test(map, i))
			return i;
	}
	return n;
}

/* Blocks in group g (the last group may be short). */
static uint32_t group_blocks(struct ext2_sb_info *sbi, uint32_t g)
{
	uint32_t first = sbi->first_data_block + g * sbi->blocks_per_group;
	return MIN(sbi->blocks_per_group, sbi->blocks_count - first);
}

static void count_blocks(struct ext2_sb_info *sbi, uint32_t g, int delta)
{
	sbi->groups[g].bg_free_blocks_count = (uint16_t)(sbi->groups[g].bg_free_blocks_count + delta);
	sbi->sb.s_free_blocks_count += (uint32_t)delta;
	sbi->groups_dirty = sbi->sb_dirty = true;
}

/* The reserved blocks are CAP_SYS_RESOURCE's (or fsuid 0's: Aspen keeps
 * no s_resuid/s_resgid other than root's). */
static bool may_use_reserved(void)
{
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	return uid == 0 || capable(CAP_SYS_RESOURCE);
}

/* Take the first free block of group g from bit start: 0 or -ENOSPC/-EIO. */
static int take_block_in(struct ext2_sb_info *sbi, uint32_t g, uint32_t start, uint32_t *out)
{
	struct ext2_buf *bm;
	if (!sbi->groups[g].bg_free_blocks_count)
		return -ENOSPC;
	int err = ext2_bread(sbi, sbi->groups[g].bg_block_bitmap, &bm);
	if (err)
		return err;
	uint32_t n = group_blocks(sbi, g);
	uint32_t bit = find_clear(bm->data, start, n);
	if (bit == n && start)
		bit = find_clear(bm->data, 0, start);
	if (bit < n) {
		bit_set(bm->data, bit);
		ext2_bdirty(bm);
		count_blocks(sbi, g, -1);
		*out = sbi->first_data_block + g * sbi->blocks_per_group + bit;
	}
	ext2_brelse(sbi, bm);
	return bit < n ? 0 : -ENOSPC;
}

/* ext2_new_block - see ext2.h. */
int ext2_new_block(struct ext2_sb_info *sbi, uint32_t goal, uint32_t *out)
{
	if (sbi->sb.s_free_blocks_count <= sbi->sb.s_r_blocks_count && !may_use_reserved())
		return -ENOSPC;
	if (goal < sbi->first_data_block || goal >= sbi->blocks_count)
		goal = sbi->first_data_block;
	uint32_t g0 = (goal - sbi->first_data_block) / sbi->blocks_per_group;
	uint32_t start = (goal - sbi->first_data_block) % sbi->blocks_per_group;
	for (uint32_t k = 0; k < sbi->ngroups; k++) {
		uint32_t g = (g0 + k) % sbi->ngroups;
		int err = take_block_in(sbi, g, k ? 0 : start, out);
		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

void ext2_free_block(struct ext2_sb_info *sbi, uint32_t block)
{
	struct ext2_buf *bm;
	if (block < sbi->first_data_block || block >= sbi->blocks_count)
		return;
	uint32_t g = (block - sbi->first_data_block) / sbi->blocks_per_group;
	uint32_t bit = (block - sbi->first_data_block) % sbi->blocks_per_group;
	ext2_bforget(sbi, block);
	if (ext2_bread(sbi, sbi->groups[g].bg_block_bitmap, &bm))
		return;   /* the block stays marked: e2fsck will find it (no data is lost) */
	if (bit_test(bm->data, bit)) {
		bit_clear(bm->data, bit);
		ext2_bdirty(bm);
		count_blocks(sbi, g, 1);
	} else {
		pr_warn("ext2: freeing free block %u\n", block);
	}
	ext2_brelse(sbi, bm);
}

/* ---- inodes ---- */

/* The group for a new inode: see the top of the file. */
static uint32_t inode_group(struct ext2_sb_info *sbi, uint32_t parent_ino, bool dir)
{
	uint32_t parent_g = (parent_ino - 1) / sbi->inodes_per_group, best = parent_g;
	if (!dir && sbi->groups[parent_g].bg_free_inodes_count)
		return parent_g;
	uint32_t avg_blocks = sbi->sb.s_free_blocks_count / sbi->ngroups;
	for (uint32_t g = 0, most = 0; g < sbi->ngroups; g++) {
		const struct ext2_group_desc *gd = &sbi->groups[g];
		if (gd->bg_free_inodes_count > most && (!dir || gd->bg_free_blocks_count >= avg_blocks)) {
			most = gd->bg_free_inodes_count;
			best = g;
		}
	}
	return best;
}

static int take_ino_in(struct ext2_sb_info *sbi, uint32_t g, bool dir, uint32_t *out)
{
	struct ext2_buf *bm;
	struct ext2_group_desc *gd = &sbi->groups[g];
	if (!gd->bg_free_inodes_count)
		return -ENOSPC;
	int err = ext2_bread(sbi, gd->bg_inode_bitmap, &bm);
	if (err)
		return err;
	uint32_t first = g == 0 ? sbi->first_ino - 1 : 0;   /* the reserved inodes */
	uint32_t bit = find_clear(bm->data, first, sbi->inodes_per_group);
	if (bit < sbi->inodes_per_group) {
		bit_set(bm->data, bit);
		ext2_bdirty(bm);
		gd->bg_free_inodes_count--;
		gd->bg_used_dirs_count = (uint16_t)(gd->bg_used_dirs_count + dir);
		sbi->sb.s_free_inodes_count--;
		sbi->groups_dirty = sbi->sb_dirty = true;
		*out = g * sbi->inodes_per_group + bit + 1;
	}
	ext2_brelse(sbi, bm);
	return bit < sbi->inodes_per_group ? 0 : -ENOSPC;
}

/* ext2_new_ino - see ext2.h. */
int ext2_new_ino(struct ext2_sb_info *sbi, uint32_t parent_ino, uint32_t mode, uint32_t *out)
{
	bool dir = S_ISDIR(mode);
	uint32_t g0 = inode_group(sbi, parent_ino, dir);
	for (uint32_t k = 0; k < sbi->ngroups; k++) {
		int err = take_ino_in(sbi, (g0 + k) % sbi->ngroups, dir, out);
		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

void ext2_free_ino(struct ext2_sb_info *sbi, uint32_t ino, bool dir)
{
	struct ext2_buf *bm;
	uint32_t g = (ino - 1) / sbi->inodes_per_group, bit = (ino - 1) % sbi->inodes_per_group;
	struct ext2_group_desc *gd = &sbi->groups[g];
	if (ext2_bread(sbi, gd->bg_inode_bitmap, &bm))
		return;
	if (bit_test(bm->data, bit)) {
		bit_clear(bm->data, bit);
		ext2_bdirty(bm);
		gd->bg_free_inodes_count++;
		gd->bg_used_dirs_count = (uint16_t)(gd->bg_used_dirs_count - dir);
		sbi->sb.s_free_inodes_count++;
		sbi->groups_dirty = sbi->sb_dirty = true;
	} else {
		pr_warn("ext2: freeing free inode %u\n", ino);
	}
	ext2_brelse(sbi, bm);
}

/* ---- the superblock and the descriptors ---- */

/* Copy len bytes of src to disk byte offset off, through the buffers. */
static int store_bytes(struct ext2_sb_info *sbi, uint64_t off, const void *src, size_t len)
{
	while (len) {
		struct ext2_buf *b;
		uint32_t block = (uint32_t)(off >> sbi->block_shift);
		size_t in = off & (sbi->block_size - 1), n = MIN(len, sbi->block_size - in);
		int err = ext2_bread(sbi, block, &b);
		if (err)
			return err;
		if (memcmp(b->data + in, src, n)) {
			memcpy(b->data + in, src, n);
			ext2_bdirty(b);
		}
		ext2_brelse(sbi, b);
		off += n;
		src = (const char *)src + n;
		len -= n;
	}
	return 0;
}

/* ext2_store_super - see ext2.h. */
int ext2_store_super(struct ext2_sb_info *sbi)
{
	int err = 0;
	if (sbi->groups_dirty) {
		err = store_bytes(sbi, (uint64_t)sbi->gdt_block << sbi->block_shift, sbi->groups,
				  sbi->ngroups * sizeof(struct ext2_group_desc));
		sbi->groups_dirty = err != 0;
	}
	if (!err && sbi->sb_dirty) {
		sbi->sb.s_wtime = (uint32_t)vfs_now().sec;
		err = store_bytes(sbi, EXT2_SUPER_OFFSET, &sbi->sb, sizeof(sbi->sb));
		sbi->sb_dirty = err != 0;
	}
	return err;
}
