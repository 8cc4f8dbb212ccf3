/*
 * unix_scm.c - AF_UNIX control messages (Linux's net/core/scm.c).
 *
 * SCM_RIGHTS: the sender's descriptors become references to their open
 * files, owned by the message (struct unix_fp) while it is in flight;
 * the receiver gets new descriptors for them (MSG_CMSG_CLOEXEC: close
 * on exec). Those that do not fit in its control buffer, or past its
 * RLIMIT_NOFILE, are closed and MSG_CTRUNC is set. A message never
 * received is freed with its socket's queue, closing its files. At most
 * SCM_MAX_FD (253) descriptors per message (EINVAL beyond). Passing a
 * socket that itself holds sockets in flight nests; past
 * UNIX_MAX_LEVEL the send fails with ETOOMANYREFS, as Linux, so that
 * releasing nested sockets stays shallow. The files a user has in
 * flight are counted (by real uid): past its RLIMIT_NOFILE, a send with
 * more is ETOOMANYREFS, unless it has CAP_SYS_RESOURCE or CAP_SYS_ADMIN
 * (Linux's too_many_unix_fds). That bounds what an unprivileged user can
 * pin in cycles of sockets sent over themselves until the garbage
 * collector (unix_gc.c) finds them.
 *
 * SCM_CREDENTIALS: a sender may claim its own pid, and any of its real,
 * effective or saved ids (others: EPERM, unless CAP_SYS_ADMIN for the
 * pid, CAP_SETUID/CAP_SETGID for the ids). A message without one
 * carries the sender's pid, real uid and real gid. The receiver sees
 * them when it has SO_PASSCRED set.
 */
#include "net/unix.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/cred.h"
#include "proc/task.h"
#include <linux/capability.h>
#include <linux/resource.h>

/* (I) unix_inflight_lock: the users with files in flight, and the
 * AF_UNIX sockets in flight (a leaf). */
struct spinlock unix_inflight_lock = SPINLOCK_INIT("unix_inflight");
static LIST_HEAD(inflight_users);
LIST_HEAD(unix_inflight_socks);
unsigned long unix_inflight_sockets;

struct inflight_user {
	struct list_head link;   /* (I) */
	uint32_t uid;
	unsigned long count;     /* (I) files in flight */
};

static struct inflight_user *inflight_find_locked(uint32_t uid)
{
	struct inflight_user *e;
	list_for_each_entry(e, &inflight_users, link)
		if (e->uid == uid)
			return e;
	return NULL;
}

/* Count fp's AF_UNIX sockets in (dir 1) or out of (-1) flight, for
 * the garbage collector (unix_gc.c). (I) held. */
static void inflight_socks_locked(struct unix_fp *fp, int dir)
{
	for (int i = 0; i < fp->count; i++) {
		struct socket *s = fp->files[i] ? sock_of(fp->files[i]) : NULL;
		if (!s || s->family != AF_UNIX)
			continue;
		struct unix_sock *u = unix_sk(s);
		if (dir > 0 && u->inflight++ == 0) {
			u->file = fp->files[i];
			list_add_tail(&u->inflight_link, &unix_inflight_socks);
			__atomic_add_fetch(&unix_inflight_sockets, 1, __ATOMIC_RELAXED);
		} else if (dir < 0 && --u->inflight == 0) {
			list_del(&u->inflight_link);
			__atomic_sub_fetch(&unix_inflight_sockets, 1, __ATOMIC_RELAXED);
		}
	}
}

/* Charge fp's files to the caller's real uid: 0, -ETOOMANYREFS, -ENOMEM. */
static int inflight_charge(struct unix_fp *fp)
{
	uint32_t uid = current_cred()->uid;
	bool privileged = capable(CAP_SYS_RESOURCE) || capable(CAP_SYS_ADMIN);
	uint64_t limit = current_rlimit(RLIMIT_NOFILE);
	struct inflight_user *n = kzalloc(sizeof(*n)), *e;
	int err = 0;
	spin_lock(&unix_inflight_lock);
	if (!(e = inflight_find_locked(uid)) && n) {
		n->uid = uid;
		list_add(&n->link, &inflight_users);
		e = n;
		n = NULL;
	}
	if (!e)
		err = -ENOMEM;
	else if (e->count > limit && !privileged)
		err = -ETOOMANYREFS;
	else
		e->count += (unsigned long)fp->count;
	if (!err)
		inflight_socks_locked(fp, 1);
	spin_unlock(&unix_inflight_lock);
	kfree(n);
	fp->user = uid;
	fp->charged = !err;
	return err;
}

static void inflight_uncharge(struct unix_fp *fp)
{
	if (!fp->charged)
		return;
	struct inflight_user *gone = NULL;
	spin_lock(&unix_inflight_lock);
	struct inflight_user *e = inflight_find_locked(fp->user);
	e->count -= (unsigned long)fp->count;
	inflight_socks_locked(fp, -1);
	if (!e->count) {
		list_del(&e->link);
		gone = e;
	}
	spin_unlock(&unix_inflight_lock);
	kfree(gone);
	fp->charged = false;
}

void unix_fp_put(struct unix_fp *fp)
{
	if (!fp)
		return;
	inflight_uncharge(fp);
	for (int i = 0; i < fp->count; i++)
		file_put(fp->files[i]);
	kfree(fp);
}

static struct unix_fp *fp_alloc(int count)
{
	struct unix_fp *fp = kzalloc(sizeof(*fp) + (size_t)count * sizeof(struct file *));
	return fp;
}

