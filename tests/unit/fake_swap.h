/*
 * fake_swap.h - an in-memory swap device for host unit tests (fake_swap.c).
 */
#ifndef ASPEN_TEST_FAKE_SWAP_H
#define ASPEN_TEST_FAKE_SWAP_H
#include "mm/swap.h"

struct fake_swap_dev {
	uint8_t *data;            /* pages * PAGE_SIZE bytes: the "disk" */
	uint64_t pages;
	bool fail_reads, fail_writes;
	int reads, writes;
	bool released;
};

extern const struct swap_io fake_swap_io;
/* fake_mkswap - a SWAPSPACE2 header page as mkswap writes it. */
void fake_mkswap(uint8_t *page, uint64_t pages, const uint32_t *bad, uint32_t nbad, const char *label);
/* fake_swapon - a formatted device of pages pages, enabled for node; the
 * type or -errno. fake_swapoff - swapoff and free it. */
int fake_swapon(struct fake_swap_dev *d, uint64_t pages, struct inode *node, int flags);
void fake_swapoff(struct fake_swap_dev *d, struct inode *node);
#endif
