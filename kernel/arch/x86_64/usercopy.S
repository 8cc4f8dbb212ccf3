/*
 * usercopy.S - raw copies between kernel and user memory. A fault on a
 * marked instruction is recovered through the exception table (see
 * trap.c): execution resumes at the fixup, which returns the number of
 * bytes NOT copied. The callers (mm/usercopy.c) check the range first.
 *
 * uint64_t arch_copy_user(void *dst, const void *src, uint64_t n)
 * uint64_t arch_clear_user(void *dst, uint64_t n)
 * The SMAP window (stac/clac) is opened by the caller.
 */
.macro EX_ENTRY fault, fixup
	.pushsection __ex_table, "a"
	.balign 8
	.quad \fault, \fixup
	.popsection
.endm

	.text
/* Eight bytes a step, then the tail byte by byte (as Linux's copy on
 * CPUs without fast strings: rep movsb counts one instruction a byte
 * under QEMU's -icount, and was 8 % of posix_spawn). A fault in the
 * eight-byte part goes on byte by byte from the step that faulted, so
 * the bytes left come out exact, as before. */
	.globl arch_copy_user
arch_copy_user:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
1:	rep movsq
	movl %edx, %ecx
2:	rep movsb
	xorl %eax, %eax
	ret
3:	leaq (%rdx, %rcx, 8), %rcx   /* what the eight-byte part left, and the tail */
	jmp 2b
4:	movq %rcx, %rax      /* bytes left */
	ret
	EX_ENTRY 1b, 3b
	EX_ENTRY 2b, 4b

	.globl arch_clear_user
arch_clear_user:
	movq %rsi, %rcx
	shrq $3, %rcx
	andl $7, %esi
	xorl %eax, %eax
5:	rep stosq
	movl %esi, %ecx
6:	rep stosb
	ret
7:	leaq (%rsi, %rcx, 8), %rcx
	jmp 6b
8:	movq %rcx, %rax
	ret
	EX_ENTRY 5b, 7b
	EX_ENTRY 6b, 8b

/* int arch_get_user_byte(const uint8_t *src, uint8_t *out): 0 or -1. */
	.globl arch_get_user_byte
arch_get_user_byte:
5:	movb (%rdi), %al
	movb %al, (%rsi)
	xorl %eax, %eax
	ret
6:	movl $-1, %eax
	ret
	EX_ENTRY 5b, 6b

/* int arch_user_cmpxchg_raw(uint32_t *uaddr, uint32_t old, uint32_t new,
 * uint32_t *seen): one locked compare-and-exchange on a user word;
 * *seen gets the value found there. 0, or -1 on an unresolved fault. */
	.globl arch_user_cmpxchg_raw
arch_user_cmpxchg_raw:
	movl %esi, %eax
7:	lock cmpxchgl %edx, (%rdi)
	movl %eax, (%rcx)
	xorl %eax, %eax
	ret
8:	movl $-1, %eax
	ret
	EX_ENTRY 7b, 8b
