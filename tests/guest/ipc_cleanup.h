/*
 * ipc_cleanup.h - for the fuzzers (fuzz.c, fuzz_long.c): remove the
 * System V IPC objects and POSIX message queues their calls made.
 * Aspen-only (a native run would remove the host's).
 */
#ifndef IPC_CLEANUP_H
#define IPC_CLEANUP_H
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>

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

/* So do POSIX message queues, until mq_unlink: a random mq_open with
 * O_CREAT names one after whatever bytes its pointer found. Mount the
 * mqueue file system, which lists them all, and unlink each (again
 * until a pass finds none: unlinking moves the directory's offsets).
 * Returns how many were removed, -1 if it could not be mounted. */
#define MQUEUE_CLEANUP_DIR "/tmp/ipc-cleanup-mqueue"
static int remove_posix_mqueues(void)
{
	int removed = 0, pass;
	if (mkdir(MQUEUE_CLEANUP_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	if (mount("none", MQUEUE_CLEANUP_DIR, "mqueue", 0, NULL) < 0) {
		rmdir(MQUEUE_CLEANUP_DIR);
		return -1;
	}
	do {
		DIR *d = opendir(MQUEUE_CLEANUP_DIR);
		struct dirent *e;
		pass = 0;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    unlinkat(dirfd(d), e->d_name, 0) == 0)
				pass++;
		if (d)
			closedir(d);
		removed += pass;
	} while (pass);
	umount(MQUEUE_CLEANUP_DIR);
	rmdir(MQUEUE_CLEANUP_DIR);
	return removed;
}
#endif
