/*
 * fork.c - one clone core behind fork, vfork, clone and clone3.
 *
 * copy_process() follows Linux's shape: check the flags, then take one
 * step per resource (address space, descriptors, fs context, signal
 * actions), each either shared (the CLONE_* flag) or copied, with an
 * unwinding ladder on failure. After the commit point nothing can fail:
 * the child is linked into the process tree and made runnable.
 */
#include "proc/seccomp.h"
#include "proc/task.h"
#include "mm/fail_alloc.h"
#include "proc/fork.h"
#include "proc/prctl.h"
#include "sched/membarrier.h"
#include "proc/sched.h"
#include "proc/cred.h"
#include "keys/keys.h"
#include "proc/rlimit.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/trace.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/context.h"
#include "proc/pidfd.h"
#include "ipc/ipc.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/sched.h>
#include <linux/ptrace.h>
#include <uapi/aspen.h>

/* What Aspen implements. CLONE_SYSVSEM is accepted: there are no SysV
 * semaphores, so no undo lists to share. */
#define CLONE_SUPPORTED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
	CLONE_CHILD_CLEARTID | CLONE_PARENT | CLONE_VFORK | CLONE_CLEAR_SIGHAND | CLONE_PIDFD)
/* Accepted and ignored, as by Linux (DETACHED) or because there is no
 * tracer or I/O context to speak of. */
#define CLONE_IGNORED (CLONE_DETACHED | CLONE_UNTRACED | CLONE_PTRACE | CLONE_IO)
/* clone3 refuses any flag outside these (Linux's clone3_args_valid). */
#define CLONE3_KNOWN (0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)
#define CLONE3_MAX_SET_TID 32   /* MAX_PID_NS_LEVEL */


/* Check the flag combinations Linux refuses (copy_process), then what
 * Aspen does not implement (namespaces, pidfds, cgroups): -EINVAL. */
static int clone_check_flags(uint64_t flags)
{
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;   /* a thread shares its group's signal actions */
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;   /* ... and handlers are addresses in one mm */
	if ((flags & CLONE_SIGHAND) && (flags & CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_PARENT) && current->proc->pid == 1)
		return -EINVAL;   /* init may not make siblings nobody would reap */
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;   /* no pidfds of threads (Linux 6.9's PIDFD_THREAD) */
	if (flags & ~(CLONE_SUPPORTED | CLONE_IGNORED))
		return -EINVAL;
	return 0;
}

static struct process *process_alloc(struct process *parent)
{
	struct process *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->all_link);
	ptrace_process_init(p);
	wait_queue_init(&p->child_exit, "child_exit");
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	p->dumpable = parent->dumpable;
	rlimit_fork(p, parent);
	p->fork_strategy = __atomic_load_n(&parent->fork_strategy, __ATOMIC_RELAXED);
	p->oom_score_adj = parent->oom_score_adj;
	p->oom_score_adj_min = parent->oom_score_adj_min;
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	p->start_ns = arch_clock_ns();
	proc_timers_init(&p->timers, p);   /* timers are not inherited */
	return p;
}

int fork_strategy_of(const struct process *p)
{
	int own = __atomic_load_n(&p->fork_strategy, __ATOMIC_RELAXED);
	return own != ASPEN_FORK_SYSTEM ? own : __atomic_load_n(&vm_fork_strategy, __ATOMIC_RELAXED);
}

int fork_strategy_set(struct process *p, uint64_t strategy)
{
	if (strategy != ASPEN_FORK_SYSTEM && !vm_fork_strategy_name((int)strategy))
		return -EINVAL;
	__atomic_store_n(&p->fork_strategy, (int)strategy, __ATOMIC_RELAXED);
	return 0;
}

/* The trace's name for a fork strategy (mm/trace.h). */
static int trace_strategy(int strategy)
{
	return strategy == ASPEN_FORK_COPY ? TRACE_FORK_COPY :
	       strategy == ASPEN_FORK_SHARED ? TRACE_FORK_SHARED_PT : TRACE_FORK_COW;
}

/* The resources of the child: shared or copied per flag; its memory
 * by the fork strategy given. */
