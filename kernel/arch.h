/*
 * arch.h - the machine boundary. Generic code (mm/, proc/, fs/, sys/)
 * includes this and nothing under arch/: every CPU detail sits behind
 * these functions. Implemented in arch/x86_64/.
 */
#ifndef ASPEN_ARCH_H
#define ASPEN_ARCH_H
#include "lib/kernel.h"

struct task;
struct trapframe;   /* the user registers saved on kernel entry (opaque here) */
struct context;     /* callee-saved registers of a switched-out task */

/* ---- interrupts and the CPU ---- */
/* arch_irq_enable, arch_irq_disable, arch_irq_enabled, arch_cpu_relax,
 * arch_cpu_id, and arch_current (the task running on this CPU): inline
 * (x86_64/inline.h), as they are on every path. */
#ifdef HOST_TEST
void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irq_enabled(void);
void arch_cpu_relax(void);
int arch_cpu_id(void);
struct task *arch_current(void);
#else
#include "arch/x86_64/inline.h"
#endif
/* arch_wait_for_interrupt - enable interrupts and halt until one arrives. */
void arch_wait_for_interrupt(void);
/* arch_set_current - make t the task running on this CPU. */
void arch_set_current(struct task *t);
/* arch_poweroff - end the machine (QEMU's isa-debug-exit): status 0 for a
 * clean shutdown, nonzero for a failure. */
__noreturn void arch_poweroff(int failed);
/* arch_random_seed - some entropy from the CPU (RDRAND or the TSC). */
uint64_t arch_random_seed(void);

/* ---- several CPUs ---- */
#define ARCH_MAX_CPUS 8
/* arch_ncpus - CPUs running (1 until arch_start_other_cpus). */
int arch_ncpus(void);
/* arch_start_other_cpus - boot the other CPUs; each ends in
 * sched_start_cpu(). Boot CPU, once, with the scheduler ready. */
void arch_start_other_cpus(void);
/* arch_send_resched - interrupt CPU cpu so that it reschedules. */
void arch_send_resched(int cpu);
/* arch_tlb_shootdown - flush the TLBs of the CPUs in mask (bit per CPU,
 * this one excluded) and wait for them. */
void arch_tlb_shootdown(uint64_t mask);

/* ksym_lookup - the name of the kernel function holding addr and the
 * offset in it; NULL if unknown. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* ---- the profiler (time/profile.c) ---- */
/* arch_profile_timer - start (period_ns > 0) or stop (0) the sampling
 * interrupt: a non-maskable interrupt to this CPU each period (only
 * this one: profile_nmi.c says why), which calls profile_sample().
 * Returns the period it got (the hardware's steps), 0 when stopped or
 * when it cannot do that period. */
uint64_t arch_profile_timer(uint64_t period_ns);
/* arch_irq_callchain - inside profile_sample(): ips[0] the interrupted
 * instruction, then for kernel code the return addresses of its
 * frame-pointer chain; *user says which. Returns how many of max it
 * filled, 0 outside the sampling interrupt. */
int arch_irq_callchain(uint64_t *ips, int max, bool *user);

/* ---- hang reports (proc/hang.c) ---- */
/* arch_nmi_all_cpus - a non-maskable interrupt to every CPU, this one
 * included: each calls hang_report_cpu. Any context. */
void arch_nmi_all_cpus(void);
/* arch_report_interrupted - print where the NMI of tf found this CPU:
 * user mode, or the kernel's registers and backtrace. */
void arch_report_interrupted(const struct trapframe *tf);
/* arch_backtrace_switched_out - print the kernel stack of a task that
 * arch_switch saved in ctx. */
void arch_backtrace_switched_out(const struct context *ctx);

/* ---- time ---- */
/* arch_rtc_unix_seconds - the hardware clock as Unix time, 0 if unusable. */
uint64_t arch_rtc_unix_seconds(void);
/* arch_aux_serial_write - send n bytes on the second serial port (COM2),
 * polled; false, sending nothing, when the machine has none. */
