/*
 * fdtable.c - descriptor tables and fs contexts.
 *
 * A table is an array of file pointers and a close-on-exec bitmap, both
 * grown by doubling up to the caller's RLIMIT_NOFILE (fd_limit). fdtable->lock is a spinlock held only
 * to read or change slots: files are put, and arrays allocated, with it
 * dropped (file_put may sleep in a driver's release).
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/context.h"
#include <linux/resource.h>
#include <linux/fcntl.h>

#define BITS_PER_WORD 64

/* Arrays for a table of max slots: fds and cloexec, zeroed. */
static int alloc_arrays(uint32_t max, struct file ***fds, uint64_t **cloexec)
{
	*fds = kzalloc(max * sizeof(struct file *));
	*cloexec = kzalloc(max / BITS_PER_WORD * sizeof(uint64_t));
	if (*fds && *cloexec)
		return 0;
	kfree(*fds);
	kfree(*cloexec);
	return -ENOMEM;
}

static struct fdtable *table_alloc(uint32_t max)
{
	struct fdtable *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	if (alloc_arrays(max, &t->fds, &t->cloexec)) {
		kfree(t);
		return NULL;
	}
	t->refcount = 1;
	t->max = max;
	spin_init(&t->lock, "fdtable_lock");
	return t;
}

static void table_free(struct fdtable *t)
{
	kfree(t->fds);
	kfree(t->cloexec);
	kfree(t);
}

/* fdtable_alloc - an empty table. */
struct fdtable *fdtable_alloc(void)
{
	return table_alloc(FDTABLE_NR_MIN);
}

static bool cloexec_test(struct fdtable *t, int fd)
{
	return t->cloexec[fd / BITS_PER_WORD] & (1ULL << (fd % BITS_PER_WORD));
}

static void cloexec_assign(struct fdtable *t, int fd, bool on)
{
	uint64_t bit = 1ULL << (fd % BITS_PER_WORD);
	if (on)
		t->cloexec[fd / BITS_PER_WORD] |= bit;
	else
		t->cloexec[fd / BITS_PER_WORD] &= ~bit;
}

/* fdtable_dup - a copy for fork. See fdtable.h. */
struct fdtable *fdtable_dup(struct fdtable *t)
{
	for (;;) {
		spin_lock(&t->lock);
		uint32_t max = t->max;
		spin_unlock(&t->lock);
		struct fdtable *n = table_alloc(max);
		if (!n)
			return NULL;
		spin_lock(&t->lock);
		if (t->max == max) {
			for (uint32_t fd = 0; fd < max; fd++)
				if ((n->fds[fd] = t->fds[fd]))
					file_get(n->fds[fd]);
			memcpy(n->cloexec, t->cloexec, max / BITS_PER_WORD * sizeof(uint64_t));
			spin_unlock(&t->lock);
			return n;
		}
		/* The table grew while we allocated: try again at its new size. */
		spin_unlock(&t->lock);
		table_free(n);
	}
}

/* fdtable_get - one more sharer. */
struct fdtable *fdtable_get(struct fdtable *t)
{
	__atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
	return t;
}

/* fdtable_put - drop a sharer; the last closes everything and frees. */
void fdtable_put(struct fdtable *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	for (uint32_t fd = 0; fd < t->max; fd++)
		if (t->fds[fd])
			file_close(t->fds[fd], t);
	table_free(t);
}

/* Make the table at least need slots (need <= fd_limit()). Lock not
 * held; 0 or -ENOMEM. */
static int fdtable_grow(struct fdtable *t, uint32_t need)
{
	spin_lock(&t->lock);
	uint32_t max = t->max;
	spin_unlock(&t->lock);
	if (max >= need)
		return 0;
	while (max < need && max <= (1U << 30))
		max *= 2;
	if (max < need)
		max = (uint32_t)ALIGN_UP((uint64_t)need, BITS_PER_WORD);
	struct file **fds;
	uint64_t *cloexec;
	if (alloc_arrays(max, &fds, &cloexec))
		return -ENOMEM;
	spin_lock(&t->lock);
	if (t->max < max) {       /* else someone grew it meanwhile: keep theirs */
		memcpy(fds, t->fds, t->max * sizeof(*fds));
		memcpy(cloexec, t->cloexec, t->max / BITS_PER_WORD * sizeof(uint64_t));
		struct file **ofds = t->fds;
		uint64_t *oce = t->cloexec;
		t->fds = fds;
		t->cloexec = cloexec;
		t->max = max;
		fds = ofds;
		cloexec = oce;
	}
	spin_unlock(&t->lock);
	kfree(fds);
	kfree(cloexec);
	return 0;
}