static int copy_resources(struct task *c, uint64_t flags, int strategy)
{
	struct task *cur = current;
	if (copy_semundo(flags, c))
		return -ENOMEM;
	c->mm = (flags & CLONE_VM) ? mm_get(cur->mm) : mm_fork(cur->mm, strategy, arch_trapframe_sp(cur->tf));
	if (!c->mm)
		return -ENOMEM;
	if (!(flags & CLONE_VM))
		membarrier_fork(c->mm, cur->mm);
	c->files = (flags & CLONE_FILES) ? fdtable_get(cur->files) : fdtable_dup(cur->files);
	if (!c->files)
		return -ENOMEM;
	c->fs = (flags & CLONE_FS) ? fs_context_get(cur->fs) : fs_context_dup(cur->fs);
	if (!c->fs)
		return -ENOMEM;
	c->sig_blocked = cur->sig_blocked;   /* the signal mask is inherited */
	if (flags & CLONE_SIGHAND) {
		__atomic_add_fetch(&cur->sighand->refcount, 1, __ATOMIC_RELAXED);
		c->sighand = cur->sighand;
		return 0;
	}
	c->sighand = sighand_dup(cur->sighand);
	if (c->sighand && (flags & CLONE_CLEAR_SIGHAND))
		sighand_reset_for_exec(c->sighand);   /* handlers to SIG_DFL, ignored stay so */
	return c->sighand ? 0 : -ENOMEM;
}

static void release_copied(struct task *c)
{
	exit_sem(c);   /* only shared lists: nothing is applied */
	if (c->sighand)
		sighand_put(c->sighand);
	if (c->fs)
		fs_context_put(c->fs);
	if (c->files)
		fdtable_put(c->files);
	if (c->mm)
		mm_put(c->mm);
}

/* Registers and CPU state: the parent's, returning 0 in the child. */
static void copy_cpu_state(struct task *c, const struct clone_request *req)
{
	struct task *cur = current;
	arch_save_task_state(&cur->arch);
	arch_task_state_copy(&c->arch, &cur->arch);
	if (req->flags & CLONE_SETTLS)
		c->arch.fs_base = req->tls;
	arch_copy_trapframe_for_child(c->tf, cur->tf, req->stack);
	signal_copy_to_child(c, req->flags);
	c->ctx = arch_new_task_context((uint64_t)c->tf, task_first_run, NULL);
}

/* Link the child into the tree. Cannot fail. (T) held. */
static void commit_child_locked(struct task *c, struct process *p, const struct clone_request *req)
{
	struct task *cur = current;
	c->proc = p;
	list_add_tail(&c->thread_link, &p->threads);
	p->nthreads++;
	__atomic_add_fetch(&p->threads_live, 1, __ATOMIC_RELAXED);
	pid_register_locked(c->tid, c);
	seccomp_clone_locked(c);
	if (req->flags & CLONE_THREAD)
		return;
	p->pid = c->tid;
	p->leader = c;
	/* CLONE_PARENT: a sibling of the caller, signalling as the caller does. */
	p->exit_signal = (req->flags & CLONE_PARENT) ? cur->proc->exit_signal : req->exit_signal;
	p->parent = (req->flags & CLONE_PARENT) ? cur->proc->parent : cur->proc;
	p->parent_tid = (req->flags & CLONE_PARENT) ? cur->proc->parent_tid : cur->tid;
	list_add_tail(&p->sibling, &p->parent->children);
	p->state = PROC_ALIVE;
	proc_register_locked(p);
}

static long clone_task(const struct clone_request *req);

/* CLONE_PIDFD: the parent's pidfd of the child-to-be, its number
 * stored at req->pidfd (EFAULT), as Linux does before its commit. */
static int clone_make_pidfd(const struct clone_request *req, struct pidfd_ref **ref, int *nr)
{
	long fd = pidfd_prepare(ref);
	if (fd < 0)
		return (int)fd;
	int v = (int)fd;
	if (copy_to_user((void *)req->pidfd, &v, sizeof(v))) {
		pidfd_unprepare(*ref, v);
		*ref = NULL;
		return -EFAULT;
	}
	*nr = v;
	return 0;
}

/* do_clone - see fork.h. Its allocations are fork's or clone's for
 * fault injection (mm/fail_alloc.h). */
long do_clone(const struct clone_request *req)
{
	unsigned old = alloc_path_enter(req->flags & CLONE_VM ? ALLOC_PATH_CLONE : ALLOC_PATH_FORK);
	long ret = clone_task(req);
	alloc_path_leave(old);
	return ret;
}

/* Checks, then allocation, then the commit point under tasklist_lock;
 * afterwards nothing fails. */
