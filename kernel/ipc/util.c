/*
 * util.c - identifiers, keys and permissions of System V IPC objects,
 * shared by shm.c, sem.c and msg.c (see ipc.h).
 */
#include "ipc/ipc.h"
#include "ipc/mqueue.h"
#include "mm/kmalloc.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "time/clock.h"
#include "fs/procfs/procfs.h"
#include <asm/ipcbuf.h>
#include <linux/time_types.h>

#define NSEC_PER_SEC 1000000000L

#define IPC_SLOTS_MIN 16

void ipc_ids_init(struct ipc_ids *ids, const char *name)
{
	memset(ids, 0, sizeof(*ids));
	mutex_init(&ids->lock, name);
	ids->name = name;
	ids->max_slot = -1;
}

void ipc_init(void)
{
	shm_init();
	sem_init();
	msg_init();
	mqueue_init();
}

/* The live object with key (not IPC_PRIVATE), or NULL. */
static struct kern_ipc_perm *find_key_locked(struct ipc_ids *ids, int32_t key)
{
	for (int i = 0; i <= ids->max_slot; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

/* The object in slot (SHM_STAT and the like), or NULL. */
static struct kern_ipc_perm *find_slot_locked(struct ipc_ids *ids, int slot)
{
	return slot >= 0 && slot <= ids->max_slot ? ids->slots[slot] : NULL;
}

struct kern_ipc_perm *ipc_find_id_locked(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct kern_ipc_perm *p = find_slot_locked(ids, id & (IPCMNI - 1));
	return p && p->id == id ? p : NULL;
}

/* The lowest free slot, growing the table if needed; -1 when out of memory. */
static int free_slot_locked(struct ipc_ids *ids)
{
	for (int i = 0; i < ids->cap; i++)
		if (!ids->slots[i])
			return i;
	if (ids->cap >= IPCMNI)
		return -1;
	int cap = ids->cap ? ids->cap * 2 : IPC_SLOTS_MIN;
	struct kern_ipc_perm **slots = kzalloc(sizeof(*slots) * (size_t)cap);
	if (!slots)
		return -1;
	if (ids->cap)
		memcpy(slots, ids->slots, sizeof(*slots) * (size_t)ids->cap);
	kfree(ids->slots);
	ids->slots = slots;
	int slot = ids->cap;
	ids->cap = cap;
	return slot;
}

int ipc_add_locked(struct ipc_ids *ids, struct kern_ipc_perm *p, int limit)
{
	if (ids->in_use >= limit)
		return -ENOSPC;
	int slot = free_slot_locked(ids);
	if (slot < 0)
		return -ENOMEM;
	const struct cred *me = current_cred();
	p->uid = p->cuid = me->euid;
	p->gid = p->cgid = me->egid;
	p->seq = (uint16_t)ids->seq;
	p->id = (int)(ids->seq << IPCMNI_SHIFT) | slot;
	if (++ids->seq > IPCID_SEQ_MAX)
		ids->seq = 0;
	p->deleted = false;
	p->refcount = 1;
	ids->slots[slot] = p;
	ids->in_use++;
	if (slot > ids->max_slot)
		ids->max_slot = slot;
	return 0;
}

void ipc_remove_locked(struct ipc_ids *ids, struct kern_ipc_perm *p)
{
	int slot = p->id & (IPCMNI - 1);
	ids->slots[slot] = NULL;
	ids->in_use--;
	while (ids->max_slot >= 0 && !ids->slots[ids->max_slot])
		ids->max_slot--;
	p->id = -1;
	p->deleted = true;
	p->key = IPC_PRIVATE;
	if (ids->in_use == 0) {   /* the table goes with its last object: no memory is kept */
		kfree(ids->slots);
		ids->slots = NULL;
		ids->cap = 0;
	}
}

void ipc_get(struct kern_ipc_perm *p)
{
	__atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
}

bool ipc_put(struct kern_ipc_perm *p)
{
	return __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

/* ---- get and ctl ---- */

long ipc_get_id(const struct ipc_ops *ops, int32_t key, int flags, long arg)
{
	struct ipc_ids *ids = ops->ids;
	mutex_lock(&ids->lock);
	struct kern_ipc_perm *p = key == IPC_PRIVATE ? NULL : find_key_locked(ids, key);
	long ret;
	if (!p)
		ret = key != IPC_PRIVATE && !(flags & IPC_CREAT) ? -ENOENT
		    : ops->create_locked(key, flags, arg);
	else if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		ret = -EEXIST;
	else if (!(ret = ipc_permission(p, flags & 0777)) && ops->check_locked)
		ret = ops->check_locked(p, arg);
	if (p && !ret)
		ret = p->id;
	mutex_unlock(&ids->lock);
	return ret;
}

/* IPC_INFO and *_INFO: the highest slot in use (0 if none) or -EFAULT. */
static long ctl_info(const struct ipc_ops *ops, int cmd, void *ubuf)
{
	union ipc_ctl_buf info;
	memset(&info, 0, sizeof(info));
	mutex_lock(&ops->ids->lock);
	size_t size = ops->info_locked(cmd, &info);
	long ret = MAX(ops->ids->max_slot, 0);
	mutex_unlock(&ops->ids->lock);
	return copy_to_user(ubuf, &info, size) ? -EFAULT : ret;
}

/* IPC_STAT (id an identifier; 0), *_STAT (id a slot; the object's id)
 * and *_STAT_ANY (the same without read permission). */
static long ctl_stat(const struct ipc_ops *ops, int id, int cmd, void *ubuf)
{
	union ipc_ctl_buf ds;
	memset(&ds, 0, sizeof(ds));
	mutex_lock(&ops->ids->lock);
	struct kern_ipc_perm *p = cmd == IPC_STAT ? ipc_find_id_locked(ops->ids, id)
						 : find_slot_locked(ops->ids, id);
	long ret = !p ? -EINVAL : cmd == ops->stat_any_cmd ? 0 : ipc_permission(p, IPC_MAY_READ);
	if (!ret) {
		ops->stat_locked(p, &ds);
		ret = cmd == IPC_STAT ? 0 : p->id;
	}
	mutex_unlock(&ops->ids->lock);
	if (ret >= 0 && copy_to_user(ubuf, &ds, ops->ds_size))
		return -EFAULT;
	return ret;
}

/* IPC_SET (the caller's *id64_ds read first) and IPC_RMID: the owner,
 * the creator or CAP_SYS_ADMIN. */
static long ctl_change(const struct ipc_ops *ops, int id, int cmd, void *ubuf)
{
	union ipc_ctl_buf ds;
	if (cmd == IPC_SET && copy_from_user(&ds, ubuf, ops->ds_size))
		return -EFAULT;
	mutex_lock(&ops->ids->lock);
	struct kern_ipc_perm *p = ipc_find_id_locked(ops->ids, id);
	long ret = p ? ipc_may_change(p) : -EINVAL;
	if (!ret && cmd == IPC_SET)
		ret = ops->set_locked(p, &ds);
	else if (!ret)
		ops->remove_locked(p);
	mutex_unlock(&ops->ids->lock);
	return ret;
}

long ipc_ctl(const struct ipc_ops *ops, int id, int cmd, void *ubuf)
{
	if (cmd == IPC_INFO || cmd == ops->info_cmd)
		return ctl_info(ops, cmd, ubuf);
	if (cmd == IPC_STAT || cmd == ops->stat_cmd || cmd == ops->stat_any_cmd)
		return ctl_stat(ops, id, cmd, ubuf);
	if (cmd == IPC_SET || cmd == IPC_RMID)
		return ctl_change(ops, id, cmd, ubuf);
	return -EINVAL;
}

int ipc_proc_show(const struct ipc_ops *ops, struct pbuf *b)
{
	pbuf_printf(b, "%s", ops->proc_header);
	mutex_lock(&ops->ids->lock);
	for (int i = 0; i <= ops->ids->max_slot; i++)
		if (ops->ids->slots[i])
			ops->show_locked(ops->ids->slots[i], b);
	mutex_unlock(&ops->ids->lock);
	return 0;
}

/* ---- permissions ----
 * The one place that decides who may do what with an IPC object, as
 * Linux's ipcperms and ipcctl_obtain_check: the owner or creator by
 * effective uid, the group by fsgid or supplementary groups (proc/cred.h);
 * CAP_IPC_OWNER passes the mode bits, CAP_SYS_ADMIN the owner checks. */

bool ipc_capable(void)
{
	return capable(CAP_SYS_ADMIN);
}

static bool is_owner(const struct kern_ipc_perm *p)
{
	uint32_t euid = current_cred()->euid;
	return euid == p->uid || euid == p->cuid;
}

static bool in_group(const struct kern_ipc_perm *p)
{
	const struct cred *c = current_cred();
	return cred_in_group(c, p->gid) || cred_in_group(c, p->cgid);
}

int ipc_permission(const struct kern_ipc_perm *p, int want)
{
	int requested = (want >> 6) | (want >> 3) | want;
	int granted = (int)p->mode;
	if (is_owner(p))
		granted >>= 6;
	else if (in_group(p))
		granted >>= 3;
	if ((requested & ~granted & 07) && !capable(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_may_change(const struct kern_ipc_perm *p)
{
	return is_owner(p) || ipc_capable() ? 0 : -EPERM;
}

void ipc64_perm_fill(const struct kern_ipc_perm *p, struct ipc64_perm *out)
{
	memset(out, 0, sizeof(*out));
	out->key = p->key;
	out->uid = p->uid;
	out->gid = p->gid;
	out->cuid = p->cuid;
	out->cgid = p->cgid;
	out->mode = p->mode;
	out->seq = p->seq;
}

void ipc_set_perm_locked(struct kern_ipc_perm *p, const struct ipc64_perm *in)
{
	p->uid = in->uid;
	p->gid = in->gid;
	p->mode = (p->mode & ~0777u) | (in->mode & 0777u);
}

/* ---- sleeping ---- */

int ipc_sleep(struct mutex *lock, struct ipc_waiter *w, uint64_t deadline)
{
	int err = 0;
	mutex_unlock(lock);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (__atomic_load_n(&w->status, __ATOMIC_ACQUIRE) != IPC_PENDING)
			break;
		if (signal_pending_current()) {
			err = -ERESTARTNOHAND;
			break;
		}
		if (deadline == IPC_NO_DEADLINE) {
			schedule();
		} else if (deadline_passed(deadline)) {
			err = -EAGAIN;
			break;
		} else {
			schedule_until(deadline);
		}
	}
	set_current_state(TASK_RUNNING);
	mutex_lock(lock);
	return w->status != IPC_PENDING ? 0 : err;
}

void ipc_wake_locked(struct ipc_waiter *w, int status)
{
	struct task *t = w->task;
	list_del(&w->link);
	__atomic_store_n(&w->status, status, __ATOMIC_RELEASE);
	wake_task(t, false);
}

static int timespec_ns(const struct __kernel_timespec *ut, uint64_t *ns)
{
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, ut, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	uint64_t max_sec = (IPC_NO_DEADLINE - 1) / NSEC_PER_SEC / 4;
	*ns = MIN((uint64_t)ts.tv_sec, max_sec) * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

int ipc_relative_deadline(const struct __kernel_timespec *ut, uint64_t *deadline)
{
	uint64_t ns;
	*deadline = IPC_NO_DEADLINE;
	int err = ut ? timespec_ns(ut, &ns) : 0;
	if (ut && !err)
		*deadline = arch_clock_ns() + ns;
	return err;
}

int ipc_realtime_deadline(const struct __kernel_timespec *ut, uint64_t *deadline)
{
	uint64_t ns;
	*deadline = IPC_NO_DEADLINE;
	int err = ut ? timespec_ns(ut, &ns) : 0;
	if (ut && !err)
		*deadline = deadline_realtime(ns);   /* follows the wall clock when it is set */
	return err;
}

int64_t ipc_now(void)
{
	return vfs_now().sec;
}

int ipc_current_pid(void)
{
	return current->proc->pid;
}
