/*
 * prctl.c - a thread's and a process's attributes: prctl(2)'s options
 * and personality(2). Options on credentials are sys_cred.c's
 * (cred_prctl); the fork strategy is fork.c's.
 *
 * Per thread, inherited by clone (fields of struct task): the name
 * (PR_SET_NAME; the leader's is also proc->comm, what /proc/PID/comm
 * shows), the parent-death signal (PR_SET_PDEATHSIG: 0 in a child,
 * kept across execve unless it grants privileges), the timer slack
 * (PR_SET_TIMERSLACK: stored and reported; Aspen's timers fire at
 * their deadline, so no slack is added), the TSC mode (PR_SET_TSC:
 * arch_prctl_tsc, CR4.TSD while the thread runs) and the personality.
 * Also per thread: PR_MCE_KILL's policy and PR_SET_IO_FLUSHER (stored
 * and reported: Aspen has no machine-check recovery and no memory
 * reclaim that would single out an I/O flusher).
 * Per process: PR_SET_CHILD_SUBREAPER (exit.c reparents orphans to the
 * nearest living subreaper above them), PR_SET_DUMPABLE, and
 * PR_SET_THP_DISABLE (Aspen has no transparent huge pages, so the flag
 * only answers PR_GET_THP_DISABLE; Linux keeps it in the mm, which a
 * vfork child shares, Aspen in the process).
 * PR_TASK_PERF_EVENTS_DISABLE/ENABLE succeed with nothing to do (no
 * perf events); PR_GET_TID_ADDRESS reads set_tid_address's pointer.
 */
#include "proc/prctl.h"
#include "proc/seccomp.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "proc/fork.h"
#include "proc/signal.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <uapi/aspen.h>

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_TIMERSLACK 30
#define PR_SET_TIMERSLACK 29
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_GET_SECCOMP 21
#define PR_SET_SECCOMP 22
#define PR_TASK_PERF_EVENTS_DISABLE 31
#define PR_TASK_PERF_EVENTS_ENABLE 32
#define PR_MCE_KILL 33
#define PR_MCE_KILL_GET 34
#define PR_MCE_KILL_CLEAR 0
#define PR_MCE_KILL_SET 1
#define PR_MCE_KILL_LATE 0
#define PR_MCE_KILL_EARLY 1
#define PR_MCE_KILL_DEFAULT 2
#define MCE_KILL_POLICY 1   /* struct task's mce_kill: Linux's PF_MCE_PROCESS */
#define MCE_KILL_EARLY 2    /* PF_MCE_EARLY */
#define PR_GET_TID_ADDRESS 40
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_SET_IO_FLUSHER 57
#define PR_GET_IO_FLUSHER 58

#define READ_IMPLIES_EXEC 0x0400000
#define ADDR_NO_RANDOMIZE 0x0040000
#define ADDR_COMPAT_LAYOUT 0x0200000
#define MMAP_PAGE_ZERO 0x0100000
#define PER_CLEAR_ON_SETID (READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO)

void prctl_task_init(struct task *t, const char *comm)
{
	strlcpy(t->comm, comm, sizeof(t->comm));
	t->timer_slack_ns = t->default_timer_slack_ns = TIMER_SLACK_DEFAULT_NS;
}

void prctl_clone(struct task *c, struct process *p, bool thread)
{
	struct task *cur = current;
	memcpy(c->comm, cur->comm, sizeof(c->comm));
	if (!thread)
		memcpy(p->comm, cur->comm, sizeof(p->comm));   /* Linux's: the forking thread's name */
	c->pdeath_signal = 0;
	c->personality = cur->personality;
	c->ioprio = cur->ioprio;
	c->timer_slack_ns = c->default_timer_slack_ns = cur->timer_slack_ns;
	c->mce_kill = cur->mce_kill;
	c->io_flusher = cur->io_flusher;
	if (!thread)
		p->thp_disabled = __atomic_load_n(&cur->proc->thp_disabled, __ATOMIC_RELAXED);
}

void prctl_exec(struct task *t, bool secure)
{
	memcpy(t->comm, t->proc->comm, sizeof(t->comm));
	t->personality &= ~(unsigned)READ_IMPLIES_EXEC;   /* an x86-64 program never implies it */
	if (secure) {
		t->personality &= ~(unsigned)PER_CLEAR_ON_SETID;
		t->pdeath_signal = 0;
	}
}

void prctl_set_comm(struct task *t, const char *name)
{
	strlcpy(t->comm, name, sizeof(t->comm));
	if (t->tid == t->proc->pid)
		memcpy(t->proc->comm, t->comm, sizeof(t->comm));
}

/* PR_SET_NAME: the thread's name, cut to 15 bytes. */
static long set_name(const char *uname)
{
	char name[TASK_COMM_LEN];
	memset(name, 0, sizeof(name));
	if (strncpy_from_user(name, uname, sizeof(name)) == -EFAULT)
		return -EFAULT;
	name[TASK_COMM_LEN - 1] = 0;
	prctl_set_comm(current, name);
	return 0;
}

static long set_pdeathsig(uint64_t sig)
{
	if (sig > NSIG)
		return -EINVAL;   /* 1..64, or 0 for none */
	spin_lock(&tasklist_lock);
	current->pdeath_signal = (int)sig;
	spin_unlock(&tasklist_lock);
	return 0;
}

static long put_int(uint64_t uaddr, int v)
{
	return copy_to_user((void *)uaddr, &v, sizeof(v));
}

