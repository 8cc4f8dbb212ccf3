/*
 * ptrace2.c - the later ptrace requests, as Linux 6.1 answers them:
 * PEEKSIGINFO (a tracee's pending signals, its own queue or its
 * process's, in the order they came), GETSIGMASK/SETSIGMASK,
 * GET_SYSCALL_INFO at syscall entry, exit and other stops, and SYSEMU,
 * SYSEMU_SINGLESTEP (stop at a syscall's entry and skip the call).
 */
#include "ptrace_util.h"
#include <stddef.h>
#include <sys/mman.h>
#include <linux/ptrace.h>

#define AUDIT_ARCH_X86_64 0xc000003eu
#define SIGSET_BYTES 8                        /* the kernel's sigset_t */
#define BIT(sig) (1ULL << ((sig) - 1))

/* ---- PEEKSIGINFO ---- */

static long peek(pid_t pid, uint64_t off, uint32_t flags, int32_t nr, siginfo_t *out)
{
	struct ptrace_peeksiginfo_args a = { .off = off, .flags = flags, .nr = nr };
	return ptrace(PTRACE_PEEKSIGINFO, pid, &a, out);
}

/* Blocks what it sends itself, then stops with all of it pending:
 * group-wide SIGUSR2, SIGUSR1, two SIGRTMIN (values 1, 2), SIGUSR2 again
 * (merged into the first); for the thread alone SIGHUP. */
static void queue_signals_then_stop(void)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 1 });
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 2 });
	kill(getpid(), SIGUSR2);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGHUP);
	syscall(SYS_kill, getpid(), SIGSTOP);
	_exit(0);
}

GTEST(peeksiginfo_lists_pending_signals_in_arrival_order)
{
	pid_t pid = traced_child(queue_signals_then_stop);
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGSTOP);
	siginfo_t si[8];
	memset(si, 0, sizeof(si));
	CHECK_EQ(peek(pid, 0, PTRACE_PEEKSIGINFO_SHARED, 8, si), 4);
	CHECK_EQ(si[0].si_signo, SIGUSR2);
	CHECK_EQ(si[0].si_code, SI_USER);
	CHECK_EQ(si[0].si_pid, pid);
	CHECK_EQ(si[1].si_signo, SIGUSR1);
	CHECK_EQ(si[2].si_signo, SIGRTMIN);
	CHECK_EQ(si[2].si_code, SI_QUEUE);
	CHECK_EQ(si[2].si_value.sival_int, 1);
	CHECK_EQ(si[3].si_signo, SIGRTMIN);
	CHECK_EQ(si[3].si_value.sival_int, 2);
	memset(si, 0, sizeof(si));
	CHECK_EQ(peek(pid, 1, PTRACE_PEEKSIGINFO_SHARED, 2, si), 2);   /* a window */
	CHECK_EQ(si[0].si_signo, SIGUSR1);
	CHECK_EQ(si[1].si_value.sival_int, 1);
	CHECK_EQ(si[2].si_signo, 0);                                  /* nothing past nr */
	CHECK_EQ(peek(pid, 0, 0, 8, si), 1);                          /* the thread's own */
	CHECK_EQ(si[0].si_signo, SIGHUP);
	CHECK_EQ(si[0].si_code, SI_TKILL);
	CHECK_EQ(peek(pid, 4, PTRACE_PEEKSIGINFO_SHARED, 8, si), 0);  /* past the end */
	CHECK_EQ(peek(pid, ~0ULL, PTRACE_PEEKSIGINFO_SHARED, 8, si), 0);
	CHECK_EQ(peek(pid, 0, PTRACE_PEEKSIGINFO_SHARED, 0, si), 0);
	CHECK_ERR(peek(pid, 0, PTRACE_PEEKSIGINFO_SHARED, -1, si), EINVAL);
	CHECK_ERR(peek(getpid(), 0, 2, 0, si), ESRCH);                   /* not a tracee: before the args */
	CHECK_ERR(peek(pid, 0, 2, 1, si), EINVAL);                    /* unknown flag */
	CHECK_ERR(peek(pid, 0, PTRACE_PEEKSIGINFO_SHARED, 1, NULL), EFAULT);
	CHECK_ERR(ptrace(PTRACE_PEEKSIGINFO, pid, NULL, si), EFAULT);
	/* A buffer that ends after one siginfo: one is copied, no error. */
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(munmap(p + 4096, 4096), 0);
	siginfo_t *last = (siginfo_t *)(p + 4096 - sizeof(siginfo_t));
	CHECK_EQ(peek(pid, 0, PTRACE_PEEKSIGINFO_SHARED, 3, last), 1);
	CHECK_EQ(last->si_signo, SIGUSR2);
	CHECK_EQ(ptrace(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_SIGNALED(wait_any(pid), SIGKILL);
	munmap(p, 4096);
}

/* ---- GETSIGMASK / SETSIGMASK ---- */

static void mask_then_report(void)
{
	sigset_t s, cur;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_SETMASK, &s, NULL);
	syscall(SYS_kill, getpid(), SIGSTOP);
	sigprocmask(SIG_BLOCK, NULL, &cur);   /* as the tracer left it */
	_exit(sigismember(&cur, SIGUSR2) && !sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGHUP) ? 0 : 1);
}

