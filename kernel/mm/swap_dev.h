/*
 * swap_dev.h - the storage under a swap area: a block device (swap_dev.c,
 * over kernel/block/blkdev.h).
 */
#ifndef ASPEN_MM_SWAP_DEV_H
#define ASPEN_MM_SWAP_DEV_H
#include "mm/swap.h"

/* swap_dev_open - the disk with device number rdev as swap storage: its
 * I/O, its handle (*dev, for io) and its size in pages. 0, or -ENXIO
 * when no disk has that number. May sleep. */
int swap_dev_open(uint32_t rdev, const struct swap_io **io, void **dev, uint64_t *pages);
#endif
