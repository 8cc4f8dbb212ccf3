/*
 * virtio_blk.c - QEMU's virtio-blk disks (virtio-blk-pci), through the
 * legacy PCI transport: registers in an I/O BAR, one virtqueue whose
 * size the device sets, completions signalled by MSI-X (docs/block.md
 * says why legacy).
 *
 * A request is a chain of three descriptors: a 16-byte header (type and
 * sector) the device reads, the data buffer (the device writes it for a
 * read), and one status byte the device writes. Headers and status bytes
 * live in a per-disk array indexed by the chain's head descriptor, so a
 * head names its request until the device hands it back.
 *
 * Locks: blkdev->queue_lock (the layer's) is held when start() runs and
 * start() takes vblk->lock inside it; the interrupt handler takes only
 * vblk->lock, and ends requests after dropping it.
 */
#include "block/blkdev.h"
#include "block/virtqueue.h"
#include "arch/pci.h"
#include "fs/uapi.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_BLK_LEGACY_ID 0x1001     /* transitional virtio-blk */
#define VIRTIO_BLK_MAJOR 254            /* as Linux numbers the first virtio-blk disk */
#define VIRTIO_BLK_MINORS 16            /* minors per disk (partitions) */

/* Legacy registers, offsets in BAR 0. */
#define REG_HOST_FEATURES 0
#define REG_GUEST_FEATURES 4
#define REG_QUEUE_PFN 8
#define REG_QUEUE_NUM 12
#define REG_QUEUE_SEL 14
#define REG_QUEUE_NOTIFY 16
#define REG_STATUS 18
#define REG_MSIX_CONFIG 20              /* present while MSI-X is on */
#define REG_MSIX_QUEUE 22
#define REG_DEVICE_CONFIG_MSIX 24       /* device config, MSI-X on */
#define MSIX_NO_VECTOR 0xffff
#define QUEUE_PFN_SHIFT 12

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED 128

#define VIRTIO_BLK_F_RO (1u << 5)
#define VIRTIO_BLK_F_FLUSH (1u << 9)    /* a volatile write cache, and the flush command */
#define CONFIG_CAPACITY 0               /* u64, in 512-byte sectors */

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_NONE 0xff          /* our mark: the device has not answered */

#define QUEUE 0                         /* the one request queue */
#define MSIX_ENTRY 0

struct vblk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
} __packed;

/* One disk. (v) vblk->lock; (c) constant after probe. */
struct vblk {
	struct blkdev disk;
	uint16_t io;                        /* (c) BAR 0: the registers */
	struct spinlock lock;               /* guards the queue and the arrays */
	struct virtqueue vq;                /* (v) */
	struct blk_request **inflight;      /* (v) per head: the request, NULL */
	struct vblk_header *headers;        /* (v) per head */
	volatile uint8_t *status;           /* (v) per head */
	paddr_t headers_pa, status_pa;      /* (c) */
	bool broken;                        /* (v) the device misbehaved */
};

static int ndisks;   /* boot only: disks found so far */

static unsigned order_for(size_t bytes)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* Device config, 32 bits at off (legacy config follows the MSI-X registers). */
static uint32_t config_read32(struct vblk *vb, unsigned off)
{
	return pci_io_read32((uint16_t)(vb->io + REG_DEVICE_CONFIG_MSIX + off));
}

static void set_status(struct vblk *vb, uint8_t bits)
{
	pci_io_write8((uint16_t)(vb->io + REG_STATUS), bits ? pci_io_read8((uint16_t)(vb->io + REG_STATUS)) | bits : 0);
}

/* Start rq on the device: 0, or -EBUSY when the queue is full (or the
 * device broken: blk_mark_dead will fail what is queued). */
