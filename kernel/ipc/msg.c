/*
 * msg.c - System V message queues: msgget, msgsnd, msgrcv, msgctl and
 * /proc/sysvipc/msg.
 *
 * A queue is a list of messages (a type and up to msgmax bytes) with a
 * capacity in bytes (msg_qbytes, msgmnb by default; a queue also holds
 * at most that many messages, as Linux counts). msgsnd waits for room,
 * msgrcv for a message it selects:
 *
 *   msgtyp 0              the first message
 *   msgtyp > 0            the first of that type (MSG_EXCEPT: of any other)
 *   msgtyp < 0            the first of the lowest type <= -msgtyp
 *   MSG_COPY              a copy of the msgtyp-th message (from 0), left
 *                         in place; needs IPC_NOWAIT, excludes MSG_EXCEPT
 *
 * A sender that finds a receiver asleep for its message hands it over
 * directly (pipelined_send), as Linux: the receiver wakes with it. A
 * message longer than the receiver's buffer is E2BIG for the receiver
 * and stays queued, unless MSG_NOERROR cuts it.
 *
 * Locks: msg_ids.lock guards every queue, its messages and sleepers.
 * Messages are copied from user memory before it is taken and to user
 * memory after it is dropped.
 */
#include "ipc/ipc.h"
#include "sys/sysctl.h"
#include "fs/procfs/procfs.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/msg.h>

int msg_ctlmax = MSGMAX;   /* kernel.msgmax: bytes per message */
int msg_ctlmnb = MSGMNB;   /* kernel.msgmnb: default bytes per queue */
int msg_ctlmni = MSGMNI;   /* kernel.msgmni: queues */
SYSCTL_INT("kernel/msgmax", 0644, &msg_ctlmax, 0, INT32_MAX);
SYSCTL_INT("kernel/msgmnb", 0644, &msg_ctlmnb, 0, INT32_MAX);
SYSCTL_INT("kernel/msgmni", 0644, &msg_ctlmni, 0, IPCMNI);

enum search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

struct msg {
	struct list_head link;   /* (L) in its queue */
	long mtype;
	size_t size;
	char text[];
};

struct msg_queue {
	struct kern_ipc_perm perm;
	int64_t stime, rtime, ctime;      /* (L) */
	unsigned long cbytes, qnum, qbytes;  /* (L) */
	int lspid, lrpid;                 /* (L) */
	struct list_head messages;        /* (L) oldest first */
	struct list_head receivers;       /* (L) struct msg_receiver */
	struct list_head senders;         /* (L) struct ipc_waiter */
};

struct msg_receiver {
	struct ipc_waiter w;
	long type;
	enum search mode;
	size_t maxsize;                   /* longer messages are E2BIG for it */
	struct msg *msg;                  /* (L) what a sender handed over */
};

static struct ipc_ids msg_ids;
static unsigned long msg_total_bytes, msg_total_count;   /* (L) for MSG_INFO */

void msg_init(void)
{
	ipc_ids_init(&msg_ids, "msg_ids");
}

static struct msg_queue *queue_of(struct kern_ipc_perm *p)
{
	return p ? container_of(p, struct msg_queue, perm) : NULL;
}

/* ---- msgget ---- */

static long queue_create_locked(int32_t key, int flags, long unused)
{
	struct msg_queue *q = kzalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->perm.key = key;
	q->perm.mode = (uint32_t)flags & 0777;
	q->qbytes = (unsigned long)IPC_LIMIT(msg_ctlmnb);
	q->ctime = ipc_now();
	list_init(&q->messages);
	list_init(&q->receivers);
	list_init(&q->senders);
	int err = ipc_add_locked(&msg_ids, &q->perm, IPC_LIMIT(msg_ctlmni));
	if (err) {
		kfree(q);
		return err;
	}
	return q->perm.id;
}

static const struct ipc_ops msg_ops;

long sys_msgget(int32_t key, int flags)
{
	return ipc_get_id(&msg_ops, key, flags, 0);
}

/* ---- selecting messages ---- */

