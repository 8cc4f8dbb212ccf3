/*
 * pid.c - the files of one process, /proc/PID/ (and of one thread,
 * /proc/PID/task/TID/): status, stat, statm, cmdline, environ, comm,
 * the exe/cwd/root links and the fd/ directory. Formats are Linux's
 * (fs/proc/array.c), field for field, so that ps and top read them.
 *
 * Everything starts from a snapshot taken under tasklist_lock: the
 * plain fields are copied, and the mm, descriptor table and fs context
 * are referenced, so the text is built with no lock held and the
 * process may exit meanwhile.
 */
#include "fs/procfs/procfs.h"
#include "mm/oom.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/memfd.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "mm/vm_report.h"
#include "proc/seccomp.h"
#include "proc/task.h"
#include "proc/prctl.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "proc/sched.h"
#include "proc/coredump.h"
#include "sys/sysctl.h"
#include "mm/usercopy.h"
#include "time/cputime.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CMDLINE_MAX   (128UL << 10)  /* most bytes of argv or envp shown */
#define NS_PER_TICK   (1000000000UL / TIMER_HZ)
#define RLIM_INFINITY_STR "18446744073709551615"

const struct procfs_entry procfs_pid_entries[] = {
	{ "status", S_IFREG | 0444, .show = proc_show_status },
	{ "stat", S_IFREG | 0444, .show = proc_show_stat },
	{ "sched", S_IFREG | 0444, .show = proc_show_sched },
	{ "statm", S_IFREG | 0444, .show = proc_show_statm },
	{ "maps", S_IFREG | 0444, .show = proc_show_maps },
	{ "smaps", S_IFREG | 0444, .show = proc_show_smaps },
	{ "pagemap", S_IFREG | 0400, .read = proc_read_pagemap },
	{ "mem", S_IFREG | 0600, .fops = &procfs_pidmem_fops },
	{ "cmdline", S_IFREG | 0444, .show = proc_show_cmdline },
	{ "environ", S_IFREG | 0400, .show = proc_show_environ },
	{ "comm", S_IFREG | 0644, .show = proc_show_comm, .write = proc_write_comm },
	{ "limits", S_IFREG | 0444, .show = proc_show_limits },
	{ "oom_score", S_IFREG | 0444, .show = proc_show_oom_score },
	{ "oom_score_adj", S_IFREG | 0644, .show = proc_show_oom_score_adj,
	  .write = proc_write_oom_score_adj },
	{ "oom_adj", S_IFREG | 0644, .show = proc_show_oom_adj, .write = proc_write_oom_adj },
	{ "coredump_filter", S_IFREG | 0644, .show = proc_show_coredump_filter,
	  .write = proc_write_coredump_filter },
	{ "mounts", S_IFREG | 0444, .show = proc_show_mounts },
	{ "mountinfo", S_IFREG | 0444, .show = proc_show_mountinfo },
	{ "exe", S_IFLNK | 0777, .link = proc_link_exe },
	{ "cwd", S_IFLNK | 0777, .link = proc_link_cwd },
	{ "root", S_IFLNK | 0777, .link = proc_link_root },
	{ "fd", S_IFDIR | 0500, .flags = PROCFS_FD_LIST },
	{ "task", S_IFDIR | 0555, .flags = PROCFS_TID_LIST | PROCFS_NOT_IN_TASK },
	{ "ptables", S_IFREG | 0444, .show = proc_show_ptables },
	{ NULL },
};

/* ---- snapshots ---- */

static char task_state_char(const struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING: return 'R';
	case TASK_INTERRUPTIBLE: return 'S';
	case TASK_UNINTERRUPTIBLE: return 'D';
	case TASK_STOPPED: return 'T';
	case TASK_TRACED: return 't';
	default: return 'X';
	}
}

