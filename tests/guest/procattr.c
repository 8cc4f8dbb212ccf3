/* procattr.c - a process's and a thread's attributes as Linux keeps them:
 * prctl's name, parent-death signal, child subreaper, timer slack, TSC
 * mode, dumpable and no_new_privs, THP disabling, machine-check policy,
 * I/O flusher, tid address; personality(2); what fork, threads
 * and execve do with each. Run as root (natively too). kcmp, ioprio,
 * membarrier and setns are procres.c's. */
#include "procattr.h"
#include <linux/capability.h>

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

/* ---- THP, machine-check policy, I/O flusher, tid address, perf, seccomp ---- */

GTEST(thp_disable_set_get_inherited_and_kept_across_exec)
{
	char out[256];
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK_ERR(prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_THP_DISABLE, 7, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	CHECK_EXITED(wait_status(pid), 1);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "thp=1 ") != NULL, "after exec: %s", out);
	CHECK_EQ(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
}

GTEST(mce_kill_policy_set_cleared_and_inherited)
{
	char out[256];
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);
	CHECK_ERR(prctl(PR_MCE_KILL_GET, 1, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0), 0);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	CHECK_EXITED(wait_status(pid), PR_MCE_KILL_EARLY);
	exec_report(out, sizeof(out));
	CHECK(strstr(out, "mce=1 ") != NULL, "after exec: %s", out);
	CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_MCE_KILL, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 1, 0), EINVAL);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY);
	CHECK_EQ(prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);
	CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 9, 0, 0), EINVAL);   /* as Linux: marked before */
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY);   /* arg3 is checked, early kept */
	CHECK_EQ(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_DEFAULT, 0, 0), 0);
	CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 9, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_LATE);
}

/* Does this process's effective set hold capability cap? (A container
 * may run tests as a root without CAP_SYS_RESOURCE.) */
static bool has_cap(int cap)
{
	char buf[4096];
	read_file("/proc/self/status", buf, sizeof(buf));
	const char *e = strstr(buf, "CapEff:");
	CHECK(e != NULL, "no CapEff in /proc/self/status");
	return (strtoull(e + 7, NULL, 16) >> cap) & 1;
}

GTEST(io_flusher_needs_cap_sys_resource)
{
	if (!has_cap(CAP_SYS_RESOURCE)) {
		CHECK_ERR(prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), EPERM);
		CHECK_ERR(prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0), EPERM);
		return;
	}
	CHECK_EQ(prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), 1);
	CHECK_ERR(prctl(PR_SET_IO_FLUSHER, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_GET_IO_FLUSHER, 1, 0, 0, 0), EINVAL);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setuid(65534) != 0)
			_exit(90);
		errno = 0;
		int a = prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0) == -1 && errno == EPERM;
		int b = prctl(PR_SET_IO_FLUSHER, 0, 0, 0, 0) == -1 && errno == EPERM;
		_exit(a && b ? 0 : 1);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(tid_address_perf_events_and_seccomp_mode)
{
	static int word;
	uint64_t got = 0;
	syscall(SYS_set_tid_address, &word);
	CHECK_EQ(prctl(PR_GET_TID_ADDRESS, &got, 0, 0, 0), 0);
	CHECK_EQ(got, (uintptr_t)&word);
	CHECK_ERR(prctl(PR_GET_TID_ADDRESS, BAD_PTR, 0, 0, 0), EFAULT);
	CHECK_EQ(prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
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

