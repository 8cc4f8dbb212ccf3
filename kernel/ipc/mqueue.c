/*
 * mqueue.c - POSIX message queues: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr (docs/ipc.md).
 *
 * A queue is an inode of a small file system of its own (Linux's
 * mqueue): a flat directory of names, each a regular file whose open
 * descriptions are the mqd_t descriptors. Reading one gives Linux's
 * status line (QSIZE, NOTIFY, SIGNO, NOTIFY_PID); poll says whether a
 * message can be received (POLLIN) or sent (POLLOUT). The directory is
 * an ordinary inode with lookup, iterate and unlink; mount(2) of type
 * "mqueue" (at /dev/mqueue) shows it.
 *
 * Messages are kept highest priority first, oldest first within a
 * priority. A sender finding a receiver asleep hands its message over
 * directly; otherwise the message is queued, and if the queue was empty
 * the registered notification (mq_notify) fires once and is removed.
 * Receiving wakes the sleeping senders to look for room again.
 *
 * Locks: mq_lock (a mutex) guards the names and every queue: its
 * messages, sleepers and notification. Messages are copied from user
 * memory before it is taken and to user memory after it is dropped.
 */
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "ipc/mqueue.h"
#include "ipc/ipc.h"
#include "sys/sysctl.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/context.h"
#include "fs/poll.h"
#include "fs/vfs.h"
#include "fs/mount.h"
#include "fs/uapi.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/time_types.h>

#define MQ_PRIO_MAX 32768
#define HARD_MSGMAX 65536
#define HARD_MSGSIZEMAX (16 << 20)
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SI_MESGQ (-3)
#define MQ_STATUS_MAX 80

/* fs.mqueue.*: Linux's defaults. */
int mq_msg_max = 10;
int mq_msgsize_max = 8192;
int mq_msg_default = 10;
int mq_msgsize_default = 8192;
int mq_queues_max = 256;
SYSCTL_INT("fs/mqueue/msg_max", 0644, &mq_msg_max, 1, HARD_MSGMAX);
SYSCTL_INT("fs/mqueue/msgsize_max", 0644, &mq_msgsize_max, 128, HARD_MSGSIZEMAX);
SYSCTL_INT("fs/mqueue/msg_default", 0644, &mq_msg_default, 1, HARD_MSGMAX);
SYSCTL_INT("fs/mqueue/msgsize_default", 0644, &mq_msgsize_default, 128, HARD_MSGSIZEMAX);
SYSCTL_INT("fs/mqueue/queues_max", 0644, &mq_queues_max, INT32_MIN, INT32_MAX);

struct mq_attr {
	long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, __reserved[4];
};

struct user_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t pad[12];
};

struct mq_msg {
	struct list_head link;   /* (M) in its queue */
	unsigned prio;
	size_t len;
	char data[];
};

/* (M) mq_lock; (c) constant. */
struct mqueue {
	struct inode inode;            /* S_IFREG in the mqueue file system */
	long maxmsg, msgsize;          /* (c) */
	long curmsgs;                  /* (M) */
	uint64_t qsize;                /* (M) bytes queued */
	struct list_head msgs;         /* (M) highest priority first */
	struct list_head senders;      /* (M) ipc_waiter: room */
	struct list_head receivers;    /* (M) mq_receiver */
	struct wait_queue poll_wq;
	int notify_pid;                /* (M) registered process, 0 if none */
	int notify_how, notify_signo;  /* (M) SIGEV_*, the signal */
	uint64_t notify_value;         /* (M) */
	struct list_head ns_link;      /* (M) in mq_names while it has a name */
	uint32_t user;                 /* (c) charged: its creator's real uid */
	uint64_t charge;               /* (c) bytes charged to user (RLIMIT_MSGQUEUE) */
	struct list_head all_link;     /* (C) in mq_all from creation to eviction */
	char name[NAME_MAX + 1];       /* (M) */
};

struct mq_receiver {
	struct ipc_waiter w;
	struct mq_msg *msg;            /* (M) what a sender handed over */
};

