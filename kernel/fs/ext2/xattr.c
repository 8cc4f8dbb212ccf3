/*
 * xattr.c - ext2's extended attributes, in Linux's on-disk format (as
 * Linux's fs/ext2/xattr.c and e2fsprogs write it): an inode's
 * attributes live in one block, named by i_file_acl and counted in
 * i_blocks. The block opens with a 32-byte header (magic 0xEA020000,
 * h_refcount, h_blocks = 1, h_hash), then the entries, 4-byte aligned
 * and ended by four zero bytes: e_name_len, e_name_index (the namespace:
 * 1 user, 4 trusted, 6 security, ...), e_value_offs, e_value_block (0),
 * e_value_size, e_hash, the name. Values are packed down from the
 * block's end, each padded to 4 bytes. Entries are sorted by index,
 * name length, then name, and hashed as Linux hashes them, so the
 * host's e2fsck accepts the block.
 *
 * Linux shares identical blocks between inodes (h_refcount > 1). Aspen
 * reads a shared block as any other and never changes one in place: a
 * change gives the inode a fresh block of its own (refcount 1) and
 * takes one from the shared block's count. Aspen itself never makes a
 * block shared.
 *
 * A change rebuilds the whole block from the parsed entries (foreign
 * entries, e.g. POSIX ACLs written by Linux, are kept as they are).
 *
 * Locks: inode->lock guards i_file_acl and i_blocks; the block's bytes
 * and every refcount are under sbi->alloc_lock, as all metadata buffers
 * (taken after inode->lock, docs/locking.md).
 */
#include "fs/ext2/ext2.h"
#include "fs/xattr.h"
#include "block/blkdev.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

#define EXT2_XATTR_MAGIC 0xEA020000u
#define EXT2_FEATURE_COMPAT_EXT_ATTR 0x0008
#define XATTR_PAD 4
#define XATTR_ROUND(n) (((n) + XATTR_PAD - 1) & ~(uint32_t)(XATTR_PAD - 1))
#define NAME_HASH_SHIFT 5
#define VALUE_HASH_SHIFT 16
#define BLOCK_HASH_SHIFT 16

struct ext2_xattr_header {
	uint32_t h_magic, h_refcount, h_blocks, h_hash;
	uint32_t h_reserved[4];
} __packed;

struct ext2_xattr_entry {
	uint8_t e_name_len, e_name_index;
	uint16_t e_value_offs;
	uint32_t e_value_block, e_value_size, e_hash;
	char e_name[];
} __packed;

#define ENTRY_LEN(name_len) XATTR_ROUND(sizeof(struct ext2_xattr_entry) + (name_len))
#define SECTORS(sbi) ((sbi)->block_size >> BLK_SECTOR_SHIFT)

/* One attribute as parsed: its bytes stay in the block it came from. */
struct xa_item {
	uint8_t index, name_len;
	uint32_t size;
	const char *name;
	const uint8_t *value;
};

/* All attributes of one block: at most one per 16 bytes of block. */
struct xa_set {
	struct xa_item *items;
	int n, max;
};

static uint32_t rotl(uint32_t h, int shift) { return (h << shift) ^ (h >> (32 - shift)); }

/* Linux's e_hash: the name's bytes (char is signed on x86-64, as in
 * Linux), then the value's little-endian words, zero-padded. */
static uint32_t entry_hash(const struct xa_item *it, const uint8_t *padded_value)
{
	uint32_t h = 0;
	for (int i = 0; i < it->name_len; i++)
		h = rotl(h, NAME_HASH_SHIFT) ^ (uint32_t)(int32_t)(int8_t)it->name[i];
	for (uint32_t w = 0; w < XATTR_ROUND(it->size) / 4; w++) {
		uint32_t word;
		memcpy(&word, padded_value + 4 * w, 4);
		h = rotl(h, VALUE_HASH_SHIFT) ^ word;
	}
	return h;
}

/* Parse block data (block_size bytes) into s: 0, or -EIO for a block
 * that is not a sound attribute block (Linux: "bad block", EIO). */
