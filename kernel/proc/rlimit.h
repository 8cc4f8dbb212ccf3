/*
 * rlimit.h - resource limits: getrlimit, setrlimit, prlimit64, their
 * defaults, /proc/PID/limits, and the checks the rest of the kernel
 * calls where a limit applies (docs/permissions.md lists every one).
 *
 * A process's limits (struct process.rlim) are shared by its threads,
 * inherited by fork and kept across exec, as on Linux. They change
 * under tasklist_lock (setrlimit, prlimit64 from another process);
 * each value is one 64-bit word read with an atomic load.
 */
#ifndef ASPEN_PROC_RLIMIT_H
#define ASPEN_PROC_RLIMIT_H
#include "lib/kernel.h"
#include "proc/task.h"
#include <linux/resource.h>

#define RLIM_INF RLIM64_INFINITY

struct process;
struct task;
struct rlim;

/* rlimit_cur / rlimit_max - the caller's soft and hard limit of resource. */
uint64_t rlimit_cur(int resource);
uint64_t rlimit_max(int resource);
/* rlimit_cur_of - process p's soft limit of resource (the scheduler
 * checks its target's RLIMIT_NICE and RLIMIT_RTPRIO, as Linux). */
uint64_t rlimit_cur_of(const struct process *p, int resource);
/* rlimit_init - the first process's limits: Linux's defaults (NPROC and
 * SIGPENDING from threads-max, as Linux derives them from memory). */
void rlimit_init(struct process *p);
/* rlimit_fork - the child's limits: a copy of the parent's. */
void rlimit_fork(struct process *child, const struct process *parent);
/* rlimit_snapshot - process pid's limits into out; 0 or -ESRCH. */
int rlimit_snapshot(int pid, struct rlim out[NR_RLIMITS]);
/* rlimit_name - /proc/PID/limits' name and unit of resource. */
const char *rlimit_name(int resource, const char **unit);

/* rlimit_fork_check_locked - may the caller make one more task (clone):
 * -EAGAIN past kernel.threads-max, or when its real uid (not root, no
 * CAP_SYS_RESOURCE or CAP_SYS_ADMIN) has RLIMIT_NPROC tasks already.
 * tasklist_lock held. */
int rlimit_fork_check_locked(void);
/* rlimit_exec_check - execve's RLIMIT_NPROC check after a set*uid
 * moved the caller to a user over its limit: 0 or -EAGAIN. */
int rlimit_exec_check(void);

/* rlimit_mlock_permitted - mlock at all: -EPERM when RLIMIT_MEMLOCK is 0
 * and the caller lacks CAP_IPC_LOCK, else 0 (Linux's can_do_mlock). */
int rlimit_mlock_permitted(void);
/* rlimit_mlock_fits - may the caller have locked_bytes locked in all
 * (what it has plus what it asks): 0, or -ENOMEM past RLIMIT_MEMLOCK
 * without CAP_IPC_LOCK. */
int rlimit_mlock_fits(uint64_t locked_bytes);

/* rlimit_vm_fits - may an address space grow to total_bytes mapped, of
 * which data_bytes private writable (Linux's may_expand_vm):
 * RLIMIT_AS and RLIMIT_DATA; 0 or -ENOMEM. */
int rlimit_vm_fits(uint64_t total_bytes, uint64_t data_bytes);

/* rlimit_cpu_tick - the tick charged one more tick of CPU time to t's
 * process: past RLIMIT_CPU's soft limit SIGXCPU, once a second (the soft
 * limit moves up a second each time, as Linux), SIGKILL at the hard
 * limit. Interrupts off. */
void rlimit_cpu_tick(struct task *t);
#endif
