/*
 * signal.c - posting and delivering signals, job control, the signal
 * system calls and the real interval timer.
 *
 * Posting (send_signal_info_locked) follows Linux's three steps:
 *   prepare   job-control side effects at once: SIGCONT resumes a
 *             stopped group and drops pending stop signals; a stop
 *             signal drops a pending SIGCONT. Ignored signals vanish.
 *   queue     the bit and its siginfo go to the thread's or the group's
 *             pending set (a signal already pending is merged).
 *   complete  pick a thread that does not block it and wake it; a
 *             signal whose default action kills ends the group now.
 *
 * Delivery happens on the way back to user mode (signal_handle_pending):
 * take the lowest unblocked pending signal (faults first) and either
 * build a handler frame (arch_setup_signal_frame), or run the default
 * action: ignore, terminate the group, or stop it. A group stop counts
 * its threads down as each reaches this point; the last one tells the
 * parent (SIGCHLD, and a report for wait's WUNTRACED). SIGCONT resumes.
 *
 * A syscall interrupted by a signal returns -ERESTART*: with a handler
 * it becomes -EINTR (or restarts under SA_RESTART); without one the
 * syscall runs again, as if nothing happened.
 *
 * Locks: T (tasklist_lock) before S (sighand->lock) before R (rq_lock).
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

/* Default actions. Anything not listed terminates. */
#define SIG_DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))
#define SIG_DEFAULT_STOP (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
/* Faults: delivered before anything else pending. */
#define SIG_SYNCHRONOUS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
			 SIGBIT(SIGFPE) | SIGBIT(SIGSYS))

/* ---- actions ---- */

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
	current->sas_ss_sp = current->sas_ss_size = 0;
	current->sas_ss_flags = 0;
}

