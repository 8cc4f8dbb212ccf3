/*
 * trap.c - the interrupt descriptor table and what each vector does.
 *
 * Exceptions in user mode become faults of the process (the page fault
 * goes to the generic fault handler, the rest to signals); in kernel
 * mode a page fault at an address of the user half inside a usercopy
 * routine is served the same way, or recovered through the exception
 * table; anything else in kernel mode is a panic with registers and a
 * backtrace. Hardware interrupts go to their drivers.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "mm/fault.h"
#include "mm/vmcheck.h"
#include "proc/sched.h"
#include "time/timer.h"
#include "proc/signal.h"
#include "proc/task.h"
#include "lib/console.h"
#include "lib/errno.h"

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __packed;

struct ex_entry { uint64_t fault_ip, fixup_ip; };

extern const uint64_t isr_table[256];
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static struct idt_entry idt[256];

#define IDT_INTERRUPT_GATE 0x8e
#define IDT_DPL3 0x60
#define VEC_DEBUG 1
#define VEC_BREAKPOINT 3
#define VEC_DOUBLE_FAULT 8
#define VEC_GP 13
#define VEC_PAGE_FAULT 14
#define IRQ_SERIAL 4
#define PF_PRESENT 0x1
#define PF_WRITE 0x2
#define PF_USER 0x4
#define PF_RSVD 0x8
#define PF_INSTR 0x10

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FPU error", "alignment check", "machine check",
	"SIMD error", "virtualization", "control protection",
};

/* idt_init - point every vector at its stub; the double fault runs on its own stack. */
void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t off = isr_table[v];
		idt[v] = (struct idt_entry){ (uint16_t)off, GDT_KERNEL_CS, 0, IDT_INTERRUPT_GATE,
					    (uint16_t)(off >> 16), (uint32_t)(off >> 32), 0 };
	}
	idt[VEC_DOUBLE_FAULT].ist = IST_DOUBLE_FAULT;
	idt[VEC_NMI].ist = IST_NMI;
	idt[VEC_BREAKPOINT].type |= IDT_DPL3;
	idt_load();
}

/* idt_load - point this CPU at the (shared) IDT. */
void idt_load(void)
{
	struct { uint16_t limit; uint64_t base; } __packed p = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}

/* debug_trap_code - a #DB from user mode (Linux's exc_debug_user): what
 * DR6 says goes to the task's DR6 as ptrace shows it (the step bit and
 * the breakpoints of its own that hit), an instruction breakpoint sets
 * RF so that the instruction runs on return, and the si_code:
 * TRAP_HWBKPT for a breakpoint, else TRAP_TRACE (the trap flag). */
static int debug_trap_code(struct trapframe *tf)
{
	struct arch_task_state *st = &((struct task *)arch_current())->arch;
	uint64_t dr6 = read_dr6(), seen = dr6 & DR6_BS;
	write_dr6(DR6_RESERVED);   /* the CPU's bits are sticky */
	for (int n = 0; n < 4; n++) {
		if (!(dr6 & (1UL << n)) || !(st->dr7_hw & (1UL << (2 * n))))
			continue;
		seen |= 1UL << n;
		if (((st->dr7_hw >> (DR7_RW_SHIFT + 4 * n)) & 3) == DR_RW_EXECUTE)
			tf->rflags |= RFLAGS_RF;
	}
	st->debugreg[6] = DR6_RESERVED ^ seen;
	return (seen & DR6_TRAP_BITS) && !(seen & DR6_BS) ? TRAP_HWBKPT : TRAP_TRACE;
}

/* debug_trap_kernel - a #DB in kernel mode: a user's watchpoint hit by
 * a copy to or from its memory (no signal, as Linux), or a step that
 * followed the trap flag into the kernel. */
static void debug_trap_kernel(struct trapframe *tf)
{
	write_dr6(DR6_RESERVED);
	tf->rflags &= ~RFLAGS_TF;
}

/* Signal and si_code for a user-mode exception, as Linux chooses them;
 * *addr_out: si_addr (the faulting instruction, or 0). */
static int exception_signal(struct trapframe *tf, int *code, vaddr_t *addr_out)
{
	*addr_out = tf->rip;
	switch (tf->vector) {
	case 0: *code = FPE_INTDIV; return SIGFPE;
	case 16: case 19: *code = FPE_FLTINV; return SIGFPE;
	case 1: *code = debug_trap_code(tf); return SIGTRAP;   /* a step or a hardware breakpoint */
	case 3: *code = SI_KERNEL; *addr_out = 0; return SIGTRAP;
	case 6: *code = ILL_ILLOPN; return SIGILL;
	case 17: *code = BUS_ADRALN; return SIGBUS;
	default: *code = SI_KERNEL; *addr_out = 0; return SIGSEGV;   /* #GP and the rest */
	}
}

/* What the signal frame's sigcontext reports about this exception. */
static void record_user_trap(const struct trapframe *tf, uint64_t cr2)
{
	struct arch_task_state *st = &((struct task *)arch_current())->arch;
	st->trap_nr = tf->vector;
	st->error_code = tf->error;
	st->cr2 = cr2;
}

static const struct ex_entry *exception_fixup(uint64_t ip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->fault_ip == ip)
			return e;
	return NULL;
}

__noreturn static void kernel_trap_panic(struct trapframe *tf)
{
	const char *name = tf->vector < 32 && exception_names[tf->vector] ? exception_names[tf->vector] : "interrupt";
	console_panic_mode();
	printk(LOG_ERR, "\nKERNEL PANIC: %s (vector %lu) error 0x%lx cr2 0x%lx\n",
	       name, tf->vector, tf->error, read_cr2());
	dump_trapframe(tf);
	backtrace_from(tf->rbp, tf->rip);
	panic_report_calls();
	arch_poweroff(1);
}

