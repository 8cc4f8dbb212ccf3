/*
 * ptrace_stop.c - the tracee's side of ptrace: the stops Linux makes a
 * traced task take, and what happens to tracing at fork, exec and exit.
 *
 * Every stop goes through ptrace_stop_locked: record the report for the
 * tracer's wait, tell the tracer (SIGCHLD with CLD_TRAPPED, a wake-up of
 * its wait), sleep in TASK_TRACED. The tracer (ptrace.c) wakes it with
 * a resume request, a detach, or its own exit; SIGKILL wakes it too.
 * A task being killed by SIGKILL never stops.
 *
 * Stop codes, as wait shows them in WSTOPSIG(status) and status >> 16:
 *   signal-delivery stop        sig
 *   syscall entry/exit          SIGTRAP, | 0x80 with PTRACE_O_TRACESYSGOOD
 *   event (fork, exec, exit...) SIGTRAP | PTRACE_EVENT_x << 8
 *   group stop                  stop signal (| PTRACE_EVENT_STOP << 8 if seized)
 *   PTRACE_INTERRUPT            SIGTRAP | PTRACE_EVENT_STOP << 8
 *
 * Locks: T (tasklist_lock) guards every struct task_ptrace.
 */
#include "proc/ptrace.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "proc/signal_impl.h"
#include "proc/cred.h"
#include "mm/kmalloc.h"
#include "arch/regs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/ptrace.h>
#include <linux/sched.h>

void ptrace_process_init(struct process *p)
{
	list_init(&p->ptraced);
	list_init(&p->ptrace_exits);
}

bool ptrace_is_traced(struct task *t)
{
	return __atomic_load_n(&t->ptrace.tracer, __ATOMIC_RELAXED) != NULL;
}

/* Is t's process dying of SIGKILL, or t ended by another thread's
 * exit_group, fatal signal or execve? Then it takes no more stops, as
 * on Linux, where such a thread has SIGKILL pending. (T) */
static bool sigkilled_locked(struct task *t)
{
	struct process *p = t->proc;
	struct task *survivor = p->exec_task ? p->exec_task : p->group_exit_task;
	return p->group_exiting && ((p->group_exit_code & 0x7f) == SIGKILL || survivor != t);
}

/* The tracer hears of a stop: SIGCHLD (CLD_TRAPPED) and its wait wakes. (T) */
static void notify_tracer_locked(struct task *t)
{
	struct process *tr = t->ptrace.tracer;
	struct ksiginfo info = { .code = CLD_TRAPPED, .pid = t->tid, .uid = t->proc->cred->uid,
				 .status = t->ptrace.code & 0x7f };
	send_signal_info_locked(tr, NULL, SIGCHLD, &info);
	wake_up(&tr->child_exit);
}

/* Stop reporting code (info: the signal of a signal-delivery stop).
 * (T) held on entry, dropped on return. Returns the signal the tracer's
 * resume passed on (0: none, or not stopped at all). May sleep. */
static int ptrace_stop_locked(int code, const struct ksiginfo *info)
{
	struct task *t = current;
	struct task_ptrace *pt = &t->ptrace;
	if (!pt->tracer || sigkilled_locked(t)) {
		spin_unlock(&tasklist_lock);
		return 0;
	}
	pt->code = code;
	pt->report = code;
	pt->resume_sig = 0;
	pt->stopped = true;
	if (info)
		pt->siginfo = *info;
	else
		pt->siginfo = (struct ksiginfo){ .signo = SIGTRAP, .code = code };
	set_current_state(TASK_TRACED);
	notify_tracer_locked(t);
	spin_unlock(&tasklist_lock);
	schedule();
	spin_lock(&tasklist_lock);
	pt->stopped = false;
	pt->listening = false;
	pt->report = 0;
	int sig = pt->resume_sig;
	pt->resume_sig = 0;
	spin_unlock(&tasklist_lock);
	return sig;
}

/* A signal the tracer's resume from a syscall or event stop passes on
 * is sent to the tracee, as Linux does. */
static void send_resume_signal(int sig)
{
	if (!sig)
		return;
	struct task *t = current;
	struct ksiginfo info = { .signo = sig, .code = SI_USER };
	spin_lock(&tasklist_lock);
	send_signal_info_locked(t->proc, t, sig, &info);
	spin_unlock(&tasklist_lock);
}

static bool resume_is_sysemu(enum ptrace_resume how)
{
	return how == PTRACE_RESUME_SYSEMU || how == PTRACE_RESUME_SYSEMU_STEP;
}

static int syscall_stop_code(struct task *t)
{
	return SIGTRAP | ((t->ptrace.options & PTRACE_O_TRACESYSGOOD) ? PTRACE_SYSGOOD_BIT : 0);
}

