/*
 * kcmp.c - kcmp(2): do two threads share a kernel resource?
 *
 * As Linux's kernel/kcmp.c: the answer is 0 (the same), or an order
 * between the two objects' addresses once obfuscated with per-type
 * random cookies: 1 (the first sorts lower) or 2 (higher), so that
 * programs (checkpointers, the descriptor-sharing tests of libraries)
 * may sort objects without learning kernel addresses. The pids are
 * thread ids; the caller needs ptrace read access to both (EPERM,
 * cred_may_ptrace_locked); no such thread is ESRCH.
 *
 *   KCMP_FILE       the open file descriptions at idx1 and idx2 (EBADF)
 *   KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_SYSVSEM
 *                   address space, descriptor table, root/cwd/umask,
 *                   signal actions, SEM_UNDO list (NULL until used)
 *   KCMP_IO         the I/O context: Aspen keeps none (ioprio is a
 *                   field of each thread), so every pair is the same, as
 *                   two Linux tasks that never had one
 *   KCMP_EPOLL_TFD  idx1's file against a file watched by an epoll of
 *                   pid2 (struct kcmp_epoll_slot at idx2)
 */
#include "proc/task.h"
#include "proc/cred.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/epoll.h"
#include "fs/random.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM,
       KCMP_EPOLL_TFD, KCMP_TYPES };

struct kcmp_epoll_slot {
	uint32_t efd, tfd, toff;
};

/* Per type: an xor and an odd multiplier with the top bit set. (cookie_lock) */
static uint64_t cookies[KCMP_TYPES][2];
static bool cookies_ready;
static struct spinlock cookie_lock = SPINLOCK_INIT("kcmp_cookies");

static void cookies_init(void)
{
	spin_lock(&cookie_lock);
	if (!cookies_ready) {
		random_bytes(cookies, sizeof(cookies));
		for (int i = 0; i < KCMP_TYPES; i++)
			cookies[i][1] |= 1UL << 63 | 1;
		__atomic_store_n(&cookies_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&cookie_lock);
}

static uint64_t obfuscate(const void *v, int type)
{
	return ((uint64_t)v ^ cookies[type][0]) * cookies[type][1];
}

/* 0 same, 1 a sorts lower, 2 higher. */
static long order(const void *a, const void *b, int type)
{
	uint64_t x = obfuscate(a, type), y = obfuscate(b, type);
	return (x < y) | (x > y) << 1;
}

/* The resource of t that type names, only to compare. (T) */
static const void *resource_locked(struct task *t, int type)
{
	switch (type) {
	case KCMP_VM: return t->mm;
	case KCMP_FILES: return t->files;
	case KCMP_FS: return t->fs;
	case KCMP_SIGHAND: return t->sighand;
	case KCMP_SYSVSEM: return t->sysvsem;
	default: return NULL;   /* KCMP_IO: no I/O contexts */
	}
}

/* The file at fd of t's table (referenced: file_put it), or NULL. */
static struct file *file_of(struct fdtable *files, unsigned long fd)
{
	return files && fd <= INT32_MAX ? fd_get(files, (int)fd) : NULL;
}

/* KCMP_FILE and KCMP_EPOLL_TFD: files1/files2 referenced by the caller. */
static long compare_files(struct fdtable *files1, struct fdtable *files2, int type,
			  unsigned long idx1, unsigned long idx2)
{
	struct file *f1 = file_of(files1, idx1), *f2 = NULL, *target = NULL;
	long ret = -EBADF;
	if (type == KCMP_FILE) {
		f2 = file_of(files2, idx2);
		if (f1 && f2)
			ret = order(f1, f2, KCMP_FILE);
	} else if (f1) {
		struct kcmp_epoll_slot slot;
		ret = copy_from_user(&slot, (const void *)idx2, sizeof(slot)) ? -EFAULT : -EBADF;
		if (ret == -EBADF && (f2 = file_of(files2, slot.efd)) != NULL)
			ret = epoll_watched_file(f2, (int)slot.tfd, slot.toff, &target);
		if (!ret)
			ret = order(f1, target, KCMP_FILE);
	}
	if (f1)
		file_put(f1);
	if (f2)
		file_put(f2);
	return ret;
}

long sys_kcmp(int pid1, int pid2, int type, unsigned long idx1, unsigned long idx2)
{
	if (!__atomic_load_n(&cookies_ready, __ATOMIC_ACQUIRE))
		cookies_init();
	struct fdtable *files1 = NULL, *files2 = NULL;
	long ret;
	spin_lock(&tasklist_lock);
	struct task *t1 = task_find_locked(pid1), *t2 = task_find_locked(pid2);
	if (!t1 || !t2)
		ret = -ESRCH;
	else if (!cred_may_ptrace_locked(t1->proc) || !cred_may_ptrace_locked(t2->proc))
		ret = -EPERM;
	else if (type < 0 || type >= KCMP_TYPES)
		ret = -EINVAL;
	else if (type == KCMP_FILE || type == KCMP_EPOLL_TFD) {
		files1 = t1->files ? fdtable_get(t1->files) : NULL;
		files2 = t2->files ? fdtable_get(t2->files) : NULL;
		ret = 0;
	} else {
		ret = order(resource_locked(t1, type), resource_locked(t2, type), type);
	}
	spin_unlock(&tasklist_lock);
	if (!ret && (type == KCMP_FILE || type == KCMP_EPOLL_TFD))
		ret = compare_files(files1, files2, type, idx1, idx2);
	if (files1)
		fdtable_put(files1);
	if (files2)
		fdtable_put(files2);
	return ret;
}
