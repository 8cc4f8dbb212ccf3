/*
 * boot.c - the machine-neutral steps of booting: the command line, the
 * handover of RAM to the frame allocator, and the self-checks.
 */
#include "boot.h"
#include "arch.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "lib/string.h"

#define LOW_MEMORY_END 0x100000UL            /* firmware and BIOS areas */
#define DIRECT_MAP_LIMIT (4UL << 30)         /* what the boot tables map */

struct boot_options boot_options = { .init = "/sbin/init" };

/* boot_cmdline_value - the value after "key=" in the command line, or
 * NULL; the value ends at a space (returned in a static copy per key). */
const char *boot_cmdline_value(const char *key)
{
	static char values[8][128];
	static int next;
	size_t klen = strlen(key);
	for (const char *p = boot_info.cmdline; *p; ) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			char *v = values[next++ % 8];
			size_t vlen = MIN(len - klen - 1, sizeof(values[0]) - 1);
			memcpy(v, p + klen + 1, vlen);
			v[vlen] = 0;
			return v;
		}
		p += len;
	}
	return NULL;
}

bool boot_cmdline_has_word(const char *word)
{
	size_t n = strlen(word);
	for (const char *p = boot_info.cmdline; *p; ) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* fork_strategy=copy|cow|shared: the system's fork strategy (docs/fork.md). */
static void parse_fork_strategy(const char *v)
{
	int s = vm_fork_strategy_parse(v, strlen(v));
	if (s < 0)
		pr_warn("fork_strategy=%s: not copy, cow or shared; keeping %s\n", v,
			vm_fork_strategy_name(vm_fork_strategy));
	else
		vm_fork_strategy = s;
}

/* boot_parse_cmdline - init=, loglevel=, fork_strategy=, aspen.crash=,
 * aspen.selftest. */
void boot_parse_cmdline(void)
{
	const char *v;
	if ((v = boot_cmdline_value("init")))
		boot_options.init = v;
	if ((v = boot_cmdline_value("loglevel")))
		console_loglevel = v[0] - '0';
	if (boot_cmdline_has_word("quiet"))
		console_loglevel = LOG_WARN;
	if ((v = boot_cmdline_value("fork_strategy")))
		parse_fork_strategy(v);
	boot_options.crash = boot_cmdline_value("aspen.crash");
	boot_options.selftest = boot_cmdline_has_word("aspen.selftest");
}

static bool overlaps(paddr_t s, paddr_t e, paddr_t rs, paddr_t re)
{
	return s < re && rs < e;
}

/* Give [s, e) to the frame allocator minus the reserved ranges. */
static void add_ram_except(paddr_t s, paddr_t e, const struct boot_range *res, int nres)
{
	for (int i = 0; i < nres; i++) {
		if (!overlaps(s, e, res[i].start, res[i].end))
			continue;
		if (s < res[i].start)
			add_ram_except(s, res[i].start, res, nres);
		if (res[i].end < e)
			add_ram_except(res[i].end, e, res, nres);
		return;
	}
	if (s < e)
		frame_add_range(s, e);
}

/* Place the frame array in the first RAM above everything reserved. */
static paddr_t find_meta_space(size_t size, const struct boot_range *res, int nres)
{
	for (int i = 0; i < boot_info.nram; i++) {
		paddr_t s = PAGE_ROUND_UP(MAX(boot_info.ram[i].start, LOW_MEMORY_END));
		for (int j = 0; j < nres; j++)
			if (overlaps(s, s + size, res[j].start, res[j].end))
				s = PAGE_ROUND_UP(res[j].end);
		if (s + size <= MIN(boot_info.ram[i].end, DIRECT_MAP_LIMIT))
			return s;
	}
	panic("boot: no room for %lu bytes of frame metadata", (unsigned long)size);
}

/* boot_init_memory - hand every usable frame to the frame allocator. */
void boot_init_memory(void)
{
	paddr_t max_pa = 0;
	for (int i = 0; i < boot_info.nram; i++)
		max_pa = MAX(max_pa, MIN(boot_info.ram[i].end, DIRECT_MAP_LIMIT));
	struct boot_range res[4] = {
		{ 0, LOW_MEMORY_END },
		{ boot_info.kernel_start, boot_info.kernel_end },
		{ PAGE_ROUND_DOWN(boot_info.initrd_start), PAGE_ROUND_UP(boot_info.initrd_end) },
	};
	size_t meta_size = PAGE_ROUND_UP(frame_meta_size(max_pa));
	paddr_t meta = find_meta_space(meta_size, res, 3);
	res[3] = (struct boot_range){ meta, meta + meta_size };
	frame_init(phys_to_virt(meta), max_pa);
	for (int i = 0; i < boot_info.nram; i++)
		add_ram_except(boot_info.ram[i].start, MIN(boot_info.ram[i].end, DIRECT_MAP_LIMIT), res, 4);
}

static paddr_t initrd_released;   /* frames of the archive below it are free (boot CPU only) */

/* boot_release_initrd_upto - see boot.h. */
void boot_release_initrd_upto(size_t upto)
{
	paddr_t from = MAX(initrd_released, PAGE_ROUND_DOWN(boot_info.initrd_start));
	paddr_t to = PAGE_ROUND_DOWN(boot_info.initrd_start + upto);
	if (to > from)
		frame_add_range(from, to);
	initrd_released = MAX(initrd_released, to);
}

/* boot_release_initrd - the archive is unpacked: its frames become free RAM. */
void boot_release_initrd(void)
{
	if (boot_info.initrd_end > boot_info.initrd_start) {
		paddr_t from = MAX(initrd_released, PAGE_ROUND_DOWN(boot_info.initrd_start));
		if (PAGE_ROUND_UP(boot_info.initrd_end) > from)
			frame_add_range(from, PAGE_ROUND_UP(boot_info.initrd_end));
	}
	boot_info.initrd_start = boot_info.initrd_end = 0;
}

/* The boot timeline: the cycle counter at the end of each step (boot
 * CPU only, before init runs). */
#define BOOT_STEPS_MAX 16
static struct { const char *name; uint64_t cycles; } boot_steps[BOOT_STEPS_MAX];
static int nboot_steps;

void boot_step(const char *name)
{
	if (nboot_steps < BOOT_STEPS_MAX) {
		boot_steps[nboot_steps].name = name;
		boot_steps[nboot_steps++].cycles = arch_cycles();
	}
}

/* put_ms - "SEP NAME M.T" (cycles as milliseconds) at buf; its length. */
static size_t put_ms(char *buf, size_t size, const char *sep, const char *name, uint64_t cycles, uint64_t khz)
{
	uint64_t tenths = cycles * 10 / khz;
	int n = snprintf(buf, size, "%s%s %lu.%lu", sep, name, (unsigned long)(tenths / 10),
			 (unsigned long)(tenths % 10));
	return n < 0 || !size ? 0 : MIN((size_t)n, size - 1);
}

void boot_report_times(void)
{
	char line[512];
	uint64_t khz = arch_tsc_khz(), prev = arch_entry_cycles();
	if (!khz)
		return;
	size_t len = put_ms(line, sizeof(line), "", "firmware", prev, khz);
	for (int i = 0; i < nboot_steps; i++) {
		len += put_ms(line + len, sizeof(line) - len, ", ", boot_steps[i].name,
			      boot_steps[i].cycles - prev, khz);
		prev = boot_steps[i].cycles;
	}
	len += put_ms(line + len, sizeof(line) - len, " ms; ", "total", prev, khz);
	pr_info("boot: %s ms since reset\n", line);
}
