/*
 * asm-offsets.c - the structure offsets that assembly needs, made from
 * the C structures themselves (Linux's asm-offsets trick): the Makefile
 * compiles this to assembly text and turns each "->NAME value" line into
 * "#define NAME value" in $(BUILD)/asm-offsets.h, which entry.S includes.
 * Never linked.
 */
#include "arch/x86_64/cpu.h"   /* before task.h, whose "current" is a macro */
#include "proc/task.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"((long)(val)))
#define TF(reg, field) DEFINE(TF_##reg, offsetof(struct trapframe, field))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(TASK_EXIT_WORK, offsetof(struct task, exit_work));
	DEFINE(TASK_TRACED, offsetof(struct task, traced));
	/* entry.S compares the two bytes traced and seccomp_on at once */
	_Static_assert(offsetof(struct task, seccomp_on) == offsetof(struct task, traced) + 1,
		       "seccomp_on must follow traced");
	DEFINE(TASK_PROC, offsetof(struct task, proc));
	DEFINE(PROC_SYSCALLS, offsetof(struct process, counters.syscalls));
	DEFINE(TF_SIZE, sizeof(struct trapframe));
	TF(R15, r15); TF(R14, r14); TF(R13, r13); TF(R12, r12); TF(RBP, rbp); TF(RBX, rbx);
	TF(R11, r11); TF(RAX, rax); TF(RCX, rcx); TF(VECTOR, vector);
	TF(RIP, rip); TF(CS, cs); TF(RFLAGS, rflags); TF(RSP, rsp);
}
