/*
 * main.c - kmain: from the boot code's first C call to the first user
 * process. The order matters: the per-CPU area before any lock, the
 * console before any message, frames before the heap, the heap before
 * anything that allocates.
 */
#include "lib/kernel.h"
#include "lib/string.h"
#include "arch.h"
#include "boot.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/vmcheck.h"
#include "mm/fail_alloc.h"
#include "time/profile.h"

static void print_banner(void)
{
	struct frame_stats st;
	frame_get_stats(&st);
	pr_info("Aspen: %lu MiB of RAM, %lu frames free of %lu, clock %lu kHz\n",
		(unsigned long)(st.total * PAGE_SIZE >> 20), (unsigned long)st.free,
		(unsigned long)st.total, (unsigned long)arch_tsc_khz());
}

/* kmain - the boot CPU's C entry; never returns. */
__noreturn void kmain(uint32_t magic, uint32_t mbinfo)
{
	arch_early_init();
	boot_step("CPU");
	boot_parse_multiboot(magic, mbinfo);
	boot_parse_cmdline();
	boot_init_memory();
	boot_step("memory");
	arch_late_init();
	boot_step("clock");
	print_banner();
	boot_selftest();
	vmcheck_init();
	fail_alloc_init();
	profile_boot();
	start_first_process();
}