static long clone_task(const struct clone_request *req)
{
	uint64_t flags = req->flags;
	int err = clone_check_flags(flags);
	if (err)
		return err;
	if ((flags & CLONE_SETTLS) && req->tls >= USER_STACK_TOP)
		return -EPERM;   /* as arch_prctl(ARCH_SET_FS): below TASK_SIZE_MAX */
	if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID) && req->pidfd == req->parent_tid)
		return -EINVAL;   /* one slot for two answers */
	struct task *c = task_alloc();
	if (!c)
		return -ENOMEM;
	struct process *p = (flags & CLONE_THREAD) ? current->proc : process_alloc(current->proc);
	if (!p) {
		err = -ENOMEM;
		goto fail_task;
	}
	cred_task_fork(c, p);
	prctl_clone(c, p, flags & CLONE_THREAD);
	err = keys_task_fork(c, flags & CLONE_THREAD);
	if (err)
		goto fail_resources;
	int strategy = fork_strategy_of(current->proc);
	int ptrace_ev = ptrace_fork_event(flags, req->exit_signal);
	err = copy_resources(c, flags, strategy);
	if (err)
		goto fail_resources;
	struct pidfd_ref *pidfd = NULL;
	int pidfd_nr = -1;
	if ((flags & CLONE_PIDFD) && (err = clone_make_pidfd(req, &pidfd, &pidfd_nr)))
		goto fail_resources;
	spin_lock(&tasklist_lock);
	err = current->proc->group_exiting ? -EINTR : rlimit_fork_check_locked();
	c->tid = err ? err : pid_alloc_locked();
	if (c->tid < 0) {
		err = c->tid;   /* a dying group makes no new threads or children */
		spin_unlock(&tasklist_lock);
		goto fail_pidfd;
	}
	/* Committed: from here on the clone cannot fail. */
	copy_cpu_state(c, req);
	commit_child_locked(c, p, req);
	if (pidfd)
		pidfd_attach_child_locked(pidfd, p);
	ptrace_fork_child_locked(c, ptrace_ev);
	spin_unlock(&tasklist_lock);
	trace_clone(current, c, flags, trace_strategy(strategy));

	int tid = c->tid;
	if ((flags & CLONE_PARENT_SETTID) && req->parent_tid)
		copy_to_user((void *)req->parent_tid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		c->set_child_tid = req->child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = req->child_tid;
	if (!(flags & CLONE_VM))
		__atomic_add_fetch(&vm_stats.forks, 1, __ATOMIC_RELAXED);
	struct completion vfork_done;
	if (flags & CLONE_VFORK) {
		completion_init(&vfork_done);
		c->vfork_done = &vfork_done;
	}
	sched_fork(c);
	sched_make_runnable(c);
	if (ptrace_ev)
		ptrace_event(ptrace_ev, 1u << ptrace_ev, (uint64_t)tid);
	if (flags & CLONE_VFORK) {
		wait_for_completion(&vfork_done);
		ptrace_event(PTRACE_EVENT_VFORK_DONE, PTRACE_O_TRACEVFORKDONE, (uint64_t)tid);
	}
	return tid;

fail_pidfd:
	if (pidfd)
		pidfd_unprepare(pidfd, pidfd_nr);
fail_resources:
	release_copied(c);
	if (!(flags & CLONE_THREAD))
		process_free(p);
fail_task:
	task_free(c);
	return err;
}

long sys_fork(void)
{
	struct clone_request req = { .exit_signal = SIGCHLD };
	return do_clone(&req);
}

long sys_vfork(void)
{
	struct clone_request req = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return do_clone(&req);
}

/* clone(flags, stack, parent_tid, child_tid, tls): x86-64 argument
 * order. As Linux, only the low 32 bits are flags and the exit signal
 * (ignored for a thread, which signals nobody). */
long sys_clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
	struct clone_request req = {
		.flags = flags & 0xffffffffULL & ~(uint64_t)CSIGNAL,
		.exit_signal = (flags & CLONE_THREAD) ? 0 : (int)(flags & CSIGNAL),
		.stack = stack, .parent_tid = parent_tid, .child_tid = child_tid, .tls = tls,
		.pidfd = parent_tid,   /* CLONE_PIDFD's slot in the old calling convention */
	};
	return do_clone(&req);
}

/* Read struct clone_args of size bytes: fields past the ones we know
 * must be zero (E2BIG otherwise), as copy_struct_from_user. */
static int clone3_args_in(struct clone_args *a, const void *uargs, uint64_t size)
{
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(a, sizeof(*a), uargs, size);
}

/* Linux's copy_clone_args_from_user and clone3_args_valid checks, in
 * their order: the set_tid array is read (EFAULT) before the flags are
 * looked at. */
static int clone3_args_check(const struct clone_args *a)
{
	if (a->set_tid_size > CLONE3_MAX_SET_TID || (!a->set_tid) != (!a->set_tid_size))
		return -EINVAL;
	if (a->exit_signal > NSIG)
		return -EINVAL;
	if (a->set_tid) {
		int32_t tids[CLONE3_MAX_SET_TID];
		if (copy_from_user(tids, (const void *)a->set_tid, a->set_tid_size * sizeof(int32_t)))
			return -EFAULT;
	}
	if (a->flags & ~CLONE3_KNOWN)
		return -EINVAL;
	if (a->flags & (CLONE_DETACHED | CSIGNAL))
		return -EINVAL;   /* the exit signal has its own field */
	if ((a->flags & (CLONE_THREAD | CLONE_PARENT)) && a->exit_signal)
		return -EINVAL;
	if ((a->stack == 0) != (a->stack_size == 0) || !access_ok(a->stack, a->stack_size))
		return -EINVAL;
	return 0;
}

