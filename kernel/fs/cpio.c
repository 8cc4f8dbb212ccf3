/*
 * cpio.c - unpack a "newc" cpio archive (the initramfs) into a directory.
 *
 * Each entry is a 110-byte ASCII header (a 6-byte magic and thirteen
 * 8-digit hex fields), the NUL-terminated name, padding to 4 bytes, the
 * data, padding to 4 bytes. The archive is untrusted input: every size
 * is checked against what is left before anything is read.
 *
 * Hard links: each name of a file with nlink > 1 carries the same inode
 * number and only the last carries the data. The first name creates the
 * file; later ones link to it (remembered in a small list), and data is
 * written when it comes.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "fs/cpio.h"
#include "fs/file.h"
#include "fs/vfs.h"

#define CPIO_MAGIC_LEN 6
#define CPIO_FIELD_LEN 8
#define CPIO_NFIELDS 13
#define CPIO_HDR_LEN (CPIO_MAGIC_LEN + CPIO_NFIELDS * CPIO_FIELD_LEN)   /* 110 */
#define CPIO_ALIGN 4
#define CPIO_TRAILER "TRAILER!!!"

/* The header fields, in archive order. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
       F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

struct cpio_entry {
	uint32_t f[CPIO_NFIELDS];
	const char *name;          /* NUL-terminated inside the archive */
	const char *data;
	size_t size;
};

/* A file with several names, by its archive inode number. */
struct hardlink {
	struct list_head link;
	uint32_t ino;
	struct inode *inode;       /* referenced */
};