GTEST(sigmask_requests_need_eight_bytes_and_never_block_kill_or_stop)
{
	pid_t pid = traced_child(mask_then_report);
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGSTOP);
	uint64_t m = 0;
	CHECK_EQ(ptrace(PTRACE_GETSIGMASK, pid, SIGSET_BYTES, &m), 0);
	CHECK_EQ(m, BIT(SIGUSR1) | BIT(SIGHUP));
	CHECK_ERR(ptrace(PTRACE_GETSIGMASK, pid, 4, &m), EINVAL);
	CHECK_ERR(ptrace(PTRACE_GETSIGMASK, pid, 16, &m), EINVAL);
	CHECK_ERR(ptrace(PTRACE_GETSIGMASK, pid, SIGSET_BYTES, NULL), EFAULT);
	m = ~0ULL;
	CHECK_ERR(ptrace(PTRACE_SETSIGMASK, pid, 7, &m), EINVAL);
	CHECK_ERR(ptrace(PTRACE_SETSIGMASK, pid, SIGSET_BYTES, (void *)8), EFAULT);
	CHECK_EQ(ptrace(PTRACE_SETSIGMASK, pid, SIGSET_BYTES, &m), 0);
	CHECK_EQ(ptrace(PTRACE_GETSIGMASK, pid, SIGSET_BYTES, &m), 0);
	CHECK_EQ(m, ~(BIT(SIGKILL) | BIT(SIGSTOP)));
	m = BIT(SIGUSR2);
	CHECK_EQ(ptrace(PTRACE_SETSIGMASK, pid, SIGSET_BYTES, &m), 0);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

static void on_usr2(int sig) { (void)sig; }

static void suspend_with_usr1_blocked(void)
{
	sigset_t s, none;
	signal(SIGUSR2, on_usr2);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_SETMASK, &s, NULL);
	sigemptyset(&none);
	sigsuspend(&none);
	_exit(0);
}

GTEST(getsigmask_in_sigsuspend_shows_the_mask_it_restores)
{
	struct user_regs_struct r;
	pid_t pid = traced_child_at_syscall(suspend_with_usr1_blocked, SYS_rt_sigsuspend, &r);
	CHECK_EQ(kill(pid, SIGUSR2), 0);   /* pending before the call: it returns at once */
	r = next_syscall_stop(pid);
	CHECK_EQ(r.orig_rax, SYS_rt_sigsuspend);
	cont(pid, 0);
	CHECK_STOPPED(wait_any(pid), SIGUSR2);
	uint64_t m = 0;
	CHECK_EQ(ptrace(PTRACE_GETSIGMASK, pid, SIGSET_BYTES, &m), 0);
	CHECK_EQ(m, BIT(SIGUSR1));
	cont(pid, SIGUSR2);
	CHECK_EXITED(wait_any(pid), 0);
}

/* ---- GET_SYSCALL_INFO ---- */

#define INFO_NONE_SIZE offsetof(struct ptrace_syscall_info, entry)
#define INFO_ENTRY_SIZE (offsetof(struct ptrace_syscall_info, entry.args) + 6 * 8)
#define INFO_EXIT_SIZE (offsetof(struct ptrace_syscall_info, exit.is_error) + 1)

static void lseek_then_getpid(void)
{
	syscall(SYS_lseek, 999, 7, SEEK_CUR);   /* EBADF */
	syscall(SYS_getpid);
	_exit(0);
}

static long syscall_info(pid_t pid, struct ptrace_syscall_info *info, size_t size)
{
	memset(info, 0xaa, sizeof(*info));
	return ptrace(PTRACE_GET_SYSCALL_INFO, pid, size, info);
}

