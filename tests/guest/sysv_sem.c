/*
 * sysv_sem.c - System V semaphores: sets are made and found by key,
 * semop does all of its operations or none, sleeps until it can (or
 * fails at once with IPC_NOWAIT, after a timeout with semtimedop, with
 * EINTR on a signal, with EIDRM when the set goes), SEM_UNDO is applied
 * when the process exits (not when one of its threads does), and semctl
 * answers every command. Every test removes the sets it makes.
 */
// GUEST: glibc
#include "gtest.h"
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

/* A private set of n semaphores, removed when the test's process ends
 * (a child of the test forks... all use this one). */
static int new_set(int n)
{
	int id = semget(IPC_PRIVATE, n, IPC_CREAT | 0600);
	CHECK(id >= 0, "semget: %s", strerror(errno));
	return id;
}

static int semval(int id, int num)
{
	int v = semctl(id, num, GETVAL);
	CHECK(v >= 0, "GETVAL: %s", strerror(errno));
	return v;
}

static void setval(int id, int num, int v)
{
	CHECK(semctl(id, num, SETVAL, (union semun){ .val = v }) == 0, "SETVAL: %s", strerror(errno));
}

static int op(int id, unsigned short num, short delta, short flags)
{
	struct sembuf sb = { num, delta, flags };
	return semop(id, &sb, 1);
}

/* Wait until cmd (GETNCNT or GETZCNT) of semaphore num says n. */
static void wait_count(int id, int num, int cmd, int n)
{
	for (int i = 0; i < 3000 && semctl(id, num, cmd) != n; i++)
		sleep_ms(10);
	CHECK_EQ(semctl(id, num, cmd), n);
}

static void rm(int id)
{
	CHECK_EQ(semctl(id, 0, IPC_RMID), 0);
}

GTEST(semget_new_set_is_zero_and_flags_are_checked)
{
	key_t key = (key_t)(0x5b000000 | (getpid() & 0xffff) << 4);
	int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0, "semget: %s", strerror(errno));
	unsigned short vals[3] = { 9, 9, 9 };
	CHECK_EQ(semctl(id, 0, GETALL, (union semun){ .array = vals }), 0);
	CHECK(vals[0] == 0 && vals[1] == 0 && vals[2] == 0, "values %d %d %d", vals[0], vals[1], vals[2]);
	CHECK_EQ(semget(key, 2, 0), id);
	int e1 = semget(key, 3, IPC_CREAT | IPC_EXCL) == -1 ? errno : 0;
	int e2 = semget(key, 4, 0) == -1 ? errno : 0;
	struct semid_ds ds;
	CHECK_EQ(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), 0);
	rm(id);
	CHECK_EQ(e1, EEXIST);
	CHECK_EQ(e2, EINVAL);
	CHECK_EQ(ds.sem_nsems, 3);
	CHECK_EQ(ds.sem_perm.mode & 0777, 0600);
	CHECK(ds.sem_ctime > 0 && ds.sem_otime == 0, "times %ld %ld", (long)ds.sem_ctime, (long)ds.sem_otime);
	CHECK_ERR(semget(key, 1, 0), ENOENT);
	CHECK_ERR(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR(semget(IPC_PRIVATE, 1000000, IPC_CREAT | 0600), EINVAL);
}

GTEST(semop_blocks_until_another_process_posts)
{
	int id = new_set(1);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(op(id, 0, -1, 0), 0);
		_exit(0);
	}
	wait_count(id, 0, GETNCNT, 1);
	CHECK_EQ(op(id, 0, 1, 0), 0);
	int st = wait_status(pid);
	int v = semval(id, 0), who = semctl(id, 0, GETPID);
	rm(id);
	CHECK_EXITED(st, 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(who, pid);   /* the sleeper's operation was done in its name */
}

GTEST(semop_all_or_nothing_and_nowait)
{
	int id = new_set(2);
	setval(id, 0, 1);
	struct sembuf both[2] = { { 0, -1, IPC_NOWAIT }, { 1, -1, IPC_NOWAIT } };
	int e = semop(id, both, 2) == -1 ? errno : 0;
	int v0 = semval(id, 0);
	setval(id, 1, 1);
	int r = semop(id, both, 2);
	int v1 = semval(id, 0) + semval(id, 1);
	rm(id);
	CHECK_EQ(e, EAGAIN);
	CHECK_EQ(v0, 1);        /* the first operation was not kept */
	CHECK_EQ(r, 0);
	CHECK_EQ(v1, 0);
}