/* The process and task n names, or NULL. (T) held. */
static struct process *find_locked(const struct procfs_node *n, struct task **tp)
{
	struct process *p = process_find_locked(n->pid);
	struct task *t = NULL;
	if (!p || p->state == PROC_REAPED)
		return NULL;
	if (n->tid) {
		t = task_find_locked(n->tid);
		if (!t || t->proc != p || t->state == TASK_DEAD)
			return NULL;
	} else if (p->state == PROC_ALIVE && !list_empty(&p->threads)) {
		t = p->leader ? p->leader : list_first_entry(&p->threads, struct task, thread_link);
	}
	*tp = t;
	return p;
}

/* The credentials /proc shows: a thread's own in task/TID, else the
 * process's. (T) held. */
static struct cred *n_tid_cred(struct process *p, struct task *t)
{
	return t && t->tid != p->pid ? t->real_cred : p->cred;
}

static void copy_fields_locked(struct proc_snapshot *s, struct process *p, struct task *t)
{
	s->pid = p->pid;
	s->tid = t ? t->tid : p->pid;
	s->ppid = p->parent && p->parent != p ? p->parent->pid : 0;
	s->tracer_pid = t && t->ptrace.tracer ? t->ptrace.tracer->pid : 0;
	s->seccomp_mode = t ? seccomp_mode_of(t) : 0;
	s->seccomp_filters = t ? seccomp_filters_of(t) : 0;
	s->pgid = p->pgid;
	s->sid = p->sid;
	s->nthreads = p->nthreads;
	s->state = p->state == PROC_ZOMBIE ? 'Z' : t ? task_state_char(t) : 'X';
	memcpy(s->comm, t && t->tid != p->pid ? t->comm : p->comm, sizeof(s->comm));   /* a thread's own */
	s->comm[sizeof(s->comm) - 1] = '\0';
	s->cred = cred_get(n_tid_cred(p, t));
	s->dumpable = p->dumpable;
	s->start_ns = p->start_ns;
	s->exit_signal = p->exit_signal;
	s->oom_score_adj = p->oom_score_adj;
	s->minor_faults = p->counters.minor_faults;
	s->major_faults = p->counters.major_faults;
	s->cow_copies = p->counters.cow_copies;
	s->cow_reuses = p->counters.cow_reuses;
	s->zero_fills = p->counters.zero_fills;
	s->pt_unshares = p->counters.pt_unshares;
	s->times = t && t->tid != p->pid ? sched_task_cpu_times(t) : proc_cpu_times_locked(p);
	s->child_times = p->child_times;
	struct task *st = t ? t : p->leader ? p->leader : NULL;
	if (st)
		sched_report(st, &s->sched);
	else
		s->sched.prio = 20;   /* a zombie: as Linux shows it */
}

int proc_snapshot_take(const struct procfs_node *n, unsigned want, struct proc_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	struct task *t = NULL;
	spin_lock(&tasklist_lock);
	struct process *p = find_locked(n, &t);
	if (!p) {
		spin_unlock(&tasklist_lock);
		return -ENOENT;
	}
	copy_fields_locked(s, p, t);
	if (t && (want & PROCFS_WANT_MM) && t->mm)
		s->mm = mm_get(t->mm);
	if (t && (want & PROCFS_WANT_FILES) && t->files)
		s->files = fdtable_get(t->files);
	if (t && (want & PROCFS_WANT_FS) && t->fs)
		s->fs = fs_context_get(t->fs);
	spin_unlock(&tasklist_lock);
	return 0;
}

void proc_snapshot_drop(struct proc_snapshot *s)
{
	cred_put(s->cred);
	s->cred = NULL;
	if (s->mm)
		mm_put(s->mm);
	if (s->files)
		fdtable_put(s->files);
	if (s->fs)
		fs_context_put(s->fs);
	s->mm = NULL;
	s->files = NULL;
	s->fs = NULL;
}

bool proc_exists(int pid, int tid)
{
	struct procfs_node n = { NULL, pid, tid, -1 };
	struct task *t;
	spin_lock(&tasklist_lock);
	bool found = find_locked(&n, &t) != NULL;
	spin_unlock(&tasklist_lock);
	return found;
}

