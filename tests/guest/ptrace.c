/*
 * ptrace.c - process tracing as Linux does it: TRACEME and the exec
 * SIGTRAP, peeking and poking (a breakpoint in text is a private copy
 * of the page), registers, syscall stops, single steps, events for
 * fork, clone, exec and exit, signal injection and suppression, attach,
 * seize, interrupt, detach, the cases that fail, TracerPid in /proc,
 * the debug registers (hardware breakpoints firing: Aspen, or a host
 * whose CPU fires them) and the extended-state regset as the CPU has it.
 *
 * Helpers run as this program again: "ptrace --helper exit N" exits N
 * at once (a constructor catches it before the tests run).
 */
#include "gtest.h"
#include <pthread.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <elf.h>
#include <linux/ptrace.h>
#include "ptrace_util.h"

__attribute__((constructor)) static void helper(void)
{
	int argc;
	char **argv = initial_argv(&argc);
	if (argc == 4 && strcmp(argv[1], "--helper") == 0 && strcmp(argv[2], "exit") == 0)
		_exit(atoi(argv[3]));
}

static void exec_helper_exit(int code)
{
	char num[16];
	snprintf(num, sizeof(num), "%d", code);
	char *argv[] = { "ptrace", "--helper", "exit", num, NULL };
	execv("/proc/self/exe", argv);
	_exit(99);
}

static void do_exec_42(void) { exec_helper_exit(42); }

GTEST(traceme_exec_stops_with_sigtrap)
{
	pid_t pid = traced_child(do_exec_42);
	cont(pid, 0);
	int st = wait_any(pid);
	CHECK_STOPPED(st, SIGTRAP);                          /* after execve, before its first instruction */
	siginfo_t si;
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, 0, &si), 0);
	CHECK_EQ(si.si_signo, SIGTRAP);
	CHECK_EQ(si.si_code, SI_USER);
	struct user_regs_struct r = getregs(pid);
	CHECK(r.rip != 0 && r.rsp != 0, "rip %lx rsp %lx", (unsigned long)r.rip, (unsigned long)r.rsp);
	CHECK_EQ(r.orig_rax, SYS_execve);                    /* stopped on the way out of execve */
	CHECK_EQ(r.rax, 0);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 42);
}

/* ---- memory ---- */

__attribute__((noinline)) int breakpoint_target(void)
{
	__asm__ volatile("" ::: "memory");
	return 42;
}

static void call_target(void) { _exit(breakpoint_target()); }

/* The file offset of addr in this process's mapping of its program. */
static off_t exe_offset(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f != NULL, "maps: %s", strerror(errno));
	char line[512];
	unsigned long lo, hi, off;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) == 3 &&
		    (unsigned long)addr >= lo && (unsigned long)addr < hi) {
			fclose(f);
			return (off_t)(off + ((unsigned long)addr - lo));
		}
	}
	fclose(f);
	CHECK(0, "no mapping holds %p", addr);
	return 0;
}

GTEST(breakpoint_poked_into_text_stops_the_tracee_and_stays_private)
{
	void *at = (void *)breakpoint_target;
	long orig = *(volatile long *)at;
	pid_t pid = traced_child(call_target);
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, at, 0);
	CHECK(errno == 0 && word == orig, "PEEKTEXT %lx, expected %lx (%s)", word, orig, strerror(errno));
	long bp = (orig & ~0xffL) | 0xcc;                    /* int3 */
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, at, (void *)bp), 0);
	CHECK_EQ(ptrace(PTRACE_PEEKTEXT, pid, at, 0), bp);
	CHECK_EQ(*(volatile long *)at, orig);                /* our mapping of the same file */
	int fd = open("/proc/self/exe", O_RDONLY);
	long file_word = 0;
	CHECK_EQ(pread(fd, &file_word, sizeof(file_word), exe_offset(at)), sizeof(file_word));
	CHECK_EQ(file_word, orig);                           /* and the file itself */
	close(fd);
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGTRAP);               /* the int3 */
	struct user_regs_struct r = getregs(pid);
	CHECK_EQ(r.rip, (unsigned long)at + 1);
	CHECK_EQ(ptrace(PTRACE_POKETEXT, pid, at, (void *)orig), 0);
	r.rip = (unsigned long)at;
	CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 42);
}

