/*
 * ext2.h - the second extended file system: its on-disk format (as
 * e2fsprogs' mkfs.ext2 writes it) and the driver's in-memory state.
 * Private to kernel/fs/ext2/; docs/ext2.md tells how the parts fit.
 *
 * Locks, in order (docs/locking.md):
 *   sbi->ns_lock      (mutex) every directory's entries and every link
 *                     count of the instance: lookups, creation, removal,
 *                     rename (as ramfs's ns_lock)
 *   inode->lock       (mutex) one inode: size, attributes, block map,
 *                     page cache
 *   sbi->alloc_lock   (mutex) bitmaps, group descriptors, the
 *                     superblock's counts, the inode table and every
 *                     metadata buffer (buffer.c)
 *   sbi->icache_lock  (spinlock) the table of inodes in memory
 * Legend on fields: (n) ns_lock, (i) inode->lock, (a) alloc_lock,
 * (t) icache_lock, (c) constant while mounted.
 */
#ifndef ASPEN_FS_EXT2_H
#define ASPEN_FS_EXT2_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/rbtree.h"
#include "lib/spinlock.h"
#include "sync/mutex.h"
#include "fs/vfs.h"

struct blkdev;
struct mount;

#define EXT2_SUPER_OFFSET 1024          /* bytes from the start of the disk */
#define EXT2_SUPER_SIZE 1024
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_EXTRA_ISIZE 32             /* what mke2fs and Linux give new inodes */
#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_N_BLOCKS 15
#define EXT2_MIN_BLOCK_SIZE 1024
#define EXT2_MAX_BLOCK_SIZE 4096        /* at most a page: a page holds whole blocks */
#define EXT2_NAME_LEN 255
#define EXT2_FAST_SYMLINK_MAX 59        /* fits in i_block (60 bytes, with no NUL) */

#define EXT2_VALID_FS 1                 /* s_state: cleanly unmounted */
#define EXT2_ERROR_FS 2
#define EXT2_DYNAMIC_REV 1

/* Features Aspen understands: an unknown incompatible feature refuses the
 * mount, an unknown read-only-compatible one forces read-only. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_INCOMPAT_SUPPORTED EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPPORTED (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

#define EXT2_INDEX_FL 0x00001000        /* a hashed directory (dir_index): cleared on change */

/* Directory entry file types (FILETYPE feature). */
enum { EXT2_FT_UNKNOWN, EXT2_FT_REG_FILE, EXT2_FT_DIR, EXT2_FT_CHRDEV, EXT2_FT_BLKDEV,
       EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK };

struct ext2_super_block {
	uint32_t s_inodes_count, s_blocks_count, s_r_blocks_count;
	uint32_t s_free_blocks_count, s_free_inodes_count;
	uint32_t s_first_data_block, s_log_block_size, s_log_frag_size;
	uint32_t s_blocks_per_group, s_frags_per_group, s_inodes_per_group;
	uint32_t s_mtime, s_wtime;
	uint16_t s_mnt_count, s_max_mnt_count, s_magic, s_state, s_errors, s_minor_rev_level;
	uint32_t s_lastcheck, s_checkinterval, s_creator_os, s_rev_level;
	uint16_t s_def_resuid, s_def_resgid;
	uint32_t s_first_ino;
	uint16_t s_inode_size, s_block_group_nr;
	uint32_t s_feature_compat, s_feature_incompat, s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint8_t s_rest[EXT2_SUPER_SIZE - 200];
} __packed;

struct ext2_group_desc {
	uint32_t bg_block_bitmap, bg_inode_bitmap, bg_inode_table;
	uint16_t bg_free_blocks_count, bg_free_inodes_count, bg_used_dirs_count, bg_pad;
	uint8_t bg_reserved[12];
} __packed;

struct ext2_disk_inode {
	uint16_t i_mode, i_uid;
	uint32_t i_size, i_atime, i_ctime, i_mtime, i_dtime;
	uint16_t i_gid, i_links_count;
	uint32_t i_blocks, i_flags, i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation, i_file_acl, i_size_high, i_faddr;
	uint8_t i_frag, i_fsize;
	uint16_t i_pad1, i_uid_high, i_gid_high;
	uint32_t i_reserved2;
	/* large inodes (s_inode_size > 128) */
	uint16_t i_extra_isize, i_checksum_hi;
	uint32_t i_ctime_extra, i_mtime_extra, i_atime_extra, i_crtime, i_crtime_extra;
} __packed;

struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len, file_type;
	char name[];
} __packed;

#define EXT2_DIRENT_HEADER 8
#define EXT2_DIRENT_LEN(name_len) ALIGN_UP(EXT2_DIRENT_HEADER + (name_len), 4)

/* One block of metadata in memory (buffer.c). */
struct ext2_buf {
	struct rb_node node;            /* (a) in sbi->bufs, by block */
	uint32_t block;                 /* (a) */
	uint32_t refs;                  /* (a) users now: not dropped while > 0 */
	bool dirty;                     /* (a) to be written */
	uint8_t *data;                  /* (a) block_size bytes */
};

