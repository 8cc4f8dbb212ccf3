/*
 * signal_impl.h - what the files of the signal code share among
 * themselves (signal.c, signal_deliver.c, sys_signal.c, itimer.c); the
 * rest of the kernel uses proc/signal.h.
 */
#ifndef ASPEN_PROC_SIGNAL_IMPL_H
#define ASPEN_PROC_SIGNAL_IMPL_H
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/ptrace.h"

/* Default actions. Anything not listed terminates. */
#define SIG_DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))
#define SIG_DEFAULT_STOP (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
/* Faults: delivered before anything else pending. */
#define SIG_SYNCHRONOUS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
			 SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)

static inline bool sig_valid(int sig) { return sig >= 1 && sig <= NSIG; }
static inline bool sig_default_stop(int sig) { return SIGBIT(sig) & SIG_DEFAULT_STOP; }

static inline struct k_sigaction *action_of(struct sighand *sh, int sig)
{
	return &sh->action[sig - 1];
}

/* task_signal_pending - signal_pending_current for t (the current task):
 * inline, as the way back to user mode asks it after every call. */
static inline bool task_signal_pending(struct task *t)
{
	struct process *p = t->proc;
	if (p->group_exiting || (p->job_state != JOB_RUNNING && !t->stop_counted) ||
	    ptrace_interrupt_pending(t))
		return true;
	return ((t->pending.set | p->shared_pending.set) & ~t->sig_blocked) != 0;
}

/* ---- signal.c ---- */

/* The handler ignores sig (explicitly, or by default). (S) held. */
bool handler_ignores(struct sighand *sh, int sig);
/* The default action of sig terminates the process. */
bool default_kills(struct sighand *sh, int sig);
/* Remove the signals of mask from p's pending sets (group and threads). (S) */
void pending_flush_locked(struct process *p, uint64_t mask);
/* Take one signal of mask from t's pending sets into *info; 0 if none. (S) */
int dequeue_signal_locked(struct task *t, uint64_t mask, struct ksiginfo *info);
/* kill_group_locked - mark p's group as dying of sig and zap its
 * threads but by (the thread taking sig, which may still stop for its
 * tracer at its exit; NULL for none, always for SIGKILL). A group
 * already exiting keeps its code, but a SIGKILL zaps every thread.
 * (T) held. */
void kill_group_locked(struct process *p, int sig, struct task *by);
/* Tell p's parent that p stopped or continued (why: CLD_*). (T) held, not S. */
void notify_parent_job_locked(struct process *p, int why, int sig);
/* The siginfo of a signal sent by the calling process (kill, tgkill). */
struct ksiginfo user_info(int sig, int code);

/* ---- signal_deliver.c ---- */

/* Is sp on t's alternate signal stack? */
bool on_sig_stack(struct task *t, vaddr_t sp);
/* sigaltstack's ss_flags for t with stack pointer sp. */
int altstack_flags(struct task *t, vaddr_t sp);
#endif
