/* procattr.c - a process's and a thread's attributes as Linux keeps them:
 * prctl's name, parent-death signal, child subreaper, timer slack, TSC
 * mode, dumpable and no_new_privs; personality(2); kcmp(2); ioprio_get
 * and ioprio_set; membarrier(2); setns without namespaces; what fork,
 * threads and execve do with each. Run as root (natively too). */
#define _GNU_SOURCE
#include "gtest.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <dirent.h>
#include <linux/kcmp.h>
#include <linux/membarrier.h>

#define HELPER_ENV "PROCATTR_HELPER"
#define BAD_PTR ((void *)8)
#define NO_PID 0x7fffffff

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3
#define IOPRIO(class, level) ((class) << 13 | (level))
#define RT 1
#define BE 2
#define IDLE 3

#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9)
#endif

/* Run with PROCATTR_HELPER set (by exec_report): print what execve
 * kept, one line, and exit. */
__attribute__((constructor)) static void procattr_helper(void)
{
	if (!getenv(HELPER_ENV))
		return;
	int pdeath = -1, tsc = -1;
	char name[16] = "";
	prctl(PR_GET_PDEATHSIG, &pdeath);
	prctl(PR_GET_TSC, &tsc);
	prctl(PR_GET_NAME, name);
	dprintf(1, "pdeath=%d tsc=%d pers=%#x slack=%d nnp=%d mb=%ld ioprio=%ld name=%s\n", pdeath, tsc,
		personality(0xffffffff), prctl(PR_GET_TIMERSLACK), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
		syscall(SYS_membarrier, MEMBARRIER_CMD_GET_REGISTRATIONS, 0, 0),
		syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0), name);
	_exit(0);
}

/* A child runs setup (if any), then execve's this program as the
 * helper; the helper's line into out. */