static long set_subreaper(bool on)
{
	spin_lock(&tasklist_lock);
	current->proc->child_subreaper = on;
	spin_unlock(&tasklist_lock);
	return 0;
}

static long set_timerslack(uint64_t ns)
{
	struct task *t = current;
	t->timer_slack_ns = ns ? ns : t->default_timer_slack_ns;
	return 0;
}

/* PR_MCE_KILL, as Linux's two flags: CLEAR drops "has a policy" (and
 * keeps "early"); SET marks it, then sets EARLY, LATE or, for DEFAULT,
 * drops both; another arg3 is EINVAL with the mark already made. */
static long set_mce_kill(uint64_t how, uint64_t policy, uint64_t a4, uint64_t a5)
{
	struct task *t = current;
	if (a4 || a5 || how > PR_MCE_KILL_SET || (how == PR_MCE_KILL_CLEAR && policy))
		return -EINVAL;
	if (how == PR_MCE_KILL_CLEAR) {
		t->mce_kill &= ~MCE_KILL_POLICY;
		return 0;
	}
	t->mce_kill |= MCE_KILL_POLICY;
	if (policy == PR_MCE_KILL_EARLY)
		t->mce_kill |= MCE_KILL_EARLY;
	else if (policy == PR_MCE_KILL_LATE)
		t->mce_kill &= ~MCE_KILL_EARLY;
	else if (policy == PR_MCE_KILL_DEFAULT)
		t->mce_kill = 0;
	else
		return -EINVAL;
	return 0;
}

static long get_mce_kill(void)
{
	uint8_t f = current->mce_kill;
	if (!(f & MCE_KILL_POLICY))
		return PR_MCE_KILL_DEFAULT;
	return (f & MCE_KILL_EARLY) ? PR_MCE_KILL_EARLY : PR_MCE_KILL_LATE;
}

/* PR_SET_IO_FLUSHER / PR_GET_IO_FLUSHER: CAP_SYS_RESOURCE first, as Linux. */
static long io_flusher(bool set, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (a3 || a4 || a5 || (set ? a2 > 1 : a2 != 0))
		return -EINVAL;
	if (set)
		current->io_flusher = a2;
	return set ? 0 : current->io_flusher;
}

/* The options that take no arguments past a2 (or none at all): EINVAL
 * otherwise, as Linux. */
static bool extra_args(int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (option == PR_GET_THP_DISABLE || option == PR_MCE_KILL_GET)
		return a2 || a3 || a4 || a5;
	return a3 || a4 || a5;   /* PR_SET_THP_DISABLE */
}

long sys_prctl(int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = current->proc;
	switch (option) {
	case PR_SET_NAME:
		return set_name((const char *)a2);
	case PR_GET_NAME:
		return copy_to_user((void *)a2, current->comm, TASK_COMM_LEN);
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		p->dumpable = a2;
		return 0;
	case PR_GET_DUMPABLE:
		return p->dumpable;
	case PR_SET_PDEATHSIG:
		return set_pdeathsig(a2);
	case PR_GET_PDEATHSIG:
		return put_int(a2, current->pdeath_signal);
	case PR_SET_CHILD_SUBREAPER:
		return set_subreaper(a2 != 0);
	case PR_GET_CHILD_SUBREAPER:
		return put_int(a2, p->child_subreaper);
	case PR_SET_TIMERSLACK:
		return set_timerslack(a2);
	case PR_GET_TIMERSLACK:
		return (long)current->timer_slack_ns;
	case PR_SET_TSC:
	case PR_GET_TSC:
		return arch_prctl_tsc(option == PR_SET_TSC, a2);
	case PR_SET_THP_DISABLE:
		if (extra_args(option, a2, a3, a4, a5))
			return -EINVAL;
		__atomic_store_n(&p->thp_disabled, a2 != 0, __ATOMIC_RELAXED);
		return 0;
	case PR_GET_THP_DISABLE:
		return extra_args(option, a2, a3, a4, a5) ? -EINVAL : __atomic_load_n(&p->thp_disabled, __ATOMIC_RELAXED);
	case PR_MCE_KILL:
		return set_mce_kill(a2, a3, a4, a5);
	case PR_MCE_KILL_GET:
		return extra_args(option, a2, a3, a4, a5) ? -EINVAL : get_mce_kill();
	case PR_SET_IO_FLUSHER:
	case PR_GET_IO_FLUSHER:
		return io_flusher(option == PR_SET_IO_FLUSHER, a2, a3, a4, a5);
	case PR_GET_TID_ADDRESS:
		return copy_to_user((void *)a2, &current->clear_child_tid, sizeof(uint64_t));
	case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE:
		return 0;
	case PR_GET_SECCOMP:
		return seccomp_mode_of(current);
	case PR_SET_SECCOMP:
		return seccomp_prctl(a2, a3);
	case PR_ASPEN_SET_FORK_STRATEGY:
		return fork_strategy_set(p, a2);
	case PR_ASPEN_GET_FORK_STRATEGY:
		return fork_strategy_of(p);
	default:
		return cred_prctl(option, a2, a3, a4, a5);
	}
}

/* personality(persona): 0xffffffff only asks. Any other value is
 * stored, as Linux does, and the old one returned. */
long sys_personality(unsigned persona)
{
	struct task *t = current;
	unsigned old = t->personality;
	if (persona != 0xffffffffu)
		t->personality = persona;
	return old;
}
