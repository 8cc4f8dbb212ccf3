/*
 * ttyS1.c - /dev/ttyS1, the second serial port, as a plain output
 * channel: no line discipline, no input, bytes sent as written. It
 * carries what must not mix with the console, such as the memory trace
 * that tools/aspen-view and `VIEW=1 make run` read on the host side
 * (docs/view.md). Without a second port in the machine, writes fail
 * with EIO.
 */
#include "tty/tty.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "arch.h"

#define TTYS1_CHUNK 256    /* bytes copied in per write to the port */
#define TTYS1_MINOR 65     /* Linux: ttyS1 is (4, 65) */

static long ttys1_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	char chunk[TTYS1_CHUNK];
	size_t done = 0;
	while (done < n) {
		size_t k = MIN(n - done, sizeof(chunk));
		if (copy_from_user(chunk, ubuf + done, k))
			return done ? (long)done : -EFAULT;
		if (!arch_aux_serial_write(chunk, k))
			return done ? (long)done : -EIO;
		done += k;
	}
	return (long)done;
}

static long ttys1_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	return 0;
}

static const struct file_ops ttys1_fops = { .read = ttys1_read, .write = ttys1_write };

void ttys1_init(void)
{
	vfs_register_chardev("/dev/ttyS1", MKDEV(4, TTYS1_MINOR), S_IFCHR | 0660, &ttys1_fops);
}