static bool type_matches(long mtype, long want, enum search mode)
{
	switch (mode) {
	case SEARCH_ANY: return true;
	case SEARCH_EQUAL: return mtype == want;
	case SEARCH_NOTEQUAL: return mtype != want;
	case SEARCH_LESSEQUAL: return mtype <= want;
	default: return false;
	}
}

/* The message msgrcv selects, or NULL. (L) held. */
static struct msg *find_msg_locked(struct msg_queue *q, long want, enum search mode)
{
	struct msg *m, *found = NULL;
	long n = 0;
	list_for_each_entry(m, &q->messages, link) {
		if (mode == SEARCH_NUMBER) {
			if (n++ == want)
				return m;
		} else if (type_matches(m->mtype, want, mode)) {
			if (mode != SEARCH_LESSEQUAL)
				return m;
			if (!found || m->mtype < found->mtype)
				found = m;
		}
	}
	return found;
}

/* Wake every sleeping sender to look for room again. (L) held. */
static void wake_senders_locked(struct msg_queue *q, int status)
{
	while (!list_empty(&q->senders))
		ipc_wake_locked(list_first_entry(&q->senders, struct ipc_waiter, link), status);
}

static void msg_unlink_locked(struct msg_queue *q, struct msg *m)
{
	list_del(&m->link);
	q->qnum--;
	q->cbytes -= m->size;
	msg_total_count--;
	msg_total_bytes -= m->size;
}

/* ---- msgsnd ---- */

/* Give m to a receiver asleep for it; true if one took it. Receivers
 * whose buffer is too small are woken with E2BIG. (L) held. */
static bool pipelined_send_locked(struct msg_queue *q, struct msg *m)
{
	struct msg_receiver *r, *n;
	list_for_each_entry_safe(r, n, &q->receivers, w.link) {
		if (!type_matches(m->mtype, r->type, r->mode))
			continue;
		if (m->size > r->maxsize) {
			ipc_wake_locked(&r->w, -E2BIG);
			continue;
		}
		q->lrpid = r->w.task->proc->pid;
		q->rtime = ipc_now();
		r->msg = m;
		ipc_wake_locked(&r->w, 0);
		return true;
	}
	return false;
}

static bool queue_has_room(const struct msg_queue *q, size_t size)
{
	return size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes;
}

/* Queue m on queue id, sleeping for room unless IPC_NOWAIT. 0 (m is the
 * queue's or a receiver's now) or -errno (m still the caller's). */
static long msg_send(int id, struct msg *m, int flags)
{
	mutex_lock(&msg_ids.lock);
	struct msg_queue *q = queue_of(ipc_find_id_locked(&msg_ids, id));
	long err = q ? ipc_permission(&q->perm, IPC_MAY_WRITE) : -EINVAL;
	if (err) {
		mutex_unlock(&msg_ids.lock);
		return err;
	}
	ipc_get(&q->perm);
	while (!err && !q->perm.deleted && !queue_has_room(q, m->size)) {
		if (flags & IPC_NOWAIT) {
			err = -EAGAIN;
			break;
		}
		struct ipc_waiter w = { .task = current, .status = IPC_PENDING };
		list_add_tail(&w.link, &q->senders);
		err = ipc_sleep(&msg_ids.lock, &w, IPC_NO_DEADLINE);
		if (w.status == IPC_PENDING)
			list_del(&w.link);
		else
			err = w.status;
	}
	if (!err && q->perm.deleted)
		err = -EIDRM;
	if (!err) {
		q->lspid = ipc_current_pid();
		q->stime = ipc_now();
		if (!pipelined_send_locked(q, m)) {
			list_add_tail(&m->link, &q->messages);
			q->qnum++;
			q->cbytes += m->size;
			msg_total_count++;
			msg_total_bytes += m->size;
		}
	}
	if (ipc_put(&q->perm))
		kfree(q);
	mutex_unlock(&msg_ids.lock);
	return err;
}

