/*
 * ptrace_util.h - what the ptrace tests (ptrace.c, ptrace2.c) share: a
 * traced child stopped at its start, waiting for a tracee, registers,
 * resuming to the next stop.
 */
#ifndef PTRACE_UTIL_H
#define PTRACE_UTIL_H
#include "gtest.h"
#include <sys/ptrace.h>
#include <sys/user.h>

/* waitpid for any stop or exit of pid (a tracee: __WALL). */
static inline int wait_any(pid_t pid)
{
	int status;
	pid_t r;
	do
		r = waitpid(pid, &status, __WALL);
	while (r < 0 && errno == EINTR);
	CHECK(r == pid, "waitpid(%d): %d %s", (int)pid, (int)r, strerror(errno));
	return status;
}

#define CHECK_STOPPED(status, sig) do { int s_ = (status); \
	CHECK(WIFSTOPPED(s_) && WSTOPSIG(s_) == (sig), "expected a stop by %d, got %#x", (sig), s_); } while (0)

/* A child that asks to be traced and stops itself; then runs fn. */
static inline pid_t traced_child(void (*fn)(void))
{
	pid_t pid = xfork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(90);
		raise(SIGSTOP);
		fn();
		_exit(0);
	}
	CHECK_STOPPED(wait_any(pid), SIGSTOP);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL), 0);   /* no orphan if we fail */
	return pid;
}

static inline struct user_regs_struct getregs(pid_t pid)
{
	struct user_regs_struct r;
	CHECK_EQ(ptrace(PTRACE_GETREGS, pid, 0, &r), 0);
	return r;
}

static inline void cont(pid_t pid, int sig)
{
	CHECK(ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig) == 0, "CONT: %s", strerror(errno));
}

/* Run to the next syscall stop; its registers. */
static inline struct user_regs_struct next_syscall_stop(pid_t pid)
{
	CHECK_EQ(ptrace(PTRACE_SYSCALL, pid, 0, 0), 0);
	CHECK_STOPPED(wait_any(pid), SIGTRAP | 0x80);
	return getregs(pid);
}


/* A traced child (TRACESYSGOOD) run to the entry stop of its first
 * syscall nr after its start; that stop's registers in *r. */
static inline pid_t traced_child_at_syscall(void (*fn)(void), long nr, struct user_regs_struct *r)
{
	pid_t pid = traced_child(fn);
	CHECK_EQ(ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL), 0);
	do
		*r = next_syscall_stop(pid);
	while ((long)r->orig_rax != nr);
	return pid;
}
#endif