int proc_next_pid(int from)
{
	int found = 0;
	spin_lock(&tasklist_lock);
	for (int pid = MAX(from, 1); pid < PID_MAX && !found; pid++) {
		struct process *p = process_find_locked(pid);
		if (p && p->state != PROC_REAPED)
			found = pid;
	}
	spin_unlock(&tasklist_lock);
	return found;
}

int proc_next_tid(int pid, int from)
{
	int best = 0;
	spin_lock(&tasklist_lock);
	struct process *p = process_find_locked(pid);
	struct task *t;
	if (p && p->state == PROC_ALIVE)
		list_for_each_entry(t, &p->threads, thread_link)
			if (t->tid >= from && (!best || t->tid < best))
				best = t->tid;
	spin_unlock(&tasklist_lock);
	return best;
}

void proc_count_tasks(int *running, int *total, int *last_pid)
{
	*running = *total = *last_pid = 0;
	spin_lock(&tasklist_lock);
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct process *p = process_find_locked(pid);
		struct task *t;
		if (!p || p->state != PROC_ALIVE)
			continue;
		*last_pid = pid;
		list_for_each_entry(t, &p->threads, thread_link) {
			*total += 1;
			*running += t->state == TASK_RUNNING;
		}
	}
	spin_unlock(&tasklist_lock);
}

int proc_next_fd(int pid, int from)
{
	struct procfs_node n = { NULL, pid, 0, -1 };
	struct proc_snapshot s;
	if (from < 0 || proc_snapshot_take(&n, PROCFS_WANT_FILES, &s))
		return -1;
	int found = -1;
	if (s.files) {
		spin_lock(&s.files->lock);
		for (uint32_t fd = (uint32_t)from; fd < s.files->max && found < 0; fd++)
			if (s.files->fds[fd])
				found = (int)fd;
		spin_unlock(&s.files->lock);
	}
	proc_snapshot_drop(&s);
	return found;
}

/* ---- status ---- */

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	case 'Z': return "Z (zombie)";
	default: return "X (dead)";
	}
}

#define KB(pages) ((unsigned long)((pages) * (PAGE_SIZE / 1024)))

static void status_vm(struct pbuf *b, const struct proc_mem_totals *m)
{
	pbuf_printf(b, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\n",
		    KB(m->size), KB(m->size), KB(m->locked), 0UL);
	pbuf_printf(b, "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n", KB(m->rss), KB(m->rss));
	pbuf_printf(b, "RssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\n",
		    KB(m->anon), KB(m->file - m->shmem), KB(m->shmem));
	pbuf_printf(b, "VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\nVmLib:\t%8lu kB\n",
		    KB(m->data), KB(m->stack), KB(m->exe), 0UL);
	pbuf_printf(b, "VmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n", KB(m->pgtables), KB(m->swap));
}

/* Aspen's own lines, after Linux's (docs/proc.md explains them). */
static void status_aspen(struct pbuf *b, const struct proc_snapshot *s,
			 const struct proc_mem_totals *m)
{
	pbuf_printf(b, "AspenMinorFaults:\t%lu\nAspenZeroFills:\t%lu\n",
		    (unsigned long)s->minor_faults, (unsigned long)s->zero_fills);
	pbuf_printf(b, "AspenCowCopies:\t%lu\nAspenCowReuses:\t%lu\n",
		    (unsigned long)s->cow_copies, (unsigned long)s->cow_reuses);
	pbuf_printf(b, "AspenPtUnshares:\t%lu\n", (unsigned long)s->pt_unshares);
	if (m)
		pbuf_printf(b, "AspenPagesShared:\t%lu\nAspenPageTablesShared:\t%lu\n",
			    (unsigned long)m->shared_pages, (unsigned long)m->pgtables_shared);
}

/* Uid, Gid (real, effective, saved, fs), FDSize and Groups, as Linux
 * (with its trailing space after the groups). */
