/*
 * signal.c - handlers, frames, masks, default actions and timers, as
 * Linux does them. Each test runs in its own child (gtest.h).
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/time.h>

#define PAGE_SIZE 4096UL

static volatile sig_atomic_t hits;
static volatile int last_sig;

static void count_handler(int sig)
{
	hits++;
	last_sig = sig;
}

/* Install handler for sig with flags; fails the test if it cannot. */
static void on(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

static void on_info(int sig, void (*action)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = action;
	sa.sa_flags = flags | SA_SIGINFO;
	CHECK_EQ(sigaction(sig, &sa, NULL), 0);
}

/* ---- the frame: registers, FPU, alignment ---- */

#define NREGS 16
/* Globals, as the inline assembly names them. */
__attribute__((used)) uint64_t regs_out[NREGS];
__attribute__((used)) uint8_t xmm_in[16][16], xmm_out[16][16];
__attribute__((used)) uint32_t mxcsr_in = 0x7f80, mxcsr_out, mxcsr_in_handler;

/* Clobber every register the ABI lets a function clobber, and more. */
static void clobber_handler(int sig)
{
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr_in_handler));
	__asm__ volatile(
		"movq $-1, %%rax; movq $-1, %%rbx; movq $-1, %%rcx; movq $-1, %%rdx\n\t"
		"movq $-1, %%rsi; movq $-1, %%rdi; movq $-1, %%r8; movq $-1, %%r9\n\t"
		"movq $-1, %%r10; movq $-1, %%r11; movq $-1, %%r12; movq $-1, %%r13\n\t"
		"movq $-1, %%r14; movq $-1, %%r15\n\t"
		"pcmpeqd %%xmm0, %%xmm0; pcmpeqd %%xmm1, %%xmm1; pcmpeqd %%xmm7, %%xmm7\n\t"
		"pcmpeqd %%xmm8, %%xmm8; pcmpeqd %%xmm15, %%xmm15\n\t"
		::: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		    "r12", "r13", "r14", "r15", "xmm0", "xmm1", "xmm7", "xmm8", "xmm15", "memory");
	hits++;
	(void)sig;
}

