/*
 * virtqueue.c - the split virtqueue's ring bookkeeping. See virtqueue.h.
 *
 * The device reads what the driver made available and writes the used
 * ring, concurrently with us: the driver writes a chain's descriptors
 * and its avail ring slot before it publishes the new avail idx (release
 * order), and reads a used entry only after seeing the used idx that
 * covers it (acquire order).
 */
#include "block/virtqueue.h"
#include "lib/errno.h"

#define AVAIL_IDX 1      /* avail[]: flags, idx, ring... */
#define AVAIL_RING 2
#define USED_IDX 1       /* used[]: flags, idx, then the elements */
#define USED_RING_BYTE 4

size_t vq_ring_size(uint16_t num)
{
	size_t desc_avail = sizeof(struct vq_desc) * num + sizeof(uint16_t) * (3 + (size_t)num);
	size_t used = sizeof(uint16_t) * 3 + sizeof(struct vq_used_elem) * (size_t)num;
	return ALIGN_UP(desc_avail, VQ_ALIGN) + ALIGN_UP(used, VQ_ALIGN);
}

void vq_init(struct virtqueue *vq, uint16_t num, void *ring, uint16_t *chain_len)
{
	size_t desc_avail = sizeof(struct vq_desc) * num + sizeof(uint16_t) * (3 + (size_t)num);
	vq->num = num;
	vq->desc = ring;
	vq->avail = (volatile uint16_t *)((char *)ring + sizeof(struct vq_desc) * num);
	vq->used = (volatile uint16_t *)((char *)ring + ALIGN_UP(desc_avail, VQ_ALIGN));
	vq->chain_len = chain_len;
	for (uint16_t i = 0; i < num; i++) {
		vq->desc[i].next = (uint16_t)(i + 1);
		chain_len[i] = 0;
	}
	vq->free_head = 0;
	vq->num_free = num;
	vq->avail_idx = 0;
	vq->last_used = 0;
}

/* vq_add - chain bufs into free descriptors and publish the head. */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n)
{
	if (n == 0 || n > vq->num_free)
		return -ENOSPC;
	uint16_t head = vq->free_head, i = head;
	for (unsigned k = 0; k < n; k++) {
		volatile struct vq_desc *d = &vq->desc[i];
		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].device_writes ? VQ_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VQ_DESC_F_NEXT : 0));
		if (k + 1 < n)
			i = d->next;
	}
	vq->free_head = vq->desc[i].next;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->chain_len[head] = (uint16_t)n;
	vq->avail[AVAIL_RING + vq->avail_idx % vq->num] = head;
	vq->avail_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* the chain before the index */
	vq->avail[AVAIL_IDX] = vq->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the index before the notify */
	return head;
}

bool vq_pending_used(const struct virtqueue *vq)
{
	return vq->used[USED_IDX] != vq->last_used;
}

/* Put the chain headed by head, of n descriptors, back on the free list. */
static void free_chain(struct virtqueue *vq, uint16_t head, uint16_t n)
{
	uint16_t tail = head;
	for (uint16_t k = 1; k < n; k++)
		tail = vq->desc[tail].next;
	vq->desc[tail].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	vq->chain_len[head] = 0;
}

/* vq_get_used - consume one used entry. See virtqueue.h. */
int vq_get_used(struct virtqueue *vq, uint32_t *len)
{
	if (!vq_pending_used(vq))
		return -EAGAIN;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* the index before the entry */
	volatile struct vq_used_elem *ring =
		(volatile struct vq_used_elem *)((volatile char *)vq->used + USED_RING_BYTE);
	volatile struct vq_used_elem *e = &ring[vq->last_used % vq->num];
	uint32_t id = e->id;
	*len = e->len;
	vq->last_used++;
	if (id >= vq->num || !vq->chain_len[id])
		return -EIO;
	free_chain(vq, (uint16_t)id, vq->chain_len[id]);
	return (int)id;
}
