/*
 * sys.c - the files at the top of /proc that describe the whole system
 * (meminfo, uptime, loadavg, stat, cpuinfo, version, filesystems,
 * vmstat, kpagecount) and the self and thread-self links.
 *
 * What Aspen does not measure reads as zero: CPU time is not accounted
 * per task or per state yet, so /proc/stat shows every tick as idle and
 * the load averages are 0.00 (docs/proc.md).
 */
#include "arch.h"
#include "boot.h"
#include "fs/procfs/procfs.h"
#include "fs/locks.h"
#include "ipc/ipc.h"
#include "keys/keys.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "mm/vm_report.h"
#include "mm/swap.h"
#include "mm/oom.h"
#include "mm/commit.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "time/clock.h"
#include "lib/string.h"
#include "lib/gzip.h"
#include "mm/kmalloc.h"
#include "sys/config.h"

static int sys_show_locks(const struct procfs_node *n, struct pbuf *b);
static const struct procfs_entry sysvipc_entries[] = {
	{ "shm", S_IFREG | 0444, .show = proc_show_sysvipc_shm },
	{ "sem", S_IFREG | 0444, .show = proc_show_sysvipc_sem },
	{ "msg", S_IFREG | 0444, .show = proc_show_sysvipc_msg },
	{ NULL },
};

const struct procfs_entry procfs_root_entries[] = {
	{ "self", S_IFLNK | 0777, .link = sys_link_self },
	{ "thread-self", S_IFLNK | 0777, .link = sys_link_thread_self },
	{ "meminfo", S_IFREG | 0444, .show = sys_show_meminfo },
	{ "uptime", S_IFREG | 0444, .show = sys_show_uptime },
	{ "loadavg", S_IFREG | 0444, .show = sys_show_loadavg },
	{ "stat", S_IFREG | 0444, .show = sys_show_stat },
	{ "cpuinfo", S_IFREG | 0444, .show = sys_show_cpuinfo },
	{ "version", S_IFREG | 0444, .show = sys_show_version },
	{ "filesystems", S_IFREG | 0444, .show = sys_show_filesystems },
	{ "mounts", S_IFREG | 0444, .show = proc_show_mounts },
	{ "vmstat", S_IFREG | 0444, .show = sys_show_vmstat },
	{ "partitions", S_IFREG | 0444, .show = sys_show_partitions },
	{ "diskstats", S_IFREG | 0444, .show = sys_show_diskstats },
	{ "swaps", S_IFREG | 0444, .show = sys_show_swaps },
	{ "locks", S_IFREG | 0444, .show = sys_show_locks },
	{ "keys", S_IFREG | 0444, .show = proc_show_keys },
	{ "kpagecount", S_IFREG | 0400, .read = proc_read_kpagecount },
	{ "sys", S_IFDIR | 0555, .flags = PROCFS_SYSCTL },
	{ "config.gz", S_IFREG | 0444, .show = sys_show_config_gz },
	{ "aspen-trace", S_IFREG | 0600, .fops = &procfs_trace_fops },
	{ "profile", S_IFREG | 0600, .fops = &procfs_profile_fops },
	{ "cmdline", S_IFREG | 0444, .show = sys_show_cmdline },
	{ "sysvipc", S_IFDIR | 0555, .dir = sysvipc_entries },
	{ NULL },
};

#define KB_PER_PAGE (PAGE_SIZE / 1024)

/* /proc/locks: one line per file lock in Linux's format (fs/locks.c's
 * lock_get_status), numbered from 1. */
struct locks_ctx {
	struct pbuf *b;
	int n;
};

static void locks_line(void *arg, const struct lock_report *r)
{
	struct locks_ctx *c = arg;
	pbuf_printf(c->b, "%d: %-6s ADVISORY  %s %d %02x:%02x:%lu ", ++c->n, r->kind,
		    r->write ? "WRITE" : "READ", r->pid, DEV_MAJOR(r->dev), DEV_MINOR(r->dev),
		    (unsigned long)r->ino);
	if (r->whole || r->end < 0)
		pbuf_printf(c->b, "%ld EOF\n", r->whole ? 0L : (long)r->start);
	else
		pbuf_printf(c->b, "%ld %ld\n", (long)r->start, (long)r->end);
}

static int sys_show_locks(const struct procfs_node *n, struct pbuf *b)
{
	struct locks_ctx c = { b, 0 };
	locks_report(locks_line, &c);
	return 0;
}


static void meminfo_line(struct pbuf *b, const char *key, uint64_t pages)
{
	pbuf_printf(b, "%-16s%8lu kB\n", key, (unsigned long)(pages * KB_PER_PAGE));
}