void signal_copy_to_child(struct task *c, uint64_t clone_flags)
{
	struct task *cur = current;
	c->sig_blocked = cur->sig_blocked;
	if ((clone_flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
		c->sas_ss_sp = cur->sas_ss_sp;   /* a thread on a new stack starts without one */
		c->sas_ss_size = cur->sas_ss_size;
		c->sas_ss_flags = cur->sas_ss_flags;
	}
}

int signal_exit_status(int sig)
{
	return sig & 0x7f;
}

static bool sig_valid(int sig) { return sig >= 1 && sig <= NSIG; }
static bool sig_default_stop(int sig) { return SIGBIT(sig) & SIG_DEFAULT_STOP; }

static struct k_sigaction *action_of(struct sighand *sh, int sig)
{
	return &sh->action[sig - 1];
}

/* The handler ignores sig (explicitly, or by default). (S) held. */
static bool handler_ignores(struct sighand *sh, int sig)
{
	uint64_t h = action_of(sh, sig)->handler;
	return h == SIG_IGN || (h == SIG_DFL && (SIGBIT(sig) & SIG_DEFAULT_IGNORE));
}

/* The default action of sig terminates the process. */
static bool default_kills(struct sighand *sh, int sig)
{
	return action_of(sh, sig)->handler == SIG_DFL &&
	       !(SIGBIT(sig) & (SIG_DEFAULT_IGNORE | SIG_DEFAULT_STOP));
}

/* Any live thread of p (its sighand is the group's), or NULL. (T) held. */
static struct task *any_thread_locked(struct process *p)
{
	if (p->state != PROC_ALIVE || list_empty(&p->threads))
		return NULL;
	return p->leader ? p->leader : list_first_entry(&p->threads, struct task, thread_link);
}

/* ---- pending sets ---- */

/* Add an instance of sig; false when a real-time queue is full. */
static bool pending_add(struct sigpending *q, int sig, const struct ksiginfo *info)
{
	if (sig >= SIGRTMIN) {
		if (q->rtq_len == SIGQUEUE_MAX)
			return false;
		q->rtq[q->rtq_len] = *info;
		q->rtq[q->rtq_len++].signo = sig;
		q->set |= SIGBIT(sig);
		return true;
	}
	if (q->set & SIGBIT(sig))
		return true;   /* merged into the pending one */
	q->set |= SIGBIT(sig);
	q->info[sig - 1] = *info;
	q->info[sig - 1].signo = sig;
	return true;
}

/* Take the oldest queued instance of real-time signal sig; the bit
 * stays set while more are queued. */
static void rtq_take(struct sigpending *q, int sig, struct ksiginfo *info)
{
	int i = 0, more = 0;
	while (i < q->rtq_len && q->rtq[i].signo != sig)
		i++;
	*info = q->rtq[i];
	memmove(&q->rtq[i], &q->rtq[i + 1], (size_t)(q->rtq_len - i - 1) * sizeof(q->rtq[0]));
	q->rtq_len--;
	for (int k = 0; k < q->rtq_len; k++)
		more |= q->rtq[k].signo == sig;
	if (!more)
		q->set &= ~SIGBIT(sig);
}

/* Drop the queued real-time instances of the signals in mask. */
static void rtq_flush(struct sigpending *q, uint64_t mask)
{
	int kept = 0;
	for (int i = 0; i < q->rtq_len; i++)
		if (!(mask & SIGBIT(q->rtq[i].signo)))
			q->rtq[kept++] = q->rtq[i];
	q->rtq_len = kept;
}

/* Remove the signals of mask from p's pending sets (group and threads). (S) */
static void pending_flush_locked(struct process *p, uint64_t mask)
{
	struct task *t;
	p->shared_pending.set &= ~mask;
	rtq_flush(&p->shared_pending, mask);
	list_for_each_entry(t, &p->threads, thread_link) {
		t->pending.set &= ~mask;
		rtq_flush(&t->pending, mask);
	}
}

/* The lowest signal of set, faults first; 0 if none. */
static int next_signal(uint64_t set)
{
	uint64_t sync = set & SIG_SYNCHRONOUS;
	if (sync)
		set = sync;
	return set ? __builtin_ctzll(set) + 1 : 0;
}

/* Take one signal of mask from t's pending sets into *info; 0 if none. (S) */
static int dequeue_signal_locked(struct task *t, uint64_t mask, struct ksiginfo *info)
{
	struct sigpending *q = &t->pending;
	int sig = next_signal(q->set & mask);
	if (!sig) {
		q = &t->proc->shared_pending;
		sig = next_signal(q->set & mask);
	}
	if (sig >= SIGRTMIN) {
		rtq_take(q, sig, info);
	} else if (sig) {
		q->set &= ~SIGBIT(sig);
		*info = q->info[sig - 1];
	}
	return sig;
}

/* ---- posting ---- */

/* Mark the group as dying of sig and wake all its threads. (T) held. */
static void kill_group_locked(struct process *p, int sig)
{
	if (p->group_exiting && !p->exec_task)   /* execve's de_thread yields to a kill */
		return;
	p->group_exiting = true;
	p->group_exit_code = signal_exit_status(sig);
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link) {
		wake_task(t, true);
		wake_stopped_task(t);
	}
}

/* Tell p's parent that p stopped or continued (why: CLD_*). (T) held, not S. */
static void notify_parent_job_locked(struct process *p, int why, int sig)
{
	struct process *parent = p->parent;
	p->job_report = why == CLD_STOPPED ? REPORT_STOPPED : REPORT_CONTINUED;
	p->job_report_sig = sig;
	if (!parent || parent == p)
		return;
	struct task *pt = any_thread_locked(parent);
	if (pt && !(action_of(pt->sighand, SIGCHLD)->flags & SA_NOCLDSTOP)) {
		struct ksiginfo info = { .code = why, .pid = p->pid, .status = sig };
		send_signal_info_locked(parent, NULL, SIGCHLD, &info);
	}
	wake_up(&parent->child_exit);
}

/* Resume a stopped (or stopping) group; true if it had fully stopped. (S) */
static bool resume_group_locked(struct process *p)
{
	if (p->job_state == JOB_RUNNING)
		return false;
	bool was_stopped = p->job_state == JOB_STOPPED;
	p->job_state = JOB_RUNNING;
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link) {
		t->stop_counted = false;
		wake_stopped_task(t);
	}
	return was_stopped;
}

