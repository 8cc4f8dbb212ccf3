/*
 * inline.h - the few machine operations generic code runs on every path
 * (the current task, the CPU's id, the interrupt flag), inline: as
 * calls they were a tenth of a system call's instructions (the getpid
 * profile in docs/performance.md). Included by arch.h only; the per-CPU
 * offsets are checked against struct percpu in cpu.c. The unit tests
 * (HOST_TEST) supply these as functions of their own.
 */
#ifndef ASPEN_ARCH_X86_64_INLINE_H
#define ASPEN_ARCH_X86_64_INLINE_H

#define ARCH_PERCPU_CURRENT 24   /* offsetof(struct percpu, current) */
#define ARCH_PERCPU_CPU_ID 32    /* offsetof(struct percpu, cpu_id) */
#define ARCH_PERCPU_IRQ_DEPTH 36 /* offsetof(struct percpu, irq_depth) */
#define ARCH_PERCPU_IRQ_WERE_ON 40 /* offsetof(struct percpu, irq_were_on) */
#define ARCH_RFLAGS_IF 0x200

static inline void arch_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void arch_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline bool arch_irq_enabled(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & ARCH_RFLAGS_IF;
}
static inline void arch_cpu_relax(void) { __asm__ volatile("pause"); }
/* Volatile: a task may move to another CPU between two reads. */
static inline int arch_cpu_id(void)
{
	int id;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(ARCH_PERCPU_CPU_ID));
	return id;
}
static inline struct task *arch_current(void)
{
	struct task *t;
	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(ARCH_PERCPU_CURRENT));
	return t;
}

/* arch_irq_push_off / arch_irq_pop_off - irq_push_off and irq_pop_off
 * (lib/spinlock.h), inline for spin_lock and spin_unlock. */
static inline void arch_irq_push_off(void)
{
	bool on = arch_irq_enabled();
	int depth;
	arch_irq_disable();
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(depth) : "i"(ARCH_PERCPU_IRQ_DEPTH));
	__asm__ volatile("movl %0, %%gs:%c1" : : "r"(depth + 1), "i"(ARCH_PERCPU_IRQ_DEPTH) : "memory");
	if (depth == 0)
		__asm__ volatile("movb %0, %%gs:%c1" : : "q"((uint8_t)on), "i"(ARCH_PERCPU_IRQ_WERE_ON) : "memory");
}

static inline void arch_irq_pop_off(void)
{
	int depth;
	uint8_t were_on;
	if (arch_irq_enabled())
		panic("irq_pop_off: interrupts on");
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(depth) : "i"(ARCH_PERCPU_IRQ_DEPTH));
	if (depth <= 0)
		panic("irq_pop_off: unbalanced");
	__asm__ volatile("movl %0, %%gs:%c1" : : "r"(depth - 1), "i"(ARCH_PERCPU_IRQ_DEPTH) : "memory");
	if (depth > 1)
		return;
	__asm__ volatile("movb %%gs:%c1, %0" : "=q"(were_on) : "i"(ARCH_PERCPU_IRQ_WERE_ON));
	if (were_on)
		arch_irq_enable();
}
#endif
