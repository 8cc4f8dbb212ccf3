/*
 * inotify.h - the file system's change notifications (Linux's fsnotify
 * hooks, feeding inotify, kernel/fs/inotify.c).
 *
 * The syscall layer calls these after an operation succeeded, with no
 * file-system lock held, for every file system (ramfs/tmpfs, ext2, ...).
 * Each returns at once while no watch exists anywhere. Events on an
 * open file (IN_OPEN, IN_MODIFY, IN_CLOSE_*, IN_ACCESS) also go to the
 * directory the file was opened in, with its name, as Linux reports a
 * child to a watched parent; that name is recorded at open while some
 * watch exists.
 */
#ifndef ASPEN_FS_INOTIFY_H
#define ASPEN_FS_INOTIFY_H
#include "lib/kernel.h"
#include <linux/inotify.h>

struct inode;
struct file;

extern uint32_t inotify_nwatches;   /* atomic: watches alive, all groups */

static inline bool inotify_active(void)
{
	return __atomic_load_n(&inotify_nwatches, __ATOMIC_RELAXED) != 0;
}

/* fsnotify_inode_slow - queue mask (IN_ISDIR added for a directory
 * subject isdir) with name (len bytes, may be NULL) and cookie for every
 * watch on inode that wants it. May sleep (drops inode references). */
void fsnotify_inode_slow(struct inode *inode, uint32_t mask, bool isdir, const char *name,
			 size_t len, uint32_t cookie);

/* fsnotify_dir - an entry name of dir changed (IN_CREATE, IN_DELETE,
 * IN_MOVED_*); isdir: the entry is a directory. */
static inline void fsnotify_dir(struct inode *dir, uint32_t mask, bool isdir, const char *name,
				size_t len, uint32_t cookie)
{
	if (inotify_active())
		fsnotify_inode_slow(dir, mask, isdir, name, len, cookie);
}

/* fsnotify_inode - an event on inode itself (IN_ATTRIB, IN_MOVE_SELF...). */
void fsnotify_inode(struct inode *inode, uint32_t mask);

/* fsnotify_unlinked - inode lost a name: IN_ATTRIB (its link count), and
 * if that was its last, IN_DELETE_SELF and every watch on it goes
 * (IN_IGNORED). */
void fsnotify_unlinked(struct inode *inode);

/* fsnotify_move - an entry moved from odir/oname to ndir/nname:
 * IN_MOVED_FROM and IN_MOVED_TO with one new cookie, IN_MOVE_SELF. */
void fsnotify_move(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		   const char *nname, size_t nlen, struct inode *moved);

/* fsnotify_opened - f was just opened by the name last (len bytes) in
 * dir: remember that name for f's events, then IN_OPEN. */
void fsnotify_opened(struct file *f, struct inode *dir, const char *last, size_t len);

/* fsnotify_file - an event on open file f: its inode's watches, and its
 * directory's with its name. */
void fsnotify_file(struct file *f, uint32_t mask);

/* fsnotify_closed - f's last reference went: IN_CLOSE_WRITE or
 * IN_CLOSE_NOWRITE, then its recorded name is freed. */
void fsnotify_closed(struct file *f);
#endif
