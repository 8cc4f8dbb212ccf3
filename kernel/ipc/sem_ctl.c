/*
 * sem_ctl.c - semctl(2), every command, and /proc/sysvipc/sem.
 *
 * SETVAL and SETALL set values, clear the SEM_UNDO adjustments of the
 * semaphores they set in every process (as Linux), and serve the
 * sleepers the new values let through. IPC_RMID wakes every sleeper
 * with EIDRM and drops the array's undo entries.
 */
#include "ipc/sem_impl.h"
#include "fs/procfs/procfs.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The semaphores a GETALL/SETALL copies on the stack. */
#define SEM_FAST 64

/* ---- information ---- */

static long sem_info_cmd(int cmd, void *ubuf)
{
	struct seminfo si = {
		.semmni = IPC_LIMIT(sem_ctls[SEM_MNI]), .semmns = IPC_LIMIT(sem_ctls[SEM_MNS]),
		.semmsl = IPC_LIMIT(sem_ctls[SEM_MSL]), .semopm = IPC_LIMIT(sem_ctls[SEM_OPM]),
		.semmap = SEMMAP, .semmnu = SEMMNU, .semume = SEMUME, .semusz = SEMUSZ,
		.semvmx = SEMVMX, .semaem = SEMAEM,
	};
	mutex_lock(&sem_ids.lock);
	if (cmd == SEM_INFO) {
		si.semusz = sem_ids.in_use;
		si.semaem = (int)sem_used;
	}
	long ret = sem_ids.max_slot < 0 ? 0 : sem_ids.max_slot;
	mutex_unlock(&sem_ids.lock);
	return copy_to_user(ubuf, &si, sizeof(si)) ? -EFAULT : ret;
}

static long sem_stat_cmd(int id, int cmd, void *ubuf)
{
	struct semid64_ds ds;
	memset(&ds, 0, sizeof(ds));
	mutex_lock(&sem_ids.lock);
	long ret;
	struct sem_array *a = sem_array_of(ipc_find_for_stat_locked(&sem_ids, id, cmd != IPC_STAT,
								cmd == SEM_STAT_ANY, &ret));
	if (a) {
		ipc64_perm_fill(&a->perm, &ds.sem_perm);
		ds.sem_otime = a->otime;
		ds.sem_ctime = a->ctime;
		ds.sem_nsems = (unsigned long)a->nsems;
		if (cmd != IPC_STAT)
			ret = a->perm.id;
	}
	mutex_unlock(&sem_ids.lock);
	if (ret >= 0 && copy_to_user(ubuf, &ds, sizeof(ds)))
		return -EFAULT;
	return ret;
}

/* Sleepers whose blocking operation waits on semaphore num for an
 * increase (zero false) or for zero (GETNCNT, GETZCNT). */
static int count_waiters_locked(struct sem_array *a, int num, bool zero)
{
	int n = 0;
	struct ipc_waiter *w;
	list_for_each_entry(w, &a->pending, link) {
		struct sem_queue *q = container_of(w, struct sem_queue, w);
		const struct sembuf *op = &q->sops[q->blocking];
		if (op->sem_num == num && (zero ? op->sem_op == 0 : op->sem_op < 0))
			n++;
	}
	return n;
}

/* ---- changing values ---- */

/* The adjustments of semaphore num (all if -1) are void now. */
static void clear_undo_locked(struct sem_array *a, int num)
{
	struct sem_undo *un;
	list_for_each_entry(un, &a->undos, list_array) {
		if (num >= 0)
			un->semadj[num] = 0;
		else
			memset(un->semadj, 0, sizeof(short) * (size_t)a->nsems);
	}
}

static void values_set_locked(struct sem_array *a, int num, const unsigned short *vals)
{
	int pid = ipc_current_pid();
	for (int i = num < 0 ? 0 : num; i < (num < 0 ? a->nsems : num + 1); i++) {
		a->sems[i].semval = vals[num < 0 ? i : 0];
		a->sems[i].sempid = pid;
	}
	clear_undo_locked(a, num);
	a->ctime = ipc_now();
	sem_wake_pending_locked(a);
}

/* ---- removal ---- */

static void sem_remove_locked(struct sem_array *a)
{
	ipc_remove_locked(&sem_ids, &a->perm);
	while (!list_empty(&a->pending))
		ipc_wake_locked(list_first_entry(&a->pending, struct ipc_waiter, link), -EIDRM);
	while (!list_empty(&a->undos))
		sem_undo_free_locked(list_first_entry(&a->undos, struct sem_undo, list_array));
	sem_used -= a->nsems;
	if (ipc_put(&a->perm))
		kfree(a);
}

/* IPC_SET and IPC_RMID. */
static long sem_change_cmd(int id, int cmd, void *ubuf)
{
	struct semid64_ds ds;
	if (cmd == IPC_SET && copy_from_user(&ds, ubuf, sizeof(ds)))
		return -EFAULT;
	mutex_lock(&sem_ids.lock);
	struct sem_array *a = sem_array_of(ipc_find_id_locked(&sem_ids, id));
	long ret = a ? ipc_may_change(&a->perm) : -EINVAL;
	if (!ret && cmd == IPC_SET) {
		ipc_set_perm_locked(&a->perm, &ds.sem_perm);
		a->ctime = ipc_now();
	} else if (!ret) {
		sem_remove_locked(a);
	}
	mutex_unlock(&sem_ids.lock);
	return ret;
}