static void exec_report_after(void (*setup)(void), char *out, size_t size)
{
	char *argv[] = { "/proc/self/exe", NULL };
	char *envp[] = { HELPER_ENV "=1", NULL };
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setup)
			setup();
		dup2(p[1], 1);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(p[1]);
	ssize_t n, len = 0;
	while (len < (ssize_t)size - 1 && (n = read(p[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(p[0]);
	CHECK_EXITED(wait_status(pid), 0);
}

static void exec_report(char *out, size_t size)
{
	exec_report_after(NULL, out, size);
}

static void arm_pdeath_usr1(void)
{
	prctl(PR_SET_PDEATHSIG, SIGUSR1);
}

static void read_comm(const char *path, char *buf, size_t size)
{
	size_t n = read_file(path, buf, size);
	CHECK(n > 0 && buf[n - 1] == '\n', "%s: \"%s\"", path, buf);
	buf[n - 1] = 0;
}

/* ---- PR_SET_NAME ---- */

GTEST(name_cut_to_15_bytes_and_shown_in_proc)
{
	char name[32], comm[32], path[64];
	memset(name, 'x', sizeof(name));
	CHECK_EQ(prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"), 0);
	CHECK_EQ(prctl(PR_GET_NAME, name), 0);
	CHECK(strcmp(name, "abcdefghijklmno") == 0 && name[16] == 'x', "name \"%s\"", name);
	read_comm("/proc/self/comm", comm, sizeof(comm));
	CHECK(strcmp(comm, name) == 0, "comm \"%s\"", comm);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)gettid());
	read_comm(path, comm, sizeof(comm));
	CHECK(strcmp(comm, name) == 0, "task comm \"%s\"", comm);
	CHECK_ERR(prctl(PR_SET_NAME, BAD_PTR), EFAULT);
	CHECK_ERR(prctl(PR_GET_NAME, BAD_PTR), EFAULT);
}

static void *name_thread(void *arg)
{
	char name[16];
	prctl(PR_SET_NAME, "worker");
	prctl(PR_GET_NAME, name);
	*(int *)arg = gettid();
	return strcmp(name, "worker") == 0 ? arg : NULL;
}

GTEST(name_is_per_thread)
{
	pthread_t th;
	int tid = 0;
	void *ret;
	char comm[32], path[64];
	CHECK_EQ(prctl(PR_SET_NAME, "leader"), 0);
	CHECK_EQ(pthread_create(&th, NULL, name_thread, &tid), 0);
	CHECK_EQ(pthread_join(th, &ret), 0);
	CHECK(ret == &tid, "the thread's PR_GET_NAME");
	(void)path;
	char name[16];
	CHECK_EQ(prctl(PR_GET_NAME, name), 0);
	CHECK(strcmp(name, "leader") == 0, "leader's name \"%s\"", name);
	read_comm("/proc/self/comm", comm, sizeof(comm));
	CHECK(strcmp(comm, "leader") == 0, "/proc/self/comm \"%s\"", comm);
}

static void *named_thread_waits(void *arg)
{
	int *fds = arg;
	char c;
	prctl(PR_SET_NAME, "sleeper");
	write(fds[1], "r", 1);
	read(fds[2], &c, 1);
	return NULL;
}

GTEST(thread_name_in_task_comm_and_fork_takes_it)
{
	int p1[2], p2[2], fds[3];
	pthread_t th;
	char comm[32], path[300], c;
	CHECK_EQ(prctl(PR_SET_NAME, "main"), 0);
	CHECK_EQ(pipe(p1), 0);
	CHECK_EQ(pipe(p2), 0);
	fds[0] = 0, fds[1] = p1[1], fds[2] = p2[0];
	CHECK_EQ(pthread_create(&th, NULL, named_thread_waits, fds), 0);
	CHECK_EQ(read(p1[0], &c, 1), 1);
	DIR *d = opendir("/proc/self/task");
	CHECK(d != NULL);
	struct dirent *e;
	int sleepers = 0, mains = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm", atoi(e->d_name));
		read_comm(path, comm, sizeof(comm));
		sleepers += strcmp(comm, "sleeper") == 0;
		mains += strcmp(comm, "main") == 0 && atoi(e->d_name) == getpid();
	}
	closedir(d);
	CHECK(sleepers == 1 && mains == 1, "sleepers %d mains %d", sleepers, mains);
	read_comm("/proc/self/comm", comm, sizeof(comm));
	CHECK(strcmp(comm, "main") == 0, "comm \"%s\"", comm);
	CHECK_EQ(write(p2[1], "g", 1), 1);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

static void write_to(const char *path, const char *text, long want)
{
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	long n = write(fd, text, strlen(text));
	close(fd);
	CHECK(n == want || (want < 0 && n == -1 && errno == -want), "write %s: %ld (%s)", path, n,
	      strerror(errno));
}

GTEST(name_written_through_proc_comm)
{
	char name[17] = { 0 }, path[64];
	write_to("/proc/self/comm", "hello\n", 6);
	CHECK_EQ(prctl(PR_GET_NAME, name), 0);
	CHECK(strcmp(name, "hello\n") == 0, "name \"%s\"", name);   /* the newline too */
	write_to("/proc/self/comm", "abcdefghijklmnopqrstuvwxyz", 26);
	CHECK_EQ(prctl(PR_GET_NAME, name), 0);
	CHECK(strcmp(name, "abcdefghijklmno") == 0, "name \"%s\"", name);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)gettid());
	write_to(path, "bytask", 6);
	CHECK_EQ(prctl(PR_GET_NAME, name), 0);
	CHECK(strcmp(name, "bytask") == 0, "name \"%s\"", name);
	if (geteuid() != 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	write_to(path, "x", -EINVAL);   /* another process */
}

GTEST(name_inherited_by_fork_reset_by_exec)
{
	char out[256];
	CHECK_EQ(prctl(PR_SET_NAME, "parentname"), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		char name[16];
		prctl(PR_GET_NAME, name);
		_exit(strcmp(name, "parentname") != 0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "name=exe\n") != NULL, "after exec: %s", out);
}

/* ---- PR_SET_PDEATHSIG ---- */

static volatile sig_atomic_t got_sig, got_pid;

static void note_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_pid = si->si_pid;
}

