/*
 * entry.S - every way into the kernel and back out.
 *
 * Interrupts and exceptions enter through one stub per vector, which
 * pushes a zero error code when the CPU gives none, then the vector,
 * then trap_common saves the general registers: the result is a
 * struct trapframe (cpu.h) handed to trap_handler(). System calls enter
 * through syscall_entry, which builds the same frame by hand.
 *
 * %gs holds the per-CPU area in the kernel and the user's GS base in
 * user mode: swapgs on every crossing.
 */
#include "asm-offsets.h"   /* TF_*, TASK_*: generated from the C structures */
#ifndef DEBUG_KERNEL
#define DEBUG_KERNEL 0
#endif
#define GDT_USER_DS 0x2b
#define GDT_USER_CS 0x33
#define VEC_SYSCALL 0x100
#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16
#define PERCPU_CURRENT 24
#define NR_SYSCALLS 512            /* sys/syscall.c */
#define ERESTART_RESTARTBLOCK 516  /* the restart codes are -516..-512 (lib/errno.h) */
#define TF_CALLEE_SAVED 48         /* r15, r14, r13, r12, rbp, rbx: the frame's lowest slots */

/* The frame's general registers, in struct trapframe's order: those a
 * C function may change (all the system call fast path saves), then
 * those it keeps. */
.macro PUSH_CALLER_SAVED
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
.endm

.macro POP_CALLER_SAVED
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
.endm

.macro PUSH_GPRS
	PUSH_CALLER_SAVED
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	POP_CALLER_SAVED
.endm

/* The registers the system call fast path leaves out of the frame (C
 * code keeps them as they were): into their slots, for the slow path. */
.macro SAVE_CALLEE_SAVED
	movq %r15, TF_R15(%rsp)
	movq %r14, TF_R14(%rsp)
	movq %r13, TF_R13(%rsp)
	movq %r12, TF_R12(%rsp)
	movq %rbp, TF_RBP(%rsp)
	movq %rbx, TF_RBX(%rsp)
.endm

/* Close the user-access window that a fault may have interrupted. */
.macro CLAC_IF_SMAP
	testb $1, smap_enabled(%rip)
	jz 99f
	clac
99:
.endm

.macro ISR_NOERR vec
	.globl isr\vec
isr\vec:
	pushq $0
	pushq $\vec
	jmp trap_common
.endm

.macro ISR_ERR vec
	.globl isr\vec
isr\vec:
	pushq $\vec
	jmp trap_common
.endm

	.text
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
.altmacro
.set i, 32
.rept 224
	ISR_NOERR %i
	.set i, i + 1
.endr

trap_common:
	testb $3, 24(%rsp)          /* saved %cs: from user mode? */
	jz 1f
	swapgs
1:	PUSH_GPRS
	CLAC_IF_SMAP
	cld
	movq %rsp, %rdi
	call trap_handler
	/* fall through */

/* trap_return - restore the frame at %rsp and iret. Also the first
 * return to user mode of every new task. */
	.globl trap_return
trap_return:
	cli
	testb $3, TF_CS(%rsp)
	jz 2f
	swapgs
2:	POP_GPRS
	addq $16, %rsp              /* vector and error code */
	iretq

/*
 * syscall_entry - the target of the syscall instruction: %rcx holds the
 * user %rip, %r11 the user %rflags; SFMASK has cleared IF, TF, DF and AC.
 *
 * The fast path saves what the ABI needs (the hardware frame, the
 * syscall number as orig_rax, the registers a C function may change),
 * calls the handler straight from syscall_fast_table, and goes back with
 * sysret, after one test of the task's exit_work word (signals, resched,
 * a tracer, sigsuspend's mask), of a restart code in %rax, of the trap
 * flag (iret then, see syscall_return) and of a quiesce in progress. Everything else goes through the slow path, with
 * the whole frame saved: a call with no fast-table entry (fork, exec,
 * sigreturn, the calls fault injection follows; sys/syscall.c), a traced
 * task, vmcheck, and every call in the debug kernel.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KERNEL_RSP, %rsp
	pushq $GDT_USER_DS
	pushq %gs:PERCPU_USER_RSP
	pushq %r11
	pushq $GDT_USER_CS
	pushq %rcx
	pushq %rax                  /* error slot: the syscall number (orig_rax), for restarts */
	pushq $VEC_SYSCALL
	PUSH_CALLER_SAVED
	subq $TF_CALLEE_SAVED, %rsp
