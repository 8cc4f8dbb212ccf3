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

static size_t sem_info_locked(int cmd, union ipc_ctl_buf *info)
{
	info->seminfo = (struct seminfo){
		.semmni = IPC_LIMIT(sem_ctls[SEM_MNI]), .semmns = IPC_LIMIT(sem_ctls[SEM_MNS]),
		.semmsl = IPC_LIMIT(sem_ctls[SEM_MSL]), .semopm = IPC_LIMIT(sem_ctls[SEM_OPM]),
		.semmap = SEMMAP, .semmnu = SEMMNU, .semume = SEMUME, .semusz = SEMUSZ,
		.semvmx = SEMVMX, .semaem = SEMAEM,
	};
	if (cmd == SEM_INFO) {
		info->seminfo.semusz = sem_ids.in_use;
		info->seminfo.semaem = (int)sem_used;
	}
	return sizeof(info->seminfo);
}

static void sem_stat_locked(struct kern_ipc_perm *p, union ipc_ctl_buf *buf)
{
	const struct sem_array *a = sem_array_of(p);
	struct semid64_ds *ds = &buf->sem;
	ipc64_perm_fill(&a->perm, &ds->sem_perm);
	ds->sem_otime = a->otime;
	ds->sem_ctime = a->ctime;
	ds->sem_nsems = (unsigned long)a->nsems;
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

/* ---- IPC_SET and IPC_RMID ---- */

static long sem_set_locked(struct kern_ipc_perm *p, const union ipc_ctl_buf *ds)
{
	ipc_set_perm_locked(p, &ds->sem.sem_perm);
	sem_array_of(p)->ctime = ipc_now();
	return 0;
}

static void sem_remove_locked(struct kern_ipc_perm *p)
{
	struct sem_array *a = sem_array_of(p);
	ipc_remove_locked(&sem_ids, &a->perm);
	while (!list_empty(&a->pending))
		ipc_wake_locked(list_first_entry(&a->pending, struct ipc_waiter, link), -EIDRM);
	while (!list_empty(&a->undos))
		sem_undo_free_locked(list_first_entry(&a->undos, struct sem_undo, list_array));
	sem_used -= a->nsems;
	if (ipc_put(&a->perm))
		kfree(a);
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
 * array is looked up again with it filled (EIDRM, Linux's answer, if it
 * was removed meanwhile). */
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
		return ipc_ctl(&sem_ops, id, cmd, (void *)arg);
	}
}

static void sem_show_locked(struct kern_ipc_perm *p, struct pbuf *b)
{
	const struct sem_array *a = sem_array_of(p);
	pbuf_printf(b, "%10d %10d  %4o %10u %5u %5u %5u %5u %10ld %10ld\n", a->perm.key,
		    a->perm.id, a->perm.mode, (unsigned)a->nsems, a->perm.uid, a->perm.gid,
		    a->perm.cuid, a->perm.cgid, (long)a->otime, (long)a->ctime);
}

int proc_show_sysvipc_sem(const struct procfs_node *n, struct pbuf *b)
{
	return ipc_proc_show(&sem_ops, b);
}

const struct ipc_ops sem_ops = {
	.ids = &sem_ids,
	.create_locked = sem_create_locked,
	.check_locked = sem_check_locked,
	.info_cmd = SEM_INFO, .stat_cmd = SEM_STAT, .stat_any_cmd = SEM_STAT_ANY,
	.info_locked = sem_info_locked,
	.stat_locked = sem_stat_locked,
	.ds_size = sizeof(struct semid64_ds),
	.set_locked = sem_set_locked,
	.remove_locked = sem_remove_locked,
	.proc_header = "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n",
	.show_locked = sem_show_locked,
};
