/*
 * ipc.h - what System V IPC's three kinds (shared memory, semaphores,
 * message queues) share: identifiers, keys, ipc_perm and its checks
 * (docs/ipc.md).
 *
 * Each kind keeps its objects in a struct ipc_ids: a table of slots
 * indexed by the low 15 bits of an identifier. As Linux, an identifier
 * is seq << 15 | slot, where seq is the table's counter at creation, so
 * that an identifier of a removed object does not name its successor in
 * the same slot.
 *
 * Locks: ids->lock (a mutex, one per kind) guards the table, every
 * object's ipc_perm and the kind's own state of its objects. It is held
 * across nothing that sleeps for long: sleepers (semop, msgsnd, msgrcv)
 * drop it and hold a reference (perm->refcount) on their object, which
 * lives until the last reference goes even when removed (perm->deleted).
 * Copies to and from user memory are done with it dropped.
 */
#ifndef ASPEN_IPC_IPC_H
#define ASPEN_IPC_IPC_H
#include "lib/kernel.h"
#include "sync/mutex.h"
#include "lib/list.h"
#include <linux/ipc.h>
#include <linux/sem.h>
#include <linux/msg.h>
#include <asm/shmbuf.h>
#include <asm/sembuf.h>
#include <asm/msgbuf.h>

#define IPCMNI_SHIFT 15
#define IPCMNI (1 << IPCMNI_SHIFT)        /* slots per kind, Linux's */
#define IPCID_SEQ_MAX (INT32_MAX >> IPCMNI_SHIFT)

/* The parts of ipc_perm every object has. (L) ids->lock; (a) atomic. */
struct kern_ipc_perm {
	int id;                  /* (L) seq << 15 | slot; -1 when removed */
	int32_t key;             /* (L) IPC_PRIVATE after IPC_RMID, as Linux shows it */
	uint32_t uid, gid;       /* (L) owner */
	uint32_t cuid, cgid;     /* (L) creator */
	uint32_t mode;           /* (L) permission bits, plus SHM_DEST/SHM_LOCKED */
	uint16_t seq;            /* (L) */
	bool deleted;            /* (L) removed: sleepers see EIDRM */
	uint32_t refcount;       /* (a) the table's, and each sleeper's */
};

struct ipc_ids {
	struct mutex lock;
	const char *name;                 /* "shm", "sem", "msg" */
	struct kern_ipc_perm **slots;     /* (L) cap entries, NULL when free */
	int cap;                          /* (L) */
	int in_use;                       /* (L) live objects */
	int max_slot;                     /* (L) highest slot in use, -1 if none */
	uint32_t seq;                     /* (L) for the next identifier */
};

void ipc_ids_init(struct ipc_ids *ids, const char *name);
/* ipc_init - the tables of the three kinds (boot, once). */
void ipc_init(void);
void shm_init(void);
void sem_init(void);
void msg_init(void);

/* IPC_LIMIT - a limit's current value (a tunable under /proc/sys/kernel). */
#define IPC_LIMIT(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)

/* ipc_find_id_locked - the object with identifier id, or NULL (-EINVAL
 * for the caller: a stale or never used id). */
struct kern_ipc_perm *ipc_find_id_locked(struct ipc_ids *ids, int id);
/* ipc_add_locked - enter p (key and mode set) with the caller as owner
 * and creator; fills id and seq, refcount 1 (the table's). 0, -ENOSPC
 * (limit objects in use), -ENOMEM. */
int ipc_add_locked(struct ipc_ids *ids, struct kern_ipc_perm *p, int limit);
/* ipc_remove_locked - take p out of the table (IPC_RMID, or its last
 * detach): id -1, deleted, key IPC_PRIVATE. The table's reference is
 * the caller's to drop. */
void ipc_remove_locked(struct ipc_ids *ids, struct kern_ipc_perm *p);
/* ipc_get / ipc_put - a reference on p; ipc_put returns true when it
 * dropped the last one (the caller frees the object). */