GTEST(semop_waits_for_zero)
{
	int id = new_set(1);
	setval(id, 0, 2);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(op(id, 0, 0, 0), 0);
		_exit(0);
	}
	wait_count(id, 0, GETZCNT, 1);
	CHECK_EQ(op(id, 0, -1, 0), 0);
	CHECK_EQ(semctl(id, 0, GETZCNT), 1);   /* still 1 */
	CHECK_EQ(op(id, 0, -1, 0), 0);
	int st = wait_status(pid);
	rm(id);
	CHECK_EXITED(st, 0);
}

GTEST(semop_errors)
{
	int id = new_set(2);
	struct sembuf many[501];
	memset(many, 0, sizeof(many));
	int efbig = op(id, 2, 1, 0) == -1 ? errno : 0;
	int einval = semop(id, many, 0) == -1 ? errno : 0;
	int e2big = semop(id, many, 501) == -1 ? errno : 0;
	setval(id, 0, 32767);
	int erange = op(id, 0, 1, 0) == -1 ? errno : 0;
	int setbad = semctl(id, 0, SETVAL, (union semun){ .val = 32768 }) == -1 ? errno : 0;
	int setneg = semctl(id, 0, SETVAL, (union semun){ .val = -1 }) == -1 ? errno : 0;
	int badnum = semctl(id, 5, GETVAL) == -1 ? errno : 0;
	int efault = semop(id, (struct sembuf *)16, 1) == -1 ? errno : 0;
	rm(id);
	CHECK_EQ(efbig, EFBIG);
	CHECK_EQ(einval, EINVAL);
	CHECK_EQ(e2big, E2BIG);
	CHECK_EQ(erange, ERANGE);
	CHECK_EQ(setbad, ERANGE);
	CHECK_EQ(setneg, ERANGE);
	CHECK_EQ(badnum, EINVAL);
	CHECK_EQ(efault, EFAULT);
	CHECK_ERR(op(id, 0, 1, 0), EINVAL);   /* removed */
}

GTEST(semtimedop_times_out_with_eagain)
{
	int id = new_set(1);
	struct sembuf sb = { 0, -1, 0 };
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int r = semtimedop(id, &sb, 1, &ts), e = errno;
	struct timespec bad = { 0, 1000000000 };
	int r2 = semtimedop(id, &sb, 1, &bad), e2 = errno;
	rm(id);
	CHECK(r == -1 && e == EAGAIN, "semtimedop: %d %s", r, strerror(e));
	CHECK(r2 == -1 && e2 == EINVAL, "bad timeout: %d %s", r2, strerror(e2));
}

static void on_usr1(int sig) { (void)sig; }

GTEST(semop_interrupted_by_signal_fails_with_eintr)
{
	int id = new_set(1);
	pid_t pid = xfork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
		sigaction(SIGUSR1, &sa, NULL);
		CHECK_ERR(op(id, 0, -1, 0), EINTR);   /* never restarted, SA_RESTART or not */
		_exit(0);
	}
	wait_count(id, 0, GETNCNT, 1);
	kill(pid, SIGUSR1);
	int st = wait_status(pid);
	int n = semctl(id, 0, GETNCNT);
	rm(id);
	CHECK_EXITED(st, 0);
	CHECK_EQ(n, 0);
}

GTEST(semctl_rmid_wakes_sleepers_with_eidrm)
{
	int id = new_set(1);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_ERR(op(id, 0, -1, 0), EIDRM);
		_exit(0);
	}
	wait_count(id, 0, GETNCNT, 1);
	rm(id);
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(sem_undo_reverted_when_process_exits)
{
	int id = new_set(2);
	setval(id, 1, 5);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(op(id, 0, 3, SEM_UNDO), 0);
		CHECK_EQ(op(id, 1, -2, SEM_UNDO), 0);
		CHECK_EQ(op(id, 0, -1, SEM_UNDO), 0);
		CHECK_EQ(write(fds[1], "x", 1), 1);
		pause();
		_exit(0);
	}
	char c;
	CHECK_EQ(read(fds[0], &c, 1), 1);
	int during0 = semval(id, 0), during1 = semval(id, 1);
	kill(pid, SIGKILL);
	wait_status(pid);
	int after0 = semval(id, 0), after1 = semval(id, 1);
	rm(id);
	CHECK_EQ(during0, 2);
	CHECK_EQ(during1, 3);
	CHECK_EQ(after0, 0);
	CHECK_EQ(after1, 5);
}

struct thread_arg {
	int id;
};

static void *undo_in_thread(void *p)
{
	struct thread_arg *a = p;
	CHECK_EQ(op(a->id, 0, 4, SEM_UNDO), 0);
	return NULL;
}