static int vblk_start(struct blkdev *d, struct blk_request *rq)
{
	struct vblk *vb = d->driver;
	unsigned n = rq->flush ? 2 : 3;
	int err = -EBUSY;
	spin_lock(&vb->lock);
	if (!vb->broken && vb->vq.num_free >= n) {
		uint16_t head = vq_next_head(&vb->vq);
		vb->headers[head] = (struct vblk_header){
			rq->flush ? VIRTIO_BLK_T_FLUSH : rq->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
			0, rq->flush ? 0 : rq->sector };
		vb->status[head] = VIRTIO_BLK_S_NONE;
		struct vq_buf bufs[3] = {
			{ vb->headers_pa + head * sizeof(struct vblk_header), sizeof(struct vblk_header), false },
			{ rq->buf, rq->len, !rq->write },
			{ vb->status_pa + head, 1, true },
		};
		if (rq->flush)
			bufs[1] = bufs[2];
		int got = vq_add(&vb->vq, bufs, n);
		assert(got == head);
		vb->inflight[head] = rq;
		pci_io_write16((uint16_t)(vb->io + REG_QUEUE_NOTIFY), QUEUE);
		err = 0;
	}
	spin_unlock(&vb->lock);
	return err;
}

static const struct blkdev_ops vblk_ops = { .start = vblk_start };

static void report_error(struct vblk *vb, struct blk_request *rq)
{
	printk(LOG_ERR, "I/O error, dev %s, sector %lu op 0x%x:(%s)\n", vb->disk.name,
	       (unsigned long)rq->sector, rq->flush ? 2u : rq->write ? 1u : 0u,
	       rq->flush ? "FLUSH" : rq->write ? "WRITE" : "READ");
}

/* Move every request still on the device to ended, failed. (v) held. */
static void fail_inflight_locked(struct vblk *vb, struct list_head *ended)
{
	for (unsigned i = 0; i < vb->vq.num; i++)
		if (vb->inflight[i]) {
			vb->inflight[i]->error = -EIO;
			list_add_tail(&vb->inflight[i]->link, ended);
			vb->inflight[i] = NULL;
		}
}

/* Take the chains the device has used; their requests go to ended.
 * Returns false if the device named a chain it did not have. (v) held. */
static bool reap_used_locked(struct vblk *vb, struct list_head *ended)
{
	bool ok = true;
	uint32_t len;
	int head;
	while ((head = vq_get_used(&vb->vq, &len)) != -EAGAIN) {
		if (head < 0 || !vb->inflight[head]) {
			ok = false;
			continue;
		}
		struct blk_request *rq = vb->inflight[head];
		vb->inflight[head] = NULL;
		rq->error = vb->status[head] == VIRTIO_BLK_S_OK ? 0 : -EIO;
		list_add_tail(&rq->link, ended);
	}
	return ok;
}

/* The queue's MSI-X interrupt: end what the device finished, then start
 * what waited for room. Interrupts off. */
static void vblk_interrupt(void *arg)
{
	struct vblk *vb = arg;
	LIST_HEAD(ended);
	spin_lock(&vb->lock);
	bool broke = !reap_used_locked(vb, &ended) && !vb->broken;
	if (broke) {
		vb->broken = true;
		fail_inflight_locked(vb, &ended);
	}
	spin_unlock(&vb->lock);
	struct blk_request *rq, *next;
	list_for_each_entry_safe(rq, next, &ended, link) {
		list_del(&rq->link);
		if (rq->error)
			report_error(vb, rq);
		blk_end_request(rq, rq->error);
	}
	if (broke)
		blk_mark_dead(&vb->disk);
	else
		blk_run_queue(&vb->disk);
}

/* The per-head arrays and the ring, allocated and given to the device.
 * 0 or -ENOMEM / -ENODEV. */
static int setup_queue(struct vblk *vb)
{
	pci_io_write16((uint16_t)(vb->io + REG_QUEUE_SEL), QUEUE);
	uint16_t num = pci_io_read16((uint16_t)(vb->io + REG_QUEUE_NUM));
	if (!num || (num & (num - 1)))
		return -ENODEV;
	size_t meta = num * (sizeof(struct vblk_header) + 1);
	paddr_t ring = frame_alloc_kernel(order_for(vq_ring_size(num)));
	paddr_t area = frame_alloc_kernel(order_for(meta));
	vb->inflight = kzalloc(num * sizeof(*vb->inflight));
	uint16_t *chain_len = kmalloc(num * sizeof(uint16_t));
	if (!ring || !area || !vb->inflight || !chain_len)
		return -ENOMEM;   /* boot: what was allocated stays (no disk works anyway) */
	memset(phys_to_virt(ring), 0, vq_ring_size(num));
	vq_init(&vb->vq, num, phys_to_virt(ring), chain_len);
	vb->headers_pa = area;
	vb->headers = phys_to_virt(area);
	vb->status_pa = area + num * sizeof(struct vblk_header);
	vb->status = phys_to_virt(vb->status_pa);
	pci_io_write32((uint16_t)(vb->io + REG_QUEUE_PFN), (uint32_t)(ring >> QUEUE_PFN_SHIFT));
	return 0;
}

