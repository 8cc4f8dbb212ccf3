/*
 * task.h - tasks (threads of execution) and processes (thread groups).
 *
 * A struct task is what the scheduler runs: a kernel stack, saved
 * registers, a state. Each task points to the resources it may share
 * with others, each with its own reference count (Linux's model, so
 * that clone's flags can share any subset): the address space (mm),
 * the descriptor table (files), root/cwd/umask (fs) and the signal
 * handlers (sighand). A struct process is a thread group: the pid,
 * the place in the process tree, the exit status a parent collects.
 *
 * Locks (see docs/locking.md for the order):
 *   (T) tasklist_lock  - the process tree, the pid table, process state
 *   (R) the lock of the run queue of task->cpu (kernel/sched/rq.h) -
 *                        the task's state and scheduling fields
 *   (S) sighand->lock  - signal actions, pending sets and masks
 *   (K) keys_lock      - the keyring pointers (kernel/keys/key.c)
 *   (-) only the task itself touches it, or set once before it runs
 */
#ifndef ASPEN_PROC_TASK_H
#define ASPEN_PROC_TASK_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/rbtree.h"
#include "lib/spinlock.h"
#include "arch.h"
#include "sync/wait.h"
#include "proc/signal.h"
#include "time/proc_timers.h"
#include "proc/ptrace.h"
#include <uapi/aspen.h>

#define KSTACK_ORDER 2                     /* 16 KiB kernel stacks */
#define KSTACK_SIZE (PAGE_SIZE << KSTACK_ORDER)
#define TASK_COMM_LEN 16
#define PID_MAX 32768                      /* ids are below it (the tables' size) */
#define RESERVED_PIDS 300                  /* ids below it are not reused after a wrap */

enum task_state {
	TASK_RUNNING = SLEEP_RUNNING,  /* on the run queue or on a CPU */
	TASK_INTERRUPTIBLE = SLEEP_INTERRUPTIBLE,      /* asleep; a signal wakes it */
	TASK_UNINTERRUPTIBLE = SLEEP_UNINTERRUPTIBLE,  /* asleep; only its event wakes it */
	TASK_STOPPED,          /* SIGSTOP and friends */
	TASK_DEAD,             /* exited; its stack is freed by whoever reaps it */
	TASK_TRACED,           /* in a ptrace-stop: only its tracer or SIGKILL wakes it */
};

enum process_state { PROC_ALIVE, PROC_ZOMBIE, PROC_REAPED };

/* A sleeping lock a task holds: none may be left when it returns to
 * user mode (proc/locks.c). */
#define TASK_HELD_MAX 8
struct held_lock {
	const void *lock;
	const char *name;
	int level;                        /* docs/locking.md's, checked in debug builds */
};

struct mm;
struct fdtable;
struct fs_context;
struct cred;
struct key;

/* A resource limit, soft and hard (proc/rlimit.h); RLIMIT_* index them. */
#define NR_RLIMITS 16                      /* Linux's RLIM_NLIMITS */
struct rlim {
	uint64_t cur, max;
};
struct sem_undo_list;

/* Per-process event counters (atomic adds; read without a lock). */
struct proc_counters {
	uint64_t minor_faults, cow_copies, cow_reuses, zero_fills;
	uint64_t major_faults;            /* faults that read swap */
	uint64_t pt_unshares;             /* shared page tables it copied (mm/pagetable.c) */
	uint64_t syscalls;
};

/* CPU time: ticks (1/TIMER_HZ s) sampled in user mode and in the
 * kernel, and the time run, measured at each switch (ns). */
struct cpu_times {
	uint64_t user, system;
	uint64_t runtime_ns;
};

static inline void cpu_times_add(struct cpu_times *to, const struct cpu_times *from)
{
	to->user += from->user;
	to->system += from->system;
	to->runtime_ns += from->runtime_ns;
}