bool arch_aux_serial_write(const char *s, size_t n);
/* arch_cycles - the CPU's cycle counter (the TSC): it counts from the
 * machine's reset, at arch_tsc_khz() per millisecond. arch_entry_cycles -
 * its value when the firmware entered the kernel. */
uint64_t arch_cycles(void);
uint64_t arch_entry_cycles(void);
/* arch_clock_ns - nanoseconds since boot, monotonic. */
uint64_t arch_clock_ns(void);
/* arch_timer_set - a one-shot interrupt on this CPU, which calls
 * timer_interrupt() (time/timer.h), when arch_clock_ns() reaches
 * deadline_ns (at once if it has; possibly earlier, the handler then
 * asks again); 0 cancels it. Interrupts off. */
void arch_timer_set(uint64_t deadline_ns);
/* The scheduler's tick rate (time slices, CPU-time sampling). */
#define TIMER_HZ 100

/* ---- page tables ----
 * A page table is a radix tree of PT_LEVELS levels of PT_ENTRIES entries
 * named by the physical address of its root (level PT_LEVELS - 1); the
 * entries of level 0 (leaves) map pages, those above name the table
 * below. The generic code walks, shares and copies it (mm/pagetable.c);
 * the arch makes roots, says how entries are made and read, and flushes
 * TLBs. Rights are given as PTE_* bits, which the arch turns into its own
 * format. */
typedef uint64_t pte_t;
#define PT_LEVELS     4
#define PT_INDEX_BITS 9                      /* 512 entries per table */
#define PT_ENTRIES    (1U << PT_INDEX_BITS)
#define PT_USER_END   (1UL << 47)            /* the user half is [0, PT_USER_END) */
#define PTE_READ   0x1   /* any present mapping can be read */
#define PTE_WRITE  0x2
#define PTE_EXEC   0x4
#define PTE_USER   0x8
#define PTE_SHARED 0x10  /* a MAP_SHARED page: copies of the entry keep their write right */

/* pt_create - a new root: an empty user half and the kernel's half
 * (shared by every root, never changed); 0 when out of memory. */
paddr_t pt_create(void);
/* pt_table_entry - an entry above the leaves naming the table at pa.
 * Not writable: no page below it can be written, whatever its leaf says
 * (how a shared last-level table is protected). */
pte_t pt_table_entry(paddr_t table, bool writable);
bool pt_table_writable(pte_t e);
/* pt_switch - load root as this CPU's address space. */
void pt_switch(paddr_t root);
paddr_t pt_kernel_root(void);
/* tlb_flush_page / tlb_flush_all - drop stale translations on this CPU
 * for the current address space (tlb_flush_page drops cached upper
 * entries too, as x86's invlpg does). */
void tlb_flush_page(vaddr_t va);
void tlb_flush_all(void);

/* Entries of any level: present, and the physical address they name. */
bool pte_present(pte_t pte);
paddr_t pte_addr(pte_t pte);
/* Leaves. */
pte_t pte_make(paddr_t pa, unsigned rights);
unsigned pte_rights(pte_t pte);
bool pte_dirty(pte_t pte);
/* pte_wrprotect - the same leaf without its write right. */
pte_t pte_wrprotect(pte_t pte);
/* pte_young / pte_mkold - the accessed bit the CPU sets on every use of
 * a present entry (the reclaim clock reads and clears it). */
bool pte_young(pte_t pte);
pte_t pte_mkold(pte_t pte);

/* Swap entries: a leaf that is neither present nor empty (0) names the
 * slot of a swap area that holds the page: its type (the area, below
 * PTE_SWAP_TYPES) and offset (the page within it). x86-64 encodes it as
 * Linux does, so the bits are the ones Linux would keep. */
#define PTE_SWAP_TYPES 32
#define PTE_SWAP_MAX_OFFSET ((1UL << 50) - 2)
pte_t pte_make_swap(unsigned type, uint64_t offset);
bool pte_is_swap(pte_t pte);
unsigned pte_swap_type(pte_t pte);
uint64_t pte_swap_offset(pte_t pte);

