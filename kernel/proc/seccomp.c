/*
 * seccomp.c - system call filtering, as Linux's kernel/seccomp.c: the
 * modes, installing filters (with TSYNC), and what a filter's verdict
 * does to the call. The programs themselves: seccomp_bpf.c.
 *
 * A task's mode and filter chain (task->seccomp_mode, ->seccomp_filter)
 * are written under tasklist_lock (T), by the task itself or by a
 * thread of its process synchronising them (TSYNC), and read by the
 * task itself without it: TSYNC only replaces a chain by a longer one
 * that contains it, so the old chain stays alive while the task runs it.
 * task->seccomp_on sends every call of the task through the slow path
 * (entry.S tests it with `traced`), where syscall_handler calls
 * seccomp_syscall_entry after ptrace's entry stop, as Linux does.
 */
#include "proc/seccomp.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "proc/exit.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include <asm/unistd_64.h>
#include <linux/capability.h>
#include <linux/ptrace.h>

#define MAX_ERRNO 4095
#define FILTER_FLAGS (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
		      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH | \
		      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

static void filter_get(struct seccomp_filter *f)
{
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

/* Drop a reference to f; the last one frees f and drops its on prev. */
static void filter_put(struct seccomp_filter *f)
{
	while (f && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		struct seccomp_filter *prev = f->prev;
		kfree(f);
		f = prev;
	}
}

int seccomp_mode_of(const struct task *t)
{
	return __atomic_load_n(&t->seccomp_mode, __ATOMIC_ACQUIRE);
}

int seccomp_filters_of(const struct task *t)
{
	int n = 0;
	for (const struct seccomp_filter *f = __atomic_load_n(&t->seccomp_filter, __ATOMIC_ACQUIRE); f; f = f->prev)
		n++;
	return n;
}

void seccomp_clone_locked(struct task *c)
{
	struct task *cur = current;
	c->seccomp_filter = cur->seccomp_filter;
	filter_get(c->seccomp_filter);
	c->seccomp_mode = cur->seccomp_mode;
	c->seccomp_on = cur->seccomp_on;
}

void seccomp_release(struct task *t)
{
	filter_put(t->seccomp_filter);
	t->seccomp_filter = NULL;
}

/* ---- what a verdict does ---- */

/* The rank of a verdict: lower is more restrictive (Linux's ACTION_ONLY,
 * a signed comparison: KILL_PROCESS, with the top bit, is lowest). */
static int32_t action_rank(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

/* Run every filter of the chain f on d: the most restrictive verdict
 * (on a tie, the most recent filter's), and the filter that gave it. */
static uint32_t run_filters(const struct seccomp_filter *f, const struct seccomp_data *d,
			    const struct seccomp_filter **match)
{
	uint32_t ret = SECCOMP_RET_ALLOW;
	*match = NULL;
	for (; f; f = f->prev) {
		uint32_t cur = seccomp_bpf_run(f->insns, f->len, d);
		if (action_rank(cur) < action_rank(ret)) {
			ret = cur;
			*match = f;
		}
	}
	return ret;
}

static void log_action(const struct seccomp_data *d, uint32_t ret)
{
	struct task *t = current;
	pr_info("seccomp: %s[%d]: syscall %d ip %lx verdict %#x\n", t->proc->comm, t->tid, d->nr,
		(unsigned long)d->instruction_pointer, ret);
}

/* Raise SIGSYS (si_code SYS_SECCOMP) for the call d describes: a TRAP
 * verdict's, which a handler may take, or a kill's (to_default: the
 * group dies of it, with a core dump where allowed). */
static void raise_sigsys(const struct seccomp_data *d, uint32_t data, bool to_default)
{
	struct ksiginfo info = { .signo = SIGSYS, .code = SYS_SECCOMP, .err = (int)data,
				 .addr = d->instruction_pointer,
				 .value = (uint32_t)d->nr | (uint64_t)d->arch << 32 };
	signal_force(&info, to_default);
}

/* A kill verdict: the thread alone when others are left (KILL_THREAD),
 * else the whole process by SIGSYS, as Linux. The call does not run. */
static void kill_for(struct trapframe *tf, const struct seccomp_data *d, uint32_t ret)
{
	struct task *t = current;
	log_action(d, ret);
	/* whatever the tracer does with the signal, no call runs again */
	__atomic_store_n(&t->seccomp_mode, SECCOMP_MODE_DEAD, __ATOMIC_RELEASE);
	bool thread_only = (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_THREAD &&
			   __atomic_load_n(&t->proc->threads_live, __ATOMIC_RELAXED) > 1;
	if (thread_only)
		do_exit_thread(SIGSYS, false);
	arch_set_syscall_return(tf, d->nr);   /* the registers as they entered, for the core */
	raise_sigsys(d, ret & SECCOMP_RET_DATA, true);
}

static bool filter_entry(struct trapframe *tf, bool recheck);

/* SECCOMP_RET_TRACE: a tracer that asked for PTRACE_O_TRACESECCOMP
 * stops the task; without one the call fails with ENOSYS. After the
 * stop the tracer may have skipped the call (number -1) or changed it:
 * the filters then run again, their TRACE verdicts allowing. */
static bool trace_entry(struct trapframe *tf, uint32_t data)
{
	arch_set_syscall_return(tf, -ENOSYS);   /* what the tracer sees, and the skipped call's result */
	if (!ptrace_event(PTRACE_EVENT_SECCOMP, PTRACE_O_TRACESECCOMP, data))
		return false;
	if (arch_syscall_nr(tf) < 0)
		return false;
	return filter_entry(tf, true);
}

static bool filter_entry(struct trapframe *tf, bool recheck)
{
	struct seccomp_data d;
	const struct seccomp_filter *match;
	arch_seccomp_data(tf, &d);
	uint32_t ret = run_filters(__atomic_load_n(&current->seccomp_filter, __ATOMIC_ACQUIRE), &d, &match);
	uint32_t data = ret & SECCOMP_RET_DATA;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
		return true;
	case SECCOMP_RET_LOG:
		log_action(&d, ret);
		return true;
	case SECCOMP_RET_ERRNO:
		if (match && match->log)
			log_action(&d, ret);
		arch_set_syscall_return(tf, -(long)MIN(data, MAX_ERRNO));
		return false;
	case SECCOMP_RET_TRAP:
		if (match && match->log)
			log_action(&d, ret);
		arch_set_syscall_return(tf, d.nr);   /* rolled back: rax holds the number */
		raise_sigsys(&d, data, false);
		return false;
	case SECCOMP_RET_TRACE:
		return recheck ? true : trace_entry(tf, data);
	case SECCOMP_RET_USER_NOTIF:   /* no listener can exist (docs/seccomp.md) */
		arch_set_syscall_return(tf, -ENOSYS);
		return false;
	default:   /* KILL_THREAD, KILL_PROCESS, and unknown verdicts */
		kill_for(tf, &d, ret);
		return false;
	}
}

/* Strict mode: read, write, exit and rt_sigreturn; anything else kills
 * the thread with SIGKILL, as Linux. */
static bool strict_entry(struct trapframe *tf)
{
	long nr = arch_syscall_nr(tf);
	if (nr == __NR_read || nr == __NR_write || nr == __NR_exit || nr == __NR_rt_sigreturn)
		return true;
	struct seccomp_data d;
	arch_seccomp_data(tf, &d);
	log_action(&d, SECCOMP_RET_KILL_THREAD);
	do_exit_thread(SIGKILL, false);
}

bool seccomp_syscall_entry(struct trapframe *tf)
{
	switch (seccomp_mode_of(current)) {
	case SECCOMP_MODE_STRICT:
		return strict_entry(tf);
	case SECCOMP_MODE_FILTER:
		return filter_entry(tf, false);
	case SECCOMP_MODE_DEAD:
		do_exit_thread(SIGKILL, false);
	default:
		return true;
	}
}

/* ---- installing ---- */

static long set_strict(void)
{
	struct task *t = current;
	long err = 0;
	spin_lock(&tasklist_lock);
	if (t->seccomp_mode && t->seccomp_mode != SECCOMP_MODE_STRICT)   /* Linux's seccomp_may_assign_mode */
		err = -EINVAL;
	else {
		__atomic_store_n(&t->seccomp_mode, SECCOMP_MODE_STRICT, __ATOMIC_RELEASE);
		__atomic_store_n(&t->seccomp_on, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&tasklist_lock);
	return err;
}

/* The program at uprog (a struct sock_fprog), copied and checked. */
static long filter_from_user(const void *uprog, unsigned flags, struct seccomp_filter **out)
{
	struct sock_fprog fprog;
	if (copy_from_user(&fprog, uprog, sizeof(fprog)))
		return -EFAULT;
	if (fprog.len == 0 || fprog.len > BPF_MAXINSNS)
		return -EINVAL;
	struct seccomp_filter *f = kzalloc(sizeof(*f) + fprog.len * sizeof(struct sock_filter));
	if (!f)
		return -ENOMEM;
	f->refs = 1;
	f->len = fprog.len;
	f->log = flags & SECCOMP_FILTER_FLAG_LOG;
	long err = copy_from_user(f->insns, fprog.filter, fprog.len * sizeof(struct sock_filter)) ? -EFAULT :
		   seccomp_bpf_check(f->insns, f->len);
	if (err) {
		kfree(f);
		return err;
	}
	*out = f;
	return 0;
}

/* Is a a filter of the chain b (or none)? */
static bool in_chain(const struct seccomp_filter *a, const struct seccomp_filter *b)
{
	for (; b; b = b->prev)
		if (a == b)
			return true;
	return a == NULL;
}

/* Give task t the chain f (a new reference). (T) held. */
static void assign_locked(struct task *t, struct seccomp_filter *f)
{
	struct seccomp_filter *old = t->seccomp_filter;
	filter_get(f);
	__atomic_store_n(&t->seccomp_filter, f, __ATOMIC_RELEASE);
	__atomic_store_n(&t->seccomp_mode, SECCOMP_MODE_FILTER, __ATOMIC_RELEASE);
	__atomic_store_n(&t->seccomp_on, true, __ATOMIC_RELEASE);
	filter_put(old);   /* never the last: old is in f's chain */
}

/* Install f (on the caller's chain) for the caller, or with TSYNC for
 * every thread of its process; f's reference is consumed. A thread that
 * cannot take it (strict mode, or a chain of its own not in f's): its
 * tid, or -ESRCH with TSYNC_ESRCH; nothing changes then. */
static long install(struct seccomp_filter *f, unsigned flags)
{
	struct task *cur = current, *t;
	long err = 0;
	spin_lock(&tasklist_lock);
	if (cur->seccomp_mode == SECCOMP_MODE_STRICT) {
		err = -EINVAL;
		goto out;
	}
	f->prev = cur->seccomp_filter;
	filter_get(f->prev);
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		list_for_each_entry(t, &cur->proc->threads, thread_link) {
			if (t != cur && (t->seccomp_mode == SECCOMP_MODE_STRICT || !in_chain(t->seccomp_filter, f))) {
				err = (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : t->tid;
				goto out;
			}
		}
		list_for_each_entry(t, &cur->proc->threads, thread_link)
			assign_locked(t, f);
	} else {
		assign_locked(cur, f);
	}
out:
	spin_unlock(&tasklist_lock);
	filter_put(f);   /* the threads hold it now, or nobody does */
	return err;
}

/* The instructions of the chain f, as Linux counts them against its
 * MAX_INSNS_PER_PATH (4 more per filter). */
static uint64_t path_insns(const struct seccomp_filter *f)
{
	uint64_t n = 0;
	for (; f; f = f->prev)
		n += f->len + 4;
	return n;
}

static long set_filter(unsigned flags, const void *uprog)
{
	if (flags & ~(unsigned)FILTER_FLAGS)
		return -EINVAL;
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		return -EINVAL;   /* no user notification (docs/seccomp.md) */
	if (!current_cred()->no_new_privs && !capable(CAP_SYS_ADMIN))
		return -EACCES;
	struct seccomp_filter *f;
	long err = filter_from_user(uprog, flags, &f);
	if (err)
		return err;
	if (f->len + path_insns(current->seccomp_filter) > SECCOMP_MAX_INSNS_PER_PATH) {
		filter_put(f);
		return -ENOMEM;
	}
	return install(f, flags);
}

/* SECCOMP_GET_ACTION_AVAIL: 0 for a verdict Aspen carries out. */
static long action_avail(const void *uaction)
{
	uint32_t action;
	if (copy_from_user(&action, uaction, sizeof(action)))
		return -EFAULT;
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS: case SECCOMP_RET_KILL_THREAD: case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO: case SECCOMP_RET_TRACE: case SECCOMP_RET_LOG: case SECCOMP_RET_ALLOW:
		return 0;
	default:   /* SECCOMP_RET_USER_NOTIF too: no listener can be made */
		return -EOPNOTSUPP;
	}
}

long sys_seccomp(unsigned op, unsigned flags, void *uargs)
{
	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		return flags || uargs ? -EINVAL : set_strict();
	case SECCOMP_SET_MODE_FILTER:
		return set_filter(flags, uargs);
	case SECCOMP_GET_ACTION_AVAIL:
		return flags ? -EINVAL : action_avail(uargs);
	case SECCOMP_GET_NOTIF_SIZES: {
		struct seccomp_notif_sizes sizes = { sizeof(struct seccomp_notif),
						     sizeof(struct seccomp_notif_resp), sizeof(struct seccomp_data) };
		if (flags)
			return -EINVAL;
		return copy_to_user(uargs, &sizes, sizeof(sizes)) ? -EFAULT : 0;
	}
	default:
		return -EINVAL;
	}
}

long seccomp_prctl(uint64_t mode, uint64_t filter)
{
	switch (mode) {
	case SECCOMP_MODE_STRICT:
		return set_strict();
	case SECCOMP_MODE_FILTER:
		return set_filter(0, (const void *)filter);
	default:
		return -EINVAL;
	}
}
