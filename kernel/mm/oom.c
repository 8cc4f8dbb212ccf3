/*
 * oom.c - the out-of-memory killer.
 *
 * It runs only when a fault finds no frame after direct reclaim and a
 * short wait for kswapd: memory and swap are both exhausted (or what is
 * left cannot go to swap). It chooses by Linux's rule (oom_badness):
 * the process with the most resident pages + swap entries + page-table
 * pages, each process's figure moved by oom_score_adj thousandths of
 * all memory (RAM + swap); init and processes with oom_score_adj -1000
 * are never chosen. The victim gets SIGKILL and one line in the kernel
 * log, in Linux's words. Until it is gone, further callers wait instead
 * of killing again.
 *
 * Locks: oom_mutex serialises choosing; candidates are read under
 * tasklist_lock and measured (vm_usage, mm->lock) after it is dropped.
 */
#include "mm/oom.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "mm/frame.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "proc/signal.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "lib/string.h"

#define LONG_MIN_VALUE (-0x7fffffffffffffffL - 1)
#define OOM_WAIT_NS 10000000UL          /* 10 ms for a victim to go */
#define KB_PER_PAGE (PAGE_SIZE / 1024)

static struct mutex oom_mutex = { SPINLOCK_INIT("oom_mutex"), NULL, LIST_HEAD_INIT(oom_mutex.waiters), "oom" };
static int victim_pid;                  /* (oom_mutex) killed and maybe not gone yet */

long oom_badness_points(uint64_t rss, uint64_t swapents, uint64_t pgtables, int adj,
			uint64_t totalpages)
{
	if (adj <= OOM_SCORE_ADJ_MIN)
		return LONG_MIN_VALUE;
	long points = (long)(rss + swapents + pgtables);
	return points + (long)adj * (long)(totalpages / 1000);
}

int oom_adj_from_score_adj(int score_adj)
{
	if (score_adj == OOM_SCORE_ADJ_MAX)
		return OOM_ADJUST_MAX;
	return score_adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX;
}

int oom_score_adj_from_adj(int adj)
{
	if (adj == OOM_ADJUST_MAX)
		return OOM_SCORE_ADJ_MAX;
	return adj * OOM_SCORE_ADJ_MAX / -OOM_DISABLE;
}

/* RAM and swap, in pages: what oom_score_adj is a share of. */
static uint64_t total_pages(void)
{
	struct frame_stats st;
	uint64_t swap_total, swap_free;
	frame_get_stats(&st);
	swap_totals(&swap_total, &swap_free);
	return st.total + swap_total;
}

struct oom_candidate {
	int pid;
	int adj;
	uint32_t uid;
	char comm[TASK_COMM_LEN];
	struct mm_usage u;
	long points;
};

/* Process pid's address space, referenced, if it could be chosen (alive,
 * not init, not already dying), with its name and settings in c. */
static struct mm *candidate_mm(int pid, struct oom_candidate *c)
{
	struct mm *mm = NULL;
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	if (p && p != init_process && p->state == PROC_ALIVE && !p->group_exiting) {
		struct task *t;
		list_for_each_entry(t, &p->threads, thread_link)
			if (t->mm) {
				mm = mm_get(t->mm);
				break;
			}
		c->pid = pid;
		c->adj = p->oom_score_adj;
		c->uid = p->cred->uid;
		memcpy(c->comm, p->comm, sizeof(c->comm));
	}
	spin_unlock(&tasklist_lock);
	return mm;
}

/* Measure process pid as a candidate: false if it cannot be chosen. */
static bool measure(int pid, uint64_t totalpages, struct oom_candidate *c)
{
	struct mm *mm = candidate_mm(pid, c);
	if (!mm)
		return false;
	vm_usage(mm, &c->u);
	mm_put(mm);
	c->points = oom_badness_points(c->u.resident, c->u.swapped, c->u.pgtables, c->adj, totalpages);
	return c->points != LONG_MIN_VALUE;
}

unsigned long oom_score_of(int pid)
{
	uint64_t totalpages = total_pages();
	struct oom_candidate c;
	if (!measure(pid, totalpages, &c))
		return 0;
	long points = (1000 + c.points * 1000 / (long)totalpages) * 2 / 3;
	return points > 0 ? (unsigned long)points : 0;
}

/* The process to kill: the highest badness, the youngest of equals (as
 * Linux's walk, which keeps the last of equal points). False if none. */
static bool choose(struct oom_candidate *best)
{
	uint64_t totalpages = total_pages();
	bool found = false;
	for (int pid = 2; pid < PID_MAX; pid++) {
		struct oom_candidate c;
		if (!measure(pid, totalpages, &c) || (found && c.points < best->points))
			continue;
		*best = c;
		found = true;
	}
	return found;
}

/* SIGKILL to the victim, and Linux's line in the log. */
static void kill_victim(const struct oom_candidate *v)
{
	pr_err("Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
	       "file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d\n",
	       v->pid, v->comm, (unsigned long)(v->u.total_vm * KB_PER_PAGE),
	       (unsigned long)(v->u.anon * KB_PER_PAGE), (unsigned long)(v->u.file * KB_PER_PAGE),
	       (unsigned long)(v->u.shmem * KB_PER_PAGE), v->uid,
	       (unsigned long)(v->u.pgtables * KB_PER_PAGE), v->adj);
	struct ksiginfo info = { .signo = SIGKILL, .code = SI_KERNEL };
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(v->pid);
	if (p && p->state == PROC_ALIVE)
		send_signal_info_locked(p, NULL, SIGKILL, &info);
	spin_unlock(&tasklist_lock);
	__atomic_add_fetch(&swap_stats.oom_kill, 1, __ATOMIC_RELAXED);
}

static bool still_alive(int pid)
{
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	bool alive = p && p->state == PROC_ALIVE;
	spin_unlock(&tasklist_lock);
	return alive;
}

static void nap(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	schedule_until(arch_clock_ns() + OOM_WAIT_NS);
	set_current_state(TASK_RUNNING);
}

bool oom_kill_or_wait(void)
{
	mutex_lock(&oom_mutex);
	if (victim_pid && still_alive(victim_pid)) {
		bool self = victim_pid == current->proc->pid;
		mutex_unlock(&oom_mutex);
		if (!self)
			nap();
		return !self;
	}
	struct oom_candidate v;
	bool found = choose(&v);
	if (found) {
		kill_victim(&v);
		victim_pid = v.pid;
	}
	mutex_unlock(&oom_mutex);
	return found && v.pid != current->proc->pid;
}
