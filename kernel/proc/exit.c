/*
 * exit.c - exit, exit_group, the zombie state, re-parenting to init,
 * and wait4/waitid.
 *
 * A process ends when its last thread does. It then keeps only its
 * struct process (pid, exit status, counters) as a zombie until its
 * parent collects it with wait; its children go to init, which reaps
 * them. Everything else (memory, files) is released at once.
 */
#include "proc/task.h"
#include "mm/vmcheck.h"
#include "mm/fail_alloc.h"
#include "mm/kmalloc_debug.h"
#include "proc/exit.h"
#include "proc/cred.h"
#include "proc/sched.h"
#include "proc/futex.h"
#include "proc/pidfd.h"
#include "proc/coredump.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/trace.h"
#include "fs/fdtable.h"
#include "sys/syscall.h"
#include "ipc/ipc.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/ptrace.h>

#define WNOHANG 0x1
#define WUNTRACED 0x2
#define WEXITED 0x4
#define WCONTINUED 0x8
#define WNOWAIT 0x01000000
#define WAIT_KNOWN_OPTIONS (WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | 0xe0000000)
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3


/* Give the task's shared resources back. Runs in the task itself. */
static void release_resources(struct task *t)
{
	if (t->mm) {
		struct mm *mm = t->mm;
		mm_switch(mm, NULL);
		spin_lock(&tasklist_lock);   /* readers take mm_get under it */
		t->mm = NULL;
		spin_unlock(&tasklist_lock);
		mm_put(mm);
	}
	/* Others (/proc, pidfd_getfd) take references on files and fs
	 * under tasklist_lock: unhook them under it before letting go. */
	struct fdtable *files = t->files;
	struct fs_context *fs = t->fs;
	spin_lock(&tasklist_lock);
	t->files = NULL;
	t->fs = NULL;
	spin_unlock(&tasklist_lock);
	if (files)
		fdtable_put(files);
	if (fs)
		fs_context_put(fs);
}

/* ---- orphaned process groups ----
 * A group is orphaned when no member has a parent in the same session
 * but another group: no shell is left to resume it. POSIX (and Linux)
 * send SIGHUP then SIGCONT to a group that becomes orphaned with a
 * stopped member, so that it does not stay stopped for ever. */

/* Is pgid orphaned, not counting member ignore (about to leave)? (T) */
static bool pgrp_orphaned_locked(int pgid, const struct process *ignore)
{
	struct process *q;
	list_for_each_entry(q, &all_processes, all_link) {
		if (q == ignore || q->pgid != pgid || q->state != PROC_ALIVE)
			continue;
		struct process *parent = q->parent;
		if (parent && parent != q && parent->pgid != pgid && parent->sid == q->sid)
			return false;
	}
	return true;
}

static bool pgrp_has_stopped_locked(int pgid)
{
	struct process *q;
	list_for_each_entry(q, &all_processes, all_link)
		if (q->pgid == pgid && q->state == PROC_ALIVE && q->job_state != JOB_RUNNING)
			return true;
	return false;
}

static void signal_pgrp_locked(int pgid, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	struct process *q;
	list_for_each_entry(q, &all_processes, all_link)
		if (q->pgid == pgid && q->state == PROC_ALIVE)
			send_signal_info_locked(q, NULL, sig, &info);
}

/* member's group may be orphaned by losing parent as its link outside
 * (ignore: a member that is leaving). (T) */
static void hangup_if_orphaned_locked(struct process *member, struct process *parent,
				      const struct process *ignore)
{
	int pgid = member->pgid;
	if (parent == member || parent->pgid == pgid || parent->sid != member->sid)
		return;
	if (!pgrp_orphaned_locked(pgid, ignore) || !pgrp_has_stopped_locked(pgid))
		return;
	signal_pgrp_locked(pgid, SIGHUP);
	signal_pgrp_locked(pgid, SIGCONT);
}

