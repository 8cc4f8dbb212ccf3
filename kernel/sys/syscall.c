/*
 * syscall.c - the system call table and the C side of the syscall
 * entry. Numbers are Linux's (from <asm/unistd_64.h>); each subsystem
 * lists its handlers in its syscalls.def. A number with no handler
 * returns -ENOSYS and is logged once, by name, as glibc and musl probe
 * for newer calls (clone3, rseq, ...) and fall back on -ENOSYS.
 */
#include "sys/syscall.h"
#include "arch.h"
#include "proc/seccomp.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "lib/errno.h"
#include "mm/vmcheck.h"
#include "mm/fail_alloc.h"
#include "mm/kmalloc_debug.h"
#include <asm/unistd_64.h>
#include "syscall_names.h"
#include <uapi/aspen.h>

long sys_aspen_counters(int pid, struct aspen_counters *uout, size_t size);

/* Declarations of every handler, then the table. */
#define SYSCALL(name, fn) long fn();
#include "fs/syscalls.def"
#include "mm/syscalls.def"
#include "mm/swap.def"
#include "proc/syscalls.def"
#include "sys/syscalls.def"
#include "fs/pipe.def"
#include "proc/signal.def"
#include "proc/futex.def"
#include "time/syscalls.def"
#include "ipc/syscalls.def"
#include "sched/syscalls.def"
#include "fs/event.def"
#include "net/syscalls.def"
#include "keys/syscalls.def"
#undef SYSCALL

#define NR_SYSCALLS 512
#define SYSCALL(name, fn) [__NR_##name] = (syscall_fn)(void (*)(void))fn,
static const syscall_fn syscall_table[NR_SYSCALLS] = {
#include "fs/syscalls.def"
#include "mm/syscalls.def"
#include "mm/swap.def"
#include "proc/syscalls.def"
#include "sys/syscalls.def"
#include "fs/pipe.def"
#include "proc/signal.def"
#include "proc/futex.def"
#include "time/syscalls.def"
#include "ipc/syscalls.def"
#include "sched/syscalls.def"
#include "fs/event.def"
#include "net/syscalls.def"
#include "keys/syscalls.def"
};
#undef SYSCALL

/* The calls that must go the slow way: they copy, replace or read the
 * whole register frame (fork, clone, exec, sigreturn; exit, whose
 * registers a core dump or a tracer's exit stop may show). */
#define SYSCALL_SLOW(nr) ((nr) == __NR_fork || (nr) == __NR_vfork || (nr) == __NR_clone || \
	(nr) == __NR_clone3 || (nr) == __NR_execve || (nr) == __NR_execveat || \
	(nr) == __NR_exit || (nr) == __NR_exit_group || (nr) == __NR_rt_sigreturn)

/* The fast path's handlers of the calls whose allocations fault
 * injection follows (alloc_path_of): the handler inside the path. */
#define MMAP_PATH_CALL(name) \
static long fast_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) \
{ \
	unsigned path = alloc_path_enter(ALLOC_PATH_MMAP); \
	long ret = sys_##name(a0, a1, a2, a3, a4, a5); \
	alloc_path_leave(path); \
	return ret; \
}
MMAP_PATH_CALL(mmap)
MMAP_PATH_CALL(munmap)
MMAP_PATH_CALL(mprotect)
MMAP_PATH_CALL(mremap)
MMAP_PATH_CALL(brk)
#define FAST_FN(nr, fn) ((nr) == __NR_mmap ? fast_mmap : (nr) == __NR_munmap ? fast_munmap : \
	(nr) == __NR_mprotect ? fast_mprotect : (nr) == __NR_mremap ? fast_mremap : \
	(nr) == __NR_brk ? fast_brk : (syscall_fn)(void (*)(void))fn)

/* syscall_fast_table - the handlers entry.S's fast path calls directly;
 * every other entry is syscall_fast_miss (entry.S), which goes back to
 * the slow path, so the fast path has no test for a missing handler. */
void syscall_fast_miss(void);
#define FAST_MISS ((syscall_fn)(void (*)(void))syscall_fast_miss)
#define SYSCALL(name, fn) [__NR_##name] = SYSCALL_SLOW(__NR_##name) ? FAST_MISS : FAST_FN(__NR_##name, fn),
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"   /* the default, then the handlers */
const syscall_fn syscall_fast_table[NR_SYSCALLS] = {
	[0 ... NR_SYSCALLS - 1] = FAST_MISS,
#include "fs/syscalls.def"
#include "mm/syscalls.def"
#include "mm/swap.def"
#include "proc/syscalls.def"
#include "sys/syscalls.def"
#include "fs/pipe.def"
#include "proc/signal.def"
#include "proc/futex.def"
#include "time/syscalls.def"
#include "ipc/syscalls.def"
#include "sched/syscalls.def"
#include "fs/event.def"
#include "net/syscalls.def"
};
#pragma GCC diagnostic pop
#undef SYSCALL

int syscall_exit_slow_all;

static uint8_t logged_missing[NR_SYSCALLS / 8];   /* benign race: at worst two log lines */

