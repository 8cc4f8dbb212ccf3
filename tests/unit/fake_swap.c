/*
 * fake_swap.c - swap for host unit tests: an in-memory swap device that
 * can be told to fail, the header mkswap writes, and what mm/kswapd.c
 * and the wait queues give the swap code in the kernel (a single
 * thread never has to wait here).
 */
#include <stdlib.h>
#include <string.h>
#include "fake_swap.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "sync/wait.h"
#include "lib/errno.h"

static int fake_rw(void *dev, bool write, uint64_t page, paddr_t pa)
{
	struct fake_swap_dev *d = dev;
	if (page >= d->pages || (write ? d->fail_writes : d->fail_reads))
		return -EIO;
	uint8_t *slot = d->data + page * PAGE_SIZE;
	if (write) {
		memcpy(slot, phys_to_virt(pa), PAGE_SIZE);
		d->writes++;
	} else {
		memcpy(phys_to_virt(pa), slot, PAGE_SIZE);
		d->reads++;
	}
	return 0;
}

static void fake_release(void *dev)
{
	struct fake_swap_dev *d = dev;
	d->released = true;
}

const struct swap_io fake_swap_io = { fake_rw, NULL, fake_release };

void fake_mkswap(uint8_t *page, uint64_t pages, const uint32_t *bad, uint32_t nbad, const char *label)
{
	memset(page, 0, PAGE_SIZE);
	uint32_t info[3] = { 1, (uint32_t)(pages - 1), nbad };
	memcpy(page + SWAP_HEADER_INFO, info, sizeof(info));
	memset(page + SWAP_HEADER_INFO + 12, 0xab, 16);          /* uuid */
	strncpy((char *)page + SWAP_HEADER_INFO + 28, label, 16);
	if (nbad)
		memcpy(page + SWAP_HEADER_BADPAGES, bad, nbad * sizeof(uint32_t));
	memcpy(page + PAGE_SIZE - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN);
}

int fake_swapon(struct fake_swap_dev *d, uint64_t pages, struct inode *node, int flags)
{
	memset(d, 0, sizeof(*d));
	d->pages = pages;
	d->data = calloc(pages, PAGE_SIZE);
	fake_mkswap(d->data, pages, NULL, 0, "test");
	return swap_area_add(d->data, pages, &fake_swap_io, d, node, "/dev/fake", flags);
}

void fake_swapoff(struct fake_swap_dev *d, struct inode *node)
{
	swap_area_remove(node);
	free(d->data);
	d->data = NULL;
}

/* What kswapd.c provides in the kernel: a fault reclaims directly. */
int reclaim_reserve_enter(void) { return 0; }
void reclaim_reserve_leave(int was) {}
void reclaim_wake_if_low(void) {}
void reclaim_throttle(void) {}
bool reclaim_retry(int tries) { return tries < 3 && reclaim_pages(32, 0) > 0; }

/* Wait queues: nothing ever sleeps in a single-threaded test. */
void wake_up(struct wait_queue *wq) {}
void prepare_to_wait(struct wait_queue *wq, struct waiter *w, int state) {}
void finish_wait(struct wait_queue *wq, struct waiter *w) {}
void schedule(void) { abort(); }