/* (C) mq_charge_lock, a leaf: every queue's charge, so that the queues
 * of a user sum up to at most its RLIMIT_MSGQUEUE (as Linux: per real
 * uid, for the life of the queue, named or not). */
static struct spinlock mq_charge_lock = SPINLOCK_INIT("mq_charge");
static LIST_HEAD(mq_all);

static struct mutex mq_lock;
static struct list_head mq_names;   /* (M) every named queue */
static int mq_count;                /* (M) named queues */
static struct inode *mq_root;
static uint32_t mq_dev;
static const struct file_ops mq_fops;
static const struct inode_ops mq_iops, mq_dir_iops;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static struct mqueue *mq_of(struct inode *inode)
{
	return container_of(inode, struct mqueue, inode);
}

/* The queue behind descriptor fd (referenced), or NULL: EBADF. */
static struct file *mq_file_get(int fd)
{
	struct file *f = fd_get(current_files(), fd);
	if (f && f->fops != &mq_fops) {
		file_put(f);
		f = NULL;
	}
	return f;
}

/* ---- the file system ---- */

/* `mount -t mqueue none /dev/mqueue`: the queues' names as files, which
 * unlink removes (mq_unlink), as Linux's. statfs reports Linux's
 * simple_statfs for it: the magic, page-sized blocks and no counts. */
#define MQUEUE_MAGIC 0x19800202   /* Linux's, in ipc/mqueue.c (not in the UAPI headers) */

static void mq_statfs(struct mount *m, struct statfs *st)
{
	st->f_type = MQUEUE_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
}

static const struct mount_ops mq_mount_ops = { .statfs = mq_statfs };

/* Each mount gets a root of its own over the one set of names (as proc's
 * mounts do), so that ".." from it is the directory that mount covers. */
static int mq_fill(struct mount *m, const char *data)
{
	struct inode *root = kzalloc(sizeof(*root));
	if (!root)
		return -ENOMEM;
	inode_init(root, mq_dev, S_IFDIR | 01777, 0, 0, &mq_dir_iops, &dir_file_ops);
	m->root = root;
	m->dev = mq_dev;
	m->ops = &mq_mount_ops;
	return 0;
}

static const struct fs_type mqueue_type = { .name = "mqueue", .fill = mq_fill };

void mqueue_init(void)
{
	mutex_init(&mq_lock, "mq");
	list_init(&mq_names);
	mq_dev = vfs_alloc_dev();
	mq_root = kzalloc(sizeof(*mq_root));
	if (!mq_root)
		panic("mqueue_init: out of memory");
	inode_init(mq_root, mq_dev, S_IFDIR | 01777, 0, 0, &mq_dir_iops, &dir_file_ops);
	mount_register_type(&mqueue_type);
}

static struct mqueue *find_locked(const char *name, size_t len)
{
	struct mqueue *q;
	list_for_each_entry(q, &mq_names, ns_link)
		if (strlen(q->name) == len && !memcmp(q->name, name, len))
			return q;
	return NULL;
}

static int mq_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	if (len == 2 && !memcmp(name, "..", 2)) {
		*out = inode_get(dir);
		return 0;
	}
	mutex_lock(&mq_lock);
	struct mqueue *q = find_locked(name, len);
	if (q)
		*out = inode_get(&q->inode);
	mutex_unlock(&mq_lock);
	return q ? 0 : -ENOENT;
}

static int mq_dir_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	if (*pos == 0 && emit(ctx, ".", 1, dir->ino, IFTODT(S_IFDIR), 1))
		*pos = 1;
	if (*pos == 1 && emit(ctx, "..", 2, dir->ino, IFTODT(S_IFDIR), 2))
		*pos = 2;
	mutex_lock(&mq_lock);
	uint64_t i = 2;
	struct mqueue *q;
	list_for_each_entry(q, &mq_names, ns_link) {
		if (i++ < *pos)
			continue;
		if (!emit(ctx, q->name, strlen(q->name), q->inode.ino, IFTODT(S_IFREG), i))
			break;
		*pos = i;
	}
	mutex_unlock(&mq_lock);
	return 0;
}

/* Take q's name away (mq_unlink): the name's reference goes. (M) held. */
static void unname_locked(struct mqueue *q)
{
	list_del(&q->ns_link);
	q->name[0] = '\0';
	mq_count--;
}

