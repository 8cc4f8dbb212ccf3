/*
 * pci.c - the PCI bus of QEMU's pc machine (i440FX): configuration
 * space through mechanism #1 (an address written to port 0xcf8, the
 * data at 0xcfc), enumeration at boot, BAR sizing, and MSI-X.
 *
 * MSI-X: a device interrupts by writing a message to an address; on x86
 * the address 0xfee00000 | (APIC id << 12) lands in that CPU's local
 * APIC, and the data is the vector. So a device interrupt needs no
 * interrupt controller at all (the PIC only serves the legacy IRQs):
 * each routed table entry gets a vector of its own from
 * [VEC_MSI_BASE, VEC_MSI_BASE + VEC_MSI_COUNT), aimed at the boot CPU,
 * and trap.c hands the vector to pci_msi_interrupt.
 */
#include "arch/x86_64/cpu.h"
#include "arch/pci.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "mm/phys.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define CONFIG_ENABLE 0x80000000u
#define PCI_MAX_DEVICES 64
#define PCI_SLOTS 32
#define PCI_FUNCS 8
#define PCI_VENDOR_NONE 0xffff
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_BRIDGE 0x01
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_CMD_IO 0x1
#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_CMD_INTX_DISABLE 0x400
#define BAR_IO 0x1
#define BAR_MEM_TYPE_MASK 0x6
#define BAR_MEM_64 0x4
#define MSIX_CONTROL 2
#define MSIX_TABLE 4
#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_CTRL_FUNC_MASK 0x4000
#define MSIX_CTRL_SIZE_MASK 0x7ff
#define MSIX_BIR_MASK 0x7
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_MASKED 0x1
#define MSI_ADDRESS_BASE 0xfee00000u
#define MSI_DEST_SHIFT 12
#define DIRECT_MAP_LIMIT (4UL << 30)   /* the direct map covers 0-4 GiB */
/* Where unassigned BARs go (assign_bars): I/O ports above the legacy
 * ones, and memory in the pc machine's PCI hole, above RAM below 4 GiB
 * (which ends by 0xe0000000) and below the I/O APIC at 0xfec00000. */
#define IO_WINDOW_START 0xc000u
#define IO_WINDOW_END 0x10000u
#define MEM_WINDOW_START 0xe0000000u
#define MEM_WINDOW_END 0xfec00000u

static struct pci_dev devices[PCI_MAX_DEVICES];   /* (c) after pci_init */
static int ndevices;                              /* (c) after pci_init */

/* config_lock: the address/data port pair is one register window. */
static struct spinlock config_lock = SPINLOCK_INIT("pci_config");

/* msi_lock guards msi_handlers' allocation; a handler is written before
 * the device can use its vector and never changes after. */
static struct spinlock msi_lock = SPINLOCK_INIT("pci_msi");
static struct {
	pci_irq_fn fn;
	void *arg;
} msi_handlers[VEC_MSI_COUNT];
static unsigned msi_used;   /* (msi_lock) vectors handed out */

static uint32_t config_address(uint8_t bus, uint8_t slot, uint8_t func, unsigned off)
{
	return CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (uint32_t)func << 8 |
	       (off & 0xfc);
}

static uint32_t config_read(uint8_t bus, uint8_t slot, uint8_t func, unsigned off)
{
	spin_lock(&config_lock);
	outl(CONFIG_ADDRESS, config_address(bus, slot, func, off));
	uint32_t v = inl(CONFIG_DATA);
	spin_unlock(&config_lock);
	return v;
}

static void config_write(uint8_t bus, uint8_t slot, uint8_t func, unsigned off, uint32_t v)
{
	spin_lock(&config_lock);
	outl(CONFIG_ADDRESS, config_address(bus, slot, func, off));
	outl(CONFIG_DATA, v);
	spin_unlock(&config_lock);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	return config_read(d->bus, d->slot, d->func, off);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	config_write(d->bus, d->slot, d->func, off, v);
}

