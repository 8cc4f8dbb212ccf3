/*
 * rlimit.c - resource limits: defaults, getrlimit/setrlimit/prlimit64
 * with Linux's rules and errors, and the checks other parts of the
 * kernel call (rlimit.h). Where each limit is enforced is listed in
 * docs/permissions.md.
 */
#include "proc/rlimit.h"
#include "proc/cred.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "mm/usercopy.h"
#include "sys/sysctl.h"
#include "sync/mutex.h"
#include "lib/errno.h"
#include "lib/string.h"

#define THREAD_SIZE_LINUX (16UL << 10)  /* Linux derives threads-max from RAM / (8 * this) */
#define MIN_THREADS 20
#define MAX_THREADS 0x3fffffff          /* FUTEX_TID_MASK */
#define INR_OPEN_CUR 1024               /* RLIMIT_NOFILE's default soft and hard limits */
#define INR_OPEN_MAX 4096
#define MQ_BYTES_MAX 819200
#define NR_OPEN_DEFAULT (1024 * 1024)
#define NR_OPEN_MAX 2147483584          /* Linux's sysctl_nr_open_max on 64-bit */
#define NSEC_PER_SEC 1000000000L

_Static_assert(NR_RLIMITS == RLIM_NLIMITS, "struct process holds every Linux limit");

static int max_threads = MAX_THREADS;   /* kernel.threads-max, set from RAM at boot */
SYSCTL_INT("kernel/threads-max", 0644, &max_threads, 1, MAX_THREADS);
int sysctl_nr_open = NR_OPEN_DEFAULT;  /* fs.nr_open: no RLIMIT_NOFILE above it */
SYSCTL_INT("fs/nr_open", 0644, &sysctl_nr_open, 64, NR_OPEN_MAX);

static const struct { const char *name, *unit; } names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", NULL },
	[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

const char *rlimit_name(int resource, const char **unit)
{
	*unit = names[resource].unit;
	return names[resource].name;
}

static uint64_t load(const uint64_t *v) { return __atomic_load_n(v, __ATOMIC_RELAXED); }

uint64_t rlimit_cur(int resource) { return rlimit_cur_of(current->proc, resource); }
uint64_t rlimit_cur_of(const struct process *p, int resource) { return load(&p->rlim[resource].cur); }
uint64_t rlimit_max(int resource) { return load(&current->proc->rlim[resource].max); }

/* Linux's set_max_threads: as many 16 KiB stacks as fit in an eighth of RAM. */
static int threads_from_ram(void)
{
	struct frame_stats st;
	frame_get_stats(&st);
	uint64_t n = st.total * PAGE_SIZE / (8 * THREAD_SIZE_LINUX);
	return (int)MAX(MIN(n, (uint64_t)MAX_THREADS), (uint64_t)MIN_THREADS);
}

void rlimit_init(struct process *p)
{
	max_threads = threads_from_ram();
	for (int r = 0; r < RLIM_NLIMITS; r++)
		p->rlim[r] = (struct rlim){ RLIM_INF, RLIM_INF };
	p->rlim[RLIMIT_STACK].cur = STACK_RLIMIT_DEFAULT;
	p->rlim[RLIMIT_CORE].cur = 0;
	p->rlim[RLIMIT_NPROC] = (struct rlim){ max_threads / 2, max_threads / 2 };
	p->rlim[RLIMIT_NOFILE] = (struct rlim){ INR_OPEN_CUR, INR_OPEN_MAX };
	p->rlim[RLIMIT_MEMLOCK] = (struct rlim){ MLOCK_LIMIT, MLOCK_LIMIT };
	p->rlim[RLIMIT_SIGPENDING] = p->rlim[RLIMIT_NPROC];
	p->rlim[RLIMIT_MSGQUEUE] = (struct rlim){ MQ_BYTES_MAX, MQ_BYTES_MAX };
	p->rlim[RLIMIT_NICE] = (struct rlim){ 0, 0 };
	p->rlim[RLIMIT_RTPRIO] = (struct rlim){ 0, 0 };
}

void rlimit_fork(struct process *child, const struct process *parent)
{
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		child->rlim[r].cur = load(&parent->rlim[r].cur);
		child->rlim[r].max = load(&parent->rlim[r].max);
	}
}

