/*
 * gdt.c - segment descriptors and the task state segment.
 *
 * Long mode ignores segment bases and limits except for FS/GS (set by
 * MSR) and the TSS, which holds the stack the CPU loads when an
 * interrupt arrives in user mode (rsp0) and the emergency stacks (IST).
 * One GDT and TSS per CPU; only the boot CPU runs for now.
 */
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iopb_offset;
} __packed;

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define IST_STACK_SIZE 8192
#define NMI_STACK_SIZE 16384

/* One GDT, TSS and emergency stack per CPU, indexed by CPU number. */
static uint64_t gdts[MAX_CPUS][10];
static struct tss tsss[MAX_CPUS];
static uint8_t double_fault_stacks[MAX_CPUS][IST_STACK_SIZE] __attribute__((aligned(16)));
/* The NMI may arrive between syscall_return's switch to the user stack
 * and sysretq: it needs a stack of its own. */
static uint8_t nmi_stacks[MAX_CPUS][NMI_STACK_SIZE] __attribute__((aligned(16)));

/* Descriptor words: present, DPL, code/data, long mode, 4 KiB limit. */
#define SEG_CODE64(dpl) (0x00af9a000000ffffUL | ((uint64_t)(dpl) << 45))
#define SEG_DATA(dpl)   (0x00cf92000000ffffUL | ((uint64_t)(dpl) << 45))
#define SEG_CODE32(dpl) (0x00cf9a000000ffffUL | ((uint64_t)(dpl) << 45))

static void gdt_set_tss(uint64_t *gdt, int index, uint64_t base, uint32_t limit)
{
	gdt[index] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		     ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[index + 1] = base >> 32;
}

/* gdt_init - load CPU cpu's GDT and TSS and reload the segment registers. */
void gdt_init(int cpu)
{
	uint64_t *gdt = gdts[cpu];
	struct tss *tss = &tsss[cpu];
	gdt[1] = SEG_CODE32(0);
	gdt[GDT_KERNEL_CS >> 3] = SEG_CODE64(0);
	gdt[GDT_KERNEL_DS >> 3] = SEG_DATA(0);
	gdt[GDT_USER32_CS >> 3] = SEG_CODE32(3);
	gdt[GDT_USER_DS >> 3] = SEG_DATA(3);
	gdt[GDT_USER_CS >> 3] = SEG_CODE64(3);
	memset(tss, 0, sizeof(*tss));
	tss->ist[IST_DOUBLE_FAULT - 1] = (uint64_t)double_fault_stacks[cpu] + IST_STACK_SIZE;
	tss->ist[IST_NMI - 1] = (uint64_t)nmi_stacks[cpu] + NMI_STACK_SIZE;
	tss->iopb_offset = sizeof(*tss);
	gdt_set_tss(gdt, GDT_TSS >> 3, (uint64_t)tss, sizeof(*tss) - 1);

	struct gdt_ptr p = { sizeof(gdts[0]) - 1, (uint64_t)gdt };
	__asm__ volatile(
		"lgdt %0\n"
		"pushq %1\n"
		"leaq 1f(%%rip), %%rax\n"
		"pushq %%rax\n"
		"lretq\n"
		"1:\n"
		"movw %w2, %%ds\n movw %w2, %%es\n movw %w2, %%ss\n"
		"ltr %w3\n"
		: : "m"(p), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(GDT_TSS) : "rax", "memory");
}

/* tss_set_kernel_stack - the stack the CPU switches to on an interrupt
 * or exception from user mode: the running task's kernel stack top. */
void tss_set_kernel_stack(uint64_t rsp0)
{
	tsss[this_cpu()->cpu_id].rsp[0] = rsp0;
}
