/*
 * coredump.h - core dumps: a process killed by a signal whose default
 * action dumps core writes an ELF core file (ET_CORE), as Linux does
 * (docs/coredump.md).
 *
 * proc/coredump.c decides whether and where (the dumpable flag,
 * RLIMIT_CORE, kernel.core_pattern, kernel.core_uses_pid) and stops the
 * other threads; proc/coredump_elf.c writes the file: the notes gdb
 * reads and the memory coredump_filter selects. The registers come from
 * the arch (arch/regs.h).
 */
#ifndef ASPEN_PROC_COREDUMP_H
#define ASPEN_PROC_COREDUMP_H
#include "lib/kernel.h"
#include "proc/signal.h"

struct task;
struct inode;
struct mm;

/* The signals whose default action dumps core (Linux's SIG_KERNEL_COREDUMP_MASK). */
#define SIG_KERNEL_COREDUMP (SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
			     SIGBIT(SIGABRT) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | \
			     SIGBIT(SIGSEGV) | SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ) | SIGBIT(SIGSYS))
static inline bool sig_dumps_core(int sig)
{
	return sig >= 1 && sig < SIGRTMIN && (SIGBIT(sig) & SIG_KERNEL_COREDUMP);
}

/* The wait status bit of a death that left a core (WCOREDUMP). */
#define WCOREFLAG 0x80

/* coredump_filter's bits (Linux's MMF_DUMP_*). */
#define DUMP_ANON_PRIVATE   0x01
#define DUMP_ANON_SHARED    0x02
#define DUMP_MAPPED_PRIVATE 0x04
#define DUMP_MAPPED_SHARED  0x08
#define DUMP_ELF_HEADERS    0x10
#define DUMP_FILTER_MASK    0x1ff    /* the 9 bits Linux keeps */

/*
 * coredump_begin_locked - thread t has taken sig, whose default action
 * dumps core: the group dies of sig as kill_group_locked makes it, and
 * each other thread, as it exits, waits in coredump_thread_exit until
 * the dump is written. Returns true if t is to write it (do_coredump
 * next, with no lock held); false if the group was dying already or no
 * core can be written (not dumpable, RLIMIT_CORE below a page): then
 * the caller kills the group as for any fatal signal.
 * tasklist_lock held.
 */
bool coredump_begin_locked(struct task *t, int sig);
/*
 * do_coredump - the dumping thread, after coredump_begin_locked: wait for
 * the other threads to stop, write the core if the rules allow, and let
 * them go on to exit. A core written sets WCOREFLAG in the group's exit
 * status. May sleep; no lock held.
 */
void do_coredump(const struct ksiginfo *info);
/*
 * coredump_thread_exit - the start of every thread's exit: while a dump
 * of its group waits for it, save its registers for the dump and sleep
 * until the dump is done. Takes tasklist_lock; may sleep.
 */
void coredump_thread_exit(struct task *t);

/*
 * core_write_elf - the ELF core of current's process into ip (a regular
 * file, empty), with the dumping thread first and the others the dump
 * waited for; at most limit bytes (RLIMIT_CORE: writing stops at the
 * first piece that would pass it, as Linux's dump_emit). Returns 0 once
 * the notes are made, even when the writing stopped early (Linux counts
 * that as dumped), or -ENOMEM. May sleep. (proc/coredump_elf.c)
 */
int core_write_elf(struct inode *ip, const struct ksiginfo *info, uint64_t limit);

/* coredump_filter_get / coredump_filter_set - mm's coredump_filter. */
uint32_t coredump_filter_get(struct mm *mm);
void coredump_filter_set(struct mm *mm, uint32_t filter);
#endif