/* ---- parents' deaths: subreapers and PR_SET_PDEATHSIG ---- */

/* A thread of p not yet on its way out, or NULL. (T) */
static struct task *live_thread_locked(struct process *p)
{
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link)
		if (!t->exiting)
			return t;
	return NULL;
}

/* c's parent thread died (the caller): each of c's threads' parent-death
 * signal goes to c, from the caller, as Linux's SEND_SIG_NOINFO. (T) */
static void send_pdeath_signals_locked(struct process *c)
{
	struct task *t;
	if (c->state != PROC_ALIVE)
		return;
	list_for_each_entry(t, &c->threads, thread_link)
		if (t->pdeath_signal) {
			struct ksiginfo info = { .signo = t->pdeath_signal, .code = SI_USER,
						 .pid = current->proc->pid, .uid = current->real_cred->uid };
			send_signal_info_locked(c, NULL, t->pdeath_signal, &info);
		}
}

/* Thread t of p is leaving while others stay: the children it made pass
 * to another of p's threads, and hear of it. t is off p->threads. (T) */
static void children_pass_to_thread_locked(struct process *p, struct task *t)
{
	struct task *heir = live_thread_locked(p);
	if (!heir)
		heir = list_first_entry(&p->threads, struct task, thread_link);
	struct process *c;
	list_for_each_entry(c, &p->children, sibling)
		if (c->parent_tid == t->tid) {
			c->parent_tid = heir->tid;
			send_pdeath_signals_locked(c);
		}
}

/* Who adopts p's children: the nearest ancestor that is a subreaper
 * with a live thread (PR_SET_CHILD_SUBREAPER), else init. (T) */
static struct process *find_reaper_locked(struct process *p)
{
	for (struct process *a = p->parent; a && a != init_process && a != a->parent; a = a->parent)
		if (a->child_subreaper && a->state == PROC_ALIVE && live_thread_locked(a))
			return a;
	return init_process;
}

/* Move p's children to their reaper; wake it if one is already a zombie
 * (a subreaper also gets its SIGCHLD, as Linux's reparent_leader). A
 * child's group that loses its last link in the session is hung up. As
 * Linux, an adopted child signals SIGCHLD at its death whatever its
 * exit signal was: init waits without __WALL, and must reap it. (T) */
static void reparent_children_locked(struct process *p)
{
	struct process *c, *n, *reaper = find_reaper_locked(p);
	struct task *rt = live_thread_locked(reaper);
	bool zombie = false;
	list_for_each_entry_safe(c, n, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = reaper;
		c->parent_tid = rt ? rt->tid : reaper->pid;
		c->exit_signal = SIGCHLD;
		list_add_tail(&c->sibling, &reaper->children);
		zombie |= c->state == PROC_ZOMBIE;
		if (c->state == PROC_ZOMBIE && reaper != init_process)
			signal_process_exit_locked(c);
		send_pdeath_signals_locked(c);
		if (c->state == PROC_ALIVE)
			hangup_if_orphaned_locked(c, p, NULL);
	}
	if (zombie)
		wake_up(&reaper->child_exit);
}