struct process {
	int pid;                          /* (-) = the leader's tid */
	int pgid, sid;                    /* (T) */
	enum process_state state;         /* (T) */
	int exit_code;                    /* (T) wait status once a zombie */
	struct process *parent;           /* (T) */
	struct list_head children;        /* (T) */
	struct list_head sibling;         /* (T) in parent->children */
	struct list_head threads;         /* (T) its tasks */
	int nthreads;                     /* (T) live tasks */
	struct task *leader;              /* (-) */
	struct wait_queue child_exit;     /* its children's exits wake it (wait4) */
	bool group_exiting;               /* (T) exit_group or a fatal signal */
	int group_exit_code;              /* (T) */
	struct task *exec_task;           /* (T) the thread in execve ending the others */
	struct task *group_exit_task;     /* (T) the thread whose exit_group or fatal signal began
					   * the group exit, the one that may still stop for its
					   * tracer (NULL: all die at once, as by SIGKILL) */
	bool core_dumping;                /* (T) a core dump is being written (proc/coredump.c) */
	int core_waiting;                 /* (T) threads the dump still waits for */
	struct proc_counters counters;
	struct cpu_times times;           /* (T) of its threads that have exited */
	struct cpu_times child_times;     /* (T) of its reaped children, theirs included */
	char comm[TASK_COMM_LEN];         /* (-) name of the program */
	uint64_t start_ns;                /* (-) */
	struct cred *cred;                /* (T) its leader's objective credentials (proc/cred.h) */
	bool dumpable;                    /* set by its own threads (prctl, exec, cred_commit) */
	bool did_exec;                    /* (T) it called execve (setpgid's EACCES) */
	struct rlim rlim[NR_RLIMITS];     /* (T) to change; its threads read them atomically */
	uint64_t cpu_ticks;               /* atomic: CPU time so far, for RLIMIT_CPU (rlimit.c) */
	int fork_strategy;                /* atomic: ASPEN_FORK_*; SYSTEM: vm_fork_strategy */
	int exit_signal;                  /* (-) sent to the parent: SIGCHLD */
	struct sigpending shared_pending; /* (S) signals for the whole group */
	enum job_state job_state;         /* (S) running, stopping or stopped */
	int stop_sig;                     /* (S) what stopped it */
	int stop_waiting;                 /* (S) threads yet to stop */
	enum job_report job_report;       /* (T) news for the parent's wait */
	int job_report_sig;               /* (T) */
	struct proc_timers timers;        /* interval and POSIX timers (time/proc_timers.h) */
	int threads_live;                 /* (a) threads not yet exiting: the last one frees the timers */
	struct list_head all_link;        /* (T) in the list of all processes */
	int oom_score_adj;                /* (T) -1000..1000, inherited (mm/oom.c) */
	int oom_score_adj_min;            /* (T) the lowest an unprivileged write may set
	                                     (Linux's: set by privileged writes), inherited */
	uint32_t trace_session;           /* atomic: traced in this trace session (mm/trace.c) */
	struct list_head ptraced;         /* (T) tasks it traces (proc/ptrace.h) */
	struct list_head ptrace_exits;    /* (T) exits of tasks it traced, for its wait */
	struct pidfd_ref *pidfd;          /* (T) shared with its pidfds, or NULL (proc/pidfd.h) */
	int parent_tid;                   /* (T) the parent's thread that made it, or adopted it
	                                     (its death sends PR_SET_PDEATHSIG's signals) */
	bool child_subreaper;             /* (T) PR_SET_CHILD_SUBREAPER: adopts descendants' orphans */
	bool thp_disabled;                /* (atomic) PR_SET_THP_DISABLE: kept by fork and execve */
	struct key *process_keyring;      /* (K) "_pid", or NULL (keys/keys.h) */
};

