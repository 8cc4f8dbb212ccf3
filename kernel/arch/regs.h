/*
 * regs.h - a task's user registers in the layouts Linux gives user
 * space (ptrace, core dumps). Generic code sees only these functions
 * and the structures of the arch's user_regs.h; the arch converts
 * from its trap frame and saved FPU state.
 *
 * The task t is either the caller itself or a task that is stopped and
 * off every CPU (a ptrace-stopped tracee): its trap frame and saved
 * state are then stable, and a change takes effect when it next runs.
 */
#ifndef ASPEN_ARCH_REGS_H
#define ASPEN_ARCH_REGS_H
#include "arch/x86_64/user_regs.h"

struct task;

/* arch_regs_get - t's general registers as user_regs_struct (orig_rax
 * is the syscall number inside a syscall, -1 otherwise). */
void arch_regs_get(struct task *t, struct user_regs_struct *out);
/* arch_regs_set - load t's general registers from in: 0, or -EIO if a
 * segment selector or FS/GS base is one user code may not have; the
 * flags user code may not change and the code/stack segments are kept. */
int arch_regs_set(struct task *t, const struct user_regs_struct *in);
/* arch_fpregs_get / arch_fpregs_set - t's FPU/SSE registers as the fxsave
 * image (a task that never used the FPU shows the initial state); set
 * masks MXCSR's reserved bits. */
void arch_fpregs_get(struct task *t, struct user_fpregs_struct *out);
void arch_fpregs_set(struct task *t, const struct user_fpregs_struct *in);
/* arch_user_area_read / arch_user_area_write - one word of struct user
 * at byte offset off (8-aligned, below sizeof(struct user_area)), as
 * PEEKUSER/POKEUSER: registers, FPU image, debug registers. 0 or -EIO. */
int arch_user_area_read(struct task *t, size_t off, uint64_t *val);
int arch_user_area_write(struct task *t, size_t off, uint64_t val);
/* arch_single_step - set or clear the trap flag t returns to user mode
 * with (PTRACE_SINGLESTEP). */
void arch_single_step(struct task *t, bool on);
#endif