GTEST(handler_preserves_registers_and_fpu)
{
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++)
			xmm_in[i][j] = (uint8_t)(i * 16 + j + 1);
	on(SIGTRAP, clobber_handler, 0);
	/* int3: the handler returns to the next instruction with every
	 * register as it was, rax, rcx and r11 included. */
	__asm__ volatile(
		"subq $128, %%rsp\n\t"          /* keep clear of the compiler's red zone */
		"pushq %%rbp\n\t"
		"ldmxcsr mxcsr_in(%%rip)\n\t"
		"movdqu xmm_in+0(%%rip), %%xmm0\n\t movdqu xmm_in+16(%%rip), %%xmm1\n\t"
		"movdqu xmm_in+32(%%rip), %%xmm2\n\t movdqu xmm_in+48(%%rip), %%xmm3\n\t"
		"movdqu xmm_in+64(%%rip), %%xmm4\n\t movdqu xmm_in+80(%%rip), %%xmm5\n\t"
		"movdqu xmm_in+96(%%rip), %%xmm6\n\t movdqu xmm_in+112(%%rip), %%xmm7\n\t"
		"movdqu xmm_in+128(%%rip), %%xmm8\n\t movdqu xmm_in+144(%%rip), %%xmm9\n\t"
		"movdqu xmm_in+160(%%rip), %%xmm10\n\t movdqu xmm_in+176(%%rip), %%xmm11\n\t"
		"movdqu xmm_in+192(%%rip), %%xmm12\n\t movdqu xmm_in+208(%%rip), %%xmm13\n\t"
		"movdqu xmm_in+224(%%rip), %%xmm14\n\t movdqu xmm_in+240(%%rip), %%xmm15\n\t"
		"movq $0x1010101010101010, %%rax\n\t movq $0x2020202020202020, %%rbx\n\t"
		"movq $0x3030303030303030, %%rcx\n\t movq $0x4040404040404040, %%rdx\n\t"
		"movq $0x5050505050505050, %%rsi\n\t movq $0x6060606060606060, %%rdi\n\t"
		"movq $0x7070707070707070, %%rbp\n\t movq $0x8080808080808080, %%r8\n\t"
		"movq $0x9090909090909090, %%r9\n\t movq $0xa0a0a0a0a0a0a0a0, %%r10\n\t"
		"movq $0xb0b0b0b0b0b0b0b0, %%r11\n\t movq $0xc0c0c0c0c0c0c0c0, %%r12\n\t"
		"movq $0xd0d0d0d0d0d0d0d0, %%r13\n\t movq $0xe0e0e0e0e0e0e0e0, %%r14\n\t"
		"movq $0xf0f0f0f0f0f0f0f0, %%r15\n\t"
		"movq %%rsp, regs_out+120(%%rip)\n\t"
		"int3\n\t"
		"movq %%rax, regs_out+0(%%rip)\n\t movq %%rbx, regs_out+8(%%rip)\n\t"
		"movq %%rcx, regs_out+16(%%rip)\n\t movq %%rdx, regs_out+24(%%rip)\n\t"
		"movq %%rsi, regs_out+32(%%rip)\n\t movq %%rdi, regs_out+40(%%rip)\n\t"
		"movq %%rbp, regs_out+48(%%rip)\n\t movq %%r8, regs_out+56(%%rip)\n\t"
		"movq %%r9, regs_out+64(%%rip)\n\t movq %%r10, regs_out+72(%%rip)\n\t"
		"movq %%r11, regs_out+80(%%rip)\n\t movq %%r12, regs_out+88(%%rip)\n\t"
		"movq %%r13, regs_out+96(%%rip)\n\t movq %%r14, regs_out+104(%%rip)\n\t"
		"movq %%r15, regs_out+112(%%rip)\n\t"
		"subq %%rsp, regs_out+120(%%rip)\n\t"   /* 0 if rsp came back */
		"movdqu %%xmm0, xmm_out+0(%%rip)\n\t movdqu %%xmm1, xmm_out+16(%%rip)\n\t"
		"movdqu %%xmm2, xmm_out+32(%%rip)\n\t movdqu %%xmm3, xmm_out+48(%%rip)\n\t"
		"movdqu %%xmm4, xmm_out+64(%%rip)\n\t movdqu %%xmm5, xmm_out+80(%%rip)\n\t"
		"movdqu %%xmm6, xmm_out+96(%%rip)\n\t movdqu %%xmm7, xmm_out+112(%%rip)\n\t"
		"movdqu %%xmm8, xmm_out+128(%%rip)\n\t movdqu %%xmm9, xmm_out+144(%%rip)\n\t"
		"movdqu %%xmm10, xmm_out+160(%%rip)\n\t movdqu %%xmm11, xmm_out+176(%%rip)\n\t"
		"movdqu %%xmm12, xmm_out+192(%%rip)\n\t movdqu %%xmm13, xmm_out+208(%%rip)\n\t"
		"movdqu %%xmm14, xmm_out+224(%%rip)\n\t movdqu %%xmm15, xmm_out+240(%%rip)\n\t"
		"stmxcsr mxcsr_out(%%rip)\n\t"
		"movl $0x1f80, mxcsr_in(%%rip)\n\t ldmxcsr mxcsr_in(%%rip)\n\t"
		"popq %%rbp\n\t"
		"addq $128, %%rsp\n\t"
		::: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
		    "r13", "r14", "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		    "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
		    "memory", "cc");
	CHECK_EQ(hits, 1);
	for (int i = 0; i < 15; i++)
		CHECK_EQ(regs_out[i], 0x1010101010101010ULL * (uint64_t)(i + 1));
	CHECK_EQ(regs_out[15], 0);
	CHECK(memcmp(xmm_in, xmm_out, sizeof(xmm_in)) == 0, "xmm registers changed");
	CHECK_EQ(mxcsr_out, 0x7f80);
	CHECK_EQ(mxcsr_in_handler, 0x1f80);   /* the handler starts with a clean FPU */
}

__attribute__((used)) uint64_t entry_rsp;
void aligned_handler_c(int sig);
void aligned_handler_c(int sig) { hits++; (void)sig; }
/* The first instruction of a handler sees the stack as after a call. */
__asm__(".text\n.globl rsp_probe_handler\nrsp_probe_handler:\n"
	"\tmovq %rsp, entry_rsp(%rip)\n\tjmp aligned_handler_c\n");
