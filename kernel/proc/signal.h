/*
 * signal.h - signals: numbers as Linux's, posting, delivery to tasks,
 * job control (stop and continue). (Interval timers: time/itimer.c.)
 *
 * Each thread has a mask (sig_blocked) and a pending set for signals
 * aimed at it (tkill, tgkill, faults); its process has a pending set for
 * signals aimed at the group (kill). One siginfo is kept per pending
 * signal: a second instance of a pending signal is merged into the
 * first, real-time signals included (Linux queues those; Aspen does
 * not). See docs/signals.md.
 *
 * Lock order: tasklist_lock (T) -> sighand->lock (S) -> the run-queue locks (R).
 * Sending takes T and S; sleeping wait queues take their own lock then R.
 */
#ifndef ASPEN_PROC_SIGNAL_H
#define ASPEN_PROC_SIGNAL_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "sync/wait.h"
struct trapframe;

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32
#define NSIG 64

#define SIG_DFL 0UL
#define SIG_IGN 1UL
#define SA_NOCLDSTOP 0x1
#define SA_NOCLDWAIT 0x2
#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SIGBIT(sig) (1UL << ((sig) - 1))
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* si_code values (Linux's). */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)     /* a POSIX timer: pid is its id, uid its overrun */
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define SYS_SECCOMP 1           /* SIGSYS from a seccomp filter (si_call_addr, si_syscall, si_arch) */
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define FPE_FLTINV 7
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define TRAP_HWBKPT 4
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

struct process;
struct task;

/* The action for one signal, laid out as the rt_sigaction system call
 * passes it on x86-64 (struct kernel_sigaction). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* Signal actions, shared by CLONE_SIGHAND (so by every thread of a
 * process). lock guards action[] and, for the tasks and processes using
 * this sighand, their pending sets, masks and job-control state. */
struct sighand {
	struct spinlock lock;
	uint32_t refcount;              /* atomic */
	struct k_sigaction action[NSIG];
	/* signalfd readers and pollers of the tasks using this sighand:
	 * woken whenever a signal is posted to one of them (proc/signalfd.c). */
	struct wait_queue signalfd_wq;
};

/* What the kernel keeps about one pending signal; turned into the
 * 128-byte user siginfo_t at delivery. */
struct ksiginfo {
	int signo, code, err;
	int pid;              /* sender (kill), or child (SIGCHLD) */
	uint32_t uid;
	int status;           /* SIGCHLD: exit code or signal */
	uint64_t addr;        /* faults: si_addr */
	uint64_t value;       /* sigqueue: si_value; SIGSYS (SYS_SECCOMP): the syscall and arch */
	uint64_t seq;         /* order of arrival in its pending set (PTRACE_PEEKSIGINFO) */
};

/* Real-time signals queued per pending set, as Linux queues every
 * instance of a real-time signal (RLIMIT_SIGPENDING, counted per set here). */
#define SIGQUEUE_MAX 32

/* A pending set: one siginfo per standard signal (a second instance
 * merges into the first), and a queue of real-time signal instances. */
struct sigpending {
	uint64_t set;
	struct ksiginfo info[NSIG];
	struct ksiginfo rtq[SIGQUEUE_MAX];
	int rtq_len;
	uint64_t next_seq;    /* the next instance's seq */
};

/* The user's siginfo_t (128 bytes) as Linux lays it out on x86-64. */
struct user_siginfo {
	int32_t si_signo, si_errno, si_code, pad;
	union {
		struct { int32_t pid; uint32_t uid; } kill;
		struct { int32_t pid; uint32_t uid; uint64_t value; } rt;   /* sigqueue */
		struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } chld;
		struct { uint64_t addr; } fault;
		struct { uint64_t call_addr; int32_t syscall; uint32_t arch; } sys;   /* SIGSYS, SYS_SECCOMP */
		uint8_t bytes[112];
	};
};

/* A restartable sleep: how restart_syscall resumes it (nanosleep). */
struct restart_block {
	long (*fn)(struct restart_block *rb);
	uint64_t deadline_ns;
	void *urem;
};

/* Job-control state of a process, (S). */
enum job_state { JOB_RUNNING, JOB_STOPPING, JOB_STOPPED };
/* What a parent's wait may still collect about a live child, (T). */
enum job_report { REPORT_NONE, REPORT_STOPPED, REPORT_CONTINUED };

struct sighand *sighand_alloc(void);
struct sighand *sighand_dup(struct sighand *sh);
void sighand_put(struct sighand *sh);
/* sighand_reset_for_exec - handlers back to SIG_DFL (ignored stay
 * ignored); the calling thread's alternate stack is forgotten. */
