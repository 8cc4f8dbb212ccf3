/*
 * dir.c - ext2 directories: blocks of variable-length entries (inode
 * number, record length, name length, file type, name), each record
 * ending where the next begins and the last one reaching the end of its
 * block. Removing an entry merges it into the one before (or zeroes its
 * inode number, first in a block); adding one takes a free record or
 * splits the slack off a used one, else a new block.
 *
 * A directory's blocks go through the buffer cache. Every entry is
 * checked before use: a corrupt directory gives EUCLEAN (Linux's
 * EFSCORRUPTED), never a wild access. A hashed directory (dir_index)
 * reads as a linear one; changing it clears its index flag, as e2fsck
 * accepts. Callers hold sbi->ns_lock.
 */
#include "fs/ext2/ext2.h"
#include "lib/errno.h"
#include "lib/string.h"

/* A walk over a directory's entries: fn sees each block (alloc_lock
 * held) and returns 0 to go on, 1 to stop, or -errno. */
typedef int (*block_fn)(struct ext2_sb_info *sbi, struct ext2_buf *b, uint64_t n, void *ctx);

static uint64_t dir_blocks(struct inode *dir)
{
	return dir->size >> EI(dir)->sbi->block_shift;
}

/* The buffer of directory block n (mapped, and with alloc made). */
static int dir_block(struct inode *dir, uint64_t n, bool alloc, struct ext2_buf **out)
{
	struct ext2_inode *ei = EI(dir);
	uint32_t disk;
	mutex_lock(&dir->lock);
	int err = ext2_bmap(ei, n, alloc, &disk);
	mutex_unlock(&dir->lock);
	if (err)
		return err;
	if (!disk)
		return -EUCLEAN;   /* ext2 directories have no holes */
	mutex_lock(&ei->sbi->alloc_lock);
	err = alloc ? ext2_bget_zeroed(ei->sbi, disk, out) : ext2_bread(ei->sbi, disk, out);
	if (err)
		mutex_unlock(&ei->sbi->alloc_lock);
	return err;   /* alloc_lock stays held with the buffer */
}

static void dir_block_done(struct inode *dir, struct ext2_buf *b)
{
	ext2_brelse(EI(dir)->sbi, b);
	mutex_unlock(&EI(dir)->sbi->alloc_lock);
}

static int for_each_block(struct inode *dir, uint64_t from, block_fn fn, void *ctx)
{
	int r = 0;
	for (uint64_t n = from; n < dir_blocks(dir) && !r; n++) {
		struct ext2_buf *b;
		r = dir_block(dir, n, false, &b);
		if (r)
			break;
		r = fn(EI(dir)->sbi, b, n, ctx);
		dir_block_done(dir, b);
	}
	return r < 0 ? r : 0;
}

/* The entry at off of block b, checked; NULL if it is corrupt. */
static struct ext2_dirent *entry_at(struct ext2_sb_info *sbi, struct ext2_buf *b, uint32_t off)
{
	if (off + EXT2_DIRENT_HEADER > sbi->block_size)
		return NULL;
	struct ext2_dirent *d = (struct ext2_dirent *)(b->data + off);
	if (d->rec_len < EXT2_DIRENT_HEADER || (d->rec_len & 3) || off + d->rec_len > sbi->block_size ||
	    EXT2_DIRENT_HEADER + d->name_len > d->rec_len)
		return NULL;
	return d;
}

uint8_t ext2_file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static bool name_is(const struct ext2_dirent *d, const char *name, size_t len)
{
	return d->inode && d->name_len == len && memcmp(d->name, name, len) == 0;
}

/* ---- finding ---- */

struct search {
	const char *name;
	size_t len;
	uint32_t ino;          /* found: its inode */
	uint32_t set_ino;      /* nonzero: point the entry here (ext2_set_entry) */
	uint8_t set_type;
	bool remove;           /* take the entry out (ext2_delete_entry) */
	bool changed;
};

/* Take d out of b: merge it into prev, or (first in block) free it. */
static void remove_entry(struct ext2_dirent *prev, struct ext2_dirent *d)
{
	if (prev)
		prev->rec_len = (uint16_t)(prev->rec_len + d->rec_len);
	else
		d->inode = 0;
}