#if !DEBUG_KERNEL
	movq %gs:PERCPU_CURRENT, %r11
	cmpw $0, TASK_TRACED(%r11)  /* traced, or seccomp_on: the byte after it */
	jne syscall_slow
	cmpq $NR_SYSCALLS, %rax
	jae syscall_slow
	movq TASK_PROC(%r11), %r11
	lock incq PROC_SYSCALLS(%r11)
	movq %r10, %rcx
	sti
	call *syscall_fast_table(,%rax,8)
	movq %rax, TF_RAX(%rsp)
	cli
	movq %gs:PERCPU_CURRENT, %r11
	cmpl $0, TASK_EXIT_WORK(%r11)
	jne syscall_exit_slow
	cmpl $0, syscall_exit_slow_all(%rip)
	jne syscall_exit_slow
	leaq ERESTART_RESTARTBLOCK(%rax), %rcx
	cmpq $4, %rcx
	jbe syscall_exit_slow      /* -ERESTART*: signal_work_pending decides */
	testq $0x100, TF_RFLAGS(%rsp)
	jnz syscall_exit_slow      /* RFLAGS_TF: iret, see syscall_return */
	addq $TF_CALLEE_SAVED, %rsp
	POP_CALLER_SAVED            /* %rcx: the user's %rip, %r11 its %rflags, as sysret wants */
	movq 40(%rsp), %rsp         /* user %rsp, after vector, error, rip, cs, rflags */
	swapgs
	sysretq
#else
	jmp syscall_slow            /* the debug kernel checks every return */
#endif

/* syscall_fast_miss - syscall_fast_table's entry for a call that must
 * take the slow path: called by the fast path, so drop the return
 * address and the count the fast path added (syscall_handler counts). */
	.globl syscall_fast_miss
syscall_fast_miss:
	addq $8, %rsp
	movq %gs:PERCPU_CURRENT, %r11
	movq TASK_PROC(%r11), %r11
	lock decq PROC_SYSCALLS(%r11)
	/* fall through */

/* The whole call in C: ptrace stops, the slow dispatch, signals. */
syscall_slow:
	SAVE_CALLEE_SAVED
	movq %rsp, %rdi
	sti
	call syscall_handler
	jmp syscall_return

/* After a fast call, work on the way out (interrupts off). */
syscall_exit_slow:
	SAVE_CALLEE_SAVED
	movq %rsp, %rdi
	call syscall_exit_work
	/* fall through */

/* syscall_return - sysret when the frame allows it (rcx and r11 equal
 * to rip and rflags, rip canonical, user code segment, no trap flag),
 * else iret. sysret with TF set traps before the first user instruction;
 * iret lets one run first, as a single step (ptrace) must. */
	.globl syscall_return
syscall_return:
	cli
	movq TF_RIP(%rsp), %rcx
	cmpq %rcx, TF_RCX(%rsp)
	jne trap_return
	movq TF_RFLAGS(%rsp), %r11
	cmpq %r11, TF_R11(%rsp)
	jne trap_return
	testq $0x100, %r11          /* RFLAGS_TF */
	jnz trap_return
	movq $0x00007ffffffff000, %r11
	cmpq %r11, %rcx
	jae trap_return
	cmpq $GDT_USER_CS, TF_CS(%rsp)
	jne trap_return
	POP_GPRS
	movq 40(%rsp), %rsp         /* user %rsp, after vector, error, rip, cs, rflags */
	swapgs
	sysretq

	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
.macro ISR_ADDR n
	.quad isr\n
.endm
.set i, 0
.rept 256
	ISR_ADDR %i
	.set i, i + 1
.endr
