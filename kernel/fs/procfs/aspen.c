/*
 * aspen.c - /proc files that are Aspen's own, not Linux's:
 *
 *   /proc/aspen-trace   the memory event trace (mm/trace.h): reading
 *                       takes record lines off the ring, sleeping while
 *                       it is empty and a session is on, and reads the
 *                       end of file once the session is off and all is
 *                       read; writing a command line ("all", "pid N",
 *                       "off", "snapshot") controls it. docs/view.md.
 *   /proc/profile       the profiler's samples (time/profile.h), one
 *                       line each, from the start of every open; writing
 *                       a period in microseconds starts a new profile,
 *                       "0" or "off" stops it. docs/performance.md.
 */
#include "fs/procfs/procfs.h"
#include "fs/file.h"
#include "mm/kmalloc.h"
#include "mm/trace.h"
#include "time/profile.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "lib/string.h"

#define STREAM_READ_BUF 4096   /* whole lines are taken into this */
#define STREAM_CMD_MAX  64

/* A text file made of lines that a producer hands out in batches
 * (fill), with commands written to it (command). */
struct text_stream {
	long (*fill)(uint64_t *cursor, char *buf, size_t size);
	int (*command)(const char *cmd, size_t len);
};

/* One open file's text not yet read. */
struct stream_open {
	struct mutex lock;    /* guards the rest */
	const struct text_stream *stream;
	uint64_t cursor;      /* the producer's, per open file */
	size_t len, off;
	char buf[STREAM_READ_BUF];
};

static int stream_open(struct file *f, const struct text_stream *stream)
{
	struct stream_open *o = kzalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	mutex_init(&o->lock, "trace_open");
	o->stream = stream;
	f->private = o;
	return 0;
}

static void stream_release(struct file *f)
{
	kfree(f->private);
}

/* Lines are whole in the buffer; a short read takes part of one and
 * the next read the rest. */
static long stream_read(struct file *f, char *ubuf, size_t len, uint64_t *pos)
{
	struct stream_open *o = f->private;
	mutex_lock(&o->lock);
	long ret = 0;
	if (o->off == o->len) {
		ret = o->stream->fill(&o->cursor, o->buf, sizeof(o->buf));
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

static long stream_write(struct file *f, const char *ubuf, size_t len, uint64_t *pos)
{
	char cmd[STREAM_CMD_MAX];
	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	struct stream_open *o = f->private;
	int err = o->stream->command(cmd, len);
	return err ? err : (long)len;
}

static long stream_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

/* The memory trace takes its lines off a ring: no cursor. */
static long trace_fill(uint64_t *cursor, char *buf, size_t size)
{
	return trace_read_text(buf, size);
}

static const struct text_stream trace_stream = { trace_fill, trace_command };
static const struct text_stream profile_stream = { profile_read_text, profile_command };

static int trace_open(struct inode *inode, struct file *f)
{
	return stream_open(f, &trace_stream);
}

static int profile_open(struct inode *inode, struct file *f)
{
	return stream_open(f, &profile_stream);
}

const struct file_ops procfs_trace_fops = {
	.open = trace_open,
	.read = stream_read,
	.write = stream_write,
	.llseek = stream_llseek,
	.release = stream_release,
};

const struct file_ops procfs_profile_fops = {
	.open = profile_open,
	.read = stream_read,
	.write = stream_write,
	.llseek = stream_llseek,
	.release = stream_release,
};
