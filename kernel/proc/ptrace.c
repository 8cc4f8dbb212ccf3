/*
 * ptrace.c - the tracer's side of ptrace(2): attaching, the requests
 * that read and change a stopped tracee, resuming and detaching
 * (ptrace_stop.c holds the tracee's side, docs/debugging.md the story).
 *
 * Who may trace: TRACEME makes the parent the tracer; ATTACH and SEIZE
 * pass cred_may_ptrace_locked, the check /proc/PID/mem uses, and refuse
 * the caller's own thread group, kernel threads and tasks already traced.
 * Every other request needs a tracee of the caller's process (ESRCH
 * otherwise); all but KILL, INTERRUPT and LISTEN need it in a ptrace-stop
 * and off every CPU, so that its trap frame and saved FPU state are still.
 *
 * Memory goes through vm_access_remote with force, as /proc/PID/mem: a
 * breakpoint written into read-only text lands in a private copy of the
 * page made for the tracee alone, never in the file or another process.
 *
 * Locks: (T) tasklist_lock while a tracee is looked at; registers are
 * read and written under it (no sleeping), then copied to or from the
 * caller's memory after it is dropped.
 */
#include "proc/ptrace.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "proc/cred.h"
#include "proc/signal_impl.h"
#include "mm/remote.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "arch/regs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/ptrace.h>
#include <linux/elf.h>

struct iovec_user {
	uint64_t base, len;
};

/* ---- attaching ---- */

static long ptrace_traceme(void)
{
	struct task *t = current;
	long err = 0;
	spin_lock(&tasklist_lock);
	struct process *parent = t->proc->parent;
	if (t->ptrace.tracer || !parent || parent == t->proc)
		err = -EPERM;
	else
		ptrace_link_locked(t, parent, 0, false);
	spin_unlock(&tasklist_lock);
	return err;
}

/* Can the caller begin tracing t? 0, -ESRCH or -EPERM. (T) held. */
static int may_attach_locked(struct task *t)
{
	if (!t || t->exiting || t->proc->state != PROC_ALIVE)
		return -ESRCH;
	if (t->proc == current->proc || !t->mm || t->ptrace.tracer || t->proc->group_exiting)
		return -EPERM;
	return cred_may_ptrace_locked(t->proc) ? 0 : -EPERM;
}

static long ptrace_attach(long pid, bool seize, uint64_t addr, uint64_t options)
{
	if (seize && addr)
		return -EIO;
	if (seize && (options & ~(uint64_t)PTRACE_O_MASK))
		return -EINVAL;
	spin_lock(&tasklist_lock);
	struct task *t = task_find_locked((int)pid);
	int err = pid != (int)pid ? -ESRCH : may_attach_locked(t);
	if (!err) {
		ptrace_link_locked(t, current->proc, seize ? (unsigned)options : 0, seize);
		if (!seize) {   /* the classic attach: the tracee stops with SIGSTOP */
			struct ksiginfo info = { .signo = SIGSTOP, .code = SI_USER, .pid = current->proc->pid };
			send_signal_info_locked(t->proc, t, SIGSTOP, &info);
		}
	}
	spin_unlock(&tasklist_lock);
	return err;
}

/* ---- the tracee of a request ---- */

enum need { NEED_TRACED, NEED_STOPPED };

/* The caller's tracee pid, in the state the request needs, or NULL with
 * *err set. (T) held; a stopped tracee is also off every CPU. While it
 * is still leaving its CPU, T is dropped (a timer function there may
 * need it) and the tracee looked up again: found under T, it has not
 * passed its exit, so it is not freed while we look. */
static struct task *tracee_locked(long pid, enum need need, int *err)
{
	for (;;) {
		struct task *t = pid == (int)pid ? task_find_locked((int)pid) : NULL;
		*err = -ESRCH;
		if (!t || t->ptrace.tracer != current->proc)
			return NULL;
		if (need == NEED_STOPPED && (!t->ptrace.stopped || t->state != TASK_TRACED))
			return NULL;
		*err = 0;
		if (need != NEED_STOPPED || !sched_task_on_cpu(t))
			return t;
		spin_unlock(&tasklist_lock);
		arch_cpu_relax();
		spin_lock(&tasklist_lock);
	}
}

/* ---- memory ---- */

static long peek_poke_data(struct task *t, uint64_t addr, uint64_t *word, bool write)
{
	struct mm *mm = t->mm ? mm_get(t->mm) : NULL;
	spin_unlock(&tasklist_lock);
	if (!mm)
		return -EIO;
	long n = vm_access_remote(mm, addr, word, sizeof(*word), write, true);
	mm_put(mm);
	return n == sizeof(*word) ? 0 : -EIO;
}

