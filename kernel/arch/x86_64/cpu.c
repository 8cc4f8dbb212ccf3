/*
 * cpu.c - bringing up a CPU (features, FPU, system-call MSRs, per-CPU
 * area) and the small arch_* services of the machine boundary.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "lib/string.h"
#include "lib/spinlock.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_FAILURE 0x10  /* QEMU exits with (0x10 << 1) | 1 = 33 */

static struct percpu cpus[MAX_CPUS];   /* cpus[i] is CPU i's, reached through its GS base */
bool smap_enabled;       /* read by entry.S */
static bool has_rdrand;

extern void syscall_entry(void);

static void cpu_enable_features(void)
{
	uint32_t a, b, c, d;
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE;
	cpuid(1, 0, &a, &b, &c, &d);
	has_rdrand = c & (1u << 30);
	cpuid(7, 0, &a, &b, &c, &d);
	if (b & (1u << 7))
		cr4 |= CR4_SMEP;
	if (b & (1u << 20)) {
		cr4 |= CR4_SMAP;
		smap_enabled = true;
	}
	/* FPU and SSE for user programs: the kernel itself never uses them. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(cr4);
	__asm__ volatile("fninit");
}

bool cpu_has_rdpid(void)
{
	uint32_t a, b, c, d;
	cpuid(7, 0, &a, &b, &c, &d);
	return c & (1u << 22);
}

bool cpu_has_rdtscp(void)
{
	uint32_t a, b, c, d;
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000001)
		return false;
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	return d & (1u << 27);
}

/* The CPU number where rdtscp and rdpid find it (the vDSO's getcpu),
 * node 0 above it, as Linux sets IA32_TSC_AUX. */
static void tsc_aux_init(int cpu)
{
	if (cpu_has_rdpid() || cpu_has_rdtscp())
		wrmsr(MSR_TSC_AUX, (uint32_t)cpu);
}

/* syscall_init - route the syscall instruction to syscall_entry. */
void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
	/* sysret loads CS = base + 16 and SS = base + 8 from bits 63:48. */
	wrmsr(MSR_STAR, ((uint64_t)(GDT_USER32_CS) << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
}

/* cpu_init - CPU cpu's per-CPU area, tables and features; the first
 * thing each CPU does (the boot CPU also builds the IDT). */
void cpu_init(int cpu)
{
	struct percpu *c = &cpus[cpu];
	c->self = c;
	c->cpu_id = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	gdt_init(cpu);
	if (cpu == 0)
		idt_init();
	else
		idt_load();
	cpu_enable_features();
	c->smap = smap_enabled;
	syscall_init();
	tsc_aux_init(cpu);
}

void cpu_init_boot(void) { cpu_init(0); }

_Static_assert(offsetof(struct percpu, current) == ARCH_PERCPU_CURRENT, "inline.h: current");
_Static_assert(offsetof(struct percpu, cpu_id) == ARCH_PERCPU_CPU_ID, "inline.h: cpu_id");
_Static_assert(offsetof(struct percpu, irq_depth) == ARCH_PERCPU_IRQ_DEPTH, "inline.h: irq_depth");
_Static_assert(offsetof(struct percpu, irq_were_on) == ARCH_PERCPU_IRQ_WERE_ON, "inline.h: irq_were_on");
_Static_assert(RFLAGS_IF == ARCH_RFLAGS_IF, "inline.h: IF");

void arch_wait_for_interrupt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
void arch_set_current(struct task *t) { this_cpu()->current = t; }

/* arch_poweroff - leave QEMU through isa-debug-exit (status 1 when all
 * went well, 33 on failure); halt if the device is absent. */
void arch_poweroff(int failed)
{
	arch_irq_disable();
	serial_drain();
	outb(DEBUG_EXIT_PORT, failed ? DEBUG_EXIT_FAILURE : 0);
	for (;;)
		__asm__ volatile("hlt");
}

uint64_t arch_random_seed(void)
{
	uint64_t v = rdtsc();
	if (has_rdrand) {
		uint64_t r;
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
		if (ok)
			v ^= r;
	}
	return v;
}

/* A new program, or a new task, has no hardware breakpoints (Linux's
 * flush_ptrace_hw_breakpoint and copy_thread). */
static void debugregs_clear(struct arch_task_state *s)
{
	memset(s->debugreg, 0, sizeof(s->debugreg));
	s->debugreg[6] = DR6_RESERVED;
	s->dr7_hw = 0;
}

/* arch_task_state_init - a fresh state (a new task's, or execve's): only
 * PR_SET_TSC's mode survives, as on Linux. */
void arch_task_state_init(struct arch_task_state *s)
{
	bool tsc_sigsegv = s->tsc_sigsegv;
	arch_task_state_new(s);
	s->tsc_sigsegv = tsc_sigsegv;
}

/* arch_task_state_new - a new task's state, s not yet initialised. */
void arch_task_state_new(struct arch_task_state *s)
{
	memset(s, 0, sizeof(*s));
	debugregs_clear(s);
}

/* cpu_tsc_fault_set - see cpu.h. */
void cpu_tsc_fault_set(bool on)
{
	uint64_t cr4 = read_cr4();
	if (!!(cr4 & CR4_TSD) != on)
		write_cr4(on ? cr4 | CR4_TSD : cr4 & ~CR4_TSD);
}

void arch_task_state_copy(struct arch_task_state *dst, const struct arch_task_state *src)
{
	memcpy(dst, src, sizeof(*dst));
	debugregs_clear(dst);
}

/* fpu_mxcsr_mask - what fxsave reports this CPU accepts in MXCSR. */
uint32_t fpu_mxcsr_mask(void)
{
	static uint32_t mask;
	if (!mask) {
		uint8_t area[FXSAVE_SIZE] __attribute__((aligned(16)));
		memset(area, 0, sizeof(area));
		__asm__ volatile("fxsave64 %0" : "=m"(area));
		memcpy(&mask, area + FXSAVE_MXCSR_MASK, sizeof(mask));
		if (!mask)
			mask = MXCSR_MASK_DEFAULT;
	}
	return mask;
}

/* arch_save_task_state - FS base and FPU registers of the outgoing task. */
void arch_save_task_state(struct arch_task_state *s)
{
	s->fs_base = rdmsr(MSR_FS_BASE);
	s->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	__asm__ volatile("fxsave64 %0" : "=m"(s->fpu));
	s->fpu_valid = true;
}

/* debugregs_load - the incoming task's hardware breakpoints on this CPU,
 * or none (DR7 is written only when it changes: cheap under TCG too). */
static void debugregs_load(const struct arch_task_state *s)
{
	if (s->dr7_hw) {
		write_dr0(s->debugreg[0]);
		write_dr1(s->debugreg[1]);
		write_dr2(s->debugreg[2]);
		write_dr3(s->debugreg[3]);
		write_dr7(s->dr7_hw);
	} else if (read_dr7() & 0xff) {
		write_dr7(0);
	}
}

/* arch_load_task_state - the same for the incoming task; a task that
 * never ran starts with a clean FPU (as after execve on Linux). */
void arch_load_task_state(const struct arch_task_state *s)
{
	cpu_tsc_fault_set(s->tsc_sigsegv);
	wrmsr(MSR_FS_BASE, s->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, s->gs_base);
	if (s->fpu_valid)
		__asm__ volatile("fxrstor64 %0" : : "m"(s->fpu));
	else
		__asm__ volatile("fninit");
	debugregs_load(s);
}

/* arch_task_switched_in - entries from user mode land on t's kernel stack. */
void arch_task_switched_in(struct task *t, uint64_t kstack_top)
{
	this_cpu()->kernel_rsp = kstack_top;
	this_cpu()->current = t;
	tss_set_kernel_stack(kstack_top);
}

/* irq_push_off / irq_pop_off - nested interrupt masking (spinlock.h). */
void irq_push_off(void)
{
	arch_irq_push_off();
}

int irq_push_depth(void)
{
	return this_cpu()->irq_depth;
}

void irq_pop_off(void)
{
	arch_irq_pop_off();
}

extern uint64_t arch_copy_user(void *dst, const void *src, uint64_t n);
extern uint64_t arch_clear_user(void *dst, uint64_t n);

/* arch_user_copy - copy with user memory on either side, inside an SMAP
 * window; returns the bytes NOT copied (a fault stopped it). */
uint64_t arch_user_copy(void *dst, const void *src, uint64_t n)
{
	if (smap_enabled)
		stac();
	uint64_t left = arch_copy_user(dst, src, n);
	if (smap_enabled)
		clac();
	return left;
}

uint64_t arch_user_clear(void *dst, uint64_t n)
{
	if (smap_enabled)
		stac();
	uint64_t left = arch_clear_user(dst, n);
	if (smap_enabled)
		clac();
	return left;
}

extern int arch_user_cmpxchg_raw(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *seen);

/* arch_user_cmpxchg32 - atomic compare-and-exchange of a user word
 * inside an SMAP window; 0 (*seen = the value found) or -1 on a fault. */
int arch_user_cmpxchg32(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *seen)
{
	uint32_t found = 0;
	if (smap_enabled)
		stac();
	int r = arch_user_cmpxchg_raw(uaddr, old, new, &found);
	if (smap_enabled)
		clac();
	*seen = found;
	return r;
}

#define KERNEL_HALF 0xffff800000000000UL   /* the canonical upper half: kernel addresses */

/* arch_cpu_syscall - see arch.h. The syscall entry (entry.S) builds its
 * frame right below kernel_rsp, marked VEC_SYSCALL with the number in
 * the error slot; a kernel thread's stack holds no such user frame, and
 * an idle task has no stack of its own there (kernel_rsp is not a kernel
 * address: the stack it runs on is the CPU's boot stack). */
bool arch_cpu_syscall(int cpu, void **task, long *nr, uint64_t args[6])
{
	const struct percpu *c = &cpus[cpu];
	*task = c->current;
	if (!c->current || c->kernel_rsp < KERNEL_HALF + sizeof(struct trapframe))
		return false;
	const struct trapframe *tf = (const struct trapframe *)c->kernel_rsp - 1;
	if (tf->vector != VEC_SYSCALL || tf->cs != GDT_USER_CS)
		return false;
	*nr = (long)tf->error;
	const uint64_t a[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	memcpy(args, a, sizeof(a));
	return true;
}
