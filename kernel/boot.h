/*
 * boot.h - what the boot loader told us, in a machine-neutral form, and
 * the steps of kmain.
 */
#ifndef ASPEN_BOOT_H
#define ASPEN_BOOT_H
#include "lib/kernel.h"

#define BOOT_MAX_RANGES 64
#define BOOT_CMDLINE_MAX 1024

struct boot_range { paddr_t start, end; };

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	struct boot_range ram[BOOT_MAX_RANGES];  /* usable RAM */
	int nram;
	paddr_t kernel_start, kernel_end;        /* the loaded image with its bss */
	paddr_t initrd_start, initrd_end;        /* 0, 0 when none */
};
extern struct boot_info boot_info;

/* Options from the kernel command line (boot.c). */
struct boot_options {
	const char *init;        /* init=PATH: the first program (default /sbin/init) */
	const char *crash;       /* aspen.crash=KIND: a deliberate kernel fault, for tests */
	bool selftest;           /* aspen.selftest: run self-checks, then power off */
};
extern struct boot_options boot_options;
/* boot_cmdline_value - the value of KEY=value on the command line, or NULL. */
const char *boot_cmdline_value(const char *key);
/* boot_cmdline_has_word - the command line has WORD on its own. */
bool boot_cmdline_has_word(const char *word);

void arch_early_init(void);
void arch_late_init(void);
void boot_parse_multiboot(uint32_t magic, uint32_t info_pa);
void boot_parse_cmdline(void);
void boot_init_memory(void);
void boot_selftest(void);
/* boot_release_initrd - the initramfs is unpacked: its frames become free. */
void boot_release_initrd(void);
/* boot_release_initrd_upto - the initramfs's bytes [0, upto) are
 * unpacked: the frames wholly below become free (once). */
void boot_release_initrd_upto(size_t upto);
__noreturn void start_first_process(void);
/* boot_step - the step NAME of booting (a string constant) has just
 * ended: its time goes into the boot timeline. boot_report_times - print
 * the timeline as one line (docs/boot.md, "How long make run takes"). */
void boot_step(const char *name);
void boot_report_times(void);
uint64_t arch_tsc_khz(void);
#endif