static void status_ids(struct pbuf *b, const struct cred *c, uint32_t fdsize)
{
	pbuf_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid,
		    c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
	pbuf_printf(b, "FDSize:\t%u\nGroups:\t", fdsize);
	for (int i = 0; i < c->groups->ngroups; i++)
		pbuf_printf(b, i ? " %u" : "%u", c->groups->gid[i]);
	pbuf_printf(b, " \n");
}

static void status_caps(struct pbuf *b, const struct cred *c)
{
	pbuf_printf(b, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\n"
		    "CapAmb:\t%016lx\nNoNewPrivs:\t%d\n", (unsigned long)c->cap_inheritable,
		    (unsigned long)c->cap_permitted, (unsigned long)c->cap_effective,
		    (unsigned long)c->cap_bset, (unsigned long)c->cap_ambient, c->no_new_privs);
}

int proc_show_status(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM | PROCFS_WANT_FILES, &s))
		return -ESRCH;
	struct proc_mem_totals m;
	bool have_mm = s.mm && proc_mem_totals(s.mm, &m) == 0;
	uint32_t fdsize = 0;
	if (s.files) {
		spin_lock(&s.files->lock);
		fdsize = s.files->max;
		spin_unlock(&s.files->lock);
	}
	pbuf_printf(b, "Name:\t%s\nState:\t%s\n", s.comm, state_name(s.state));
	pbuf_printf(b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n", s.pid, s.tid, s.ppid,
		    s.tracer_pid);
	status_ids(b, s.cred, fdsize);
	pbuf_printf(b, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", s.pid, s.tid, s.pgid, s.sid);
	if (have_mm)
		status_vm(b, &m);
	pbuf_printf(b, "Threads:\t%d\n", s.nthreads);
	status_caps(b, s.cred);
	pbuf_printf(b, "Seccomp:\t%d\nSeccomp_filters:\t%d\n", s.seccomp_mode, s.seccomp_filters);
	proc_status_sched(b, &s);
	status_aspen(b, &s, have_mm ? &m : NULL);
	proc_snapshot_drop(&s);
	return 0;
}

/* ---- limits ---- */

static void limit_field(struct pbuf *b, uint64_t v)
{
	if (v == RLIM_INF)
		pbuf_printf(b, "%-20s ", "unlimited");
	else
		pbuf_printf(b, "%-20lu ", (unsigned long)v);
}

/* Linux's format: a header, then one line per limit, padded columns. */
int proc_show_limits(const struct procfs_node *n, struct pbuf *b)
{
	struct rlim r[NR_RLIMITS];
	if (rlimit_snapshot(n->pid, r))
		return -ESRCH;
	pbuf_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		const char *unit;
		pbuf_printf(b, "%-25s ", rlimit_name(i, &unit));
		limit_field(b, r[i].cur);
		limit_field(b, r[i].max);
		if (unit)
			pbuf_printf(b, "%-10s\n", unit);
		else
			pbuf_printf(b, "\n");
	}
	return 0;
}

/* ---- stat and statm ---- */

static void stat_mm_fields(struct mm *mm, uint64_t f[9])
{
	f[0] = mm->start_code;
	f[1] = mm->end_code;
	f[2] = mm->start_stack;
	f[3] = mm->start_data;
	f[4] = mm->end_data;
	f[5] = mm->brk_start;
	f[6] = mm->arg_start;
	f[7] = mm->arg_end;
	f[8] = mm->env_start;
}