static void catch_usr1(void)
{
	struct sigaction sa = { .sa_sigaction = note_signal, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
}

GTEST(pdeathsig_set_get_and_range)
{
	int v = -1;
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR1), 0);
	CHECK_EQ(prctl(PR_GET_PDEATHSIG, &v), 0);
	CHECK_EQ(v, SIGUSR1);
	CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	CHECK_ERR(prctl(PR_GET_PDEATHSIG, BAD_PTR), EFAULT);
	pid_t pid = xfork();
	if (pid == 0) {
		prctl(PR_GET_PDEATHSIG, &v);
		_exit(v);   /* not inherited */
	}
	CHECK_EXITED(wait_status(pid), 0);
	char out[256];
	exec_report_after(arm_pdeath_usr1, out, sizeof(out));
	CHECK(strstr(out, "pdeath=10 ") != NULL, "kept across exec: %s", out);
}

/* Wait in sigsuspend for SIGUSR1 (blocked until then): exit 0 if it
 * came from pid from, and the parent is now new_parent. */
static void await_pdeath(pid_t from, pid_t new_parent)
{
	sigset_t none;
	sigemptyset(&none);
	while (!got_sig)
		sigsuspend(&none);
	_exit(got_sig == SIGUSR1 && got_pid == from && getppid() == new_parent ? 0 : 1);
}

/* The test process is a subreaper, so that the grandchild whose parent
 * dies comes back to it (and natively to no host subreaper above). */
GTEST(pdeathsig_sent_when_parent_exits)
{
	int armed[2], go[2];
	pid_t top = getpid();
	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	CHECK_EQ(pipe(armed), 0);
	CHECK_EQ(pipe(go), 0);
	block_signal(SIGUSR1);
	pid_t mid = xfork();
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			catch_usr1();
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			pid_t parent = getppid();   /* before the parent may go */
			gc = getpid();
			write(armed[1], &gc, sizeof(gc));
			await_pdeath(parent, top);
		}
		char c;
		read(go[0], &c, 1);   /* the grandchild armed its signal */
		_exit(0);
	}
	pid_t gc;
	CHECK_EQ(read(armed[0], &gc, sizeof(gc)), (ssize_t)sizeof(gc));
	CHECK_EQ(write(go[1], "x", 1), 1);
	CHECK_EXITED(wait_status(mid), 0);
	CHECK_EXITED(wait_status(gc), 0);
}

static void *fork_then_exit(void *arg)
{
	int *fds = arg;
	pid_t c = fork();
	if (c == 0) {
		catch_usr1();
		prctl(PR_SET_PDEATHSIG, SIGUSR1);
		write(fds[1], "r", 1);
		await_pdeath(getppid(), getppid());   /* the same process */
	}
	char ch;
	read(fds[0], &ch, 1);
	return (void *)(long)c;
}

GTEST(pdeathsig_sent_when_parent_thread_exits)
{
	int fds[2];
	pthread_t th;
	void *ret;
	CHECK_EQ(pipe(fds), 0);
	block_signal(SIGUSR1);
	CHECK_EQ(pthread_create(&th, NULL, fork_then_exit, fds), 0);
	CHECK_EQ(pthread_join(th, &ret), 0);
	pid_t c = (pid_t)(long)ret;
	/* the child stays ours, and hears that its parent thread died */
	CHECK_EXITED(wait_status(c), 0);
}

/* ---- PR_SET_CHILD_SUBREAPER ---- */

GTEST(subreaper_adopts_orphaned_grandchild)
{
	int v = -1, born[2], go[2];
	pid_t top = getpid();
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, BAD_PTR), EFAULT);
	CHECK_EQ(pipe(born), 0);
	CHECK_EQ(pipe(go), 0);
	pid_t mid = xfork();
	if (mid == 0) {
		prctl(PR_GET_CHILD_SUBREAPER, &v);
		if (v != 0)
			_exit(2);   /* not inherited */
		pid_t gc = fork();
		if (gc == 0) {
			char c;
			read(go[0], &c, 1);   /* until the middle process is gone */
			_exit(getppid() == top ? 0 : 1);
		}
		write(born[1], &gc, sizeof(gc));
		_exit(0);
	}
	pid_t gc;
	CHECK_EQ(read(born[0], &gc, sizeof(gc)), (ssize_t)sizeof(gc));
	CHECK_EXITED(wait_status(mid), 0);
	CHECK_EQ(write(go[1], "g", 1), 1);
	CHECK_EXITED(wait_status(gc), 0);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}