static int xa_parse(struct ext2_sb_info *sbi, const uint8_t *data, struct xa_set *s)
{
	const struct ext2_xattr_header *h = (const void *)data;
	uint32_t bs = sbi->block_size, off = sizeof(*h);
	if (h->h_magic != EXT2_XATTR_MAGIC || h->h_blocks != 1)
		return -EIO;
	s->n = 0;
	while (off + 4 <= bs && *(const uint32_t *)(data + off) != 0) {
		const struct ext2_xattr_entry *e = (const void *)(data + off);
		if (off + sizeof(*e) > bs || off + ENTRY_LEN(e->e_name_len) + 4 > bs ||
		    s->n == s->max || e->e_value_block != 0 || e->e_value_size > bs ||
		    (uint32_t)e->e_value_offs + e->e_value_size > bs)
			return -EIO;
		s->items[s->n++] = (struct xa_item){ e->e_name_index, e->e_name_len, e->e_value_size,
						     e->e_name, data + e->e_value_offs };
		off += ENTRY_LEN(e->e_name_len);
	}
	return off + 4 <= bs ? 0 : -EIO;
}

/* The index of (index, name, len) in s, or -1. */
static int xa_find(const struct xa_set *s, int index, const char *name, size_t len)
{
	for (int i = 0; i < s->n; i++)
		if (s->items[i].index == index && s->items[i].name_len == len &&
		    memcmp(s->items[i].name, name, len) == 0)
			return i;
	return -1;
}

/* Linux's order: index, then name length, then the name's bytes. */
static int xa_cmp(const struct xa_item *a, const struct xa_item *b)
{
	if (a->index != b->index)
		return a->index - b->index;
	if (a->name_len != b->name_len)
		return a->name_len - b->name_len;
	return memcmp(a->name, b->name, a->name_len);
}

/* Bytes the block needs for s: header, entries, end mark, values. */
static uint32_t xa_bytes(const struct xa_set *s)
{
	uint32_t n = sizeof(struct ext2_xattr_header) + 4;
	for (int i = 0; i < s->n; i++)
		n += ENTRY_LEN(s->items[i].name_len) + XATTR_ROUND(s->items[i].size);
	return n;
}

/* Write s (sorted, fitting) as a fresh block into out (block_size bytes,
 * zeroed by the caller) with refcount 1 and every hash. The block's hash
 * folds the entries' (Linux's ext2_xattr_rehash: 0 if one of them is 0,
 * which marks a block not to be shared). */
static void xa_compose(struct ext2_sb_info *sbi, const struct xa_set *s, uint8_t *out)
{
	struct ext2_xattr_header *h = (void *)out;
	uint32_t off = sizeof(*h), vend = sbi->block_size, bhash = 0;
	bool unhashed = false;
	h->h_magic = EXT2_XATTR_MAGIC;
	h->h_refcount = 1;
	h->h_blocks = 1;
	for (int i = 0; i < s->n; i++) {
		const struct xa_item *it = &s->items[i];
		struct ext2_xattr_entry *e = (void *)(out + off);
		vend -= XATTR_ROUND(it->size);
		memcpy(out + vend, it->value, it->size);
		e->e_name_len = it->name_len;
		e->e_name_index = it->index;
		e->e_value_offs = (uint16_t)(it->size ? vend : 0);
		e->e_value_size = it->size;
		memcpy(e->e_name, it->name, it->name_len);
		e->e_hash = entry_hash(it, out + vend);
		unhashed |= e->e_hash == 0;
		bhash = rotl(bhash, BLOCK_HASH_SHIFT) ^ e->e_hash;
		off += ENTRY_LEN(it->name_len);
	}
	h->h_hash = unhashed ? 0 : bhash;
}

/* ---- reading ---- */

/* A set with room for one block's entries, or NULL. */
static struct xa_set *xa_set_new(struct ext2_sb_info *sbi)
{
	struct xa_set *s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->max = (int)(sbi->block_size / sizeof(struct ext2_xattr_entry));
	if (!(s->items = kmalloc(sizeof(*s->items) * (size_t)s->max))) {
		kfree(s);
		s = NULL;
	}
	return s;
}

static void xa_set_free(struct xa_set *s)
{
	if (s)
		kfree(s->items);
	kfree(s);
}

/* Read and parse ei's block into s (empty when it has none); *b gets the
 * buffer (NULL if none), to be released after s is used. inode->lock
 * and alloc_lock held. 0, -EIO. */
static int xa_load(struct ext2_inode *ei, struct xa_set *s, struct ext2_buf **b)
{
	struct ext2_sb_info *sbi = ei->sbi;
	*b = NULL;
	s->n = 0;
	if (!ei->file_acl)
		return 0;
	if (ei->file_acl < sbi->first_data_block || ei->file_acl >= sbi->blocks_count)
		return -EIO;
	int err = ext2_bread(sbi, ei->file_acl, b);
	if (!err && (err = xa_parse(sbi, (*b)->data, s))) {
		ext2_brelse(sbi, *b);
		*b = NULL;
	}
	if (err)
		pr_err("ext2 %s: inode %lu: bad extended attribute block %u\n",
		       blkdev_name(sbi->bdev), (unsigned long)ei->vfs.ino, ei->file_acl);
	return err;
}

