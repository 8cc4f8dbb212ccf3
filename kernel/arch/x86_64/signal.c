/*
 * signal.c - the x86-64 signal frame, exactly as Linux lays it out, so
 * that musl's and glibc's handlers and restorers work unchanged:
 *
 *   handler's %rsp -> struct rt_sigframe {
 *                        pretcode          sa_restorer: the handler returns here
 *                        struct ucontext   uc_flags, uc_link, uc_stack,
 *                                          uc_mcontext (struct sigcontext_64),
 *                                          uc_sigmask
 *                        siginfo_t         128 bytes
 *                     }
 *                     (padding to 64 bytes)
 *                     fxsave area          512 bytes; sigcontext.fpstate points here
 *                     (128-byte red zone of the interrupted code, skipped)
 *   interrupted %rsp
 *
 * At handler entry %rsp % 16 == 8, as after a call. The restorer calls
 * rt_sigreturn with %rsp just above pretcode. Also here: the syscall
 * restart helpers, which know that a syscall instruction is 2 bytes long
 * and that the trap frame's error slot holds the syscall number.
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <asm/sigcontext.h>

#define RED_ZONE 128
#define FPSTATE_ALIGN 64
#define FXSAVE_SW_RESERVED 464
#define SYSCALL_INSN_LEN 2
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
struct user_stack {            /* stack_t */
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};

struct user_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct user_stack uc_stack;
	struct sigcontext_64 uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct user_ucontext uc;
	struct user_siginfo info;
};

_Static_assert(sizeof(struct user_siginfo) == 128, "siginfo_t is 128 bytes");
_Static_assert(offsetof(struct rt_sigframe, uc.uc_mcontext) == 48, "uc_mcontext as Linux");
_Static_assert(offsetof(struct rt_sigframe, uc.uc_sigmask) == 304, "uc_sigmask as Linux");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "siginfo as Linux");

static void fill_sigcontext(struct sigcontext_64 *sc, const struct trapframe *tf,
			    const struct arch_task_state *st, uint64_t mask, uint64_t fpstate)
{
	*sc = (struct sigcontext_64){
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11,
		.r12 = tf->r12, .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15,
		.di = tf->rdi, .si = tf->rsi, .bp = tf->rbp, .bx = tf->rbx,
		.dx = tf->rdx, .ax = tf->rax, .cx = tf->rcx, .sp = tf->rsp,
		.ip = tf->rip, .flags = tf->rflags,
		.cs = (uint16_t)tf->cs, .ss = (uint16_t)tf->ss,
		.err = st->error_code, .trapno = st->trap_nr, .oldmask = mask, .cr2 = st->cr2,
		.fpstate = fpstate,
	};
}

/* Where the frame and the FPU area go; 0 if the stack pointer is absurd. */
static vaddr_t frame_address(const struct trapframe *tf, const struct signal_frame_req *req,
			     vaddr_t *fpstate)
{
	vaddr_t sp = req->altstack_top ? req->altstack_top : tf->rsp - RED_ZONE;
	if (sp < FXSAVE_SIZE + sizeof(struct rt_sigframe) + FPSTATE_ALIGN || sp > USER_ADDR_END)
		return 0;
	*fpstate = (sp - FXSAVE_SIZE) & ~(vaddr_t)(FPSTATE_ALIGN - 1);
	sp = *fpstate - sizeof(struct rt_sigframe);
	return (sp & ~(vaddr_t)15) - 8;
}

uint64_t arch_min_sigstack_size(void)
{
	/* the FPU area, aligned; the frame below it, aligned, and the return slot */
	return ALIGN_UP(FXSAVE_SIZE + FPSTATE_ALIGN + sizeof(struct rt_sigframe) + 16 + 8, 16);
}

