// UNIT-SRCS: kernel/block/virtqueue.c
/*
 * test_virtqueue.c - the split virtqueue's bookkeeping, with the test
 * playing the device: the legacy layout's offsets, chains and their
 * flags, the free list when the ring fills and drains in any order, the
 * 16-bit indices wrapping, and a device that names a chain it never had.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "block/virtqueue.h"
#include "lib/errno.h"

#define NUM 8

struct fixture {
	struct virtqueue vq;
	void *ring;
	uint16_t chain_len[NUM];
	uint16_t used_idx;    /* the device's */
	uint16_t avail_seen;  /* avail entries the device has taken */
};

static void setup(struct fixture *f)
{
	f->ring = aligned_alloc(VQ_ALIGN, vq_ring_size(NUM));
	memset(f->ring, 0, vq_ring_size(NUM));
	vq_init(&f->vq, NUM, f->ring, f->chain_len);
	f->used_idx = f->avail_seen = 0;
}

static uint16_t avail_idx(struct fixture *f) { return f->vq.avail[1]; }
static uint16_t avail_ring(struct fixture *f, uint16_t i) { return f->vq.avail[2 + i % NUM]; }

/* The device takes the next available chain; returns its head. */
static uint16_t device_take(struct fixture *f)
{
	return avail_ring(f, f->avail_seen++);
}

/* The device returns chain head, having written len bytes. */
static void device_use(struct fixture *f, uint32_t head, uint32_t len)
{
	volatile struct vq_used_elem *ring = (volatile struct vq_used_elem *)(f->vq.used + 2);
	ring[f->used_idx % NUM].id = head;
	ring[f->used_idx % NUM].len = len;
	f->used_idx++;
	f->vq.used[1] = f->used_idx;
}

static int add3(struct fixture *f)
{
	struct vq_buf bufs[3] = { { 0x1000, 16, false }, { 0x2000, 4096, true }, { 0x3000, 1, true } };
	return vq_add(&f->vq, bufs, 3);
}

UNIT_TEST(legacy_layout_puts_used_ring_on_next_page)
{
	/* 256 entries: 4096 bytes of descriptors + 518 of avail ring -> used at 8192. */
	CHECK_EQ(vq_ring_size(256), 8192 + 4096);
	struct fixture f;
	setup(&f);
	CHECK_EQ((char *)f.vq.avail - (char *)f.ring, 16 * NUM);
	CHECK_EQ((char *)f.vq.used - (char *)f.ring, VQ_ALIGN);
	free(f.ring);
}

UNIT_TEST(chain_is_linked_with_flags_and_published)
{
	struct fixture f;
	setup(&f);
	CHECK_EQ(vq_next_head(&f.vq), 0);
	int head = add3(&f);
	CHECK_EQ(head, 0);
	CHECK_EQ(avail_idx(&f), 1);
	CHECK_EQ(avail_ring(&f, 0), 0);
	volatile struct vq_desc *d0 = &f.vq.desc[head], *d1 = &f.vq.desc[d0->next];
	volatile struct vq_desc *d2 = &f.vq.desc[d1->next];
	CHECK_EQ(d0->addr, 0x1000);
	CHECK_EQ(d0->flags, VQ_DESC_F_NEXT);
	CHECK_EQ(d1->len, 4096);
	CHECK_EQ(d1->flags, VQ_DESC_F_NEXT | VQ_DESC_F_WRITE);
	CHECK_EQ(d2->flags, VQ_DESC_F_WRITE);
	CHECK_EQ(f.vq.num_free, NUM - 3);
	CHECK_EQ(vq_next_head(&f.vq), 3);
	free(f.ring);
}

UNIT_TEST(full_ring_refuses_then_accepts_after_completion)
{
	struct fixture f;
	setup(&f);
	CHECK(add3(&f) >= 0);
	CHECK(add3(&f) >= 0);
	CHECK_EQ(add3(&f), -ENOSPC);          /* 2 left of 8 */
	CHECK_EQ(f.vq.num_free, 2);
	CHECK_EQ(avail_idx(&f), 2);           /* nothing published by the refusal */
	uint32_t len;
	CHECK_EQ(vq_get_used(&f.vq, &len), -EAGAIN);
	device_use(&f, device_take(&f), 4097);
	CHECK(vq_pending_used(&f.vq));
	CHECK_EQ(vq_get_used(&f.vq, &len), 0);
	CHECK_EQ(len, 4097);
	CHECK_EQ(f.vq.num_free, 5);
	CHECK(add3(&f) >= 0);
	free(f.ring);
}

UNIT_TEST(out_of_order_completion_frees_the_right_chains)
{
	struct fixture f;
	setup(&f);
	int a = add3(&f), b = add3(&f);
	device_take(&f);
	device_take(&f);
	uint32_t len;
	device_use(&f, (uint32_t)b, 1);
	device_use(&f, (uint32_t)a, 1);
	CHECK_EQ(vq_get_used(&f.vq, &len), b);
	CHECK_EQ(vq_get_used(&f.vq, &len), a);
	CHECK_EQ(f.vq.num_free, NUM);
	/* Every descriptor is reachable from the free list exactly once. */
	int seen[NUM] = { 0 };
	uint16_t i = f.vq.free_head;
	for (int k = 0; k < NUM; k++) {
		CHECK(i < NUM);
		CHECK_EQ(seen[i], 0);
		seen[i] = 1;
		i = f.vq.desc[i].next;
	}
	free(f.ring);
}

UNIT_TEST(indices_wrap_past_65535)
{
	struct fixture f;
	setup(&f);
	uint32_t len;
	for (int round = 0; round < 70000; round++) {
		int h = add3(&f);
		CHECK(h >= 0);
		CHECK_EQ(device_take(&f), h);
		device_use(&f, (uint32_t)h, 0);
		CHECK_EQ(vq_get_used(&f.vq, &len), h);
	}
	CHECK_EQ(avail_idx(&f), (uint16_t)70000);
	CHECK_EQ(f.vq.num_free, NUM);
	free(f.ring);
}

UNIT_TEST(device_naming_unknown_chain_is_an_error)
{
	struct fixture f;
	setup(&f);
	int h = add3(&f);
	uint32_t len;
	device_use(&f, NUM + 5, 0);      /* out of range */
	device_use(&f, 1, 0);            /* a descriptor inside a chain, not a head */
	device_use(&f, (uint32_t)h, 0);
	CHECK_EQ(vq_get_used(&f.vq, &len), -EIO);
	CHECK_EQ(vq_get_used(&f.vq, &len), -EIO);
	CHECK_EQ(vq_get_used(&f.vq, &len), h);
	CHECK_EQ(f.vq.num_free, NUM);
	device_use(&f, (uint32_t)h, 0);  /* the same chain twice */
	CHECK_EQ(vq_get_used(&f.vq, &len), -EIO);
	CHECK_EQ(f.vq.num_free, NUM);
	free(f.ring);
}