static volatile long poke_me = 1234;

static void exit_with_poke_me(void) { _exit(poke_me == 5678 ? 0 : 1); }

GTEST(peek_and_poke_data_change_only_the_tracee)
{
	pid_t pid = traced_child(exit_with_poke_me);
	errno = 0;
	CHECK_EQ(ptrace(PTRACE_PEEKDATA, pid, &poke_me, 0), 1234);
	CHECK_EQ(errno, 0);
	CHECK_EQ(ptrace(PTRACE_POKEDATA, pid, &poke_me, (void *)5678L), 0);
	CHECK_EQ(poke_me, 1234);
	CHECK_ERR(ptrace(PTRACE_PEEKDATA, pid, (void *)8, 0), EIO);   /* nothing mapped there */
	CHECK_ERR(ptrace(PTRACE_POKEDATA, pid, (void *)8, 0), EIO);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

/* ---- registers ---- */

static void spin_forever(void) { for (;;) __asm__ volatile("pause"); }

GTEST(registers_read_through_getregs_peekuser_and_regsets_agree)
{
	pid_t pid = traced_child(spin_forever);
	struct user_regs_struct r = getregs(pid);
	errno = 0;
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, regs.rip), 0), (long)r.rip);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, regs.rsp), 0), (long)r.rsp);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, regs.fs_base), 0), (long)r.fs_base);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, u_debugreg[7]), 0), 0);
	CHECK_EQ(errno, 0);
	CHECK_ERR(ptrace(PTRACE_PEEKUSER, pid, 3, 0), EIO);                    /* misaligned */
	CHECK_ERR(ptrace(PTRACE_PEEKUSER, pid, 4096, 0), EIO);                 /* past the end */
	CHECK_EQ(r.cs, 0x33);
	CHECK_EQ(r.ss, 0x2b);
	struct user_regs_struct r2;
	struct iovec iov = { &r2, sizeof(r2) };
	CHECK_EQ(ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov), 0);
	CHECK_EQ(iov.iov_len, sizeof(r2));
	CHECK(memcmp(&r, &r2, sizeof(r)) == 0, "GETREGSET differs from GETREGS");
	struct user_fpregs_struct f, f2;
	CHECK_EQ(ptrace(PTRACE_GETFPREGS, pid, 0, &f), 0);
	CHECK_EQ(f.mxcsr & 0xffff, 0x1f80);                  /* as the process started */
	f.xmm_space[0] = 0x12345678;
	CHECK_EQ(ptrace(PTRACE_SETFPREGS, pid, 0, &f), 0);
	iov = (struct iovec){ &f2, sizeof(f2) };
	CHECK_EQ(ptrace(PTRACE_GETREGSET, pid, NT_PRFPREG, &iov), 0);
	CHECK_EQ(iov.iov_len, sizeof(f2));
	CHECK_EQ(f2.xmm_space[0], 0x12345678);
	r.rbx = 0x1122334455667788ULL;
	CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
	CHECK_EQ(ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, regs.rbx), 0), 0x1122334455667788LL);
	CHECK_EQ(ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, regs.r12), (void *)77L), 0);
	CHECK_EQ(getregs(pid).r12, 77);
	r.cs = 0x10;                                         /* a kernel code segment */
	CHECK_ERR(ptrace(PTRACE_SETREGS, pid, 0, &r), EIO);
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
}

/* ---- syscall stops ---- */

static void two_getpids(void)
{
	long a = syscall(SYS_getpid);
	long b = syscall(SYS_getpid);                        /* the tracer turns this into getppid */
	_exit(a == getpid() && b == getppid() ? 0 : 1);
}