/* ---- register sets ---- */

/* regset_check - Linux's ptrace_regset before it reads or writes one:
 * an unknown set or a length not in whole words is EINVAL; the extended
 * state (NT_X86_XSTATE) is ENODEV, as Linux on a CPU without XSAVE
 * (Aspen saves the FPU with fxsave and leaves CR4.OSXSAVE clear, so
 * CPUID tells programs there is no XSAVE; docs/debugging.md). */
static int regset_check(unsigned type, size_t len)
{
	if ((type != NT_PRSTATUS && type != NT_PRFPREG && type != NT_X86_XSTATE) || len % 8)
		return -EINVAL;
	return type == NT_X86_XSTATE ? -ENODEV : 0;
}

/* Copy the regset 'type' of t into buf (at most *len bytes); *len becomes
 * its size. (T) held. */
static int regset_get_locked(struct task *t, unsigned type, void *buf, size_t *len)
{
	union { struct user_regs_struct r; struct user_fpregs_struct f; } u;
	size_t size;
	if (type == NT_PRSTATUS) {
		arch_regs_get(t, &u.r);
		size = sizeof(u.r);
	} else if (type == NT_PRFPREG) {
		arch_fpregs_get(t, &u.f);
		size = sizeof(u.f);
	} else {
		return -EINVAL;
	}
	*len = MIN(*len, size);
	memcpy(buf, &u, *len);
	return 0;
}

/* Load regset 'type' of t from len bytes of buf (a short set changes
 * the first len bytes only, as Linux). (T) held. */
static int regset_set_locked(struct task *t, unsigned type, const void *buf, size_t *len)
{
	union { struct user_regs_struct r; struct user_fpregs_struct f; } u;
	size_t size = sizeof(u.r);
	if (type == NT_PRFPREG)
		size = sizeof(u.f);
	else if (type != NT_PRSTATUS)
		return -EINVAL;
	*len = MIN(*len, size);
	int err = regset_get_locked(t, type, &u, &size);
	if (err)
		return err;
	memcpy(&u, buf, *len);
	if (type == NT_PRSTATUS)
		return arch_regs_set(t, &u.r);
	arch_fpregs_set(t, &u.f);
	return 0;
}

/* GETREGS, GETFPREGS, GETREGSET; T held on entry, dropped. */
static long regs_out(struct task *t, unsigned type, uint64_t udata, bool iov)
{
	union { struct user_regs_struct r; struct user_fpregs_struct f; } u;
	struct iovec_user v = { udata, sizeof(u) };
	if (iov && copy_from_user(&v, (void *)udata, sizeof(v))) {
		spin_unlock(&tasklist_lock);
		return -EFAULT;
	}
	size_t len = v.len;
	int err = iov ? regset_check(type, len) : 0;
	if (!err)
		err = regset_get_locked(t, type, &u, &len);
	spin_unlock(&tasklist_lock);
	if (err)
		return err;
	if (copy_to_user((void *)v.base, &u, len))
		return -EFAULT;
	v.len = len;
	return iov && copy_to_user((void *)udata, &v, sizeof(v)) ? -EFAULT : 0;
}

/* SETREGS, SETFPREGS, SETREGSET: copy in first, then T to apply. */
static long regs_in(long pid, unsigned type, uint64_t udata, bool iov)
{
	union { struct user_regs_struct r; struct user_fpregs_struct f; } u;
	struct iovec_user v = { udata, type == NT_PRSTATUS ? sizeof(u.r) : sizeof(u.f) };
	if (iov && copy_from_user(&v, (void *)udata, sizeof(v)))
		return -EFAULT;
	int err = iov ? regset_check(type, v.len) : 0;
	if (err)
		return err;
	size_t len = MIN(v.len, sizeof(u));
	if (copy_from_user(&u, (void *)v.base, len))
		return -EFAULT;
	spin_lock(&tasklist_lock);
	struct task *t = tracee_locked(pid, NEED_STOPPED, &err);
	if (t)
		err = regset_set_locked(t, type, &u, &len);
	spin_unlock(&tasklist_lock);
	if (err)
		return err;
	v.len = len;
	return iov && copy_to_user((void *)udata, &v, sizeof(v)) ? -EFAULT : 0;
}

/* ---- siginfo ---- */

