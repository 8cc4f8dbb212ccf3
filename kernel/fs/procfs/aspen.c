/*
 * aspen.c - /proc files that are Aspen's own, not Linux's:
 *
 *   /proc/aspen-trace   the memory event trace (mm/trace.h): reading
 *                       takes record lines off the ring, sleeping while
 *                       it is empty and a session is on, and reads the
 *                       end of file once the session is off and all is
 *                       read; writing a command line ("all", "pid N",
 *                       "off", "snapshot") controls it. docs/view.md.
 */
#include "fs/procfs/procfs.h"
#include "fs/file.h"
#include "mm/kmalloc.h"
#include "mm/trace.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "lib/string.h"

#define TRACE_READ_BUF 4096   /* whole lines are taken off the ring into this */
#define TRACE_CMD_MAX  64

/* One open file's text not yet read. */
struct trace_open {
	struct mutex lock;    /* guards the rest */
	size_t len, off;
	char buf[TRACE_READ_BUF];
};

static int trace_open(struct inode *inode, struct file *f)
{
	struct trace_open *o = kzalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	mutex_init(&o->lock, "trace_open");
	f->private = o;
	return 0;
}

static void trace_release(struct file *f)
{
	kfree(f->private);
}

/* Lines are whole in the buffer; a short read takes part of one and
 * the next read the rest. */
static long trace_file_read(struct file *f, char *ubuf, size_t len, uint64_t *pos)
{
	struct trace_open *o = f->private;
	mutex_lock(&o->lock);
	long ret = 0;
	if (o->off == o->len) {
		ret = trace_read_text(o->buf, sizeof(o->buf));
		o->off = 0;
		o->len = ret > 0 ? (size_t)ret : 0;
	}
	if (ret >= 0 && o->off < o->len) {
		size_t k = MIN(len, o->len - o->off);
		ret = copy_to_user(ubuf, o->buf + o->off, k) ? -EFAULT : (long)k;
		if (ret > 0) {
			o->off += k;
			*pos += k;
		}
	}
	mutex_unlock(&o->lock);
	return ret;
}

static long trace_file_write(struct file *f, const char *ubuf, size_t len, uint64_t *pos)
{
	char cmd[TRACE_CMD_MAX];
	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	int err = trace_command(cmd, len);
	return err ? err : (long)len;
}

static long trace_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

const struct file_ops procfs_trace_fops = {
	.open = trace_open,
	.read = trace_file_read,
	.write = trace_file_write,
	.llseek = trace_llseek,
	.release = trace_release,
};
