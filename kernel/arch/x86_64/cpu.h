/*
 * cpu.h - x86-64 instructions, registers and descriptors. Only code
 * under arch/x86_64/ includes this.
 */
#ifndef ASPEN_X86_CPU_H
#define ASPEN_X86_CPU_H
#include "lib/kernel.h"

/* Segment selectors, laid out as Linux's x86-64 GDT so that user
 * programs see the same %cs and %ss values. */
#define GDT_KERNEL_CS 0x10
#define GDT_KERNEL_DS 0x18
#define GDT_USER32_CS 0x23
#define GDT_USER_DS   0x2b
#define GDT_USER_CS   0x33
#define GDT_TSS       0x40

#define MSR_EFER          0xC0000080
#define MSR_STAR          0xC0000081
#define MSR_LSTAR         0xC0000082
#define MSR_SFMASK        0xC0000084
#define MSR_FS_BASE       0xC0000100
#define MSR_GS_BASE       0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX       0xC0000103   /* what rdtscp and rdpid read: the CPU number */
#define EFER_SCE (1UL << 0)
#define EFER_NXE (1UL << 11)

#define RFLAGS_IF (1UL << 9)
#define RFLAGS_TF (1UL << 8)
#define RFLAGS_DF (1UL << 10)
#define RFLAGS_AC (1UL << 18)
#define RFLAGS_NT (1UL << 14)
#define RFLAGS_RF (1UL << 16)
#define RFLAGS_RESERVED1 (1UL << 1)

#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR0_NE (1UL << 5)
#define CR0_WP (1UL << 16)
#define CR4_TSD (1UL << 2)
#define CR4_PSE (1UL << 4)
#define CR4_PAE (1UL << 5)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_FSGSBASE (1UL << 16)
#define CR4_OSXSAVE (1UL << 18)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n) \
	static inline uint64_t read_cr##n(void) { uint64_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint64_t read_rflags(void) { uint64_t f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void stac(void) { __asm__ volatile("stac" ::: "memory", "cc"); }
static inline void clac(void) { __asm__ volatile("clac" ::: "memory", "cc"); }

/* The trap frame: what entry.S pushes on the kernel stack for every
 * interrupt, exception and system call (general registers, then the
 * vector and error code, then the hardware iret frame). */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define VEC_NMI 2
#define IST_DOUBLE_FAULT 1        /* the TSS's emergency stacks */
#define IST_NMI 2
#define VEC_SYSCALL 0x100 /* vector recorded for frames built by the syscall entry */
#define VEC_IRQ0 32
#define VEC_LAPIC_TIMER 0x40
#define VEC_MSI_BASE 0x50   /* MSI-X vectors handed out by pci.c */
#define VEC_MSI_COUNT 16
#define VEC_IPI_RESCHED 0xf0
#define VEC_IPI_TLB 0xf1
#define VEC_SPURIOUS 0xff
#define MAX_CPUS 8

/* The per-CPU area, reached through %gs in the kernel. entry.S uses
 * the offsets of the first fields: keep them in sync (PERCPU_* there). */
struct percpu {
	struct percpu *self;      /* 0 */
	uint64_t kernel_rsp;      /* 8: top of the current task's kernel stack */
	uint64_t user_rsp;        /* 16: scratch for the syscall entry */
	void *current;            /* 24: the running task */
	int cpu_id;
	int irq_depth;            /* irq_push_off nesting */
	bool irq_were_on;         /* interrupt state before the outermost push_off */
	bool smap;                /* SMAP enabled: usercopy opens a window */
	void *scheduler_ctx;      /* proc/sched.c: this CPU's scheduler context */
	const struct trapframe *irq_tf;   /* the profiler's NMI being handled (nmi.c) */
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void gdt_init(int cpu);
void tss_set_kernel_stack(uint64_t rsp0);
void idt_init(void);
void idt_load(void);
void cpu_init(int cpu);
void pic_init(void);
/* lapic.c: the local APIC of each CPU. */
void lapic_init_cpu(bool bsp);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
uint32_t lapic_id(void);
void lapic_timer_init_cpu(void);
/* acpi.c: the CPUs the firmware lists (local APIC ids). */
int acpi_find_cpus(uint32_t *apic_ids, int max);
/* smp.c */
void smp_tlb_ipi(void);
/* pci.c: an MSI-X vector's interrupt (EOI already sent). */
void pci_msi_interrupt(unsigned vector);
void pic_unmask(int irq);
void pic_eoi(int irq);
void serial_init(void);
void serial_putc(char c);
void serial_drain(void);
void serial_enable_rx_irq(void);
void serial_irq(void);
void syscall_init(void);
void tsc_calibrate(void);
/* tsc_clock_params - the TSC reading at the clock's zero and the
 * nanoseconds per TSC tick (32.32 fixed point) arch_clock_ns uses. */
void tsc_clock_params(uint64_t *base, uint64_t *ns_per_tick_q32);
/* cpu_has_rdpid / cpu_has_rdtscp - instructions that read MSR_TSC_AUX. */
bool cpu_has_rdpid(void);
bool cpu_has_rdtscp(void);
/* cpu_tsc_fault_set - make rdtsc and rdtscp in user mode fault (#GP,
 * so SIGSEGV: CR4.TSD) or not, on this CPU. Interrupts off. */
void cpu_tsc_fault_set(bool on);
void dump_trapframe(const struct trapframe *tf);
void backtrace_from(uint64_t rbp, uint64_t rip);
/* profile_nmi.c: the profiler's next sampling period, from its NMI. */
void profile_nmi_next(void);
/* nmi.c */
void nmi_handler(struct trapframe *tf);
/* The FPU/SSE state as fxsave lays it out (signal frames, ptrace). */
#define FXSAVE_SIZE 512
#define FXSAVE_MXCSR 24
#define FXSAVE_MXCSR_MASK 28
#define MXCSR_DEFAULT 0x1f80
#define MXCSR_MASK_DEFAULT 0xffbf
#define FCW_DEFAULT 0x37f
/* fpu_mxcsr_mask - the MXCSR bits this CPU accepts (fxrstor faults on others). */
uint32_t fpu_mxcsr_mask(void);
#define USER_ADDR_END 0x0000800000000000UL
/* The trap frame's error slot in a frame no syscall built (Linux's orig_rax = -1). */
#define NO_SYSCALL ((uint64_t)-1)
/* The flags user code may change through a sigcontext or ptrace (Linux's FIX_EFLAGS). */
#define RFLAGS_USER_CHANGEABLE (RFLAGS_AC | RFLAGS_DF | RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | \
				0x800 /* OF */ | 0x80 /* SF */ | 0x40 /* ZF */ | 0x10 /* AF */ | \
				0x4 /* PF */ | 0x1 /* CF */)
#endif