struct task {
	/* Work for the way back to user mode, in one word that the system
	 * call fast path (kernel/arch/x86_64/entry.S) tests at once: any byte
	 * set sends the call through syscall_handler / syscall_exit_work.
	 * First in the struct: entry.S finds it at offset 0 (asm-offsets). */
	union {
		struct {
			bool need_resched;     /* the CPU should pick again: on the way back to user mode */
			bool sig_restore_mask; /* (-) sig_saved_mask is set */
			bool sig_work;         /* signals may need attention: set by whoever queues one or
			                        * changes the group's state (task_kick_signal_work), cleared
			                        * only by the task itself (signal_work_pending) */
			bool traced;           /* (T) has a tracer: syscall stops (ptrace_link_locked) */
		};
		uint32_t exit_work;
	};
	/* Next to traced: entry.S tests both with one compare (a filtered
	 * task's calls take the slow path); not exit work. */
	bool seccomp_on;                  /* (T; read atomically) a seccomp mode is set (proc/seccomp.c) */
	int tid;                          /* (-) */
	struct process *proc;             /* (-) thread group */
	enum task_state state;            /* (R); the task itself sets it without (set_current_state) */
	bool on_rq;                       /* (R) */
	bool on_cpu;                      /* (R) running, or still on its stack after switching away */
	struct cpu_times times;           /* (R) charged by the tick and at switches */
	bool exiting;                     /* (-) past the start of do_exit_thread */
	bool core_counted;                /* (T) a core dump of its group waits for it */
	bool core_passed;                 /* (T) its exit is past the core dump's meeting point */
	bool frees_proc;                  /* (-) the last task of an auto-reaped process: task_free frees it */
	struct list_head rq_link;         /* (R) */
	struct list_head thread_link;     /* (T) in proc->threads */
	struct context *ctx;              /* (R) saved registers while switched out */
	void *kstack;                     /* (-) KSTACK_SIZE bytes */
	struct trapframe *tf;             /* (-) user registers at the top of kstack */
	struct arch_task_state arch;      /* (-) FS base, FPU */
	struct mm *mm;                    /* (T) to change; read by others under T with mm_get */
	struct fdtable *files;            /* (-) */
	struct fs_context *fs;            /* (-) */
	struct sighand *sighand;          /* (-) */
	int seccomp_mode;                 /* (T; read atomically) SECCOMP_MODE_* (proc/seccomp.c) */
	struct seccomp_filter *seccomp_filter; /* (T; read atomically by the task) its filters, referenced */
	struct cred *real_cred;           /* (T) to change, by the task itself: what others check */
	struct cred *cred;                /* (-) what the task acts with (proc/cred.h) */
	bool nproc_exceeded;              /* (-) its real uid changed past RLIMIT_NPROC: execve fails */
	uint64_t sig_blocked;             /* (S) this thread's mask */
	struct sigpending pending;        /* (S) directed at this thread */
	uint64_t sig_waitset;             /* (S) signals rt_sigtimedwait takes */
	uint64_t sig_saved_mask;          /* (-) rt_sigsuspend's mask to restore */
	bool stop_counted;                /* (S) counted in its group's stop */
	uint64_t sas_ss_sp, sas_ss_size;  /* (-) sigaltstack */
	int sas_ss_flags;                 /* (-) SS_AUTODISARM */
	struct restart_block restart;     /* (-) for restart_syscall */
	uint64_t clear_child_tid;         /* (-) user address cleared at exit */
	uint64_t set_child_tid;           /* (-) user address the child's tid goes to */
	uint64_t robust_list;             /* (-) */
	uint64_t exec_start;              /* (R) when it last came on a CPU (ns) */
	struct sem_undo_list *sysvsem;    /* (-) SEM_UNDO adjustments, shared by CLONE_SYSVSEM (ipc/sem.c) */
	struct completion *vfork_done;    /* (-) parent waiting in vfork */
	bool is_idle;                     /* (-) */
	/* scheduling (kernel/sched/, docs/scheduler.md) */
	int cpu;                          /* (R) the CPU whose run queue it belongs to */
	int policy;                       /* (R) SCHED_NORMAL, _BATCH, _IDLE, _FIFO or _RR */
	int rt_priority;                  /* (R) 1..99 for FIFO and RR, else 0 */
	int nice;                         /* (R) -20..19 */
	bool reset_on_fork;               /* (R) SCHED_RESET_ON_FORK */
	bool yielded;                     /* (R) sched_yield: behind its peers when put back */
	uint64_t weight;                  /* (R) fair share weight, from policy and nice */
	uint64_t vruntime;                /* (R) fair: time run, weighted */
	uint64_t slice_start;             /* (R) runtime_ns when it last got the CPU */
	uint64_t rr_used;                 /* (R) SCHED_RR: time run of its slice */
	struct rb_node fair_node;         /* (R) in its run queue's tree */
	uint64_t cpus_allowed;            /* (R) sched_setaffinity's mask */
	uint64_t nr_voluntary, nr_involuntary, nr_migrations;   /* (R) for /proc */
	uint8_t memalloc;                 /* (-) how deep into the frame reserve it may go (mm/kswapd.c) */
	unsigned alloc_path;              /* (-) paths it is in, for fault injection (mm/fail_alloc.h) */
	struct held_lock held[TASK_HELD_MAX];  /* (-) sleeping locks it holds, in order (proc/locks.c) */
	int nheld;                        /* (-) how many (held[] keeps the first TASK_HELD_MAX) */
	struct task_ptrace ptrace;        /* (T) its tracer, stops and reports (proc/ptrace.h) */
	/* per-thread attributes (proc/prctl.c), inherited by clone */
	char comm[TASK_COMM_LEN];         /* (-) its name (PR_SET_NAME); the leader's is proc->comm too */
	int pdeath_signal;                /* (T) PR_SET_PDEATHSIG; 0 in a child */
	unsigned personality;             /* (-) personality(2) */
	uint16_t ioprio;                  /* (T) ioprio_set's class and level (proc/ioprio.c) */
	uint64_t timer_slack_ns;          /* (-) PR_SET_TIMERSLACK */
	uint64_t default_timer_slack_ns;  /* (-) PR_SET_TIMERSLACK(0) restores it: the value at clone */
	uint8_t mce_kill;                 /* (-) PR_MCE_KILL's flags (proc/prctl.c) */
	bool io_flusher;                  /* (-) PR_SET_IO_FLUSHER */
	struct key *thread_keyring;       /* (K) "_tid", or NULL (keys/keys.h) */
	struct key *session_keyring;      /* (K) inherited by fork, or NULL */
};

