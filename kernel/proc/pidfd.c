/*
 * pidfd.c - process file descriptors, as Linux's kernel/pid.c and
 * kernel/pidfd: pidfd_open, pidfd_getfd, the file's poll, and what
 * exit and wait tell it. pidfd_send_signal is with the other senders
 * (sys_signal.c), waitid(P_PIDFD) with wait (exit.c).
 *
 * Lifetime: a process gets its struct pidfd_ref at its first pidfd and
 * keeps it (one reference) until it is reaped; each pidfd file holds
 * another. ref->proc is the process while it is in the process table,
 * read and cleared under tasklist_lock, so a pidfd never reaches a
 * process that was reaped, even if its pid was given to another since.
 */
#include "proc/pidfd.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/context.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include <linux/fcntl.h>

#define PIDFD_NONBLOCK O_NONBLOCK

static void ref_put(struct pidfd_ref *ref)
{
	if (__atomic_sub_fetch(&ref->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(ref);
}

/* p's ref, made from *spare if it has none (then *spare is used up),
 * with a new reference for the caller. (T) held. */
static struct pidfd_ref *ref_attach_locked(struct process *p, struct pidfd_ref **spare)
{
	if (!p->pidfd) {
		struct pidfd_ref *ref = *spare;
		*spare = NULL;
		ref->refcount = 1;                  /* the process's */
		ref->proc = p;
		ref->exited = p->state != PROC_ALIVE;
		wait_queue_init(&ref->wq, "pidfd_wq");
		p->pidfd = ref;
	}
	__atomic_add_fetch(&p->pidfd->refcount, 1, __ATOMIC_ACQ_REL);
	return p->pidfd;
}

void pidfd_exited_locked(struct process *p)
{
	if (!p->pidfd)
		return;
	p->pidfd->exited = true;
	wake_up(&p->pidfd->wq);
}

void pidfd_reaped_locked(struct process *p)
{
	struct pidfd_ref *ref = p->pidfd;
	if (!ref)
		return;
	p->pidfd = NULL;
	ref->proc = NULL;
	ref->exited = true;
	wake_up(&ref->wq);
	ref_put(ref);
}

/* Readable once the process has exited; hung up once it is reaped. */
static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct pidfd_ref *ref = f->private;
	poll_wait(pt, &ref->wq);
	unsigned mask = 0;
	if (__atomic_load_n(&ref->exited, __ATOMIC_ACQUIRE))
		mask |= POLLIN | POLLRDNORM;
	if (!__atomic_load_n(&ref->proc, __ATOMIC_ACQUIRE))
		mask |= POLLHUP;
	return mask;
}

static void pidfd_release(struct file *f)
{
	ref_put(f->private);
}

static const struct file_ops pidfd_fops = {
	.name = "pidfd",
	.poll = pidfd_poll,
	.release = pidfd_release,
};

struct pidfd_ref *pidfd_ref_of(struct file *f)
{
	return f->fops == &pidfd_fops ? f->private : NULL;
}

struct process *pidfd_process_locked(struct file *f, bool *ok)
{
	struct pidfd_ref *ref = pidfd_ref_of(f);
	*ok = ref != NULL;
	return ref ? ref->proc : NULL;
}

/* A pidfd on ref (whose reference moves to the file) at the lowest free
 * descriptor, close-on-exec as Linux's; the reference is dropped on
 * failure. */
static long install_pidfd(struct pidfd_ref *ref, unsigned flags)
{
	struct file *f = file_alloc_raw(NULL, O_RDWR | flags, &pidfd_fops, ref);
	if (!f) {
		ref_put(ref);
		return -ENOMEM;
	}
	int fd = fd_install(current_files(), f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

long pidfd_prepare(struct pidfd_ref **out)
{
	struct pidfd_ref *ref = kzalloc(sizeof(*ref));
	if (!ref)
		return -ENOMEM;
	ref->refcount = 2;                  /* the file's and the clone's */
	wait_queue_init(&ref->wq, "pidfd_wq");
	long fd = install_pidfd(ref, 0);
	if (fd < 0)
		ref_put(ref);
	else
		*out = ref;
	return fd;
}

void pidfd_attach_child_locked(struct pidfd_ref *ref, struct process *p)
{
	ref->proc = p;                      /* the clone's reference becomes p's */
	p->pidfd = ref;
}

void pidfd_unprepare(struct pidfd_ref *ref, int fd)
{
	fd_close(current_files(), fd);
	ref_put(ref);
}

long pidfd_open_process(int pid, unsigned flags)
{
	struct pidfd_ref *spare = kzalloc(sizeof(*spare)), *ref = NULL;
	if (!spare)
		return -ENOMEM;
	long err = 0;
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	if (p)
		ref = ref_attach_locked(p, &spare);
	else
		err = task_find_locked(pid) ? -EINVAL : -ESRCH;
	spin_unlock(&tasklist_lock);
	kfree(spare);
	return err ? err : install_pidfd(ref, flags);
}

/* pidfd_open(2): flags 0 or PIDFD_NONBLOCK (waitid on it then does not
 * block: EAGAIN). */
long sys_pidfd_open(int pid, unsigned flags)
{
	if ((flags & ~PIDFD_NONBLOCK) || pid <= 0)
		return -EINVAL;
	return pidfd_open_process(pid, flags);
}

/* The file at fd of p, referenced, after Linux's ptrace access check:
 * -ESRCH (reaped), -EPERM, -EBADF (no such descriptor, or p has exited
 * and has none). */
static struct file *file_of_process(struct file *pf, int fd, long *err)
{
	struct fdtable *files = NULL;
	bool ok;
	spin_lock(&tasklist_lock);
	struct process *p = pidfd_process_locked(pf, &ok);
	*err = !ok ? -EBADF : !p ? -ESRCH : !cred_may_ptrace_locked(p) ? -EPERM : 0;
	if (!*err && p->state == PROC_ALIVE && !list_empty(&p->threads)) {
		struct task *t = p->leader ? p->leader : list_first_entry(&p->threads, struct task, thread_link);
		if (t->files)
			files = fdtable_get(t->files);
	}
	spin_unlock(&tasklist_lock);
	if (*err)
		return NULL;
	struct file *f = files ? fd_get(files, fd) : NULL;
	if (files)
		fdtable_put(files);
	if (!f)
		*err = -EBADF;
	return f;
}

/* pidfd_getfd(2): a duplicate of descriptor fd of the pidfd's process,
 * close-on-exec in the caller. flags must be 0. */
long sys_pidfd_getfd(int pidfd, int fd, unsigned flags)
{
	if (flags)
		return -EINVAL;
	struct file *pf = fd_get(current_files(), pidfd);
	if (!pf)
		return -EBADF;
	long err;
	struct file *f = file_of_process(pf, fd, &err);
	file_put(pf);
	if (!f)
		return err;
	int nfd = fd_install(current_files(), f, 0, true);
	if (nfd < 0)
		file_put(f);
	return nfd;
}

/* process_mrelease(pidfd, flags): Linux frees the memory of a process
 * that is dying before its exit does. Aspen's exit frees it on its way,
 * so for a process already exiting there is nothing more to do (0); a
 * process that is not exiting is EINVAL, one whose memory is gone (a
 * zombie, or reaped) ESRCH, and a descriptor that is no pidfd EBADF. */
long sys_process_mrelease(int pidfd, unsigned flags)
{
	if (flags)
		return -EINVAL;
	struct file *pf = fd_get(current_files(), pidfd);
	if (!pf)
		return -EBADF;
	bool ok;
	spin_lock(&tasklist_lock);
	struct process *p = pidfd_process_locked(pf, &ok);
	long err = !ok ? -EBADF : !p || p->state != PROC_ALIVE ? -ESRCH : p->group_exiting ? 0 : -EINVAL;
	spin_unlock(&tasklist_lock);
	file_put(pf);
	return err;
}