int rlimit_snapshot(int pid, struct rlim out[NR_RLIMITS])
{
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	if (p)
		memcpy(out, p->rlim, sizeof(p->rlim));
	spin_unlock(&tasklist_lock);
	return p ? 0 : -ESRCH;
}

/* ---- what fs/ asks (fs/context.h) ---- */

uint64_t current_rlimit(int resource) { return rlimit_cur(resource); }

/* Linux's generic_write_check_limits and inode_newsize_ok. */
bool current_exceeds_fsize(uint64_t end)
{
	uint64_t limit = rlimit_cur(RLIMIT_FSIZE);
	if (limit == RLIM_INF || end <= limit)
		return false;
	send_sig_current(SIGXFSZ);
	return true;
}

/* ---- tasks ---- */

/* Tasks in all, and those whose real uid is uid, as Linux counts them
 * until they are reaped: live threads, and a zombie as one. (T) held. */
static void count_tasks_locked(uint32_t uid, int *all, int *mine)
{
	struct process *p;
	*all = *mine = 0;
	list_for_each_entry(p, &all_processes, all_link) {
		struct task *t;
		if (p->state == PROC_ZOMBIE) {
			(*all)++;
			*mine += p->cred->uid == uid;
		}
		list_for_each_entry(t, &p->threads, thread_link) {
			(*all)++;
			*mine += t->real_cred->uid == uid;
		}
	}
}

int rlimit_fork_check_locked(void)
{
	uint32_t uid = current->real_cred->uid;
	int all, mine;
	count_tasks_locked(uid, &all, &mine);
	if (all >= SYSCTL_READ(max_threads))
		return -EAGAIN;
	if ((uint64_t)mine >= rlimit_cur(RLIMIT_NPROC) && uid != ROOT_UID &&
	    !capable(CAP_SYS_RESOURCE) && !capable(CAP_SYS_ADMIN))
		return -EAGAIN;
	return 0;
}

int cred_user_tasks_locked(uint32_t uid)
{
	int all, mine;
	count_tasks_locked(uid, &all, &mine);
	return mine;
}

int rlimit_exec_check(void)
{
	if (!current->nproc_exceeded)
		return 0;
	spin_lock(&tasklist_lock);
	int n = cred_user_tasks_locked(current->real_cred->uid);
	spin_unlock(&tasklist_lock);
	if ((uint64_t)n > rlimit_cur(RLIMIT_NPROC))
		return -EAGAIN;
	current->nproc_exceeded = false;
	return 0;
}

/* ---- memory ---- */

int rlimit_mlock_permitted(void)
{
	return rlimit_cur(RLIMIT_MEMLOCK) || capable(CAP_IPC_LOCK) ? 0 : -EPERM;
}

int rlimit_mlock_fits(uint64_t locked_bytes)
{
	uint64_t limit = rlimit_cur(RLIMIT_MEMLOCK);
	if (limit == RLIM_INF || capable(CAP_IPC_LOCK))
		return 0;
	return PAGE_ROUND_UP(locked_bytes) >> PAGE_SHIFT <= limit >> PAGE_SHIFT ? 0 : -ENOMEM;
}

int rlimit_vm_fits(uint64_t total_bytes, uint64_t data_bytes)
{
	uint64_t as = rlimit_cur(RLIMIT_AS), data = rlimit_cur(RLIMIT_DATA);
	if (as != RLIM_INF && total_bytes >> PAGE_SHIFT > as >> PAGE_SHIFT)
		return -ENOMEM;
	if (data != RLIM_INF && data_bytes >> PAGE_SHIFT > data >> PAGE_SHIFT)
		return -ENOMEM;
	return 0;
}

/* ---- CPU time ---- */

