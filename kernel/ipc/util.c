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

struct kern_ipc_perm *ipc_find_key_locked(struct ipc_ids *ids, int32_t key)
{
	for (int i = 0; i <= ids->max_slot; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

struct kern_ipc_perm *ipc_find_slot_locked(struct ipc_ids *ids, int slot)
{
	return slot >= 0 && slot <= ids->max_slot ? ids->slots[slot] : NULL;
}

struct kern_ipc_perm *ipc_find_id_locked(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct kern_ipc_perm *p = ipc_find_slot_locked(ids, id & (IPCMNI - 1));
	return p && p->id == id ? p : NULL;
}

struct kern_ipc_perm *ipc_find_for_stat_locked(struct ipc_ids *ids, int id, bool by_slot, bool any,
					       long *err)
{
	struct kern_ipc_perm *p = by_slot ? ipc_find_slot_locked(ids, id) : ipc_find_id_locked(ids, id);
	*err = p ? 0 : -EINVAL;
	if (p && !any)
		*err = ipc_permission(p, IPC_MAY_READ);
	return *err ? NULL : p;
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

struct kern_ipc_perm *ipc_lookup_for_get_locked(struct ipc_ids *ids, int32_t key, int flags, int *err)
{
	struct kern_ipc_perm *p = key == IPC_PRIVATE ? NULL : ipc_find_key_locked(ids, key);
	*err = 0;
	if (!p) {
		if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
			*err = -ENOENT;
		return NULL;
	}
	if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		*err = -EEXIST;
	else
		*err = ipc_permission(p, flags & 0777);
	return *err ? NULL : p;
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
		} else if (arch_clock_ns() >= deadline) {
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
	if (ut && !err) {
		int64_t offset = clock_realtime_offset_ns();
		*deadline = (int64_t)ns > offset ? ns - (uint64_t)offset : 0;
	}
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