/* Parse 8 hex digits; false if any is not one. */
static bool parse_hex(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < CPIO_FIELD_LEN; i++) {
		char c = s[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Read the entry at *off of the archive [base, base+len) and move *off to
 * the next one. -EINVAL if it is malformed or runs past the end. */
static int next_entry(const char *base, size_t len, size_t *off, struct cpio_entry *e)
{
	size_t pos = *off;
	if (len - pos < CPIO_HDR_LEN)
		return -EINVAL;
	const char *h = base + pos;
	if (memcmp(h, "070701", CPIO_MAGIC_LEN) != 0 && memcmp(h, "070702", CPIO_MAGIC_LEN) != 0)
		return -EINVAL;
	for (int i = 0; i < CPIO_NFIELDS; i++)
		if (!parse_hex(h + CPIO_MAGIC_LEN + i * CPIO_FIELD_LEN, &e->f[i]))
			return -EINVAL;
	uint32_t namesize = e->f[F_NAMESIZE];
	pos += CPIO_HDR_LEN;
	if (namesize == 0 || namesize > PATH_MAX || len - pos < namesize)
		return -EINVAL;
	e->name = base + pos;
	if (e->name[namesize - 1] != '\0' || strlen(e->name) != namesize - 1)
		return -EINVAL;
	pos = ALIGN_UP(pos + namesize, CPIO_ALIGN);
	e->size = e->f[F_FILESIZE];
	if (pos > len || len - pos < e->size)
		return -EINVAL;
	e->data = base + pos;
	pos = ALIGN_UP(pos + e->size, CPIO_ALIGN);
	*off = MIN(pos, len);
	return 0;
}

/* The directory that will hold the last component of path (made as
 * needed, mode 0755), and that component in *name, *nlen. Components
 * are not followed through symlinks; ".." is refused. */
static int make_parents(struct inode *root, const char *path, struct inode **dir,
			const char **name, size_t *nlen)
{
	struct inode *cur = inode_get(root);
	for (;;) {
		while (*path == '/')
			path++;
		const char *next;
		size_t len = path_component(path, &next);
		bool dots = len == 2 && path[0] == '.' && path[1] == '.';
		if (len > NAME_MAX || dots || (len == 0 && !*next)) {
			inode_put(cur);
			return -EINVAL;
		}
		if (!*next) {
			*dir = cur;
			*name = path;
			*nlen = len;
			return 0;
		}
		if (!(len == 1 && path[0] == '.')) {
			struct inode *child;
			int err = cur->iops->lookup(cur, path, len, &child);
			if (err == -ENOENT)
				err = cur->iops->mkdir(cur, path, len, 0755, 0, 0, &child);
			if (!err && !S_ISDIR(child->mode)) {
				inode_put(child);
				err = -EINVAL;
			}
			inode_put(cur);
			if (err)
				return err;
			cur = child;
		}
		path = next;
	}
}

/* Set mode bits, owner and mtime from the header (not the mode of a symlink). */
static int apply_attrs(struct inode *inode, const struct cpio_entry *e)
{
	struct iattr attr = {
		.ia_valid = ATTR_UID | ATTR_GID | ATTR_MTIME,
		.mode = e->f[F_MODE] & 07777,
		.uid = e->f[F_UID],
		.gid = e->f[F_GID],
		.mtime = { e->f[F_MTIME], 0 },
	};
	if (!S_ISLNK(inode->mode))
		attr.ia_valid |= ATTR_MODE;
	return inode->iops->setattr ? inode->iops->setattr(inode, &attr) : 0;
}

static struct hardlink *find_hardlink(struct list_head *links, uint32_t ino)
{
	struct hardlink *h;
	list_for_each_entry(h, links, link)
		if (h->ino == ino)
			return h;
	return NULL;
}

/* Create a regular file, or another name of an earlier one. */
static int make_file(struct inode *dir, const char *name, size_t len, const struct cpio_entry *e,
		     struct list_head *links, struct inode **out)
{
	struct hardlink *h = e->f[F_NLINK] > 1 ? find_hardlink(links, e->f[F_INO]) : NULL;
	if (h) {
		int err = dir->iops->link(dir, name, len, h->inode);
		if (!err)
			*out = inode_get(h->inode);
		return err;
	}
	int err = dir->iops->create(dir, name, len, e->f[F_MODE] & 07777, 0, 0, out);
	if (err || e->f[F_NLINK] <= 1)
		return err;
	h = kmalloc(sizeof(*h));
	if (!h) {
		inode_put(*out);
		return -ENOMEM;
	}
	h->ino = e->f[F_INO];
	h->inode = inode_get(*out);
	list_add(&h->link, links);
	return 0;
}

/* Create the node of one entry as name in dir; *out gets it. */
static int make_node(struct inode *dir, const char *name, size_t len, const struct cpio_entry *e,
		     struct list_head *links, struct inode **out)
{
	uint32_t mode = e->f[F_MODE];
	if (S_ISREG(mode))
		return make_file(dir, name, len, e, links, out);
	if (S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) || S_ISSOCK(mode)) {
		uint32_t rdev = MKDEV(e->f[F_RDEVMAJOR], e->f[F_RDEVMINOR]);
		return dir->iops->mknod(dir, name, len, mode & (S_IFMT | 07777), rdev, 0, 0, out);
	}
	if (!S_ISLNK(mode) || e->size >= PATH_MAX || e->size == 0)
		return -EINVAL;
	char *target = kmalloc(e->size + 1);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = '\0';
	int err = strlen(target) == e->size ? dir->iops->symlink(dir, name, len, target, 0, 0, out)
					    : -EINVAL;
	kfree(target);
	return err;
}

/* Unpack one entry below root. */
static int unpack_entry(struct inode *root, const struct cpio_entry *e, struct list_head *links)
{
	struct inode *dir, *node = NULL;
	const char *name;
	size_t len;
	int err = make_parents(root, e->name, &dir, &name, &len);
	if (err)
		return err;
	if (len == 1 && name[0] == '.') {           /* the root itself */
		node = inode_get(dir);
	} else if (S_ISDIR(e->f[F_MODE])) {
		err = dir->iops->mkdir(dir, name, len, e->f[F_MODE] & 07777, 0, 0, &node);
		if (err == -EEXIST && !(err = dir->iops->lookup(dir, name, len, &node)) &&
		    !S_ISDIR(node->mode))
			err = -EINVAL;
	} else {
		err = dir->iops->unlink(dir, name, len);   /* replace what was there */
		if (!err || err == -ENOENT)
			err = make_node(dir, name, len, e, links, &node);
	}
	if (!err && S_ISREG(node->mode) && e->size &&
	    inode_write_kernel(node, 0, e->data, e->size) != (long)e->size)
		err = -ENOMEM;
	if (!err)
		err = apply_attrs(node, e);
	inode_put(node);
	inode_put(dir);
	return err;
}

/* Archives may be concatenated (the launcher appends one to the standard
 * initramfs): after a trailer, skip the zero padding; true if another
 * archive's magic follows, with *off at its start. */
static bool next_archive(const uint8_t *data, size_t len, size_t *off)
{
	size_t o = *off;
	while (o < len && data[o] == 0)
		o++;
	if (o + 6 > len || memcmp(data + o, "07070", 5) != 0)
		return false;
	*off = o;
	return true;
}

/* cpio_unpack - unpack the archive below root. See cpio.h. */
int cpio_unpack(struct inode *root, const void *data, size_t len)
{
	return cpio_unpack_consuming(root, data, len, NULL);
}

/* cpio_unpack_consuming - cpio_unpack, telling consumed its progress. See cpio.h. */
int cpio_unpack_consuming(struct inode *root, const void *data, size_t len, void (*consumed)(size_t upto))
{
	LIST_HEAD(links);
	size_t off = 0;
	int err;
	for (;;) {
		struct cpio_entry e;
		err = next_entry(data, len, &off, &e);
		if (!err && strcmp(e.name, CPIO_TRAILER) == 0 && !next_archive(data, len, &off))
			break;
		if (err)
			break;
		if (strcmp(e.name, CPIO_TRAILER) == 0)
			continue;
		err = unpack_entry(root, &e, &links);
		if (err) {
			if (err != -ENOMEM)
				err = -EINVAL;   /* an entry that cannot be made as asked */
			break;
		}
		if (consumed)
			consumed(off);   /* entries before off are no longer read */
	}
	struct hardlink *h, *tmp;
	list_for_each_entry_safe(h, tmp, &links, link) {
		inode_put(h->inode);
		kfree(h);
	}
	return err;
}