GTEST(syscall_stops_show_orig_rax_and_the_tracer_can_change_the_call)
{
	struct user_regs_struct r;
	pid_t pid = traced_child_at_syscall(two_getpids, SYS_getpid, &r);
	CHECK_EQ(r.rax, -ENOSYS);                            /* entry: no result yet */
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, 0, &(unsigned long){0}), 0);
	r = next_syscall_stop(pid);
	CHECK_EQ(r.orig_rax, SYS_getpid);
	CHECK_EQ(r.rax, pid);                                /* exit: the result */
	r = next_syscall_stop(pid);
	CHECK_EQ(r.orig_rax, SYS_getpid);
	r.orig_rax = SYS_getppid;
	CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
	r = next_syscall_stop(pid);
	CHECK_EQ(r.orig_rax, SYS_getppid);
	CHECK_EQ(r.rax, getpid());
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

static void skipped_kill(void)
{
	syscall(SYS_kill, getpid(), SIGKILL);                /* the tracer cancels it */
	_exit(7);
}

GTEST(syscall_cancelled_at_entry_never_runs)
{
	struct user_regs_struct r;
	pid_t pid = traced_child_at_syscall(skipped_kill, SYS_kill, &r);
	r.orig_rax = -1;
	r.rax = -EPERM;
	CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
	r = next_syscall_stop(pid);
	CHECK_EQ(r.rax, -EPERM);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 7);
}

/* ---- single step ---- */

static void count_up(void)
{
	volatile int n = 0;
	for (;;)
		n++;
}

GTEST(singlestep_stops_after_each_instruction)
{
	pid_t pid = traced_child(count_up);
	unsigned long last = getregs(pid).rip;
	int moved = 0;
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(ptrace(PTRACE_SINGLESTEP, pid, 0, 0), 0);
		CHECK_STOPPED(wait_any(pid), SIGTRAP);
		unsigned long rip = getregs(pid).rip;
		moved += rip != last;
		last = rip;
	}
	CHECK(moved >= 19, "rip moved in only %d of 20 steps", moved);
	siginfo_t si;
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, 0, &si), 0);
	CHECK_EQ(si.si_signo, SIGTRAP);
	CHECK_EQ(si.si_code, TRAP_TRACE);
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
}

/* ---- signals ---- */

static volatile int usr1_seen, usr2_seen;
static void on_usr1(int s) { usr1_seen++; }
static void on_usr2(int s) { usr2_seen++; }

static void raise_three(void)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	raise(SIGUSR1);      /* suppressed by the tracer */
	raise(SIGUSR2);      /* changed into SIGUSR1 */
	raise(SIGTERM);      /* fatal, suppressed */
	_exit(usr1_seen == 1 && usr2_seen == 0 ? 0 : 10 + usr1_seen * 3 + usr2_seen);
}

GTEST(tracer_suppresses_and_changes_signals)
{
	pid_t pid = traced_child(raise_three);
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGUSR1);
	siginfo_t si;
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, 0, &si), 0);
	CHECK_EQ(si.si_signo, SIGUSR1);
	CHECK_EQ(si.si_pid, pid);                            /* raise() is tgkill from itself */
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGUSR2);
	cont(pid, SIGUSR1);
	CHECK_STOPPED(wait_any(pid), SIGTERM);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

GTEST(fatal_signal_waits_for_the_tracer)
{
	pid_t pid = traced_child(spin_forever);
	cont(pid, 0);
	kill(pid, SIGTERM);
	CHECK_STOPPED(wait_any(pid), SIGTERM);
	cont(pid, SIGTERM);
	CHECK_SIGNALED(wait_any(pid), SIGTERM);
}

/* ---- events ---- */

static void fork_then_exec(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	int st;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 3)
		_exit(80);
	exec_helper_exit(5);
}