static unsigned page_fault_flags(uint64_t error)
{
	unsigned f = 0;
	if (error & PF_WRITE) f |= FAULT_WRITE;
	if (error & PF_USER) f |= FAULT_USER;
	if (error & PF_INSTR) f |= FAULT_EXEC;
	if (error & PF_PRESENT) f |= FAULT_PROTECTION;
	return f;
}

static void page_fault(struct trapframe *tf)
{
	uint64_t addr = read_cr2();
	bool user = (tf->cs & 3) != 0;
	if (tf->error & PF_RSVD)
		kernel_trap_panic(tf);
	if (user || addr < 0x0000800000000000UL) {
		const struct ex_entry *fix = user ? NULL : exception_fixup(tf->rip);
		if (!user && !fix)
			kernel_trap_panic(tf);   /* a stray kernel access to user memory */
		if (tf->rflags & RFLAGS_IF)
			arch_irq_enable();
		int err = vm_fault(addr, page_fault_flags(tf->error));
		if (vmcheck_mode)
			vmcheck_after_fault(addr);   /* user mode, or a copy to or from user memory */
		arch_irq_disable();
		if (err == 0)
			return;
		if (fix) {
			tf->rip = fix->fixup_ip;
			return;
		}
		record_user_trap(tf, addr);
		if (err == -EIO)
			signal_user_fault(SIGBUS, BUS_ADRERR, addr, tf->rip, tf->rsp, tf->error);
		else
			signal_user_fault(err == -ENOMEM ? SIGKILL : SIGSEGV,
					  err == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, addr, tf->rip, tf->rsp, tf->error);
		return;
	}
	kernel_trap_panic(tf);
}

static void irq(struct trapframe *tf)
{
	int n = (int)tf->vector - VEC_IRQ0;
	pic_eoi(n);
	if (n == IRQ_SERIAL)
		serial_irq();
}

/* The local APIC's own vectors: its timer, the inter-processor
 * interrupts and devices' MSI-X messages. A reschedule IPI also makes
 * the CPU look at its timers
 * (another CPU may have armed an earlier one there). The spurious
 * vector needs no EOI. */
static void local_apic_interrupt(const struct trapframe *tf)
{
	uint64_t vector = tf->vector;
	if (vector == VEC_SPURIOUS)
		return;
	lapic_eoi();
	bool from_user = (tf->cs & 3) != 0;
	if (vector == VEC_LAPIC_TIMER) {
		timer_interrupt(from_user);
	} else if (vector == VEC_IPI_RESCHED) {
		sched_ipi_resched();
		timer_interrupt(from_user);
	} else if (vector == VEC_IPI_TLB) {
		smp_tlb_ipi();
	} else if (vector >= VEC_MSI_BASE && vector < VEC_MSI_BASE + VEC_MSI_COUNT) {
		pci_msi_interrupt((unsigned)vector);
	}
}

/* trap_handler - called by entry.S with interrupts off for every
 * exception and interrupt. */
void trap_handler(struct trapframe *tf)
{
	bool user = (tf->cs & 3) != 0;
	if (tf->vector == VEC_NMI) {
		nmi_handler(tf);   /* on its own stack: never schedules */
		return;
	}
	if (tf->vector == VEC_PAGE_FAULT) {
		page_fault(tf);
	} else if (tf->vector >= VEC_IRQ0 && tf->vector < VEC_IRQ0 + 16) {
		irq(tf);
	} else if (tf->vector >= VEC_LAPIC_TIMER) {
		local_apic_interrupt(tf);
	} else if (tf->vector < 32) {
		if (!user && tf->vector == VEC_DEBUG) {
			debug_trap_kernel(tf);
			return;
		}
		if (!user) {
			const struct ex_entry *fix = tf->vector == VEC_GP ? exception_fixup(tf->rip) : NULL;
			if (!fix)
				kernel_trap_panic(tf);
			tf->rip = fix->fixup_ip;   /* e.g. a non-canonical user pointer */
			return;
		}
		int code;
		vaddr_t addr;
		int sig = exception_signal(tf, &code, &addr);
		record_user_trap(tf, 0);
		signal_user_fault(sig, code, addr, tf->rip, tf->rsp, tf->error | (tf->vector << 32));
	}
	if (user)
		sched_return_to_user(tf);
}

/* dump_trapframe - every register of tf, as a panic shows them. */
void dump_trapframe(const struct trapframe *tf)
{
	printk(LOG_ERR, "RIP: 0x%016lx CS: 0x%lx RFLAGS: 0x%lx\n", tf->rip, tf->cs, tf->rflags);
	printk(LOG_ERR, "RSP: 0x%016lx SS: 0x%lx\n", tf->rsp, tf->ss);
	printk(LOG_ERR, "RAX: %016lx RBX: %016lx RCX: %016lx\n", tf->rax, tf->rbx, tf->rcx);
	printk(LOG_ERR, "RDX: %016lx RSI: %016lx RDI: %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	printk(LOG_ERR, "RBP: %016lx R08: %016lx R09: %016lx\n", tf->rbp, tf->r8, tf->r9);
	printk(LOG_ERR, "R10: %016lx R11: %016lx R12: %016lx\n", tf->r10, tf->r11, tf->r12);
	printk(LOG_ERR, "R13: %016lx R14: %016lx R15: %016lx\n", tf->r13, tf->r14, tf->r15);
	printk(LOG_ERR, "CR0: %016lx CR3: %016lx CR4: %016lx\n", read_cr0(), read_cr3(), read_cr4());
}