/* A mounted instance. */
struct ext2_sb_info {
	struct blkdev *bdev;            /* (c) referenced and claimed */
	uint32_t dev;                   /* (c) st_dev */
	uint32_t block_size, block_shift;   /* (c) */
	uint32_t inode_size, inodes_per_group, blocks_per_group, ngroups;  /* (c) */
	uint32_t first_ino, first_data_block, blocks_count, inodes_count;  /* (c) */
	uint32_t gdt_block;             /* (c) the first block of group descriptors */
	bool readonly;                  /* (n) mounted read-only */
	bool filetype;                  /* (c) entries carry their type */
	struct mutex ns_lock, alloc_lock;
	struct ext2_super_block sb;     /* (a) the primary superblock */
	struct ext2_group_desc *groups; /* (a) all descriptors, kept in memory */
	bool groups_dirty, sb_dirty;    /* (a) */
	struct rb_root bufs;            /* (a) the buffer cache's tree */
	uint32_t nbufs;                 /* (a) */
	bool unflushed;                 /* (atomic) written since the disk's last flush */
	struct spinlock icache_lock;
	struct list_head inodes;        /* (t) every ext2_inode in memory */
	uint32_t live;                  /* (t) inodes in memory */
	bool detached;                  /* (t) unmounted: freed with the last inode */
	uint32_t next_generation;       /* (a) */
};

/* One page of a file in memory (file.c). */
struct ext2_page {
	struct rb_node node;            /* (i) in ei->pages, by index */
	uint64_t index;
	paddr_t pa;                     /* the frame (FRAME_FILE), the cache's reference */
	bool dirty;                     /* (i) written since it was last stored */
};

struct ext2_inode {
	struct inode vfs;
	struct ext2_sb_info *sbi;       /* (c) */
	struct list_head link;          /* (t) in sbi->inodes */
	uint32_t block[EXT2_N_BLOCKS];  /* (i) the block map */
	uint32_t flags;                 /* (i) i_flags */
	uint32_t disk_blocks;           /* (i) i_blocks: 512-byte units allocated */
	uint32_t dtime, generation, file_acl, crtime;   /* (i) kept as read */
	uint32_t last_block;            /* (i) allocation goal: the last block given */
	struct rb_root pages;           /* (i) the page cache */
	uint32_t npages;                /* (i) */
	bool dirty;                     /* (i) attributes differ from the disk's */
	bool dead;                      /* (t) being evicted: not to be found again */
};

static inline struct ext2_inode *EI(struct inode *inode)
{
	return container_of(inode, struct ext2_inode, vfs);
}

/* ---- buffer.c: metadata blocks ---- */
/* ext2_bread - the block, read if need be, with a reference: 0 or -EIO.
 * alloc_lock held. ext2_bget: the same without reading (a block about to
 * be filled whole), zeroed. ext2_brelse drops the reference. */
int ext2_bread(struct ext2_sb_info *sbi, uint32_t block, struct ext2_buf **out);
int ext2_bget_zeroed(struct ext2_sb_info *sbi, uint32_t block, struct ext2_buf **out);
void ext2_brelse(struct ext2_sb_info *sbi, struct ext2_buf *b);
void ext2_bdirty(struct ext2_buf *b);
/* ext2_bforget - a freed block's buffer is no longer worth writing. */
void ext2_bforget(struct ext2_sb_info *sbi, uint32_t block);
/* ext2_bflush - write every dirty buffer (alloc_lock held): 0 or -EIO. */
int ext2_bflush(struct ext2_sb_info *sbi);
/* ext2_bfree_all - drop the whole cache (unmount; nothing in use). */
void ext2_bfree_all(struct ext2_sb_info *sbi);
/* ext2_write_raw - write len bytes at disk byte offset off from buf
 * (sector-aligned), e.g. a file page: 0 or -EIO. ext2_read_raw reads. */
int ext2_write_raw(struct ext2_sb_info *sbi, uint64_t off, paddr_t buf, uint32_t len);
/* ext2_flush_disk - the disk's write cache, if anything was written
 * since its last flush: 0 or -EIO. Any lock. */
int ext2_flush_disk(struct ext2_sb_info *sbi);
int ext2_read_raw(struct ext2_sb_info *sbi, uint64_t off, paddr_t buf, uint32_t len);

/* ---- alloc.c: bitmaps ---- */
/* ext2_new_block - a free block near goal, marked used: 0 and *out, or
 * -ENOSPC, -EIO. alloc_lock held. ext2_free_block gives one back. */
int ext2_new_block(struct ext2_sb_info *sbi, uint32_t goal, uint32_t *out);
void ext2_free_block(struct ext2_sb_info *sbi, uint32_t block);
/* ext2_new_ino - a free inode number for a new inode of mode (dirs are
 * spread, others stay near parent_ino): 0 and *out, or -ENOSPC, -EIO.
 * alloc_lock held. ext2_free_ino gives one back. */
