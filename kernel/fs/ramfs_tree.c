/*
 * ramfs_tree.c - a ramfs instance as a whole, for tmpfs mounts: its
 * limits and usage, whether anything outside the tree still uses it
 * (umount's EBUSY), and emptying it (umount). The walks follow parent
 * pointers rather than recursing, so no tree is too deep for them.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "fs/ramfs_impl.h"

int ramfs_set_limits(struct inode *root, const struct ramfs_limits *limits)
{
	struct ramfs_sb *sb = SB(root);
	int err = 0;
	mutex_lock(&sb->ns_lock);
	if ((limits->max_pages && __atomic_load_n(&sb->npages, __ATOMIC_RELAXED) > limits->max_pages) ||
	    (limits->max_inodes && __atomic_load_n(&sb->ninodes, __ATOMIC_RELAXED) > limits->max_inodes))
		err = -EINVAL;
	else
		sb->limits = *limits;
	mutex_unlock(&sb->ns_lock);
	return err;
}

void ramfs_usage(struct inode *root, uint64_t *pages, uint64_t *inodes)
{
	*pages = __atomic_load_n(&SB(root)->npages, __ATOMIC_RELAXED);
	*inodes = __atomic_load_n(&SB(root)->ninodes, __ATOMIC_RELAXED);
}

/* The entry of dir that names child. ns_lock held. */
static struct ramfs_dirent *entry_of(struct ramfs_inode *dir, struct inode *child)
{
	struct ramfs_dirent *d;
	list_for_each_entry(d, &dir->dir.entries, link)
		if (d->inode == child)
			return d;
	panic("ramfs: directory %lu not in its parent", (unsigned long)child->ino);
}

/* Has an entry of dir an inode with more references than its names (and,
 * for a directory, its subdirectories' parent pointers) explain? */
static bool dir_entries_busy(struct ramfs_inode *dir)
{
	struct ramfs_dirent *d;
	list_for_each_entry(d, &dir->dir.entries, link) {
		struct inode *i = d->inode;
		uint32_t expected = S_ISDIR(i->mode) ? i->nlink - 1 : i->nlink;
		if (__atomic_load_n(&i->refcount, __ATOMIC_RELAXED) > expected)
			return true;
	}
	return false;
}

/* The first subdirectory entry of dir from list position from on. */
static struct ramfs_dirent *subdir_from(struct ramfs_inode *dir, struct list_head *from)
{
	for (struct list_head *p = from; p != &dir->dir.entries; p = p->next) {
		struct ramfs_dirent *d = list_entry(p, struct ramfs_dirent, link);
		if (S_ISDIR(d->inode->mode))
			return d;
	}
	return NULL;
}

/* ramfs_busy - walk every directory (depth first, by parent pointers: no
 * recursion, however deep the tree). See ramfs.h. */
bool ramfs_busy(struct inode *root_inode, uint32_t extra_root_refs)
{
	struct ramfs_inode *root = RI(root_inode), *dir = root;
	struct ramfs_sb *sb = root->sb;
	mutex_lock(&sb->ns_lock);
	bool busy = __atomic_load_n(&sb->orphans, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&root_inode->refcount, __ATOMIC_RELAXED) >
			    root_inode->nlink - 2 + extra_root_refs;
	struct list_head *from = dir->dir.entries.next;
	while (!busy) {
		if (from == dir->dir.entries.next && dir_entries_busy(dir))
			busy = true;
		struct ramfs_dirent *d = busy ? NULL : subdir_from(dir, from);
		if (d) {
			dir = RI(d->inode);
			from = dir->dir.entries.next;
		} else if (dir == root || busy) {
			break;
		} else {
			struct ramfs_inode *parent = RI(dir->dir.parent);
			from = entry_of(parent, &dir->vfs)->link.next;
			dir = parent;
		}
	}
	mutex_unlock(&sb->ns_lock);
	return busy;
}

/* ramfs_empty_tree - remove every entry, deepest first, without recursion. */
void ramfs_empty_tree(struct inode *root_inode)
{
	struct ramfs_inode *root = RI(root_inode), *dir = root;
	mutex_lock(&root->sb->ns_lock);
	for (;;) {
		if (list_empty(&dir->dir.entries)) {
			if (dir == root)
				break;
			dir = RI(dir->dir.parent);   /* its now empty entry goes next */
			continue;
		}
		struct ramfs_dirent *d = list_first_entry(&dir->dir.entries, struct ramfs_dirent, link);
		if (S_ISDIR(d->inode->mode) && RI(d->inode)->dir.count) {
			dir = RI(d->inode);
			continue;
		}
		struct inode *victim = ramfs_remove_entry(dir, d);
		if (S_ISDIR(victim->mode))
			ramfs_kill_dir(&dir->vfs, victim);
		else
			ramfs_adjust_nlink(victim, -1);
		inode_put(victim);
	}
	mutex_unlock(&root->sb->ns_lock);
}

/* The first entry of dir from list position from on whose inode is ino. */
static struct ramfs_dirent *ino_from(struct ramfs_inode *dir, struct list_head *from, uint64_t ino)
{
	for (struct list_head *p = from; p != &dir->dir.entries; p = p->next) {
		struct ramfs_dirent *d = list_entry(p, struct ramfs_dirent, link);
		if (d->inode->ino == ino)
			return d;
	}
	return NULL;
}

/* ramfs_by_ino - ->by_ino (see vfs.h): climb from any to the instance's
 * root, then walk every directory as ramfs_busy does. */
int ramfs_by_ino(struct inode *any, uint64_t ino, struct inode **out)
{
	struct ramfs_sb *sb = SB(any);
	mutex_lock(&sb->ns_lock);
	struct ramfs_inode *dir = S_ISDIR(any->mode) ? RI(any) : NULL;
	while (dir && dir->dir.parent != &dir->vfs)
		dir = RI(dir->dir.parent);
	struct ramfs_inode *root = dir;
	struct inode *found = root && root->vfs.ino == ino ? &root->vfs : NULL;
	struct list_head *from = root ? root->dir.entries.next : NULL;
	while (dir && !found) {
		struct ramfs_dirent *d = from == dir->dir.entries.next ? ino_from(dir, from, ino) : NULL;
		if (d) {
			found = d->inode;
			break;
		}
		d = subdir_from(dir, from);
		if (d) {
			dir = RI(d->inode);
			from = dir->dir.entries.next;
		} else if (dir == root) {
			break;
		} else {
			struct ramfs_inode *parent = RI(dir->dir.parent);
			from = entry_of(parent, &dir->vfs)->link.next;
			dir = parent;
		}
	}
	if (found)
		*out = inode_get(found);
	mutex_unlock(&sb->ns_lock);
	return found ? 0 : -ESTALE;
}