static int search_block(struct ext2_sb_info *sbi, struct ext2_buf *b, uint64_t n, void *ctx)
{
	struct search *s = ctx;
	struct ext2_dirent *prev = NULL;
	for (uint32_t off = 0; off < sbi->block_size;) {
		struct ext2_dirent *d = entry_at(sbi, b, off);
		if (!d)
			return -EUCLEAN;
		if (name_is(d, s->name, s->len)) {
			s->ino = d->inode;
			if (s->remove)
				remove_entry(prev, d);
			else if (s->set_ino) {
				d->inode = s->set_ino;
				d->file_type = sbi->filetype ? s->set_type : 0;
			}
			if (s->remove || s->set_ino) {
				ext2_bdirty(b);
				s->changed = true;
			}
			return 1;
		}
		prev = d;
		off += d->rec_len;
	}
	return 0;
}

/* A directory changed: times, and no more hashed index. */
static void dir_changed(struct inode *dir)
{
	mutex_lock(&dir->lock);
	EI(dir)->flags &= ~EXT2_INDEX_FL;
	inode_touch_locked(dir, ATTR_MTIME | ATTR_CTIME);
	EI(dir)->dirty = true;
	mutex_unlock(&dir->lock);
}

static int search(struct inode *dir, struct search *s)
{
	int err = for_each_block(dir, 0, search_block, s);
	if (!err && !s->ino)
		err = -ENOENT;
	if (s->changed)
		dir_changed(dir);
	return err;
}

int ext2_find_entry(struct inode *dir, const char *name, size_t len, uint32_t *ino)
{
	struct search s = { .name = name, .len = len };
	int err = search(dir, &s);
	*ino = s.ino;
	return err;
}

int ext2_delete_entry(struct inode *dir, const char *name, size_t len)
{
	struct search s = { .name = name, .len = len, .remove = true };
	return search(dir, &s);
}

int ext2_set_entry(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	struct search s = { .name = name, .len = len, .set_ino = (uint32_t)inode->ino,
			    .set_type = ext2_file_type(inode->mode) };
	return search(dir, &s);
}

/* ---- adding ---- */

struct insert {
	const char *name;
	size_t len;
	struct inode *inode;
	bool done;
};

static void fill_entry(struct ext2_sb_info *sbi, struct ext2_dirent *d, const struct insert *in)
{
	d->inode = (uint32_t)in->inode->ino;
	d->name_len = (uint8_t)in->len;
	d->file_type = sbi->filetype ? ext2_file_type(in->inode->mode) : 0;
	memcpy(d->name, in->name, in->len);
}

/* Put the entry in a free record of b, or in the slack after a used one. */
static int insert_block(struct ext2_sb_info *sbi, struct ext2_buf *b, uint64_t n, void *ctx)
{
	struct insert *in = ctx;
	uint32_t need = EXT2_DIRENT_LEN(in->len);
	for (uint32_t off = 0; off < sbi->block_size;) {
		struct ext2_dirent *d = entry_at(sbi, b, off);
		if (!d)
			return -EUCLEAN;
		uint32_t used = d->inode ? EXT2_DIRENT_LEN(d->name_len) : 0;
		if (d->rec_len >= used + need) {
			if (used) {   /* split: d keeps what it uses, the new entry the rest */
				struct ext2_dirent *nd = (struct ext2_dirent *)((uint8_t *)d + used);
				nd->rec_len = (uint16_t)(d->rec_len - used);
				d->rec_len = (uint16_t)used;
				d = nd;
			}
			fill_entry(sbi, d, in);
			ext2_bdirty(b);
			in->done = true;
			return 1;
		}
		off += d->rec_len;
	}
	return 0;
}

/* A new block at the end of dir holding only the entry. */
static int insert_new_block(struct inode *dir, struct insert *in)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	struct ext2_buf *b;
	uint64_t n = dir_blocks(dir);
	int err = dir_block(dir, n, true, &b);
	if (err)
		return err;
	struct ext2_dirent *d = (struct ext2_dirent *)b->data;
	d->rec_len = (uint16_t)sbi->block_size;
	fill_entry(sbi, d, in);
	ext2_bdirty(b);
	dir_block_done(dir, b);
	mutex_lock(&dir->lock);
	dir->size += sbi->block_size;
	mutex_unlock(&dir->lock);
	return 0;
}