GTEST(subreaper_gets_zombie_orphan)
{
	CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t mid = xfork();
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0)
			_exit(33);
		while (waitid(P_PID, gc, NULL, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;   /* a zombie now, not reaped */
		write(fds[1], &gc, sizeof(gc));
		_exit(0);
	}
	pid_t gc;
	CHECK_EQ(read(fds[0], &gc, sizeof(gc)), (ssize_t)sizeof(gc));
	CHECK_EXITED(wait_status(mid), 0);
	CHECK_EXITED(wait_status(gc), 33);
}

/* ---- PR_SET_TIMERSLACK ---- */

GTEST(timerslack_stored_inherited_zero_restores)
{
	if (on_aspen())
		CHECK_EQ(prctl(PR_GET_TIMERSLACK), 50000);   /* init's, Linux's default */
	CHECK_EQ(prctl(PR_SET_TIMERSLACK, 1234), 0);
	CHECK_EQ(prctl(PR_GET_TIMERSLACK), 1234);
	pid_t pid = xfork();
	if (pid == 0) {
		if (prctl(PR_GET_TIMERSLACK) != 1234)
			_exit(1);
		prctl(PR_SET_TIMERSLACK, 99);
		if (prctl(PR_GET_TIMERSLACK) != 99)
			_exit(2);
		prctl(PR_SET_TIMERSLACK, 0);   /* back to the value at fork */
		_exit(prctl(PR_GET_TIMERSLACK) == 1234 ? 0 : 3);
	}
	CHECK_EXITED(wait_status(pid), 0);
	char out[256];
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "slack=1234 ") != NULL, "kept across exec: %s", out);
}

/* ---- PR_SET_TSC ---- */

static inline uint64_t read_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

GTEST(tsc_sigsegv_makes_rdtsc_fault)
{
	int v = -1;
	CHECK_EQ(prctl(PR_GET_TSC, &v), 0);
	CHECK_EQ(v, PR_TSC_ENABLE);
	CHECK_ERR(prctl(PR_SET_TSC, 3), EINVAL);
	CHECK_ERR(prctl(PR_GET_TSC, BAD_PTR), EFAULT);
	CHECK(read_tsc() != 0);
	pid_t pid = xfork();
	if (pid == 0) {
		prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
		prctl(PR_GET_TSC, &v);
		if (v != PR_TSC_SIGSEGV)
			_exit(1);
		read_tsc();
		_exit(2);
	}
	int st = wait_status(pid);
	/* Linux sets CR4.TSD as Aspen does; the hypervisor of this test's
	 * Linux host lets rdtsc run regardless, so the fault is checked in
	 * Aspen only. */
	if (on_aspen() || !WIFEXITED(st))
		CHECK_SIGNALED(st, SIGSEGV);
	else
		CHECK_EXITED(st, 2);
	pid = xfork();
	if (pid == 0) {
		prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
		pid_t gc = fork();
		if (gc == 0) {
			prctl(PR_GET_TSC, &v);   /* inherited */
			_exit(v);
		}
		int st;
		waitpid(gc, &st, 0);
		prctl(PR_SET_TSC, PR_TSC_ENABLE);
		read_tsc();
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
	}
	CHECK_EXITED(wait_status(pid), PR_TSC_SIGSEGV);
}

GTEST(tsc_mode_kept_across_exec)
{
	char out[256];
	CHECK_EQ(prctl(PR_SET_TSC, PR_TSC_SIGSEGV), 0);
	exec_report(out, sizeof(out));
	CHECK_EQ(prctl(PR_SET_TSC, PR_TSC_ENABLE), 0);
	CHECK(strstr(out, "tsc=2 ") != NULL, "after exec: %s", out);
}

