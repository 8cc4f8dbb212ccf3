/*
 * signal_deliver.c - delivering signals on the way back to user mode,
 * user faults, group stops, and the job-control reports and exit
 * signal a parent sees (signal.c explains posting and delivery).
 *
 * Locks: T (tasklist_lock) before S (sighand->lock) before R (the run-queue locks).
 */
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/exit.h"
#include "proc/sched.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <asm/unistd_64.h>
#include <linux/sched.h>
#include "proc/signal_impl.h"
#include "proc/cred.h"
#include "proc/coredump.h"

/* ---- faults ---- */

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

void signal_user_fault(int sig, int code, vaddr_t addr, vaddr_t ip, vaddr_t sp, uint64_t error)
{
	struct task *t = current;
	struct sighand *sh = t->sighand;
	if (sig == SIGKILL) {
		pr_info("Out of memory: killed process %d (%s)\n", t->proc->pid, t->proc->comm);
	} else if ((action_of(sh, sig)->handler == SIG_DFL || (t->sig_blocked & SIGBIT(sig))) &&
		   !ptrace_is_traced(t)) {   /* a debugger's breakpoints and steps are no news */
		pr_info("%s[%d]: %s at %lx ip %016lx sp %016lx error %lx\n", t->proc->comm, t->tid,
			fault_name(sig), addr, ip, sp, error & 0xffffffff);
	}
	struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
	signal_force(&info, false);
}

void signal_force(const struct ksiginfo *info, bool to_default)
{
	struct task *t = current;
	struct sighand *sh = t->sighand;
	int sig = info->signo;
	spin_lock(&tasklist_lock);
	spin_lock(&sh->lock);
	/* A fault cannot be blocked or ignored: that would loop on it. */
	if (to_default || (t->sig_blocked & SIGBIT(sig)) || action_of(sh, sig)->handler == SIG_IGN) {
		t->sig_blocked &= ~SIGBIT(sig);
		action_of(sh, sig)->handler = SIG_DFL;
	}
	spin_unlock(&sh->lock);
	send_signal_info_locked(t->proc, t, sig, info);
	spin_unlock(&tasklist_lock);
}

/* ---- delivery ---- */

bool signal_work_pending(struct trapframe *tf)
{
	long ret;
	struct task *t = current;
	/* sig_work: cleared first, then set again while anything is pending
	 * (blocked or not: unblocking needs no kick then) or the group is in
	 * a state to look at; a sender that queues meanwhile sets it after. */
	__atomic_store_n(&t->sig_work, false, __ATOMIC_SEQ_CST);
	if ((__atomic_load_n(&t->pending.set, __ATOMIC_RELAXED) |
	     __atomic_load_n(&t->proc->shared_pending.set, __ATOMIC_RELAXED)) || task_signal_pending(t)) {
		__atomic_store_n(&t->sig_work, true, __ATOMIC_RELAXED);
		if (task_signal_pending(t))
			return true;
	}
	if (t->sig_restore_mask)
		return true;
	return arch_syscall_result(tf, &ret) && ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK;
}

/* This thread's part in a group stop: count itself, sleep until
 * SIGCONT (or SIGKILL). The last thread to stop tells the parent. */
static void do_signal_stop(struct task *t)
{
	struct process *p = t->proc;
	bool notify = false;
	spin_lock(&tasklist_lock);
	spin_lock(&t->sighand->lock);
	if (p->job_state == JOB_RUNNING || p->group_exiting) {
		spin_unlock(&t->sighand->lock);
		spin_unlock(&tasklist_lock);
		return;
	}
	if (!t->stop_counted) {
		t->stop_counted = true;
		if (--p->stop_waiting <= 0 && p->job_state == JOB_STOPPING) {
			p->job_state = JOB_STOPPED;
			notify = true;
		}
	}
	bool traced = t->ptrace.tracer != NULL;
	if (!traced)
		set_current_state(TASK_STOPPED);
	int sig = p->stop_sig;
	spin_unlock(&t->sighand->lock);
	if (notify)
		notify_parent_job_locked(p, CLD_STOPPED, sig);
	spin_unlock(&tasklist_lock);
	if (!traced || !ptrace_group_stop(sig))   /* a tracee reports the stop to its tracer */
		schedule();
}

/* Must t take part in its group's stop? A tracee that already reported
 * it runs on until SIGCONT, as its tracer let it. */
