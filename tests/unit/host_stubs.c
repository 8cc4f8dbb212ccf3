/*
 * host_stubs.c - what pure kernel code expects from the rest of the
 * kernel, for host unit tests: printk to stdout, panic aborts, locks
 * and interrupt masking do nothing (the tests are single-threaded).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "fs/file.h"

uintptr_t host_phys_offset;
int console_loglevel = LOG_INFO;

void printk(int level, const char *fmt, ...)
{
	va_list ap;
	if (level > console_loglevel)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	abort();
}

/* strlcpy, for hosts whose libc lacks it (weak: a libc that has one wins). */
__attribute__((weak)) size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = 0;
	while (src[n])
		n++;
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		for (size_t i = 0; i < k; i++)
			dst[i] = src[i];
		dst[k] = '\0';
	}
	return n;
}

void spin_init(struct spinlock *l, const char *name) { l->locked = 0; l->cpu = -1; l->name = name; }
void spin_lock(struct spinlock *l) { if (l->locked) panic("spin_lock: %s already held", l->name); l->locked = 1; }
void spin_unlock(struct spinlock *l) { if (!l->locked) panic("spin_unlock: %s not held", l->name); l->locked = 0; }
bool spin_held(struct spinlock *l) { return l->locked; }
void irq_push_off(void) {}
void irq_pop_off(void) {}

#include "sync/mutex.h"
void mutex_init(struct mutex *m, const char *name) { m->owner = NULL; m->name = name; list_init(&m->waiters); }
void mutex_lock(struct mutex *m) { if (m->owner) panic("mutex_lock: %s already held", m->name); m->owner = (void *)1; }
void mutex_lock_nested(struct mutex *m) { mutex_lock(m); }
void mutex_unlock(struct mutex *m) { if (!m->owner) panic("mutex_unlock: %s not held", m->name); m->owner = NULL; }
bool mutex_held(struct mutex *m) { return m->owner != NULL; }
bool mutex_trylock(struct mutex *m) { if (m->owner) return false; m->owner = (void *)1; return true; }

/* fs/pipe.c is not linked: a FIFO opened in a unit test has no ops. */
__attribute__((weak)) const struct file_ops pipe_fops;
/* fs/locks.c is not linked: no file locks to drop. */
__attribute__((weak)) void locks_remove_file(struct file *f) {}
__attribute__((weak)) void locks_remove_posix(struct file *f, struct fdtable *t) {}
/* fs/epoll.c is not linked: no file is watched. */
__attribute__((weak)) void epoll_file_gone(struct file *f) {}
/* fs/inotify.c is not linked: nothing is ever watched. */
__attribute__((weak)) uint32_t inotify_nwatches;
__attribute__((weak)) void fsnotify_inode_slow(struct inode *inode, uint32_t mask, bool isdir,
					       const char *name, size_t len, uint32_t cookie) {}
__attribute__((weak)) void fsnotify_inode(struct inode *inode, uint32_t mask) {}
__attribute__((weak)) void fsnotify_unlinked(struct inode *inode) {}
__attribute__((weak)) void fsnotify_move(struct inode *odir, const char *oname, size_t olen,
					 struct inode *ndir, const char *nname, size_t nlen,
					 struct inode *moved) {}
__attribute__((weak)) void fsnotify_opened(struct file *f, struct inode *dir, const char *last,
					   size_t len) {}
__attribute__((weak)) void fsnotify_file(struct file *f, uint32_t mask) {}
__attribute__((weak)) void fsnotify_closed(struct file *f) {}