/* A 16-bit write as a read-modify-write of its dword: the other half is
 * written back as read (no write-1-to-clear bits share a dword with the
 * registers drivers write: command/status is handled by masking). */
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	unsigned shift = (off & 2) * 8;
	uint32_t old = pci_read32(d, off);
	if ((off & ~3u) == PCI_COMMAND)
		old &= 0x0000ffff;   /* never write back status bits (write 1 to clear) */
	pci_write32(d, off, (old & ~(0xffffu << shift)) | (uint32_t)v << shift);
}

static void scan_bus(uint8_t bus, int depth);

/* Record function (bus, slot, func) and descend if it is a bridge. */
static void add_function(uint8_t bus, uint8_t slot, uint8_t func, int depth)
{
	uint32_t id = config_read(bus, slot, func, 0);
	if ((id & 0xffff) == PCI_VENDOR_NONE || ndevices == PCI_MAX_DEVICES)
		return;
	struct pci_dev *d = &devices[ndevices++];
	uint32_t class = config_read(bus, slot, func, 8);
	uint32_t subsys = config_read(bus, slot, func, PCI_SUBSYS_VENDOR);
	*d = (struct pci_dev){ bus, slot, func, (uint16_t)id, (uint16_t)(id >> 16),
			       (uint16_t)subsys, (uint16_t)(subsys >> 16), (uint8_t)(class >> 24),
			       (uint8_t)(class >> 16), (uint8_t)(class >> 8), (uint8_t)class };
	uint8_t header = (uint8_t)(config_read(bus, slot, func, PCI_HEADER_TYPE & ~3u) >> 16);
	if ((header & 0x7f) == PCI_HEADER_BRIDGE && depth < 8)
		scan_bus(pci_read8(d, PCI_SECONDARY_BUS), depth + 1);
}

static void scan_bus(uint8_t bus, int depth)
{
	for (uint8_t slot = 0; slot < PCI_SLOTS; slot++) {
		if ((config_read(bus, slot, 0, 0) & 0xffff) == PCI_VENDOR_NONE)
			continue;
		uint8_t header = (uint8_t)(config_read(bus, slot, 0, PCI_HEADER_TYPE & ~3u) >> 16);
		int nfunc = header & PCI_HEADER_MULTIFUNCTION ? PCI_FUNCS : 1;
		for (uint8_t func = 0; func < nfunc; func++)
			add_function(bus, slot, func, depth);
	}
}

static void assign_bars(void);

/* pci_init - enumerate from bus 0. See pci.h. */
void pci_init(void)
{
	scan_bus(0, 0);
	assign_bars();
	for (int i = 0; i < ndevices; i++)
		pr_debug("pci %02x:%02x.%x: %04x:%04x class %02x%02x\n", devices[i].bus,
			 devices[i].slot, devices[i].func, devices[i].vendor, devices[i].device,
			 devices[i].class_code, devices[i].subclass);
}

int pci_count(void) { return ndevices; }
const struct pci_dev *pci_get(int i) { return i >= 0 && i < ndevices ? &devices[i] : NULL; }

/* pci_find_capability - walk d's capability list. See pci.h. */
unsigned pci_find_capability(const struct pci_dev *d, uint8_t id)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned off = pci_read8(d, PCI_CAP_PTR) & ~3u;
	for (int hops = 0; off && hops < 48; hops++) {
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1) & ~3u;
	}
	return 0;
}

/* Size one 32-bit BAR register: the bits that stay zero after writing ones. */
static uint32_t probe_bar(const struct pci_dev *d, unsigned off)
{
	uint32_t old = pci_read32(d, off);
	pci_write32(d, off, 0xffffffffu);
	uint32_t mask = pci_read32(d, off);
	pci_write32(d, off, old);
	return mask;
}

