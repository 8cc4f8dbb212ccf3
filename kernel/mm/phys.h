/*
 * phys.h - the direct map: all physical memory is mapped at
 * DIRECT_MAP_BASE (as Linux's page_offset_base), so the kernel reaches
 * any frame by adding an offset.
 */
#ifndef ASPEN_MM_PHYS_H
#define ASPEN_MM_PHYS_H
#include "lib/kernel.h"

#ifdef HOST_TEST
/* Host unit tests back "physical memory" with a malloc'd block. */
extern uintptr_t host_phys_offset;
#define DIRECT_MAP_BASE host_phys_offset
#else
#define DIRECT_MAP_BASE 0xffff888000000000UL
#endif

static inline void *phys_to_virt(paddr_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }
static inline paddr_t virt_to_phys(const void *va) { return (paddr_t)((uintptr_t)va - DIRECT_MAP_BASE); }
#endif
