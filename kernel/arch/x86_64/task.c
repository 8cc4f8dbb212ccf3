/*
 * task.c - the arch side of user tasks: trap frames for a first entry
 * and for fork, the initial kernel-stack layout of a new task.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "lib/string.h"
#include "sys/syscall.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "proc/task.h"
#include "proc/seccomp.h"

struct context {
	uint64_t r15, r14, r13, r12, rbx, rbp, rip;
};

extern void task_entry_trampoline(void);
extern void trap_return(void);

size_t arch_trapframe_size(void) { return sizeof(struct trapframe); }

/* arch_setup_user_entry - a clean register set at entry with stack sp. */
void arch_setup_user_entry(struct trapframe *tf, vaddr_t entry, vaddr_t sp)
{
	uint64_t vector = tf->vector, nr = tf->error;   /* execve's: ptrace shows orig_rax after it */
	memset(tf, 0, sizeof(*tf));
	if (vector == VEC_SYSCALL) {
		tf->vector = vector;
		tf->error = nr;
	}
	tf->rip = entry;
	tf->rsp = sp;
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
}

void arch_set_syscall_return(struct trapframe *tf, long value) { tf->rax = (uint64_t)value; }
vaddr_t arch_trapframe_ip(const struct trapframe *tf) { return tf->rip; }
vaddr_t arch_trapframe_sp(const struct trapframe *tf) { return tf->rsp; }

/* arch_copy_trapframe_for_child - the parent's registers; rax 0, new rsp if given. */
void arch_copy_trapframe_for_child(struct trapframe *child, const struct trapframe *parent, vaddr_t sp)
{
	*child = *parent;
	child->rax = 0;
	if (sp)
		child->rsp = sp;
}

/* arch_new_task_context - a context whose first switch calls fn(arg). */
struct context *arch_new_task_context(uint64_t kstack_top, void (*fn)(void *), void *arg)
{
	struct context *c = (struct context *)(kstack_top - sizeof(struct context));
	memset(c, 0, sizeof(*c));
	c->r12 = (uint64_t)fn;
	c->r13 = (uint64_t)arg;
	c->rip = (uint64_t)task_entry_trampoline;
	return c;
}

/* arch_return_to_user - jump to trap_return with tf as the stack. */
void arch_return_to_user(struct trapframe *tf)
{
	__asm__ volatile("movq %0, %%rsp; jmp trap_return" : : "r"(tf) : "memory");
	__builtin_unreachable();
}

/* arch_syscall_dispatch - the Linux x86-64 convention: number in rax
 * (kept in the error slot as orig_rax, which a tracer may have changed),
 * arguments in rdi, rsi, rdx, r10, r8, r9. */
long arch_syscall_dispatch(struct trapframe *tf)
{
	return syscall_dispatch(tf->error, tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
}

void arch_seccomp_data(const struct trapframe *tf, struct seccomp_data *d)
{
	d->nr = (int)tf->error;
	d->arch = AUDIT_ARCH_X86_64;
	d->instruction_pointer = tf->rip;
	uint64_t args[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	memcpy(d->args, args, sizeof(args));
}

/* arch_hwcap - AT_HWCAP: CPUID leaf 1's edx, as Linux reports it. */
uint64_t arch_hwcap(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

/* arch_hwcap2 - AT_HWCAP2: Linux's HWCAP2_FSGSBASE says user code may
 * use wrfsbase and friends, which only CR4.FSGSBASE allows. */
#define HWCAP2_FSGSBASE (1UL << 1)
uint64_t arch_hwcap2(void)
{
	return read_cr4() & CR4_FSGSBASE ? HWCAP2_FSGSBASE : 0;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012

/* arch_prctl - the thread's FS and GS bases (TLS); CPUID is always
 * allowed, and making it fault is ENODEV, as Linux on a CPU without
 * CPUID faulting. */
long sys_arch_prctl(int code, uint64_t addr)
{
	struct task *t = arch_current();
	struct arch_task_state *s = &t->arch;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= 0x0000800000000000UL)
			return -EPERM;
		s->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_SET_GS:
		if (addr >= 0x0000800000000000UL)
			return -EPERM;
		s->gs_base = addr;
		wrmsr(MSR_KERNEL_GS_BASE, addr);   /* the user's GS while we are in the kernel */
		return 0;
	case ARCH_GET_FS:
		return copy_to_user((void *)addr, &s->fs_base, sizeof(uint64_t));
	case ARCH_GET_GS:
		return copy_to_user((void *)addr, &s->gs_base, sizeof(uint64_t));
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2

long arch_prctl_tsc(bool set, uint64_t arg)
{
	struct arch_task_state *s = &arch_current()->arch;
	if (!set) {
		uint32_t mode = s->tsc_sigsegv ? PR_TSC_SIGSEGV : PR_TSC_ENABLE;
		return copy_to_user((void *)arg, &mode, sizeof(mode));
	}
	if (arg != PR_TSC_ENABLE && arg != PR_TSC_SIGSEGV)
		return -EINVAL;
	bool irqs = arch_irq_enabled();
	arch_irq_disable();   /* no switch between the flag and CR4 */
	s->tsc_sigsegv = arg == PR_TSC_SIGSEGV;
	cpu_tsc_fault_set(s->tsc_sigsegv);
	if (irqs)
		arch_irq_enable();
	return 0;
}
