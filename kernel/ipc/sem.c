/*
 * sem.c - System V semaphores: semget, semop, semtimedop, and the
 * SEM_UNDO adjustments applied when a process exits. semctl is in
 * sem_ctl.c; what both need is in sem_impl.h.
 *
 * A semop is a list of operations on one array, done all at once or
 * not at all (perform_ops). One that cannot proceed sleeps on the
 * array's pending queue, unless IPC_NOWAIT. Whenever an array's values
 * change, the pending operations are tried again in the order they
 * came (wake_pending_locked): one that now succeeds is done there and
 * then, by the task that changed the values, and its sleeper is woken
 * with the result, as Linux's update_queue does; one that now fails
 * (ERANGE) is woken with the error. A new semop does not queue behind
 * sleepers when it can proceed at once.
 *
 * SEM_UNDO: each operation with it adds the opposite to the caller's
 * adjustment for that semaphore (semadj), kept in a sem_undo per array
 * in the task's undo list (shared by CLONE_SYSVSEM threads). When the
 * last task sharing the list exits, every adjustment is applied,
 * clamped to [0, SEMVMX], as Linux's exit_sem. SETVAL and SETALL clear
 * the adjustments of the semaphores they set, in every process.
 *
 * Locks: sem_ids.lock guards every array, its queue, values and undo
 * entries, and every undo list.
 */
#include "ipc/sem_impl.h"
#include "sys/sysctl.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/task.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/time_types.h>
#include <linux/sched.h>

#define SEMOPS_FAST 8       /* operations copied onto the stack */

struct ipc_ids sem_ids;
int sem_ctls[4] = { SEMMSL_DEFAULT, SEMMNS_DEFAULT, SEMOPM_DEFAULT, SEMMNI_DEFAULT };
long sem_used;              /* (L) semaphores in all arrays */

/* kernel.sem: "SEMMSL SEMMNS SEMOPM SEMMNI"; SEMMNI past IPCMNI is
 * ERANGE and keeps its old value (the others stay written), as Linux. */
static long store_sem(const struct sysctl *s, const char *text, size_t len)
{
	int mni = IPC_LIMIT(sem_ctls[SEM_MNI]);
	long took = sysctl_store_intvec(s, text, len);
	int now = IPC_LIMIT(sem_ctls[SEM_MNI]);
	if (took >= 0 && (now < 0 || now > IPCMNI)) {
		__atomic_store_n(&sem_ctls[SEM_MNI], mni, __ATOMIC_RELAXED);
		return -ERANGE;
	}
	return took;
}
SYSCTL_DECLARE("kernel/sem", 0644, sem_ctls, sizeof(sem_ctls), INT32_MIN, INT32_MAX,
	       sysctl_show_intvec, store_sem);

void sem_init(void)
{
	ipc_ids_init(&sem_ids, "sem_ids");
}

struct sem_array *sem_array_of(struct kern_ipc_perm *p)
{
	return p ? container_of(p, struct sem_array, perm) : NULL;
}

/* ---- semget ---- */

long sem_create_locked(int32_t key, int flags, long nsems)
{
	if (nsems <= 0)
		return -EINVAL;
	if (sem_used + nsems > IPC_LIMIT(sem_ctls[SEM_MNS]))
		return -ENOSPC;
	struct sem_array *a = kzalloc(sizeof(*a) + sizeof(struct sem) * (size_t)nsems);
	if (!a)
		return -ENOMEM;
	a->perm.key = key;
	a->perm.mode = (uint32_t)flags & 0777;
	a->nsems = (int)nsems;
	a->ctime = ipc_now();
	list_init(&a->pending);
	list_init(&a->undos);
	int err = ipc_add_locked(&sem_ids, &a->perm, IPC_LIMIT(sem_ctls[SEM_MNI]));
	if (err) {
		kfree(a);
		return err;
	}
	sem_used += nsems;
	return a->perm.id;
}

int sem_check_locked(struct kern_ipc_perm *p, long nsems)
{
	return nsems > sem_array_of(p)->nsems ? -EINVAL : 0;
}

long sys_semget(int32_t key, int nsems, int flags)
{
	if (nsems < 0 || nsems > IPC_LIMIT(sem_ctls[SEM_MSL]))
		return -EINVAL;
	return ipc_get_id(&sem_ops, key, flags, nsems);
}

/* ---- doing operations ---- */

