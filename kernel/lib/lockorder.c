/*
 * lockorder.c - lock classes, their levels, and the debug kernel's
 * order checks (lockorder.h). The table is docs/locking.md's order;
 * change both together.
 */
#include "lib/lockorder.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch.h"

#define LEVEL_INTERNAL LOCK_LEVEL_INTERNAL

struct lock_class {
	const char *name;
	int level;
};

/* Sleeping locks (one order, per task) and spinlocks (another, per
 * CPU); a sleeping lock is never taken under a spinlock. */
static const struct lock_class classes[] = {
	/* sleeping locks, docs/locking.md's levels 0 to 4 */
	{ "epoll_mutex", 1 }, { "epoll", 2 }, { "file_pos", 3 },
	{ "pipe", 4 }, { "unix_sock", 4 }, { "procfs_open", 4 }, { "trace_open", 4 }, { "blk_write", 4 },
	{ "swapon", 5 }, { "oom", 6 },
	{ "futex_pi", 12 }, { "sem_ids", 12 }, { "msg_ids", 12 }, { "mq", 12 }, { "file_locks", 12 },
	{ "mm", 20 }, { "shm_ids", 22 },
	{ "shmem", 30 },
	{ "mount_table", 34 }, { "loop_ctl", 35 }, { "ext2_list", 36 }, { "devpts_mutex", 38 },
	{ "ramfs_ns", 40 }, { "ext2_ns", 40 }, { "inode", 45 }, { "ext2_alloc", 47 },
	{ "reclaim", 49 },   /* an allocation's direct reclaim, under any of the above */
	/* spinlocks, levels 5 to 12 */
	{ "tasklist", 50 }, { "sighand", 60 }, { "fdtable_lock", 70 }, { "fs_lock", 70 },
	{ "tty", 75 }, { "blk_queue", 77 }, { "loop", 78 }, { "epoll_hooks", 78 }, { "inotify", 79 },
	{ "futex", LEVEL_INTERNAL }, { "swap_io_wq", LEVEL_INTERNAL }, { "swapon_mutex", LEVEL_INTERNAL },
	{ "reclaim_mutex", LEVEL_INTERNAL }, { "oom_mutex", LEVEL_INTERNAL }, { "trace", LEVEL_INTERNAL },
	{ "blk_waiter", LEVEL_INTERNAL }, { "file_locks_wait", LEVEL_INTERNAL },
	{ "trace_readers", LEVEL_INTERNAL }, { "core_dump_wq", LEVEL_INTERNAL },
	{ "epoll_mutex_lock", LEVEL_INTERNAL },
	{ "timerfd_cancel", 84 }, { "proc_timers", 85 }, { "timerfd", 85 }, { "epoll_lock", 85 }, { "epoll_wq", 86 },
	{ "rq", 90 }, { "vblk", 92 }, { "timer_base", 94 }, { "swap_lock", 95 }, { "keys", 96 }, { "frame_lock", 100 },
	{ "mm_list", 105 }, { "inode_mappers", 105 }, { "ramfs_files", 105 }, { "mmlist_lock", 105 }, { "mount_lock", 105 },
	{ "chardev_lock", 105 }, { "random_lock", 105 }, { "eventfd", 105 }, { "file_flags", 105 }, { "sysctl", 105 },
	{ "pipes", 105 }, { "unix_table", 105 }, { "unix_inflight", 105 }, { "mq_charge", 105 }, { "pty_lock", 105 }, { "blkdev", 105 }, { "vdso", 105 },
	{ "pci_config", 105 }, { "pci_msi", 105 }, { "boot_id", 104 }, { "kcmp_cookies", 104 }, { "ntp", 105 }, { "ext2_icache", 105 }, { "xattr_mem", 105 },
	{ "kmalloc-", 110 }, { "kmalloc_debug", 115 }, { "console", 120 },
	{ "never_released", 1 },
};

int lock_level_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		size_t n = strlen(classes[i].name);
		bool prefix = classes[i].name[n - 1] == '-';   /* "kmalloc-": every size */
		if (prefix ? strncmp(name, classes[i].name, n) == 0 : strcmp(name, classes[i].name) == 0)
			return classes[i].level;
	}
	return 0;
}

/* A class with no level: every lock has one (the table above), so a
 * new lock left out of it stops the debug kernel at its first use. */
static void unknown_class(const char *name)
{
	panic("lockorder: lock class \"%s\" has no level (add it to lockorder.c's table and docs/locking.md)",
	      name);
}

/* The spinlocks each CPU holds, in the order taken. */
#define SPIN_DEPTH 16
static struct {
	struct spinlock *held[SPIN_DEPTH];
	int n;
} cpu_locks[ARCH_MAX_CPUS];

static int spin_level(struct spinlock *l)
{
	if (!l->level)
		l->level = lock_level_of(l->name);
	if (!l->level) {
		l->level = -1;
		unknown_class(l->name);
	}
	return l->level;
}

void lockorder_spin_acquire(struct spinlock *l, bool nested)
{
	int level = spin_level(l);
	int cpu = arch_cpu_id();
	if (cpu < 0 || cpu >= ARCH_MAX_CPUS)
		return;
	int n = cpu_locks[cpu].n;
	for (int i = 0; i < n && i < SPIN_DEPTH; i++) {
		struct spinlock *h = cpu_locks[cpu].held[i];
		if (nested && h->level == level && strcmp(h->name, l->name) == 0)
			continue;
		if (level > 0 && h->level > 0 && h->level >= level)
			panic("lock order: taking %s (level %d) while holding %s (level %d) on CPU %d",
			      l->name, level, h->name, h->level, cpu);
	}
	if (n < SPIN_DEPTH)
		cpu_locks[cpu].held[n] = l;
	cpu_locks[cpu].n = n + 1;
}

void lockorder_spin_release(struct spinlock *l)
{
	int cpu = arch_cpu_id();
	if (cpu < 0 || cpu >= ARCH_MAX_CPUS)
		return;
	int n = MIN(cpu_locks[cpu].n, SPIN_DEPTH);
	for (int i = n - 1; i >= 0; i--) {
		if (cpu_locks[cpu].held[i] != l)
			continue;
		for (int j = i; j + 1 < n; j++)
			cpu_locks[cpu].held[j] = cpu_locks[cpu].held[j + 1];
		break;
	}
	cpu_locks[cpu].n--;
}

void lockorder_sleep_check(const char *name, int level, const char *held_name, int held_level)
{
	if (!held_name && irq_push_depth())
		panic("lock order: taking the sleeping lock %s with a spinlock held", name);
	if (level <= 0) {
		if (!held_name)
			unknown_class(name);
		return;
	}
	if (held_name && held_level > 0 && held_level >= level)
		panic("lock order: taking %s (level %d) while holding %s (level %d)", name, level,
		      held_name, held_level);
}
