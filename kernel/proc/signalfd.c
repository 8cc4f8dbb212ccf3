/*
 * signalfd.c - signalfd and signalfd4: pending signals read through a
 * file descriptor, as Linux's fs/signalfd.c.
 *
 * A signalfd holds only a mask. Reading takes signals of the mask from
 * the *reading* thread's pending sets: its own (tkill, tgkill) first,
 * then its process's (kill), exactly as delivery would, whether or not
 * they are blocked (a program blocks them so that they wait for the
 * read rather than run their action). Each one becomes a 128-byte
 * struct signalfd_siginfo; a read takes as many as fit in the buffer and
 * waits only for the first. Poll reports POLLIN while a signal of the
 * mask is pending for the polling thread.
 *
 * Readers and pollers sleep on their sighand's signalfd_wq, which every
 * posted signal wakes (proc/signal.c). A sighand freed while an epoll
 * still watches that queue detaches the watch first (epoll_queue_dying).
 */
#include "proc/signal_impl.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/fcntl.h>

#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK

/* Linux's struct signalfd_siginfo (<linux/signalfd.h>), 128 bytes. */
struct user_signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno, ssi_code;
	uint32_t ssi_pid, ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
	int32_t ssi_status, ssi_int;
	uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
	uint16_t ssi_addr_lsb, pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct user_signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

struct signalfd {
	uint64_t mask;   /* the signals it reads; atomic (signalfd4 on it changes it) */
};

static uint64_t mask_of(struct file *f)
{
	return __atomic_load_n(&((struct signalfd *)f->private)->mask, __ATOMIC_RELAXED);
}

/* The signals of mask pending for t (a snapshot, no lock). */
static bool pending_for(struct task *t, uint64_t mask)
{
	uint64_t set = __atomic_load_n(&t->pending.set, __ATOMIC_RELAXED) |
		       __atomic_load_n(&t->proc->shared_pending.set, __ATOMIC_RELAXED);
	return set & mask;
}

/* The record of a taken signal, with the fields its kind carries (as
 * siginfo_to_user lays them out for a handler). */
static void signalfd_info(const struct ksiginfo *k, struct user_signalfd_siginfo *u)
{
	memset(u, 0, sizeof(*u));
	u->ssi_signo = (uint32_t)k->signo;
	u->ssi_errno = k->err;
	u->ssi_code = k->code;
	if (k->signo == SIGCHLD && k->code > 0) {
		u->ssi_pid = (uint32_t)k->pid;
		u->ssi_uid = k->uid;
		u->ssi_status = k->status;
	} else if ((SIGBIT(k->signo) & SIG_SYNCHRONOUS) && k->code > 0) {
		u->ssi_addr = k->addr;
	} else if (k->code == SI_TIMER) {
		u->ssi_tid = (uint32_t)k->pid;       /* the timer's id */
		u->ssi_overrun = k->uid;
		u->ssi_ptr = k->value;
		u->ssi_int = (int32_t)k->value;
	} else {
		u->ssi_pid = (uint32_t)k->pid;
		u->ssi_uid = k->uid;
		u->ssi_ptr = k->value;
		u->ssi_int = (int32_t)k->value;
	}
}

/* Take one signal of mask for the caller, sleeping for it unless
 * nonblock: its number, -EAGAIN, or -ERESTARTSYS. */
static int take_signal(uint64_t mask, bool nonblock, struct ksiginfo *info)
{
	struct task *t = current;
	struct sighand *sh = t->sighand;
	for (;;) {
		spin_lock(&sh->lock);
		int sig = dequeue_signal_locked(t, mask, info);
		spin_unlock(&sh->lock);
		if (sig || nonblock)
			return sig ? sig : -EAGAIN;
		int err = wait_event_interruptible(sh->signalfd_wq, pending_for(t, mask));
		if (err)
			return err;
	}
}

static long signalfd_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct user_signalfd_siginfo u;
	struct ksiginfo info;
	size_t done = 0;
	(void)pos;
	if (n < sizeof(u))
		return -EINVAL;
	bool nonblock = file_flags(f) & O_NONBLOCK;
	for (; done + sizeof(u) <= n; done += sizeof(u)) {
		int sig = take_signal(mask_of(f), nonblock || done, &info);
		if (sig < 0)
			return done ? (long)done : sig;
		signalfd_info(&info, &u);
		if (copy_to_user(ubuf + done, &u, sizeof(u)))
			return done ? (long)done : -EFAULT;   /* as Linux: the signal is lost */
	}
	return (long)done;
}

static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct task *t = current;
	poll_wait(pt, &t->sighand->signalfd_wq);
	return pending_for(t, mask_of(f)) ? POLLIN | POLLRDNORM : 0;
}

static void signalfd_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops signalfd_fops = {
	.name = "signalfd",
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

/* A new signalfd reading mask, installed as a descriptor. */
static long signalfd_create(uint64_t mask, int flags)
{
	struct signalfd *ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->mask = mask;
	return fd_install_anon(&signalfd_fops, ctx, flags & SFD_NONBLOCK, flags & SFD_CLOEXEC);
}

/* signalfd4 - fd -1: a new signalfd for the signals of *umask (SIGKILL
 * and SIGSTOP never); else fd's signalfd now reads *umask. Returns the
 * descriptor; -EINVAL (flags, sizemask, fd not a signalfd), -EFAULT,
 * -EBADF, -ENOMEM, -EMFILE. */
long sys_signalfd4(int fd, const uint64_t *umask, size_t sizemask, int flags)
{
	uint64_t mask;
	if ((flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) || sizemask != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	mask &= ~SIG_UNBLOCKABLE;
	if (fd == -1)
		return signalfd_create(mask, flags);
	struct file *f = fd_get(current_files(), fd);
	if (!f)
		return -EBADF;
	if (f->fops != &signalfd_fops) {
		file_put(f);
		return -EINVAL;
	}
	__atomic_store_n(&((struct signalfd *)f->private)->mask, mask, __ATOMIC_RELAXED);
	wake_up(&current->sighand->signalfd_wq);   /* a sleeping reader may now find one */
	file_put(f);
	return fd;
}

long sys_signalfd(int fd, const uint64_t *umask, size_t sizemask)
{
	return sys_signalfd4(fd, umask, sizemask, 0);
}
