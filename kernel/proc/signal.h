/*
 * signal.h - signals: numbers as Linux's, delivery to tasks.
 */
#ifndef ASPEN_PROC_SIGNAL_H
#define ASPEN_PROC_SIGNAL_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
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
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define NSIG 64

/* signal_user_fault - the current task took an exception in user mode
 * that it cannot survive without a handler: log it as Linux does and
 * deliver sig. */
void signal_user_fault(int sig, vaddr_t addr, vaddr_t ip, vaddr_t sp, uint64_t error);

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

/* Signal actions, shared by CLONE_SIGHAND. lock guards action[]. */
struct sighand {
	struct spinlock lock;
	uint32_t refcount;              /* atomic */
	struct k_sigaction action[NSIG];
};

struct sighand *sighand_alloc(void);
struct sighand *sighand_dup(struct sighand *sh);
void sighand_put(struct sighand *sh);
/* sighand_reset_for_exec - handlers back to SIG_DFL (ignored stay ignored). */
void sighand_reset_for_exec(struct sighand *sh);

/* send_signal - post sig to process p (the whole group); 0 or -errno.
 * Default-terminating signals end the group; ignored ones vanish. */
int send_signal(struct process *p, int sig);
/* signal_exit_status - the wait status of death by sig. */
int signal_exit_status(int sig);
/* signal_handle_pending - on the way back to user mode: act on what is
 * pending for the current task (for now: the group's death). */
void signal_handle_pending(struct trapframe *tf);
#endif
