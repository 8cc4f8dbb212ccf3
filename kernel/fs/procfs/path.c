/*
 * path.c - the name of an inode, for /proc/PID/maps, exe and fd/N.
 *
 * Aspen's inodes do not know their names (there is no dentry cache), so
 * a directory's path is found by climbing "..", as getcwd does, and any
 * other file's by searching the tree from the root, depth first, for an
 * entry with its inode number; the entry is then looked up to make sure
 * it is the very same inode (numbers are unique only within one file
 * system). /proc itself is never searched. The trees Aspen holds are
 * small (the initramfs and what programs create), so the search is
 * cheap enough for a file that is read by hand; maps asks once per file,
 * not once per region.
 */
#include "fs/procfs/procfs.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SEARCH_DEPTH_MAX 24

/* What one ->iterate call found: an entry with the wanted number, or a
 * subdirectory to descend into. */
struct pick {
	uint64_t ino;
	enum { PICK_NONE, PICK_MATCH, PICK_DIR } kind;
	uint64_t next_pos;
	size_t len;
	char name[NAME_MAX + 1];
};

static bool pick_entry(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		       uint64_t next_pos)
{
	struct pick *p = ctx;
	bool dots = (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
	if (dots || len > NAME_MAX)
		return true;
	if (ino == p->ino)
		p->kind = PICK_MATCH;
	else if (dtype == IFTODT(S_IFDIR))
		p->kind = PICK_DIR;
	else
		return true;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	p->len = len;
	p->next_pos = next_pos;
	return false;
}

struct search {
	struct inode *target;
	struct {
		struct inode *dir;
		uint64_t pos;
		size_t path_len;     /* length of this directory's path */
	} frame[SEARCH_DEPTH_MAX];
	int depth;
	struct pick pick;
	char path[PATH_MAX];
};

/* Descend into child (a directory found in the top frame), unless it is
 * /proc or too deep. Consumes the reference on child. */
static void push_dir(struct search *s, struct inode *child)
{
	size_t at = s->frame[s->depth - 1].path_len;
	child = vfs_cross_mounts(child);
	if (procfs_owns(child) || s->depth == SEARCH_DEPTH_MAX || at + 1 + s->pick.len >= PATH_MAX) {
		inode_put(child);
		return;
	}
	s->path[at] = '/';
	memcpy(s->path + at + 1, s->pick.name, s->pick.len + 1);
	s->frame[s->depth].dir = child;
	s->frame[s->depth].pos = 0;
	s->frame[s->depth].path_len = at + 1 + s->pick.len;
	s->depth++;
}

/* One step of the search: true when the target was found (its path is
 * then in s->path). */
static bool search_step(struct search *s)
{
	struct inode *dir = s->frame[s->depth - 1].dir;
	s->pick.kind = PICK_NONE;
	if (!dir->iops->iterate || dir->iops->iterate(dir, &s->frame[s->depth - 1].pos, pick_entry, &s->pick) ||
	    s->pick.kind == PICK_NONE) {
		inode_put(dir);
		s->depth--;
		return false;
	}
	s->frame[s->depth - 1].pos = s->pick.next_pos;
	struct inode *child;
	if (dir->iops->lookup(dir, s->pick.name, s->pick.len, &child))
		return false;
	size_t at = s->frame[s->depth - 1].path_len;
	if (child == s->target && at + 1 + s->pick.len < PATH_MAX) {
		s->path[at] = '/';
		memcpy(s->path + at + 1, s->pick.name, s->pick.len + 1);
		inode_put(child);
		return true;
	}
	if (S_ISDIR(child->mode))
		push_dir(s, child);
	else
		inode_put(child);
	return false;
}

static int search_tree(struct inode *target, char *buf, size_t size)
{
	struct search *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->target = target;
	s->pick.ino = target->ino;
	s->frame[0].dir = vfs_root();
	s->depth = 1;
	bool found = false;
	while (s->depth > 0 && !found)
		found = search_step(s);
	while (s->depth > 0)
		inode_put(s->frame[--s->depth].dir);
	int err = !found ? -ENOENT : strlen(s->path) + 1 > size ? -ENAMETOOLONG : 0;
	if (!err)
		memcpy(buf, s->path, strlen(s->path) + 1);
	kfree(s);
	return err;
}

int procfs_inode_path(struct inode *inode, char *buf, size_t size)
{
	if (S_ISDIR(inode->mode)) {
		struct inode *root = vfs_root();
		long r = vfs_getcwd(root, inode, buf, size);
		inode_put(root);
		return r < 0 ? (int)r : 0;
	}
	if (procfs_owns(inode))
		return procfs_file_path(inode, buf, size);
	if (inode->nlink == 0)
		return -ENOENT;       /* unlinked: no name to find */
	return search_tree(inode, buf, size);
}