/* ---- user tasks ---- */
/* arch_trapframe_size - bytes to reserve at the top of a kernel stack. */
size_t arch_trapframe_size(void);
/* arch_setup_user_entry - fill tf so that returning from it starts user
 * code at entry with stack pointer sp and every other register zero. */
void arch_setup_user_entry(struct trapframe *tf, vaddr_t entry, vaddr_t sp);
/* arch_set_syscall_return - the value the interrupted syscall returns. */
void arch_set_syscall_return(struct trapframe *tf, long value);
/* arch_copy_trapframe_for_child - child registers after fork/clone: the
 * parent's, returning 0, with a new stack pointer when sp is nonzero. */
void arch_copy_trapframe_for_child(struct trapframe *child, const struct trapframe *parent, vaddr_t sp);
/* arch_trapframe_ip / sp - where user code was. */
vaddr_t arch_trapframe_ip(const struct trapframe *tf);
vaddr_t arch_trapframe_sp(const struct trapframe *tf);
/* arch_new_task_context - prepare a new task's kernel stack so that the
 * first switch to it runs fn(arg) on [kstack_base, kstack_top). Returns
 * the context to pass to arch_switch. */
struct context *arch_new_task_context(uint64_t kstack_top, void (*fn)(void *), void *arg);
/* arch_switch - save the running task's callee-saved state in *old and
 * continue with new. Returns when something switches back. */
void arch_switch(struct context **old, struct context *new);
/* arch_return_to_user - leave the kernel through the trap frame tf (at
 * the top of the current kernel stack). Never returns. */
__noreturn void arch_return_to_user(struct trapframe *tf);
/* arch_task_switched_in - per-task CPU state to load when t runs next on
 * this CPU (kernel stack for entries, FS base, FPU state). */
void arch_task_switched_in(struct task *t, uint64_t kstack_top);

/* Per-task CPU state kept by the arch: FS base and the FPU/SSE area;
 * the last user exception (for the signal frame's sigcontext). */
struct arch_task_state {
	uint64_t fs_base;
	uint64_t gs_base;
	uint8_t fpu[512] __attribute__((aligned(16)));  /* fxsave area */
	bool fpu_valid;
	uint64_t trap_nr, error_code, cr2;
	uint64_t debugreg[8];    /* what ptrace reads and writes (arch/regs.h) */
	uint64_t dr7_hw;         /* the DR7 loaded while it runs: its armed breakpoints, or 0 */
	bool tsc_sigsegv;        /* PR_SET_TSC: rdtsc faults (CR4.TSD while it runs); exec keeps it */
};
void arch_task_state_init(struct arch_task_state *s);
void arch_task_state_copy(struct arch_task_state *dst, const struct arch_task_state *src);
/* arch_save_task_state / arch_load_task_state - around a switch. */
void arch_save_task_state(struct arch_task_state *s);
void arch_load_task_state(const struct arch_task_state *s);
/* arch_prctl_tsc - PR_GET_TSC (store the mode at user address arg) or
 * PR_SET_TSC (arg: PR_TSC_ENABLE or PR_TSC_SIGSEGV) for the calling
 * thread: 0, -EFAULT or -EINVAL. */
long arch_prctl_tsc(bool set, uint64_t arg);

/* ---- signal frames and syscall restarts (arch/x86_64/signal.c) ----
 * Generic code (proc/signal.c) decides which handler runs, with which
 * mask and on which stack; the arch lays out the frame as the ABI says. */
struct user_siginfo;
struct signal_frame_req {
	int sig;
	uint64_t handler, restorer;       /* sa_handler, sa_restorer */
	uint64_t mask;                    /* the mask rt_sigreturn restores */
	vaddr_t altstack_top;             /* nonzero: build on the alternate stack */
	uint64_t ss_sp, ss_size;          /* uc_stack: the alternate stack */
	int ss_flags;
	const struct user_siginfo *info;
};
/* arch_setup_signal_frame - push a signal frame (registers of tf, FPU
 * state, req's mask and info) on the user stack and point tf at the
 * handler, the FPU reset for it. 0, or -EFAULT if the stack cannot take
 * it (tf unchanged). May sleep (user memory). */
