/*
 * task.c - task and process objects, the pid table, and the accessors
 * the file system uses to reach the current process's state.
 */
#include "proc/seccomp.h"
#include "proc/task.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "keys/keys.h"
#include "mm/phys.h"
#include "fs/context.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "sys/sysctl.h"
#include "proc/cred.h"
#include "proc/pidfd.h"

struct spinlock tasklist_lock = SPINLOCK_INIT("tasklist");
static struct task *pid_table[PID_MAX];      /* (T) tid -> task */
static struct process *proc_table[PID_MAX];  /* (T) pid -> process, until reaped */
static int last_pid;                          /* (T) */

/* kernel.pid_max: ids are below it. Linux's range, but Aspen's tables
 * hold PID_MAX ids (Linux allows up to 4194304). */
static int pid_max = PID_MAX;
SYSCTL_INT("kernel/pid_max", 0644, &pid_max, RESERVED_PIDS + 1, PID_MAX);

/* pid_alloc_locked - the next free id after the last one handed out, as
 * Linux cycles through pids: below pid_max, wrapping to RESERVED_PIDS
 * once past it (to 1 before); -EAGAIN when all are taken. */
int pid_alloc_locked(void)
{
	int max = SYSCTL_READ(pid_max);
	int min = last_pid >= RESERVED_PIDS ? RESERVED_PIDS : 1;
	int pid = last_pid;
	for (int i = 0; i < max; i++) {
		if (++pid >= max)
			pid = min;
		if (!pid_table[pid] && !proc_table[pid]) {
			last_pid = pid;
			pid_table[pid] = (struct task *)1;   /* reserved until registered */
			return pid;
		}
	}
	return -EAGAIN;
}

static long show_last_pid(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%d\n", __atomic_load_n(&last_pid, __ATOMIC_RELAXED));
}

/* kernel.ns_last_pid: root sets where the search for the next pid
 * starts (0 to pid_max; EPERM for others, though the file is 0666). */
static long store_last_pid(const struct sysctl *s, const char *text, size_t len)
{
	long v;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	long took = sysctl_parse_long(text, len, &v);
	if (took < 0 || v < 0 || v > SYSCTL_READ(pid_max))
		return -EINVAL;
	spin_lock(&tasklist_lock);
	last_pid = (int)v;
	spin_unlock(&tasklist_lock);
	return took;
}
SYSCTL_PROC("kernel/ns_last_pid", 0666, show_last_pid, store_last_pid);

void pid_register_locked(int pid, struct task *t) { pid_table[pid] = t; }
void pid_free_locked(int pid) { pid_table[pid] = NULL; }
LIST_HEAD(all_processes);   /* (T) every process with a pid, by all_link */

void proc_register_locked(struct process *p)
{
	proc_table[p->pid] = p;
	list_add_tail(&p->all_link, &all_processes);
}

void proc_unregister_locked(struct process *p)
{
	pidfd_reaped_locked(p);
	proc_table[p->pid] = NULL;
	list_del(&p->all_link);
}

struct task *task_find_locked(int tid)
{
	if (tid <= 0 || tid >= PID_MAX || pid_table[tid] == (struct task *)1)
		return NULL;
	return pid_table[tid];
}

struct process *process_find_locked(int pid)
{
	if (pid <= 0 || pid >= PID_MAX)
		return NULL;
	return proc_table[pid];
}

/* task_alloc - a zeroed task with a kernel stack; NULL when out of memory. */
struct task *task_alloc(void)
{
	struct task *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	paddr_t stack = frame_alloc_kernel(KSTACK_ORDER);
	if (!stack) {
		kfree(t);
		return NULL;
	}
	t->kstack = phys_to_virt(stack);
	t->tf = (struct trapframe *)((uint8_t *)t->kstack + KSTACK_SIZE - arch_trapframe_size());
	list_init(&t->rq_link);
	list_init(&t->thread_link);
	t->sig_work = true;   /* its first way back to user mode looks */
	arch_task_state_init(&t->arch);
	sched_task_init(t);
	return t;
}

/* Tasks between the start of their exit and the freeing of their stack
 * (atomic). On several CPUs a parent can collect a child before the
 * child's CPU has switched away from it; counters that must not see that
 * moment wait for it to pass (task_exits_settle). */
static uint32_t tasks_exiting;

void task_exit_begin(struct task *t)
{
	t->exiting = true;
	__atomic_add_fetch(&tasks_exiting, 1, __ATOMIC_RELAXED);
}

/* task_exits_settle - wait (at most about 2 s) until every exiting
 * task has been freed. The bound is for a leak of the count, not a
 * speed: on a loaded host the other CPU's thread may not run for a
 * good part of a second (100 ms was seen to be too short). May sleep. */
void task_exits_settle(void)
{
	for (int i = 0; i < 2000 && __atomic_load_n(&tasks_exiting, __ATOMIC_ACQUIRE); i++) {
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_until(arch_clock_ns() + 1000000);
		set_current_state(TASK_RUNNING);
	}
}

/* process_free - free a process struct nobody refers to any more. */
void process_free(struct process *p)
{
	keys_process_release(p);
	cred_put(p->cred);
	kfree(p);
}

/* The exit count drops only once everything is freed: a settle that
 * sees it reach 0 must find the frames back (the CPU freeing a task can
 * be held up between any two of these steps). */
void task_free(struct task *t)
{
	bool exiting = t->exiting;
	keys_task_release(t);
	cred_task_release(t);
	seccomp_release(t);
	if (t->frees_proc)
		process_free(t->proc);
	frame_free_order(virt_to_phys(t->kstack), KSTACK_ORDER);
	kfree(t);
	if (exiting)
		__atomic_sub_fetch(&tasks_exiting, 1, __ATOMIC_RELEASE);
}

struct cpu_times proc_cpu_times_locked(struct process *p)
{
	struct cpu_times sum = p->times;
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_link) {
		struct cpu_times c = sched_task_cpu_times(t);
		cpu_times_add(&sum, &c);
	}
	return sum;
}

/* proc_set_comm - the process name: the last component of path. */
void proc_set_comm(struct process *p, const char *path)
{
	const char *slash = strrchr(path, '/');
	strlcpy(p->comm, slash ? slash + 1 : path, sizeof(p->comm));
}

/* ---- what fs/ needs (fs/context.h) ---- */

struct fdtable *current_files(void) { return current->files; }
struct fs_context *current_fs(void) { return current->fs; }

