/*
 * sys_signal.c - the signal system calls: actions, masks, pending sets,
 * waiting for signals, sigreturn, the alternate stack, sending (kill,
 * tgkill, rt_sigqueueinfo) and restart_syscall.
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
#include "proc/signal_impl.h"
#include "proc/cred.h"
#include "proc/pidfd.h"
#include "fs/fdtable.h"

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

/* Send sig to process p (thread t of it, if not NULL) after Linux's
 * check_kill_permission: 0, -EPERM, or what posting says. A zombie can
 * still be signalled, to no effect. (T) held. */
static int kill_one_locked(struct process *p, struct task *t, int sig, const struct ksiginfo *info)
{
	if (p != current->proc && !cred_may_signal_locked(p, t, sig))
		return -EPERM;
	if (!sig || p->state != PROC_ALIVE)
		return 0;
	return send_signal_info_locked(p, t, sig, info);
}

/* kill(-1): everyone but init and the caller; refusals do not count.
 * kill(0 or -pgid): the group; EPERM only if no member took it. (T) */
static long kill_many_locked(int pid, int sig, const struct ksiginfo *info)
{
	struct process *self = current->proc, *p;
	int pgid = pid == 0 ? self->pgid : -pid;
	long found = 0, err = 0;
	bool sent = false;
	list_for_each_entry(p, &all_processes, all_link) {
		if (pid == -1 ? (p->pid == 1 || p == self) : p->pgid != pgid)
			continue;
		found++;
		int e = kill_one_locked(p, NULL, sig, info);
		sent |= !e;
		if (pid != -1 || e != -EPERM)
			err = e;
	}
	if (!found)
		return -ESRCH;
	if (pid == -1)
		return err;
	return sent ? 0 : err;
}

long sys_kill(int pid, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct ksiginfo info = user_info(sig, SI_USER);
	long err;
	spin_lock(&tasklist_lock);
	if (pid > 0) {
		struct process *p = process_find_locked(pid);
		err = p ? kill_one_locked(p, NULL, sig, &info) : -ESRCH;
	} else {
		err = kill_many_locked(pid, sig, &info);
	}
	spin_unlock(&tasklist_lock);
	return err;
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
	long err = t ? kill_one_locked(t->proc, t, sig, &info) : -ESRCH;
	spin_unlock(&tasklist_lock);
	return err;
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

/* The kernel's form of a siginfo a caller supplies for sig. */
static struct ksiginfo info_of_user(const struct user_siginfo *u, int sig)
{
	return (struct ksiginfo){ .signo = sig, .code = u->si_code, .pid = u->rt.pid,
				  .uid = u->rt.uid, .value = u->rt.value };
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
	*out = info_of_user(&u, sig);
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
	err = p ? kill_one_locked(p, NULL, sig, &info) : -ESRCH;
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
	err = t ? kill_one_locked(t->proc, t, sig, &info) : -ESRCH;
	spin_unlock(&tasklist_lock);
	return err;
}

#define PIDFD_SIGNAL_THREAD (1U << 0)
#define PIDFD_SIGNAL_THREAD_GROUP (1U << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP (1U << 2)

/* Send to the process a pidfd names, by scope: the process, its
 * leader thread, or its process group. (T) held. */
static long pidfd_kill_locked(struct process *p, unsigned scope, int sig, const struct ksiginfo *info)
{
	if (scope == PIDFD_SIGNAL_PROCESS_GROUP)
		return kill_many_locked(-p->pgid, sig, info);
	struct task *t = scope == PIDFD_SIGNAL_THREAD ? p->leader : NULL;
	if (scope == PIDFD_SIGNAL_THREAD && !t)
		return -ESRCH;
	return kill_one_locked(p, t, sig, info);
}

/* pidfd_send_signal(2): kill(2) through a pidfd, in Linux's order of
 * checks: flags (at most one scope), the descriptor (EBADF, also for a
 * file that is no pidfd), the siginfo (EFAULT; its signo must be sig;
 * only the caller may be sent a code of the kernel's: EPERM), the
 * process (ESRCH once reaped), then the signal and the permission. */
long sys_pidfd_send_signal(int pidfd, int sig, const struct user_siginfo *uinfo, unsigned flags)
{
	unsigned scopes = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
	if ((flags & ~scopes) || (flags & (flags - 1)))
		return -EINVAL;
	struct file *f = fd_get(current->files, pidfd);
	if (!f)
		return -EBADF;
	struct user_siginfo u;
	long err = pidfd_ref_of(f) ? 0 : -EBADF;
	if (!err && uinfo && copy_from_user(&u, uinfo, sizeof(u)))
		err = -EFAULT;
	if (!err && uinfo && u.si_signo != sig)
		err = -EINVAL;
	struct ksiginfo info = uinfo && !err ? info_of_user(&u, sig) : user_info(sig, SI_USER);
	if (!err) {
		bool ok;
		spin_lock(&tasklist_lock);
		struct process *p = pidfd_process_locked(f, &ok);
		if (!p)
			err = -ESRCH;
		else if (uinfo && (u.si_code >= 0 || u.si_code == SI_TKILL) && p != current->proc)
			err = -EPERM;
		else if (sig < 0 || sig > NSIG)
			err = -EINVAL;
		else
			err = pidfd_kill_locked(p, flags, sig, &info);
		spin_unlock(&tasklist_lock);
	}
	file_put(f);
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