GTEST(fork_exec_and_exit_events_reach_the_tracer)
{
	pid_t pid = traced_child(fork_then_exec);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC |
			PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL), 0);
	cont(pid, 0);
	int st = wait_any(pid);
	CHECK(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_FORK << 8), "status %#x", st);
	unsigned long msg = 0;
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg), 0);
	pid_t gc = (pid_t)msg;
	CHECK(gc > 0 && gc != pid, "new child %d", gc);
	CHECK_STOPPED(wait_any(gc), SIGSTOP);                /* traced from its birth */
	cont(gc, 0);
	st = wait_any(gc);
	CHECK(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8), "status %#x", st);
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, gc, 0, &msg), 0);
	CHECK_EQ(msg, 3 << 8);                               /* its exit status */
	cont(gc, 0);
	CHECK_EXITED(wait_any(gc), 3);                       /* the tracer hears of it first */
	cont(pid, 0);
	for (;;) {                                           /* the parent's SIGCHLD, then exec */
		st = wait_any(pid);
		CHECK(WIFSTOPPED(st), "status %#x", st);
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8))
			break;
		CHECK_EQ(WSTOPSIG(st), SIGCHLD);
		cont(pid, SIGCHLD);
	}
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg), 0);
	CHECK_EQ(msg, pid);                                  /* the former thread id */
	cont(pid, 0);
	st = wait_any(pid);
	CHECK(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8), "status %#x", st);
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg), 0);
	CHECK_EQ(msg, 5 << 8);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 5);
}

static void *thread_returns(void *arg) { return arg; }

static void make_thread(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, thread_returns, NULL) || pthread_join(t, NULL))
		_exit(81);
	_exit(0);
}

GTEST(clone_event_traces_the_new_thread)
{
	pid_t pid = traced_child(make_thread);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL), 0);
	cont(pid, 0);
	int st = wait_any(pid);
	CHECK(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_CLONE << 8), "status %#x", st);
	unsigned long tid = 0;
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, pid, 0, &tid), 0);
	CHECK((pid_t)tid > pid, "thread %lu", tid);
	cont(pid, 0);
	bool thread_stopped = false, thread_exited = false;
	for (;;) {                                           /* both run; the thread starts stopped */
		int st;
		pid_t w = waitpid(-1, &st, __WALL);
		CHECK(w > 0, "waitpid: %s", strerror(errno));
		if (w == pid && !WIFSTOPPED(st)) {
			CHECK_EXITED(st, 0);
			break;
		}
		if (!WIFSTOPPED(st)) {
			CHECK_EQ(w, tid);
			CHECK_EXITED(st, 0);                 /* a traced thread's exit */
			thread_exited = true;
			continue;
		}
		if (w == (pid_t)tid && WSTOPSIG(st) == SIGSTOP && !thread_stopped)
			thread_stopped = true;
		cont(w, 0);
	}
	CHECK(thread_stopped, "the new thread never stopped");
	CHECK(thread_exited, "the thread's exit was not reported");
}

static int go_pipe[2];

static void *exit_group_on_go(void *arg)
{
	char c;
	if (read(go_pipe[0], &c, 1) == 1)
		syscall(SYS_exit_group, 3);
	return arg;
}

/* The traced leader stops for SIGUSR1; an untraced thread then ends the
 * group. */
static void stop_while_a_thread_exits(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, exit_group_on_go, NULL))
		_exit(81);
	raise(SIGUSR1);
	pthread_join(t, NULL);
	_exit(82);
}

/* Linux ends every other thread of a group exit, even one in a ptrace
 * stop (it has SIGKILL pending): the tracer's wait sees the exit. */
GTEST(exit_group_of_another_thread_ends_a_ptrace_stop)
{
	CHECK_EQ(pipe(go_pipe), 0);
	pid_t pid = traced_child(stop_while_a_thread_exits);
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGUSR1);
	CHECK_EQ(write(go_pipe[1], "g", 1), 1);
	CHECK_EXITED(wait_any(pid), 3);
	close(go_pipe[0]);
	close(go_pipe[1]);
}