void rsp_probe_handler(int sig);

GTEST(handler_stack_aligned_as_after_call)
{
	on(SIGUSR1, rsp_probe_handler, 0);
	for (int i = 0; i < 8; i++) {
		volatile char *pad = __builtin_alloca(i * 8 + 1);   /* move the stack */
		pad[0] = 0;
		raise(SIGUSR1);
		(void)pad[0];
		CHECK_EQ(entry_rsp % 16, 8);
	}
	CHECK_EQ(hits, 8);
}

/* ---- faults ---- */

static sigjmp_buf fault_jmp;
static siginfo_t fault_info;   /* read after siglongjmp: memory, not registers */

static void fault_action(int sig, siginfo_t *si, void *uc)
{
	fault_info = *si;
	siglongjmp(fault_jmp, sig);
}

static int faulting_access(volatile char *p, bool write)
{
	int sig = sigsetjmp(fault_jmp, 1);
	if (sig == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	return sig;
}

GTEST(segv_handler_gets_address_and_can_longjmp)
{
	on_info(SIGSEGV, fault_action, 0);
	char *p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(faulting_access(p + 123, true), SIGSEGV);
	CHECK_EQ(fault_info.si_signo, SIGSEGV);
	CHECK_EQ((uintptr_t)fault_info.si_addr, (uintptr_t)(p + 123));
	CHECK_EQ(fault_info.si_code, SEGV_ACCERR);
	CHECK_EQ(munmap(p, PAGE_SIZE), 0);
	CHECK_EQ(faulting_access(p + 7, false), SIGSEGV);
	CHECK_EQ((uintptr_t)fault_info.si_addr, (uintptr_t)(p + 7));
	CHECK_EQ(fault_info.si_code, SEGV_MAPERR);
	/* siglongjmp restored the mask: SIGSEGV is deliverable again. */
	CHECK_EQ(faulting_access((char *)16, false), SIGSEGV);
	CHECK_EQ((uintptr_t)fault_info.si_addr, 16);
}

GTEST(blocked_fault_still_kills)
{
	pid_t pid = xfork();
	if (pid == 0) {
		block_signal(SIGSEGV);
		*(volatile char *)8 = 1;
		_exit(0);
	}
	CHECK_SIGNALED(wait_status(pid), SIGSEGV);
}

static void ill_action(int sig, siginfo_t *si, void *uc)
{
	fault_info = *si;
	siglongjmp(fault_jmp, sig);
}

GTEST(ud2_raises_sigill_with_address)
{
	on_info(SIGILL, ill_action, 0);
	void *where = NULL;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		__asm__ volatile("lea 1f(%%rip), %0\n\tmovq %0, %%rax\n1:\tud2" : "=r"(where) :: "rax");
		CHECK(0, "ud2 did not trap");
	}
	CHECK_EQ(fault_info.si_signo, SIGILL);
	CHECK_EQ(fault_info.si_code, ILL_ILLOPN);
}

/* ---- masks, pending, actions ---- */

GTEST(blocked_signal_waits_for_unblock)
{
	sigset_t pend;
	on(SIGUSR1, count_handler, 0);
	block_signal(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);   /* merged with the pending one */
	CHECK_EQ(hits, 0);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, SIGUSR1));
	unblock_signal(SIGUSR1);
	CHECK_EQ(hits, 1);   /* delivered before sigprocmask returned */
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(!sigismember(&pend, SIGUSR1));
}

static volatile int depth, max_depth;
static void nesting_handler(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (hits++ == 0)
		raise(sig);
	depth--;
}

GTEST(handler_blocks_its_signal_unless_nodefer)
{
	on(SIGUSR2, nesting_handler, 0);
	raise(SIGUSR2);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 1);   /* the second ran after the first returned */
	hits = 0;
	max_depth = 0;
	on(SIGUSR2, nesting_handler, SA_NODEFER);
	raise(SIGUSR2);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 2);
}