/* pci_read_bar - decode and size BAR n. See pci.h. */
int pci_read_bar(const struct pci_dev *d, int n, struct pci_bar *out)
{
	if (n < 0 || n > 5)
		return -EINVAL;
	unsigned off = PCI_BAR0 + 4 * (unsigned)n;
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	uint32_t lo = pci_read32(d, off);
	*out = (struct pci_bar){ 0, 0, lo & BAR_IO };
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	if (out->io) {
		uint32_t mask = probe_bar(d, off) & ~3u & 0xffff;
		out->base = lo & ~3u;
		out->size = mask ? (~mask & 0xffff) + 1 : 0;
	} else {
		uint64_t mask = probe_bar(d, off) & ~0xfu;
		out->base = lo & ~0xfu;
		if ((lo & BAR_MEM_TYPE_MASK) == BAR_MEM_64 && n < 5) {
			out->base |= (uint64_t)pci_read32(d, off + 4) << 32;
			mask |= (uint64_t)probe_bar(d, off + 4) << 32;
		} else if (mask) {
			mask |= 0xffffffff00000000UL;   /* (0: the BAR is not implemented) */
		}
		out->size = mask & ~0xfUL ? ~mask + 1 : 0;
	}
	pci_write16(d, PCI_COMMAND, cmd);
	return 0;
}

/* pci_enable_device - decoding and bus mastering on, INTx off. */
void pci_enable_device(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd | PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER |
		    PCI_CMD_INTX_DISABLE);
}

/* pci_mmio_map - device memory through the direct map (below 4 GiB). */
void *pci_mmio_map(uint64_t pa, uint64_t size)
{
	if (!size || pa + size > DIRECT_MAP_LIMIT || pa + size < pa)
		return NULL;
	return phys_to_virt(pa);
}

uint8_t pci_io_read8(uint16_t port) { return inb(port); }
uint16_t pci_io_read16(uint16_t port) { return inw(port); }
uint32_t pci_io_read32(uint16_t port) { return inl(port); }
void pci_io_write8(uint16_t port, uint8_t v) { outb(port, v); }
void pci_io_write16(uint16_t port, uint16_t v) { outw(port, v); }
void pci_io_write32(uint16_t port, uint32_t v) { outl(port, v); }

/* A free MSI vector with fn(arg) as its handler, or 0 if none is left. */
static unsigned msi_vector_alloc(pci_irq_fn fn, void *arg)
{
	unsigned vector = 0;
	spin_lock(&msi_lock);
	if (msi_used < VEC_MSI_COUNT) {
		msi_handlers[msi_used].fn = fn;
		msi_handlers[msi_used].arg = arg;
		vector = VEC_MSI_BASE + msi_used++;
	}
	spin_unlock(&msi_lock);
	return vector;
}

/* d's MSI-X table, mapped, and its size in entries; NULL if unreachable. */
static volatile uint32_t *msix_table(const struct pci_dev *d, unsigned cap, unsigned *entries)
{
	uint32_t where = pci_read32(d, cap + MSIX_TABLE);
	struct pci_bar bar;
	*entries = (pci_read16(d, cap + MSIX_CONTROL) & MSIX_CTRL_SIZE_MASK) + 1u;
	if (pci_read_bar(d, (int)(where & MSIX_BIR_MASK), &bar) || bar.io || !bar.base)
		return NULL;
	uint64_t off = where & ~(uint32_t)MSIX_BIR_MASK;
	if (off + *entries * MSIX_ENTRY_SIZE > bar.size)
		return NULL;
	return pci_mmio_map(bar.base + off, *entries * MSIX_ENTRY_SIZE);
}