/* current - the task running on this CPU. */
static inline struct task *current_task(void) { return arch_current(); }
#define current (current_task())

/* task_kick_signal_work - t must look at its signals before it next
 * returns to user mode (a signal queued for it or its group, a group
 * exit or stop, a ptrace interrupt): the system call fast path then
 * takes the slow way. Any context; after the change it announces. */
static inline void task_kick_signal_work(struct task *t)
{
	__atomic_store_n(&t->sig_work, true, __ATOMIC_SEQ_CST);
}

extern struct spinlock tasklist_lock;
/* Every process with a pid, live or zombie, linked by all_link. (T) */
extern struct list_head all_processes;
/* init, pid 1: adopts orphans. */
extern struct process *init_process;
/* proc_register_locked / proc_unregister_locked - a process enters or
 * leaves the pid table and all_processes. (T) held. */
void proc_register_locked(struct process *p);
void proc_unregister_locked(struct process *p);

/* process_find - the live or zombie process with this pid, or NULL. (T) held. */
struct process *process_find_locked(int pid);
/* task_find_locked - the task with this tid, or NULL. (T) held. */
struct task *task_find_locked(int tid);
/* pid_alloc / pid_free - allocate a free id; -EAGAIN when none. (T) held. */
int pid_alloc_locked(void);
void pid_free_locked(int pid);
void pid_register_locked(int pid, struct task *t);

/* task_alloc - a task with a kernel stack, for clone; NULL if out of memory. */
struct task *task_alloc(void);
/* task_exit_begin / task_exits_settle - see task.c: exits in flight. */
void task_exit_begin(struct task *t);
void task_exits_settle(void);
/* process_free - free a process struct nobody refers to any more (reaped,
 * or never registered). */
void process_free(struct process *p);
/* task_free - release a dead task's stack and struct. */
void task_free(struct task *t);

/* proc_init / proc_start_init - the process layer at boot. */
void proc_init(void);
void proc_set_comm(struct process *p, const char *path);
/* proc_cpu_times_locked - p's CPU time so far: exited threads and live
 * ones. (T) held. */
struct cpu_times proc_cpu_times_locked(struct process *p);
/* put_rusage - a Linux struct rusage at u with these times, minor and major
 * faults (the rest zero); 0 or -EFAULT. */
long put_rusage(void *u, const struct cpu_times *t, uint64_t minflt, uint64_t majflt);
#endif