GTEST(sa_mask_blocks_during_handler_and_sigreturn_restores)
{
	struct sigaction sa;
	sigset_t now;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_handler;
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	raise(SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
	CHECK(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
}

GTEST(resethand_restores_default)
{
	pid_t pid = xfork();
	if (pid == 0) {
		on(SIGTERM, count_handler, SA_RESETHAND);
		raise(SIGTERM);
		if (hits != 1)
			_exit(3);
		raise(SIGTERM);
		_exit(4);
	}
	CHECK_SIGNALED(wait_status(pid), SIGTERM);
}

GTEST(ignored_signal_is_discarded)
{
	sigset_t pend;
	signal(SIGUSR1, SIG_IGN);
	block_signal(SIGUSR1);
	kill(getpid(), SIGUSR1);   /* blocked: stays pending though ignored */
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, SIGUSR1));
	unblock_signal(SIGUSR1);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(!sigismember(&pend, SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
	block_signal(SIGCHLD);
	signal(SIGCHLD, SIG_IGN);
	CHECK_EQ(signal(SIGKILL, SIG_IGN), SIG_ERR);
}

static volatile int got_signo, got_code, got_pid;
static void info_action(int sig, siginfo_t *si, void *uc)
{
	got_signo = si->si_signo;
	got_code = si->si_code;
	got_pid = si->si_pid;
	hits++;
}

GTEST(siginfo_names_the_sender)
{
	on_info(SIGUSR1, info_action, 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(got_signo, SIGUSR1);
	CHECK_EQ(got_code, SI_USER);
	CHECK_EQ(got_pid, getpid());
	CHECK_EQ(syscall(SYS_tgkill, getpid(), (long)syscall(SYS_gettid), SIGUSR1), 0);
	CHECK_EQ(got_code, SI_TKILL);
}

static char altstack[65536];
static volatile uintptr_t handler_local;
static volatile int handler_ss_flags;
static void altstack_handler(int sig)
{
	char here;
	stack_t ss;
	handler_local = (uintptr_t)&here;
	sigaltstack(NULL, &ss);
	handler_ss_flags = ss.ss_flags;
}

GTEST(sa_onstack_runs_on_the_alternate_stack)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 }, old;
	CHECK_EQ(sigaltstack(&ss, NULL), 0);
	on(SIGUSR1, altstack_handler, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK(handler_local > (uintptr_t)altstack && handler_local < (uintptr_t)altstack + sizeof(altstack),
	      "handler's local at %#lx", (unsigned long)handler_local);
	CHECK_EQ(handler_ss_flags, SS_ONSTACK);
	CHECK_EQ(sigaltstack(NULL, &old), 0);
	CHECK_EQ(old.ss_flags, 0);
	CHECK_EQ((uintptr_t)old.ss_sp, (uintptr_t)altstack);
	ss.ss_size = 100;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	on(SIGUSR2, altstack_handler, 0);
	raise(SIGUSR2);
	CHECK(!(handler_local > (uintptr_t)altstack && handler_local < (uintptr_t)altstack + sizeof(altstack)));
}

/* ---- interrupted system calls ---- */

static int restart_pipe[2] = { -1, -1 };
static void write_pipe_handler(int sig)
{
	hits++;
	if (restart_pipe[1] >= 0)
		(void)!write(restart_pipe[1], "x", 1);
}

static void arm_timer_ms(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
}

/* SIGALRM every ms until disarmed: a call that must be interrupted is
 * interrupted even if a busy host delays the caller past the first one. */
static void arm_repeating_timer_ms(long ms)
{
	struct itimerval it = { { ms / 1000, (ms % 1000) * 1000 }, { ms / 1000, (ms % 1000) * 1000 } };
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static double monotonic_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

GTEST(nanosleep_interrupted_with_eintr_and_remaining_time)
{
	on(SIGALRM, count_handler, SA_RESTART);   /* nanosleep never restarts */
	arm_repeating_timer_ms(100);
	struct timespec ts = { 5, 0 }, rem = { 0, 0 };
	double t0 = monotonic_secs();
	CHECK_ERR(nanosleep(&ts, &rem), EINTR);
	double slept_at_most = monotonic_secs() - t0, left = (double)rem.tv_sec + rem.tv_nsec / 1e9;
	arm_timer_ms(0);
	CHECK(hits >= 1);
	/* What is left is what was asked less what was slept (10 ms ticks). */
	CHECK(left <= 5.0 && left >= 5.0 - slept_at_most - 0.02, "rem %.3f s after %.3f s", left, slept_at_most);
}

static pid_t pausing_child(void);

GTEST(waitpid_eintr_without_sa_restart)
{
	on(SIGALRM, count_handler, 0);
	pid_t pid = pausing_child();
	int status;
	arm_repeating_timer_ms(100);
	CHECK_ERR(waitpid(pid, &status, 0), EINTR);
	arm_timer_ms(0);
	CHECK(hits >= 1);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
}

/* The child lives until the handler writes to restart_pipe: its exit
 * can only end a waitpid that the handler's signal interrupted. */
GTEST(waitpid_restarts_under_sa_restart)
{
	char c;
	CHECK_EQ(pipe(restart_pipe), 0);
	on(SIGALRM, write_pipe_handler, SA_RESTART);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(read(restart_pipe[0], &c, 1) == 1 ? 5 : 6);
	int status = 0;
	arm_timer_ms(100);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(hits, 1);
	CHECK_EXITED(status, 5);
}

static void need_pipe(int fds[2])
{
	if (pipe(fds) < 0) {
		if (errno == ENOSYS)
			SKIP("no pipe() yet");
		CHECK(0, "pipe: %s", strerror(errno));
	}
}

GTEST(pipe_read_eintr_without_sa_restart)
{
	int fds[2];
	char c;
	need_pipe(fds);
	on(SIGALRM, count_handler, 0);
	arm_repeating_timer_ms(100);
	CHECK_ERR(read(fds[0], &c, 1), EINTR);
	arm_timer_ms(0);
	CHECK(hits >= 1);
}

GTEST(pipe_read_restarts_under_sa_restart)
{
	char c = 0;
	need_pipe(restart_pipe);
	on(SIGALRM, write_pipe_handler, SA_RESTART);
	arm_timer_ms(100);
	CHECK_EQ(read(restart_pipe[0], &c, 1), 1);   /* restarted, then the handler's byte */
	CHECK_EQ(c, 'x');
	CHECK_EQ(hits, 1);
}

GTEST(sigpipe_ends_writer_to_closed_pipe)
{
	int fds[2];
	need_pipe(fds);
	close(fds[0]);   /* before the fork: no reader anywhere */
	pid_t pid = xfork();
	if (pid == 0) {
		(void)!write(fds[1], "x", 1);
		_exit(0);
	}
	close(fds[1]);
	CHECK_SIGNALED(wait_status(pid), SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	need_pipe(fds);
	close(fds[0]);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
}

/* ---- waiting for signals ---- */

/* Counts, and sets the next alarm: should a busy host delay the caller
 * past one alarm before it pauses, the next one ends the pause. */
static void rearm_alarm_handler(int sig)
{
	count_handler(sig);
	alarm(1);
}

GTEST(alarm_fires)
{
	on(SIGALRM, rearm_alarm_handler, 0);
	alarm(0);   /* gtest's own timeout */
	CHECK_EQ(alarm(1), 0);
	CHECK_ERR(pause(), EINTR);
	alarm(0);
	CHECK(hits >= 1);
	CHECK_EQ(last_sig, SIGALRM);
	CHECK_EQ(alarm(10), 0);
	unsigned left = alarm(0);   /* rounded to the nearest second */
	CHECK(left >= 1 && left <= 10, "alarm(0) after alarm(10): %u", left);
}

GTEST(alarm_default_kills)
{
	pid_t pid = xfork();
	if (pid == 0) {
		alarm(1);
		for (;;)
			pause();
	}
	CHECK_SIGNALED(wait_status(pid), SIGALRM);
}

GTEST(setitimer_interval_repeats)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, cur;
	on(SIGALRM, count_handler, SA_RESTART);
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	while (hits < 3)
		pause();
	CHECK_EQ(getitimer(ITIMER_REAL, &cur), 0);
	CHECK_EQ(cur.it_interval.tv_usec, 20000);
	memset(&it, 0, sizeof(it));
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
}

GTEST(sigsuspend_waits_with_temporary_mask)
{
	sigset_t empty, now;
	on(SIGUSR1, count_handler, 0);
	block_signal(SIGUSR1);
	pid_t parent = getpid(), pid = xfork();
	if (pid == 0) {
		wait_sleeping(parent);   /* in sigsuspend */
		kill(parent, SIGUSR1);
		_exit(0);
	}
	sigemptyset(&empty);
	CHECK_ERR(sigsuspend(&empty), EINTR);
	CHECK_EQ(hits, 1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
	CHECK(sigismember(&now, SIGUSR1), "sigsuspend did not restore the mask");
	CHECK_EXITED(wait_status(pid), 0);
}

GTEST(sigtimedwait_takes_blocked_signal)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 }, short_wait = { 0, 50000000 };
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	CHECK_ERR(sigtimedwait(&set, &si, &short_wait), EAGAIN);
	raise(SIGUSR2);
	CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGUSR2);
	CHECK_EQ(si.si_signo, SIGUSR2);
	pid_t parent = getpid(), pid = xfork();
	if (pid == 0) {
		wait_sleeping(parent);   /* in sigwaitinfo */
		kill(parent, SIGUSR2);
		_exit(0);
	}
	CHECK_EQ(sigwaitinfo(&set, &si), SIGUSR2);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EXITED(wait_status(pid), 0);
}

/* ---- children: death, stop, continue, SIGCHLD ---- */

static pid_t pausing_child(void)
{
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

GTEST(kill_of_child_reported_as_death_by_signal)
{
	int sigs[] = { SIGTERM, SIGKILL, SIGINT, SIGUSR1, SIGHUP };
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t pid = pausing_child();
		CHECK_EQ(kill(pid, sigs[i]), 0);
		CHECK_SIGNALED(wait_status(pid), sigs[i]);
	}
	CHECK_ERR(kill(999999, SIGTERM), ESRCH);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_EQ(kill(getpid(), 0), 0);
}

GTEST(kill_to_process_group)
{
	pid_t a = pausing_child(), b = pausing_child();
	CHECK_EQ(setpgid(a, a), 0);
	CHECK_EQ(setpgid(b, a), 0);
	CHECK_EQ(kill(-a, SIGTERM), 0);
	CHECK_SIGNALED(wait_status(a), SIGTERM);
	CHECK_SIGNALED(wait_status(b), SIGTERM);
}

GTEST(stop_and_continue_reported_by_waitpid)
{
	int status;
	pid_t pid = pausing_child();
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status), "%s", status_str(status));
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0);   /* reported once */
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(waitpid(pid, &status, WCONTINUED), pid);
	CHECK(WIFCONTINUED(status), "%s", status_str(status));
	CHECK_EQ(kill(pid, SIGTSTP), 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED), 0);
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_status, SIGTSTP);
	CHECK_EQ(kill(pid, SIGKILL), 0);   /* kills a stopped process */
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
}