GTEST(get_syscall_info_describes_entry_and_exit_stops)
{
	struct user_regs_struct r;
	pid_t pid = traced_child_at_syscall(lseek_then_getpid, SYS_lseek, &r);
	struct ptrace_syscall_info info;
	CHECK_EQ(syscall_info(pid, &info, sizeof(info)), INFO_ENTRY_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_ENTRY);
	CHECK_EQ(info.arch, AUDIT_ARCH_X86_64);
	CHECK_EQ(info.instruction_pointer, r.rip);
	CHECK_EQ(info.stack_pointer, r.rsp);
	CHECK_EQ(info.entry.nr, SYS_lseek);
	CHECK_EQ(info.entry.args[0], 999);
	CHECK_EQ(info.entry.args[1], 7);
	CHECK_EQ(info.entry.args[2], SEEK_CUR);
	CHECK_EQ(info.entry.args[3], r.r10);
	CHECK_EQ(info.entry.args[5], r.r9);
	CHECK_EQ(syscall_info(pid, &info, 8), INFO_ENTRY_SIZE);   /* the full size, 8 bytes written */
	CHECK_EQ(info.arch, AUDIT_ARCH_X86_64);
	CHECK_EQ(info.instruction_pointer, 0xaaaaaaaaaaaaaaaaULL);
	CHECK_EQ(ptrace(PTRACE_GET_SYSCALL_INFO, pid, 0, NULL), INFO_ENTRY_SIZE);
	CHECK_ERR(ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), (void *)8), EFAULT);
	r = next_syscall_stop(pid);
	CHECK_EQ(syscall_info(pid, &info, sizeof(info)), INFO_EXIT_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_EXIT);
	CHECK_EQ(info.exit.rval, -EBADF);
	CHECK_EQ(info.exit.is_error, 1);
	CHECK_EQ(info.instruction_pointer, r.rip);
	do
		r = next_syscall_stop(pid);
	while (r.orig_rax != SYS_getpid);
	r = next_syscall_stop(pid);
	CHECK_EQ(syscall_info(pid, &info, sizeof(info)), INFO_EXIT_SIZE);
	CHECK_EQ(info.exit.rval, pid);
	CHECK_EQ(info.exit.is_error, 0);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

static void getpid_once(void)
{
	syscall(SYS_getpid);
	_exit(0);
}

GTEST(get_syscall_info_is_none_outside_sysgood_syscall_stops)
{
	pid_t pid = traced_child(getpid_once);
	struct ptrace_syscall_info info;
	/* A signal-delivery stop (the child's SIGSTOP): op, arch, ip, sp. */
	CHECK_EQ(syscall_info(pid, &info, sizeof(info)), INFO_NONE_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_NONE);
	CHECK_EQ(info.arch, AUDIT_ARCH_X86_64);
	CHECK_EQ(info.instruction_pointer, getregs(pid).rip);
	CHECK_EQ(info.entry.nr, 0xaaaaaaaaaaaaaaaaULL);
	/* A syscall stop without TRACESYSGOOD is not told from a SIGTRAP. */
	struct user_regs_struct r;
	do {
		CHECK_EQ(ptrace(PTRACE_SYSCALL, pid, 0, 0), 0);
		CHECK_STOPPED(wait_any(pid), SIGTRAP);
		r = getregs(pid);
	} while (r.orig_rax != SYS_getpid);
	CHECK_EQ(syscall_info(pid, &info, sizeof(info)), INFO_NONE_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_NONE);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

/* ---- SYSEMU ---- */

static void emulated_calls(void)
{
	long a = syscall(SYS_getpid);                     /* runs */
	long b = syscall(SYS_getppid);                    /* emulated: the tracer's 4321 */
	long c = syscall(SYS_kill, a, SIGKILL);           /* emulated: -ENOSYS as at entry */
	_exit(a > 0 && b == 4321 && c == -1 && errno == ENOSYS ? 0 : 1);
}

GTEST(sysemu_stops_at_entry_and_skips_the_call)
{
	struct user_regs_struct r;
	pid_t pid = traced_child_at_syscall(emulated_calls, SYS_getpid, &r);
	/* From getpid's entry: it runs (the choice was made before the stop),
	 * with no exit stop; the next stop is getppid's entry. */
	CHECK_EQ(ptrace(PTRACE_SYSEMU, pid, 0, 0), 0);
	CHECK_STOPPED(wait_any(pid), SIGTRAP | 0x80);
	r = getregs(pid);
	CHECK_EQ(r.orig_rax, SYS_getppid);
	CHECK_EQ(r.rax, -ENOSYS);
	struct ptrace_syscall_info info;
	CHECK_EQ(syscall_info(pid, &info, sizeof(info)), INFO_ENTRY_SIZE);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_ENTRY);
	r.rax = 4321;
	CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
	CHECK_EQ(ptrace(PTRACE_SYSEMU, pid, 0, 0), 0);
	CHECK_STOPPED(wait_any(pid), SIGTRAP | 0x80);
	r = getregs(pid);
	CHECK_EQ(r.orig_rax, SYS_kill);
	CHECK_EQ(r.rdi, pid);
	CHECK_EQ(ptrace(PTRACE_SYSEMU, pid, 0, (void *)(long)(NSIG + 1)), -1);   /* bad signal */
	CHECK_EQ(errno, EIO);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

static void step_to_getppid(void)
{
	long b = syscall(SYS_getppid);                    /* emulated: the tracer's 777 */
	_exit(b == 777 ? 0 : 1);
}

GTEST(sysemu_singlestep_steps_then_stops_at_entry_without_an_exit_trap)
{
	pid_t pid = traced_child(step_to_getppid);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL), 0);
	int steps = 0;
	struct user_regs_struct r;
	for (;;) {
		CHECK(steps < 100000, "no getppid after %d steps", steps);
		CHECK_EQ(ptrace(PTRACE_SYSEMU_SINGLESTEP, pid, 0, 0), 0);
		int st = wait_any(pid);
		CHECK(WIFSTOPPED(st), "status %#x", st);
		r = getregs(pid);
		if (WSTOPSIG(st) == SIGTRAP) {
			steps++;
			continue;
		}
		CHECK_STOPPED(st, SIGTRAP | 0x80);
		if (r.orig_rax == SYS_getppid)
			break;
	}
	CHECK(steps > 0, "no single-step stop before the syscall");
	r.rax = 777;
	CHECK_EQ(ptrace(PTRACE_SETREGS, pid, 0, &r), 0);
	/* No exit stop and no trap for the syscall instruction: one
	 * instruction past it, a single-step stop. */
	CHECK_EQ(ptrace(PTRACE_SYSEMU_SINGLESTEP, pid, 0, 0), 0);
	CHECK_STOPPED(wait_any(pid), SIGTRAP);
	struct user_regs_struct r2 = getregs(pid);
	CHECK(r2.rip != r.rip, "rip stayed at %llx", (unsigned long long)r.rip);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

