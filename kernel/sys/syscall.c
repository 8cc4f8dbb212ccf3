/*
 * syscall.c - the system call table and the C side of the syscall
 * entry. Numbers are Linux's (from <asm/unistd_64.h>); each subsystem
 * lists its handlers in its syscalls.def. A number with no handler
 * returns -ENOSYS and is logged once, by name, as glibc and musl probe
 * for newer calls (clone3, rseq, ...) and fall back on -ENOSYS.
 */
#include "sys/syscall.h"
#include "arch.h"
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

typedef long (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

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

/* syscall_handler - from entry.S, interrupts on, tf at the top of the
 * kernel stack. The result goes to rax; then signals and rescheduling. */
void syscall_handler(struct trapframe *tf)
{
	struct task *t = current;
	t->tf = tf;
	__atomic_add_fetch(&t->proc->counters.syscalls, 1, __ATOMIC_RELAXED);
	if (!ptrace_syscall_entry(tf))   /* a tracer may cancel the call, rax as it left it */
		arch_set_syscall_return(tf, arch_syscall_dispatch(tf));
	ptrace_syscall_exit(tf);
	arch_irq_disable();
	sched_return_to_user(tf);
}