/* ---- attach, seize, detach ---- */

static volatile long marker = 0x5eed;

GTEST(attach_a_non_child_then_detach)
{
	prctl(PR_SET_DUMPABLE, 1);
	pid_t target = xfork();
	if (target == 0) {
		prctl(PR_SET_DUMPABLE, 1);
		for (;;)
			pause();
	}
	pid_t tracer = xfork();
	if (tracer == 0) {                                   /* a sibling: not the target's parent */
		if (ptrace(PTRACE_ATTACH, target, 0, 0) != 0)
			_exit(20);
		int st;
		if (waitpid(target, &st, __WALL) != target || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP)
			_exit(21);
		if (task_state(target, target) != 't')
			_exit(22);
		errno = 0;
		if (ptrace(PTRACE_PEEKDATA, target, &marker, 0) != 0x5eed || errno)
			_exit(23);
		if (ptrace(PTRACE_ATTACH, target, 0, 0) != -1 || errno != EPERM)
			_exit(24);                           /* already traced */
		if (ptrace(PTRACE_DETACH, target, 0, 0) != 0)
			_exit(25);
		if (ptrace(PTRACE_PEEKDATA, target, &marker, 0) != -1 || errno != ESRCH)
			_exit(26);                           /* no longer ours */
		_exit(0);
	}
	CHECK_EXITED(wait_status(tracer), 0);
	wait_until_asleep(target, target);                   /* running (in pause) again */
	kill(target, SIGKILL);
	CHECK_SIGNALED(wait_status(target), SIGKILL);
}

GTEST(seize_and_interrupt_stop_without_a_signal)
{
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ(ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_EXITKILL), 0);
	wait_until_asleep(pid, pid);
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, pid, 0, 0), 0);
	int st = wait_any(pid);
	CHECK(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_STOP << 8), "status %#x", st);
	cont(pid, 0);
	wait_until_asleep(pid, pid);                         /* back in pause */
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
}

GTEST(requests_that_must_fail)
{
	CHECK_ERR(ptrace(PTRACE_ATTACH, getpid(), 0, 0), EPERM);          /* oneself */
	CHECK_ERR(ptrace(PTRACE_ATTACH, 999999, 0, 0), ESRCH);
	pid_t pid = xfork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(1);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != -1 || errno != EPERM)
			_exit(2);                            /* traced already */
		for (;;)
			pause();
	}
	wait_until_asleep(pid, pid);
	CHECK_ERR(ptrace(PTRACE_PEEKDATA, pid, &marker, 0), ESRCH);       /* traced, but running */
	CHECK_ERR(ptrace(PTRACE_INTERRUPT, pid, 0, 0), EIO);              /* not seized */
	kill(pid, SIGSTOP);
	CHECK_STOPPED(wait_any(pid), SIGSTOP);
	CHECK_ERR(ptrace(PTRACE_CONT, pid, 0, (void *)1000L), EIO);       /* no such signal */
	CHECK_ERR(ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)0x80000000L), EINVAL);
	CHECK_ERR(ptrace(0x4299, pid, 0, 0), EIO);                        /* no such request */
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
	pid_t other = xfork();                                           /* not traced at all */
	if (other == 0)
		for (;;)
			pause();
	CHECK_ERR(ptrace(PTRACE_PEEKDATA, other, &marker, 0), ESRCH);
	kill(other, SIGKILL);
	CHECK_SIGNALED(wait_status(other), SIGKILL);
}

GTEST(another_user_cannot_attach)
{
	if (geteuid() != 0)
		SKIP("needs root to become another user");
	pid_t victim = xfork();
	if (victim == 0)
		for (;;)
			pause();
	pid_t pid = xfork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		_exit(ptrace(PTRACE_ATTACH, victim, 0, 0) == -1 && errno == EPERM ? 0 : 3);
	}
	CHECK_EXITED(wait_status(pid), 0);
	kill(victim, SIGKILL);
	CHECK_SIGNALED(wait_status(victim), SIGKILL);
}