int arch_setup_signal_frame(struct trapframe *tf, const struct signal_frame_req *req);
/* What rt_sigreturn gives back besides the registers. */
struct sigreturn_state {
	uint64_t mask, ss_sp, ss_size;
	int ss_flags;
	long retval;                      /* the restored return-value register */
};
/* arch_restore_signal_frame - rt_sigreturn: reload tf and the FPU from
 * the frame the handler returned through; 0 or -EFAULT (bad frame). */
int arch_restore_signal_frame(struct trapframe *tf, struct sigreturn_state *out);
/* arch_syscall_result - true if tf is a system call's frame (not an
 * exception's, nor one rt_sigreturn rebuilt), with its result in *ret. */
bool arch_syscall_result(const struct trapframe *tf, long *ret);
/* arch_syscall_restart - make the return through tf run the same system
 * call again, with the same arguments; _as: run syscall nr instead. */
void arch_syscall_restart(struct trapframe *tf);
/* arch_syscall_nr - the number of the syscall tf entered with (Linux's
 * orig_rax, which ptrace may change), -1 for a frame no syscall built. */
long arch_syscall_nr(const struct trapframe *tf);
/* arch_seccomp_data - the call tf entered with as a seccomp filter sees
 * it (struct seccomp_data: number, AUDIT_ARCH_*, the address after the
 * syscall instruction, the six arguments). */
struct seccomp_data;
void arch_seccomp_data(const struct trapframe *tf, struct seccomp_data *d);
void arch_syscall_restart_as(struct trapframe *tf, long nr);
/* arch_cpu_syscall - for a panic report: CPU cpu's current task (in
 * *task, NULL if none) and, if that task is in a system call, its number
 * and six arguments from the frame the entry built at the top of its
 * kernel stack (true). Reads without locks: the machine is stopping. */
bool arch_cpu_syscall(int cpu, void **task, long *nr, uint64_t args[6]);

/* ---- the vDSO (arch/x86_64/vdso.c; mm/vdso.c maps it) ----
 * A shared object of user code that reads the clock without a system
 * call, and the page of data it reads, which lies ARCH_VVAR_PAGES pages
 * (only the first holds data) below its ARCH_VDSO_PAGES pages. */
#define ARCH_VVAR_PAGES 4
#define ARCH_VDSO_PAGES 2
/* arch_vdso_image - the vDSO's ELF image, *size bytes (at most
 * ARCH_VDSO_PAGES pages). */
const void *arch_vdso_image(size_t *size);
/* arch_vvar_publish - write the clock's current parameters into the
 * data page (a kernel address), under its sequence count. Callers
 * serialize; readers never block. */
void arch_vvar_publish(void *page);

/* ---- user memory (mm/usercopy.c calls these after checking ranges) ---- */
/* arch_user_copy / arch_user_clear - returns the bytes NOT done. */
uint64_t arch_user_copy(void *dst, const void *src, uint64_t n);
uint64_t arch_user_clear(void *dst, uint64_t n);
/* arch_user_cmpxchg32 - atomic compare-and-exchange on a user word;
 * 0 with *seen the value found, -1 on a fault. */
int arch_user_cmpxchg32(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *seen);
#endif
#ifndef ASPEN_ARCH_H_TAIL
#define ASPEN_ARCH_H_TAIL
/* arch_syscall_dispatch - decode the syscall in tf and run it. */
long arch_syscall_dispatch(struct trapframe *tf);
/* arch_hwcap / arch_hwcap2 - the AT_HWCAP and AT_HWCAP2 values for the
 * auxiliary vector. */
uint64_t arch_hwcap(void);
uint64_t arch_hwcap2(void);
/* arch_min_sigstack_size - AT_MINSIGSTKSZ: the most stack a signal frame
 * takes (arch/x86_64/signal.c), as Linux reports it. */
uint64_t arch_min_sigstack_size(void);
#endif
