/*
 * switch.S - arch_switch(struct context **old, struct context *new):
 * push the callee-saved registers on the current kernel stack, save the
 * stack pointer in *old, load new's, pop its registers and return into
 * it. A context is just the top of a switched-out kernel stack:
 *   r15 r14 r13 r12 rbx rbp, return address.
 */
	.text
	.globl arch_switch
arch_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* A new task's first switch returns here with fn in %r12 and arg in %r13. */
	.globl task_entry_trampoline
task_entry_trampoline:
	movq %r13, %rdi
	callq *%r12
	ud2
