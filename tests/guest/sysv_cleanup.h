/*
 * sysv_cleanup.h - for the fuzzers (fuzz.c, fuzz_long.c): remove the
 * System V IPC objects their calls made.
 */
#ifndef SYSV_CLEANUP_H
#define SYSV_CLEANUP_H
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

/* System V objects outlive their creator by design (as on Linux):
 * remove every one the calls made, by walking the kernel's index with
 * the *_STAT commands. Returns how many were removed. */
static int remove_sysv_objects(void)
{
	int removed = 0;
	struct shmid_ds shm;
	struct semid_ds sem;
	struct msqid_ds msq;
	for (int i = 0; i < 32768; i++) {
		int id = shmctl(i, SHM_STAT, &shm);
		if (id >= 0 && shmctl(id, IPC_RMID, NULL) == 0)
			removed++;
		id = semctl(i, 0, SEM_STAT, &sem);
		if (id >= 0 && semctl(id, 0, IPC_RMID) == 0)
			removed++;
		id = msgctl(i, MSG_STAT, &msq);
		if (id >= 0 && msgctl(id, IPC_RMID, NULL) == 0)
			removed++;
	}
	return removed;
}
#endif