int proc_show_stat(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	struct proc_mem_totals m = { 0 };
	uint64_t f[9] = { 0 }, env_end = 0;
	if (s.mm && proc_mem_totals(s.mm, &m) == 0) {
		stat_mm_fields(s.mm, f);
		env_end = s.mm->env_end;
	}
	unsigned long start = (unsigned long)(s.start_ns / NS_PER_TICK);
	uint64_t ut, st, cut, cst;
	cputime_split_ticks(&s.times, &ut, &st);
	cputime_split_ticks(&s.child_times, &cut, &cst);
	/* pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt */
	pbuf_printf(b, "%d (%s) %c %d %d %d 0 -1 4194304 %lu 0 %lu 0 ", s.tid, s.comm, s.state,
		    s.ppid, s.pgid, s.sid, (unsigned long)s.minor_faults, (unsigned long)s.major_faults);
	/* utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss rsslim */
	pbuf_printf(b, "%lu %lu %lu %lu %d %d %d 0 %lu %lu %lu " RLIM_INFINITY_STR " ",
		    (unsigned long)ut, (unsigned long)st, (unsigned long)cut, (unsigned long)cst,
		    s.sched.prio, s.sched.nice, s.nthreads, start,
		    (unsigned long)(m.size * PAGE_SIZE), (unsigned long)m.rss);
	/* startcode endcode startstack kstkesp kstkeip signal blocked sigignore sigcatch wchan nswap cnswap */
	pbuf_printf(b, "%lu %lu %lu 0 0 0 0 0 0 0 0 0 ", (unsigned long)f[0], (unsigned long)f[1],
		    (unsigned long)f[2]);
	/* exit_signal processor rt_priority policy blkio guest_time cguest_time */
	pbuf_printf(b, "%d %d %d %d 0 0 0 ", s.exit_signal, s.sched.cpu, s.sched.rt_priority, s.sched.policy);
	/* start_data end_data start_brk arg_start arg_end env_start env_end exit_code */
	pbuf_printf(b, "%lu %lu %lu %lu %lu %lu %lu 0\n", (unsigned long)f[3], (unsigned long)f[4],
		    (unsigned long)f[5], (unsigned long)f[6], (unsigned long)f[7], (unsigned long)f[8],
		    (unsigned long)env_end);
	proc_snapshot_drop(&s);
	return 0;
}

int proc_show_statm(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	struct proc_mem_totals m = { 0 };
	if (s.mm)
		proc_mem_totals(s.mm, &m);
	pbuf_printf(b, "%lu %lu %lu %lu 0 %lu 0\n", (unsigned long)m.size, (unsigned long)m.rss,
		    (unsigned long)m.file, (unsigned long)m.exe, (unsigned long)(m.data + m.stack));
	proc_snapshot_drop(&s);
	return 0;
}

/* ---- cmdline, environ, comm, mounts ---- */

/* The bytes [start, end) of the process's memory (what exec put there). */
static int show_user_range(const struct procfs_node *n, struct pbuf *b, bool env)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	int err = 0;
	if (s.mm) {
		vaddr_t start = env ? s.mm->env_start : s.mm->arg_start;
		vaddr_t end = env ? s.mm->env_end : s.mm->arg_end;
		size_t len = end > start ? MIN(end - start, CMDLINE_MAX) : 0;
		char *tmp = len ? kmalloc(len) : NULL;
		if (len && !tmp)
			err = -ENOMEM;
		if (tmp)
			pbuf_put(b, tmp, vm_report_read(s.mm, start, tmp, len));
		kfree(tmp);
	}
	proc_snapshot_drop(&s);
	return err;
}

int proc_show_cmdline(const struct procfs_node *n, struct pbuf *b)
{
	return show_user_range(n, b, false);
}

int proc_show_environ(const struct procfs_node *n, struct pbuf *b)
{
	return show_user_range(n, b, true);
}

int proc_show_comm(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, 0, &s))
		return -ESRCH;
	pbuf_printf(b, "%s\n", s.comm);
	proc_snapshot_drop(&s);
	return 0;
}

/* Writing comm renames a thread of the writer's own process (else
 * EINVAL), with the bytes as written, a newline too, cut to 15: Linux's
 * comm_write. */