struct unix_fp *unix_fp_dup(struct unix_fp *fp)
{
	struct unix_fp *n = fp_alloc(fp->count);
	if (!n)
		return NULL;
	n->level = fp->level;
	for (int i = 0; i < fp->count; i++)
		n->files[n->count++] = file_get(fp->files[i]);
	return n;
}

/* The nesting a passed file brings: an AF_UNIX socket with files in
 * flight to it counts one more than they do. */
static unsigned file_level(struct file *f)
{
	struct socket *s = sock_of(f);
	if (!s || s->family != AF_UNIX)
		return 0;
	return __atomic_load_n(&unix_sk(s)->level, __ATOMIC_RELAXED) + 1;
}

/* Add the n (> 0) descriptors at kfds to scm's files. */
static int scm_rights(struct unix_scm *scm, const int *kfds, int n)
{
	int have = scm->fp ? scm->fp->count : 0;
	if (have + n > SCM_MAX_FD)
		return -EINVAL;
	struct unix_fp *fp = fp_alloc(have + n);
	if (!fp)
		return -ENOMEM;
	if (scm->fp) {
		memcpy(fp->files, scm->fp->files, (size_t)have * sizeof(struct file *));
		fp->count = have;
		fp->level = scm->fp->level;
		kfree(scm->fp);
	}
	scm->fp = fp;
	for (int i = 0; i < n; i++) {
		struct file *f = fd_get(current_files(), kfds[i]);
		if (!f)
			return -EBADF;
		fp->files[fp->count++] = f;
		fp->level = MAX(fp->level, file_level(f));
	}
	return 0;
}

/* Linux's scm_check_creds. */
static int check_creds(const struct ucred *c)
{
	const struct cred *me = current_cred();
	if (c->pid != current->proc->pid && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (c->uid != me->uid && c->uid != me->euid && c->uid != me->suid && !capable(CAP_SETUID))
		return -EPERM;
	if (c->gid != me->gid && c->gid != me->egid && c->gid != me->sgid && !capable(CAP_SETGID))
		return -EPERM;
	return 0;
}

/* One SOL_SOCKET control message (data: len bytes in kernel memory). */
static int scm_one(struct unix_scm *scm, int type, const char *data, size_t len)
{
	if (type == SCM_RIGHTS) {   /* as Linux: whole ints only, none is fine */
		int n = (int)(len / sizeof(int));
		return n ? scm_rights(scm, (const int *)data, n) : 0;
	}
	if (type == SCM_CREDENTIALS) {
		if (len != sizeof(struct ucred))
			return -EINVAL;
		struct ucred c;
		memcpy(&c, data, sizeof(c));
		int err = check_creds(&c);
		if (!err)
			scm->cred = c;
		return err;
	}
	return -EINVAL;
}

/* Walk the control buffer buf (len bytes) as Linux's __scm_send. */
static int scm_parse(struct unix_scm *scm, const char *buf, size_t len)
{
	size_t off = 0;
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		if (h.cmsg_level == SOL_SOCKET) {
			int err = scm_one(scm, h.cmsg_type, buf + off + sizeof(h), h.cmsg_len - sizeof(h));
			if (err)
				return err;
		}
		off += CMSG_ALIGN(h.cmsg_len);
		if (off > len)
			break;
	}
	return 0;
}

int unix_scm_send(struct sock_msg *m, struct unix_scm *scm)
{
	scm->fp = NULL;
	scm->cred = unix_current_cred();
	if (!m->uctl || !m->ctllen)
		return 0;
	char *buf = kmalloc(m->ctllen);
	if (!buf)
		return -ENOMEM;
	int err = copy_from_user(buf, m->uctl, m->ctllen) ? -EFAULT : scm_parse(scm, buf, m->ctllen);
	kfree(buf);
	if (!err && scm->fp)
		err = inflight_charge(scm->fp);
	if (err) {
		unix_fp_put(scm->fp);
		scm->fp = NULL;
	}
	return err;
}

/* Linux's scm_detach_fds. */
int unix_scm_recv_fds(struct sock_msg *m, struct unix_fp *fp, int flags)
{
	inflight_uncharge(fp);   /* no longer in flight */
	size_t room = m->uctl && m->ctllen - m->ctlused > sizeof(struct cmsghdr) ?
		m->ctllen - m->ctlused - sizeof(struct cmsghdr) : 0;
	int max = (int)MIN(room / sizeof(int), (size_t)fp->count);
	int fds[SCM_MAX_FD], n = 0, err = 0;
	for (; n < max; n++) {
		int fd = fd_install(current_files(), fp->files[n], 0, flags & MSG_CMSG_CLOEXEC);
		if (fd < 0)
			break;
		fds[n] = fd;
		fp->files[n] = NULL;   /* the table's now */
	}
	if (n < fp->count)
		m->flags |= MSG_CTRUNC;
	if (n) {
		struct cmsghdr h = { CMSG_LEN((size_t)n * sizeof(int)), SOL_SOCKET, SCM_RIGHTS };
		char *u = (char *)m->uctl + m->ctlused;
		if (copy_to_user(u, &h, sizeof(h)) || copy_to_user(u + sizeof(h), fds, (size_t)n * sizeof(int))) {
			for (int i = 0; i < n; i++)
				fd_close(current_files(), fds[i]);
			err = -EFAULT;
		}
		m->ctlused += MIN(CMSG_SPACE((size_t)n * sizeof(int)), m->ctllen - m->ctlused);
	}
	for (int i = n; i < fp->count; i++)
		file_put(fp->files[i]);
	kfree(fp);
	return err;
}
