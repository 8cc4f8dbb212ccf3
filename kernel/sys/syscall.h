/*
 * syscall.h - the Linux x86-64 system call table.
 *
 * Each subsystem lists its calls in its own syscalls.def as lines
 *   SYSCALL(read, sys_read)
 * (the name as in <asm/unistd_64.h> without __NR_, and the handler).
 * Handlers take their real argument types and return long: a result
 * >= 0, or -errno. sys/syscall.c gathers the .def files into the table,
 * indexed by Linux numbers; a number without a handler returns -ENOSYS
 * and is logged once by name.
 */
#ifndef ASPEN_SYS_SYSCALL_H
#define ASPEN_SYS_SYSCALL_H
#include "lib/kernel.h"

/* syscall_dispatch - run syscall nr with its six arguments; returns the
 * value for rax. Called from the arch entry with interrupts on. */
long syscall_dispatch(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5);
/* syscall_handler / syscall_exit_work - the slow path of the arch entry
 * (the whole call; the way out of a fast call that found work), and
 * syscall_fast_table, what its fast path calls directly (sys/syscall.c). */
struct trapframe;
void syscall_handler(struct trapframe *tf);
void syscall_exit_work(struct trapframe *tf);
typedef long (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
extern const syscall_fn syscall_fast_table[];
/* syscall_exit_slow_all - nonzero: every fast call leaves through
 * syscall_exit_work (vmcheck checks after each call; a quiesce waits
 * for the CPUs). Atomic adds and subtracts, one per reason. */
extern int syscall_exit_slow_all;
/* syscall_name - Linux's name of nr, or NULL. */
const char *syscall_name(uint64_t nr);
#endif
