/*
 * virtqueue.h - the split virtqueue of virtio, in its legacy layout: a
 * descriptor table, the ring of chains made available to the device,
 * and the ring of chains the device has used, in one physically
 * contiguous, page-aligned block whose size the device dictates.
 *
 * Pure bookkeeping (no locks, no device access): the caller serializes
 * every call on one queue (virtio_blk.c holds its queue lock) and tells
 * the device after vq_add (the notify register). Compiled for host unit
 * tests (tests/unit/test_virtqueue.c).
 */
#ifndef ASPEN_BLOCK_VIRTQUEUE_H
#define ASPEN_BLOCK_VIRTQUEUE_H
#include "lib/kernel.h"

#define VQ_DESC_F_NEXT  1   /* the chain continues at .next */
#define VQ_DESC_F_WRITE 2   /* the device writes this buffer (else reads it) */
#define VQ_ALIGN 4096       /* legacy: the used ring starts on a page */

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
} __packed;

struct vq_used_elem {
	uint32_t id;    /* head of the chain */
	uint32_t len;   /* bytes the device wrote */
} __packed;

/* One buffer of a chain, as the driver gives it. */
struct vq_buf {
	uint64_t addr;        /* physical */
	uint32_t len;
	bool device_writes;
};

struct virtqueue {
	uint16_t num;                    /* entries, a power of two */
	volatile struct vq_desc *desc;
	volatile uint16_t *avail;        /* flags, idx, ring[num], used_event */
	volatile uint16_t *used;         /* flags, idx, then vq_used_elem ring[num] */
	uint16_t *chain_len;             /* per descriptor: length of the chain it heads, 0 */
	uint16_t free_head, num_free;    /* the free descriptors, linked by .next */
	uint16_t avail_idx;              /* our copy of avail idx */
	uint16_t last_used;              /* used entries consumed */
};

/* vq_ring_size - bytes of the legacy block for num entries. */
size_t vq_ring_size(uint16_t num);
/* vq_init - a queue of num entries over ring (zeroed, VQ_ALIGN-aligned,
 * vq_ring_size(num) bytes) and chain_len (num entries). All free. */
void vq_init(struct virtqueue *vq, uint16_t num, void *ring, uint16_t *chain_len);
/* vq_next_head - the head the next vq_add will use (the driver keeps a
 * per-head buffer, e.g. a request header, at that index). */
static inline uint16_t vq_next_head(const struct virtqueue *vq) { return vq->free_head; }
/* vq_add - put the chain bufs[0..n) in the descriptor table and make it
 * available. Returns its head (0..num-1), or -ENOSPC when fewer than n
 * descriptors are free (nothing changed). */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n);
/* vq_pending_used - true when the device has used a chain not yet taken. */
bool vq_pending_used(const struct virtqueue *vq);
/* vq_get_used - take the next used chain, free its descriptors and
 * return its head (*len: bytes written), -EAGAIN if none is waiting, or
 * -EIO if the device named a chain that is not in flight (a broken
 * device: the entry is skipped). */
int vq_get_used(struct virtqueue *vq, uint32_t *len);
#endif