GTEST(stopped_child_keeps_signals_until_continued)
{
	int status;
	int *shared = shared_map(PAGE_SIZE);
	pid_t pid = xfork();
	if (pid == 0) {
		for (;;) {
			__atomic_add_fetch(shared, 1, __ATOMIC_RELAXED);
			sleep_ms(5);
		}
	}
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	int before = __atomic_load_n(shared, __ATOMIC_RELAXED);
	sleep_ms(100);
	CHECK_EQ(__atomic_load_n(shared, __ATOMIC_RELAXED), before);   /* really stopped */
	CHECK_EQ(kill(pid, SIGCONT), 0);
	while (__atomic_load_n(shared, __ATOMIC_RELAXED) == before)   /* runs again */
		sleep_ms(5);
	CHECK_EQ(kill(pid, SIGTERM), 0);
	CHECK_SIGNALED(wait_status(pid), SIGTERM);
}

static siginfo_t chld_info;
static void chld_action(int sig, siginfo_t *si, void *uc)
{
	chld_info = *si;
	hits++;
}

GTEST(sigchld_at_child_exit_names_the_child)
{
	on_info(SIGCHLD, chld_action, SA_RESTART);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(42);
	while (!hits)
		sleep_ms(5);
	CHECK_EQ(chld_info.si_signo, SIGCHLD);
	CHECK_EQ(chld_info.si_code, CLD_EXITED);
	CHECK_EQ(chld_info.si_pid, pid);
	CHECK_EQ(chld_info.si_status, 42);
	CHECK_EXITED(wait_status(pid), 42);
}