/* The kernel's siginfo from what a tracer wrote (SETSIGINFO). */
static void siginfo_from_user(const struct user_siginfo *u, struct ksiginfo *k)
{
	*k = (struct ksiginfo){ .signo = u->si_signo, .err = u->si_errno, .code = u->si_code };
	if (u->si_signo == SIGSYS && u->si_code == SYS_SECCOMP) {
		k->addr = u->sys.call_addr;
		k->value = (uint32_t)u->sys.syscall | (uint64_t)u->sys.arch << 32;
	} else if ((SIGBIT(u->si_signo) & SIG_SYNCHRONOUS) && u->si_code > 0) {
		k->addr = u->fault.addr;
	} else {
		k->pid = u->rt.pid;
		k->uid = u->rt.uid;
		k->value = u->rt.value;
	}
}

static long siginfo_request(long pid, bool set, uint64_t udata)
{
	struct user_siginfo u;
	if (set && copy_from_user(&u, (void *)udata, sizeof(u)))
		return -EFAULT;
	int err;
	spin_lock(&tasklist_lock);
	struct task *t = tracee_locked(pid, NEED_STOPPED, &err);
	if (t && set)
		siginfo_from_user(&u, &t->ptrace.siginfo);
	else if (t)
		siginfo_to_user(&t->ptrace.siginfo, &u);
	spin_unlock(&tasklist_lock);
	if (err || set)
		return err;
	return copy_to_user((void *)udata, &u, sizeof(u)) ? -EFAULT : 0;
}

/* PEEKSIGINFO: the tracee's pending signals from arg.off on, at most
 * arg.nr, its own (or its process's, PTRACE_PEEKSIGINFO_SHARED); how
 * many were copied. As Linux, each is looked up and copied out in turn
 * (the tracee is stopped: its queues change only by new signals), and a
 * fault after the first ends the copy without an error. */
static long peek_siginfo(long pid, uint64_t uargs, uint64_t udata)
{
	struct ptrace_peeksiginfo_args a;
	int err, i;
	spin_lock(&tasklist_lock);   /* as Linux, no tracee (ESRCH) comes before bad arguments */
	tracee_locked(pid, NEED_STOPPED, &err);
	spin_unlock(&tasklist_lock);
	if (err)
		return err;
	if (copy_from_user(&a, (void *)uargs, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~PTRACE_PEEKSIGINFO_SHARED) || a.nr < 0)
		return -EINVAL;
	for (i = 0; i < a.nr; i++) {
		struct ksiginfo k;
		spin_lock(&tasklist_lock);
		struct task *t = tracee_locked(pid, NEED_STOPPED, &err);
		bool found = false;
		if (t) {
			struct sigpending *q = a.flags ? &t->proc->shared_pending : &t->pending;
			spin_lock(&t->sighand->lock);
			found = sigpending_nth_locked(q, a.off + (uint64_t)i, &k);
			spin_unlock(&t->sighand->lock);
		}
		spin_unlock(&tasklist_lock);
		if (!found)
			break;
		struct user_siginfo u;
		siginfo_to_user(&k, &u);
		if (copy_to_user((void *)(udata + (uint64_t)i * sizeof(u)), &u, sizeof(u))) {
			err = -EFAULT;
			break;
		}
		if (signal_pending_current())
			break;
	}
	return i > 0 ? i : err;
}

/* ---- the signal mask ---- */

/* GETSIGMASK: the mask the tracee runs with, or the one it goes back to
 * after a sigsuspend or ppoll (Linux's saved_sigmask); size must be the
 * kernel's sigset_t. T held on entry, dropped. */
static long sigmask_out(struct task *t, uint64_t size, uint64_t udata)
{
	uint64_t mask = 0;
	if (size == sizeof(mask)) {
		spin_lock(&t->sighand->lock);
		mask = t->sig_restore_mask ? t->sig_saved_mask : t->sig_blocked;
		spin_unlock(&t->sighand->lock);
	}
	spin_unlock(&tasklist_lock);
	if (size != sizeof(mask))
		return -EINVAL;
	return copy_to_user((void *)udata, &mask, sizeof(mask)) ? -EFAULT : 0;
}

/* SETSIGMASK: the tracee's new mask (never SIGKILL or SIGSTOP); a saved
 * mask waiting to be restored is forgotten, as Linux. Errors in Linux's
 * order: ESRCH, then EINVAL, then EFAULT. */