/* ---- /proc, debug registers, extended state ---- */

/* tracer_pid_of - the TracerPid line of /proc/PID/status. */
static long tracer_pid_of(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "%s: %s", path, strerror(errno));
	long tracer = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid:\t%ld", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}

GTEST(proc_status_names_the_tracer)
{
	pid_t pid = traced_child(spin_forever);
	CHECK_EQ(tracer_pid_of(pid), getpid());
	CHECK_EQ(ptrace(PTRACE_DETACH, pid, 0, 0), 0);
	CHECK_EQ(tracer_pid_of(pid), 0);
	kill(pid, SIGKILL);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
}

#define DR_OFF(n) (offsetof(struct user, u_debugreg) + 8 * (n))
#define DR6_RESERVED 0xffff0ff0L    /* DR6 with nothing to report */
#define DR7_L(n) (1L << (2 * (n)))
#define DR7_RW(n, rw) ((long)(rw) << (16 + 4 * (n)))   /* 0 execute, 1 write, 2 I/O, 3 read/write */
#define DR7_LEN(n, len) ((long)(len) << (18 + 4 * (n)))  /* 0: 1 byte, 1: 2, 3: 4, 2: 8 */

static long peek_dr(pid_t pid, int n)
{
	errno = 0;
	long v = ptrace(PTRACE_PEEKUSER, pid, DR_OFF(n), 0);
	CHECK_EQ(errno, 0);
	return v;
}

static long poke_dr(pid_t pid, int n, long v)
{
	return ptrace(PTRACE_POKEUSER, pid, DR_OFF(n), (void *)v);
}

static volatile long watched;

GTEST(debug_registers_checked_as_linux)
{
	pid_t pid = traced_child(spin_forever);
	CHECK_EQ(peek_dr(pid, 6), DR6_RESERVED);
	CHECK_EQ(peek_dr(pid, 7), 0);
	CHECK_EQ(peek_dr(pid, 0), 0);
	CHECK_EQ(peek_dr(pid, 4), 0);
	CHECK_ERR(poke_dr(pid, 4, 0), EIO);
	CHECK_ERR(poke_dr(pid, 5, 0), EIO);
	CHECK_ERR(poke_dr(pid, 0, (long)0xffffffff81000000UL), EINVAL);   /* kernel */
	CHECK_ERR(poke_dr(pid, 0, 0x800000000000L), EINVAL);               /* non-canonical */
	CHECK_ERR(poke_dr(pid, 0, 0x7ffffffff000L), EINVAL);               /* Linux's TASK_SIZE_MAX */
	CHECK_EQ(poke_dr(pid, 0, 0x7fffffffefffL), 0);
	CHECK_EQ(peek_dr(pid, 0), 0x7fffffffefffL);
	CHECK_EQ(poke_dr(pid, 0, (long)&watched + 1), 0);                  /* unaligned: fine while off */
	CHECK_ERR(poke_dr(pid, 7, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 3)), EINVAL);
	CHECK_EQ(peek_dr(pid, 7), 0);
	CHECK_EQ(poke_dr(pid, 0, (long)&watched), 0);
	CHECK_ERR(poke_dr(pid, 7, DR7_L(0) | DR7_RW(0, 2)), EINVAL);        /* I/O */
	CHECK_ERR(poke_dr(pid, 7, DR7_L(0) | DR7_LEN(0, 3)), EINVAL);       /* execute, 4 bytes */
	CHECK_EQ(poke_dr(pid, 7, 0x700), 0);                               /* no breakpoint enabled */
	CHECK_EQ(peek_dr(pid, 7), 0x700);
	long dr7 = DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 2) | 0x100;
	CHECK_EQ(poke_dr(pid, 7, dr7), 0);
	CHECK_EQ(peek_dr(pid, 7), dr7);
	CHECK_ERR(poke_dr(pid, 0, (long)&watched + 4), EINVAL);           /* 8-byte watch, misaligned */
	CHECK_EQ(peek_dr(pid, 0), (long)&watched);
	CHECK_EQ(poke_dr(pid, 6, 0), 0);
	CHECK_EQ(peek_dr(pid, 6), 0);
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
}