/* Page-cache frames are ramfs contents that cannot be dropped, so they
 * count as Shmem and not as available; swap-cache frames nobody maps can
 * be dropped (written first if dirty), so they are available. The
 * commit figures are mm/commit.c's: CommitLimit from vm.overcommit_ratio
 * (or _kbytes) as Linux computes it, Committed_AS what was promised. */
int sys_show_meminfo(const struct procfs_node *n, struct pbuf *b)
{
	struct frame_stats st;
	struct vm_frame_census c;
	uint64_t swap_total, swap_free, cached = swap_cache_pages();
	frame_get_stats(&st);
	vm_report_frame_census(&c);
	swap_totals(&swap_total, &swap_free);
	uint64_t reserve = frame_wmark.high;
	uint64_t avail = st.free + cached > reserve ? st.free + cached - reserve : 0;
	meminfo_line(b, "MemTotal:", st.total);
	meminfo_line(b, "MemFree:", st.free);
	meminfo_line(b, "MemAvailable:", avail);
	meminfo_line(b, "Buffers:", 0);
	meminfo_line(b, "Cached:", c.file);
	meminfo_line(b, "SwapCached:", cached);
	meminfo_line(b, "SwapTotal:", swap_total);
	meminfo_line(b, "SwapFree:", swap_free);
	meminfo_line(b, "AnonPages:", c.other > cached ? c.other - cached : 0);
	meminfo_line(b, "Shmem:", c.file);
	meminfo_line(b, "Slab:", c.slab);
	meminfo_line(b, "SReclaimable:", 0);
	meminfo_line(b, "SUnreclaim:", c.slab);
	meminfo_line(b, "AspenKernel:", c.kernel);   /* Aspen's: stacks, large blocks */
	meminfo_line(b, "PageTables:", c.ptables);
	meminfo_line(b, "CommitLimit:", vm_commit_limit());
	meminfo_line(b, "Committed_AS:", vm_committed_pages());
	return 0;
}

/* Linux's layout: the path padded to 40 columns, then tab-separated
 * type, size and use in KiB, priority. */