static int mq_dir_unlink(struct inode *dir, const char *name, size_t len)
{
	mutex_lock(&mq_lock);
	struct mqueue *q = find_locked(name, len);
	int err = q ? vfs_may_delete(dir, &q->inode) : -ENOENT;
	if (!err)
		unname_locked(q);
	mutex_unlock(&mq_lock);
	if (!err)
		inode_put(&q->inode);
	return err;
}

static void mq_evict(struct inode *inode)
{
	struct mqueue *q = mq_of(inode);
	spin_lock(&mq_charge_lock);
	list_del(&q->all_link);
	spin_unlock(&mq_charge_lock);
	while (!list_empty(&q->msgs)) {
		struct mq_msg *m = list_first_entry(&q->msgs, struct mq_msg, link);
		list_del(&m->link);
		kfree(m);
	}
	kfree(q);
}

/* A mount's root goes with the mount (mq_root never: it keeps a reference). */
static void mq_root_evict(struct inode *inode)
{
	kfree(inode);
}

static const struct inode_ops mq_dir_iops = {
	.lookup = mq_dir_lookup,
	.iterate = mq_dir_iterate,
	.unlink = mq_dir_unlink,
	.evict = mq_root_evict,
};

static const struct inode_ops mq_iops = { .evict = mq_evict };

/* ---- mq_open and mq_unlink ---- */

/* A queue name from user memory, without the leading '/' the libcs
 * strip: Linux's rules (ENOENT empty, EACCES for '/', "." or "..",
 * ENAMETOOLONG). */
static long get_name(const char *uname, char *name)
{
	long len = strncpy_from_user(name, uname, NAME_MAX + 1);
	if (len < 0)
		return len;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	return len;
}

/* Check mq_open's attributes for a new queue (root may go up to the
 * hard limits, as with CAP_SYS_RESOURCE). */
static int attr_ok(const struct mq_attr *a)
{
	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	bool root = ipc_capable();
	if (a->mq_maxmsg > (root ? HARD_MSGMAX : LOAD(mq_msg_max)) ||
	    a->mq_msgsize > (root ? HARD_MSGSIZEMAX : LOAD(mq_msgsize_max)))
		return -EINVAL;
	return 0;
}

/* Charge q (maxmsg and msgsize set) to the caller's real uid: Linux's
 * mq_bytes, the messages and the kernel's structures for them (48 bytes
 * a message and a priority). 0, or -EMFILE past RLIMIT_MSGQUEUE. */
static int charge_queue(struct mqueue *q)
{
	uint64_t n = (uint64_t)q->maxmsg;
	q->user = current_cred()->uid;
	q->charge = n * (uint64_t)q->msgsize + n * 48 + MIN(n, (uint64_t)MQ_PRIO_MAX) * 48;
	uint64_t sum = q->charge, limit = rlimit_cur(RLIMIT_MSGQUEUE);
	struct mqueue *o;
	spin_lock(&mq_charge_lock);
	list_for_each_entry(o, &mq_all, all_link)
		if (o->user == q->user)
			sum += o->charge;
	if (sum <= limit)
		list_add(&q->all_link, &mq_all);
	spin_unlock(&mq_charge_lock);
	return sum <= limit ? 0 : -EMFILE;
}

/* A new named queue. (M) held. */
static int create_locked(const char *name, uint32_t mode, const struct mq_attr *a, struct mqueue **out)
{
	if (mq_count >= LOAD(mq_queues_max) && !ipc_capable())
		return -ENOSPC;
	struct mqueue *q = kzalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->maxmsg = a ? a->mq_maxmsg : MIN(LOAD(mq_msg_default), LOAD(mq_msg_max));
	q->msgsize = a ? a->mq_msgsize : MIN(LOAD(mq_msgsize_default), LOAD(mq_msgsize_max));
	int err = charge_queue(q);
	if (err) {
		kfree(q);
		return err;
	}
	uint32_t uid, gid;
	current_fsids(&uid, &gid);
	uint32_t umask = fs_get_umask(current_fs());
	inode_init(&q->inode, mq_dev, S_IFREG | (mode & ~umask & 0777), uid, gid, &mq_iops, &mq_fops);
	list_init(&q->msgs);
	list_init(&q->senders);
	list_init(&q->receivers);
	wait_queue_init(&q->poll_wq, "mq_poll");
	strlcpy(q->name, name, sizeof(q->name));
	list_add_tail(&q->ns_link, &mq_names);
	mq_count++;
	*out = q;   /* the name's reference; the caller takes its own */
	return 0;
}