/* What Aspen does not implement: choosing pids, cgroups (EINVAL, as a
 * kernel without them). */
static int clone3_unsupported(const struct clone_args *a)
{
	if (a->set_tid || (a->flags & CLONE_INTO_CGROUP))
		return -EINVAL;
	return 0;
}

/* clone3(struct clone_args *, size): the same core. The stack is given
 * as its lowest address and size; the child starts at its top. */
long sys_clone3(const struct clone_args *uargs, uint64_t size)
{
	struct clone_args a;
	int err = clone3_args_in(&a, uargs, size);
	if (!err)
		err = clone3_args_check(&a);
	if (!err)
		err = clone3_unsupported(&a);
	if (err)
		return err;
	struct clone_request req = {
		.flags = a.flags & ~(uint64_t)CSIGNAL,   /* signal bits in flags mean nothing here */
		.exit_signal = (int)a.exit_signal,
		.stack = a.stack ? a.stack + a.stack_size : 0,
		.parent_tid = a.parent_tid, .child_tid = a.child_tid, .tls = a.tls, .pidfd = a.pidfd,
	};
	return do_clone(&req);
}

#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			  CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)
#define UNSHARE_KNOWN (CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | \
		       CLONE_SYSVSEM | CLONE_NAMESPACES)

/* Linux's check_unshare_flags: CLONE_THREAD, CLONE_SIGHAND and CLONE_VM
 * (implied by one another as Linux) are no-ops for a process of one
 * thread sharing nothing, and EINVAL otherwise. */
static int unshare_check(uint64_t flags)
{
	struct task *t = current;
	if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
		spin_lock(&tasklist_lock);
		bool alone = t->proc->threads.next == t->proc->threads.prev;
		spin_unlock(&tasklist_lock);
		if (!alone)
			return -EINVAL;
	}
	if ((flags & (CLONE_SIGHAND | CLONE_VM)) &&
	    __atomic_load_n(&t->sighand->refcount, __ATOMIC_ACQUIRE) > 1)
		return -EINVAL;
	if ((flags & CLONE_VM) && __atomic_load_n(&t->mm->users, __ATOMIC_ACQUIRE) > 1)
		return -EINVAL;
	return 0;
}

/* unshare: private copies of the descriptor table and of root, cwd and
 * umask when another task shares them, and leaving a shared semaphore
 * undo list (CLONE_SYSVSEM). Namespaces are EINVAL, as a Linux built
 * without them (config.gz says so); unlike Linux, that includes mount
 * namespaces (CLONE_NEWNS). */
long sys_unshare(uint64_t flags)
{
	if (flags & ~UNSHARE_KNOWN)
		return -EINVAL;
	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	int err = unshare_check(flags);
	if (err)
		return err;
	if (flags & CLONE_NAMESPACES)
		return -EINVAL;
	struct task *t = current;
	struct fs_context *fs = NULL;
	struct fdtable *files = NULL;
	if ((flags & CLONE_FS) && __atomic_load_n(&t->fs->refcount, __ATOMIC_ACQUIRE) > 1 &&
	    !(fs = fs_context_dup(t->fs)))
		return -ENOMEM;
	if ((flags & CLONE_FILES) && __atomic_load_n(&t->files->refcount, __ATOMIC_ACQUIRE) > 1 &&
	    !(files = fdtable_dup(t->files))) {
		if (fs)
			fs_context_put(fs);
		return -ENOMEM;
	}
	spin_lock(&tasklist_lock);   /* /proc and signal senders read them under it */
	if (fs) {
		struct fs_context *old = t->fs;
		t->fs = fs;
		fs = old;
	}
	if (files) {
		struct fdtable *old = t->files;
		t->files = files;
		files = old;
	}
	spin_unlock(&tasklist_lock);
	if (fs)
		fs_context_put(fs);
	if (files)
		fdtable_put(files);
	if (flags & CLONE_SYSVSEM)
		exit_sem(t);
	return 0;
}

/* setns(fd, nstype): Aspen has no namespace files (/proc/PID/ns), so any
 * open descriptor is EINVAL, a pidfd included, as a Linux built without
 * namespaces (config.gz) refuses them all but the mount namespace;
 * a closed one is EBADF. */
long sys_setns(int fd, int nstype)
{
	struct file *f = fd >= 0 ? fd_get(current_files(), fd) : NULL;
	if (!f)
		return -EBADF;
	file_put(f);
	return -EINVAL;
}
