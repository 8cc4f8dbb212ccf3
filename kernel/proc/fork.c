/*
 * fork.c - one clone core behind fork, vfork, clone and clone3.
 *
 * copy_process() follows Linux's shape: check the flags, then take one
 * step per resource (address space, descriptors, fs context, signal
 * actions), each either shared (the CLONE_* flag) or copied, with an
 * unwinding ladder on failure. After the commit point nothing can fail:
 * the child is linked into the process tree and made runnable.
 */
#include "proc/task.h"
#include "proc/fork.h"
#include "proc/sched.h"
#include "mm/vm.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "fs/fdtable.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/sched.h>

#define CLONE_SUPPORTED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
	CLONE_CHILD_CLEARTID | CLONE_PARENT | CLONE_VFORK | CLONE_DETACHED)

void proc_register_locked(struct process *p);
void task_first_run(void *arg);

/* Check the flag combinations Linux refuses. */
static int clone_check_flags(uint64_t flags)
{
	if (flags & ~(CLONE_SUPPORTED | CSIGNAL))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && (flags & CSIGNAL))
		return -EINVAL;
	if ((flags & CLONE_PARENT) && current->proc->pid == 1)
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
	wait_queue_init(&p->child_exit, "child_exit");
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	p->uid = parent->uid;
	p->euid = parent->euid;
	p->gid = parent->gid;
	p->egid = parent->egid;
	p->rlimit_stack = parent->rlimit_stack;
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	p->start_ns = arch_clock_ns();
	return p;
}

/* The resources of the child: shared or copied per flag. */
static int copy_resources(struct task *c, uint64_t flags)
{
	struct task *cur = current;
	c->mm = (flags & CLONE_VM) ? mm_get(cur->mm) : mm_fork(cur->mm);
	if (!c->mm)
		return -ENOMEM;
	c->files = (flags & CLONE_FILES) ? fdtable_get(cur->files) : fdtable_dup(cur->files);
	if (!c->files)
		return -ENOMEM;
	c->fs = (flags & CLONE_FS) ? fs_context_get(cur->fs) : fs_context_dup(cur->fs);
	if (!c->fs)
		return -ENOMEM;
	if (flags & CLONE_SIGHAND) {
		__atomic_add_fetch(&cur->sighand->refcount, 1, __ATOMIC_RELAXED);
		c->sighand = cur->sighand;
	} else {
		c->sighand = sighand_dup(cur->sighand);
	}
	return c->sighand ? 0 : -ENOMEM;
}

static void release_copied(struct task *c)
{
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
	pid_register_locked(c->tid, c);
	if (req->flags & CLONE_THREAD)
		return;
	p->pid = c->tid;
	p->leader = c;
	p->exit_signal = (int)(req->flags & CSIGNAL);
	p->parent = (req->flags & CLONE_PARENT) ? cur->proc->parent : cur->proc;
	list_add_tail(&p->sibling, &p->parent->children);
	p->state = PROC_ALIVE;
	proc_register_locked(p);
}

long do_clone(const struct clone_request *req)
{
	uint64_t flags = req->flags;
	int err = clone_check_flags(flags);
	if (err)
		return err;
	struct task *c = task_alloc();
	if (!c)
		return -ENOMEM;
	struct process *p = (flags & CLONE_THREAD) ? current->proc : process_alloc(current->proc);
	if (!p) {
		err = -ENOMEM;
		goto fail_task;
	}
	err = copy_resources(c, flags);
	if (err)
		goto fail_resources;
	spin_lock(&tasklist_lock);
	c->tid = pid_alloc_locked();
	if (c->tid < 0) {
		err = c->tid;
		spin_unlock(&tasklist_lock);
		goto fail_resources;
	}
	/* Committed: from here on the clone cannot fail. */
	copy_cpu_state(c, req);
	commit_child_locked(c, p, req);
	spin_unlock(&tasklist_lock);

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
	sched_make_runnable(c);
	if (flags & CLONE_VFORK)
		wait_for_completion(&vfork_done);
	return tid;

fail_resources:
	release_copied(c);
	if (!(flags & CLONE_THREAD))
		kfree(p);
fail_task:
	task_free(c);
	return err;
}

long sys_fork(void)
{
	struct clone_request req = { .flags = SIGCHLD };
	return do_clone(&req);
}

long sys_vfork(void)
{
	struct clone_request req = { .flags = CLONE_VM | CLONE_VFORK | SIGCHLD };
	return do_clone(&req);
}

/* clone(flags, stack, parent_tid, child_tid, tls): x86-64 argument order. */
long sys_clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
	struct clone_request req = { flags, stack, parent_tid, child_tid, tls };
	return do_clone(&req);
}

/* clone3(struct clone_args *, size): the same core. */
long sys_clone3(const struct clone_args *uargs, uint64_t size)
{
	struct clone_args a;
	if (size < CLONE_ARGS_SIZE_VER0 || size > PAGE_SIZE)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	if (a.exit_signal > 64 || (a.flags & CSIGNAL) || a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL;
	if ((a.stack == 0) != (a.stack_size == 0))
		return -EINVAL;
	struct clone_request req = { a.flags | a.exit_signal, a.stack ? a.stack + a.stack_size : 0,
				     a.parent_tid, a.child_tid, a.tls };
	return do_clone(&req);
}