/* pci_msix_route - program one MSI-X entry for fn(arg). See pci.h. */
int pci_msix_route(const struct pci_dev *d, unsigned entry, pci_irq_fn fn, void *arg)
{
	unsigned cap = pci_find_capability(d, PCI_CAP_ID_MSIX), entries;
	volatile uint32_t *table = cap ? msix_table(d, cap, &entries) : NULL;
	if (!table)
		return -ENODEV;
	if (entry >= entries)
		return -EINVAL;
	uint16_t ctrl = pci_read16(d, cap + MSIX_CONTROL);
	if (!(ctrl & MSIX_CTRL_ENABLE)) {
		/* First route on d: mask every entry, then enable MSI-X. */
		pci_write16(d, cap + MSIX_CONTROL, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_FUNC_MASK);
		for (unsigned i = 0; i < entries; i++)
			table[i * 4 + 3] = MSIX_ENTRY_MASKED;
		ctrl = (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_FUNC_MASK;
		pci_write16(d, cap + MSIX_CONTROL, ctrl);
	}
	unsigned vector = msi_vector_alloc(fn, arg);
	if (!vector)
		return -ENOSPC;
	volatile uint32_t *e = table + entry * 4;
	e[0] = MSI_ADDRESS_BASE | lapic_id() << MSI_DEST_SHIFT;
	e[1] = 0;
	e[2] = vector;   /* fixed delivery, edge */
	e[3] = 0;        /* unmasked */
	return 0;
}

/* pci_msi_interrupt - run the handler of an MSI vector. Interrupts off. */
void pci_msi_interrupt(unsigned vector)
{
	unsigned i = vector - VEC_MSI_BASE;
	if (i < VEC_MSI_COUNT && msi_handlers[i].fn)
		msi_handlers[i].fn(msi_handlers[i].arg);
}

/* bar_window - the next free address of BAR b's window (I/O or memory)
 * in *next, and the window's end in *end. */
static uint64_t *bar_window(const struct pci_bar *b, uint64_t next[2], uint64_t *end)
{
	*end = b->io ? IO_WINDOW_END : MEM_WINDOW_END;
	return &next[b->io ? 0 : 1];
}

/* bar_is_64 - BAR n of d is the low half of a 64-bit memory BAR. */
static bool bar_is_64(const struct pci_dev *d, int n)
{
	uint32_t lo = pci_read32(d, PCI_BAR0 + 4 * (unsigned)n);
	return !(lo & BAR_IO) && (lo & BAR_MEM_TYPE_MASK) == BAR_MEM_64;
}

/* Give the BARs the firmware left unassigned (base 0) an address, as
 * Linux does: SeaBIOS assigns every BAR, but qboot, the quicker
 * firmware make run uses (docs/boot.md), assigns none. Each goes after
 * whatever the firmware put in its window, aligned to its size. Devices
 * on bus 0 only (the pc machine puts them all there; one behind a
 * bridge would also need the bridge's windows set). Boot CPU, once. */
static void assign_bars(void)
{
	uint64_t next[2] = { IO_WINDOW_START, MEM_WINDOW_START }, end;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < ndevices; i++) {
			const struct pci_dev *d = &devices[i];
			uint8_t header = (uint8_t)(pci_read32(d, PCI_HEADER_TYPE & ~3u) >> 16);
			if (d->bus || (header & 0x7f) != 0)
				continue;
			for (int n = 0; n < 6; n += bar_is_64(d, n) ? 2 : 1) {
				struct pci_bar b;
				if (pci_read_bar(d, n, &b) || !b.size)
					continue;
				uint64_t *at = bar_window(&b, next, &end);
				if (pass == 0 && b.base >= *at && b.base < end)
					*at = b.base + b.size;   /* the firmware's: new ones go after */
				if (pass == 1 && !b.base) {
					uint64_t base = (*at + b.size - 1) & ~(b.size - 1);
					if (base + b.size > end) {
						pr_warn("pci %02x:%02x.%x: no room for BAR %d (%lu bytes)\n",
							d->bus, d->slot, d->func, n, (unsigned long)b.size);
						continue;
					}
					uint16_t cmd = pci_read16(d, PCI_COMMAND);
					pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
					pci_write32(d, PCI_BAR0 + 4 * (unsigned)n, (uint32_t)base);
					if (bar_is_64(d, n))
						pci_write32(d, PCI_BAR0 + 4 * (unsigned)n + 4, 0);
					pci_write16(d, PCI_COMMAND, cmd);
					*at = base + b.size;
				}
			}
		}
	}
}