long proc_write_comm(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos)
{
	char name[TASK_COMM_LEN];
	memset(name, 0, sizeof(name));
	if (copy_from_user(name, ubuf, MIN(len, sizeof(name) - 1)))
		return -EFAULT;
	struct task *t = NULL;
	spin_lock(&tasklist_lock);
	struct process *p = find_locked(n, &t);
	long ret = !p || !t ? -ESRCH : p != current->proc ? -EINVAL : (long)len;
	if (ret >= 0)
		prctl_set_comm(t, name);
	spin_unlock(&tasklist_lock);
	return ret;
}

/* The OOM killer's view (mm/oom.c): oom_score, and the settings. */
int proc_show_oom_score(const struct procfs_node *n, struct pbuf *b)
{
	if (!proc_exists(n->pid, 0))
		return -ESRCH;
	pbuf_printf(b, "%lu\n", oom_score_of(n->pid));
	return 0;
}

int proc_show_oom_score_adj(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, 0, &s))
		return -ESRCH;
	pbuf_printf(b, "%d\n", s.oom_score_adj);
	proc_snapshot_drop(&s);
	return 0;
}

int proc_show_oom_adj(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, 0, &s))
		return -ESRCH;
	pbuf_printf(b, "%d\n", oom_adj_from_score_adj(s.oom_score_adj));
	proc_snapshot_drop(&s);
	return 0;
}

/* The number written to an oom file: within [lo, hi], else -EINVAL. */
static long parse_oom_number(const char *ubuf, size_t len, long lo, long hi, long *v)
{
	char text[24];
	size_t k = MIN(len, sizeof(text) - 1);
	if (copy_from_user(text, ubuf, k))
		return -EFAULT;
	long took = sysctl_parse_long(text, k, v);
	if (took < 0 || (size_t)took != k || *v < lo || *v > hi)
		return -EINVAL;
	return 0;
}

/* Set n's process's oom_score_adj to adj, as Linux's __set_oom_adj: below
 * the process's floor only with CAP_SYS_RESOURCE (EACCES), which also
 * moves the floor; init's stays out of reach of the killer anyway. */
static long set_oom_score_adj(const struct procfs_node *n, int adj, size_t len)
{
	bool privileged = capable(CAP_SYS_RESOURCE);
	long ret = -ESRCH;
	struct task *t;
	spin_lock(&tasklist_lock);
	struct process *p = find_locked(n, &t);
	if (p && adj < p->oom_score_adj_min && !privileged) {
		ret = -EACCES;
	} else if (p) {
		p->oom_score_adj = adj;
		if (privileged)
			p->oom_score_adj_min = adj;
		ret = (long)len;
	}
	spin_unlock(&tasklist_lock);
	return ret;
}

long proc_write_oom_score_adj(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos)
{
	long v;
	long err = parse_oom_number(ubuf, len, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX, &v);
	return err ? err : set_oom_score_adj(n, (int)v, len);
}

/* The legacy scale, -17 (OOM_DISABLE) to 15, converted as Linux does. */
long proc_write_oom_adj(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos)
{
	long v;
	long err = parse_oom_number(ubuf, len, OOM_DISABLE, OOM_ADJUST_MAX, &v);
	return err ? err : set_oom_score_adj(n, oom_score_adj_from_adj((int)v), len);
}

/* coredump_filter: which memory a core of the process holds (its mm's
 * filter, proc/coredump.h), read as Linux prints it and written as a
 * number in any base; nothing to read once it has no memory. */
int proc_show_coredump_filter(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	if (s.mm)
		pbuf_printf(b, "%08x\n", coredump_filter_get(s.mm));
	proc_snapshot_drop(&s);
	return 0;
}

long proc_write_coredump_filter(const struct procfs_node *n, const char *ubuf, size_t len,
				uint64_t pos)
{
	char text[32];
	unsigned long v;
	size_t k = MIN(len, sizeof(text) - 1);
	if (copy_from_user(text, ubuf, k))
		return -EFAULT;
	long took = sysctl_parse_ulong(text, k, &v);
	if (took < 0 || (size_t)took != k)
		return -EINVAL;
	if (v > UINT32_MAX)
		return -ERANGE;
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	if (s.mm)
		coredump_filter_set(s.mm, (uint32_t)v);
	long ret = s.mm ? (long)len : -ESRCH;
	proc_snapshot_drop(&s);
	return ret;
}