static long sigmask_in(long pid, uint64_t size, uint64_t udata)
{
	uint64_t mask = 0;
	int fault = size == sizeof(mask) && copy_from_user(&mask, (void *)udata, sizeof(mask)) ? -EFAULT : 0;
	int err;
	spin_lock(&tasklist_lock);
	struct task *t = tracee_locked(pid, NEED_STOPPED, &err);
	if (t && size != sizeof(mask))
		err = -EINVAL;
	else if (t && fault)
		err = fault;
	if (t && !err) {
		spin_lock(&t->sighand->lock);
		t->sig_blocked = mask & ~SIG_UNBLOCKABLE;
		t->sig_restore_mask = false;
		spin_unlock(&t->sighand->lock);
		task_kick_signal_work(t);   /* a pending signal it unblocked is looked at */
	}
	spin_unlock(&tasklist_lock);
	return err;
}

/* ---- GET_SYSCALL_INFO ---- */

#define AUDIT_ARCH_X86_64 0xc000003eu   /* EM_X86_64 | 64-bit | little-endian (<linux/audit.h>) */

/* Fill info for t's stop; the size Linux reports for it: the common
 * part, or up to the last field of the entry or exit part at a
 * TRACESYSGOOD syscall stop (the only stops GET_SYSCALL_INFO tells from
 * a SIGTRAP, as on Linux). (T) */
static size_t syscall_info_locked(struct task *t, struct ptrace_syscall_info *info)
{
	struct user_regs_struct r;
	arch_regs_get(t, &r);
	*info = (struct ptrace_syscall_info){ .op = PTRACE_SYSCALL_INFO_NONE, .arch = AUDIT_ARCH_X86_64,
		.instruction_pointer = r.rip, .stack_pointer = r.rsp };
	bool syscall_stop = t->ptrace.siginfo.code == (SIGTRAP | PTRACE_SYSGOOD_BIT);
	if (syscall_stop && t->ptrace.message == PTRACE_EVENTMSG_SYSCALL_ENTRY) {
		info->op = PTRACE_SYSCALL_INFO_ENTRY;
		info->entry.nr = r.orig_rax;
		uint64_t args[6] = { r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9 };
		memcpy(info->entry.args, args, sizeof(args));
		return offsetof(struct ptrace_syscall_info, entry.args) + sizeof(args);
	}
	if (syscall_stop && t->ptrace.message == PTRACE_EVENTMSG_SYSCALL_EXIT) {
		info->op = PTRACE_SYSCALL_INFO_EXIT;
		info->exit.rval = (int64_t)r.rax;
		info->exit.is_error = IS_ERR_VALUE(r.rax);
		return offsetof(struct ptrace_syscall_info, exit.is_error) + sizeof(info->exit.is_error);
	}
	return offsetof(struct ptrace_syscall_info, entry);
}

/* GET_SYSCALL_INFO: at most size bytes of the info; its full size. T held
 * on entry, dropped. */
static long syscall_info_out(struct task *t, uint64_t size, uint64_t udata)
{
	struct ptrace_syscall_info info;
	size_t full = syscall_info_locked(t, &info);
	spin_unlock(&tasklist_lock);
	if (copy_to_user((void *)udata, &info, MIN(size, full)))
		return -EFAULT;
	return (long)full;
}

/* ---- resuming ---- */

/* CONT, SYSCALL, SINGLESTEP, SYSEMU(_SINGLESTEP): run on as asked,
 * passing signal sig on. (T) */
static long resume_locked(struct task *t, enum ptrace_resume how, uint64_t sig)
{
	if (sig > NSIG)
		return -EIO;
	t->ptrace.resume = how;
	t->ptrace.resume_sig = (int)sig;
	t->ptrace.report = 0;
	arch_single_step(t, how == PTRACE_RESUME_STEP || how == PTRACE_RESUME_SYSEMU_STEP);
	wake_traced_task(t);
	return 0;
}

static long detach_locked(struct task *t, uint64_t sig)
{
	if (sig > NSIG)
		return -EIO;
	ptrace_unlink_locked(t, (int)sig);
	return 0;
}

static long interrupt_locked(struct task *t, bool listen)
{
	if (!t->ptrace.seized)
		return -EIO;
	if (listen) {
		int ev = t->ptrace.code >> 8;
		if (!t->ptrace.stopped || ev != PTRACE_EVENT_STOP)
			return -EIO;
		t->ptrace.listening = true;
		t->ptrace.report = 0;
		return 0;
	}
	if (!t->ptrace.stopped) {
		t->ptrace.interrupt = true;
		task_kick_signal_work(t);
		wake_task(t, true);   /* out of an interruptible sleep; the call restarts */
	}
	return 0;
}

static long kill_locked(struct task *t)
{
	struct ksiginfo info = { .signo = SIGKILL, .code = SI_USER, .pid = current->proc->pid };
	send_signal_info_locked(t->proc, NULL, SIGKILL, &info);
	return 0;
}