int ext2_new_ino(struct ext2_sb_info *sbi, uint32_t parent_ino, uint32_t mode, uint32_t *out);
void ext2_free_ino(struct ext2_sb_info *sbi, uint32_t ino, bool dir);
/* ext2_store_super - the superblock and the descriptors into their
 * buffers (written by the next ext2_bflush). alloc_lock held. */
int ext2_store_super(struct ext2_sb_info *sbi);

/* ---- inode.c: inodes and their block maps ---- */
extern const struct inode_ops ext2_file_iops, ext2_dir_iops, ext2_special_iops;
extern const struct file_ops ext2_file_fops, ext2_dir_fops;
/* ext2_iget - the inode ino in memory, referenced: 0 or -EIO, -ENOMEM,
 * -EUCLEAN (a bad inode). May sleep. */
int ext2_iget(struct ext2_sb_info *sbi, uint32_t ino, struct inode **out);
/* ext2_encode_fh, ext2_fh_to_inode - file handles (see vfs.h). */
int ext2_encode_fh(struct inode *inode, uint32_t *fh, uint32_t *words);
int ext2_fh_to_inode(struct inode *any, const uint32_t *fh, uint32_t words, int type, struct inode **out);
/* ext2_new_inode - a new inode of mode in dir (ns_lock held), nlink 1
 * (2 for a directory), written; referenced in *out. */
int ext2_new_inode(struct inode *dir, uint32_t mode, uint32_t uid, uint32_t gid,
		   struct inode **out);
/* ext2_write_inode - the attributes and block map into the inode table
 * (inode->lock held): 0 or -EIO. */
int ext2_write_inode(struct ext2_inode *ei);
/* ext2_bmap - the disk block of file block n: 0 and *out (0 for a hole
 * unless alloc), -ENOSPC, -EIO, -EFBIG. inode->lock held. */
int ext2_bmap(struct ext2_inode *ei, uint64_t n, bool alloc, uint32_t *out);
/* ext2_truncate_blocks - free the file blocks from n on. inode->lock held. */
int ext2_truncate_blocks(struct ext2_inode *ei, uint64_t n);
/* ext2_evict - ->evict for every ext2 inode. */
void ext2_evict(struct inode *inode);

/* ---- file.c: the page cache ---- */
int ext2_find_page(struct inode *inode, uint64_t index, bool alloc, paddr_t *pa);
int ext2_prepare_write(struct inode *inode, uint64_t pos, size_t len);
int ext2_writeback(struct inode *inode);
/* ext2_writeback_locked - the same with inode->lock held. */
int ext2_writeback_locked(struct ext2_inode *ei);
/* ext2_set_size - truncate or extend (inode->lock held): 0 or -errno. */
int ext2_set_size(struct ext2_inode *ei, uint64_t size);
/* ext2_drop_pages - free the cache (the inode is going; written back). */
void ext2_drop_pages(struct ext2_inode *ei);
int ext2_setattr(struct inode *inode, const struct iattr *attr);

/* ---- dir.c: directory entries (ns_lock held) ---- */
int ext2_find_entry(struct inode *dir, const char *name, size_t len, uint32_t *ino);
int ext2_add_entry(struct inode *dir, const char *name, size_t len, struct inode *inode);
int ext2_delete_entry(struct inode *dir, const char *name, size_t len);
/* ext2_set_entry - point the existing entry name at inode (rename over it). */
int ext2_set_entry(struct inode *dir, const char *name, size_t len, struct inode *inode);
/* ext2_dir_empty - 1 if only "." and "..", 0 if not, or -errno. */
int ext2_dir_empty(struct inode *dir);
/* ext2_make_dir - the first block of a new directory: "." and "..". */
int ext2_make_dir(struct inode *dir, struct inode *parent);
int ext2_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx);
uint8_t ext2_file_type(uint32_t mode);

/* ---- xattr.c: extended attributes (one block, Linux's format) ---- */
long ext2_xattr_get(struct inode *inode, int index, const char *name, void *buf, size_t size);
int ext2_xattr_set(struct inode *inode, int index, const char *name, const void *value,
		   size_t size, int flags);
int ext2_xattr_list(struct inode *inode, xattr_emit_fn emit, void *ctx);
/* ext2_xattr_drop - a freed inode gives up its attribute block
 * (inode->lock held, not alloc_lock). */
void ext2_xattr_drop(struct ext2_inode *ei);
/* ext2_is_fast_symlink - the target is in i_block (no data block). */
bool ext2_is_fast_symlink(struct ext2_inode *ei);

/* ---- super.c ---- */
/* ext2_sync_fs - write back every inode, the buffers, the superblock,
 * then flush the disk: 0 or -EIO. */
int ext2_sync_fs(struct ext2_sb_info *sbi);
/* ext2_inode_gone - an inode left memory; the last one of a detached
 * instance frees it. */
void ext2_inode_gone(struct ext2_sb_info *sbi);
#endif