/* Job-control effects of posting sig; false if sig is to be dropped.
 * *continued: p resumed from a full stop. (S) held. */
static bool prepare_signal_locked(struct process *p, struct task *target, int sig, bool *continued)
{
	struct sighand *sh = target->sighand;
	if (p->group_exiting && !p->exec_task)   /* during execve's de_thread, signals still count */
		return false;
	if (sig_default_stop(sig)) {
		pending_flush_locked(p, SIGBIT(SIGCONT));
	} else if (sig == SIGCONT) {
		pending_flush_locked(p, SIG_DEFAULT_STOP);
		*continued = resume_group_locked(p);
	}
	/* Blocked signals stay pending even if ignored: the action may change. */
	return !handler_ignores(sh, sig) || (target->sig_blocked & SIGBIT(sig));
}

/* The thread that should take a group signal: one not blocking it,
 * the leader first; NULL if all block it. (S) held. */
static struct task *wants_signal_locked(struct process *p, int sig)
{
	struct task *t;
	if (p->leader && !(p->leader->sig_blocked & SIGBIT(sig)))
		return p->leader;
	list_for_each_entry(t, &p->threads, thread_link)
		if (!(t->sig_blocked & SIGBIT(sig)) || (t->sig_waitset & SIGBIT(sig)))
			return t;
	return NULL;
}

/* Pick the thread, kill the group for a fatal signal, wake the thread. (T, S) */
static void complete_signal_locked(struct process *p, struct task *t, int sig)
{
	if (!t || ((t->sig_blocked & SIGBIT(sig)) && !(t->sig_waitset & SIGBIT(sig))))
		t = wants_signal_locked(p, sig);
	if (!t)
		return;   /* stays pending until a thread unblocks it */
	if (sig == SIGKILL || (default_kills(t->sighand, sig) && !(t->sig_waitset & SIGBIT(sig)))) {
		kill_group_locked(p, sig);
		return;
	}
	wake_task(t, true);
}

int send_signal_info_locked(struct process *p, struct task *t, int sig, const struct ksiginfo *info)
{
	if (!sig_valid(sig))
		return -EINVAL;
	struct task *any = t ? t : any_thread_locked(p);
	if (!any)
		return 0;   /* a zombie: nothing to deliver to */
	struct sighand *sh = any->sighand;
	bool continued = false;
	int err = 0;
	spin_lock(&sh->lock);
	if (prepare_signal_locked(p, any, sig, &continued)) {
		if (pending_add(t ? &t->pending : &p->shared_pending, sig, info))
			complete_signal_locked(p, t, sig);
		else
			err = -EAGAIN;   /* the real-time queue is full */
	}
	spin_unlock(&sh->lock);
	if (continued)
		notify_parent_job_locked(p, CLD_CONTINUED, SIGCONT);
	return err;
}

static struct ksiginfo user_info(int sig, int code)
{
	struct process *self = current->proc;
	return (struct ksiginfo){ .signo = sig, .code = code, .pid = self->pid, .uid = self->uid };
}

int send_signal(struct process *p, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	struct ksiginfo info = user_info(sig, SI_USER);
	spin_lock(&tasklist_lock);
	int err = p->state == PROC_ALIVE ? send_signal_info_locked(p, NULL, sig, &info) : 0;
	spin_unlock(&tasklist_lock);
	return err;
}

void send_sig_current(int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	spin_lock(&tasklist_lock);
	send_signal_info_locked(current->proc, current, sig, &info);
	spin_unlock(&tasklist_lock);
}

int kill_pgrp(int pgid, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	int n = 0;
	if (pgid <= 0)
		return 0;
	spin_lock(&tasklist_lock);
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct process *p = process_find_locked(pid);
		if (p && p->state == PROC_ALIVE && p->pgid == pgid) {
			send_signal_info_locked(p, NULL, sig, &info);
			n++;
		}
	}
	spin_unlock(&tasklist_lock);
	return n;
}

