/* fork.h - the clone core (proc/fork.c). */
#ifndef ASPEN_PROC_FORK_H
#define ASPEN_PROC_FORK_H
#include "lib/kernel.h"

struct clone_request {
	uint64_t flags;       /* CLONE_* */
	int exit_signal;      /* sent to the parent at exit; 0: none */
	uint64_t stack;       /* the child's stack pointer; 0 = the parent's */
	uint64_t parent_tid;  /* user addresses for the *_SETTID / CLEARTID flags */
	uint64_t child_tid;
	uint64_t tls;         /* CLONE_SETTLS: the child's FS base */
	uint64_t pidfd;       /* CLONE_PIDFD: where the parent's pidfd goes */
};

/* do_clone - create a task per req; returns its tid in the caller, or
 * -EINVAL (flags), -ENOMEM, -EAGAIN (no pid), -EINTR (the caller's
 * group is dying). With CLONE_VFORK the caller sleeps until the child
 * execs or exits. May sleep. */
long do_clone(const struct clone_request *req);
/* sys_unshare - unshare(2), for close_range(CLOSE_RANGE_UNSHARE). */
long sys_unshare(uint64_t flags);

struct process;
/* fork_strategy_of - the strategy p's forks use (ASPEN_FORK_COPY, _COW
 * or _SHARED): its own if it chose one, else the system's. */
int fork_strategy_of(const struct process *p);
/* fork_strategy_set - prctl's PR_ASPEN_SET_FORK_STRATEGY for p: 0, or
 * -EINVAL for a value not in include/uapi/aspen.h. */
int fork_strategy_set(struct process *p, uint64_t strategy);
#endif
