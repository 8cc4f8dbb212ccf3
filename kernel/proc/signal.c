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
#include "fs/poll.h"
#include <linux/resource.h>

/* ---- actions ---- */

struct sighand *sighand_alloc(void)
{
	struct sighand *sh = kzalloc(sizeof(*sh));
	if (!sh)
		return NULL;
	spin_init(&sh->lock, "sighand");
	wait_queue_init(&sh->signalfd_wq, "signalfd");
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
	if (__atomic_sub_fetch(&sh->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		epoll_queue_dying(&sh->signalfd_wq);   /* epoll watches of a signalfd */
		kfree(sh);
	}
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

/* The handler ignores sig (explicitly, or by default). (S) held. */
bool handler_ignores(struct sighand *sh, int sig)
{
	uint64_t h = action_of(sh, sig)->handler;
	return h == SIG_IGN || (h == SIG_DFL && (SIGBIT(sig) & SIG_DEFAULT_IGNORE));
}

/* The default action of sig terminates the process. */
bool default_kills(struct sighand *sh, int sig)
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

/* The pending instance of sig that a POSIX timer's signal (info)
 * merges into: the same timer's, still undelivered; NULL if none. */
static struct ksiginfo *pending_timer_signal(struct sigpending *q, int sig, const struct ksiginfo *info)
{
	if (!(q->set & SIGBIT(sig)))
		return NULL;
	if (sig < SIGRTMIN) {
		struct ksiginfo *k = &q->info[sig - 1];
		return k->code == SI_TIMER && k->pid == info->pid ? k : NULL;
	}
	for (int i = 0; i < q->rtq_len; i++)
		if (q->rtq[i].signo == sig && q->rtq[i].code == SI_TIMER && q->rtq[i].pid == info->pid)
			return &q->rtq[i];
	return NULL;
}

/* Add an instance of sig; false when a real-time queue is full. A POSIX
 * timer's expiry while its last signal is pending counts as an overrun
 * of that signal (time/posix_timer.c). */
static bool pending_add(struct sigpending *q, int sig, const struct ksiginfo *info)
{
	struct ksiginfo *timer_sig = info->code == SI_TIMER ? pending_timer_signal(q, sig, info) : NULL;
	if (timer_sig) {
		uint64_t overrun = (uint64_t)timer_sig->uid + 1 + info->uid;
		timer_sig->uid = (uint32_t)MIN(overrun, (uint64_t)INT32_MAX);
		return true;
	}
	if (sig >= SIGRTMIN) {
		if (q->rtq_len == SIGQUEUE_MAX)
			return false;
		q->rtq[q->rtq_len] = *info;
		q->rtq[q->rtq_len].seq = q->next_seq++;
		q->rtq[q->rtq_len++].signo = sig;
		q->set |= SIGBIT(sig);
		return true;
	}
	if (q->set & SIGBIT(sig))
		return true;   /* merged into the pending one */
	q->set |= SIGBIT(sig);
	q->info[sig - 1] = *info;
	q->info[sig - 1].signo = sig;
	q->info[sig - 1].seq = q->next_seq++;
	return true;
}

/* The pending instance of q that came first after seq 'after' (all of
 * them when first), or NULL. */
static const struct ksiginfo *pending_next_in_order(const struct sigpending *q, bool first, uint64_t after)
{
	const struct ksiginfo *best = NULL;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const struct ksiginfo *k = &q->info[sig - 1];
		if ((q->set & SIGBIT(sig)) && (first || k->seq > after) && (!best || k->seq < best->seq))
			best = k;
	}
	for (int i = 0; i < q->rtq_len; i++) {
		const struct ksiginfo *k = &q->rtq[i];
		if ((first || k->seq > after) && (!best || k->seq < best->seq))
			best = k;
	}
	return best;
}

bool sigpending_nth_locked(const struct sigpending *q, uint64_t n, struct ksiginfo *out)
{
	const struct ksiginfo *k = pending_next_in_order(q, true, 0);
	for (; k && n; n--)
		k = pending_next_in_order(q, false, k->seq);
	if (k)
		*out = *k;
	return k != NULL;
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
void pending_flush_locked(struct process *p, uint64_t mask)
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
int dequeue_signal_locked(struct task *t, uint64_t mask, struct ksiginfo *info)
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
	if (sig && info->code == SI_TIMER)
		posix_timer_signal_taken(t->proc, info);   /* its overrun, for timer_getoverrun */
	return sig;
}

/* ---- posting ---- */

/* A signal was queued for t, or for the group when t is NULL: those
 * threads must look before their next return to user mode. (T) held. */
static void kick_signal_work_locked(struct process *p, struct task *t)
{
	if (t) {
		task_kick_signal_work(t);
		return;
	}
	list_for_each_entry(t, &p->threads, thread_link)
		task_kick_signal_work(t);
}

void zap_threads_locked(struct process *p, struct task *except)
{
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link) {
		task_kick_signal_work(t);
		if (t == except)
			continue;
		wake_task(t, true);
		wake_stopped_task(t);
		wake_traced_task(t);   /* it takes no more ptrace stops (ptrace_stop.c) */
	}
}