/* Run fn on ei's parsed attributes with the locks held. */
static long xa_with_set(struct inode *inode, long (*fn)(struct xa_set *s, void *arg), void *arg)
{
	struct ext2_inode *ei = EI(inode);
	struct ext2_sb_info *sbi = ei->sbi;
	struct xa_set *s = xa_set_new(sbi);
	if (!s)
		return -ENOMEM;
	struct ext2_buf *b;
	mutex_lock(&inode->lock);
	mutex_lock(&sbi->alloc_lock);
	long ret = xa_load(ei, s, &b);
	if (!ret)
		ret = fn(s, arg);
	if (b)
		ext2_brelse(sbi, b);
	mutex_unlock(&sbi->alloc_lock);
	mutex_unlock(&inode->lock);
	xa_set_free(s);
	return ret;
}

struct get_args {
	int index;
	const char *name;
	void *buf;
	size_t size;
};

static long get_fn(struct xa_set *s, void *arg)
{
	struct get_args *a = arg;
	int i = xa_find(s, a->index, a->name, strlen(a->name));
	if (i < 0)
		return -ENODATA;
	if (a->size && a->size < s->items[i].size)
		return -ERANGE;
	if (a->size)
		memcpy(a->buf, s->items[i].value, s->items[i].size);
	return s->items[i].size;
}

/* ext2_xattr_get - ->xattr_get (vfs.h). */
long ext2_xattr_get(struct inode *inode, int index, const char *name, void *buf, size_t size)
{
	struct get_args a = { index, name, buf, size };
	return xa_with_set(inode, get_fn, &a);
}

struct list_args {
	xattr_emit_fn emit;
	void *ctx;
};

static long list_fn(struct xa_set *s, void *arg)
{
	struct list_args *a = arg;
	int err = 0;
	for (int i = 0; i < s->n && !err; i++)
		err = a->emit(a->ctx, s->items[i].index, s->items[i].name, s->items[i].name_len);
	return err;
}

/* ext2_xattr_list - ->xattr_list (vfs.h). */
int ext2_xattr_list(struct inode *inode, xattr_emit_fn emit, void *ctx)
{
	struct list_args a = { emit, ctx };
	return (int)xa_with_set(inode, list_fn, &a);
}

/* ---- changing ---- */

/* Give up one hold on block, whose buffer is b (this consumes b's
 * reference): the last holder frees it, another takes one from its
 * count. alloc_lock held. */
static void xa_put_block(struct ext2_sb_info *sbi, struct ext2_buf *b, uint32_t block)
{
	struct ext2_xattr_header *h = (void *)b->data;
	bool last = h->h_refcount <= 1;
	if (!last) {
		h->h_refcount--;
		ext2_bdirty(b);
	}
	ext2_brelse(sbi, b);
	if (last) {
		ext2_bforget(sbi, block);
		ext2_free_block(sbi, block);
	}
}

/* Store the composed block data as ei's: in place if ei's block (old,
 * whose reference this consumes) is its own, else in a new block, the
 * shared one keeping its other holders. alloc_lock and inode->lock
 * held. 0, -ENOSPC, -EIO (nothing changed then). */
static int xa_store(struct ext2_inode *ei, struct ext2_buf *old, const uint8_t *data)
{
	struct ext2_sb_info *sbi = ei->sbi;
	if (old && ((struct ext2_xattr_header *)old->data)->h_refcount == 1) {
		memcpy(old->data, data, sbi->block_size);
		ext2_bdirty(old);
		ext2_brelse(sbi, old);
		return 0;
	}
	uint32_t g = (uint32_t)(ei->vfs.ino - 1) / sbi->inodes_per_group, block;
	struct ext2_buf *b;
	int err = ext2_new_block(sbi, sbi->first_data_block + g * sbi->blocks_per_group, &block);
	if (!err && (err = ext2_bget_zeroed(sbi, block, &b)))
		ext2_free_block(sbi, block);
	if (err) {
		if (old)
			ext2_brelse(sbi, old);
		return err;
	}
	memcpy(b->data, data, sbi->block_size);
	ext2_bdirty(b);
	ext2_brelse(sbi, b);
	if (old)
		xa_put_block(sbi, old, ei->file_acl);
	else
		ei->disk_blocks += SECTORS(sbi);
	ei->file_acl = block;
	if (!(sbi->sb.s_feature_compat & EXT2_FEATURE_COMPAT_EXT_ATTR)) {
		sbi->sb.s_feature_compat |= EXT2_FEATURE_COMPAT_EXT_ATTR;
		sbi->sb_dirty = true;
	}
	return 0;
}

