/*
 * trampoline.S - where an application processor starts. The start-up
 * IPI begins it in 16-bit real mode at TRAMP (a page below 1 MiB, the
 * vector times 4 KiB); smp.c copies this code there first and fills in
 * the three slots at the end: the page table to use (it maps this page
 * 1:1 as well as the kernel), the stack, and the 64-bit entry point.
 * From real mode to protected mode to long mode, then a jump to the
 * kernel's own address.
 */
#define TRAMP 0x8000
#define T(x) ((x) - ap_trampoline + TRAMP)
#define CR0_PE 0x1
#define CR0_PG_WP 0x80010000
#define CR4_PAE 0x20
#define EFER_MSR 0xC0000080
#define EFER_LME_NXE 0x900

	.section .rodata
	.code16
	.globl ap_trampoline, ap_trampoline_end, tramp_cr3, tramp_stack, tramp_entry
ap_trampoline:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME_NXE, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG_WP, %eax
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp64)

	.code64
tramp64:
	movq T(tramp_stack), %rsp
	movq T(tramp_entry), %rax
	xorq %rbp, %rbp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff   /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff   /* 0x10: data */
	.quad 0x00af9a000000ffff   /* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word 31
	.long T(tramp_gdt)
	.balign 8
tramp_cr3: .quad 0
tramp_stack: .quad 0
tramp_entry: .quad 0
ap_trampoline_end:
