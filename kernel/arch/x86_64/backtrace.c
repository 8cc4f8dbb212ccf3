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
