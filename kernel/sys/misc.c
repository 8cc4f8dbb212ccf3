/*
 * misc.c - system calls about the system as a whole:
 * random bytes, sysinfo, reboot, and Aspen's own counters.
 */
#include "ipc/ipc.h"
#include "sys/syscall.h"
#include "proc/task.h"
#include "proc/cred.h"
#include "proc/sched.h"
#include "mm/vm.h"
#include "mm/swap.h"
#include "mm/frame.h"
#include "mm/reclaim.h"
#include "mm/usercopy.h"
#include "fs/random.h"
#include "lib/errno.h"
#include "time/clock.h"
#include "lib/string.h"
#include "lib/console.h"
#include "mm/kmalloc.h"
#include <linux/time.h>
#include <linux/reboot.h>

#define NSEC_PER_SEC 1000000000L
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4
#define GETRANDOM_MAX (32 << 20)

long sys_getrandom(void *ubuf, size_t len, unsigned flags)
{
	uint8_t chunk[256];
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, (size_t)GETRANDOM_MAX);
	for (size_t done = 0; done < len; done += sizeof(chunk)) {
		size_t n = MIN(sizeof(chunk), len - done);
		random_bytes(chunk, n);
		if (copy_to_user((uint8_t *)ubuf + done, chunk, n))
			return -EFAULT;
	}
	return (long)len;
}

/* struct sysinfo of Linux x86-64. */
struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

long sys_sysinfo(struct linux_sysinfo *u)
{
	struct linux_sysinfo si;
	struct frame_stats st;
	memset(&si, 0, sizeof(si));
	frame_get_stats(&st);
	si.uptime = (int64_t)(arch_clock_ns() / NSEC_PER_SEC);
	unsigned long l[3];
	sched_load_avg(l);
	for (int i = 0; i < 3; i++)
		si.loads[i] = (uint64_t)l[i] * 65536 / 100;   /* sysinfo's 1 << SI_LOAD_SHIFT */
	si.totalram = st.total * PAGE_SIZE;
	si.freeram = st.free * PAGE_SIZE;
	uint64_t swap_total, swap_free;
	swap_totals(&swap_total, &swap_free);
	si.totalswap = swap_total * PAGE_SIZE;
	si.freeswap = swap_free * PAGE_SIZE;
	si.procs = 1;   /* processes: not counted yet */
	si.mem_unit = 1;
	return copy_to_user(u, &si, sizeof(si));
}

long sys_reboot(uint32_t magic1, uint32_t magic2, uint32_t cmd, void *arg)
{
	if (magic1 != LINUX_REBOOT_MAGIC1 || (magic2 != LINUX_REBOOT_MAGIC2 &&
	    magic2 != LINUX_REBOOT_MAGIC2A && magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_RESTART:
		pr_info("[aspen] power off\n");
		arch_poweroff(0);
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	unsigned zero = 0, here = (unsigned)arch_cpu_id();
	if ((cpu && copy_to_user(cpu, &here, 4)) || (node && copy_to_user(node, &zero, 4)))
		return -EFAULT;
	return 0;
}

/* The system's swap figures. */
static void swap_counters(struct aspen_counters *c)
{
	swap_totals(&c->sys_swap_total, &c->sys_swap_free);
	c->sys_major_faults = swap_stats.pgmajfault;
	c->sys_swap_cached = swap_cache_pages();
	c->sys_swap_cache_idle = swap_cache_idle_pages();
	c->sys_pswpin = swap_stats.pswpin;
	c->sys_pswpout = swap_stats.pswpout;
}

_Static_assert(offsetof(struct aspen_counters, major_faults) == ASPEN_COUNTERS_SIZE_V1,
	       "aspen_counters: fields are appended, never inserted");

/* aspen_counters(pid, out, size): include/uapi/aspen.h. */
long sys_aspen_counters(int pid, struct aspen_counters *uout, size_t size)
{
	if (size < ASPEN_COUNTERS_SIZE_V1)
		return -EINVAL;
	struct aspen_counters c;
	memset(&c, 0, sizeof(c));
	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find_locked(pid) : current->proc;
	struct task *t = p && p->state == PROC_ALIVE && !list_empty(&p->threads)
		? list_first_entry(&p->threads, struct task, thread_link) : NULL;
	struct mm *mm = t && t->mm ? mm_get(t->mm) : NULL;
	if (p) {
		c.minor_faults = p->counters.minor_faults;
		c.cow_copies = p->counters.cow_copies;
		c.cow_reuses = p->counters.cow_reuses;
		c.zero_fills = p->counters.zero_fills;
		c.pt_unshares = p->counters.pt_unshares;
		c.major_faults = p->counters.major_faults;
		c.syscalls = p->counters.syscalls;
	}
	spin_unlock(&tasklist_lock);
	if (!p)
		return -ESRCH;
	if (mm) {
		struct mm_usage u;
		vm_usage(mm, &u);
		c.resident_pages = u.resident;
		c.shared_pages = u.shared;
		c.pt_pages = u.pgtables;
		c.pt_shared_pages = u.pgtables_shared;
		c.swap_pages = u.swapped;
		c.shmem_pages = u.shmem;
		mm_put(mm);
	}
	struct frame_stats st;
	task_exits_settle();   /* a collected child's stack may not be freed yet (other CPU) */
	reclaim_settle();      /* nor the pages reclaim was writing out when it exited */
	frame_get_stats(&st);
	c.sys_frames_total = st.total;
	c.sys_frames_used = st.used;
	c.sys_minor_faults = vm_stats.minor_faults;
	c.sys_cow_copies = vm_stats.cow_copies;
	c.sys_cow_reuses = vm_stats.cow_reuses;
	c.sys_zero_fills = vm_stats.zero_fills;
	c.sys_forks = vm_stats.forks;
	c.sys_pt_shared_pages = vm_stats.pt_shared;
	c.sys_pt_unshares = vm_stats.pt_unshares;
	swap_counters(&c);
	shm_counts(&c.sys_shm_segments, &c.sys_shm_pages);
	return copy_to_user(uout, &c, MIN(size, sizeof(c)));   /* older programs get their prefix */
}

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* Copy the newest len bytes of the log to the user, a chunk at a time. */
static long syslog_read_all(char *ubuf, size_t len)
{
	size_t total = MIN(len, console_log_size());
	char *tmp = kmalloc(total ? total : 1);
	if (!tmp)
		return -ENOMEM;
	size_t got = console_log_read(tmp, total);
	long err = copy_to_user(ubuf, tmp, got);
	kfree(tmp);
	return err ? err : (long)got;
}

/* syslog(type, buf, len) - the kernel log, as dmesg reads it. Clearing
 * is accepted and ignored: the log is a ring and keeps its history. */
long sys_syslog(int type, char *ubuf, int len)
{
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
	case SYSLOG_ACTION_CLEAR:
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
		return 0;
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (len < 0)
			return -EINVAL;
		return len ? syslog_read_all(ubuf, (size_t)len) : 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		console_loglevel = len;
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return (long)console_log_size();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return 64 * 1024;
	default:
		return -EINVAL;
	}
}