bool ptrace_syscall_entry(struct trapframe *tf)
{
	struct task *t = current;
	if (!ptrace_is_traced(t))
		return false;
	spin_lock(&tasklist_lock);
	enum ptrace_resume how = t->ptrace.tracer ? t->ptrace.resume : PTRACE_RESUME_CONT;
	if (how != PTRACE_RESUME_SYSCALL && !resume_is_sysemu(how)) {
		spin_unlock(&tasklist_lock);
		return false;
	}
	t->ptrace.message = PTRACE_EVENTMSG_SYSCALL_ENTRY;
	arch_set_syscall_return(tf, -ENOSYS);   /* what rax shows at the entry stop */
	send_resume_signal(ptrace_stop_locked(syscall_stop_code(t), NULL));
	/* As Linux, SYSEMU counts as it was before the stop: a call reached
	 * with SYSEMU is skipped however the tracer resumes. */
	return resume_is_sysemu(how) || t->proc->group_exiting || arch_syscall_nr(tf) == -1;
}

void ptrace_syscall_exit(struct trapframe *tf)
{
	struct task *t = current;
	if (!ptrace_is_traced(t))
		return;
	spin_lock(&tasklist_lock);
	enum ptrace_resume how = t->ptrace.tracer ? t->ptrace.resume : PTRACE_RESUME_CONT;
	if (how == PTRACE_RESUME_SYSCALL) {
		t->ptrace.message = PTRACE_EVENTMSG_SYSCALL_EXIT;
		send_resume_signal(ptrace_stop_locked(syscall_stop_code(t), NULL));
		return;
	}
	spin_unlock(&tasklist_lock);
	/* The step covered the syscall instruction; with SYSEMU_SINGLESTEP
	 * the entry stop stood for it (Linux's report_single_step). */
	if (how == PTRACE_RESUME_STEP)
		signal_user_fault(SIGTRAP, TRAP_BRKPT, 0, arch_trapframe_ip(tf), arch_trapframe_sp(tf), 0);
}

int ptrace_signal(int sig, struct ksiginfo *info)
{
	struct task *t = current;
	spin_lock(&tasklist_lock);
	if (!t->ptrace.tracer) {
		spin_unlock(&tasklist_lock);
		return sig;
	}
	int newsig = ptrace_stop_locked(sig, info);
	if (!newsig)
		return 0;
	spin_lock(&tasklist_lock);
	if (t->ptrace.siginfo.signo == newsig)
		*info = t->ptrace.siginfo;   /* as the tracer left it (SETSIGINFO) */
	else
		*info = (struct ksiginfo){ .signo = newsig, .code = SI_USER,
					   .pid = t->ptrace.tracer ? t->ptrace.tracer->pid : 0 };
	spin_lock(&t->sighand->lock);
	bool blocked = t->sig_blocked & SIGBIT(newsig);
	spin_unlock(&t->sighand->lock);
	if (blocked) {   /* a new signal the task blocks waits in its queue */
		send_signal_info_locked(t->proc, t, newsig, info);
		newsig = 0;
	}
	spin_unlock(&tasklist_lock);
	return newsig;
}

bool ptrace_group_stop(int stop_sig)
{
	struct task *t = current;
	spin_lock(&tasklist_lock);
	if (!t->ptrace.tracer) {
		spin_unlock(&tasklist_lock);
		return false;
	}
	int code = stop_sig | (t->ptrace.seized ? PTRACE_EVENT_STOP << 8 : 0);
	ptrace_stop_locked(code, NULL);
	return true;
}

bool ptrace_event(int ev, unsigned opt, uint64_t message)
{
	struct task *t = current;
	spin_lock(&tasklist_lock);
	if (!t->ptrace.tracer || !(t->ptrace.options & opt)) {
		spin_unlock(&tasklist_lock);
		return false;
	}
	t->ptrace.message = message;
	send_resume_signal(ptrace_stop_locked(SIGTRAP | ev << 8, NULL));
	return true;
}

void ptrace_exec(int old_tid)
{
	struct task *t = current;
	if (!ptrace_is_traced(t) || ptrace_event(PTRACE_EVENT_EXEC, PTRACE_O_TRACEEXEC, (uint64_t)old_tid))
		return;
	spin_lock(&tasklist_lock);
	if (t->ptrace.tracer && !t->ptrace.seized) {   /* the classic exec SIGTRAP */
		struct ksiginfo info = { .signo = SIGTRAP, .code = SI_USER };
		send_signal_info_locked(t->proc, t, SIGTRAP, &info);
	}
	spin_unlock(&tasklist_lock);
}

int ptrace_fork_event(uint64_t clone_flags, int exit_signal)
{
	struct task *t = current;
	if ((clone_flags & CLONE_UNTRACED) || !ptrace_is_traced(t))
		return 0;
	int ev = (clone_flags & CLONE_VFORK) ? PTRACE_EVENT_VFORK :
		 exit_signal != SIGCHLD ? PTRACE_EVENT_CLONE : PTRACE_EVENT_FORK;
	spin_lock(&tasklist_lock);
	bool wanted = t->ptrace.tracer && (t->ptrace.options & (1u << ev));
	spin_unlock(&tasklist_lock);
	return wanted ? ev : 0;
}