__noreturn static void init_died(int status)
{
	if (vmcheck_mode)
		vmcheck_report();
	fail_alloc_report();
	if (DEBUG_KERNEL)
		kmalloc_debug_report();
	printk(LOG_ERR, "[aspen] init exited with status %d\n",
	       (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff);
	arch_poweroff(0);
}

/* A child is collected: its CPU time, and its own children's, go to
 * its parent's children's time (times(2), getrusage(RUSAGE_CHILDREN)). (T) */
static void charge_child_times_locked(struct process *c)
{
	struct process *parent = c->parent;
	cpu_times_add(&parent->child_times, &c->times);
	cpu_times_add(&parent->child_times, &c->child_times);
}

/* Does p's parent refuse zombies, by ignoring SIGCHLD or with
 * SA_NOCLDWAIT? Then Linux releases the child at once. (T) held. */
static bool parent_reaps_automatically_locked(struct process *p)
{
	struct process *parent = p->parent;
	if (!parent || parent == p || p->exit_signal != SIGCHLD || list_empty(&parent->threads))
		return false;
	struct sighand *sh = list_first_entry(&parent->threads, struct task, thread_link)->sighand;
	if (!sh)
		return false;
	spin_lock(&sh->lock);
	struct k_sigaction *a = &sh->action[SIGCHLD - 1];
	bool refuses = a->handler == SIG_IGN || (a->flags & SA_NOCLDWAIT);
	spin_unlock(&sh->lock);
	return refuses;
}

/* Release p without a zombie: out of the tree and the pid table. The
 * struct goes with the exiting task (task_free). (T) held. */
static void reap_now_locked(struct process *p)
{
	charge_child_times_locked(p);
	list_del(&p->sibling);
	list_init(&p->sibling);
	proc_unregister_locked(p);
	pid_free_locked(p->pid);
	p->state = PROC_REAPED;
	current->frees_proc = true;
}

/* The last thread left: p becomes a zombie and its parent hears of it. (T) */
static void process_become_zombie_locked(struct process *p, int status)
{
	p->exit_code = p->group_exiting ? p->group_exit_code : status;
	if (p == init_process)
		init_died(p->exit_code);
	reparent_children_locked(p);
	ptrace_tracer_exit_locked(p);   /* its tracees go free (or die: PTRACE_O_EXITKILL) */
	hangup_if_orphaned_locked(p, p->parent, p);   /* p was its group's link outside? */
	p->state = PROC_ZOMBIE;
	p->leader = NULL;
	signal_process_exit_locked(p);
	pidfd_exited_locked(p);
	if (parent_reaps_automatically_locked(p))
		reap_now_locked(p);
	wake_up(&p->parent->child_exit);
}

void do_exit_thread(int status, bool group)
{
	struct task *t = current;
	struct process *p = t->proc;
	if (ptrace_is_traced(t))
		ptrace_event(PTRACE_EVENT_EXIT, PTRACE_O_TRACEEXIT,
			     (uint64_t)(p->group_exiting ? p->group_exit_code : status));
	coredump_thread_exit(t);   /* a dump of its group sees it stopped here */
	task_exit_begin(t);
	if (__atomic_sub_fetch(&p->threads_live, 1, __ATOMIC_ACQ_REL) == 0)
		proc_timers_exit(p);   /* the last thread: no timer may fire on a zombie */
	if (group) {
		spin_lock(&tasklist_lock);
		if (!p->group_exiting) {
			p->group_exiting = true;
			p->group_exit_code = status;
			p->group_exit_task = t;
			zap_threads_locked(p, t);   /* even one in a ptrace stop, as Linux */
		}
		spin_unlock(&tasklist_lock);
	}
	futex_exit_release(t);   /* robust futexes, CLONE_CHILD_CLEARTID (pthread_join) */
	exit_sem(t);             /* SEM_UNDO adjustments, with the last sharer */
	trace_exit(t, group ? p->group_exit_code : status);
	release_resources(t);
	if (t->vfork_done) {
		complete(t->vfork_done);
		t->vfork_done = NULL;
	}
	spin_lock(&tasklist_lock);
	list_del(&t->thread_link);
	sched_account_current();
	cpu_times_add(&p->times, &t->times);
	if (p->leader == t)
		p->leader = NULL;
	if (t->tid != p->pid)
		pid_free_locked(t->tid);
	else
		pid_register_locked(t->tid, (struct task *)1);   /* reserved for the zombie */
	ptrace_task_exit_locked(t, p->group_exiting ? p->group_exit_code : status, p->nthreads == 1);
	if (p->nthreads > 1)
		children_pass_to_thread_locked(p, t);
	if (--p->nthreads == 0)
		process_become_zombie_locked(p, status);
	else if (p->nthreads == 1 && p->exec_task)
		wake_task(p->exec_task, false);   /* execve's de_thread waits for this */
	if (t->sighand) {
		sighand_put(t->sighand);
		t->sighand = NULL;
	}
	set_current_state(TASK_DEAD);
	spin_unlock(&tasklist_lock);
	schedule();
	panic("do_exit_thread: a dead task ran again");
}

long sys_exit(int code)
{
	do_exit_thread(W_EXITCODE(code), false);
}

long sys_exit_group(int code)
{
	do_exit_thread(W_EXITCODE(code), true);
}

/* ---- wait ---- */

struct wait_query {
	int idtype, id, options;
	struct pidfd_ref *pidfd; /* P_PIDFD: the process its pidfd names */
	struct process *found;  /* the zombie collected, or the child stopped/continued */
	int pid;                /* a tracee's report (found NULL): its tid */
	int status;
	int code;               /* CLD_STOPPED / CLD_CONTINUED for a live child; else 0 */
	struct cpu_times times; /* the collected child's CPU time */
};

#define __WCLONE 0x80000000
#define __WALL 0x40000000

/* Does a tracee (tid, in process group pgid) match the query? As
 * Linux, a tracee is seen whatever its exit signal and __W* flags. */
static bool tracee_matches(int tid, int pgid, const void *arg)
{
	const struct wait_query *q = arg;
	switch (q->idtype) {
	case P_PID: return tid == q->id;
	case P_PGID: return pgid == q->id;
	default: return true;
	}
}

static bool child_matches(const struct wait_query *q, const struct process *c)
{
	/* As Linux: a child with another exit signal than SIGCHLD (a "clone"
	 * child) is seen only with __WCLONE, or __WALL which sees both. */
	bool clone_child = c->exit_signal != SIGCHLD;
	if (!((unsigned)q->options & __WALL) && clone_child != !!((unsigned)q->options & __WCLONE))
		return false;
	switch (q->idtype) {
	case P_PID: return c->pid == q->id;
	case P_PGID: return c->pgid == q->id;
	case P_PIDFD: return c->pidfd && c->pidfd == q->pidfd;
	default: return true;
	}
}

/* Look through the caller's children: 1 = a zombie was found (and
 * unless WNOWAIT, unlinked), 0 = matching children but none done,
 * -ECHILD = no matching child. */
static int scan_children(struct wait_query *q)
{
	struct process *self = current->proc, *c;
	spin_lock(&tasklist_lock);
	int ret = ptrace_wait_locked(self, tracee_matches, q, q->options, &q->pid, &q->status, &q->code);
	if (ret == 1) {
		spin_unlock(&tasklist_lock);
		return 1;
	}
	list_for_each_entry(c, &self->children, sibling) {
		if (!child_matches(q, c))
			continue;
		ret = 0;
		if (c->state != PROC_ZOMBIE) {
			if (!signal_job_report_locked(c, q->options, &q->status, &q->code))
				continue;
			q->found = c;
			ret = 1;
			break;
		}
		if (!(q->options & WEXITED))
			continue;
		q->found = c;
		q->status = c->exit_code;
		q->times = c->times;
		if (!(q->options & WNOWAIT)) {
			charge_child_times_locked(c);
			list_del(&c->sibling);
			proc_unregister_locked(c);
			pid_free_locked(c->pid);
		}
		ret = 1;
		break;
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

/* do_wait - wait for a child matching the query; returns its pid, 0
 * (WNOHANG, none done), -ECHILD or -EINTR. */
static long do_wait(struct wait_query *q)
{
	int r;
	int err = wait_event_interruptible(current->proc->child_exit,
					   (r = scan_children(q)) != 0 || (q->options & WNOHANG));
	if (r < 0)
		return r;
	if (r == 0)
		return err ? err : 0;
	if (!q->found)
		return q->pid;   /* a tracee's stop or exit */
	long pid = q->found->pid;
	if (!(q->options & WNOWAIT) && !q->code)
		process_free(q->found);
	return pid;
}

long sys_wait4(int pid, int *ustatus, int options, void *urusage)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0xe0000000))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;   /* its group would be -INT_MIN, as Linux */
	options |= WEXITED;
	struct wait_query q = { .idtype = P_ALL, .options = options };
	if (pid > 0) {
		q.idtype = P_PID;
		q.id = pid;
	} else if (pid == 0) {
		q.idtype = P_PGID;
		q.id = current->proc->pgid;
	} else if (pid < -1) {
		q.idtype = P_PGID;
		q.id = -pid;
	}
	long ret = do_wait(&q);
	if (ret > 0 && ustatus && copy_to_user(ustatus, &q.status, sizeof(int)))
		return -EFAULT;
	if (ret > 0 && urusage && put_rusage(urusage, &q.times, 0, 0))
		return -EFAULT;
	if (ret == 0 && urusage && clear_user(urusage, 144))
		return -EFAULT;
	return ret;
}