long sys_msgsnd(int id, const void *umsgp, size_t size, int flags)
{
	long mtype;
	if (id < 0 || size > (size_t)IPC_LIMIT(msg_ctlmax))
		return -EINVAL;
	if (copy_from_user(&mtype, umsgp, sizeof(mtype)))
		return -EFAULT;
	if (mtype < 1)
		return -EINVAL;
	struct msg *m = kmalloc(sizeof(*m) + size);
	if (!m)
		return -ENOMEM;
	m->mtype = mtype;
	m->size = size;
	long err = copy_from_user(m->text, (const char *)umsgp + sizeof(long), size) ? -EFAULT : 0;
	if (!err)
		err = msg_send(id, m, flags);
	if (err)
		kfree(m);
	return err;
}

/* ---- msgrcv ---- */

/* Sleep for a message (lock held on entry and exit). The message, or
 * NULL with *err set. */
static struct msg *wait_for_msg_locked(struct msg_queue *q, struct msg_receiver *r, long *err)
{
	r->w.task = current;
	r->w.status = IPC_PENDING;
	list_add_tail(&r->w.link, &q->receivers);
	*err = ipc_sleep(&msg_ids.lock, &r->w, IPC_NO_DEADLINE);
	if (r->w.status == IPC_PENDING) {
		list_del(&r->w.link);
		return NULL;
	}
	*err = r->w.status;
	return *err ? NULL : r->msg;
}

/* Take (or with MSG_COPY, copy) the message selected; sleeping for one
 * unless IPC_NOWAIT. The message is the caller's to free. */
static struct msg *msg_receive(int id, struct msg_receiver *r, int flags, long *err)
{
	mutex_lock(&msg_ids.lock);
	struct msg_queue *q = queue_of(ipc_find_id_locked(&msg_ids, id));
	struct msg *m = NULL;
	*err = q ? ipc_permission(&q->perm, IPC_MAY_READ) : -EINVAL;
	if (*err) {
		mutex_unlock(&msg_ids.lock);
		return NULL;
	}
	ipc_get(&q->perm);
	while (!*err && !m) {
		struct msg *found = q->perm.deleted ? NULL : find_msg_locked(q, r->type, r->mode);
		if (q->perm.deleted) {
			*err = -EIDRM;
		} else if (found && found->size > r->maxsize) {
			*err = -E2BIG;
		} else if (found && (flags & MSG_COPY)) {
			m = kmalloc(sizeof(*m) + found->size);
			if (m)
				memcpy(m, found, sizeof(*m) + found->size);
			else
				*err = -ENOMEM;
		} else if (found) {
			m = found;
			msg_unlink_locked(q, m);
			q->lrpid = ipc_current_pid();
			q->rtime = ipc_now();
			wake_senders_locked(q, 0);
		} else if (flags & IPC_NOWAIT) {
			*err = -ENOMSG;
		} else {
			m = wait_for_msg_locked(q, r, err);
		}
	}
	if (ipc_put(&q->perm))
		kfree(q);
	mutex_unlock(&msg_ids.lock);
	return m;
}

static enum search search_mode(long *type, int flags)
{
	if (flags & MSG_COPY)
		return SEARCH_NUMBER;
	if (*type == 0)
		return SEARCH_ANY;
	if (*type < 0) {
		*type = *type == INT64_MIN ? INT64_MAX : -*type;
		return SEARCH_LESSEQUAL;
	}
	return (flags & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
}

long sys_msgrcv(int id, void *umsgp, size_t size, long type, int flags)
{
	if (id < 0 || (long)size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) && ((flags & MSG_EXCEPT) || !(flags & IPC_NOWAIT)))
		return -EINVAL;
	struct msg_receiver r = { .type = type };
	r.mode = search_mode(&r.type, flags);
	r.maxsize = (flags & MSG_NOERROR) ? SIZE_MAX : size;
	long err;
	struct msg *m = msg_receive(id, &r, flags, &err);
	if (!m)
		return err;
	size_t n = MIN(size, m->size);
	long ret = (long)n;
	if (copy_to_user(umsgp, &m->mtype, sizeof(long)) ||
	    copy_to_user((char *)umsgp + sizeof(long), m->text, n))
		ret = -EFAULT;
	kfree(m);
	return ret;
}