bool signal_pending_current(void)
{
	struct task *t = current;
	struct process *p = t->proc;
	if (p->group_exiting || (p->job_state != JOB_RUNNING && !t->stop_counted))
		return true;
	return ((t->pending.set | p->shared_pending.set) & ~t->sig_blocked) != 0;
}

bool signal_blocked_or_ignored(int sig)
{
	struct task *t = current;
	spin_lock(&t->sighand->lock);
	bool r = (t->sig_blocked & SIGBIT(sig)) || action_of(t->sighand, sig)->handler == SIG_IGN;
	spin_unlock(&t->sighand->lock);
	return r;
}

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
	} else if (action_of(sh, sig)->handler == SIG_DFL || (t->sig_blocked & SIGBIT(sig))) {
		pr_info("%s[%d]: %s at %lx ip %016lx sp %016lx error %lx\n", t->proc->comm, t->tid,
			fault_name(sig), addr, ip, sp, error & 0xffffffff);
	}
	struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
	spin_lock(&tasklist_lock);
	spin_lock(&sh->lock);
	/* A fault cannot be blocked or ignored: that would loop on it. */
	if ((t->sig_blocked & SIGBIT(sig)) || action_of(sh, sig)->handler == SIG_IGN) {
		t->sig_blocked &= ~SIGBIT(sig);
		action_of(sh, sig)->handler = SIG_DFL;
	}
	spin_unlock(&sh->lock);
	send_signal_info_locked(t->proc, t, sig, &info);
	spin_unlock(&tasklist_lock);
}

/* ---- delivery ---- */

bool signal_work_pending(struct trapframe *tf)
{
	long ret;
	if (signal_pending_current() || current->sig_restore_mask)
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
	set_current_state(TASK_STOPPED);
	int sig = p->stop_sig;
	spin_unlock(&t->sighand->lock);
	if (notify)
		notify_parent_job_locked(p, CLD_STOPPED, sig);
	spin_unlock(&tasklist_lock);
	schedule();
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
		if (p->job_state != JOB_RUNNING) {
			do_signal_stop(t);
			continue;
		}
		spin_lock(&tasklist_lock);
		spin_lock(&t->sighand->lock);
		int sig = dequeue_signal_locked(t, ~t->sig_blocked, info);
		*ka = sig ? *action_of(t->sighand, sig) : (struct k_sigaction){ 0 };
		bool stop = sig && ka->handler == SIG_DFL && sig_default_stop(sig);
		if (stop)
			begin_group_stop_locked(t, sig);
		bool kill = sig && default_kills(t->sighand, sig);
		if (kill)
			kill_group_locked(p, sig);
		spin_unlock(&t->sighand->lock);
		spin_unlock(&tasklist_lock);
		if (!sig)
			return 0;
		if (stop || kill || handler_ignores(t->sighand, sig))
			continue;
		return sig;
	}
}

static void siginfo_to_user(const struct ksiginfo *k, struct user_siginfo *u)
{
	memset(u, 0, sizeof(*u));
	u->si_signo = k->signo;
	u->si_errno = k->err;
	u->si_code = k->code;
	if (k->signo == SIGCHLD && k->code > 0) {
		u->chld.pid = k->pid;
		u->chld.uid = k->uid;
		u->chld.status = k->status;
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
	bool restart = ka == NULL;
	if (ret == -ERESTARTNOINTR || (ret == -ERESTARTSYS && (ka->flags & SA_RESTART)))
		restart = true;
	if (!restart)
		arch_set_syscall_return(tf, -EINTR);
	else if (ret == -ERESTART_RESTARTBLOCK)
		arch_syscall_restart_as(tf, __NR_restart_syscall);
	else
		arch_syscall_restart(tf);
}

static bool on_sig_stack(struct task *t, vaddr_t sp)
{
	return t->sas_ss_size && sp > t->sas_ss_sp && sp - t->sas_ss_sp <= t->sas_ss_size;
}

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)

