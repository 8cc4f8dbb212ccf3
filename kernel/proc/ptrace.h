/*
 * ptrace.h - process tracing as Linux does it (docs/debugging.md).
 *
 * A tracer is a process; a tracee is one task (thread). The tracee's
 * side (ptrace_stop.c) stops at the points Linux does - a signal about
 * to be delivered, syscall entry and exit, events (fork, clone, exec,
 * exit), group stops, PTRACE_INTERRUPT - records a report the tracer's
 * wait collects, and sleeps in TASK_TRACED until the tracer resumes it
 * (ptrace.c: CONT, SYSCALL, SINGLESTEP, DETACH) or it is killed. While
 * it sleeps there, the tracer reads and changes its registers and memory.
 *
 * Locks: every field below is (T) tasklist_lock, taken before S
 * (sighand->lock) and R (rq_lock) as usual.
 */
#ifndef ASPEN_PROC_PTRACE_H
#define ASPEN_PROC_PTRACE_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "proc/signal.h"

struct task;
struct process;
struct trapframe;

/* A syscall stop's code is SIGTRAP | this with PTRACE_O_TRACESYSGOOD. */
#define PTRACE_SYSGOOD_BIT 0x80

/* How the tracer last resumed the tracee: SYSCALL stops at syscall entry
 * and exit, SYSEMU at entry and skips the call (SYSEMU_STEP also steps). */
enum ptrace_resume {
	PTRACE_RESUME_CONT, PTRACE_RESUME_SYSCALL, PTRACE_RESUME_STEP,
	PTRACE_RESUME_SYSEMU, PTRACE_RESUME_SYSEMU_STEP,
};

/* struct task_ptrace - a task's tracing state, in struct task. (T) */
struct task_ptrace {
	struct process *tracer;        /* NULL: not traced */
	struct list_head link;         /* in tracer->ptraced */
	unsigned options;              /* PTRACE_O_* */
	bool seized;                   /* PTRACE_SEIZE (not ATTACH/TRACEME) */
	bool stopped;                  /* in a ptrace-stop: its registers are the tracer's */
	bool listening;                /* PTRACE_LISTEN: stays stopped, wakes for new news */
	bool interrupt;                /* PTRACE_INTERRUPT (or a seized child's first stop) pending */
	int report;                    /* the stop's status for wait ((report << 8) | 0x7f), 0 when collected */
	int code;                      /* the stop's code: signal | event << 8 | 0x80 */
	int resume_sig;                /* the signal the tracer's resume passes on (0: none) */
	enum ptrace_resume resume;
	struct ksiginfo siginfo;       /* the signal of a signal-delivery stop (GET/SETSIGINFO) */
	uint64_t message;              /* PTRACE_GETEVENTMSG */
};

/* A traced task that exited, for its tracer's wait (when the tracer is
 * not the process's parent, or the task is not a process's leader). */
struct ptrace_exit_record {
	struct list_head link;         /* (T) in tracer->ptrace_exits */
	int tid, pgid, status;
};

/* ptrace_process_init - a new process traces nobody. */
void ptrace_process_init(struct process *p);

/* ---- the tracee's side (ptrace_stop.c); current is the tracee, no lock held ---- */

/* ptrace_syscall_entry - at syscall entry: stop if the tracer asked for
 * syscall stops. True when the call must be skipped (SYSEMU, the tracer
 * set orig_rax to -1, or the task is being killed); its result is then
 * what rax holds. */
bool ptrace_syscall_entry(struct trapframe *tf);
/* ptrace_syscall_exit - after the call: the syscall-exit stop, or the
 * single-step trap of a syscall instruction. */
void ptrace_syscall_exit(struct trapframe *tf);
/* ptrace_signal - signal-delivery stop for sig (info filled): returns
 * the signal to deliver instead (0: none), as the tracer chose; info
 * may change (SETSIGINFO). */
int ptrace_signal(int sig, struct ksiginfo *info);
/* ptrace_group_stop - a traced task's part in a group stop (stop_sig):
 * report it once per stop; true if it stopped. */
bool ptrace_group_stop(int stop_sig);
/* ptrace_event - stop at PTRACE_EVENT_* ev with GETEVENTMSG message, if
 * the tracer asked for it with option opt; false if not traced so. */
bool ptrace_event(int ev, unsigned opt, uint64_t message);
/* ptrace_exec - after a successful execve: the exec event, or SIGTRAP. */
void ptrace_exec(int old_tid);
/* ptrace_fork_event - the PTRACE_EVENT_* and option a clone with these
 * flags reports (0: none, the tracer did not ask or the caller is not
 * traced); ptrace_fork_child - attach the new task c to the caller's
 * tracer for that event. (T) held for the latter. */
int ptrace_fork_event(uint64_t clone_flags, int exit_signal);
void ptrace_fork_child_locked(struct task *c, int event);
/* ptrace_interrupt_pending - a PTRACE_INTERRUPT (or a seized child's
 * first stop) waits for the way back to user mode. Lockless peek. */
bool ptrace_interrupt_pending(struct task *t);
/* ptrace_do_interrupt - take that stop. */
void ptrace_do_interrupt(void);

/* ---- exit (from exit.c) ---- */

/* ptrace_task_exit_locked - t exits with status: its tracer is told
 * (an exit record, unless the tracer is the parent and t the last
 * thread) and t is untraced. (T) held. */
void ptrace_task_exit_locked(struct task *t, int status, bool last_thread);
/* ptrace_tracer_exit_locked - p exits: its tracees are detached (or
 * killed, PTRACE_O_EXITKILL) and its exit records freed. (T) held. */
void ptrace_tracer_exit_locked(struct process *p);
/* ptrace_wait_locked - wait's look at the caller's tracees: 1 = a report
 * (its tid in *pid, status, CLD_* code in *code), 0 = tracees match but
 * none has news, -ECHILD = none match. match(pid, pgid, arg) selects. (T) held. */
int ptrace_wait_locked(struct process *self, bool (*match)(int pid, int pgid, const void *arg),
		       const void *arg, int options, int *pid, int *status, int *code);
/* ptrace_is_traced - has t a tracer? A lockless peek; check again under T. */
bool ptrace_is_traced(struct task *t);
/* ptrace_link_locked - t becomes tracer's tracee; ptrace_unlink_locked -
 * it stops being one, and runs on with signal sig if it was stopped. (T) */
void ptrace_link_locked(struct task *t, struct process *tracer, unsigned options, bool seized);
void ptrace_unlink_locked(struct task *t, int sig);

long sys_ptrace(long request, long pid, uint64_t addr, uint64_t data);
#endif
