/*
 * fake_ram.h - "physical memory" for host unit tests: a block of host
 * memory handed to the real frame allocator, reached through
 * host_phys_offset as the kernel reaches RAM through its direct map.
 */
#ifndef ASPEN_TEST_FAKE_RAM_H
#define ASPEN_TEST_FAKE_RAM_H
#include <stdlib.h>
#include "mm/frame.h"
#include "mm/phys.h"

/* fake_ram_init - once per program: bytes of RAM, free from first_free
 * (physical address) up. */
static inline void fake_ram_init(size_t bytes, paddr_t first_free)
{
	static void *ram;
	if (ram)
		return;
	ram = aligned_alloc(PAGE_SIZE, bytes);
	host_phys_offset = (uintptr_t)ram;
	frame_init(calloc(1, frame_meta_size(bytes)), bytes);
	frame_add_range(first_free, bytes);
}
#endif