/* Try every operation of sops on a: 0 when all were done (values,
 * sempid and undo updated), 1 when one must wait (*blocking says which;
 * nothing changed), -ERANGE (a value or adjustment out of range) or
 * -EAGAIN (would wait, IPC_NOWAIT on that operation). (L) held. */
static int perform_ops(struct sem_array *a, const struct sembuf *sops, int nsops,
		       struct sem_undo *un, int pid, int *blocking)
{
	int i;
	for (i = 0; i < nsops; i++) {
		const struct sembuf *op = &sops[i];
		int cur = a->sems[op->sem_num].semval, result = cur + op->sem_op;
		if ((op->sem_op == 0 && cur != 0) || result < 0)
			goto would_block;
		if (result > SEMVMX)
			goto out_of_range;
		if (op->sem_flg & SEM_UNDO) {
			int adj = un->semadj[op->sem_num] - op->sem_op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM)
				goto out_of_range;
		}
		a->sems[op->sem_num].semval = result;
	}
	for (i = 0; i < nsops; i++) {
		const struct sembuf *op = &sops[i];
		a->sems[op->sem_num].sempid = pid;
		if (op->sem_flg & SEM_UNDO)
			un->semadj[op->sem_num] -= op->sem_op;
	}
	return 0;
would_block:
	*blocking = i;
	while (--i >= 0)
		a->sems[sops[i].sem_num].semval -= sops[i].sem_op;
	return (sops[*blocking].sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
out_of_range:
	while (--i >= 0)
		a->sems[sops[i].sem_num].semval -= sops[i].sem_op;
	return -ERANGE;
}

static bool ops_alter(const struct sembuf *sops, int nsops)
{
	for (int i = 0; i < nsops; i++)
		if (sops[i].sem_op)
			return true;
	return false;
}

/* The values of a changed: do what the sleepers wait for, in the order
 * they came, until a pass finds nothing more to do. (L) held. */
void sem_wake_pending_locked(struct sem_array *a)
{
	bool progress = true;
	while (progress) {
		progress = false;
		struct sem_queue *q, *n;
		list_for_each_entry_safe(q, n, &a->pending, w.link) {
			int r = perform_ops(a, q->sops, q->nsops, q->undo, q->pid, &q->blocking);
			if (r == 1)
				continue;
			if (r == 0) {
				a->otime = ipc_now();
				progress = ops_alter(q->sops, q->nsops);
			}
			ipc_wake_locked(&q->w, r);
			if (progress)
				break;   /* values changed: start again from the oldest */
		}
	}
}

/* ---- undo ---- */

static struct sem_undo_list *undo_list_get(void)
{
	struct task *t = current;
	if (!t->sysvsem) {
		struct sem_undo_list *ul = kzalloc(sizeof(*ul));
		if (!ul)
			return NULL;
		ul->refcount = 1;
		list_init(&ul->units);
		t->sysvsem = ul;
	}
	return t->sysvsem;
}

/* The caller's undo entry for a, made if missing; NULL on OOM. (L) held. */
static struct sem_undo *undo_find_or_add_locked(struct sem_array *a)
{
	struct sem_undo_list *ul = undo_list_get();
	if (!ul)
		return NULL;
	struct sem_undo *un;
	list_for_each_entry(un, &ul->units, list_proc)
		if (un->array == a)
			return un;
	un = kzalloc(sizeof(*un) + sizeof(short) * (size_t)a->nsems);
	if (!un)
		return NULL;
	un->array = a;
	un->list = ul;
	list_add_tail(&un->list_proc, &ul->units);
	list_add_tail(&un->list_array, &a->undos);
	return un;
}

void sem_undo_free_locked(struct sem_undo *un)
{
	list_del(&un->list_proc);
	list_del(&un->list_array);
	kfree(un);
}

int copy_semundo(uint64_t clone_flags, struct task *child)
{
	child->sysvsem = NULL;
	if (!(clone_flags & CLONE_SYSVSEM))
		return 0;
	/* Only the caller sets its own sysvsem: read without the lock.
	 * Once it has one (every thread but the first), no lock at all. */
	struct sem_undo_list *ul = current->sysvsem;
	if (!ul) {
		mutex_lock(&sem_ids.lock);
		ul = undo_list_get();
		mutex_unlock(&sem_ids.lock);
		if (!ul)
			return -ENOMEM;
	}
	__atomic_add_fetch(&ul->refcount, 1, __ATOMIC_RELAXED);   /* the caller holds one */
	child->sysvsem = ul;
	return 0;
}

/* Apply one process's adjustments to its array, clamped, and let the
 * sleepers see the new values. (L) held. */
