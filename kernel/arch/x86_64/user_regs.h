/*
 * user_regs.h - the x86-64 register layouts Linux shows user space in
 * ptrace (PTRACE_GETREGS, PEEKUSER, GETREGSET) and in core dumps
 * (NT_PRSTATUS's elf_gregset_t, NT_PRFPREG). These are glibc's
 * <sys/user.h> structures, which the UAPI headers do not carry.
 */
#ifndef ASPEN_ARCH_X86_64_USER_REGS_H
#define ASPEN_ARCH_X86_64_USER_REGS_H
#include "lib/kernel.h"

/* struct user_regs_struct - elf_gregset_t: 27 registers, this order. */
struct user_regs_struct {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* struct user_fpregs_struct - elf_fpregset_t: the fxsave image. */
struct user_fpregs_struct {
	uint16_t cwd, swd, ftw, fop;
	uint64_t rip, rdp;
	uint32_t mxcsr, mxcr_mask;
	uint32_t st_space[32];
	uint32_t xmm_space[64];
	uint32_t padding[24];
};

/* struct user - what PEEKUSER/POKEUSER index by byte offset: the
 * registers, then the FPU image, ... and the 8 debug registers. */
struct user_area {
	struct user_regs_struct regs;
	int32_t u_fpvalid, pad0;
	struct user_fpregs_struct i387;
	uint64_t u_tsize, u_dsize, u_ssize, start_code, start_stack;
	int64_t signal;
	int32_t reserved, pad1;
	uint64_t u_ar0, u_fpstate, magic;
	char u_comm[32];
	uint64_t u_debugreg[8];
};

_Static_assert(sizeof(struct user_regs_struct) == 27 * 8, "elf_gregset_t is 27 words");
_Static_assert(sizeof(struct user_fpregs_struct) == 512, "elf_fpregset_t is the fxsave area");
_Static_assert(__builtin_offsetof(struct user_area, u_debugreg) == 848, "u_debugreg as Linux");
#endif
