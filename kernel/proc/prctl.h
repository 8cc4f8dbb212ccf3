/*
 * prctl.h - per-thread attributes set by prctl(2) and personality(2)
 * (proc/prctl.c): what clone, execve and the first task do with them.
 */
#ifndef ASPEN_PROC_PRCTL_H
#define ASPEN_PROC_PRCTL_H
#include "lib/kernel.h"

struct task;
struct process;

#define TIMER_SLACK_DEFAULT_NS 50000   /* Linux's for a task started by the kernel */

/* prctl_task_init - a task the kernel starts itself (init): its name,
 * the default timer slack. */
void prctl_task_init(struct task *t, const char *comm);
/* prctl_set_comm - t's name (at most 15 bytes of name); the leader's is
 * the process's too (proc->comm). The task itself, or a thread of its
 * process through /proc/PID/comm. */
void prctl_set_comm(struct task *t, const char *name);
/* prctl_clone - the new task c (of process p, the caller's own when
 * thread) inherits the caller's attributes, not its parent-death
 * signal; a new process takes the caller's name. */
void prctl_clone(struct task *c, struct process *p, bool thread);
/* prctl_exec - after execve named proc->comm: the thread's name too,
 * READ_IMPLIES_EXEC dropped; when the program runs with privileges the
 * caller lacked (secure), the parent-death signal and the personality
 * flags Linux clears on set-id go. Called by the task itself. */
void prctl_exec(struct task *t, bool secure);
#endif
