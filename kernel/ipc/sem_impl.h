/*
 * sem_impl.h - what sem.c (semget, semop, undo) and sem_ctl.c (semctl,
 * /proc/sysvipc/sem) share. All of it is guarded by sem_ids.lock (L).
 */
#ifndef ASPEN_IPC_SEM_IMPL_H
#define ASPEN_IPC_SEM_IMPL_H
#include "ipc/ipc.h"
#include <linux/sem.h>

/* kernel.sem: SEMMSL SEMMNS SEMOPM SEMMNI, Linux's defaults. */
#define SEM_MSL 0
#define SEM_MNS 1
#define SEM_OPM 2
#define SEM_MNI 3
#define SEMMSL_DEFAULT 32000
#define SEMMNS_DEFAULT 1024000000
#define SEMOPM_DEFAULT 500
#define SEMMNI_DEFAULT 32000
extern int sem_ctls[4];

struct sem {
	int semval;          /* (L) */
	int sempid;          /* (L) the last process to change it */
};

struct sem_array {
	struct kern_ipc_perm perm;
	int nsems;                    /* (c) */
	int64_t otime, ctime;         /* (L) last semop, creation or change */
	struct list_head pending;     /* (L) sleeping semops, oldest first */
	struct list_head undos;       /* (L) sem_undo.list_array */
	struct sem sems[];            /* (L) */
};

/* One process's adjustments for one array. */
struct sem_undo {
	struct list_head list_proc;   /* (L) in its sem_undo_list */
	struct list_head list_array;  /* (L) in the array's undos */
	struct sem_undo_list *list;
	struct sem_array *array;
	short semadj[];               /* (L) nsems */
};

/* A task's undo entries, shared by the tasks cloned with CLONE_SYSVSEM. */
struct sem_undo_list {
	int refcount;                 /* atomic: tasks sharing it */
	struct list_head units;       /* (L) sem_undo.list_proc */
};

/* One sleeping semop, on its array's pending queue. */
struct sem_queue {
	struct ipc_waiter w;
	struct sembuf *sops;
	int nsops;
	int blocking;           /* (L) the operation it waits on (GETNCNT, GETZCNT) */
	struct sem_undo *undo;  /* (L) its adjustments, if any operation has SEM_UNDO */
	int pid;
};

extern struct ipc_ids sem_ids;
extern long sem_used;             /* (L) semaphores in all arrays */

/* How semget and semctl's common commands see arrays (sem_ctl.c). */
extern const struct ipc_ops sem_ops;
/* sem_create_locked - semget's new array of nsems; its id or -errno.
 * sem_check_locked - an array serves a semget of at most its size. */
long sem_create_locked(int32_t key, int flags, long nsems);
int sem_check_locked(struct kern_ipc_perm *p, long nsems);

struct sem_array *sem_array_of(struct kern_ipc_perm *p);
/* sem_wake_pending_locked - values changed: serve the sleepers. */
void sem_wake_pending_locked(struct sem_array *a);
/* sem_undo_free_locked - drop one undo entry from both lists. */
void sem_undo_free_locked(struct sem_undo *un);
#endif
