/*
 * backtrace.c - symbolized stack traces for panics. The second link
 * pass embeds a sorted table of function addresses and names (made by
 * scripts/ksyms.sh); the frame-pointer chain gives the return addresses.
 */
#include "arch/x86_64/cpu.h"

extern const uint64_t ksyms_count __attribute__((weak));
extern const uint64_t ksyms_addrs[] __attribute__((weak));
extern const uint32_t ksyms_name_offs[] __attribute__((weak));
extern const char ksyms_names[] __attribute__((weak));
extern char _kernel_start[], _end[];

/* ksym_lookup - the name of the function holding addr and the offset in it; NULL if unknown. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	if (!&ksyms_count || ksyms_count == 0 || addr < ksyms_addrs[0])
		return NULL;
	uint64_t lo = 0, hi = ksyms_count;
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_addrs[lo];
	return ksyms_names + ksyms_name_offs[lo];
}

static void print_frame(uint64_t ip)
{
	uint64_t off;
	const char *name = ksym_lookup(ip, &off);
	if (name)
		printk(LOG_ERR, "  [<%016lx>] %s+0x%lx\n", ip, name, off);
	else
		printk(LOG_ERR, "  [<%016lx>] ?\n", ip);
}

static bool kernel_stack_addr(uint64_t p)
{
	return p >= 0xffff800000000000UL && (p & 7) == 0;
}

/* backtrace_from - print ip, then walk the rbp chain (at most 32 frames). */
void backtrace_from(uint64_t rbp, uint64_t rip)
{
	printk(LOG_ERR, "Call trace:\n");
	print_frame(rip);
	for (int depth = 0; depth < 32 && kernel_stack_addr(rbp); depth++) {
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (ret < (uint64_t)_kernel_start || ret >= (uint64_t)_end)
			break;
		print_frame(ret);
		rbp = ((uint64_t *)rbp)[0];
	}
}

/* backtrace_here - the caller's stack. */
void backtrace_here(void)
{
	backtrace_from((uint64_t)__builtin_frame_address(0), (uint64_t)__builtin_return_address(0));
}

#define IRQ_STACK_SPAN (64 * 1024)   /* how far below its top a kernel stack may be in use */

/* arch_irq_callchain - where the profiler's NMI found this CPU: the
 * interrupted instruction, then (kernel code) the return addresses of
 * its frame-pointer chain. Each frame must lie above the previous one
 * and between the interrupted stack pointer and the top of the current
 * kernel stack (kernel_rsp), so a stale or user RBP is never followed. */
int arch_irq_callchain(uint64_t *ips, int max, bool *user)
{
	struct percpu *cpu = this_cpu();
	const struct trapframe *tf = cpu->irq_tf;
	if (!tf || max < 1)
		return 0;
	ips[0] = tf->rip;
	*user = (tf->cs & 3) != 0;
	if (*user)
		return 1;
	uint64_t lo = tf->rsp, hi = cpu->kernel_rsp;
	if (lo < 0xffff800000000000UL)
		return 1;   /* syscall_entry before its stack switch: the user's stack */
	if (hi <= lo || hi - lo > IRQ_STACK_SPAN)
		hi = (lo | (PAGE_SIZE - 1)) + 1;   /* another stack (idle, boot): the rest of its page */
	int n = 1;
	for (uint64_t rbp = tf->rbp; n < max && rbp >= lo && rbp + 16 <= hi && (rbp & 7) == 0;) {
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (ret < (uint64_t)_kernel_start || ret >= (uint64_t)_end)
			break;
		ips[n++] = ret;
		uint64_t next = ((uint64_t *)rbp)[0];
		if (next <= rbp)
			break;
		rbp = next;
	}
	return n;
}