__attribute__((noinline)) static void hw_target(void)
{
	__asm__ volatile("nop");
}

static void run_to_breakpoints(void)
{
	hw_target();
	watched = 5;
}

/* hw_stop - the tracee stopped by a hardware breakpoint at rip: SIGTRAP,
 * TRAP_HWBKPT, DR6 saying which. False when it exited instead. */
static bool hw_stop(pid_t pid, long rip, long dr6_bit)
{
	int status = wait_any(pid);
	if (WIFEXITED(status))
		return false;
	CHECK_STOPPED(status, SIGTRAP);
	siginfo_t si;
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, 0, &si), 0);
	CHECK_EQ(si.si_signo, SIGTRAP);
	CHECK_EQ(si.si_code, TRAP_HWBKPT);
	CHECK_EQ((long)si.si_addr, getregs(pid).rip);
	if (rip)
		CHECK_EQ(getregs(pid).rip, rip);
	CHECK_EQ(peek_dr(pid, 6), DR6_RESERVED ^ dr6_bit);
	return true;
}

GTEST(hardware_breakpoint_and_watchpoint_stop_the_tracee)
{
	pid_t pid = traced_child(run_to_breakpoints);
	CHECK_EQ(poke_dr(pid, 0, (long)&watched), 0);
	CHECK_EQ(poke_dr(pid, 1, (long)&hw_target), 0);
	CHECK_EQ(poke_dr(pid, 7, DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 2) | DR7_L(1)), 0);
	cont(pid, 0);
	if (!hw_stop(pid, (long)&hw_target, 2)) {
		CHECK(!on_aspen(), "the breakpoint did not fire");
		SKIP("hardware breakpoints do not fire on this host (a VM without debug registers?)");
	}
	cont(pid, 0);   /* resumes past the instruction breakpoint (RF) */
	CHECK(hw_stop(pid, 0, 1), "the watchpoint did not fire");
	errno = 0;
	CHECK_EQ(ptrace(PTRACE_PEEKDATA, pid, &watched, 0), 5);         /* after the write */
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

/* The CPU's extended state, as CPUID tells: XSAVE enabled by the kernel
 * (OSXSAVE) and the size of the area its XCR0 selects. */
static bool cpu_osxsave(unsigned *size)
{
	unsigned a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27)))
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	*size = b;
	return true;
}

GTEST(xstate_regset_as_the_cpu_has_it)
{
	static uint8_t area[16384] __attribute__((aligned(64)));
	pid_t pid = traced_child(spin_forever);
	struct iovec iov = { area, 100 };
	CHECK_ERR(ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov), EINVAL);   /* not whole words */
	iov.iov_len = sizeof(area);
	unsigned size;
	if (!cpu_osxsave(&size)) {   /* Aspen saves the FPU with fxsave only: as Linux without XSAVE */
		CHECK_ERR(ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov), ENODEV);
	} else {
		CHECK_EQ(ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov), 0);
		CHECK_EQ(iov.iov_len, size);
		unsigned lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		uint64_t xcr0 = (uint64_t)hi << 32 | lo, bv;
		CHECK_EQ(*(uint64_t *)(area + 464), xcr0);      /* the kernel's mask in the software bytes */
		memcpy(&bv, area + 512, sizeof(bv));
		CHECK_EQ(bv & ~xcr0, 0);
		struct user_fpregs_struct f;
		CHECK_EQ(ptrace(PTRACE_GETFPREGS, pid, 0, &f), 0);
		CHECK(memcmp(&f, area, 160) == 0, "the legacy region differs from GETFPREGS");
	}
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
}
