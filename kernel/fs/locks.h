/*
 * locks.h - advisory file locks: fcntl record locks (F_GETLK, F_SETLK,
 * F_SETLKW), open-file-description locks (F_OFD_*) and flock(2).
 */
#ifndef ASPEN_FS_LOCKS_H
#define ASPEN_FS_LOCKS_H
#include "lib/kernel.h"

struct file;
struct fdtable;

/* locks_fcntl - F_GETLK, F_SETLK, F_SETLKW and their F_OFD_ forms on f
 * (ufl a user struct flock) for the caller's descriptor table t. 0 or
 * -EFAULT, -EINVAL, -EBADF (a lock type f's access mode forbids),
 * -EAGAIN (a conflicting lock, F_SETLK), -EDEADLK (F_SETLKW would wait
 * for its own waiter), -ERESTARTSYS, -ENOLCK (no memory). May sleep. */
long locks_fcntl(struct file *f, struct fdtable *t, unsigned cmd, void *ufl);

/* locks_remove_posix - a descriptor of f was closed from table t: drop
 * every fcntl lock t holds on f's file (Linux's rule, whichever
 * descriptor set them). May sleep. */
void locks_remove_posix(struct file *f, struct fdtable *t);

/* One lock as /proc/locks shows it. */
struct lock_report {
	const char *kind;        /* "POSIX", "OFDLCK", "FLOCK" */
	bool write;              /* a write lock (else read) */
	bool whole;              /* a flock lock: the whole file */
	int pid;                 /* who set it (-1 for an OFD lock) */
	uint32_t dev;            /* st_dev of its file */
	uint64_t ino;
	int64_t start, end;      /* end -1: to the end of the file */
};

/* locks_report - fn for every lock held, oldest first, under the lock
 * table's mutex (fn must not sleep or take file locks). */
void locks_report(void (*fn)(void *ctx, const struct lock_report *r), void *ctx);

/* locks_remove_file - the last reference to f is going: drop its OFD
 * and flock locks. May sleep. */
void locks_remove_file(struct file *f);

#endif
