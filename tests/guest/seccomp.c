/*
 * seccomp.c - system call filtering as Linux has it: strict mode (read,
 * write, exit and rt_sigreturn, anything else SIGKILL), filters (classic
 * BPF over struct seccomp_data) and their verdicts (ERRNO, TRAP with its
 * SIGSYS siginfo, KILL_THREAD, KILL_PROCESS, TRACE and USER_NOTIF
 * without a tracer or listener, LOG, ALLOW), stacked filters (the most
 * restrictive verdict wins), inheritance by fork and execve, TSYNC, the
 * permission rule (no_new_privs or CAP_SYS_ADMIN), the checker's
 * refusals, /proc/PID/status. Each test that installs a filter does it
 * in a child: filters cannot be removed.
 */
// GUEST: glibc
#include "gtest.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define ARG0_OFF offsetof(struct seccomp_data, args[0])

/* A program: if the call is nr, return verdict, else allow. */
#define ON_NR(nr, verdict) {                                              \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),                       \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                  \
	BPF_STMT(BPF_RET | BPF_K, (verdict)),                             \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) }

static long sys_seccomp(unsigned op, unsigned flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

/* Install prog (n instructions) with flags: seccomp's result. */
static long install(struct sock_filter *prog, unsigned short n, unsigned flags)
{
	struct sock_fprog f = { n, prog };
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &f);
}

/* no_new_privs, then a filter returning verdict for nr. */
static void filter_nr(long nr, uint32_t verdict)
{
	struct sock_filter prog[] = ON_NR(nr, verdict);
	CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	CHECK_EQ(install(prog, 4, 0), 0);
}

GTEST(strict_mode_allows_read_and_write_and_kills_the_rest)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0)
			syscall(SYS_exit, 1);
		write(p[1], "ok", 2);
		syscall(SYS_getpid);       /* not allowed: SIGKILL */
		syscall(SYS_exit, 2);
	}
	close(p[1]);
	char buf[4];
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2);
	int st = wait_status(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	close(p[0]);
	/* and exit (not exit_group) is allowed */
	pid = xfork();
	if (pid == 0) {
		prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT);
		syscall(SYS_exit, 7);
	}
	CHECK_EXITED(wait_status(pid), 7);
}