int arch_setup_signal_frame(struct trapframe *tf, const struct signal_frame_req *req)
{
	struct task *t = current;
	vaddr_t fpstate, sp = frame_address(tf, req, &fpstate);
	if (!sp)
		return -EFAULT;
	uint8_t *fx = t->arch.fpu;   /* scratch: the live registers are the truth while we run */
	__asm__ volatile("fxsave64 %0" : "=m"(t->arch.fpu));
	memset(fx + FXSAVE_SW_RESERVED, 0, FXSAVE_SIZE - FXSAVE_SW_RESERVED);
	if (copy_to_user((void *)fpstate, fx, FXSAVE_SIZE))
		return -EFAULT;
	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = req->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack = (struct user_stack){ req->ss_sp, req->ss_flags, 0, req->ss_size };
	fill_sigcontext(&f.uc.uc_mcontext, tf, &t->arch, req->mask, fpstate);
	f.uc.uc_sigmask = req->mask;
	f.info = *req->info;
	if (copy_to_user((void *)sp, &f, sizeof(f)))
		return -EFAULT;
	tf->rdi = (uint64_t)req->sig;
	tf->rsi = sp + offsetof(struct rt_sigframe, info);
	tf->rdx = sp + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rsp = sp;
	tf->rip = req->handler;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	uint32_t mxcsr = MXCSR_DEFAULT;
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));   /* a clean FPU for the handler */
	return 0;
}

/* Reload the FPU from the user's fxsave area, made safe to fxrstor. */
static int restore_fpu(uint64_t fpstate)
{
	uint8_t *fx = current->arch.fpu;
	if (!fpstate) {
		uint32_t mxcsr = MXCSR_DEFAULT;
		__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
		return 0;
	}
	if ((fpstate & 15) || copy_from_user(fx, (const void *)fpstate, FXSAVE_SIZE))
		return -EFAULT;
	uint32_t mxcsr;
	memcpy(&mxcsr, fx + FXSAVE_MXCSR, sizeof(mxcsr));
	mxcsr &= fpu_mxcsr_mask();   /* reserved bits would fault in fxrstor */
	memcpy(fx + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	__asm__ volatile("fxrstor64 %0" : : "m"(current->arch.fpu));
	return 0;
}

int arch_restore_signal_frame(struct trapframe *tf, struct sigreturn_state *out)
{
	struct rt_sigframe f;
	vaddr_t frame = tf->rsp - sizeof(uint64_t);   /* the handler's ret popped pretcode */
	if (copy_from_user(&f, (const void *)frame, sizeof(f)))
		return -EFAULT;
	const struct sigcontext_64 *sc = &f.uc.uc_mcontext;
	if (sc->ip >= USER_ADDR_END)
		return -EFAULT;   /* iretq would fault in the kernel on a non-canonical rip */
	if (restore_fpu(sc->fpstate))
		return -EFAULT;
	tf->r8 = sc->r8; tf->r9 = sc->r9; tf->r10 = sc->r10; tf->r11 = sc->r11;
	tf->r12 = sc->r12; tf->r13 = sc->r13; tf->r14 = sc->r14; tf->r15 = sc->r15;
	tf->rdi = sc->di; tf->rsi = sc->si; tf->rbp = sc->bp; tf->rbx = sc->bx;
	tf->rdx = sc->dx; tf->rax = sc->ax; tf->rcx = sc->cx; tf->rsp = sc->sp;
	tf->rip = sc->ip;
	tf->rflags = (tf->rflags & ~RFLAGS_USER_CHANGEABLE) | (sc->flags & RFLAGS_USER_CHANGEABLE);
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->error = NO_SYSCALL;   /* this frame is no syscall's: nothing to restart */
	*out = (struct sigreturn_state){ f.uc.uc_sigmask, f.uc.uc_stack.ss_sp,
					 f.uc.uc_stack.ss_size, f.uc.uc_stack.ss_flags, (long)sc->ax };
	return 0;
}

bool arch_syscall_result(const struct trapframe *tf, long *ret)
{
	if (tf->vector != VEC_SYSCALL || tf->error == NO_SYSCALL)
		return false;
	*ret = (long)tf->rax;
	return true;
}

long arch_syscall_nr(const struct trapframe *tf)
{
	return tf->vector == VEC_SYSCALL ? (long)tf->error : -1;
}

void arch_syscall_restart(struct trapframe *tf)
{
	tf->rax = tf->error;
	tf->rip -= SYSCALL_INSN_LEN;
}

void arch_syscall_restart_as(struct trapframe *tf, long nr)
{
	tf->rax = (uint64_t)nr;
	tf->rip -= SYSCALL_INSN_LEN;
}