void sighand_reset_for_exec(struct sighand *sh);

/* signal_copy_to_child - fork/clone: the child thread c inherits the
 * caller's mask and (unless it is a thread on a new stack) its
 * alternate stack; nothing pending. */
void signal_copy_to_child(struct task *c, uint64_t clone_flags);

/* send_signal - post sig to process p (the whole group), as kill() does
 * from the current process; 0 or -errno. Takes T and S. */
int send_signal(struct process *p, int sig);
/* zap_threads_locked - a group exit: wake every thread of p but except
 * from any sleep, stop or ptrace stop, on its way to die. (T) held. */
void zap_threads_locked(struct process *p, struct task *except);
/* send_signal_info_locked - post sig with info to p (group-directed when
 * t is NULL, else to thread t of p). (T) held. 0 or -EINVAL. */
int send_signal_info_locked(struct process *p, struct task *t, int sig, const struct ksiginfo *info);
/* send_sig_current - raise sig on the calling thread as the kernel's own
 * (SI_KERNEL), e.g. SIGPIPE on a write to a pipe with no readers; it is
 * delivered on the way back to user mode. Takes T and S. */
void send_sig_current(int sig);
/* kill_pgrp - send sig from the kernel (SI_KERNEL) to every process of
 * group pgid; the number of processes reached. Any context (the tty's
 * input interrupt sends ^C's SIGINT). */
int kill_pgrp(int pgid, int sig);

/* signal_exit_status - the wait status of death by sig. */
int signal_exit_status(int sig);
/* siginfo_to_user - the user's siginfo_t of a kernel one. */
void siginfo_to_user(const struct ksiginfo *k, struct user_siginfo *u);
/* sigpending_nth_locked - the n-th (from 0) signal instance pending in
 * q, in the order they came, as Linux's queue lists them (a merged
 * second instance of a standard signal keeps the first's place); false
 * past the end. (S) held. */
bool sigpending_nth_locked(const struct sigpending *q, uint64_t n, struct ksiginfo *out);
/* signal_pending_current - a signal that interrupts sleeps is pending
 * (declared in wait.h too). */
bool signal_pending_current(void);
/* signal_work_pending - the return to user mode through tf has signal
 * work: an unblocked pending signal, a group exit or stop, or a syscall
 * result to restart. Interrupts off; no lock. */
bool signal_work_pending(struct trapframe *tf);
/* signal_handle_pending - on the way back to user mode through tf: act
 * on pending signals (handlers get a frame, default actions run, the
 * interrupted syscall restarts or fails with EINTR). Interrupts on, no
 * lock held; may sleep (stopped) or not return (killed). */
void signal_handle_pending(struct trapframe *tf);
/* signal_user_fault - the current task took an exception in user mode:
 * deliver sig with code and addr (si_code, si_addr) to it, unblocked and
 * with the default action if it was blocked or ignored, as Linux forces
 * faults. Logged as Linux does when no handler catches it. */
void signal_user_fault(int sig, int code, vaddr_t addr, vaddr_t ip, vaddr_t sp, uint64_t error);
/* signal_force - raise info->signo on the calling thread so that it
 * cannot be blocked or ignored (to_default: nor handled: seccomp's kill),
 * delivered on the way back to user mode. Takes T and S. */
void signal_force(const struct ksiginfo *info, bool to_default);
/* signal_blocked_or_ignored - for the tty's job-control checks: is sig
 * blocked or ignored by the current thread? */
bool signal_blocked_or_ignored(int sig);

/* signal_set_restart - the current syscall will return
 * -ERESTART_RESTARTBLOCK; restart_syscall calls rb->fn. */
long signal_set_restart(const struct restart_block *rb);

/* signal_job_report_locked - what wait4/waitid with these options may
 * collect about live child c: 1 with *status (wait status) and *code
 * (CLD_STOPPED/CLD_CONTINUED), consuming it unless WNOWAIT; else 0. (T) */
int signal_job_report_locked(struct process *c, int options, int *status, int *code);
/* signal_process_exit_locked - process p became a zombie: stop its
 * timer and send its exit signal (SIGCHLD) to the parent. (T) held. */
void signal_process_exit_locked(struct process *p);
/* signal_child_code - the si_code of a child's exit with wait status
 * status: CLD_EXITED, CLD_KILLED, or CLD_DUMPED when it left a core. */
int signal_child_code(int status);
/* signal_mask_swap_in - a temporary mask until the next delivery (rt_sigsuspend, ppoll, pselect6). */
int signal_mask_swap_in(const uint64_t *umask, size_t setsize);
#endif
