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
#define GDT_USER_DS 0x2b
#define GDT_USER_CS 0x33
#define VEC_SYSCALL 0x100
#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16
#define TF_GPRS (15 * 8)
#define TF_RIP (TF_GPRS + 16)
#define TF_CS (TF_RIP + 8)
#define TF_RFLAGS (TF_RIP + 16)
#define TF_RSP (TF_RIP + 24)
#define TF_RCX (12 * 8)
#define TF_R11 (4 * 8)

.macro PUSH_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
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
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
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
	PUSH_GPRS
	movq %rsp, %rdi
	sti
	call syscall_handler
	/* fall through */

/* syscall_return - sysret when the frame allows it (rcx and r11 equal
 * to rip and rflags, rip canonical, user code segment), else iret. */
	.globl syscall_return
syscall_return:
	cli
	movq TF_RIP(%rsp), %rcx
	cmpq %rcx, TF_RCX(%rsp)
	jne trap_return
	movq TF_RFLAGS(%rsp), %r11
	cmpq %r11, TF_R11(%rsp)
	jne trap_return
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