static bool group_stop_pending(struct task *t)
{
	return t->proc->job_state != JOB_RUNNING && !(ptrace_is_traced(t) && t->stop_counted);
}

/* A stop signal's default action: begin the group stop. (T, S) held. */
static void begin_group_stop_locked(struct task *t, int sig)
{
	struct process *p = t->proc;
	if (p->job_state != JOB_RUNNING)
		return;
	p->job_state = JOB_STOPPING;
	p->stop_sig = sig;
	p->stop_waiting = p->nthreads;
	struct task *o;
	list_for_each_entry(o, &p->threads, thread_link) {
		o->stop_counted = false;
		task_kick_signal_work(o);
		if (o != t)
			wake_task(o, true);
	}
}

/* Take the next signal that needs a handler; default actions that
 * ignore or stop are done here, killing ones end the thread. Returns
 * the signal (its action in *ka) or 0 when nothing is left to do now. */
static int get_signal(struct task *t, struct ksiginfo *info, struct k_sigaction *ka)
{
	struct process *p = t->proc;
	for (;;) {
		if (p->group_exiting)
			do_exit_thread(p->group_exit_code, true);
		if (group_stop_pending(t)) {
			do_signal_stop(t);
			continue;
		}
		if (ptrace_interrupt_pending(t)) {
			ptrace_do_interrupt();
			continue;
		}
		spin_lock(&tasklist_lock);
		spin_lock(&t->sighand->lock);
		int sig = dequeue_signal_locked(t, ~t->sig_blocked, info);
		if (sig && sig != SIGKILL && t->ptrace.tracer) {
			spin_unlock(&t->sighand->lock);
			spin_unlock(&tasklist_lock);
			sig = ptrace_signal(sig, info);   /* the tracer may change or cancel it */
			if (!sig)
				continue;
			spin_lock(&tasklist_lock);
			spin_lock(&t->sighand->lock);
		}
		*ka = sig ? *action_of(t->sighand, sig) : (struct k_sigaction){ 0 };
		bool stop = sig && ka->handler == SIG_DFL && sig_default_stop(sig);
		if (stop)
			begin_group_stop_locked(t, sig);
		bool kill = sig && default_kills(t->sighand, sig);
		bool dump = kill && sig_dumps_core(sig) && coredump_begin_locked(t, sig);
		if (kill && !dump)
			kill_group_locked(p, sig, t);
		spin_unlock(&t->sighand->lock);
		spin_unlock(&tasklist_lock);
		if (dump)
			do_coredump(info);
		if (!sig)
			return 0;
		if (stop || kill || handler_ignores(t->sighand, sig))
			continue;
		return sig;
	}
}

void siginfo_to_user(const struct ksiginfo *k, struct user_siginfo *u)
{
	memset(u, 0, sizeof(*u));
	u->si_signo = k->signo;
	u->si_errno = k->err;
	u->si_code = k->code;
	if (k->signo == SIGCHLD && k->code > 0) {
		u->chld.pid = k->pid;
		u->chld.uid = k->uid;
		u->chld.status = k->status;
	} else if (k->signo == SIGSYS && k->code == SYS_SECCOMP) {
		u->sys.call_addr = k->addr;
		u->sys.syscall = (int32_t)(k->value & 0xffffffff);
		u->sys.arch = (uint32_t)(k->value >> 32);
	} else if ((SIGBIT(k->signo) & SIG_SYNCHRONOUS) && k->code > 0) {
		u->fault.addr = k->addr;
	} else {
		u->rt.pid = k->pid;
		u->rt.uid = k->uid;
		u->rt.value = k->value;   /* 0 unless queued with a value */
	}
}

/* The syscall the signal interrupted: restart it, or fail it with EINTR.
 * ka: the handler about to run, or NULL when none does. */
static void fix_interrupted_syscall(struct trapframe *tf, const struct k_sigaction *ka)
{
	long ret;
	if (!arch_syscall_result(tf, &ret) || ret > -ERESTARTSYS || ret < -ERESTART_RESTARTBLOCK)
		return;
	bool restart = ka == NULL;   /* no handler ran (a stop and continue): go on */
	if (ret == -ERESTARTNOINTR || (ret == -ERESTARTSYS && ka && (ka->flags & SA_RESTART)))
		restart = true;
	if (!restart)
		arch_set_syscall_return(tf, -EINTR);
	else if (ret == -ERESTART_RESTARTBLOCK)
		arch_syscall_restart_as(tf, __NR_restart_syscall);
	else
		arch_syscall_restart(tf);
}

