/*
 * sched.c - what /proc shows of scheduling: /proc/PID/sched (Linux's
 * debug file, its main lines) and the scheduling lines of
 * /proc/PID/status. The figures come from sched_report (proc/sched.h).
 */
#include "fs/procfs/procfs.h"
#include "proc/task.h"
#include "lib/string.h"
#include "lib/errno.h"

#define SCHED_LINE "%-45s:%21lu\n"
#define SCHED_MS_LINE "%-45s:%14lu.%06lu\n"
#define LOAD_SCALE 1024   /* Linux shows weights scaled up by 2^10 on 64-bit */

/* Linux's kernel-internal prio: 120 + nice, or 99 - rt_priority (the
 * stat file's priority plus 100). */
static int kernel_prio(const struct sched_report *r)
{
	return 100 + r->prio;
}

static void ms_line(struct pbuf *b, const char *name, uint64_t ns)
{
	pbuf_printf(b, SCHED_MS_LINE, name, (unsigned long)(ns / 1000000), (unsigned long)(ns % 1000000));
}

int proc_show_sched(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, 0, &s))
		return -ESRCH;
	const struct sched_report *r = &s.sched;
	pbuf_printf(b, "%s (%d, #threads: %d)\n", s.comm, s.tid, s.nthreads);
	pbuf_printf(b, "-------------------------------------------------------------------\n");
	ms_line(b, "se.exec_start", r->exec_start);
	ms_line(b, "se.vruntime", r->vruntime);
	ms_line(b, "se.sum_exec_runtime", r->runtime_ns);
	pbuf_printf(b, SCHED_LINE, "se.nr_migrations", (unsigned long)r->nr_migrations);
	pbuf_printf(b, SCHED_LINE, "nr_switches", (unsigned long)(r->nr_voluntary + r->nr_involuntary));
	pbuf_printf(b, SCHED_LINE, "nr_voluntary_switches", (unsigned long)r->nr_voluntary);
	pbuf_printf(b, SCHED_LINE, "nr_involuntary_switches", (unsigned long)r->nr_involuntary);
	pbuf_printf(b, SCHED_LINE, "se.load.weight", (unsigned long)(r->weight * LOAD_SCALE));
	pbuf_printf(b, SCHED_LINE, "policy", (unsigned long)r->policy);
	pbuf_printf(b, SCHED_LINE, "prio", (unsigned long)kernel_prio(r));
	proc_snapshot_drop(&s);
	return 0;
}

/* A CPU mask as a list of ranges ("0-1,3"). */
static void cpu_list(struct pbuf *b, uint64_t mask)
{
	bool first = true;
	for (int cpu = 0; cpu < 64; cpu++) {
		if (!(mask & (1UL << cpu)))
			continue;
		int end = cpu;
		while (end + 1 < 64 && (mask & (1UL << (end + 1))))
			end++;
		pbuf_printf(b, end > cpu ? "%s%d-%d" : "%s%d", first ? "" : ",", cpu, end);
		first = false;
		cpu = end;
	}
}

void proc_status_sched(struct pbuf *b, const struct proc_snapshot *s)
{
	pbuf_printf(b, "Cpus_allowed:\t%lx\nCpus_allowed_list:\t", (unsigned long)s->sched.cpus_allowed);
	cpu_list(b, s->sched.cpus_allowed);
	pbuf_printf(b, "\nvoluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
		    (unsigned long)s->sched.nr_voluntary, (unsigned long)s->sched.nr_involuntary);
}