/* Apply the change to s (an item replaced, added in order, or removed).
 * 0, -EEXIST, -ENODATA. */
static int xa_edit(struct xa_set *s, const struct xa_item *new, int flags)
{
	int i = xa_find(s, new->index, new->name, new->name_len);
	if (i >= 0 && (flags & XATTR_CREATE))
		return -EEXIST;
	if (i < 0 && (!new->value || (flags & XATTR_REPLACE)))
		return -ENODATA;
	if (i >= 0) {
		s->n--;
		memmove(&s->items[i], &s->items[i + 1], sizeof(*new) * (size_t)(s->n - i));
	}
	if (!new->value)
		return 0;
	if (s->n == s->max)
		return -ENOSPC;
	for (i = s->n; i > 0 && xa_cmp(&s->items[i - 1], new) > 0; i--)
		s->items[i] = s->items[i - 1];
	s->items[i] = *new;
	s->n++;
	return 0;
}

/* The change with both locks held; scratch is a zeroed block. */
static int xa_set_locked(struct ext2_inode *ei, struct xa_set *s, const struct xa_item *new,
			 int flags, uint8_t *scratch)
{
	struct ext2_sb_info *sbi = ei->sbi;
	struct ext2_buf *old;
	int err = xa_load(ei, s, &old);
	if (!err)
		err = xa_edit(s, new, flags);
	if (!err && xa_bytes(s) > sbi->block_size)
		err = -ENOSPC;
	if (err) {
		if (old)
			ext2_brelse(sbi, old);
	} else if (s->n == 0) {
		xa_put_block(sbi, old, ei->file_acl);
		ei->file_acl = 0;
		ei->disk_blocks -= SECTORS(sbi);
	} else {
		xa_compose(sbi, s, scratch);
		err = xa_store(ei, old, scratch);
	}
	return err;
}

/* ext2_xattr_set - ->xattr_set (vfs.h); a value longer than a block is
 * -ERANGE and what does not fit the block -ENOSPC, as Linux's ext2. */
int ext2_xattr_set(struct inode *inode, int index, const char *name, const void *value,
		   size_t size, int flags)
{
	struct ext2_inode *ei = EI(inode);
	struct ext2_sb_info *sbi = ei->sbi;
	size_t len = strlen(name);
	if (sbi->readonly)
		return -EROFS;
	if (len > EXT2_NAME_LEN || size > sbi->block_size)
		return -ERANGE;
	struct xa_item new = { (uint8_t)index, (uint8_t)len, (uint32_t)size, name, value };
	struct xa_set *s = xa_set_new(sbi);
	uint8_t *scratch = kzalloc(sbi->block_size);
	int err = s && scratch ? 0 : -ENOMEM;
	if (!err) {
		mutex_lock(&inode->lock);
		mutex_lock(&sbi->alloc_lock);
		err = xa_set_locked(ei, s, &new, flags, scratch);
		mutex_unlock(&sbi->alloc_lock);
		if (!err) {
			inode->ctime = vfs_now();
			ei->dirty = true;
		}
		mutex_unlock(&inode->lock);
	}
	kfree(scratch);
	xa_set_free(s);
	return err;
}

/* ext2_xattr_drop - the inode is being freed: give up its attribute
 * block (inode->lock held). */
void ext2_xattr_drop(struct ext2_inode *ei)
{
	struct ext2_buf *b;
	if (!ei->file_acl)
		return;
	mutex_lock(&ei->sbi->alloc_lock);
	if (ei->file_acl >= ei->sbi->first_data_block && ei->file_acl < ei->sbi->blocks_count &&
	    !ext2_bread(ei->sbi, ei->file_acl, &b))
		xa_put_block(ei->sbi, b, ei->file_acl);
	mutex_unlock(&ei->sbi->alloc_lock);
	ei->disk_blocks -= SECTORS(ei->sbi);
	ei->file_acl = 0;
}

/* ext2_is_fast_symlink - a symlink whose target is in i_block: no
 * blocks beyond its attribute block (Linux's rule). */
bool ext2_is_fast_symlink(struct ext2_inode *ei)
{
	uint32_t ea = ei->file_acl ? SECTORS(ei->sbi) : 0;
	return S_ISLNK(ei->vfs.mode) && ei->disk_blocks == ea;
}