static int altstack_flags(struct task *t, vaddr_t sp)
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
		*action_of(t->sighand, sig) = (struct k_sigaction){ 0 };
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

void signal_process_exit_locked(struct process *p)
{
	if (p->itimer_deadline_ns) {
		p->itimer_deadline_ns = 0;
		list_del(&p->itimer_link);
	}
	struct process *parent = p->parent;
	if (!p->exit_signal || !parent || parent == p)
		return;
	int st = p->exit_code;
	struct ksiginfo info = { .pid = p->pid, .uid = p->uid,
		.code = (st & 0x7f) ? CLD_KILLED : CLD_EXITED,
		.status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff };
	send_signal_info_locked(parent, NULL, p->exit_signal, &info);
}

/* ---- system calls: actions, masks, pending ---- */

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *oact, size_t setsize)
{
	if (setsize != sizeof(uint64_t) || !sig_valid(sig))
		return -EINVAL;
	struct k_sigaction new, old;
	if (act && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct task *t = current;
	struct sighand *sh = t->sighand;
	spin_lock(&tasklist_lock);
	spin_lock(&sh->lock);
	old = *action_of(sh, sig);
	if (act) {
		new.mask &= ~SIG_UNBLOCKABLE;
		*action_of(sh, sig) = new;
		if (handler_ignores(sh, sig))   /* POSIX: setting SIG_IGN discards the pending one */
			pending_flush_locked(t->proc, SIGBIT(sig));
	}
	spin_unlock(&sh->lock);
	spin_unlock(&tasklist_lock);
	if (oact && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *oset, size_t setsize)
{
	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	struct task *t = current;
	uint64_t new = 0, old = t->sig_blocked;
	if (set && copy_from_user(&new, set, sizeof(new)))
		return -EFAULT;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (set) {
		spin_lock(&t->sighand->lock);
		old = t->sig_blocked;
		if (how == SIG_BLOCK)
			new |= old;
		else if (how == SIG_UNBLOCK)
			new = old & ~new;
		t->sig_blocked = new & ~SIG_UNBLOCKABLE;
		spin_unlock(&t->sighand->lock);
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(uint64_t *uset, size_t setsize)
{
	if (setsize > sizeof(uint64_t))
		return -EINVAL;
	struct task *t = current;
	spin_lock(&t->sighand->lock);
	uint64_t set = (t->pending.set | t->proc->shared_pending.set) & t->sig_blocked;
	spin_unlock(&t->sighand->lock);
	return copy_to_user(uset, &set, setsize) ? -EFAULT : 0;
}

/* Sleep until a signal is pending for the caller (its mask as it is). */
static void sleep_until_signal(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (signal_pending_current())
			break;
		schedule();
	}
	set_current_state(TASK_RUNNING);
}

long sys_pause(void)
{
	sleep_until_signal();
	return -ERESTARTNOHAND;
}

/* signal_mask_swap_in - install the user's mask (setsize bytes at umask)
 * until the next signal delivery, which puts the old one back: what
 * rt_sigsuspend, ppoll and pselect6 do. 0, -EINVAL or -EFAULT. */
int signal_mask_swap_in(const uint64_t *umask, size_t setsize)
{
	uint64_t mask;
	struct task *t = current;
	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	spin_lock(&t->sighand->lock);
	t->sig_saved_mask = t->sig_blocked;
	t->sig_restore_mask = true;
	t->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	spin_unlock(&t->sighand->lock);
	return 0;
}

long sys_rt_sigsuspend(const uint64_t *umask, size_t setsize)
{
	int err = signal_mask_swap_in(umask, setsize);
	if (err)
		return err;
	sleep_until_signal();
	return -ERESTARTNOHAND;
}

#define NSEC_PER_SEC 1000000000L

struct user_timespec { int64_t tv_sec, tv_nsec; };

/* Take a signal of set for sigtimedwait; 0 if none. */
static int take_waited_signal(struct task *t, uint64_t set, struct ksiginfo *info)
{
	spin_lock(&t->sighand->lock);
	int sig = dequeue_signal_locked(t, set, info);
	spin_unlock(&t->sighand->lock);
	return sig;
}

/* Sleep until a signal of set (or any unblocked one) or the deadline
 * (0: none); the signals of set count as unblocked meanwhile. */
static void sigtimedwait_sleep(struct task *t, uint64_t set, uint64_t deadline)
{
	spin_lock(&t->sighand->lock);
	t->sig_waitset = set;
	spin_unlock(&t->sighand->lock);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		bool wanted = (t->pending.set | t->proc->shared_pending.set) & set;
		if (wanted || signal_pending_current() || (deadline && arch_clock_ns() >= deadline))
			break;
		if (deadline)
			schedule_until(deadline);
		else
			schedule();
	}
	set_current_state(TASK_RUNNING);
	spin_lock(&t->sighand->lock);
	t->sig_waitset = 0;
	spin_unlock(&t->sighand->lock);
}

long sys_rt_sigtimedwait(const uint64_t *uset, struct user_siginfo *uinfo,
			 const struct user_timespec *uts, size_t setsize)
{
	struct task *t = current;
	uint64_t set, deadline = 0;
	struct user_timespec ts;
	struct ksiginfo info;
	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
		deadline = arch_clock_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	}
	int sig = take_waited_signal(t, set, &info);
	if (!sig && !(uts && ts.tv_sec == 0 && ts.tv_nsec == 0)) {
		sigtimedwait_sleep(t, set, deadline);
		sig = take_waited_signal(t, set, &info);
	}
	if (!sig)
		return signal_pending_current() ? -EINTR : -EAGAIN;
	if (uinfo) {
		struct user_siginfo u;
		siginfo_to_user(&info, &u);
		if (copy_to_user(uinfo, &u, sizeof(u)))
			return -EFAULT;
	}
	return sig;
}

#define MINSIGSTKSZ 2048

/* rt_sigreturn gives the alternate stack back as the frame saved it
 * (SS_AUTODISARM may have taken it away), unless we return onto it. */
static void altstack_restore(struct task *t, const struct sigreturn_state *st)
{
	if (on_sig_stack(t, arch_trapframe_sp(t->tf)))
		return;
	if (st->ss_flags & SS_DISABLE) {
		t->sas_ss_sp = t->sas_ss_size = 0;
	} else if (st->ss_size >= MINSIGSTKSZ) {
		t->sas_ss_sp = st->ss_sp;
		t->sas_ss_size = st->ss_size;
		t->sas_ss_flags = st->ss_flags & SS_AUTODISARM;
	}
}

long sys_rt_sigreturn(void)
{
	struct task *t = current;
	struct sigreturn_state st;
	if (arch_restore_signal_frame(t->tf, &st)) {
		signal_user_fault(SIGSEGV, SI_KERNEL, 0, arch_trapframe_ip(t->tf), arch_trapframe_sp(t->tf), 0);
		return 0;
	}
	spin_lock(&t->sighand->lock);
	t->sig_blocked = st.mask & ~SIG_UNBLOCKABLE;
	spin_unlock(&t->sighand->lock);
	altstack_restore(t, &st);
	return st.retval;   /* the interrupted code's rax, which the syscall exit keeps */
}

struct user_stack_t {
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};

long sys_sigaltstack(const struct user_stack_t *uss, struct user_stack_t *uoss)
{
	struct task *t = current;
	vaddr_t sp = arch_trapframe_sp(t->tf);
	struct user_stack_t old = { t->sas_ss_sp, altstack_flags(t, sp), 0, t->sas_ss_size }, new;
	if (uss) {
		if (copy_from_user(&new, uss, sizeof(new)))
			return -EFAULT;
		if (on_sig_stack(t, sp))
			return -EPERM;
		int mode = new.ss_flags & ~(int)SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			new.ss_sp = new.ss_size = 0;
		} else if (new.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->sas_ss_sp = new.ss_sp;
		t->sas_ss_size = new.ss_size;
		t->sas_ss_flags = new.ss_flags & SS_AUTODISARM;
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* ---- system calls: sending ---- */

long sys_kill(int pid, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct ksiginfo info = user_info(sig, SI_USER);
	struct process *self = current->proc;
	long found = 0;
	spin_lock(&tasklist_lock);
	if (pid > 0) {
		struct process *p = process_find_locked(pid);
		found = p != NULL;   /* a zombie can still be signalled, to no effect */
		if (found && sig && p->state == PROC_ALIVE)
			send_signal_info_locked(p, NULL, sig, &info);
	} else {
		int pgid = pid == 0 ? self->pgid : -pid;
		struct process *p;
		list_for_each_entry(p, &all_processes, all_link) {
			if (pid == -1 ? (p->pid == 1 || p == self) : p->pgid != pgid)
				continue;
			found++;
			if (sig && p->state == PROC_ALIVE)
				send_signal_info_locked(p, NULL, sig, &info);
		}
	}
	spin_unlock(&tasklist_lock);
	return found ? 0 : -ESRCH;
}

/* Send sig to thread tid (of group tgid when tgid > 0). */
static long do_tkill(int tgid, int tid, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct ksiginfo info = user_info(sig, SI_TKILL);
	spin_lock(&tasklist_lock);
	struct task *t = task_find_locked(tid);
	if (t && (t->state == TASK_DEAD || (tgid > 0 && t->proc->pid != tgid) || t->proc->state != PROC_ALIVE))
		t = NULL;
	if (t && sig)
		send_signal_info_locked(t->proc, t, sig, &info);
	spin_unlock(&tasklist_lock);
	return t ? 0 : -ESRCH;
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

long sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return do_tkill(0, tid, sig);
}

/* The siginfo a sigqueue caller supplies. Another process may only be
 * sent a code of its own making (negative, not SI_TKILL), as Linux checks. */
static int queued_info_from_user(const struct user_siginfo *uinfo, int sig, int target_pid,
				 struct ksiginfo *out)
{
	struct user_siginfo u;
	if (copy_from_user(&u, uinfo, sizeof(u)))
		return -EFAULT;
	if ((u.si_code >= 0 || u.si_code == SI_TKILL) && target_pid != current->proc->pid)
		return -EPERM;
	*out = (struct ksiginfo){ .signo = sig, .code = u.si_code, .pid = u.rt.pid,
				  .uid = u.rt.uid, .value = u.rt.value };
	return 0;
}

/* rt_sigqueueinfo(tgid, sig, info): sigqueue(3) — a signal with a value,
 * queued once per call when it is a real-time one (EAGAIN when full). */
long sys_rt_sigqueueinfo(int tgid, int sig, const struct user_siginfo *uinfo)
{
	struct ksiginfo info;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	int err = queued_info_from_user(uinfo, sig, tgid, &info);
	if (err)
		return err;
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(tgid);
	err = !p ? -ESRCH : (sig && p->state == PROC_ALIVE) ? send_signal_info_locked(p, NULL, sig, &info) : 0;
	spin_unlock(&tasklist_lock);
	return err;
}

/* rt_tgsigqueueinfo(tgid, tid, sig, info): the same, to one thread. */
long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const struct user_siginfo *uinfo)
{
	struct ksiginfo info;
	if (sig < 0 || sig > NSIG || tgid <= 0 || tid <= 0)
		return -EINVAL;
	int err = queued_info_from_user(uinfo, sig, tgid, &info);
	if (err)
		return err;
	spin_lock(&tasklist_lock);
	struct task *t = task_find_locked(tid);
	if (t && (t->state == TASK_DEAD || t->proc->pid != tgid || t->proc->state != PROC_ALIVE))
		t = NULL;
	err = !t ? -ESRCH : sig ? send_signal_info_locked(t->proc, t, sig, &info) : 0;
	spin_unlock(&tasklist_lock);
	return err;
}

/* ---- restartable sleeps ---- */

long signal_set_restart(const struct restart_block *rb)
{
	current->restart = *rb;
	return -ERESTART_RESTARTBLOCK;
}

long sys_restart_syscall(void)
{
	struct restart_block *rb = &current->restart;
	return rb->fn ? rb->fn(rb) : -EINTR;
}

/* ---- the real interval timer: alarm, setitimer, getitimer ---- */

static LIST_HEAD(itimer_list);   /* (T) processes with an armed ITIMER_REAL */

#define ITIMER_REAL 0
#define USEC_PER_SEC 1000000L
#define NSEC_PER_USEC 1000L

struct user_timeval { int64_t tv_sec, tv_usec; };
struct user_itimerval { struct user_timeval interval, value; };

/* Arm (deadline nonzero) or disarm p's timer. (T) held. */
static void itimer_set_locked(struct process *p, uint64_t deadline, uint64_t interval)
{
	if (p->itimer_deadline_ns && !deadline)
		list_del(&p->itimer_link);
	else if (!p->itimer_deadline_ns && deadline)
		list_add_tail(&p->itimer_link, &itimer_list);
	p->itimer_deadline_ns = deadline;
	p->itimer_interval_ns = interval;
}

void signal_timer_tick(uint64_t now)
{
	if (list_empty(&itimer_list))   /* racy peek: the next tick sees a new timer */
		return;
	struct ksiginfo info = { .signo = SIGALRM, .code = SI_KERNEL };
	struct process *p, *n;
	spin_lock(&tasklist_lock);
	list_for_each_entry_safe(p, n, &itimer_list, itimer_link) {
		if (p->itimer_deadline_ns > now)
			continue;
		uint64_t iv = p->itimer_interval_ns;
		itimer_set_locked(p, iv ? MAX(p->itimer_deadline_ns + iv, now + 1) : 0, iv);
		send_signal_info_locked(p, NULL, SIGALRM, &info);
	}
	spin_unlock(&tasklist_lock);
}

static uint64_t timeval_ns(const struct user_timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

static struct user_timeval ns_timeval(uint64_t ns)
{
	return (struct user_timeval){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

/* Replace the timer (new may be NULL: just read); the old one in *old. */
static void itimer_swap(const struct user_itimerval *new, struct user_itimerval *old)
{
	struct process *p = current->proc;
	uint64_t now = arch_clock_ns();
	spin_lock(&tasklist_lock);
	uint64_t left = p->itimer_deadline_ns ? MAX(p->itimer_deadline_ns, now + 1) - now : 0;
	old->value = ns_timeval(left);
	old->interval = ns_timeval(p->itimer_interval_ns);
	if (new) {
		uint64_t v = timeval_ns(&new->value);
		itimer_set_locked(p, v ? now + v : 0, v ? timeval_ns(&new->interval) : 0);
	}
	spin_unlock(&tasklist_lock);
}

static bool timeval_valid(const struct user_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < USEC_PER_SEC;
}

long sys_setitimer(int which, const struct user_itimerval *unew, struct user_itimerval *uold)
{
	struct user_itimerval new, old;
	if (which != ITIMER_REAL)
		return -EINVAL;   /* ITIMER_VIRTUAL and ITIMER_PROF: not kept (docs/signals.md) */
	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	if (unew && (!timeval_valid(&new.value) || !timeval_valid(&new.interval)))
		return -EINVAL;
	itimer_swap(unew ? &new : NULL, &old);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_getitimer(int which, struct user_itimerval *uold)
{
	struct user_itimerval old;
	if (which != ITIMER_REAL)
		return -EINVAL;
	itimer_swap(NULL, &old);
	return copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}

/* alarm - seconds left of the previous alarm, rounded as Linux does. */
long sys_alarm(unsigned seconds)
{
	struct user_itimerval new = { { 0, 0 }, { seconds, 0 } }, old;
	itimer_swap(&new, &old);
	long left = old.value.tv_sec;
	if ((left == 0 && old.value.tv_usec) || old.value.tv_usec >= USEC_PER_SEC / 2)
		left++;
	return left;
}
