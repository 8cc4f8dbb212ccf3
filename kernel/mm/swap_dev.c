/*
 * swap_dev.c - swap areas on block devices. Until the block layer
 * (kernel/block/) is in the tree, no device number has a disk.
 */
#include "mm/swap_dev.h"
#include "lib/errno.h"

int swap_dev_open(uint32_t rdev, const struct swap_io **io, void **dev, uint64_t *pages)
{
	return -ENXIO;
}