/* ext2_add_entry - name -> inode in dir (which has no such name). */
int ext2_add_entry(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	struct insert in = { name, len, inode, false };
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	int err = for_each_block(dir, 0, insert_block, &in);
	if (!err && !in.done)
		err = insert_new_block(dir, &in);
	if (!err)
		dir_changed(dir);
	return err;
}

/* ext2_make_dir - "." and ".." in the first block of the new directory. */
int ext2_make_dir(struct inode *dir, struct inode *parent)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	struct ext2_buf *b;
	int err = dir_block(dir, 0, true, &b);
	if (err)
		return err;
	struct ext2_dirent *dot = (struct ext2_dirent *)b->data;
	struct ext2_dirent *dotdot = (struct ext2_dirent *)(b->data + EXT2_DIRENT_LEN(1));
	*dot = (struct ext2_dirent){ (uint32_t)dir->ino, EXT2_DIRENT_LEN(1), 1,
				     sbi->filetype ? EXT2_FT_DIR : 0 };
	dot->name[0] = '.';
	*dotdot = (struct ext2_dirent){ (uint32_t)parent->ino,
					(uint16_t)(sbi->block_size - EXT2_DIRENT_LEN(1)), 2,
					sbi->filetype ? EXT2_FT_DIR : 0 };
	memcpy(dotdot->name, "..", 2);
	ext2_bdirty(b);
	dir_block_done(dir, b);
	mutex_lock(&dir->lock);
	dir->size = sbi->block_size;
	EI(dir)->dirty = true;
	mutex_unlock(&dir->lock);
	return 0;
}

/* ---- emptiness and listing ---- */

static int empty_block(struct ext2_sb_info *sbi, struct ext2_buf *b, uint64_t n, void *ctx)
{
	for (uint32_t off = 0; off < sbi->block_size;) {
		struct ext2_dirent *d = entry_at(sbi, b, off);
		if (!d)
			return -EUCLEAN;
		bool dots = (d->name_len == 1 && d->name[0] == '.') ||
			    (d->name_len == 2 && d->name[0] == '.' && d->name[1] == '.');
		if (d->inode && !dots) {
			*(bool *)ctx = false;
			return 1;
		}
		off += d->rec_len;
	}
	return 0;
}

int ext2_dir_empty(struct inode *dir)
{
	bool empty = true;
	int err = for_each_block(dir, 0, empty_block, &empty);
	return err ? err : empty;
}

struct listing {
	uint64_t *pos;
	dir_emit_fn emit;
	void *ctx;
	bool full;
};

static unsigned dtype_of(uint8_t ft)
{
	static const unsigned map[] = { DT_UNKNOWN, IFTODT(S_IFREG), IFTODT(S_IFDIR), IFTODT(S_IFCHR),
					IFTODT(S_IFBLK), IFTODT(S_IFIFO), IFTODT(S_IFSOCK),
					IFTODT(S_IFLNK) };
	return ft < ARRAY_SIZE(map) ? map[ft] : DT_UNKNOWN;
}

/* Emit the entries of block n from *pos on; *pos is a byte offset in
 * the directory and always lies on an entry (it is one we gave). */
static int list_block(struct ext2_sb_info *sbi, struct ext2_buf *b, uint64_t n, void *ctx)
{
	struct listing *l = ctx;
	uint64_t base = n << sbi->block_shift;
	for (uint32_t off = 0; off < sbi->block_size;) {
		struct ext2_dirent *d = entry_at(sbi, b, off);
		if (!d)
			return -EUCLEAN;
		uint64_t here = base + off, next = here + d->rec_len;
		off += d->rec_len;
		if (here < *l->pos || !d->inode)
			continue;
		if (!l->emit(l->ctx, d->name, d->name_len, d->inode, dtype_of(d->file_type), next)) {
			l->full = true;
			return 1;
		}
		*l->pos = next;
	}
	*l->pos = MAX(*l->pos, base + sbi->block_size);
	return 0;
}

/* ->iterate: entries from byte offset *pos on, "." and ".." included. */
int ext2_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	struct ext2_sb_info *sbi = EI(dir)->sbi;
	struct listing l = { pos, emit, ctx, false };
	mutex_lock(&sbi->ns_lock);
	int err = for_each_block(dir, *pos >> sbi->block_shift, list_block, &l);
	mutex_unlock(&sbi->ns_lock);
	return err;
}