static void undo_apply_locked(struct sem_undo *un, int pid)
{
	struct sem_array *a = un->array;
	for (int i = 0; i < a->nsems; i++) {
		if (!un->semadj[i])
			continue;
		int v = a->sems[i].semval + un->semadj[i];
		a->sems[i].semval = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
		a->sems[i].sempid = pid;
	}
	sem_undo_free_locked(un);
	sem_wake_pending_locked(a);
}

void exit_sem(struct task *t)
{
	struct sem_undo_list *ul = t->sysvsem;
	if (!ul)
		return;
	t->sysvsem = NULL;
	if (__atomic_sub_fetch(&ul->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;   /* another task still shares it: nothing to undo yet */
	mutex_lock(&sem_ids.lock);
	while (!list_empty(&ul->units))
		undo_apply_locked(list_first_entry(&ul->units, struct sem_undo, list_proc), t->proc->pid);
	kfree(ul);
	mutex_unlock(&sem_ids.lock);
}

/* ---- semop ---- */

/* Check sops against a: EFBIG (a semaphore number past the array),
 * EACCES (alter without write or wait-for-zero without read
 * permission). Sets *undo when an operation asks SEM_UNDO. (L) held. */
static int check_ops_locked(struct sem_array *a, const struct sembuf *sops, int nsops, bool *undo)
{
	*undo = false;
	for (int i = 0; i < nsops; i++) {
		if (sops[i].sem_num >= a->nsems)
			return -EFBIG;
		if (sops[i].sem_flg & SEM_UNDO)
			*undo = true;
	}
	return ipc_permission(&a->perm, ops_alter(sops, nsops) ? IPC_MAY_WRITE : IPC_MAY_READ);
}

/* Sleep on a until the operations are done for us; (L) held on entry
 * and exit, a referenced by the caller. The result, or -EIDRM. */
static int wait_for_ops_locked(struct sem_array *a, struct sem_queue *q, uint64_t deadline)
{
	q->w.task = current;
	q->w.status = IPC_PENDING;
	list_add_tail(&q->w.link, &a->pending);
	int err = ipc_sleep(&sem_ids.lock, &q->w, deadline);
	if (q->w.status != IPC_PENDING)
		return q->w.status;
	list_del(&q->w.link);   /* a signal or the deadline, and nobody did it for us */
	return err;
}

static long do_semop(int id, struct sembuf *sops, int nsops, uint64_t deadline)
{
	mutex_lock(&sem_ids.lock);
	struct sem_array *a = sem_array_of(ipc_find_id_locked(&sem_ids, id));
	bool want_undo;
	long err = a ? check_ops_locked(a, sops, nsops, &want_undo) : -EINVAL;
	struct sem_queue q = { .sops = sops, .nsops = nsops, .pid = ipc_current_pid() };
	if (!err && want_undo && !(q.undo = undo_find_or_add_locked(a)))
		err = -ENOMEM;
	if (!err)
		err = perform_ops(a, sops, nsops, q.undo, q.pid, &q.blocking);
	if (err == 0) {
		a->otime = ipc_now();
		if (ops_alter(sops, nsops))
			sem_wake_pending_locked(a);
	} else if (err == 1) {
		ipc_get(&a->perm);
		err = wait_for_ops_locked(a, &q, deadline);
		if (ipc_put(&a->perm))
			kfree(a);   /* removed while we slept (we saw -EIDRM) */
	}
	mutex_unlock(&sem_ids.lock);
	return err;
}

long sys_semtimedop(int id, struct sembuf *usops, unsigned nsops, const struct __kernel_timespec *ut)
{
	if (id < 0 || nsops < 1)
		return -EINVAL;
	if (nsops > (unsigned)IPC_LIMIT(sem_ctls[SEM_OPM]))
		return -E2BIG;
	uint64_t deadline;
	int err = ipc_relative_deadline(ut, &deadline);
	if (err)
		return err;
	struct sembuf fast[SEMOPS_FAST];
	struct sembuf *sops = nsops <= SEMOPS_FAST ? fast : kmalloc(sizeof(*sops) * nsops);
	if (!sops)
		return -ENOMEM;
	long ret = copy_from_user(sops, usops, sizeof(*sops) * nsops) ? -EFAULT
		 : do_semop(id, sops, (int)nsops, deadline);
	if (sops != fast)
		kfree(sops);
	return ret;
}

long sys_semop(int id, struct sembuf *usops, unsigned nsops)
{
	return sys_semtimedop(id, usops, nsops, NULL);
}
