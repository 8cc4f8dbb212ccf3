/*
 * kmalloc.h - the kernel heap: objects of any size.
 *
 * Sizes up to 2048 bytes come from power-of-two slab caches (16..2048)
 * carved out of single frames; larger sizes take whole buddy blocks.
 * Memory is in the direct map, so kmalloc'd memory has a physical
 * address (virt_to_phys). Each cache has its own spinlock.
 */
#ifndef ASPEN_MM_KMALLOC_H
#define ASPEN_MM_KMALLOC_H
#include "lib/kernel.h"

/* kmalloc - size bytes aligned to min(size rounded to a power of 2, 4096);
 * NULL when memory is exhausted or size is 0 or absurd. Does not sleep. */
void *kmalloc(size_t size);
/* kzalloc - kmalloc, zero-filled. */
void *kzalloc(size_t size);
/* kfree - release a kmalloc'd block; NULL is ignored. */
void kfree(void *p);
/* kmalloc_usable_size - bytes actually reserved for p. */
size_t kmalloc_usable_size(void *p);
#endif