int sys_show_swaps(const struct procfs_node *n, struct pbuf *b)
{
	pbuf_printf(b, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	swap_areas_lock();
	for (int i = 0; i < MAX_SWAPFILES; i++) {
		struct swap_area_info a;
		if (!swap_area_get_info(i, &a))
			continue;
		size_t len = strlen(a.name);
		unsigned long size = (unsigned long)(a.size_pages * KB_PER_PAGE);
		unsigned long used = (unsigned long)(a.used_pages * KB_PER_PAGE);
		pbuf_printf(b, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", a.name, len < 40 ? (int)(40 - len) : 1, " ",
			    a.is_block ? "partition" : "file\t", size, size < 10000000 ? "\t" : "", used,
			    used < 10000000 ? "\t" : "", a.prio);
	}
	swap_areas_unlock();
	return 0;
}

/* "seconds.hundredths" of a nanosecond count. */
static void put_seconds(struct pbuf *b, uint64_t ns, const char *after)
{
	pbuf_printf(b, "%lu.%02lu%s", (unsigned long)(ns / 1000000000UL),
		    (unsigned long)(ns / 10000000UL % 100), after);
}

int sys_show_uptime(const struct procfs_node *n, struct pbuf *b)
{
	put_seconds(b, arch_clock_ns(), " ");
	put_seconds(b, 0, "\n");
	return 0;
}

int sys_show_loadavg(const struct procfs_node *n, struct pbuf *b)
{
	int running, total, last;
	proc_count_tasks(&running, &total, &last);
	unsigned long l[3];
	sched_load_avg(l);
	pbuf_printf(b, "%lu.%02lu %lu.%02lu %lu.%02lu %d/%d %d\n", l[0] / 100, l[0] % 100,
		    l[1] / 100, l[1] % 100, l[2] / 100, l[2] % 100, running, total, last);
	return 0;
}

int sys_show_stat(const struct procfs_node *n, struct pbuf *b)
{
	int running, total, last;
	uint64_t boot = (uint64_t)clock_realtime_offset_ns() / 1000000000UL;
	uint64_t t[ARCH_MAX_CPUS][3], sum[3] = { 0, 0, 0 };
	proc_count_tasks(&running, &total, &last);
	for (int cpu = 0; cpu < arch_ncpus(); cpu++) {
		sched_cpu_ticks(cpu, &t[cpu][0], &t[cpu][1], &t[cpu][2]);
		for (int k = 0; k < 3; k++)
			sum[k] += t[cpu][k];
	}
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	pbuf_printf(b, "cpu  %lu 0 %lu %lu 0 0 0 0 0 0\n", (unsigned long)sum[0],
		    (unsigned long)sum[1], (unsigned long)sum[2]);
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		pbuf_printf(b, "cpu%d %lu 0 %lu %lu 0 0 0 0 0 0\n", cpu, (unsigned long)t[cpu][0],
			    (unsigned long)t[cpu][1], (unsigned long)t[cpu][2]);
	pbuf_printf(b, "intr 0\nctxt 0\nbtime %lu\nprocesses %lu\n", (unsigned long)boot,
		    (unsigned long)vm_stats.forks);
	pbuf_printf(b, "procs_running %d\nprocs_blocked 0\nsoftirq 0\n", running);
	return 0;
}

int sys_show_cpuinfo(const struct procfs_node *n, struct pbuf *b)
{
	int ncpus = arch_ncpus();
	for (int cpu = 0; cpu < ncpus; cpu++)
		pbuf_printf(b, "processor\t: %d\nvendor_id\t: unknown\nmodel name\t: x86-64 CPU\n"
			    "cpu MHz\t\t: 0.000\ncache size\t: 0 KB\nphysical id\t: 0\nsiblings\t: %d\n"
			    "core id\t\t: %d\ncpu cores\t: %d\nfpu\t\t: yes\nflags\t\t: fpu tsc sse sse2\n"
			    "bogomips\t: 0.00\nclflush size\t: 64\naddress sizes\t: 48 bits physical, "
			    "48 bits virtual\n\n", cpu, ncpus, cpu, ncpus);
	return 0;
}

/* The kernel's command line, as the boot loader gave it. */
int sys_show_cmdline(const struct procfs_node *n, struct pbuf *b)
{
	pbuf_printf(b, "%s\n", boot_info.cmdline);
	return 0;
}

int sys_show_version(const struct procfs_node *n, struct pbuf *b)
{
	pbuf_printf(b, "Linux version 6.1.0-aspen (Aspen teaching kernel) #1 SMP Aspen\n");
	return 0;
}

/* Linux's pgfault, then Aspen's copy-on-write counters under their own names. */
int sys_show_vmstat(const struct procfs_node *n, struct pbuf *b)
{
	struct frame_stats st;
	frame_get_stats(&st);
	pbuf_printf(b, "nr_free_pages %lu\nnr_swapcached %lu\npgfault %lu\npgmajfault %lu\n",
		    (unsigned long)st.free, (unsigned long)swap_cache_pages(),
		    (unsigned long)(vm_stats.minor_faults + swap_stats.pgmajfault),
		    (unsigned long)swap_stats.pgmajfault);
	pbuf_printf(b, "pswpin %lu\npswpout %lu\npgscan_kswapd %lu\npgsteal_kswapd %lu\noom_kill %lu\n",
		    (unsigned long)swap_stats.pswpin, (unsigned long)swap_stats.pswpout,
		    (unsigned long)swap_stats.pgscan, (unsigned long)swap_stats.pgsteal,
		    (unsigned long)swap_stats.oom_kill);
	pbuf_printf(b, "aspen_zero_fills %lu\naspen_cow_copies %lu\naspen_cow_reuses %lu\n"
		    "aspen_forks %lu\n", (unsigned long)vm_stats.zero_fills,
		    (unsigned long)vm_stats.cow_copies, (unsigned long)vm_stats.cow_reuses,
		    (unsigned long)vm_stats.forks);
	pbuf_printf(b, "aspen_pt_shared %lu\naspen_pt_unshares %lu\n",
		    (unsigned long)vm_stats.pt_shared, (unsigned long)vm_stats.pt_unshares);
	return 0;
}

/* /proc/config.gz: the configuration text (sys/config.c), gzip-wrapped. */
int sys_show_config_gz(const struct procfs_node *n, struct pbuf *b)
{
	size_t len = config_text(NULL, 0), gzlen = gzip_stored_size(len);
	char *text = kmalloc(len + 1);
	uint8_t *gz = kmalloc(gzlen);
	if (text && gz) {
		config_text(text, len + 1);
		pbuf_put(b, gz, gzip_stored(text, len, gz));
	}
	kfree(text);
	kfree(gz);
	return text && gz ? 0 : -ENOMEM;
}

int sys_link_self(const struct procfs_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%d", current->proc->pid);
	return 0;
}

int sys_link_thread_self(const struct procfs_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%d/task/%d", current->proc->pid, current->tid);
	return 0;
}