void ipc_get(struct kern_ipc_perm *p);
bool ipc_put(struct kern_ipc_perm *p);

/* ---- what the get and ctl calls of the three kinds share ----
 * A kind describes itself in a struct ipc_ops (Linux's ipc_ops and the
 * common half of its *ctl calls); util.c does the lookups, permission
 * checks, locking and user copies, the kind only reads and changes its
 * own objects, with ids->lock held in every hook. */

/* SHM_INFO's answer (<linux/shm.h> wants libc headers): Linux's layout. */
struct shm_info {
	int used_ids;
	unsigned long shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

/* What a ctl command copies to or from the caller. */
union ipc_ctl_buf {
	struct shmid64_ds shm;
	struct semid64_ds sem;
	struct msqid64_ds msg;
	struct shminfo64 shminfo;
	struct shm_info shm_info;
	struct seminfo seminfo;
	struct msginfo msginfo;
};

struct pbuf;
struct ipc_ops {
	struct ipc_ids *ids;
	/* get: a new object for key (flags' low 9 bits its mode); its id or
	 * -errno. arg is the call's size or nsems. */
	long (*create_locked)(int32_t key, int flags, long arg);
	/* get: may the found object serve arg? 0 or -EINVAL. NULL: yes. */
	int (*check_locked)(struct kern_ipc_perm *p, long arg);
	/* ctl: the kind's numbers for *_INFO, *_STAT and *_STAT_ANY. */
	int info_cmd, stat_cmd, stat_any_cmd;
	/* IPC_INFO or *_INFO (cmd says which): fill the kind's info
	 * structure (zeroed); returns its size. */
	size_t (*info_locked)(int cmd, union ipc_ctl_buf *info);
	/* IPC_STAT and the like: fill the kind's *id64_ds (zeroed) from p. */
	void (*stat_locked)(struct kern_ipc_perm *p, union ipc_ctl_buf *ds);
	size_t ds_size;
	/* IPC_SET from the caller's *id64_ds (owner checked): 0 or -errno. */
	long (*set_locked)(struct kern_ipc_perm *p, const union ipc_ctl_buf *ds);
	/* IPC_RMID (owner checked). */
	void (*remove_locked)(struct kern_ipc_perm *p);
	/* /proc/sysvipc/<kind>: its header line, then one line an object. */
	const char *proc_header;
	void (*show_locked)(struct kern_ipc_perm *p, struct pbuf *b);
};

/* ipc_get_id - shmget, semget, msgget: the object for key under flags
 * (IPC_CREAT, IPC_EXCL), checking the access the low mode bits of flags
 * ask for, created if missing and asked. Its id, or -ENOENT, -EEXIST,
 * -EACCES, or the kind's error. Takes and drops ids->lock. */
long ipc_get_id(const struct ipc_ops *ops, int32_t key, int flags, long arg);
/* ipc_ctl - the commands every kind has: IPC_INFO and the kind's
 * *_INFO (return the highest slot in use), IPC_STAT (0), *_STAT and
 * *_STAT_ANY (id is a slot; return the object's id), IPC_SET and
 * IPC_RMID (0). -EINVAL for an unknown id or another command, -EACCES,
 * -EPERM, -EFAULT. Takes and drops ids->lock. */
long ipc_ctl(const struct ipc_ops *ops, int id, int cmd, void *ubuf);
/* ipc_proc_show - a /proc/sysvipc file: the header and every object. */
int ipc_proc_show(const struct ipc_ops *ops, struct pbuf *b);

/* ---- permissions (root-only logic until credentials grow) ---- */
#define IPC_MAY_READ  0444
#define IPC_MAY_WRITE 0222

/* ipc_permission - may the caller access p as want asks (IPC_MAY_* or
 * the low mode bits of a get call's flags)? 0 or -EACCES. Owner bits for
 * the owner or creator, group bits for either group, else other bits;
 * root (CAP_IPC_OWNER) passes. */
int ipc_permission(const struct kern_ipc_perm *p, int want);
/* ipc_may_change - IPC_SET and IPC_RMID: the caller is the owner or the
 * creator, or root (CAP_SYS_ADMIN). 0 or -EPERM. */
int ipc_may_change(const struct kern_ipc_perm *p);
/* ipc_capable - the caller has CAP_SYS_ADMIN (over others' objects). */
bool ipc_capable(void);

/* ---- sleeping: semop, msgsnd, msgrcv, mq_timed* ----
 * A sleeper queues an ipc_waiter on its object with the lock held, then
 * ipc_sleep drops the lock until a waker (holding the lock) gives it a
 * status with ipc_wake_locked, a signal comes or the deadline passes.
 * The waker holds the lock while it wakes, and the sleeper takes the
 * lock again before returning, so the waiter (on the sleeper's stack)
 * and its task outlive the wake-up. */
#define IPC_PENDING 1            /* ipc_waiter.status before a waker sets it */
#define IPC_NO_DEADLINE UINT64_MAX

struct task;
struct ipc_waiter {
	struct list_head link;   /* (L) in the object's queue */
	struct task *task;
	int status;              /* (L) IPC_PENDING, then 0 or -errno */
};

/* ipc_sleep - with lock held and w queued: sleep (lock dropped) until w
 * has a status, a signal is pending or the deadline (monotonic ns)
 * passes. Returns with the lock held: 0 if w->status was set, else
 * -ERESTARTNOHAND (signal) or -EAGAIN (deadline); the caller then
 * dequeues w unless a waker set its status meanwhile. */
int ipc_sleep(struct mutex *lock, struct ipc_waiter *w, uint64_t deadline);
/* ipc_wake_locked - give w its status and wake its task; lock held. */
void ipc_wake_locked(struct ipc_waiter *w, int status);
/* ipc_relative_deadline - a relative timeout (NULL: none) from user
 * memory as a monotonic deadline; 0, -EFAULT, -EINVAL. */
struct __kernel_timespec;
int ipc_relative_deadline(const struct __kernel_timespec *ut, uint64_t *deadline);
/* ipc_realtime_deadline - an absolute CLOCK_REALTIME time (NULL: none)
 * as a wall-clock deadline (sync/sleep.h: it follows the clock when it
 * is set); 0, -EFAULT, -EINVAL. */
int ipc_realtime_deadline(const struct __kernel_timespec *ut, uint64_t *deadline);

/* ipc64_perm_fill - the user view of p. */
struct ipc64_perm;
void ipc64_perm_fill(const struct kern_ipc_perm *p, struct ipc64_perm *out);
/* ipc_set_perm_locked - IPC_SET's uid, gid and low 9 mode bits. */
void ipc_set_perm_locked(struct kern_ipc_perm *p, const struct ipc64_perm *in);

/* ipc_now - seconds since 1970 for the *_time fields. */
int64_t ipc_now(void);
/* ipc_current_pid - the caller's process id (tgid). */
int ipc_current_pid(void);

/* exit_sem - apply and free the task's semaphore undo list if it holds
 * the last reference (sem.c). copy_semundo - clone's share (CLONE_SYSVSEM)
 * or none; 0 or -ENOMEM. */
struct task;
void exit_sem(struct task *t);
int copy_semundo(uint64_t clone_flags, struct task *child);

/* shm_region_name - if inode backs a System V segment, its name as
 * /proc/PID/maps shows it ("/SYSV%08x (deleted)") into buf; true if so. */
struct inode;
bool shm_region_name(struct inode *inode, char *buf, size_t size);
/* shm_counts - segments in use and their pages (system wide). */
void shm_counts(uint64_t *segments, uint64_t *pages);

/* The /proc/sysvipc files: each kind's objects in Linux's columns. */
struct pbuf;
struct procfs_node;
int proc_show_sysvipc_shm(const struct procfs_node *n, struct pbuf *b);
int proc_show_sysvipc_sem(const struct procfs_node *n, struct pbuf *b);
int proc_show_sysvipc_msg(const struct procfs_node *n, struct pbuf *b);
#endif
