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
 * Per process: PR_SET_CHILD_SUBREAPER (exit.c reparents orphans to the
 * nearest living subreaper above them), PR_SET_DUMPABLE.
 */
#include "proc/prctl.h"
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
