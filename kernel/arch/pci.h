/*
 * pci.h - the PCI bus as drivers see it: the functions found at boot,
 * their configuration space, their base address registers, port I/O,
 * and MSI-X interrupts. Implemented in arch/x86_64/pci.c (configuration
 * mechanism #1 through ports 0xcf8/0xcfc; MSI-X messages aimed straight
 * at a local APIC). Drivers (kernel/block/virtio_blk.c) include this,
 * never anything under arch/.
 */
#ifndef ASPEN_ARCH_PCI_H
#define ASPEN_ARCH_PCI_H
#include "lib/kernel.h"

/* One function on the bus. Constant after pci_init. */
struct pci_dev {
	uint8_t bus, slot, func;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint8_t class_code, subclass, prog_if, revision;
};

/* Offsets in the standard configuration header. */
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_BAR0           0x10
#define PCI_CAP_PTR        0x34
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_ID_MSIX    0x11

/* pci_init - enumerate the bus (bus 0 and whatever lies behind its
 * bridges). Boot CPU, once, before any driver probes. */
void pci_init(void);
/* pci_count / pci_get - the functions found, in bus order. */
int pci_count(void);
const struct pci_dev *pci_get(int i);

/* Configuration space of d: off is the byte offset, naturally aligned. */
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);

/* pci_find_capability - offset of d's first capability with id, 0 if none. */
unsigned pci_find_capability(const struct pci_dev *d, uint8_t id);

/* A base address register: where it is and how big. */
struct pci_bar {
	uint64_t base;   /* port number (io) or physical address */
	uint64_t size;   /* bytes, 0 when the BAR is unused */
	bool io;         /* in I/O space (else memory) */
};
/* pci_read_bar - BAR n (0-5) of d, sized by the usual write-ones probe
 * (decoding is switched off meanwhile). 0, or -EINVAL for a bad n. */
int pci_read_bar(const struct pci_dev *d, int n, struct pci_bar *out);
/* pci_enable_device - let d decode its I/O and memory BARs and master
 * the bus (DMA); legacy INTx is disabled: Aspen's drivers use MSI-X. */
void pci_enable_device(const struct pci_dev *d);
/* pci_mmio_map - a kernel pointer to the device memory [pa, pa + size),
 * or NULL when the kernel cannot reach it. */
void *pci_mmio_map(uint64_t pa, uint64_t size);

/* Port I/O, for I/O BARs. */
uint8_t pci_io_read8(uint16_t port);
uint16_t pci_io_read16(uint16_t port);
uint32_t pci_io_read32(uint16_t port);
void pci_io_write8(uint16_t port, uint8_t v);
void pci_io_write16(uint16_t port, uint16_t v);
void pci_io_write32(uint16_t port, uint32_t v);

/* The function an interrupt runs: interrupts off, on the CPU the
 * message targets; spinlocks and wake_up only, never sleep. */
typedef void (*pci_irq_fn)(void *arg);
/*
 * pci_msix_route - give entry `entry` of d's MSI-X table a CPU vector of
 * its own whose interrupts call fn(arg), and enable MSI-X on d (entries
 * not routed stay masked). Returns 0, -ENODEV (no MSI-X capability or
 * table out of reach), -EINVAL (no such entry) or -ENOSPC (no vector
 * left). Boot time, before the device is told to use the entry.
 */
int pci_msix_route(const struct pci_dev *d, unsigned entry, pci_irq_fn fn, void *arg);
#endif
