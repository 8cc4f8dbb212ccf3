/*
 * multiboot.c - read the multiboot (v1) information QEMU leaves for us:
 * the memory map, the command line and the initrd module. Everything is
 * copied into boot_info, since the loader's memory will be reused.
 */
#include "arch/x86_64/cpu.h"
#include "boot.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "arch.h"
#include "arch/pci.h"

#define MB_BOOTLOADER_MAGIC 0x2BADB002
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MMAP_AVAILABLE 1
#define KERNEL_VMA 0xffffffff80000000UL

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __packed;

struct mb_module { uint32_t start, end, string, reserved; } __packed;
struct mb_mmap_entry { uint32_t size; uint64_t addr, len; uint32_t type; } __packed;

extern char _kernel_start[], _end[];
struct boot_info boot_info;

static void read_memory_map(const struct mb_info *mbi)
{
	uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
	while (p < end && boot_info.nram < BOOT_MAX_RANGES) {
		const struct mb_mmap_entry *e = phys_to_virt(p);
		if (e->type == MMAP_AVAILABLE && e->len)
			boot_info.ram[boot_info.nram++] = (struct boot_range){ e->addr, e->addr + e->len };
		p += e->size + sizeof(e->size);
	}
}

/* boot_parse_multiboot - fill boot_info from the loader's structures. */
void boot_parse_multiboot(uint32_t magic, uint32_t info_pa)
{
	if (magic != MB_BOOTLOADER_MAGIC)
		panic("boot: not started by a multiboot loader (magic 0x%x)", magic);
	const struct mb_info *mbi = phys_to_virt(info_pa);
	boot_info.kernel_start = (paddr_t)((uint64_t)_kernel_start - KERNEL_VMA);
	boot_info.kernel_end = (paddr_t)((uint64_t)_end - KERNEL_VMA);
	if (mbi->flags & MBI_CMDLINE)
		strlcpy(boot_info.cmdline, phys_to_virt(mbi->cmdline), sizeof(boot_info.cmdline));
	if ((mbi->flags & MBI_MODS) && mbi->mods_count > 0) {
		const struct mb_module *m = phys_to_virt(mbi->mods_addr);
		boot_info.initrd_start = m->start;
		boot_info.initrd_end = m->end;
	}
	if (!(mbi->flags & MBI_MMAP))
		panic("boot: the loader gave no memory map");
	read_memory_map(mbi);
}

extern void cpu_init_boot(void);
extern void paging_init_kernel(void);

/* arch_early_init - console, CPU tables and features; before any printk. */
void arch_early_init(void)
{
	cpu_init_boot();
	serial_init();
	paging_init_kernel();
}

/* arch_late_init - interrupt controllers, the clock, this CPU's timer;
 * the PCI bus is enumerated for the drivers. */
void arch_late_init(void)
{
	pic_init();
	lapic_init_cpu(true);
	tsc_calibrate();
	lapic_timer_init_cpu();
	serial_enable_rx_irq();
	pci_init();
}