GTEST(sem_undo_of_a_thread_waits_for_the_process)
{
	int id = new_set(1);
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t t;
		struct thread_arg a = { id };
		CHECK_EQ(pthread_create(&t, NULL, undo_in_thread, &a), 0);
		CHECK_EQ(pthread_join(t, NULL), 0);
		CHECK_EQ(semval(id, 0), 4);   /* the thread's exit undid nothing */
		_exit(0);
	}
	int st = wait_status(pid);
	int after = semval(id, 0);
	rm(id);
	CHECK_EXITED(st, 0);
	CHECK_EQ(after, 0);
}

GTEST(setval_clears_undo_and_undo_is_clamped)
{
	int id = new_set(2);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(op(id, 0, 1, SEM_UNDO), 0);
		CHECK_EQ(op(id, 1, 3, SEM_UNDO), 0);
		CHECK_EQ(write(fds[1], "x", 1), 1);
		pause();
		_exit(0);
	}
	char c;
	CHECK_EQ(read(fds[0], &c, 1), 1);
	setval(id, 0, 7);                /* voids the child's adjustment of #0 */
	CHECK_EQ(op(id, 1, -2, 0), 0);   /* #1 is 1: undoing -3 would go below 0 */
	kill(pid, SIGKILL);
	wait_status(pid);
	int v0 = semval(id, 0), v1 = semval(id, 1);
	rm(id);
	CHECK_EQ(v0, 7);
	CHECK_EQ(v1, 0);
}

GTEST(semctl_setall_getpid_stat_and_info)
{
	int id = new_set(3);
	unsigned short in[3] = { 1, 2, 3 }, out[3];
	CHECK_EQ(semctl(id, 0, SETALL, (union semun){ .array = in }), 0);
	CHECK_EQ(semctl(id, 0, GETALL, (union semun){ .array = out }), 0);
	CHECK(out[0] == 1 && out[1] == 2 && out[2] == 3);
	CHECK_EQ(semctl(id, 2, GETPID), getpid());
	struct semid_ds ds;
	CHECK_EQ(semctl(id & 0x7fff, 0, SEM_STAT, (union semun){ .buf = &ds }), id);
	CHECK_EQ(ds.sem_nsems, 3);
	ds.sem_perm.mode = 0640;
	CHECK_EQ(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }), 0);
	CHECK_EQ(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }), 0);
	CHECK_EQ(ds.sem_perm.mode & 0777, 0640);
	struct seminfo si;
	int max = semctl(0, 0, IPC_INFO, (union semun){ .__buf = &si });
	CHECK(max >= (id & 0x7fff), "IPC_INFO %d", max);
	CHECK(si.semmsl >= 3 && si.semopm >= 1 && si.semvmx == 32767, "semmsl %d semopm %d semvmx %d",
	      si.semmsl, si.semopm, si.semvmx);
	CHECK(semctl(0, 0, SEM_INFO, (union semun){ .__buf = &si }) >= 0);
	CHECK(si.semusz >= 1 && si.semaem >= 3, "in use %d sems %d", si.semusz, si.semaem);
	CHECK_ERR(semctl(id, 0, 999), EINVAL);
	rm(id);
}

GTEST(sem_permissions_for_another_user)
{
	if (geteuid() != 0)
		SKIP("needs root to change uid");
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0644);
	CHECK(id >= 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			SKIP("setuid: %s", strerror(errno));
		CHECK_EQ(semctl(id, 0, GETVAL), 0);               /* read: allowed */
		CHECK_ERR(op(id, 0, 1, 0), EACCES);               /* alter: not */
		CHECK_ERR(semctl(id, 0, SETVAL, (union semun){ .val = 1 }), EACCES);
		CHECK_ERR(semctl(id, 0, IPC_RMID), EPERM);
		_exit(0);
	}
	int st = wait_status(pid);
	rm(id);
	CHECK_EXITED(st, 0);
}

GTEST(proc_sysvipc_sem_lists_the_set)
{
	int id = new_set(4);
	FILE *f = fopen("/proc/sysvipc/sem", "r");
	CHECK(f != NULL, "open: %s", strerror(errno));
	char line[256];
	bool found = false;
	CHECK(fgets(line, sizeof(line), f) && strstr(line, "semid perms      nsems"), "header %s", line);
	while (fgets(line, sizeof(line), f)) {
		int key, sid;
		unsigned perms, nsems;
		if (sscanf(line, "%d %d %o %u", &key, &sid, &perms, &nsems) == 4 && sid == id)
			found = nsems == 4 && (perms & 0777) == 0600;
	}
	fclose(f);
	rm(id);
	CHECK(found, "set %d not listed right", id);
}
