/*
 * acpi.c - just enough ACPI to count the CPUs: find the RSDP in the BIOS
 * area, follow the RSDT to the MADT ("APIC" table) and collect the local
 * APIC id of every enabled processor.
 */
#include "arch/x86_64/cpu.h"
#include "mm/phys.h"
#include "lib/string.h"

#define BIOS_AREA_START 0xe0000UL
#define BIOS_AREA_END 0x100000UL
#define MADT_LOCAL_APIC 0
#define MADT_ENABLED 0x1

struct rsdp { char sig[8]; uint8_t checksum; char oem[6]; uint8_t rev; uint32_t rsdt; } __packed;
struct sdt_header { char sig[4]; uint32_t length; uint8_t rev, checksum; char oem[6], table[8];
		    uint32_t oem_rev, creator, creator_rev; } __packed;
struct madt { struct sdt_header h; uint32_t lapic_addr, flags; } __packed;
struct madt_entry { uint8_t type, length; } __packed;
struct madt_lapic { struct madt_entry e; uint8_t acpi_id, apic_id; uint32_t flags; } __packed;

static bool checksum_ok(const void *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct rsdp *find_rsdp(void)
{
	for (uint64_t pa = BIOS_AREA_START; pa < BIOS_AREA_END; pa += 16) {
		const struct rsdp *r = phys_to_virt(pa);
		if (memcmp(r->sig, "RSD PTR ", 8) == 0 && checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

static const struct madt *find_madt(const struct rsdp *r)
{
	const struct sdt_header *rsdt = phys_to_virt(r->rsdt);
	size_t n = (rsdt->length - sizeof(*rsdt)) / 4;
	const uint32_t *entries = (const uint32_t *)(rsdt + 1);
	for (size_t i = 0; i < n; i++) {
		const struct sdt_header *h = phys_to_virt(entries[i]);
		if (memcmp(h->sig, "APIC", 4) == 0 && checksum_ok(h, h->length))
			return (const struct madt *)h;
	}
	return NULL;
}

/* acpi_find_cpus - the APIC ids of the enabled CPUs, at most max;
 * returns how many (0 when there is no usable MADT). */
int acpi_find_cpus(uint32_t *apic_ids, int max)
{
	const struct rsdp *r = find_rsdp();
	const struct madt *m = r ? find_madt(r) : NULL;
	if (!m)
		return 0;
	int n = 0;
	const uint8_t *p = (const uint8_t *)(m + 1), *end = (const uint8_t *)m + m->h.length;
	while (p + sizeof(struct madt_entry) <= end && n < max) {
		const struct madt_entry *e = (const void *)p;
		if (e->length < sizeof(*e))
			break;
		const struct madt_lapic *l = (const void *)p;
		if (e->type == MADT_LOCAL_APIC && (l->flags & MADT_ENABLED))
			apic_ids[n++] = l->apic_id;
		p += e->length;
	}
	return n;
}
