/*
 * boot.S - from the multiboot loader to 64-bit C.
 *
 * QEMU's -kernel loads this image as multiboot (v1) with the a.out
 * kludge: the header below gives the physical load addresses, so QEMU
 * need not understand a 64-bit ELF. We arrive in 32-bit protected mode,
 * paging off, EAX = multiboot magic, EBX = physical address of the
 * multiboot information. Until paging is on, code runs at its physical
 * address, so data is named as (symbol - KERNEL_VMA).
 *
 * Boot page tables map the first 4 GiB twice with 2 MiB pages: at 0
 * (identity, only for the jump into long mode, removed in C), at the
 * direct map 0xffff888000000000, and the kernel image at
 * 0xffffffff80000000.
 */
#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS ((1 << 1) | (1 << 16)) /* memory map; load addresses in header */

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define EFER_MSR 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long PHYS(mb_header)   /* header_addr */
	.long PHYS(_kernel_start) /* load_addr */
	.long PHYS(_edata)      /* load_end_addr */
	.long PHYS(_end)        /* bss_end_addr */
	.long PHYS(_start32)    /* entry_addr */

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	movl %eax, %esi
	rdtsc                    /* cycles since reset: the firmware's time */
	movl %eax, PHYS(boot_entry_tsc)
	movl %edx, PHYS(boot_entry_tsc) + 4
	movl %esi, %eax
	movl $PHYS(boot_stack_top), %esp
	movl %eax, PHYS(mb_magic)
	movl %ebx, PHYS(mb_info)

	/* PD entries: 2048 x 2 MiB pages covering 4 GiB, in four PDs. */
	movl $PHYS(boot_pd), %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edi,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax           /* bits 32+ of the address: ecx >> 11 */
	movl %eax, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	/* PDPT for the identity and direct maps: 4 entries -> the 4 PDs. */
	movl $PHYS(boot_pdpt_low), %edi
	movl $PHYS(boot_pd), %eax
	orl $(PTE_P | PTE_W), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi,%ecx,8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jne 2b

	/* PDPT for the kernel image: entry 510 -> first PD (0..1 GiB). */
	movl $PHYS(boot_pd), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, PHYS(boot_pdpt_high) + 510 * 8

	/* PML4: 0 and 273 (0xffff888000000000) -> low PDPT, 511 -> high PDPT. */
	movl $PHYS(boot_pdpt_low), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, PHYS(boot_pml4)
	movl %eax, PHYS(boot_pml4) + 273 * 8
	movl $PHYS(boot_pdpt_high), %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, PHYS(boot_pml4) + 511 * 8

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE | CR0_WP), %eax
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x10, $PHYS(start64_low)

	.code64
start64_low:
	movabsq $start64, %rax
	jmp *%rax

	.text
start64:
	movw $0x18, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_top, %rsp
	xorq %rbp, %rbp
	movl mb_magic(%rip), %edi
	movl mb_info(%rip), %esi
	call kmain
3:	hlt
	jmp 3b

	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0
	.quad 0x00af9a000000ffff  /* 0x10: 64-bit kernel code */
	.quad 0x00cf92000000ffff  /* 0x18: kernel data */
boot_gdt_end:
	.balign 4
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.data
	.globl mb_magic, mb_info, boot_entry_tsc
mb_magic: .long 0
mb_info: .long 0
	.balign 8
boot_entry_tsc: .quad 0

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4: .skip 4096
	.globl boot_pdpt_low
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4 * 4096
	.globl boot_stack_top
boot_stack: .skip 16384
boot_stack_top:
