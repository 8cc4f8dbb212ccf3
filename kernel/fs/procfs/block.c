/*
 * block.c - /proc/partitions and /proc/diskstats: the disks the block
 * layer knows (kernel/block/), in Linux's formats. Aspen reads no
 * partition tables, so each disk is listed alone.
 */
#include "fs/procfs/procfs.h"
#include "fs/uapi.h"
#include "block/blkdev.h"

int sys_show_partitions(const struct procfs_node *n, struct pbuf *b)
{
	struct blkdev *d;
	pbuf_printf(b, "major minor  #blocks  name\n\n");
	for (int i = 0; (d = blkdev_get_nth(i)); i++) {
		pbuf_printf(b, "%4u  %7u %10lu %s\n", DEV_MAJOR(d->dev), DEV_MINOR(d->dev),
			    (unsigned long)(d->size >> 10), d->name);
		blkdev_put(d);
	}
	return 0;
}

/* One line per disk: reads, writes, in flight, time, discards (none), flushes. */
int sys_show_diskstats(const struct procfs_node *n, struct pbuf *b)
{
	struct blkdev *d;
	for (int i = 0; (d = blkdev_get_nth(i)); i++) {
		struct blkdev_stats s;
		blkdev_stats(d, &s);
		pbuf_printf(b, "%4u %7u %s %lu 0 %lu %lu %lu 0 %lu %lu %u %lu %lu 0 0 0 0 %lu %lu\n",
			    DEV_MAJOR(d->dev), DEV_MINOR(d->dev), d->name,
			    (unsigned long)s.ios[0], (unsigned long)s.sectors[0], (unsigned long)s.ms[0],
			    (unsigned long)s.ios[1], (unsigned long)s.sectors[1], (unsigned long)s.ms[1],
			    s.in_flight, (unsigned long)s.busy_ms, (unsigned long)s.weighted_ms,
			    (unsigned long)s.flushes, (unsigned long)s.flush_ms);
		blkdev_put(d);
	}
	return 0;
}