static void signal_from_kernel(struct process *p, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	spin_lock(&tasklist_lock);
	if (p->state == PROC_ALIVE)
		send_signal_info_locked(p, NULL, sig, &info);
	spin_unlock(&tasklist_lock);
}

void rlimit_cpu_tick(struct task *t)
{
	struct process *p = t->proc;
	if (!t->mm)
		return;                 /* a kernel task (kswapd) */
	uint64_t ticks = __atomic_add_fetch(&p->cpu_ticks, 1, __ATOMIC_RELAXED);
	if (ticks % TIMER_HZ)
		return;
	uint64_t secs = ticks / TIMER_HZ;
	uint64_t soft = load(&p->rlim[RLIMIT_CPU].cur), hard = load(&p->rlim[RLIMIT_CPU].max);
	if (hard != RLIM_INF && secs >= hard) {
		signal_from_kernel(p, SIGKILL);
	} else if (soft != RLIM_INF && secs >= soft) {
		if (soft < hard)        /* the next SIGXCPU a second later, as Linux */
			__atomic_store_n(&p->rlim[RLIMIT_CPU].cur, secs + 1, __ATOMIC_RELAXED);
		signal_from_kernel(p, SIGXCPU);
	}
}

/* ---- the system calls ---- */

/* The process pid names (0: the caller's), referenced by nothing: valid
 * while tasklist_lock is held. NULL if none. (T) held. */
static struct process *target_locked(int pid)
{
	if (pid == 0)
		return current->proc;
	struct task *t = task_find_locked(pid);
	return t && t->proc->state == PROC_ALIVE ? t->proc : NULL;
}

/* RLIMIT_STACK is also process pid's mm's: stack growth reads it there. */
static void stack_limit_changed(int pid, uint64_t limit)
{
	spin_lock(&tasklist_lock);
	struct process *p = target_locked(pid);
	struct task *t = !p ? NULL : p->leader ? p->leader : current;
	struct mm *mm = t && t->proc == p && t->mm ? mm_get(t->mm) : NULL;
	spin_unlock(&tasklist_lock);
	if (!mm)
		return;
	mutex_lock(&mm->lock);
	mm->stack_limit = limit;
	mutex_unlock(&mm->lock);
	mm_put(mm);
}

/* Linux's do_prlimit on p: checks, then old into *old and new in. */
static int do_prlimit_locked(struct process *p, int resource, const struct rlimit64 *new,
			     struct rlimit64 *old)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new && new->rlim_cur > new->rlim_max)
		return -EINVAL;
	if (new && resource == RLIMIT_NOFILE && new->rlim_max > (uint64_t)SYSCTL_READ(sysctl_nr_open))
		return -EPERM;
	struct rlim *r = &p->rlim[resource];
	if (new && new->rlim_max > r->max && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (old)
		*old = (struct rlimit64){ r->cur, r->max };
	if (new) {
		__atomic_store_n(&r->cur, new->rlim_cur, __ATOMIC_RELAXED);
		__atomic_store_n(&r->max, new->rlim_max, __ATOMIC_RELAXED);
	}
	return 0;
}

long sys_prlimit64(int pid, int resource, const struct rlimit64 *unew, struct rlimit64 *uold)
{
	struct rlimit64 old, new;
	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	spin_lock(&tasklist_lock);
	struct process *p = target_locked(pid);
	int err = !p ? -ESRCH : !cred_may_prlimit_locked(p) ? -EPERM : 0;
	if (!err)
		err = do_prlimit_locked(p, resource, unew ? &new : NULL, uold ? &old : NULL);
	spin_unlock(&tasklist_lock);
	if (!err && unew && resource == RLIMIT_STACK)
		stack_limit_changed(pid, new.rlim_cur);
	if (!err && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

long sys_getrlimit(int resource, struct rlimit64 *uold)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	struct rlimit64 r = { rlimit_cur(resource), rlimit_max(resource) };
	return copy_to_user(uold, &r, sizeof(r));
}

long sys_setrlimit(int resource, const struct rlimit64 *unew)
{
	return sys_prlimit64(0, resource, unew, NULL);
}