/* ---- PR_SET_DUMPABLE and PR_SET_NO_NEW_PRIVS ---- */

static uid_t owner_of(const char *path)
{
	struct stat st;
	CHECK(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	return st.st_uid;
}

GTEST(dumpable_decides_proc_owner)
{
	if (geteuid() != 0)
		SKIP("needs root");
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);   /* gtest's main cleared it */
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(setresuid(65534, 65534, 65534), 0);
		CHECK_EQ(prctl(PR_GET_DUMPABLE), 0);   /* the ids changed */
		CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
		CHECK_EQ(owner_of("/proc/self/status"), 65534);
		CHECK_EQ(prctl(PR_SET_DUMPABLE, 0), 0);
		CHECK_EQ(owner_of("/proc/self/status"), 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(no_new_privs_inherited_and_kept_across_exec)
{
	char out[256];
	CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	CHECK_EXITED(wait_status(pid), 1);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "nnp=1 ") != NULL, "after exec: %s", out);
}

/* ---- personality ---- */

GTEST(personality_stored_inherited_exec_drops_read_implies_exec)
{
	char out[256];
	CHECK_EQ(personality(0xffffffff), PER_LINUX);
	CHECK_EQ(personality(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC), PER_LINUX);
	CHECK_EQ(personality(0xffffffff), ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(personality(0xffffffff) == (ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC) ? 0 : 1);
	CHECK_EXITED(wait_status(pid), 0);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "pers=0x40000 ") != NULL, "after exec: %s", out);
	CHECK_EQ(personality(PER_LINUX), ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC);
	CHECK_EQ(personality(0xffffffff), PER_LINUX);
}

/* linux32 and setarch --uname-2.6: uname follows the personality. */
GTEST(personality_changes_uname)
{
	struct utsname u, v;
	char want[80];
	CHECK_EQ(uname(&u), 0);
	CHECK_EQ(personality(PER_LINUX32), PER_LINUX);
	CHECK_EQ(uname(&v), 0);
	CHECK(strcmp(v.machine, "i686") == 0 && strcmp(v.release, u.release) == 0, "%s %s", v.machine, v.release);
	CHECK_EQ(personality(PER_LINUX | UNAME26), PER_LINUX32);
	CHECK_EQ(uname(&v), 0);
	unsigned major, minor;
	int used = 0;
	CHECK(sscanf(u.release, "%u.%u%n", &major, &minor, &used) == 2, "%s", u.release);
	const char *rest = u.release + used;
	if (*rest == '.')   /* the patch level goes too */
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	snprintf(want, sizeof(want), "2.6.%u%s", 60 + minor, rest);
	CHECK(strcmp(v.machine, "x86_64") == 0 && strcmp(v.release, want) == 0, "%s %s, want %s", v.machine,
	      v.release, want);
	personality(PER_LINUX);
}

/* ---- kcmp ---- */

static long kcmp(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2)
{
	return syscall(SYS_kcmp, a, b, type, i1, i2);
}

/* kcmp in both directions: 0 both ways, or 1 one way and 2 the other. */
static long kcmp2(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2)
{
	long x = kcmp(a, b, type, i1, i2), y = kcmp(b, a, type, i2, i1);
	CHECK(x >= 0 && x <= 2 && (x == 0 ? y == 0 : x + y == 3), "type %d: %ld then %ld (%s)", type, x, y,
	      strerror(errno));
	return x;
}

/* A child blocked until its end of fds[1] closes. */
static pid_t parked_child(int fds[2])
{
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		read(fds[0], &c, 1);
		_exit(0);
	}
	return pid;
}

static void *park_thread(void *arg)
{
	char c;
	read(*(int *)arg, &c, 1);
	return NULL;
}