/* ---- the system call ---- */

/* Requests on a tracee in a ptrace-stop. T held on entry, dropped. */
static long stopped_request(struct task *t, long req, uint64_t addr, uint64_t data)
{
	long err = 0;
	uint64_t word = 0;
	switch (req) {
	case PTRACE_PEEKTEXT: case PTRACE_PEEKDATA:
		err = peek_poke_data(t, addr, &word, false);
		return err ? err : copy_to_user((void *)data, &word, sizeof(word)) ? -EFAULT : 0;
	case PTRACE_POKETEXT: case PTRACE_POKEDATA:
		return peek_poke_data(t, addr, &data, true);
	case PTRACE_PEEKUSR:
		err = arch_user_area_read(t, addr, &word);
		spin_unlock(&tasklist_lock);
		return err ? err : copy_to_user((void *)data, &word, sizeof(word)) ? -EFAULT : 0;
	case PTRACE_POKEUSR:
		err = arch_user_area_write(t, addr, data);
		break;
	case PTRACE_GETREGS:
		return regs_out(t, NT_PRSTATUS, data, false);
	case PTRACE_GETFPREGS:
		return regs_out(t, NT_PRFPREG, data, false);
	case PTRACE_GETREGSET:
		return regs_out(t, (unsigned)addr, data, true);
	case PTRACE_GETEVENTMSG:
		word = t->ptrace.message;
		spin_unlock(&tasklist_lock);
		return copy_to_user((void *)data, &word, sizeof(word)) ? -EFAULT : 0;
	case PTRACE_SETOPTIONS:
		err = data & ~(uint64_t)PTRACE_O_MASK ? -EINVAL : 0;
		if (!err)
			t->ptrace.options = (unsigned)data;
		break;
	case PTRACE_CONT:
		err = resume_locked(t, PTRACE_RESUME_CONT, data);
		break;
	case PTRACE_SYSCALL:
		err = resume_locked(t, PTRACE_RESUME_SYSCALL, data);
		break;
	case PTRACE_SINGLESTEP:
		err = resume_locked(t, PTRACE_RESUME_STEP, data);
		break;
	case PTRACE_SYSEMU:
		err = resume_locked(t, PTRACE_RESUME_SYSEMU, data);
		break;
	case PTRACE_SYSEMU_SINGLESTEP:
		err = resume_locked(t, PTRACE_RESUME_SYSEMU_STEP, data);
		break;
	case PTRACE_GETSIGMASK:
		return sigmask_out(t, addr, data);
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info_out(t, addr, data);
	case PTRACE_DETACH:
		err = detach_locked(t, data);
		break;
	case PTRACE_LISTEN:
		err = interrupt_locked(t, true);
		break;
	default:
		err = -EIO;
	}
	spin_unlock(&tasklist_lock);
	return err;
}

/* ptrace - see ptrace(2). */
long sys_ptrace(long req, long pid, uint64_t addr, uint64_t data)
{
	switch (req) {
	case PTRACE_TRACEME:
		return ptrace_traceme();
	case PTRACE_ATTACH:
		return ptrace_attach(pid, false, 0, 0);
	case PTRACE_SEIZE:
		return ptrace_attach(pid, true, addr, data);
	case PTRACE_SETREGS:
		return regs_in(pid, NT_PRSTATUS, data, false);
	case PTRACE_SETFPREGS:
		return regs_in(pid, NT_PRFPREG, data, false);
	case PTRACE_SETREGSET:
		return regs_in(pid, (unsigned)addr, data, true);
	case PTRACE_GETSIGINFO:
	case PTRACE_SETSIGINFO:
		return siginfo_request(pid, req == PTRACE_SETSIGINFO, data);
	case PTRACE_PEEKSIGINFO:
		return peek_siginfo(pid, addr, data);
	case PTRACE_SETSIGMASK:
		return sigmask_in(pid, addr, data);
	}
	int err;
	spin_lock(&tasklist_lock);
	bool any_state = req == PTRACE_KILL || req == PTRACE_INTERRUPT;
	struct task *t = tracee_locked(pid, any_state ? NEED_TRACED : NEED_STOPPED, &err);
	if (!t) {
		spin_unlock(&tasklist_lock);
		return err;
	}
	if (!any_state)
		return stopped_request(t, req, addr, data);
	long ret = req == PTRACE_KILL ? kill_locked(t) : interrupt_locked(t, false);
	spin_unlock(&tasklist_lock);
	return ret;
}