/* ---- links ---- */

/* The inode of the program, cwd or root of n's process (referenced), or NULL. */
static struct inode *exe_inode(const struct procfs_node *n)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return NULL;
	struct inode *exe = s.mm && s.mm->exe ? inode_get(s.mm->exe) : NULL;
	proc_snapshot_drop(&s);
	return exe;
}

static struct inode *fs_dir_inode(const struct procfs_node *n, bool cwd)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_FS, &s))
		return NULL;
	struct inode *dir = s.fs ? (cwd ? fs_get_cwd(s.fs) : fs_get_root(s.fs)) : NULL;
	proc_snapshot_drop(&s);
	return dir;
}

/* The path of inode (consumed) into buf, -ENOENT without one. */
static int link_path(struct inode *inode, char *buf, size_t size)
{
	if (!inode)
		return -ENOENT;
	int err = procfs_inode_path(inode, buf, size);
	inode_put(inode);
	return err;
}

int proc_link_exe(const struct procfs_node *n, char *buf, size_t size)
{
	return link_path(exe_inode(n), buf, size);
}

int proc_link_cwd(const struct procfs_node *n, char *buf, size_t size)
{
	return link_path(fs_dir_inode(n, true), buf, size);
}

int proc_link_root(const struct procfs_node *n, char *buf, size_t size)
{
	return link_path(fs_dir_inode(n, false), buf, size);
}

/* The open file at n's descriptor, referenced, or NULL. */
static struct file *fd_file_of(const struct procfs_node *n)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_FILES, &s))
		return NULL;
	struct file *f = s.files ? fd_get(s.files, n->fd) : NULL;
	proc_snapshot_drop(&s);
	return f;
}

/* proc_link_object - what magic link n stands for: its inode in *out
 * (referenced), NULL for a file without one (an anonymous pipe). 0 or
 * -ENOENT (the process or descriptor is gone). */
int proc_link_object(const struct procfs_node *n, struct inode **out)
{
	int (*fn)(const struct procfs_node *, char *, size_t) = n->entry->link;
	*out = NULL;
	if (fn == proc_link_exe)
		*out = exe_inode(n);
	else if (fn == proc_link_cwd || fn == proc_link_root)
		*out = fs_dir_inode(n, fn == proc_link_cwd);
	else if (fn == proc_link_fd) {
		struct file *f = fd_file_of(n);
		if (!f)
			return -ENOENT;
		*out = f->inode ? inode_get(f->inode) : NULL;
		file_put(f);
		return 0;
	}
	return *out ? 0 : -ENOENT;
}

/* An open file's name: its path, or Linux's "pipe:[ino]" /
 * "anon_inode:[...]" for objects with no name. */
int proc_link_fd(const struct procfs_node *n, char *buf, size_t size)
{
	struct file *f = fd_file_of(n);
	if (!f)
		return -ENOENT;
	int err = 0;
	if (!f->inode)
		snprintf(buf, size, "anon_inode:[%s]", f->fops->name ? f->fops->name : f->private ? "pipe" : "file");
	else if (S_ISFIFO(f->inode->mode) && procfs_inode_path(f->inode, buf, size))
		snprintf(buf, size, "pipe:[%lu]", (unsigned long)f->inode->ino);
	else if (S_ISSOCK(f->inode->mode) && procfs_inode_path(f->inode, buf, size))
		snprintf(buf, size, "socket:[%lu]", (unsigned long)f->inode->ino);
	else if (procfs_inode_path(f->inode, buf, size) && !memfd_name(f->inode, buf, size))
		snprintf(buf, size, "anon_inode:[%s]", procfs_owns(f->inode) ? "proc" : "file");
	file_put(f);
	return err;
}