GTEST(kcmp_resources_of_self_child_and_thread)
{
	pid_t me = getpid();
	int fds[2], tfds[2];
	for (int t = KCMP_VM; t <= KCMP_SYSVSEM; t++)
		CHECK_EQ(kcmp2(me, me, t, 0, 0), 0);
	pid_t child = parked_child(fds);
	CHECK(kcmp2(me, child, KCMP_VM, 0, 0) != 0);
	CHECK(kcmp2(me, child, KCMP_FILES, 0, 0) != 0);
	CHECK(kcmp2(me, child, KCMP_FS, 0, 0) != 0);
	CHECK(kcmp2(me, child, KCMP_SIGHAND, 0, 0) != 0);
	CHECK_EQ(kcmp2(me, child, KCMP_SYSVSEM, 0, 0), 0);   /* neither has a SEM_UNDO list */
	CHECK_EQ(kcmp2(me, child, KCMP_FILE, fds[0], fds[0]), 0);   /* inherited: one description */
	close(fds[1]);
	CHECK_EXITED(wait_status(child), 0);
	pthread_t th;
	CHECK_EQ(pipe(tfds), 0);
	CHECK_EQ(pthread_create(&th, NULL, park_thread, &tfds[0]), 0);
	pid_t tid = -1;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != me)
			tid = atoi(e->d_name);
	closedir(d);
	CHECK(tid > 0);
	for (int t = KCMP_VM; t <= KCMP_SIGHAND; t++)
		CHECK_EQ(kcmp2(me, tid, t, 0, 0), 0);
	close(tfds[1]);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

GTEST(kcmp_file_descriptions)
{
	pid_t me = getpid();
	int a = open("/proc/self/exe", O_RDONLY), b = open("/proc/self/exe", O_RDONLY), c = dup(a);
	CHECK(a >= 0 && b >= 0 && c >= 0);
	CHECK_EQ(kcmp2(me, me, KCMP_FILE, a, c), 0);
	CHECK(kcmp2(me, me, KCMP_FILE, a, b) != 0);
	CHECK_ERR(kcmp(me, me, KCMP_FILE, a, 999), EBADF);
	CHECK_ERR(kcmp(me, me, KCMP_FILE, 999, a), EBADF);
	close(a), close(b), close(c);
}

GTEST(kcmp_epoll_target)
{
	pid_t me = getpid();
	int p[2], ep = epoll_create1(0);
	CHECK(ep >= 0);
	CHECK_EQ(pipe(p), 0);
	struct epoll_event ev = { .events = EPOLLIN };
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	struct kcmp_epoll_slot slot = { .efd = ep, .tfd = p[0], .toff = 0 };
	CHECK_EQ(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), 0);
	long r = kcmp(me, me, KCMP_EPOLL_TFD, p[1], (unsigned long)&slot);
	CHECK(r == 1 || r == 2, "%ld", r);
	slot.toff = 1;
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), ENOENT);
	slot.toff = 0, slot.tfd = p[1];
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), ENOENT);
	slot.efd = p[1];
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), EINVAL);
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)BAD_PTR), EFAULT);
	slot.efd = 999;
	CHECK_ERR(kcmp(me, me, KCMP_EPOLL_TFD, p[0], (unsigned long)&slot), EBADF);
	close(ep), close(p[0]), close(p[1]);
}

