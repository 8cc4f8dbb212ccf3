/*
 * cred.h - credentials: who a task is and what it may do, as Linux's
 * struct cred: real, effective, saved and file-system user and group
 * ids, supplementary groups, and capabilities (docs/permissions.md).
 *
 * A cred is never changed once a task uses it, and it is reference
 * counted: fork shares the parent's; a change (the set*id calls, exec of
 * a set-user-ID program, capset) copies it (cred_prepare), edits the
 * copy and installs it (cred_commit). Whoever holds a reference reads a
 * consistent whole with no lock.
 *
 * Each task has two pointers, as Linux:
 *   real_cred  objective: what others check against (kill, setpriority,
 *              prlimit, /proc). Only the task itself changes it, under
 *              tasklist_lock; others read it under tasklist_lock, and
 *              take a reference to use it after dropping the lock.
 *   cred       subjective: what the task acts with (file access, new
 *              files' owner, capable()). The same as real_cred except
 *              inside access() (cred_override); only the task reads it.
 * Credentials belong to threads, as on Linux: the C libraries change
 * every thread's when a program calls setuid(3). A process's own
 * (struct process.cred, for /proc and the checks that name a process)
 * are its leader's, kept while the process is a zombie.
 */
#ifndef ASPEN_PROC_CRED_H
#define ASPEN_PROC_CRED_H
#include "lib/kernel.h"
#include <linux/capability.h>

#define NGROUPS_MAX 65536               /* Linux's kernel.ngroups_max */
#define INVALID_ID ((uint32_t)-1)       /* "leave unchanged" in the set*id calls */
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)
#define CAP_BIT(cap) (1ULL << (cap))
#define ROOT_UID 0
#define OVERFLOW_ID 65534               /* kernel.overflowuid, overflowgid */

/* Supplementary groups, sorted; shared by creds, never changed. */
struct group_info {
	uint32_t refcount;              /* atomic */
	int ngroups;
	uint32_t gid[];
};

struct cred {
	uint32_t refcount;              /* atomic */
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	bool keep_caps;                 /* PR_SET_KEEPCAPS: keep permitted on leaving uid 0 */
	bool no_new_privs;              /* PR_SET_NO_NEW_PRIVS: exec grants nothing */
	struct group_info *groups;      /* never NULL */
};

struct task;
struct process;

/* cred_boot - the first task's credentials: root, every capability.
 * Panics when out of memory. */
struct cred *cred_boot(void);

static inline struct cred *cred_get(struct cred *c)
{
	__atomic_add_fetch(&c->refcount, 1, __ATOMIC_RELAXED);
	return c;
}
/* cred_put - drop a reference; the last frees it. NULL is fine. */
void cred_put(struct cred *c);
void groups_put(struct group_info *g);

/* cred_prepare - a private copy of the caller's objective credentials to
 * edit (refcount 1), or NULL when out of memory. */
struct cred *cred_prepare(void);
/* cred_commit - make new (from cred_prepare) the caller's credentials,
 * objective and subjective; consumes the reference. Drops capabilities
 * as Linux does when the uids leave or reach 0, and makes the process
 * non-dumpable when ids or capabilities change. Takes tasklist_lock. */
void cred_commit(struct cred *new);
/* cred_abort - drop a prepared cred unused. */
static inline void cred_abort(struct cred *new) { cred_put(new); }
/* cred_for_exec - the credentials a program starts with, from the
 * caller's and its file's mode, uid and gid (Linux's bprm_fill_uid and
 * cap_bprm_creds_from_file, without file capabilities): set-user-ID and
 * set-group-ID bits applied unless no_new_privs; root (real or
 * effective) gets the bounding set permitted, effective too when its
 * euid is 0; saved and fs ids follow the effective ones. *secure says
 * whether it gains privilege (AT_SECURE). NULL when out of memory. */
struct cred *cred_for_exec(uint32_t mode, uint32_t fuid, uint32_t fgid, bool *secure);
/* cred_override / cred_revert - act with c (a reference is taken) until
 * cred_revert; for access(). Not nested. */
void cred_override(struct cred *c);
void cred_revert(void);

/* current_cred - the caller's subjective credentials (no reference:
 * valid while the caller runs). */
const struct cred *current_cred(void);
/* capable - the caller's effective set holds cap. */
bool capable(int cap);
/* cred_in_group - gid is c's fsgid or one of its supplementary groups. */
bool cred_in_group(const struct cred *c, uint32_t gid);
/* cred_in_egroup - gid is c's egid or one of its supplementary groups. */
bool cred_in_egroup(const struct cred *c, uint32_t gid);

/* cred_prctl - prctl's options on credentials (PR_*KEEPCAPS,
 * PR_CAPBSET_*, PR_GET_SECUREBITS, PR_*_NO_NEW_PRIVS, PR_CAP_AMBIENT);
 * -EINVAL for any other option. */
long cred_prctl(int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* cred_task_fork - the new task c's credentials: the parent's, shared. */
void cred_task_fork(struct task *c, struct process *p);
/* cred_task_release - drop a task's credentials (exit). */
void cred_task_release(struct task *t);

/* cred_may_signal_locked - may the caller send sig to process p, or its
 * thread t when not NULL (Linux's check_kill_permission): its real or
 * effective uid is the target's real or saved uid, or it has CAP_KILL,
 * or sig is SIGCONT within its session. tasklist_lock held. */
bool cred_may_signal_locked(struct process *p, struct task *t, int sig);
/* cred_may_modify_locked - may the caller change p's priority or limits
 * (Linux's set_one_prio and prlimit rules): its effective uid is p's
 * real or effective uid, or cap. tasklist_lock held. */
bool cred_may_modify_locked(struct process *p, int cap);
/* cred_may_prlimit_locked - Linux's check_prlimit_permission: the
 * caller's real uid is all of p's uids, and its real gid all of p's
 * gids, or it has CAP_SYS_RESOURCE. tasklist_lock held. */
bool cred_may_prlimit_locked(struct process *p);
/* cred_may_ptrace_locked - may the caller reach into p's memory
 * (/proc/PID/mem, process_vm_readv/writev), as Linux's ptrace access
 * check with real credentials: its own process; or its real ids equal
 * p's real, effective and saved ids, or CAP_SYS_PTRACE; and p dumpable
 * unless CAP_SYS_PTRACE. tasklist_lock held. */
bool cred_may_ptrace_locked(struct process *p);

/* cred_user_tasks_locked - live tasks whose real uid is uid (Linux's
 * count for RLIMIT_NPROC). tasklist_lock held. */
int cred_user_tasks_locked(uint32_t uid);
#endif