/* ---- single step over a syscall instruction ---- */

static bool is_syscall_insn(pid_t pid, unsigned long rip)
{
	errno = 0;
	long w = ptrace(PTRACE_PEEKTEXT, pid, rip, 0);
	return errno == 0 && (w & 0xffff) == 0x050f;
}

GTEST(singlestep_over_a_syscall_stops_once_past_it)
{
	pid_t pid = traced_child(getpid_once);
	unsigned long rip = getregs(pid).rip;
	int steps = 0;
	while (!is_syscall_insn(pid, rip)) {
		CHECK(++steps < 100000, "no syscall instruction after %d steps", steps);
		CHECK_EQ(ptrace(PTRACE_SINGLESTEP, pid, 0, 0), 0);
		CHECK_STOPPED(wait_any(pid), SIGTRAP);
		rip = getregs(pid).rip;
	}
	CHECK_EQ(ptrace(PTRACE_SINGLESTEP, pid, 0, 0), 0);   /* the syscall */
	CHECK_STOPPED(wait_any(pid), SIGTRAP);
	CHECK_EQ(getregs(pid).rip, rip + 2);
	CHECK_EQ(ptrace(PTRACE_SINGLESTEP, pid, 0, 0), 0);   /* the next instruction runs */
	CHECK_STOPPED(wait_any(pid), SIGTRAP);
	CHECK(getregs(pid).rip != rip + 2, "a second stop at %lx", rip + 2);
	cont(pid, 0);
	CHECK_EXITED(wait_any(pid), 0);
}

/* ---- the trap flag set by the program itself ---- */

extern char tf_syscall[], tf_after_nop[];
static volatile unsigned long tf_rips[4];
static volatile int tf_traps;

static void on_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	if (tf_traps < 4)
		tf_rips[tf_traps] = uc->uc_mcontext.gregs[REG_RIP];
	if (++tf_traps == 2)
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100L;   /* TF off: stepping ends */
}

GTEST(trap_flag_over_a_syscall_traps_after_the_next_instruction)
{
	struct sigaction sa = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };
	CHECK_EQ(sigaction(SIGTRAP, &sa, NULL), 0);
	__asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
			 "movl $39, %%eax\n"                  /* getpid */
			 ".globl tf_syscall\ntf_syscall:\n\tsyscall\n\tnop\n"
			 ".globl tf_after_nop\ntf_after_nop:\n\tnop\n"
			 ::: "rax", "rcx", "r11", "memory", "cc");
	CHECK_EQ(tf_traps, 2);
	CHECK_EQ(tf_rips[0], (unsigned long)tf_syscall);
	CHECK_EQ(tf_rips[1], (unsigned long)tf_after_nop);
}