/* A child asleep for ms is stopped and continued; true if the stop came
 * while it slept (a busy host may delay it past the end of the sleep:
 * then the caller tries again, longer). The sleep must end normally. */
static bool sleep_stopped_and_continued(long ms)
{
	int status;
	pid_t pid = xfork();
	if (pid == 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		_exit(nanosleep(&ts, NULL) == 0 ? 0 : 9);
	}
	wait_until_asleep(pid, pid);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	if (!WIFSTOPPED(status)) {
		CHECK_EXITED(status, 0);
		return false;
	}
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EXITED(wait_status(pid), 0);   /* the sleep resumed, no EINTR */
	return true;
}

GTEST(sleep_survives_stop_and_continue)
{
	for (long ms = 400; !sleep_stopped_and_continued(ms); ms *= 2)
		;
}

/* ---- threads ---- */

static volatile pid_t taker_tid;
static void tid_handler(int sig) { taker_tid = (pid_t)syscall(SYS_gettid); }
static pthread_barrier_t barrier;
static volatile pid_t thread_tids[2];
static volatile int stop_threads;

static void *worker(void *arg)
{
	long idx = (long)arg;
	if (idx == 0)
		block_signal(SIGUSR1);   /* thread 0 refuses it; thread 1 takes it */
	else
		unblock_signal(SIGUSR1);
	thread_tids[idx] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&barrier);
	while (!stop_threads)
		sleep_ms(1);
	return NULL;
}