static int access_mask(int oflag)
{
	int acc = oflag & O_ACCMODE;
	return acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
}

/* The queue mq_open names, referenced, created if asked. */
static int open_queue(const char *name, int oflag, uint32_t mode, const struct mq_attr *a,
		      struct inode **out)
{
	mutex_lock(&mq_lock);
	struct mqueue *q = find_locked(name, strlen(name));
	int err = 0;
	if (q && (oflag & O_CREAT) && (oflag & O_EXCL))
		err = -EEXIST;
	else if (q && (oflag & O_ACCMODE) == O_ACCMODE)
		err = -EINVAL;
	else if (q)
		err = inode_permission(&q->inode, access_mask(oflag));
	else if (!(oflag & O_CREAT))
		err = -ENOENT;
	else if (!(err = inode_permission(mq_root, MAY_WRITE)))
		err = create_locked(name, mode, a, &q);
	if (!err)
		*out = inode_get(&q->inode);
	mutex_unlock(&mq_lock);
	return err;
}

long sys_mq_open(const char *uname, int oflag, uint32_t mode, const struct mq_attr *uattr)
{
	char name[NAME_MAX + 2];
	long len = get_name(uname, name);
	if (len < 0)
		return len;
	struct mq_attr attr, *a = NULL;
	if (uattr && copy_from_user(&attr, uattr, sizeof(attr)))
		return -EFAULT;   /* read even without O_CREAT, as Linux */
	if ((oflag & O_CREAT) && uattr) {
		int err = attr_ok(&attr);
		if (err)
			return err;
		a = &attr;
	}
	struct inode *inode;
	int err = open_queue(name, oflag, mode, a, &inode);
	if (err)
		return err;
	struct file *f;
	err = file_open_inode(inode, (uint32_t)oflag & (O_ACCMODE | O_NONBLOCK), &f);
	inode_put(inode);
	if (err)
		return err;
	int fd = fd_install(current_files(), f, 0, oflag & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_mq_unlink(const char *uname)
{
	char name[NAME_MAX + 2];
	long len = get_name(uname, name);
	if (len < 0)
		return len;
	return mq_dir_unlink(mq_root, name, (size_t)len);
}

/* ---- notification ---- */

/* A message arrived in an empty queue with nobody waiting: tell the
 * registered process, once. (M) held. */
static void notify_locked(struct mqueue *q)
{
	if (!q->notify_pid || q->curmsgs != 1)
		return;
	if (q->notify_how == SIGEV_SIGNAL && q->notify_signo) {
		struct ksiginfo info = { .signo = q->notify_signo, .code = SI_MESGQ,
					 .pid = ipc_current_pid(), .uid = current_cred()->uid,
					 .value = q->notify_value };
		spin_lock(&tasklist_lock);
		struct process *p = process_find_locked(q->notify_pid);
		if (p && p->state == PROC_ALIVE)
			send_signal_info_locked(p, NULL, q->notify_signo, &info);
		spin_unlock(&tasklist_lock);
	}
	q->notify_pid = 0;
}

long sys_mq_notify(int fd, const struct user_sigevent *usev)
{
	struct user_sigevent sev;
	if (usev && copy_from_user(&sev, usev, sizeof(sev)))
		return -EFAULT;
	if (usev && sev.notify != SIGEV_NONE && sev.notify != SIGEV_SIGNAL)
		return sev.notify == SIGEV_THREAD ? -EBADF : -EINVAL;   /* no netlink sockets */
	if (usev && sev.notify == SIGEV_SIGNAL && (sev.signo < 0 || sev.signo > 64))
		return -EINVAL;   /* Linux's valid_signal: 0 registers, and sends nothing */
	struct file *f = mq_file_get(fd);
	if (!f)
		return -EBADF;
	struct mqueue *q = mq_of(f->inode);
	int me = ipc_current_pid(), err = 0;
	mutex_lock(&mq_lock);
	if (!usev) {
		if (q->notify_pid == me)
			q->notify_pid = 0;
	} else if (q->notify_pid) {
		err = -EBUSY;
	} else {
		q->notify_pid = me;
		q->notify_how = sev.notify;
		q->notify_signo = sev.signo;
		q->notify_value = sev.value;
	}
	mutex_unlock(&mq_lock);
	file_put(f);
	return err;
}

/* ---- sending and receiving ---- */

static void insert_by_prio_locked(struct mqueue *q, struct mq_msg *m)
{
	struct mq_msg *pos;
	list_for_each_entry(pos, &q->msgs, link)
		if (pos->prio < m->prio) {
			list_add_tail(&m->link, &pos->link);
			goto added;
		}
	list_add_tail(&m->link, &q->msgs);
added:
	q->curmsgs++;
	q->qsize += m->len;
}

/* Sleep on list until woken (lock held on entry and exit): 0, or
 * -ETIMEDOUT, -ERESTARTSYS, or the waker's error. */
static int mq_wait_locked(struct list_head *list, struct ipc_waiter *w, uint64_t deadline)
{
	w->task = current;
	w->status = IPC_PENDING;
	list_add_tail(&w->link, list);
	int err = ipc_sleep(&mq_lock, w, deadline);
	if (w->status != IPC_PENDING)
		return w->status;
	list_del(&w->link);
	return err == -EAGAIN ? -ETIMEDOUT : -ERESTARTSYS;
}

static int mq_send_locked(struct mqueue *q, struct mq_msg *m, bool nonblock, uint64_t deadline)
{
	int err = 0;
	while (q->curmsgs >= q->maxmsg && !err) {
		struct ipc_waiter w;
		err = nonblock ? -EAGAIN : mq_wait_locked(&q->senders, &w, deadline);
	}
	if (err)
		return err;
	if (!list_empty(&q->receivers)) {
		struct mq_receiver *r = list_first_entry(&q->receivers, struct mq_receiver, w.link);
		r->msg = m;
		ipc_wake_locked(&r->w, 0);
		return 0;
	}
	insert_by_prio_locked(q, m);
	notify_locked(q);
	return 0;
}

long sys_mq_timedsend(int fd, const char *uptr, size_t len, unsigned prio,
		      const struct __kernel_timespec *uts)
{
	uint64_t deadline;
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	int err = ipc_realtime_deadline(uts, &deadline);
	if (err)
		return err;
	struct file *f = mq_file_get(fd);
	if (!f || !file_writable(f)) {
		if (f)
			file_put(f);
		return -EBADF;
	}
	struct mqueue *q = mq_of(f->inode);
	struct mq_msg *m = len > (size_t)q->msgsize ? NULL : kmalloc(sizeof(*m) + len);
	err = len > (size_t)q->msgsize ? -EMSGSIZE : !m ? -ENOMEM : 0;
	if (!err && copy_from_user(m->data, uptr, len))
		err = -EFAULT;
	if (!err) {
		m->prio = prio;
		m->len = len;
		mutex_lock(&mq_lock);
		err = mq_send_locked(q, m, file_flags(f) & O_NONBLOCK, deadline);
		mutex_unlock(&mq_lock);
		wake_up(&q->poll_wq);
	}
	if (err)
		kfree(m);
	file_put(f);
	return err;
}

static struct mq_msg *mq_receive_locked(struct mqueue *q, bool nonblock, uint64_t deadline, int *err)
{
	if (q->curmsgs == 0) {
		if (nonblock) {
			*err = -EAGAIN;
			return NULL;
		}
		struct mq_receiver r = { .msg = NULL };
		*err = mq_wait_locked(&q->receivers, &r.w, deadline);
		return *err ? NULL : r.msg;
	}
	struct mq_msg *m = list_first_entry(&q->msgs, struct mq_msg, link);
	list_del(&m->link);
	q->curmsgs--;
	q->qsize -= m->len;
	while (!list_empty(&q->senders))   /* all: one woken may be gone before it looks */
		ipc_wake_locked(list_first_entry(&q->senders, struct ipc_waiter, link), 0);
	return m;
}

long sys_mq_timedreceive(int fd, char *uptr, size_t len, unsigned *uprio,
			 const struct __kernel_timespec *uts)
{
	uint64_t deadline;
	int err = ipc_realtime_deadline(uts, &deadline);
	if (err)
		return err;
	struct file *f = mq_file_get(fd);
	if (!f || !file_readable(f)) {
		if (f)
			file_put(f);
		return -EBADF;
	}
	struct mqueue *q = mq_of(f->inode);
	struct mq_msg *m = NULL;
	if (len < (size_t)q->msgsize) {
		err = -EMSGSIZE;
	} else {
		mutex_lock(&mq_lock);
		m = mq_receive_locked(q, file_flags(f) & O_NONBLOCK, deadline, &err);
		mutex_unlock(&mq_lock);
		wake_up(&q->poll_wq);
	}
	file_put(f);
	if (!m)
		return err;
	long ret = (long)m->len;
	if (copy_to_user(uptr, m->data, m->len) || (uprio && copy_to_user(uprio, &m->prio, sizeof(m->prio))))
		ret = -EFAULT;
	kfree(m);
	return ret;
}

long sys_mq_getsetattr(int fd, const struct mq_attr *unew, struct mq_attr *uold)
{
	struct mq_attr new, old;
	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	if (unew && (new.mq_flags & ~(long)O_NONBLOCK))
		return -EINVAL;
	struct file *f = mq_file_get(fd);
	if (!f)
		return -EBADF;
	struct mqueue *q = mq_of(f->inode);
	memset(&old, 0, sizeof(old));
	spin_lock(&f->flags_lock);
	old.mq_flags = f->flags & O_NONBLOCK;
	if (unew)
		f->flags = (f->flags & ~(uint32_t)O_NONBLOCK) | (uint32_t)(new.mq_flags & O_NONBLOCK);
	spin_unlock(&f->flags_lock);
	mutex_lock(&mq_lock);
	old.mq_maxmsg = q->maxmsg;
	old.mq_msgsize = q->msgsize;
	old.mq_curmsgs = q->curmsgs;
	mutex_unlock(&mq_lock);
	file_put(f);
	return uold && copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}

/* ---- the descriptors ---- */

/* read - Linux's status line: bytes queued and the notification. */
static long mq_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	struct mqueue *q = mq_of(f->inode);
	char text[MQ_STATUS_MAX];
	mutex_lock(&mq_lock);
	int len = snprintf(text, sizeof(text), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			   (unsigned long)q->qsize, q->notify_pid ? q->notify_how : 0,
			   q->notify_pid && q->notify_how == SIGEV_SIGNAL ? q->notify_signo : 0,
			   q->notify_pid);
	mutex_unlock(&mq_lock);
	if (*pos >= (uint64_t)len)
		return 0;
	size_t k = MIN(n, (size_t)len - *pos);
	if (copy_to_user(ubuf, text + *pos, k))
		return -EFAULT;
	*pos += k;
	return (long)k;
}

static unsigned mq_poll(struct file *f, struct poll_table *pt)
{
	struct mqueue *q = mq_of(f->inode);
	poll_wait(pt, &q->poll_wq);
	unsigned mask = 0;
	if (LOAD(q->curmsgs))
		mask |= POLLIN | POLLRDNORM;
	if (LOAD(q->curmsgs) < q->maxmsg)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* flush - the registering process closing a descriptor of the queue
 * gives up its notification, as Linux. */
static void mq_flush(struct file *f)
{
	struct mqueue *q = mq_of(f->inode);
	mutex_lock(&mq_lock);
	if (q->notify_pid == ipc_current_pid())
		q->notify_pid = 0;
	mutex_unlock(&mq_lock);
}

static const struct file_ops mq_fops = {
	.read = mq_read,
	.poll = mq_poll,
	.flush = mq_flush,
};