void kill_group_locked(struct process *p, int sig, struct task *by)
{
	if (p->group_exiting && !p->exec_task) {   /* execve's de_thread yields to a kill */
		if (sig == SIGKILL) {   /* even the thread that began the exit stops no more */
			p->group_exit_task = NULL;
			zap_threads_locked(p, NULL);
		}
		return;
	}
	p->group_exiting = true;
	p->group_exit_code = signal_exit_status(sig);
	p->group_exit_task = sig == SIGKILL ? NULL : by;
	zap_threads_locked(p, p->group_exit_task);
}

/* Tell p's parent that p stopped or continued (why: CLD_*). (T) held, not S. */
void notify_parent_job_locked(struct process *p, int why, int sig)
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
		if (t->ptrace.listening)
			wake_traced_task(t);   /* PTRACE_LISTEN waits for this */
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
	return !handler_ignores(sh, sig) || (target->sig_blocked & SIGBIT(sig)) ||
	       target->ptrace.tracer;   /* a tracer sees even ignored signals */
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

/* Pick the thread, kill the group for a fatal signal, wake the thread.
 * A thread's own signal (t given) waits for t while t blocks it, as
 * Linux's complete_signal: only t can take it, and t may still change
 * its action before it unblocks. Handing it on to another thread once
 * let that thread's default action kill the group (and bypass a tracer's
 * stop of t). (T, S) */
static void complete_signal_locked(struct process *p, struct task *t, int sig)
{
	if (t && (t->sig_blocked & SIGBIT(sig)) && !(t->sig_waitset & SIGBIT(sig)))
		return;   /* stays pending until t unblocks it */
	if (!t)
		t = wants_signal_locked(p, sig);
	if (!t)
		return;   /* stays pending until a thread unblocks it */
	/* A fatal signal ends the group at once, unless it dumps core: the
	 * thread that takes it writes the core first (proc/coredump.c); nor
	 * a tracee's, which waits for its signal-delivery stop. */
	if (sig == SIGKILL || (default_kills(t->sighand, sig) && !sig_dumps_core(sig) &&
			       !(t->sig_waitset & SIGBIT(sig)) && !t->ptrace.tracer)) {
		kill_group_locked(p, sig, NULL);   /* as Linux's fast path: all die at once */
		return;
	}
	wake_task(t, true);
}

/* Signal instances in one pending set: a standard signal once, each
 * queued real-time one. (S) held. */
static uint64_t set_count(const struct sigpending *q)
{
	uint64_t n = (uint64_t)q->rtq_len;
	for (uint64_t std = q->set & (SIGBIT(SIGRTMIN) - 1); std; std &= std - 1)
		n++;
	return n;
}

/* Signal instances queued for p and its threads. (S) held. */
static uint64_t pending_count_locked(struct process *p)
{
	uint64_t n = set_count(&p->shared_pending);
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link)
		n += set_count(&t->pending);
	return n;
}

/* Signal instances queued for the live processes whose threads run
 * under real uid uid, as Linux counts them per user. Other processes'
 * sets are read without their lock: a snapshot, as good as any moment's.
 * (T) held. */
static uint64_t user_pending_count_locked(uint32_t uid)
{
	uint64_t n = 0;
	struct process *q;
	list_for_each_entry(q, &all_processes, all_link) {
		struct task *t = any_thread_locked(q);
		if (t && t->real_cred->uid == uid)
			n += pending_count_locked(q);
	}
	return n;
}

/* RLIMIT_SIGPENDING: a real-time signal that carries data (sigqueue,
 * not kill) is refused with EAGAIN once the signals queued for the
 * target's real uid reach the target's limit (Linux's per-user count).
 * (T, S) held. */
static bool sigpending_full_locked(struct process *p, struct task *target, int sig,
				   const struct ksiginfo *info)
{
	if (sig < SIGRTMIN || info->code == SI_USER)
		return false;
	return user_pending_count_locked(target->real_cred->uid) >=
	       __atomic_load_n(&p->rlim[RLIMIT_SIGPENDING].cur, __ATOMIC_RELAXED);
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
		if (sigpending_full_locked(p, any, sig, info))
			err = -EAGAIN;
		else if (pending_add(t ? &t->pending : &p->shared_pending, sig, info)) {
			kick_signal_work_locked(p, t);
			complete_signal_locked(p, t, sig);
			wake_up(&sh->signalfd_wq);
		} else
			err = -EAGAIN;   /* the real-time queue is full (SIGQUEUE_MAX) */
	}
	spin_unlock(&sh->lock);
	if (continued)
		notify_parent_job_locked(p, CLD_CONTINUED, SIGCONT);
	return err;
}

struct ksiginfo user_info(int sig, int code)
{
	struct process *self = current->proc;
	return (struct ksiginfo){ .signo = sig, .code = code, .pid = self->pid,
				  .uid = current->real_cred->uid };
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
	return task_signal_pending(current);
}

bool signal_blocked_or_ignored(int sig)
{
	struct task *t = current;
	spin_lock(&t->sighand->lock);
	bool r = (t->sig_blocked & SIGBIT(sig)) || action_of(t->sighand, sig)->handler == SIG_IGN;
	spin_unlock(&t->sighand->lock);
	return r;
}