/* ---- msgctl ---- */

static size_t msg_info_locked(int cmd, union ipc_ctl_buf *info)
{
	info->msginfo = (struct msginfo){
		.msgmni = IPC_LIMIT(msg_ctlmni), .msgmax = IPC_LIMIT(msg_ctlmax),
		.msgmnb = IPC_LIMIT(msg_ctlmnb), .msgssz = MSGSSZ, .msgseg = MSGSEG,
		.msgpool = MSGPOOL, .msgmap = MSGMAP, .msgtql = MSGTQL,
	};
	if (cmd == MSG_INFO) {
		info->msginfo.msgpool = msg_ids.in_use;
		info->msginfo.msgmap = (int)msg_total_count;
		info->msginfo.msgtql = (int)msg_total_bytes;
	}
	return sizeof(info->msginfo);
}

static void queue_stat_locked(struct kern_ipc_perm *p, union ipc_ctl_buf *buf)
{
	const struct msg_queue *q = queue_of(p);
	struct msqid64_ds *ds = &buf->msg;
	ipc64_perm_fill(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

static void queue_remove_locked(struct kern_ipc_perm *p)
{
	struct msg_queue *q = queue_of(p);
	ipc_remove_locked(&msg_ids, &q->perm);
	while (!list_empty(&q->receivers))
		ipc_wake_locked(list_first_entry(&q->receivers, struct ipc_waiter, link), -EIDRM);
	wake_senders_locked(q, -EIDRM);
	while (!list_empty(&q->messages)) {
		struct msg *m = list_first_entry(&q->messages, struct msg, link);
		msg_unlink_locked(q, m);
		kfree(m);
	}
	if (ipc_put(&q->perm))
		kfree(q);
}

/* IPC_SET: a larger msg_qbytes than msgmnb needs root. */
static long queue_set_locked(struct kern_ipc_perm *p, const union ipc_ctl_buf *buf)
{
	struct msg_queue *q = queue_of(p);
	const struct msqid64_ds *ds = &buf->msg;
	if (ds->msg_qbytes > (unsigned long)IPC_LIMIT(msg_ctlmnb) && !ipc_capable())
		return -EPERM;
	ipc_set_perm_locked(&q->perm, &ds->msg_perm);
	q->qbytes = ds->msg_qbytes;
	q->ctime = ipc_now();
	wake_senders_locked(q, 0);   /* there may be room now */
	return 0;
}

long sys_msgctl(int id, int cmd, void *ubuf)
{
	cmd &= ~IPC_64;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	return ipc_ctl(&msg_ops, id, cmd, ubuf);
}

static void queue_show_locked(struct kern_ipc_perm *p, struct pbuf *b)
{
	const struct msg_queue *q = queue_of(p);
	pbuf_printf(b, "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10ld %10ld %10ld\n",
		    q->perm.key, q->perm.id, q->perm.mode, q->cbytes, q->qnum, q->lspid,
		    q->lrpid, q->perm.uid, q->perm.gid, q->perm.cuid, q->perm.cgid,
		    (long)q->stime, (long)q->rtime, (long)q->ctime);
}

int proc_show_sysvipc_msg(const struct procfs_node *n, struct pbuf *b)
{
	return ipc_proc_show(&msg_ops, b);
}

static const struct ipc_ops msg_ops = {
	.ids = &msg_ids,
	.create_locked = queue_create_locked,
	.info_cmd = MSG_INFO, .stat_cmd = MSG_STAT, .stat_any_cmd = MSG_STAT_ANY,
	.info_locked = msg_info_locked,
	.stat_locked = queue_stat_locked,
	.ds_size = sizeof(struct msqid64_ds),
	.set_locked = queue_set_locked,
	.remove_locked = queue_remove_locked,
	.proc_header = "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
		       "      stime      rtime      ctime\n",
	.show_locked = queue_show_locked,
};
