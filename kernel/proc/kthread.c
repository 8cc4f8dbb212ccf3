/*
 * kthread.c - kernel threads: tasks that never enter user mode, run on
 * the idle tasks' process (pid 0, swapper, not listed in /proc) and live
 * as long as the kernel (the loop devices' workers).
 */
#include "proc/kthread.h"
#include "proc/sched.h"
#include "proc/task.h"
#include "arch.h"
#include "mm/kmalloc.h"

extern struct process swapper_process;

struct kthread_start {
	void (*fn)(void *);
	void *arg;
};

/* The first run of a kernel thread: finish the switch, then its function. */
static void kthread_entry(void *start_arg)
{
	struct kthread_start st = *(struct kthread_start *)start_arg;
	task_first_run_unlock();
	kfree(start_arg);
	st.fn(st.arg);
	panic("kthread: a kernel thread returned");
}

/* kthread_run - see kthread.h. */
struct task *kthread_run(void (*fn)(void *), void *arg)
{
	struct kthread_start *st = kmalloc(sizeof(*st));
	struct task *t = st ? task_alloc() : NULL;
	if (!t) {
		kfree(st);
		return NULL;
	}
	st->fn = fn;
	st->arg = arg;
	t->proc = &swapper_process;
	t->ctx = arch_new_task_context((uint64_t)t->tf, kthread_entry, st);
	sched_make_runnable(t);
	return t;
}