/* Link t as a tracee of tracer. (T) held. */
void ptrace_link_locked(struct task *t, struct process *tracer, unsigned options, bool seized)
{
	t->ptrace.tracer = tracer;
	__atomic_store_n(&t->traced, true, __ATOMIC_SEQ_CST);   /* syscalls take the slow path */
	t->ptrace.options = options;
	t->ptrace.seized = seized;
	t->ptrace.resume = PTRACE_RESUME_CONT;
	t->ptrace.report = 0;
	list_add_tail(&t->ptrace.link, &tracer->ptraced);
}

void ptrace_fork_child_locked(struct task *c, int event)
{
	struct task_ptrace *pt = &current->ptrace;
	if (!event || !pt->tracer)
		return;
	ptrace_link_locked(c, pt->tracer, pt->options, pt->seized);
	if (pt->seized) {
		c->ptrace.interrupt = true;   /* its first stop: PTRACE_EVENT_STOP */
		task_kick_signal_work(c);
		return;
	}
	struct ksiginfo info = { .signo = SIGSTOP, .code = SI_USER };
	send_signal_info_locked(c->proc, c, SIGSTOP, &info);
}

bool ptrace_interrupt_pending(struct task *t)
{
	return __atomic_load_n(&t->ptrace.interrupt, __ATOMIC_RELAXED);
}

void ptrace_do_interrupt(void)
{
	struct task *t = current;
	spin_lock(&tasklist_lock);
	t->ptrace.interrupt = false;
	ptrace_stop_locked(SIGTRAP | PTRACE_EVENT_STOP << 8, NULL);
}

/* ---- exit ---- */

/* t stops being traced; a stopped t runs again with sig. (T) held. */
void ptrace_unlink_locked(struct task *t, int sig)
{
	struct task_ptrace *pt = &t->ptrace;
	list_del(&pt->link);
	pt->tracer = NULL;
	__atomic_store_n(&t->traced, false, __ATOMIC_RELAXED);
	pt->options = 0;
	pt->interrupt = false;
	pt->report = 0;
	pt->resume = PTRACE_RESUME_CONT;
	pt->resume_sig = sig;
	if (pt->stopped) {
		arch_single_step(t, false);
		wake_traced_task(t);
	}
}

void ptrace_task_exit_locked(struct task *t, int status, bool last_thread)
{
	struct process *tr = t->ptrace.tracer;
	if (!tr)
		return;
	ptrace_unlink_locked(t, 0);
	bool parent_hears = t->tid == t->proc->pid && tr == t->proc->parent;
	if (parent_hears)
		return;
	struct ptrace_exit_record *r = kmalloc(sizeof(*r));
	if (!r)
		return;   /* the tracer's wait misses this exit; nothing else is harmed */
	*r = (struct ptrace_exit_record){ .tid = t->tid, .pgid = t->proc->pgid, .status = status };
	list_add_tail(&r->link, &tr->ptrace_exits);
	struct ksiginfo info = { .code = (status & 0x7f) ? CLD_KILLED : CLD_EXITED, .pid = t->tid,
				 .status = (status & 0x7f) ? (status & 0x7f) : (status >> 8) & 0xff };
	send_signal_info_locked(tr, NULL, SIGCHLD, &info);
	wake_up(&tr->child_exit);
	(void)last_thread;
}

void ptrace_tracer_exit_locked(struct process *p)
{
	struct task *t, *n;
	list_for_each_entry_safe(t, n, &p->ptraced, ptrace.link) {
		if (t->ptrace.options & PTRACE_O_EXITKILL) {
			struct ksiginfo info = { .signo = SIGKILL, .code = SI_USER };
			send_signal_info_locked(t->proc, NULL, SIGKILL, &info);
		}
		ptrace_unlink_locked(t, 0);
	}
	struct ptrace_exit_record *r, *rn;
	list_for_each_entry_safe(r, rn, &p->ptrace_exits, link) {
		list_del(&r->link);
		kfree(r);
	}
}

#define WEXITED 0x4
#define WNOWAIT 0x01000000

int ptrace_wait_locked(struct process *self, bool (*match)(int pid, int pgid, const void *arg),
		       const void *arg, int options, int *pid, int *status, int *code)
{
	int ret = -ECHILD;
	struct task *t;
	list_for_each_entry(t, &self->ptraced, ptrace.link) {
		if (!match(t->tid, t->proc->pgid, arg))
			continue;
		ret = 0;
		if (!t->ptrace.report)
			continue;
		*pid = t->tid;
		*status = (t->ptrace.report << 8) | 0x7f;
		*code = CLD_TRAPPED;
		if (!(options & WNOWAIT))
			t->ptrace.report = 0;
		return 1;
	}
	struct ptrace_exit_record *r;
	list_for_each_entry(r, &self->ptrace_exits, link) {
		if (!match(r->tid, r->pgid, arg))
			continue;
		ret = 0;
		if (!(options & WEXITED))
			continue;
		*pid = r->tid;
		*status = r->status;
		*code = 0;
		if (!(options & WNOWAIT)) {
			list_del(&r->link);
			kfree(r);
		}
		return 1;
	}
	return ret;
}