/* Route the queue's interrupt through MSI-X entry 0 (config changes get
 * none). 0, or -ENODEV when the device will not take the vector. */
static int setup_interrupt(const struct pci_dev *pd, struct vblk *vb)
{
	int err = pci_msix_route(pd, MSIX_ENTRY, vblk_interrupt, vb);
	if (err)
		return err;
	pci_io_write16((uint16_t)(vb->io + REG_MSIX_CONFIG), MSIX_NO_VECTOR);
	pci_io_write16((uint16_t)(vb->io + REG_QUEUE_SEL), QUEUE);
	pci_io_write16((uint16_t)(vb->io + REG_MSIX_QUEUE), MSIX_ENTRY);
	return pci_io_read16((uint16_t)(vb->io + REG_MSIX_QUEUE)) == MSIX_ENTRY ? 0 : -ENODEV;
}

/* Bring one device up (virtio's order: reset, acknowledge, features,
 * queue, DRIVER_OK) and register its disk. */
static int vblk_probe(const struct pci_dev *pd)
{
	struct pci_bar bar;
	if (pci_read_bar(pd, 0, &bar) || !bar.io || bar.size < REG_DEVICE_CONFIG_MSIX + 8)
		return -ENODEV;
	struct vblk *vb = kzalloc(sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	vb->io = (uint16_t)bar.base;
	spin_init(&vb->lock, "vblk");
	pci_enable_device(pd);
	set_status(vb, 0);
	set_status(vb, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	uint32_t features = pci_io_read32((uint16_t)(vb->io + REG_HOST_FEATURES)) &
			    (VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH);
	pci_io_write32((uint16_t)(vb->io + REG_GUEST_FEATURES), features);
	int err = setup_interrupt(pd, vb);
	if (!err)
		err = setup_queue(vb);
	if (err) {
		set_status(vb, STATUS_FAILED);
		return err;
	}
	uint64_t sectors = config_read32(vb, CONFIG_CAPACITY) |
			   (uint64_t)config_read32(vb, CONFIG_CAPACITY + 4) << 32;
	char name[BLK_NAME_MAX];
	snprintf(name, sizeof(name), "vd%c", 'a' + ndisks);
	blkdev_init(&vb->disk, name, MKDEV(VIRTIO_BLK_MAJOR, ndisks * VIRTIO_BLK_MINORS),
		    sectors << BLK_SECTOR_SHIFT, &vblk_ops, vb);
	vb->disk.read_only = features & VIRTIO_BLK_F_RO;
	vb->disk.has_cache = features & VIRTIO_BLK_F_FLUSH;
	set_status(vb, STATUS_DRIVER_OK);
	ndisks++;
	pr_info("%s: virtio-blk, %lu MiB%s\n", name, (unsigned long)(vb->disk.size >> 20),
		vb->disk.read_only ? ", read-only" : "");
	return blkdev_register(&vb->disk);
}

/* virtio_blk_init - probe every virtio-blk function on the bus. Boot. */
void virtio_blk_init(void)
{
	for (int i = 0; i < pci_count(); i++) {
		const struct pci_dev *pd = pci_get(i);
		if (pd->vendor != VIRTIO_VENDOR || pd->device != VIRTIO_BLK_LEGACY_ID)
			continue;
		if (ndisks == BLK_MAX_DISKS)
			break;
		int err = vblk_probe(pd);
		if (err)
			pr_warn("virtio-blk %02x:%02x.%x: not usable (error %d)\n", pd->bus, pd->slot,
				pd->func, err);
	}
}
