/*
 * fdtable.h - descriptor tables and the per-process file-system context.
 *
 * A descriptor table maps small integers to open files. Threads made
 * with CLONE_FILES share one table (refcount); fork copies it
 * (fdtable_dup). The fs_context holds root, cwd and umask, shared the
 * same way with CLONE_FS.
 */
#ifndef ASPEN_FS_FDTABLE_H
#define ASPEN_FS_FDTABLE_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "fs/file.h"

#define FDTABLE_NR_MIN 64     /* first size of a table */

/* Locks: (a) atomic; (t) fdtable->lock, a spinlock: never held across
 * anything that sleeps, so files are put after dropping it. */
struct fdtable {
	uint32_t refcount;        /* (a) tasks sharing the table */
	struct spinlock lock;     /* "fdtable_lock": guards the fields below */
	uint32_t max;             /* (t) slots in fds (a multiple of 64) */
	struct file **fds;        /* (t) max slots, NULL when free; each a reference
	                           * (its only user reads it without: fd_get_own) */
	uint64_t *cloexec;        /* (t) bitmap of max bits: FD_CLOEXEC */
};

/* fdtable_alloc - an empty table, refcount 1; NULL on OOM. */
struct fdtable *fdtable_alloc(void);
/* fdtable_dup - fork's copy: a new table with the same descriptors and
 * close-on-exec bits, every file referenced once more. NULL on OOM. */
struct fdtable *fdtable_dup(struct fdtable *t);
/* fdtable_get - one more sharer (CLONE_FILES). */
struct fdtable *fdtable_get(struct fdtable *t);
/* fdtable_put - drop a sharer; the last one closes every file. May sleep. */
void fdtable_put(struct fdtable *t);

/* fd_limit - the caller's RLIMIT_NOFILE: its descriptors are below it. */
int fd_limit(void);
/* fd_install - put f (the caller's reference moves to the table) in the
 * lowest free slot >= minfd; returns the fd, or -EMFILE (f untouched,
 * still the caller's), -ENOMEM. */
int fd_install(struct fdtable *t, struct file *f, int minfd, bool cloexec);
/* fd_install_anon - a new file with no inode (eventfd, signalfd, epoll:
 * fops, private, O_RDWR | flags) at the caller's lowest free
 * descriptor. private is kmalloc'd, and kfree'd by ->release at the
 * end; it is freed here on failure. The descriptor, -ENOMEM, -EMFILE. */
struct file_ops;
int fd_install_anon(const struct file_ops *fops, void *private, uint32_t flags, bool cloexec);
/* fd_install_at - put f at fd, replacing (and closing) what was there:
 * dup2/dup3. Returns fd, or -EBADF (fd out of range), -ENOMEM. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* fd_get - the file at fd with a new reference (file_put it), or NULL. */
struct file *fd_get(struct fdtable *t, int fd);
/* fd_get_own - fd_get of the caller's own table: without the lock when
 * no other task shares it (nobody else changes it then). */
struct file *fd_get_own(struct fdtable *t, int fd);
/* fd_close - free fd and drop its file; 0 or -EBADF. May sleep. */
int fd_close(struct fdtable *t, int fd);
/* fd_get_cloexec / fd_set_cloexec - F_GETFD / F_SETFD; -EBADF if free. */
int fd_get_cloexec(struct fdtable *t, int fd);
int fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* fdtable_close_on_exec - close every descriptor marked close-on-exec.
 * May sleep. */
void fdtable_close_on_exec(struct fdtable *t);
/* fd_close_range - close the descriptors in [first, last] (only the
 * close-on-exec ones if only_cloexec). May sleep. */
void fd_close_range(struct fdtable *t, uint32_t first, uint32_t last, bool only_cloexec);
/* fd_cloexec_range - mark the descriptors in [first, last] close-on-exec. */
void fd_cloexec_range(struct fdtable *t, uint32_t first, uint32_t last);

/* Locks: (a) atomic; (l) fs->lock. */
struct fs_context {
	uint32_t refcount;        /* (a) */
	struct spinlock lock;     /* "fs_lock": guards root, cwd, umask */
	struct inode *root;       /* (l) referenced */
	struct inode *cwd;        /* (l) referenced */
	uint32_t umask;           /* (l) */
};

/* fs_context_alloc - a context with root and cwd (references taken) and
 * umask 022; NULL on OOM. */
struct fs_context *fs_context_alloc(struct inode *root, struct inode *cwd);
/* fs_context_dup - fork's copy (without CLONE_FS); NULL on OOM. */
struct fs_context *fs_context_dup(struct fs_context *fs);
struct fs_context *fs_context_get(struct fs_context *fs);
/* fs_context_put - drop a sharer; the last drops root and cwd. */
void fs_context_put(struct fs_context *fs);
/* fs_get_root / fs_get_cwd - referenced snapshots (inode_put them). */
struct inode *fs_get_root(struct fs_context *fs);
struct inode *fs_get_cwd(struct fs_context *fs);
/* fs_set_cwd - replace the cwd with dir (the caller's reference moves in). */
void fs_set_cwd(struct fs_context *fs, struct inode *dir);
/* fs_set_root - replace the root with dir (chroot; the reference moves in). */
void fs_set_root(struct fs_context *fs, struct inode *dir);
/* fs_umask - read or swap the umask. */
uint32_t fs_get_umask(struct fs_context *fs);
uint32_t fs_swap_umask(struct fs_context *fs, uint32_t mask);
#endif
