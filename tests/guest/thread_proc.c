/*
 * thread_proc.c - threads and the process around them: a fault or
 * exit_group in one thread ends them all; the group's exit status
 * reaches the parent once, and wait never sees threads; fork from a
 * thread copies only that thread; execve from a thread ends the others
 * and keeps the pid; tgkill with SIGKILL ends the group.
 */
// GUEST: glibc
#include "gtest.h"
#include <pthread.h>

#define EXEC_ENV "THREAD_PROC_EXEC_PID"
#define SPINNERS 3

/* Counters in memory shared with the test process across fork. */
struct shared {
	volatile long spins;        /* advanced by a spinning thread */
};

static struct shared *sh;

static struct shared no_observer;

static void *spin_forever(void *arg)
{
	struct shared *s = sh ? sh : &no_observer;

	for (;;)
		__atomic_add_fetch(&s->spins, 1, __ATOMIC_RELAXED);
	return arg;
}

static void *sleep_forever(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* Start n threads running fn; fail the process if one cannot start. */
static void start_threads(int n, void *(*fn)(void *))
{
	pthread_t th;

	for (int i = 0; i < n; i++)
		CHECK_EQ(pthread_create(&th, NULL, fn, NULL), 0);
}

/* ---- the whole group ends together ---- */

static void *segfault_soon(void *arg)
{
	sleep_ms(20);
	*(volatile int *)8 = 1;
	return arg;
}

/* Fork a child whose threads sleep and spin while one more runs fn;
 * the main thread waits in pause(). Returns the child's pid. */
static pid_t fork_busy_group(void *(*fn)(void *))
{
	pid_t pid = xfork();
	pthread_t th;

	if (pid == 0) {
		start_threads(SPINNERS, sleep_forever);
		start_threads(1, spin_forever);
		CHECK_EQ(pthread_create(&th, NULL, fn, NULL), 0);
		for (;;)
			pause();
	}
	return pid;
}

/* A segfault in one thread kills the whole process with SIGSEGV, other
 * threads spinning or asleep included. */
GTEST(segfault_in_thread_kills_process)
{
	CHECK_SIGNALED(wait_status(fork_busy_group(segfault_soon)), SIGSEGV);
}

static void *exit_group_soon(void *arg)
{
	sleep_ms(20);
	syscall(SYS_exit_group, 42);
	return arg;
}

/* exit_group from one thread ends every thread; its code is the group's. */
GTEST(exit_group_from_thread_ends_all)
{
	CHECK_EXITED(wait_status(fork_busy_group(exit_group_soon)), 42);
}

/* The main thread of process pid has exited: Linux shows it as a zombie
 * until the last thread goes; a kernel may also drop it at once. */
static bool main_thread_gone(pid_t pid)
{
	char state = task_state(pid, pid);
	return state == 0 || state == 'Z' || state == 'X';
}

static volatile int *exit_allowed;   /* MAP_SHARED: the parent allows the exit */

static void *exit_process_later(void *arg)
{
	while (!*exit_allowed)
		sleep_ms(1);
	exit(7);
}

/* The main thread leaves with pthread_exit; the process lives on in its
 * other thread, whose exit() gives the status the parent collects, once:
 * wait never reports the threads themselves. */
GTEST(status_reaches_parent_once_after_last_thread)
{
	exit_allowed = shared_map(4096);
	pid_t pid = xfork();
	pthread_t th;
	int status;

	if (pid == 0) {
		CHECK_EQ(pthread_create(&th, NULL, exit_process_later, NULL), 0);
		pthread_exit(NULL);
	}
	while (!main_thread_gone(pid))
		sleep_ms(1);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0); /* ... the process is not */
	*exit_allowed = 1;
	CHECK_EXITED(wait_status(pid), 7);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
}

/* Threads that only call the exit system call, one by one (the main
 * thread first): the process ends with the last, and as on Linux its
 * status is the last thread's. */
static void *sys_exit_thread(void *arg)
{
	while (!main_thread_gone(getpid()))   /* it goes first */
		sleep_ms(1);
	syscall(SYS_exit, 9);
	return arg;
}

GTEST(sys_exit_of_every_thread_ends_process)
{
	pid_t pid = xfork();
	pthread_t th;

	if (pid == 0) {
		CHECK_EQ(pthread_create(&th, NULL, sys_exit_thread, NULL), 0);
		syscall(SYS_exit, 3);
	}
	CHECK_EXITED(wait_status(pid), 9);
}

/* tgkill(SIGKILL) aimed at one thread kills the whole group. */
GTEST(tgkill_sigkill_kills_group)
{
	pid_t pid = xfork();

	if (pid == 0) {
		pid_t *tid = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		pthread_t th;
		CHECK(tid != MAP_FAILED);
		CHECK_EQ(pthread_create(&th, NULL, sleep_forever, NULL), 0);
		sleep_ms(10);
		CHECK_ERR(syscall(SYS_tgkill, getpid(), 999999, 0), ESRCH);
		CHECK_ERR(syscall(SYS_tgkill, getpid(), getppid(), 0), ESRCH);  /* not in this group */
		CHECK_ERR(syscall(SYS_tgkill, 0, getpid(), 0), EINVAL);
		syscall(SYS_tgkill, getpid(), getpid(), SIGKILL);
		for (;;)
			pause();
	}
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
}