/* The lowest free slot >= minfd below max and limit, or -1. Lock held. */
static int find_free_locked(struct fdtable *t, int minfd, int limit)
{
	for (uint32_t fd = (uint32_t)minfd; fd < t->max && fd < (uint32_t)limit; fd++)
		if (!t->fds[fd])
			return (int)fd;
	return -1;
}

int fd_limit(void)
{
	return (int)MIN(current_rlimit(RLIMIT_NOFILE), (uint64_t)INT32_MAX);
}

/* fd_install_anon - see fdtable.h. */
int fd_install_anon(const struct file_ops *fops, void *private, uint32_t flags, bool cloexec)
{
	struct file *f = file_alloc_raw(NULL, O_RDWR | flags, fops, private);
	if (!f) {
		kfree(private);
		return -ENOMEM;
	}
	int fd = fd_install(current_files(), f, 0, cloexec);
	if (fd < 0)
		file_put(f);   /* ->release frees private */
	return fd;
}

/* fd_install - f into the lowest free slot >= minfd. See fdtable.h. */
int fd_install(struct fdtable *t, struct file *f, int minfd, bool cloexec)
{
	int limit = fd_limit();
	if (minfd < 0 || minfd >= limit)
		return -EMFILE;
	for (;;) {
		spin_lock(&t->lock);
		int fd = find_free_locked(t, minfd, limit);
		if (fd >= 0) {
			t->fds[fd] = f;
			cloexec_assign(t, fd, cloexec);
			spin_unlock(&t->lock);
			return fd;
		}
		uint32_t max = t->max;
		spin_unlock(&t->lock);
		if (max >= (uint32_t)limit)
			return -EMFILE;
		if (fdtable_grow(t, MAX(max + 1, (uint32_t)minfd + 1)))
			return -ENOMEM;
	}
}

/* fd_install_at - f at fd, closing what was there. See fdtable.h. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= fd_limit())
		return -EBADF;
	if (fdtable_grow(t, (uint32_t)fd + 1))
		return -ENOMEM;
	spin_lock(&t->lock);
	struct file *old = t->fds[fd];
	t->fds[fd] = f;
	cloexec_assign(t, fd, cloexec);
	spin_unlock(&t->lock);
	if (old)
		file_close(old, t);
	return fd;
}

/* fd_get - the file at fd, referenced, or NULL. */
struct file *fd_get(struct fdtable *t, int fd)
{
	struct file *f = NULL;
	spin_lock(&t->lock);
	if (fd >= 0 && (uint32_t)fd < t->max && t->fds[fd])
		f = file_get(t->fds[fd]);
	spin_unlock(&t->lock);
	return f;
}

struct file *fd_get_own(struct fdtable *t, int fd)
{
	if (__atomic_load_n(&t->refcount, __ATOMIC_ACQUIRE) != 1)
		return fd_get(t, fd);
	/* Only the caller changes a table it alone uses; others only read. */
	if (fd >= 0 && (uint32_t)fd < t->max && t->fds[fd])
		return file_get(t->fds[fd]);
	return NULL;
}

/* fd_close - free fd and drop its file: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd)
{
	struct file *f = NULL;
	spin_lock(&t->lock);
	if (fd >= 0 && (uint32_t)fd < t->max) {
		f = t->fds[fd];
		t->fds[fd] = NULL;
		cloexec_assign(t, fd, false);
	}
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	file_close(f, t);
	return 0;
}

/* fd_get_cloexec - 1 or 0 for F_GETFD, -EBADF for a free fd. */
int fd_get_cloexec(struct fdtable *t, int fd)
{
	int ret = -EBADF;
	spin_lock(&t->lock);
	if (fd >= 0 && (uint32_t)fd < t->max && t->fds[fd])
		ret = cloexec_test(t, fd);
	spin_unlock(&t->lock);
	return ret;
}

/* fd_set_cloexec - F_SETFD: 0 or -EBADF. */
int fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	int ret = -EBADF;
	spin_lock(&t->lock);
	if (fd >= 0 && (uint32_t)fd < t->max && t->fds[fd]) {
		cloexec_assign(t, fd, on);
		ret = 0;
	}
	spin_unlock(&t->lock);
	return ret;
}

/* fdtable_close_on_exec - close the descriptors marked close-on-exec,
 * one at a time so that no file is put under the lock. */