GTEST(process_signal_goes_to_thread_not_blocking_it)
{
	pthread_t th[2];
	on(SIGUSR1, tid_handler, 0);
	block_signal(SIGUSR1);   /* the main thread refuses it too */
	pthread_barrier_init(&barrier, NULL, 3);
	for (long i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)i), 0);
	pthread_barrier_wait(&barrier);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	while (!taker_tid)
		sleep_ms(2);
	CHECK_EQ(taker_tid, thread_tids[1]);
	/* A thread-directed signal goes to that thread, even the main one. */
	taker_tid = 0;
	CHECK_EQ(pthread_kill(th[1], SIGUSR1), 0);
	while (!taker_tid)
		sleep_ms(2);
	CHECK_EQ(taker_tid, thread_tids[1]);
	stop_threads = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
}

/* A signal sent to one thread waits for that thread while it blocks it,
 * even when another thread does not block it and its default action
 * would end the group: the thread may still change the action first. */
GTEST(thread_signal_waits_for_the_thread_blocking_it)
{
	pthread_t th[2];
	pid_t me = (pid_t)syscall(SYS_gettid);
	signal(SIGUSR1, SIG_DFL);
	block_signal(SIGUSR1);
	pthread_barrier_init(&barrier, NULL, 3);
	for (long i = 0; i < 2; i++)   /* thread 1 does not block SIGUSR1 */
		CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)i), 0);
	pthread_barrier_wait(&barrier);
	CHECK_EQ(syscall(SYS_tgkill, getpid(), me, SIGUSR1), 0);
	on(SIGUSR1, tid_handler, 0);
	unblock_signal(SIGUSR1);   /* the handler runs here, in this thread */
	CHECK_EQ(taker_tid, me);
	stop_threads = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
}

/* A read blocked on a pipe survives a stop and a continue: it goes on
 * waiting (restarted, no handler ran) and gets the data written later. */
GTEST(blocked_read_survives_stop_and_continue)
{
	int fds[2], status;
	char c = 0;
	need_pipe(fds);
	pid_t pid = xfork();
	if (pid == 0)
		_exit(read(fds[0], &c, 1) == 1 && c == 'x' ? 0 : 9);
	wait_until_asleep(pid, pid);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status), "%s", status_str(status));
	CHECK_EQ(kill(pid, SIGCONT), 0);
	wait_until_asleep(pid, pid);   /* back in its read */
	CHECK_EQ(write(fds[1], "x", 1), 1);
	CHECK_EXITED(wait_status(pid), 0);
}
