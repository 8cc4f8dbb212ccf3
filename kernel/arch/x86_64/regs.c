/*
 * regs.c - a task's user registers as Linux shows them to ptrace and
 * core dumps (arch/regs.h): the trap frame at the top of its kernel
 * stack, the FS/GS bases and fxsave image of its arch state.
 */
#include "arch/x86_64/cpu.h"
#include "arch/regs.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/task.h"

/* The debug registers ptrace may read and write: DR0-DR3, DR6, DR7. */
#define DR_STATUS 6
#define DR_CONTROL 7
#define DR_TASK_SIZE_MAX 0x7ffffffff000UL   /* Linux's: no breakpoint in the top page */

void arch_regs_get(struct task *t, struct user_regs_struct *out)
{
	const struct trapframe *tf = t->tf;
	bool in_syscall = tf->vector == VEC_SYSCALL;
	*out = (struct user_regs_struct){
		.r15 = tf->r15, .r14 = tf->r14, .r13 = tf->r13, .r12 = tf->r12,
		.rbp = tf->rbp, .rbx = tf->rbx, .r11 = tf->r11, .r10 = tf->r10,
		.r9 = tf->r9, .r8 = tf->r8, .rax = tf->rax, .rcx = tf->rcx,
		.rdx = tf->rdx, .rsi = tf->rsi, .rdi = tf->rdi,
		.orig_rax = in_syscall ? tf->error : NO_SYSCALL,
		.rip = tf->rip, .cs = tf->cs, .eflags = tf->rflags,
		.rsp = tf->rsp, .ss = tf->ss,
		.fs_base = t == current ? rdmsr(MSR_FS_BASE) : t->arch.fs_base,
		.gs_base = t == current ? rdmsr(MSR_KERNEL_GS_BASE) : t->arch.gs_base,
	};
}

/* A selector user code may load in a data segment register: null or
 * the user data segment (Linux accepts any RPL-3 selector; Aspen's
 * user code has no other). */
static bool user_selector_ok(uint64_t sel)
{
	return sel == 0 || sel == GDT_USER_DS;
}

int arch_regs_set(struct task *t, const struct user_regs_struct *in)
{
	if (in->fs_base >= USER_ADDR_END || in->gs_base >= USER_ADDR_END)
		return -EIO;
	if (!user_selector_ok(in->ds) || !user_selector_ok(in->es) ||
	    !user_selector_ok(in->fs) || !user_selector_ok(in->gs))
		return -EIO;
	if (in->cs != GDT_USER_CS || in->ss != GDT_USER_DS)
		return -EIO;
	struct trapframe *tf = t->tf;
	tf->r15 = in->r15; tf->r14 = in->r14; tf->r13 = in->r13; tf->r12 = in->r12;
	tf->rbp = in->rbp; tf->rbx = in->rbx; tf->r11 = in->r11; tf->r10 = in->r10;
	tf->r9 = in->r9; tf->r8 = in->r8; tf->rax = in->rax; tf->rcx = in->rcx;
	tf->rdx = in->rdx; tf->rsi = in->rsi; tf->rdi = in->rdi;
	if (tf->vector == VEC_SYSCALL)
		tf->error = in->orig_rax;   /* a tracer changes or cancels (-1) the call */
	tf->rip = in->rip;
	tf->rsp = in->rsp;
	tf->rflags = (tf->rflags & ~RFLAGS_USER_CHANGEABLE) | (in->eflags & RFLAGS_USER_CHANGEABLE);
	t->arch.fs_base = in->fs_base;
	t->arch.gs_base = in->gs_base;
	if (t == current) {
		wrmsr(MSR_FS_BASE, in->fs_base);
		wrmsr(MSR_KERNEL_GS_BASE, in->gs_base);
	}
	return 0;
}

/* The fxsave image after fninit and ldmxcsr(default): a fresh FPU. */
static void fpregs_initial(struct user_fpregs_struct *out)
{
	memset(out, 0, sizeof(*out));
	out->cwd = FCW_DEFAULT;
	out->mxcsr = MXCSR_DEFAULT;
	out->mxcr_mask = fpu_mxcsr_mask();
}

void arch_fpregs_get(struct task *t, struct user_fpregs_struct *out)
{
	_Static_assert(sizeof(*out) == FXSAVE_SIZE, "fxsave image");
	if (t == current) {
		__asm__ volatile("fxsave64 %0" : "=m"(t->arch.fpu));
		t->arch.fpu_valid = true;
	}
	if (!t->arch.fpu_valid)
		fpregs_initial(out);
	else
		memcpy(out, t->arch.fpu, sizeof(*out));
}