/* The part of siginfo_t that waitid fills (128 bytes in all). */
struct wait_siginfo {
	int32_t si_signo, si_errno, si_code, pad;
	int32_t si_pid;
	uint32_t si_uid;
	int32_t si_status;
	uint8_t rest[128 - 28];
};

/* waitid(P_PIDFD): the pidfd's process (held by the file while the wait
 * lasts); a PIDFD_NONBLOCK pidfd makes the wait WNOHANG, and finding
 * the child still running is then EAGAIN, as Linux. */
static long wait_pidfd(struct wait_query *q, struct file **held)
{
	if (q->id < 0)
		return -EINVAL;
	struct file *f = fd_get(current->files, q->id);
	if (!f)
		return -EBADF;
	q->pidfd = pidfd_ref_of(f);
	if (!q->pidfd) {
		file_put(f);
		return -EBADF;
	}
	*held = f;
	bool nonblock = file_flags(f) & O_NONBLOCK;
	int options = q->options;
	if (nonblock)
		q->options |= WNOHANG;
	long ret = do_wait(q);
	return ret == 0 && nonblock && !(options & WNOHANG) ? -EAGAIN : ret;
}

long sys_waitid(int idtype, int id, void *uinfo, int options, void *urusage)
{
	if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID && idtype != P_PIDFD)
		return -EINVAL;
	if (!(options & (WEXITED | WUNTRACED | WCONTINUED)) || (options & ~WAIT_KNOWN_OPTIONS))
		return -EINVAL;
	if (idtype == P_PGID && id == 0)
		id = current->proc->pgid;
	struct wait_query q = { .idtype = idtype, .id = id, .options = options };
	struct file *held = NULL;
	long ret = idtype == P_PIDFD ? wait_pidfd(&q, &held) : do_wait(&q);
	if (held)
		file_put(held);
	if (ret < 0)
		return ret;
	struct wait_siginfo si;
	memset(&si, 0, sizeof(si));
	if (ret > 0) {
		si.si_signo = SIGCHLD;
		si.si_pid = (int32_t)ret;
		si.si_code = signal_child_code(q.status);
		si.si_status = (q.status & 0x7f) ? (q.status & 0x7f) : (q.status >> 8) & 0xff;
		if (q.code) {
			si.si_code = q.code;
			si.si_status = q.code == CLD_STOPPED ? (q.status >> 8) & 0xff :
				       q.code == CLD_TRAPPED ? (q.status >> 8) & 0xffff : SIGCONT;
		}
	}
	if (uinfo && copy_to_user(uinfo, &si, sizeof(si)))
		return -EFAULT;
	if (urusage && put_rusage(urusage, &q.times, 0, 0))
		return -EFAULT;
	return 0;
}