bool on_sig_stack(struct task *t, vaddr_t sp)
{
	return t->sas_ss_size && sp > t->sas_ss_sp && sp - t->sas_ss_sp <= t->sas_ss_size;
}

int altstack_flags(struct task *t, vaddr_t sp)
{
	if (!t->sas_ss_size)
		return SS_DISABLE;
	return (on_sig_stack(t, sp) ? SS_ONSTACK : 0) | t->sas_ss_flags;
}

/* Run sig's handler: a frame on the user stack, the handler's mask. */
static void handle_signal(struct task *t, struct trapframe *tf, int sig,
			  const struct ksiginfo *info, const struct k_sigaction *ka)
{
	struct user_siginfo uinfo;
	siginfo_to_user(info, &uinfo);
	fix_interrupted_syscall(tf, ka);
	vaddr_t sp = arch_trapframe_sp(tf);
	struct signal_frame_req req = {
		.sig = sig, .handler = ka->handler, .restorer = ka->restorer,
		.mask = t->sig_restore_mask ? t->sig_saved_mask : t->sig_blocked,
		.ss_sp = t->sas_ss_sp, .ss_size = t->sas_ss_size, .ss_flags = altstack_flags(t, sp),
		.info = &uinfo,
	};
	if ((ka->flags & SA_ONSTACK) && t->sas_ss_size && !on_sig_stack(t, sp))
		req.altstack_top = t->sas_ss_sp + t->sas_ss_size;
	if (!(ka->flags & SA_RESTORER) || arch_setup_signal_frame(tf, &req)) {
		signal_user_fault(SIGSEGV, SI_KERNEL, 0, arch_trapframe_ip(tf), sp, 0);
		return;
	}
	t->sig_restore_mask = false;
	if (req.altstack_top && (t->sas_ss_flags & SS_AUTODISARM))
		t->sas_ss_sp = t->sas_ss_size = 0;
	spin_lock(&t->sighand->lock);
	t->sig_blocked |= ka->mask;
	if (!(ka->flags & SA_NODEFER))
		t->sig_blocked |= SIGBIT(sig);
	t->sig_blocked &= ~SIG_UNBLOCKABLE;
	if (ka->flags & SA_RESETHAND)
		action_of(t->sighand, sig)->handler = 0;   /* SIG_DFL; flags and mask stay, as Linux */
	spin_unlock(&t->sighand->lock);
}

void signal_handle_pending(struct trapframe *tf)
{
	struct task *t = current;
	struct ksiginfo info;
	struct k_sigaction ka;
	bool delivered = false;
	int sig;
	while ((sig = get_signal(t, &info, &ka)) != 0) {
		handle_signal(t, tf, sig, &info, &ka);
		delivered = true;
	}
	if (delivered)
		return;
	fix_interrupted_syscall(tf, NULL);
	if (t->sig_restore_mask) {
		t->sig_restore_mask = false;
		spin_lock(&t->sighand->lock);
		t->sig_blocked = t->sig_saved_mask;
		spin_unlock(&t->sighand->lock);
	}
}

/* ---- job-control reports and exit (for exit.c) ---- */

#define WUNTRACED 0x2
#define WCONTINUED 0x8
#define WNOWAIT 0x01000000

int signal_job_report_locked(struct process *c, int options, int *status, int *code)
{
	if (c->job_report == REPORT_STOPPED && (options & WUNTRACED)) {
		*status = (c->job_report_sig << 8) | 0x7f;
		*code = CLD_STOPPED;
	} else if (c->job_report == REPORT_CONTINUED && (options & WCONTINUED)) {
		*status = 0xffff;
		*code = CLD_CONTINUED;
	} else {
		return 0;
	}
	if (!(options & WNOWAIT))
		c->job_report = REPORT_NONE;
	return 1;
}

int signal_child_code(int status)
{
	if (!(status & 0x7f))
		return CLD_EXITED;
	return status & WCOREFLAG ? CLD_DUMPED : CLD_KILLED;
}

void signal_process_exit_locked(struct process *p)
{
	struct process *parent = p->parent;
	if (!p->exit_signal || !parent || parent == p)
		return;
	int st = p->exit_code;
	struct ksiginfo info = { .pid = p->pid, .uid = p->cred->uid,
		.code = signal_child_code(st),
		.status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff };
	send_signal_info_locked(parent, NULL, p->exit_signal, &info);
}