/* ---- the per-semaphore and whole-array commands ---- */

/* GETVAL, GETPID, GETNCNT, GETZCNT, SETVAL on semaphore num. */
static long sem_one_cmd(int id, int num, int cmd, int val)
{
	if (cmd == SETVAL && (val < 0 || val > SEMVMX))
		return -ERANGE;
	mutex_lock(&sem_ids.lock);
	struct sem_array *a = sem_array_of(ipc_find_id_locked(&sem_ids, id));
	long ret = a ? ipc_permission(&a->perm, cmd == SETVAL ? IPC_MAY_WRITE : IPC_MAY_READ) : -EINVAL;
	if (!ret && (num < 0 || num >= a->nsems))
		ret = -EINVAL;
	if (!ret) {
		unsigned short v = (unsigned short)val;
		switch (cmd) {
		case GETVAL: ret = a->sems[num].semval; break;
		case GETPID: ret = a->sems[num].sempid; break;
		case GETNCNT: ret = count_waiters_locked(a, num, false); break;
		case GETZCNT: ret = count_waiters_locked(a, num, true); break;
		default: values_set_locked(a, num, &v); break;
		}
	}
	mutex_unlock(&sem_ids.lock);
	return ret;
}

/* The array's size for GETALL/SETALL (and read or write permission). */
static int sem_nsems(int id, int want)
{
	mutex_lock(&sem_ids.lock);
	struct sem_array *a = sem_array_of(ipc_find_id_locked(&sem_ids, id));
	int ret = a ? ipc_permission(&a->perm, want) : -EINVAL;
	if (!ret)
		ret = a->nsems;
	mutex_unlock(&sem_ids.lock);
	return ret;
}

/* GETALL and SETALL. The values travel through a kernel buffer; the
 * array is looked up again with it filled (it may have gone: EIDRM is
 * Linux's answer then, EINVAL ours as for any stale id). */
static long sem_all_cmd(int id, int cmd, unsigned short *uarr)
{
	int n = sem_nsems(id, cmd == SETALL ? IPC_MAY_WRITE : IPC_MAY_READ);
	if (n < 0)
		return n;
	unsigned short fast[SEM_FAST];
	unsigned short *vals = n <= SEM_FAST ? fast : kmalloc(sizeof(*vals) * (size_t)n);
	if (!vals)
		return -ENOMEM;
	long ret = 0;
	if (cmd == SETALL && copy_from_user(vals, uarr, sizeof(*vals) * (size_t)n))
		ret = -EFAULT;
	for (int i = 0; !ret && cmd == SETALL && i < n; i++)
		if (vals[i] > SEMVMX)
			ret = -ERANGE;
	if (!ret) {
		mutex_lock(&sem_ids.lock);
		struct sem_array *a = sem_array_of(ipc_find_id_locked(&sem_ids, id));
		if (!a || a->nsems != n)
			ret = -EIDRM;
		else if (cmd == SETALL)
			values_set_locked(a, -1, vals);
		else
			for (int i = 0; i < n; i++)
				vals[i] = (unsigned short)a->sems[i].semval;
		mutex_unlock(&sem_ids.lock);
	}
	if (!ret && cmd == GETALL && copy_to_user(uarr, vals, sizeof(*vals) * (size_t)n))
		ret = -EFAULT;
	if (vals != fast)
		kfree(vals);
	return ret;
}

long sys_semctl(int id, int num, int cmd, unsigned long arg)
{
	cmd &= ~IPC_64;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info_cmd(cmd, (void *)arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sem_stat_cmd(id, cmd, (void *)arg);
	case IPC_SET:
	case IPC_RMID:
		return sem_change_cmd(id, cmd, (void *)arg);
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETVAL:
		return sem_one_cmd(id, num, cmd, (int)arg);
	case GETALL:
	case SETALL:
		return sem_all_cmd(id, cmd, (unsigned short *)arg);
	default:
		return -EINVAL;
	}
}

int proc_show_sysvipc_sem(const struct procfs_node *n, struct pbuf *b)
{
	pbuf_printf(b, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	mutex_lock(&sem_ids.lock);
	for (int i = 0; i <= sem_ids.max_slot; i++) {
		struct sem_array *a = sem_array_of(sem_ids.slots[i]);
		if (a)
			pbuf_printf(b, "%10d %10d  %4o %10u %5u %5u %5u %5u %10ld %10ld\n", a->perm.key,
				    a->perm.id, a->perm.mode, (unsigned)a->nsems, a->perm.uid, a->perm.gid,
				    a->perm.cuid, a->perm.cgid, (long)a->otime, (long)a->ctime);
	}
	mutex_unlock(&sem_ids.lock);
	return 0;
}