void fdtable_close_on_exec(struct fdtable *t)
{
	fd_close_range(t, 0, UINT32_MAX, true);
}

/* fd_close_range - close the open descriptors in [first, last] (only
 * those marked close-on-exec if only_cloexec). One at a time, each file
 * closed with the lock dropped. May sleep. */
void fd_close_range(struct fdtable *t, uint32_t first, uint32_t last, bool only_cloexec)
{
	for (uint64_t fd = first; fd <= last; fd++) {
		struct file *f = NULL;
		spin_lock(&t->lock);
		if (fd >= t->max) {
			spin_unlock(&t->lock);
			return;
		}
		if (t->fds[fd] && (!only_cloexec || cloexec_test(t, (int)fd))) {
			f = t->fds[fd];
			t->fds[fd] = NULL;
			cloexec_assign(t, (int)fd, false);
		}
		spin_unlock(&t->lock);
		if (f)
			file_close(f, t);
	}
}

/* fd_cloexec_range - mark the open descriptors in [first, last]
 * close-on-exec (close_range's CLOSE_RANGE_CLOEXEC). */
void fd_cloexec_range(struct fdtable *t, uint32_t first, uint32_t last)
{
	spin_lock(&t->lock);
	for (uint64_t fd = first; fd <= last && fd < t->max; fd++)
		if (t->fds[fd])
			cloexec_assign(t, (int)fd, true);
	spin_unlock(&t->lock);
}

/* ---- fs contexts ---- */

/* fs_context_alloc - root and cwd referenced, umask 022. */
struct fs_context *fs_context_alloc(struct inode *root, struct inode *cwd)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	fs->refcount = 1;
	spin_init(&fs->lock, "fs_lock");
	fs->root = inode_get(root);
	fs->cwd = inode_get(cwd);
	fs->umask = 022;
	return fs;
}

/* fs_context_dup - a private copy for fork. */
struct fs_context *fs_context_dup(struct fs_context *fs)
{
	struct inode *root = fs_get_root(fs), *cwd = fs_get_cwd(fs);
	struct fs_context *n = fs_context_alloc(root, cwd);
	if (n)
		n->umask = fs_get_umask(fs);
	inode_put(root);
	inode_put(cwd);
	return n;
}

struct fs_context *fs_context_get(struct fs_context *fs)
{
	__atomic_add_fetch(&fs->refcount, 1, __ATOMIC_RELAXED);
	return fs;
}

/* fs_context_put - the last sharer drops root and cwd. May sleep. */
void fs_context_put(struct fs_context *fs)
{
	if (__atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	inode_put(fs->root);
	inode_put(fs->cwd);
	kfree(fs);
}

/* fs_get_root - the root, referenced. */
struct inode *fs_get_root(struct fs_context *fs)
{
	spin_lock(&fs->lock);
	struct inode *i = inode_get(fs->root);
	spin_unlock(&fs->lock);
	return i;
}

/* fs_get_cwd - the cwd, referenced. */
struct inode *fs_get_cwd(struct fs_context *fs)
{
	spin_lock(&fs->lock);
	struct inode *i = inode_get(fs->cwd);
	spin_unlock(&fs->lock);
	return i;
}

/* Put dir (its reference moves in) in *slot, one of fs's inodes. */
static void fs_replace(struct fs_context *fs, struct inode **slot, struct inode *dir)
{
	spin_lock(&fs->lock);
	struct inode *old = *slot;
	*slot = dir;
	spin_unlock(&fs->lock);
	inode_put(old);
}

/* fs_set_cwd - dir (its reference moves in) becomes the cwd. */
void fs_set_cwd(struct fs_context *fs, struct inode *dir) { fs_replace(fs, &fs->cwd, dir); }

/* fs_set_root - dir (its reference moves in) becomes the root. */
void fs_set_root(struct fs_context *fs, struct inode *dir) { fs_replace(fs, &fs->root, dir); }

uint32_t fs_get_umask(struct fs_context *fs)
{
	spin_lock(&fs->lock);
	uint32_t m = fs->umask;
	spin_unlock(&fs->lock);
	return m;
}

/* fs_swap_umask - set the umask (its low 9 bits), returning the old one. */
uint32_t fs_swap_umask(struct fs_context *fs, uint32_t mask)
{
	spin_lock(&fs->lock);
	uint32_t old = fs->umask;
	fs->umask = mask & 0777;
	spin_unlock(&fs->lock);
	return old;
}
