/*
 * signal.c - posting signals and their default actions.
 *
 * This is the part of signals that process life needs: kill(), the
 * terminating default action, faults that kill, and the bookkeeping of
 * actions and masks that libc's start-up and posix_spawn use. Running
 * user handlers (signal frames) is the signals issue's work: a signal
 * with a handler installed stays pending and is not yet delivered.
 */
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/exit.h"
#include "proc/sched.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Signals whose default action is to do nothing. */
#define SIG_DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))
/* Default stop signals: treated as ignored until job control exists. */
#define SIG_DEFAULT_STOP (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

struct sighand *sighand_alloc(void)
{
	struct sighand *sh = kzalloc(sizeof(*sh));
	if (!sh)
		return NULL;
	spin_init(&sh->lock, "sighand");
	sh->refcount = 1;
	return sh;
}

struct sighand *sighand_dup(struct sighand *sh)
{
	struct sighand *n = sighand_alloc();
	if (!n)
		return NULL;
	spin_lock(&sh->lock);
	memcpy(n->action, sh->action, sizeof(n->action));
	spin_unlock(&sh->lock);
	return n;
}

void sighand_put(struct sighand *sh)
{
	if (__atomic_sub_fetch(&sh->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sh);
}

void sighand_reset_for_exec(struct sighand *sh)
{
	spin_lock(&sh->lock);
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *a = &sh->action[i];
		uint64_t keep = a->handler == SIG_IGN ? SIG_IGN : SIG_DFL;
		memset(a, 0, sizeof(*a));
		a->handler = keep;
	}
	spin_unlock(&sh->lock);
}

int signal_exit_status(int sig)
{
	return sig & 0x7f;
}

static bool ignored_by(struct process *p, int sig)
{
	struct task *t = p->leader ? p->leader : list_first_entry(&p->threads, struct task, thread_link);
	uint64_t h = t->sighand->action[sig - 1].handler;
	if (h == SIG_IGN)
		return true;
	return h == SIG_DFL && (SIGBIT(sig) & (SIG_DEFAULT_IGNORE | SIG_DEFAULT_STOP));
}

/* Mark the group as dying of sig and wake its sleeping threads. (T) held. */
static void kill_group_locked(struct process *p, int sig)
{
	if (p->group_exiting)
		return;
	p->group_exiting = true;
	p->group_exit_code = signal_exit_status(sig);
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link)
		wake_task(t, true);
}

int send_signal(struct process *p, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	spin_lock(&tasklist_lock);
	if (p->state != PROC_ALIVE || list_empty(&p->threads)) {
		spin_unlock(&tasklist_lock);
		return 0;
	}
	struct task *t = list_first_entry(&p->threads, struct task, thread_link);
	uint64_t h = t->sighand->action[sig - 1].handler;
	if (sig == SIGKILL || (h == SIG_DFL && !ignored_by(p, sig)))
		kill_group_locked(p, sig);
	else if (h != SIG_IGN && !ignored_by(p, sig)) {
		spin_lock(&t->sighand->lock);
		t->sig_pending |= SIGBIT(sig);   /* handlers: delivered by the signals work */
		spin_unlock(&t->sighand->lock);
		wake_task(t, true);
	}
	spin_unlock(&tasklist_lock);
	return 0;
}

bool signal_pending_current(void)
{
	struct task *t = current;
	return t->proc->group_exiting || (t->sig_pending & ~t->sig_blocked);
}

static const char *fault_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "segfault";
	case SIGBUS: return "bus error";
	case SIGILL: return "trap invalid opcode";
	case SIGFPE: return "trap divide error";
	default: return "trap";
	}
}

/* signal_user_fault - log the fault in Linux's words and kill the group. */
void signal_user_fault(int sig, vaddr_t addr, vaddr_t ip, vaddr_t sp, uint64_t error)
{
	struct task *t = current;
	if (sig != SIGKILL)
		pr_info("%s[%d]: %s at %lx ip %016lx sp %016lx error %lx\n", t->proc->comm, t->tid,
			fault_name(sig), addr, ip, sp, error & 0xffffffff);
	else
		pr_info("Out of memory: killed process %d (%s)\n", t->proc->pid, t->proc->comm);
	spin_lock(&tasklist_lock);
	kill_group_locked(t->proc, sig);
	spin_unlock(&tasklist_lock);
}

void signal_handle_pending(struct trapframe *tf)
{
	struct task *t = current;
	if (t->proc->group_exiting)
		do_exit_thread(t->proc->group_exit_code, true);
}