const char *syscall_name(uint64_t nr)
{
	return nr < ARRAY_SIZE(syscall_names) ? syscall_names[nr] : NULL;
}

static long missing_syscall(uint64_t nr)
{
	if (nr < NR_SYSCALLS && !(logged_missing[nr / 8] & (1 << (nr % 8)))) {
		logged_missing[nr / 8] |= 1 << (nr % 8);
		const char *name = syscall_name(nr);
		pr_debug("aspen: syscall %s (%lu) not implemented: -ENOSYS\n", name ? name : "?", nr);
	}
	return -ENOSYS;
}

static long call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (nr < NR_SYSCALLS && syscall_table[nr])
		return syscall_table[nr](a0, a1, a2, a3, a4, a5);
	if (nr == SYS_aspen_counters)
		return sys_aspen_counters((int)a0, (struct aspen_counters *)a1, a2);
	return missing_syscall(nr);
}

/* The debug kernel counts the heap blocks of the first program that
 * init starts (the one tools/aspen-exec runs): from its exec on. */
static void first_program_started(void)
{
	static bool marked;
	if (!marked && current->proc->pid > 1) {
		marked = true;
		kmalloc_debug_mark();
	}
}

/* The allocation path of a call for fault injection (mm/fail_alloc.h);
 * fork and clone mark theirs in do_clone, faults in the fault handler. */
static unsigned alloc_path_of(uint64_t nr)
{
	switch (nr) {
	case __NR_mmap: case __NR_munmap: case __NR_mprotect: case __NR_mremap: case __NR_brk:
		return ALLOC_PATH_MMAP;
	case __NR_execve: case __NR_execveat:
		return ALLOC_PATH_EXEC;
	default:
		return 0;
	}
}

/* A call with an allocation path, the checker on, or no handler. */
static long dispatch_slow(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			  uint64_t a3, uint64_t a4, uint64_t a5)
{
	unsigned path = alloc_path_enter(alloc_path_of(nr));
	long ret = call(nr, a0, a1, a2, a3, a4, a5);
	alloc_path_leave(path);
	if (DEBUG_KERNEL && alloc_path_of(nr) == ALLOC_PATH_EXEC && ret == 0)
		first_program_started();
	if (vmcheck_mode)
		vmcheck_after_syscall((long)nr);
	return ret;
}

/* Most calls need none of dispatch_slow's bookkeeping (entering an
 * empty allocation path changes nothing): straight to the handler. */
long syscall_dispatch(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (likely(nr < NR_SYSCALLS && syscall_table[nr] && !vmcheck_mode && !alloc_path_of(nr)))
		return syscall_table[nr](a0, a1, a2, a3, a4, a5);
	return dispatch_slow(nr, a0, a1, a2, a3, a4, a5);
}

/* syscall_exit_work - from entry.S after a fast call found work for the
 * way out (interrupts off, the frame complete): what syscall_handler
 * does after the call. */
void syscall_exit_work(struct trapframe *tf)
{
	if (vmcheck_mode || current->traced) {   /* a tracer may have come while the call slept */
		arch_irq_enable();
		if (vmcheck_mode)
			vmcheck_after_syscall(arch_syscall_nr(tf));
		ptrace_syscall_exit(tf);
		arch_irq_disable();
	}
	sched_return_to_user(tf);
}

/* syscall_handler - from entry.S's slow path, interrupts on, tf at the
 * top of the kernel stack. The result goes to rax; then signals and
 * rescheduling. */
void syscall_handler(struct trapframe *tf)
{
	struct task *t = current;
	t->tf = tf;
	__atomic_add_fetch(&t->proc->counters.syscalls, 1, __ATOMIC_RELAXED);
	/* a tracer may cancel the call (rax as it left it), then a seccomp
	 * filter (its verdict in rax), as Linux checks them */
	if (!ptrace_syscall_entry(tf) && (!t->seccomp_on || seccomp_syscall_entry(tf)))
		arch_set_syscall_return(tf, arch_syscall_dispatch(tf));
	ptrace_syscall_exit(tf);
	arch_irq_disable();
	sched_return_to_user(tf);
}

/* panic_report_calls - see lib/kernel.h. Once per panic: a fault while
 * reporting (the report reads tasks a broken kernel may have freed)
 * panics again, and the second panic goes straight on. */
void panic_report_calls(void)
{
	static int reported;
	if (__atomic_exchange_n(&reported, 1, __ATOMIC_RELAXED))
		return;
	for (int cpu = 0; cpu < arch_ncpus(); cpu++) {
		void *p;
		long nr = -1;
		uint64_t a[6];
		bool in_call = arch_cpu_syscall(cpu, &p, &nr, a);
		struct task *t = p;
		if (!t)
			continue;
		const char *name = in_call ? syscall_name((uint64_t)nr) : NULL;
		if (!in_call)
			printk(LOG_ERR, "cpu %d: task %d (%.16s) in no system call\n", cpu, t->tid, t->comm);
		else
			printk(LOG_ERR, "cpu %d: task %d (%.16s) in %s (%ld) 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx\n",
			       cpu, t->tid, t->comm, name ? name : "?", nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
}
