/*
 * seccomp.h - system call filtering (seccomp(2), PR_SET_SECCOMP), as
 * Linux's: strict mode (read, write, exit, rt_sigreturn only) and
 * filter mode (classic BPF programs over struct seccomp_data, inherited
 * by fork and clone, kept across execve). docs/seccomp.md.
 */
#ifndef ASPEN_PROC_SECCOMP_H
#define ASPEN_PROC_SECCOMP_H
#include "lib/kernel.h"
#include <linux/filter.h>
#include <linux/seccomp.h>

#define AUDIT_ARCH_X86_64 0xc000003eU   /* <linux/audit.h>: EM_X86_64 | 64-bit | little-endian */
#define SECCOMP_MAX_INSNS_PER_PATH 32768 /* Linux's: all filters of a task, 4 more per filter */
#define SECCOMP_MODE_DEAD 3              /* killed by a verdict: any further call kills it (Linux's) */

struct task;
struct process;
struct trapframe;

/* A filter: one program, and the filters installed before it (prev),
 * which run too. Shared by tasks (fork, clone, TSYNC) and by the filters
 * installed after it; freed with the last reference. */
struct seccomp_filter {
	uint32_t refs;                   /* (a) */
	bool log;                        /* (c) SECCOMP_FILTER_FLAG_LOG */
	struct seccomp_filter *prev;     /* (c) referenced, or NULL */
	uint32_t len;                    /* (c) instructions */
	struct sock_filter insns[];      /* (c) checked by seccomp_bpf_check */
};

/* seccomp_bpf_check - check (and rewrite the length loads of) a program
 * of len instructions as Linux does: 0, -EINVAL, or -ENOMEM. */
int seccomp_bpf_check(struct sock_filter *insns, uint32_t len);
/* seccomp_bpf_run - run a checked program on d: its return value. */
uint32_t seccomp_bpf_run(const struct sock_filter *insns, uint32_t len, const struct seccomp_data *d);

/* seccomp_syscall_entry - the calling task's filters on the call tf
 * entered with (after ptrace's entry stop): true to run it; false when
 * it is not to run, its result already in tf (an errno, or the syscall
 * number for a SIGSYS) or the task killed. Only for tasks with
 * seccomp_on set. No lock held; may sleep (a ptrace stop). */
bool seccomp_syscall_entry(struct trapframe *tf);
/* seccomp_clone_locked - child c starts with the calling thread's mode and
 * filters. (T) held: TSYNC changes threads' filters under it. */
void seccomp_clone_locked(struct task *c);
/* seccomp_release - drop t's filters (the task is being freed). */
void seccomp_release(struct task *t);
/* seccomp_mode_of / seccomp_filters_of - for PR_GET_SECCOMP and
 * /proc/PID/status (Seccomp:, Seccomp_filters:). */
int seccomp_mode_of(const struct task *t);
int seccomp_filters_of(const struct task *t);
/* seccomp_prctl - PR_SET_SECCOMP (mode, filter program). */
long seccomp_prctl(uint64_t mode, uint64_t filter);
long sys_seccomp(unsigned op, unsigned flags, void *uargs);
#endif