GTEST(kcmp_errors)
{
	pid_t me = getpid();
	CHECK_ERR(kcmp(me, me, KCMP_TYPES, 0, 0), EINVAL);
	CHECK_ERR(kcmp(me, me, -1, 0, 0), EINVAL);
	CHECK_ERR(kcmp(me, NO_PID, KCMP_VM, 0, 0), ESRCH);
	CHECK_ERR(kcmp(NO_PID, me, KCMP_VM, 0, 0), ESRCH);
	if (geteuid() != 0)
		return;
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(setresuid(65534, 65534, 65534), 0);
		CHECK_ERR(kcmp(getpid(), getppid(), KCMP_VM, 0, 0), EPERM);   /* no ptrace access to root */
		CHECK(kcmp(getpid(), getpid(), KCMP_VM, 0, 0) == 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- ioprio ---- */

static long ioprio_get(int which, int who)
{
	return syscall(SYS_ioprio_get, which, who);
}

static long ioprio_set(int which, int who, int prio)
{
	return syscall(SYS_ioprio_set, which, who, prio);
}

GTEST(ioprio_classes_levels_and_errors)
{
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(BE, 5)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(BE, 5));
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, getpid()), IOPRIO(BE, 5));
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IDLE, 7)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(IDLE, 7));
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, 0x10000 | IOPRIO(BE, 3)), 0);   /* 16 bits kept */
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(BE, 3));
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 1)), EINVAL);
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(4, 0)), EINVAL);
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(7, 0)), EINVAL);
	CHECK_ERR(ioprio_set(4, 0, IOPRIO(BE, 3)), EINVAL);
	CHECK_ERR(ioprio_get(4, 0), EINVAL);
	CHECK_ERR(ioprio_get(IOPRIO_WHO_PROCESS, NO_PID), ESRCH);
	CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, NO_PID, IOPRIO(BE, 3)), ESRCH);
	CHECK_ERR(ioprio_get(IOPRIO_WHO_PGRP, NO_PID), ESRCH);
	CHECK_ERR(ioprio_get(IOPRIO_WHO_USER, 54321), ESRCH);
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 0)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), 0);
}

GTEST(ioprio_inherited_and_permissions)
{
	if (geteuid() != 0)
		SKIP("needs root");
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(RT, 2)), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(RT, 2));
		CHECK_EQ(setresuid(54321, 54321, 54321), 0);
		CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(BE, 1)), 0);
		CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(RT, 1)), EPERM);
		CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO(IDLE, 0)), 0);
		CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, getppid()), IOPRIO(RT, 2));
		CHECK_ERR(ioprio_set(IOPRIO_WHO_PROCESS, getppid(), IOPRIO(BE, 1)), EPERM);
		CHECK_EQ(ioprio_set(IOPRIO_WHO_USER, 54321, IOPRIO(BE, 6)), 0);
		CHECK_EQ(ioprio_get(IOPRIO_WHO_USER, 54321), IOPRIO(BE, 6));
		CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, 0), IOPRIO(BE, 6));
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, 0, 0), 0);
}

GTEST(ioprio_process_group_best)
{
	int fds[2];
	CHECK_EQ(setpgid(0, 0), 0);   /* a group of its own */
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PGRP, 0, IOPRIO(BE, 6)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PGRP, 0), IOPRIO(BE, 6));   /* one member: its own */
	pid_t child = parked_child(fds);
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, child, IOPRIO(BE, 3)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PGRP, getpgrp()), IOPRIO(BE, 3));   /* the best */
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PROCESS, child, 0), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PGRP, 0), IOPRIO(BE, 4));   /* NONE counts as BE's norm */
	CHECK_EQ(ioprio_set(IOPRIO_WHO_PGRP, 0, IOPRIO(IDLE, 1)), 0);
	CHECK_EQ(ioprio_get(IOPRIO_WHO_PROCESS, child), IOPRIO(IDLE, 1));
	close(fds[1]);
	CHECK_EXITED(wait_status(child), 0);
}

/* ---- membarrier ---- */

static long membarrier(int cmd, unsigned flags)
{
	return syscall(SYS_membarrier, cmd, flags, 0);
}

GTEST(membarrier_query_and_errors)
{
	long mask = membarrier(MEMBARRIER_CMD_QUERY, 0);
	CHECK((mask & 0x7f) == 0x7f, "query %#lx", mask);
	if (on_aspen())
		CHECK_EQ(mask, 0x27f);   /* no rseq: Linux without CONFIG_RSEQ */
	CHECK_ERR(membarrier(MEMBARRIER_CMD_QUERY, 1), EINVAL);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 1), EINVAL);
	CHECK_ERR(membarrier(1 << 20, 0), EINVAL);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GLOBAL, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0), 0);
	if (on_aspen())
		CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0), EINVAL);
}