void arch_fpregs_set(struct task *t, const struct user_fpregs_struct *in)
{
	struct user_fpregs_struct f = *in;
	f.mxcsr &= fpu_mxcsr_mask();   /* reserved bits would fault in fxrstor */
	f.mxcr_mask = fpu_mxcsr_mask();
	memcpy(t->arch.fpu, &f, sizeof(f));
	t->arch.fpu_valid = true;
	if (t == current)
		__asm__ volatile("fxrstor64 %0" : : "m"(t->arch.fpu));
}

/* Where register word off of struct user_regs_struct lives; reading
 * through arch_regs_get and writing through arch_regs_set keeps one
 * place that knows the checks. */
static int regs_word(struct task *t, size_t off, uint64_t *val, bool write)
{
	struct user_regs_struct r;
	arch_regs_get(t, &r);
	uint64_t *w = (uint64_t *)((uint8_t *)&r + off);
	if (!write) {
		*val = *w;
		return 0;
	}
	*w = *val;
	return arch_regs_set(t, &r);
}

/* dr_len - the bytes breakpoint n of dr7 covers: 1, 2, 4 or 8. */
static uint64_t dr_len(uint64_t dr7, int n)
{
	static const uint8_t len[4] = { 1, 2, 8, 4 };
	return len[(dr7 >> (DR7_LEN_SHIFT + 4 * n)) & 3];
}

/* dr_check - may breakpoint n of dr7 (enabled or not) watch addr, as
 * Linux's hw_breakpoint_arch_parse decides: an execute breakpoint is one
 * byte long, I/O breakpoints do not exist, the address is aligned to
 * the length and below TASK_SIZE_MAX. 0 or -EINVAL. */
static int dr_check(uint64_t dr7, int n, uint64_t addr)
{
	bool on = dr7 & (3UL << (2 * n));
	unsigned rw = (dr7 >> (DR7_RW_SHIFT + 4 * n)) & 3;
	uint64_t len = on ? dr_len(dr7, n) : 1;   /* one off is a 1-byte stub, as Linux's */
	if (on && (rw == DR_RW_IO || (rw == DR_RW_EXECUTE && len != 1)))
		return -EINVAL;
	if (addr & (len - 1))
		return -EINVAL;
	return addr >= DR_TASK_SIZE_MAX || addr + len - 1 >= DR_TASK_SIZE_MAX ? -EINVAL : 0;
}

/* The DR7 the CPU gets: the local enables and kinds of the breakpoints
 * armed, nothing else (no global or general-detect bits). */
static uint64_t dr7_for_cpu(uint64_t dr7)
{
	uint64_t hw = 0;
	for (int n = 0; n < 4; n++)
		if (dr7 & (3UL << (2 * n)))
			hw |= (1UL << (2 * n)) | (dr7 & (0xfUL << (DR7_RW_SHIFT + 4 * n)));
	return hw;
}

/* Linux's ptrace_set_debugreg: DR0-3 and DR7 checked together, DR6
 * stored as given; DR4 and DR5 are EIO. */
static int debugreg_word(struct task *t, int n, uint64_t *val, bool write)
{
	struct arch_task_state *s = &t->arch;
	if (!write) {
		*val = n == 4 || n == 5 ? 0 : s->debugreg[n];
		return 0;
	}
	if (n == 4 || n == 5)
		return -EIO;
	if (n < 4 && dr_check(s->debugreg[DR_CONTROL], n, *val))
		return -EINVAL;
	for (int i = 0; n == DR_CONTROL && i < 4; i++)
		if (dr_check(*val, i, s->debugreg[i]))
			return -EINVAL;
	s->debugreg[n] = *val;
	s->dr7_hw = dr7_for_cpu(s->debugreg[DR_CONTROL]);
	return 0;
}

/* PEEKUSER/POKEUSER: one 8-aligned word of struct user. */
static int user_area_word(struct task *t, size_t off, uint64_t *val, bool write)
{
	if ((off & 7) || off >= sizeof(struct user_area))
		return -EIO;
	if (off < sizeof(struct user_regs_struct))
		return regs_word(t, off, val, write);
	size_t dr = offsetof(struct user_area, u_debugreg);
	if (off >= dr)
		return debugreg_word(t, (int)((off - dr) / 8), val, write);
	if (!write)
		*val = 0;   /* the rest of struct user reads as zero, as Linux's */
	return 0;           /* and ignores writes */
}

int arch_user_area_read(struct task *t, size_t off, uint64_t *val)
{
	return user_area_word(t, off, val, false);
}

int arch_user_area_write(struct task *t, size_t off, uint64_t val)
{
	return user_area_word(t, off, &val, true);
}

void arch_single_step(struct task *t, bool on)
{
	if (on)
		t->tf->rflags |= RFLAGS_TF;
	else
		t->tf->rflags &= ~RFLAGS_TF;
}