GTEST(filter_needs_no_new_privs_or_cap_sys_admin)
{
	if (geteuid() != 0)
		SKIP("needs root to drop to another user");
	pid_t pid = xfork();
	if (pid == 0) {
		struct sock_filter prog[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
		if (setgid(65534) || setuid(65534))
			SKIP("setuid: %s", strerror(errno));
		CHECK_ERR(install(prog, 1, 0), EACCES);
		CHECK_EQ(prctl(PR_GET_SECCOMP), 0);
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		CHECK_EQ(install(prog, 1, 0), 0);
		CHECK_EQ(prctl(PR_GET_SECCOMP), SECCOMP_MODE_FILTER);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(errno_verdict_fails_the_call_without_running_it)
{
	pid_t pid = xfork();
	if (pid == 0) {
		filter_nr(SYS_getppid, SECCOMP_RET_ERRNO | 42);
		CHECK_ERR(syscall(SYS_getppid), 42);
		CHECK(getpid() > 0);
		struct sock_filter big[] = ON_NR(SYS_getuid, SECCOMP_RET_ERRNO | 5000);
		CHECK_EQ(install(big, 4, 0), 0);
		CHECK_ERR(syscall(SYS_getuid), 4095);   /* at most MAX_ERRNO */
		struct sock_filter zero[] = ON_NR(SYS_getgid, SECCOMP_RET_ERRNO | 0);
		CHECK_EQ(install(zero, 4, 0), 0);
		CHECK_EQ(syscall(SYS_getgid, 0), 0);     /* "succeeds" with 0, not run */
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

static volatile siginfo_t trapped;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	trapped = *si;
	ucontext_t *u = uc;
	CHECK_EQ(u->uc_mcontext.gregs[REG_RAX], SYS_getppid);   /* rolled back */
	u->uc_mcontext.gregs[REG_RAX] = 1234;                    /* the call's result now */
}

GTEST(trap_verdict_raises_sigsys_with_the_call_described)
{
	pid_t pid = xfork();
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
		CHECK_EQ(sigaction(SIGSYS, &sa, NULL), 0);
		filter_nr(SYS_getppid, SECCOMP_RET_TRAP | 7);
		CHECK_EQ(syscall(SYS_getppid, 1, 2, 3), 1234);
		CHECK_EQ(trapped.si_signo, SIGSYS);
		CHECK_EQ(trapped.si_code, 1);            /* SYS_SECCOMP */
		CHECK_EQ(trapped.si_errno, 7);
		CHECK_EQ(trapped.si_syscall, SYS_getppid);
		CHECK_EQ(trapped.si_arch, AUDIT_ARCH_X86_64);
		CHECK(trapped.si_call_addr != NULL);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(kill_process_and_kill_thread_verdicts_end_with_sigsys)
{
	uint32_t verdicts[] = { SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD };
	for (int i = 0; i < 2; i++) {
		pid_t pid = xfork();
		if (pid == 0) {
			struct rlimit no_core = { 0, 0 };
			setrlimit(RLIMIT_CORE, &no_core);
			signal(SIGSYS, SIG_IGN);   /* a kill cannot be ignored */
			filter_nr(SYS_getppid, verdicts[i]);
			syscall(SYS_getppid);
			_exit(0);
		}
		int st = wait_status(pid);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "verdict %#x: status %#x", verdicts[i], st);
	}
}

static volatile int killed_tid;

static void *killed_thread(void *arg)
{
	filter_nr(SYS_getppid, SECCOMP_RET_KILL_THREAD);   /* this thread's own */
	killed_tid = (int)syscall(SYS_gettid);
	syscall(SYS_getppid);
	return arg;   /* never */
}

/* The thread's libc never learns it ended (musl's join would wait on):
 * wait for its /proc/self/task entry to go, up to ten seconds. */
GTEST(kill_thread_verdict_ends_only_that_thread)
{
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, killed_thread, NULL), 0);
		char path[64];
		int i = 0;
		while (!killed_tid && i++ < 1000)
			usleep(10000);
		snprintf(path, sizeof(path), "/proc/self/task/%d", killed_tid);
		for (i = 0; i < 1000 && access(path, F_OK) == 0; i++)
			usleep(10000);
		CHECK(killed_tid && access(path, F_OK) != 0, "thread %d still there", killed_tid);
		CHECK(syscall(SYS_getppid) > 0);   /* this thread has no filter */
		CHECK_EQ(prctl(PR_GET_SECCOMP), 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(stacked_filters_give_the_most_restrictive_verdict)
{
	pid_t pid = xfork();
	if (pid == 0) {
		filter_nr(SYS_getppid, SECCOMP_RET_ERRNO | 5);
		struct sock_filter b[] = ON_NR(SYS_getppid, SECCOMP_RET_ERRNO | 6);
		struct sock_filter c[] = ON_NR(SYS_getppid, SECCOMP_RET_LOG);
		struct sock_filter d[] = ON_NR(SYS_getppid, SECCOMP_RET_TRAP);
		CHECK_EQ(install(b, 4, 0), 0);
		CHECK_ERR(syscall(SYS_getppid), 6);      /* a tie: the newest filter's data */
		CHECK_EQ(install(c, 4, 0), 0);
		CHECK_ERR(syscall(SYS_getppid), 6);      /* LOG is weaker than ERRNO */
		CHECK_EQ(install(d, 4, 0), 0);
		signal(SIGSYS, SIG_DFL);
		syscall(SYS_getppid);                    /* TRAP is stronger: SIGSYS kills */
		_exit(0);
	}
	int st = wait_status(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x", st);
}

GTEST(filters_see_arguments_and_arch)
{
	pid_t pid = xfork();
	if (pid == 0) {
		struct sock_filter prog[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 4),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),      /* low word of args[0] */
			BPF_STMT(BPF_ST, 3),
			BPF_STMT(BPF_LDX | BPF_MEM, 3),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0),      /* A == X: always */
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
			BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
			BPF_STMT(BPF_RET | BPF_A, 0),
		};
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		CHECK_EQ(install(prog, sizeof(prog) / sizeof(prog[0]), 0), 0);
		CHECK_ERR(syscall(SYS_getppid, 0x12345400 | 77), 77);   /* errno: the argument's low byte */
		CHECK_EQ(syscall(SYS_getppid, 0x100), 0);                /* ERRNO 0: "succeeds", not run */
		CHECK(syscall(SYS_getuid) >= 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(trace_and_user_notif_verdicts_without_tracer_or_listener_are_enosys)
{
	pid_t pid = xfork();
	if (pid == 0) {
		filter_nr(SYS_getppid, SECCOMP_RET_TRACE | 3);
		CHECK_ERR(syscall(SYS_getppid), ENOSYS);
		struct sock_filter n[] = ON_NR(SYS_getuid, SECCOMP_RET_USER_NOTIF);
		CHECK_EQ(install(n, 4, 0), 0);
		CHECK_ERR(syscall(SYS_getuid), ENOSYS);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* The "Seccomp:" and "Seccomp_filters:" lines of a status file. */
static void status_seccomp(const char *path, long *mode, long *filters)
{
	*mode = proc_number(path, "Seccomp:");
	*filters = proc_number(path, "Seccomp_filters:");
}

GTEST(fork_and_execve_keep_the_filters_and_status_shows_them)
{
	pid_t pid = xfork();
	if (pid == 0) {
		long mode, n;
		filter_nr(SYS_getppid, SECCOMP_RET_ERRNO | 11);
		filter_nr(SYS_getuid, SECCOMP_RET_ERRNO | 12);
		status_seccomp("/proc/self/status", &mode, &n);
		CHECK(mode == 2 && n == 2, "Seccomp: %ld, Seccomp_filters: %ld", mode, n);
		pid_t c = xfork();
		if (c == 0) {
			CHECK_ERR(syscall(SYS_getppid), 11);
			_exit(0);
		}
		CHECK_EXITED(wait_status(c), 0);
		int p[2];
		CHECK_EQ(pipe(p), 0);
		c = xfork();
		if (c == 0) {
			dup2(p[1], 1);
			execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		char buf[8192];
		size_t got = 0;
		ssize_t r;
		while (got < sizeof(buf) - 1 && (r = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
			got += (size_t)r;
		buf[got] = 0;
		CHECK_EXITED(wait_status(c), 0);
		CHECK(strstr(buf, "Seccomp:\t2\n") && strstr(buf, "Seccomp_filters:\t2\n"), "after exec:\n%s", buf);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

static volatile int parked_tid;
static volatile int parked_errno, parked_go;

static void *parked(void *arg)
{
	parked_tid = (int)syscall(SYS_gettid);
	while (!__atomic_load_n(&parked_go, __ATOMIC_ACQUIRE))
		sched_yield();
	parked_errno = syscall(SYS_getppid) < 0 ? errno : 0;
	return arg;
}

GTEST(tsync_gives_every_thread_the_filter)
{
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, parked, NULL), 0);
		while (!parked_tid)
			sched_yield();
		struct sock_filter prog[] = ON_NR(SYS_getppid, SECCOMP_RET_ERRNO | 13);
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		CHECK_EQ(install(prog, 4, SECCOMP_FILTER_FLAG_TSYNC), 0);
		char path[64];
		long mode, n;
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", parked_tid);
		status_seccomp(path, &mode, &n);
		CHECK(mode == 2 && n == 1, "the other thread: Seccomp: %ld, Seccomp_filters: %ld", mode, n);
		__atomic_store_n(&parked_go, 1, __ATOMIC_RELEASE);
		CHECK_EQ(pthread_join(t, NULL), 0);
		CHECK_EQ(parked_errno, 13);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

static void *own_filter(void *arg)
{
	filter_nr(SYS_getuid, SECCOMP_RET_ERRNO | 1);   /* a chain the main thread does not have */
	parked_tid = (int)syscall(SYS_gettid);
	while (!__atomic_load_n(&parked_go, __ATOMIC_ACQUIRE))
		sched_yield();
	return arg;
}

GTEST(tsync_fails_on_a_thread_with_other_filters)
{
	pid_t pid = xfork();
	if (pid == 0) {
		pthread_t t;
		parked_tid = 0;
		CHECK_EQ(pthread_create(&t, NULL, own_filter, NULL), 0);
		while (!parked_tid)
			sched_yield();
		struct sock_filter prog[] = ON_NR(SYS_getppid, SECCOMP_RET_ERRNO | 13);
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		CHECK_EQ(install(prog, 4, SECCOMP_FILTER_FLAG_TSYNC), parked_tid);
		CHECK_ERR(install(prog, 4, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH), ESRCH);
		CHECK_EQ(prctl(PR_GET_SECCOMP), 0);   /* nothing installed */
		__atomic_store_n(&parked_go, 1, __ATOMIC_RELEASE);
		CHECK_EQ(pthread_join(t, NULL), 0);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(checker_refuses_bad_programs)
{
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
		struct sock_filter ret_allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		CHECK_ERR(install(&ret_allow, 0, 0), EINVAL);                   /* empty */
		static struct sock_filter many[BPF_MAXINSNS + 1];
		for (int i = 0; i <= BPF_MAXINSNS; i++)
			many[i] = ret_allow;
		CHECK_ERR(install(many, BPF_MAXINSNS + 1, 0), EINVAL);         /* too long */
		struct sock_filter bad[][2] = {
			{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ret_allow },   /* past seccomp_data */
			{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ret_allow },    /* unaligned */
			{ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), ret_allow },    /* a byte load */
			{ BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0), ret_allow },      /* out of the program */
			{ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0), ret_allow },
			{ BPF_STMT(BPF_LD | BPF_MEM, 1), ret_allow },            /* M[1] never written */
			{ BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ret_allow },   /* division by 0 */
			{ BPF_STMT(BPF_ST, 16), ret_allow },                     /* no M[16] */
			{ BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), ret_allow },   /* not for seccomp */
			{ ret_allow, BPF_STMT(BPF_LD | BPF_IMM, 0) },            /* no return at the end */
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CHECK(install(bad[i], 2, 0) == -1 && errno == EINVAL, "program %zu: errno %d", i, errno);
		CHECK_ERR(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)8), EFAULT);
		struct sock_fprog badptr = { 1, (struct sock_filter *)8 };
		CHECK_ERR(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &badptr), EFAULT);
		CHECK_ERR(install(&ret_allow, 1, 1u << 20), EINVAL);            /* unknown flag */
		CHECK_ERR(sys_seccomp(99, 0, NULL), EINVAL);                   /* unknown operation */
		CHECK_ERR(sys_seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL);
		CHECK_ERR(prctl(PR_SET_SECCOMP, 7, 0, 0, 0), EINVAL);
		uint32_t action = SECCOMP_RET_ALLOW;
		CHECK_EQ(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action), 0);
		action = SECCOMP_RET_KILL_PROCESS;
		CHECK_EQ(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action), 0);
		action = 0x12340000;
		CHECK_ERR(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action), EOPNOTSUPP);
		CHECK_EQ(prctl(PR_GET_SECCOMP), 0);   /* nothing was installed */
		/* the instructions of every filter together: at most 32768, 4 more per filter */
		int installed = 0;
		while (installed < 10 && install(many, BPF_MAXINSNS, 0) == 0)
			installed++;
		/* Aspen counts the programs' own instructions (7 fit); Linux
		 * counts those it translates them into, and refuses sooner */
		CHECK(installed >= 2 && installed <= 7, "%d filters of 4096 instructions", installed);
		CHECK_EQ(errno, ENOMEM);
		CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT), EINVAL);   /* filters set already */
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}

/* SECCOMP_RET_TRACE with a tracer that asked for PTRACE_O_TRACESECCOMP:
 * a PTRACE_EVENT_SECCOMP stop with the verdict's data as the event
 * message; the tracer may skip the call (number -1, its own result) or
 * let it run. */
GTEST(trace_verdict_stops_for_a_tracer_that_asked)
{
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_EQ(ptrace(PTRACE_TRACEME, 0, 0, 0), 0);
		raise(SIGSTOP);
		long parent = getppid();
		filter_nr(SYS_getppid, SECCOMP_RET_TRACE | 5);
		long skipped = syscall(SYS_getppid);
		long ran = syscall(SYS_getppid);
		_exit(skipped == 77 && ran == parent ? 0 : 1);
	}
	int st = wait_status(pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP), 0);
	CHECK_EQ(ptrace(PTRACE_CONT, pid, 0, 0), 0);
	for (int round = 0; round < 2; round++) {
		st = wait_status(pid);
		CHECK(WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)), "round %d: status %#x",
		      round, st);
		unsigned long msg = 0;
		CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg), 0);
		CHECK_EQ(msg, 5);
		struct user_regs_struct r;
		CHECK_EQ(ptrace(PTRACE_GETREGS, pid, 0, &r), 0);
		CHECK_EQ(r.orig_rax, SYS_getppid);
		CHECK_EQ((long)r.rax, -ENOSYS);
		if (round == 0) {   /* skip it, with a result of our own */
			r.orig_rax = -1;
			r.rax = 77;
			CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
		}
		CHECK_EQ(ptrace(PTRACE_CONT, pid, 0, 0), 0);
	}
	CHECK_EXITED(wait_status(pid), 0);
}