GTEST(membarrier_private_needs_registering)
{
	char out[256];
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS, 0), 0);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), EPERM);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0), EPERM);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0), 0);
	CHECK_ERR(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), EPERM);   /* its own READY */
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS, 0),
		 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0), 0);
	CHECK_EQ(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS, 0), 0x54);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0 ? 0 : 1);   /* fork keeps it */
	CHECK_EXITED(wait_status(pid), 0);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "mb=0 ") != NULL, "a new program's mm has none: %s", out);
}

static volatile int spin_stop;

static void *spinner(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
		;
	return NULL;
}

/* On two CPUs the other thread runs the mm: the barriers interrupt it. */
GTEST(membarrier_with_a_running_thread)
{
	pthread_t th;
	CHECK_EQ(membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0), 0);
	CHECK_EQ(pthread_create(&th, NULL, spinner, NULL), 0);
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), 0);
		CHECK_EQ(membarrier(i % 5 ? MEMBARRIER_CMD_GLOBAL_EXPEDITED : MEMBARRIER_CMD_GLOBAL, 0), 0);
	}
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

/* ---- setns ---- */

GTEST(setns_without_namespace_files)
{
	int fd = open("/", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(syscall(SYS_setns, fd, 0), EINVAL);
	CHECK_ERR(syscall(SYS_setns, -1, 0), EBADF);
	close(fd);
}

/* ---- /proc/config.gz tells the truth (Aspen only: this host has none) ----
 * Each option beside a call that exists only with it: ENOSYS exactly
 * when the option is unset. Arguments are invalid on purpose. */

struct probe {
	const char *option;
	long nr;
	long a1, a2, a3;
};

static const struct probe probes[] = {
	{ "EPOLL", SYS_epoll_create1, -1, 0, 0 },
	{ "SIGNALFD", SYS_signalfd4, -1, 0, 0 },
	{ "EVENTFD", SYS_eventfd2, 0, -1, 0 },
	{ "TIMERFD", SYS_timerfd_create, -1, 0, 0 },
	{ "MEMFD_CREATE", SYS_memfd_create, 0, -1, 0 },
	{ "MEMBARRIER", SYS_membarrier, -1, 0, 0 },
	{ "KCMP", SYS_kcmp, NO_PID, NO_PID, 0 },
	{ "NET", SYS_socket, -1, 0, 0 },
	{ "POSIX_MQUEUE", SYS_mq_open, 0, 0, 0 },
	{ "AIO", SYS_io_setup, 0, 0, 0 },
	{ "IO_URING", SYS_io_uring_setup, 0, 0, 0 },
	{ "BPF_SYSCALL", SYS_bpf, -1, 0, 0 },
	{ "USERFAULTFD", SYS_userfaultfd, -1, 0, 0 },
	{ "PERF_EVENTS", SYS_perf_event_open, 0, 0, 0 },
	{ "SECCOMP", SYS_seccomp, -1, 0, 0 },
	{ "FANOTIFY", SYS_fanotify_init, -1, 0, 0 },
	{ "CROSS_MEMORY_ATTACH", SYS_process_vm_readv, NO_PID, 0, 0 },
	{ "ADVISE_SYSCALLS", SYS_madvise, 1, 0, -1 },
};

GTEST(config_gz_matches_the_calls)
{
	ASPEN_ONLY();
	static char text[1 << 20];
	char *argv[] = { "zcat", "/proc/config.gz", NULL };
	CHECK_EXITED(run_output("zcat", argv, text, sizeof(text)), 0);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		char on[64], off[80];
		snprintf(on, sizeof(on), "\nCONFIG_%s=y\n", p->option);
		snprintf(off, sizeof(off), "\n# CONFIG_%s is not set\n", p->option);
		bool says_on = strstr(text, on) != NULL, says_off = strstr(text, off) != NULL;
		errno = 0;
		long r = syscall(p->nr, p->a1, p->a2, p->a3, 0, 0, 0);
		bool there = !(r == -1 && errno == ENOSYS);
		CHECK(says_on != says_off, "CONFIG_%s: on %d off %d", p->option, says_on, says_off);
		CHECK(says_on == there, "CONFIG_%s says %s, the call returned %ld (%s)", p->option,
		      says_on ? "y" : "unset", r, strerror(errno));
	}
}