/* ---- fork from a thread ---- */

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static volatile long private_spins;   /* not shared: each process its own */
static volatile int holder_ready;

static void *hold_lock_and_spin(void *arg)
{
	pthread_mutex_lock(&held);
	holder_ready = 1;
	for (;;)
		private_spins++;
	return arg;
}

static void *child_thread_tid(void *arg)
{
	return (void *)syscall(SYS_gettid);
}

/* In the child of a fork made by a non-main thread: exit 0 if it runs
 * alone, as its process's main thread, with its own memory. */
static void forked_child_checks(void)
{
	pthread_t th;
	void *ret;
	long before = private_spins;

	if (syscall(SYS_gettid) != getpid())
		_exit(11);
	sleep_ms(50);
	if (private_spins != before)
		_exit(12);   /* the spinner came along */
	if (pthread_mutex_trylock(&held) != EBUSY)
		_exit(13);   /* the lock is copied as it was: held */
	if (pthread_create(&th, NULL, child_thread_tid, NULL) != 0)
		_exit(14);
	if (pthread_join(th, &ret) != 0 || (long)ret == getpid() || (long)ret <= 0)
		_exit(15);
	_exit(0);
}

static void *fork_from_thread(void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		forked_child_checks();
	return (void *)(long)pid;
}

/* fork in a thread while another thread holds a lock and spins: the
 * child has one thread, the caller (now with tid == pid); the spinner
 * is not copied, so the child's copy of its counter stands still and
 * the copied mutex stays held; the child can make and join threads. */
GTEST(fork_from_thread_child_has_one_thread)
{
	pthread_t holder, forker;
	void *ret;

	CHECK_EQ(pthread_create(&holder, NULL, hold_lock_and_spin, NULL), 0);
	while (!holder_ready)
		sleep_ms(1);
	CHECK_EQ(pthread_create(&forker, NULL, fork_from_thread, NULL), 0);
	CHECK_EQ(pthread_join(forker, &ret), 0);
	CHECK((long)ret > 0, "fork in a thread: %s", strerror(errno));
	CHECK_EXITED(wait_status((pid_t)(long)ret), 0);
}

/* ---- execve from a thread ---- */

/* The program run by exec_from_thread_keeps_pid, before main: the pid
 * is the old process's and this thread is its leader. It then says it
 * runs (the old threads are gone by then) and waits until the test has
 * looked, so that a thread the exec left behind would be seen. */
__attribute__((constructor)) static void exec_image_checks(void)
{
	const char *env = getenv(EXEC_ENV);
	int pid, running_fd, release_fd;
	char c;

	if (!env)
		return;
	if (sscanf(env, "%d,%d,%d", &pid, &running_fd, &release_fd) != 3)
		_exit(20);
	if (getpid() != pid)
		_exit(21);
	if (syscall(SYS_gettid) != getpid())
		_exit(22);
	if (write(running_fd, "E", 1) != 1)
		_exit(23);
	(void)!read(release_fd, &c, 1);   /* end of file: the test has looked */
	_exit(0);
}

static int exec_fds[2];   /* the new program's running_fd and release_fd */

static void *exec_self(void *arg)
{
	char env[64], *argv[] = { gtest_argv[0], NULL }, *envp[] = { env, NULL };

	snprintf(env, sizeof(env), "%s=%d,%d,%d", EXEC_ENV, (int)getpid(), exec_fds[0], exec_fds[1]);
	execve(gtest_argv[0], argv, envp);
	_exit(30);
}

/* execve from a non-main thread: the other threads (spinning, asleep)
 * end, and the new program runs under the same pid, as its only thread. */
GTEST(exec_from_thread_keeps_pid_ends_others)
{
	pthread_t th;
	pid_t pid;
	int running[2], release[2];
	char c;

	sh = shared_map(sizeof(*sh));
	CHECK_EQ(pipe(running), 0);
	CHECK_EQ(pipe(release), 0);
	pid = xfork();
	if (pid == 0) {
		exec_fds[0] = running[1];
		exec_fds[1] = release[0];
		close(running[0]);
		close(release[1]);
		start_threads(SPINNERS, sleep_forever);
		start_threads(1, spin_forever);
		while (sh->spins == 0)
			sleep_ms(1);
		CHECK_EQ(pthread_create(&th, NULL, exec_self, NULL), 0);
		for (;;)
			pause();
	}
	close(running[1]);
	close(release[0]);
	ssize_t n = read(running[0], &c, 1);   /* the new program runs */
	long before = sh->spins;
	sleep_ms(30);                           /* a spinner still there would move it */
	long after = sh->spins;
	close(release[1]);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(after, before);
}
