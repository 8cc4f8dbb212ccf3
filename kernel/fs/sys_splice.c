/*
 * sys_splice.c - moving data between files without the caller's buffer:
 * sendfile, splice, tee and copy_file_range (vmsplice is in sys_file.c,
 * beside readv/writev).
 *
 * Linux moves page references; Aspen copies, through a bounce buffer of
 * at most BOUNCE_SIZE bytes mapped in the caller's own address space for
 * the length of the call, so that every kind of file (regular files,
 * pipes, ttys, devices) is read and written by its ordinary ops. The
 * mapping is private anonymous memory and is unmapped before the call
 * returns. Which files may be used, and the errors, are Linux's.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "mm/vm.h"
#include "mm/usercopy.h"
#include "proc/task.h"
#include "proc/signal.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/pipe.h"
#include "fs/poll.h"

#define BOUNCE_SIZE (64 * 1024)
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK)

static bool is_pipe(struct file *f)
{
	return f->fops == &pipe_fops;
}

/* A bounce buffer for up to len bytes in the caller's memory: its
 * address and size, or -ENOMEM. */
static long bounce_map(size_t len, size_t *size)
{
	*size = PAGE_ROUND_UP(MIN(MAX(len, 1), BOUNCE_SIZE));
	return vm_mmap(current->mm, 0, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
}

/* Copy up to len bytes from in (at *in_pos, or its position) to out
 * (likewise) through a bounce buffer, stopping after a short read (the
 * end of in, a tty's line, what a pipe held), at a short write, or at a
 * signal once something moved. A seekable in
 * read at *in_pos is moved back by what out did not take. The bytes
 * moved, or the first error if none. May sleep. */
static long copy_files(struct file *in, uint64_t *in_pos, struct file *out, uint64_t *out_pos, size_t len)
{
	size_t size;
	long at = bounce_map(len, &size);
	if (at < 0)
		return at;
	char *buf = (char *)at;
	size_t done = 0;
	long err = 0;
	while (done < len && !(done && signal_pending_current())) {
		size_t want = MIN(len - done, size);
		long r = file_transfer(in, buf, want, in_pos, false);
		if (r <= 0) {
			err = r;
			break;
		}
		long w = file_transfer(out, buf, (size_t)r, out_pos, true);
		if (w < 0) {
			err = w;
			w = 0;
		}
		done += (size_t)w;
		if (w < r && in_pos)
			*in_pos -= (uint64_t)(r - w);
		if (w < r || (size_t)r < want)
			break;   /* as Linux's splice_direct_to_actor: a short read ends it (a tty's line) */
	}
	vm_munmap(current->mm, (vaddr_t)at, size);
	return done ? (long)done : err;
}

/* An offset argument: NULL, or a non-negative loff_t read from user
 * memory (EFAULT, EINVAL). */
static int get_off(const int64_t *uoff, uint64_t *off)
{
	int64_t v;
	if (!uoff)
		return 0;
	if (copy_from_user(&v, uoff, sizeof(v)))
		return -EFAULT;
	if (v < 0)
		return -EINVAL;
	*off = (uint64_t)v;
	return 0;
}

/* copy_file_range's offsets: a negative one fails Linux's range check
 * (EOVERFLOW). */
static int get_off_range(const int64_t *uoff, uint64_t *off)
{
	int err = get_off(uoff, off);
	return err == -EINVAL ? -EOVERFLOW : err;
}

/* Store the offset back, where one was given. */
static int put_off(int64_t *uoff, uint64_t off)
{
	int64_t v = (int64_t)off;
	return uoff && copy_to_user(uoff, &v, sizeof(v)) ? -EFAULT : 0;
}

/* The two files of a transfer: in open for reading, out for writing. */
static int get_pair(int in_fd, int out_fd, struct file **in, struct file **out)
{
	*in = fd_file(in_fd);
	*out = *in ? fd_file(out_fd) : NULL;
	if (*in && *out && file_readable(*in) && file_writable(*out) && !((*in)->flags & O_PATH) &&
	    !((*out)->flags & O_PATH))
		return 0;
	if (*in)
		file_put(*in);
	if (*out)
		file_put(*out);
	return -EBADF;
}

/* splice's and tee's: known flags (EINVAL), then the pair. */
static long splice_files(int in_fd, int out_fd, unsigned flags, struct file **in, struct file **out)
{
	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	return get_pair(in_fd, out_fd, in, out);
}

/* Copy len bytes from in to out, each side at its offset (from *uoff,
 * stored back) or, without one, at its file position (moved); sides
 * without a position (pipes) are read and written as streams. */
static long copy_at(struct file *in, int64_t *uoff_in, uint64_t pin, struct file *out, int64_t *uoff_out,
		    uint64_t pout, size_t len)
{
	bool sin = !is_pipe(in) && in->fops->llseek, sout = !is_pipe(out) && out->fops->llseek;
	if (sin && !uoff_in)
		pin = in->pos;
	if (sout && !uoff_out)
		pout = out->pos;
	long err = copy_files(in, sin ? &pin : NULL, out, sout ? &pout : NULL, MIN(len, MAX_RW_COUNT));
	if (err > 0 && (put_off(uoff_in, pin) || put_off(uoff_out, pout)))
		return -EFAULT;
	if (err > 0 && sin && !uoff_in)
		in->pos = pin;
	if (err > 0 && sout && !uoff_out)
		out->pos = pout;
	return err;
}

static void put_pair(struct file *in, struct file *out)
{
	file_put(in);
	file_put(out);
}

/* Would a transfer block on pipe f right now (SPLICE_F_NONBLOCK)? */
static bool pipe_not_ready(struct file *f, bool write)
{
	return !(f->fops->poll(f, NULL) & (write ? POLLOUT : (POLLIN | POLLHUP)));
}

/* sendfile(out, in, offset, count): in may not be a pipe (EINVAL); out
 * may not append (EINVAL); with offset, in must have one (ESPIPE), is
 * read from there, and keeps its own position. */
long sys_sendfile(int out_fd, int in_fd, int64_t *uoff, size_t count)
{
	struct file *in, *out;
	long err = get_pair(in_fd, out_fd, &in, &out);
	if (err)
		return err;
	uint64_t off = 0;
	bool seekable = in->fops->llseek != NULL;
	if (uoff && !seekable)
		err = -ESPIPE;
	else if (is_pipe(in) || !in->fops->read || (file_flags(out) & O_APPEND))
		err = -EINVAL;
	else
		err = get_off(uoff, &off);
	if (!err && count) {
		uint64_t pos = uoff ? off : in->pos;
		err = copy_files(in, seekable ? &pos : NULL, out, NULL, MIN(count, MAX_RW_COUNT));
		if (err > 0 && uoff && put_off(uoff, pos))
			err = -EFAULT;
		else if (err > 0 && !uoff && seekable)
			in->pos = pos;
	}
	put_pair(in, out);
	return err;
}

/* splice's checks of one side: a pipe takes no offset (ESPIPE); a file
 * given one must have a position (ESPIPE); the output may not append. */
static int splice_side(struct file *f, const int64_t *uoff, bool write, uint64_t *off)
{
	if (is_pipe(f))
		return uoff ? -ESPIPE : 0;
	if (write && (file_flags(f) & O_APPEND))
		return -EINVAL;
	if (uoff && !f->fops->llseek)
		return -ESPIPE;
	return get_off(uoff, off);
}

/* splice(in, off_in, out, off_out, len, flags): one side at least a pipe
 * (EINVAL), not the same pipe twice (EINVAL). */
long sys_splice(int in_fd, int64_t *uoff_in, int out_fd, int64_t *uoff_out, size_t len, unsigned flags)
{
	if (!len)
		return 0;
	struct file *in, *out;
	long err = splice_files(in_fd, out_fd, flags, &in, &out);
	if (err)
		return err;
	uint64_t off_in = 0, off_out = 0;
	bool nonblock = (flags & SPLICE_F_NONBLOCK) || ((file_flags(in) | file_flags(out)) & O_NONBLOCK);
	if (!is_pipe(in) && !is_pipe(out))
		err = -EINVAL;
	else if (is_pipe(in) && is_pipe(out) && in->private == out->private)
		err = -EINVAL;
	if (!err)
		err = splice_side(in, uoff_in, false, &off_in);
	if (!err)
		err = splice_side(out, uoff_out, true, &off_out);
	if (!err && nonblock && ((is_pipe(in) && pipe_not_ready(in, false)) ||
				 (is_pipe(out) && pipe_not_ready(out, true))))
		err = -EAGAIN;
	if (!err)
		err = copy_at(in, uoff_in, off_in, out, uoff_out, off_out, len);
	put_pair(in, out);
	return err;
}

/* tee(in, out, len, flags): copy what pipe in holds into pipe out,
 * leaving it in in. Both pipes, not the same one (EINVAL). */
long sys_tee(int in_fd, int out_fd, size_t len, unsigned flags)
{
	if (!len)
		return 0;
	struct file *in, *out;
	long err = splice_files(in_fd, out_fd, flags, &in, &out);
	if (err)
		return err;
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	if (!is_pipe(in) || !is_pipe(out) || in->private == out->private)
		err = -EINVAL;
	else if (nonblock && pipe_not_ready(out, true))
		err = -EAGAIN;
	size_t size = 0;
	long at = err ? 0 : bounce_map(len, &size);
	if (at < 0)
		err = at;
	if (!err) {
		long r = pipe_peek(in, (char *)at, MIN(len, size), nonblock);
		err = r > 0 ? file_transfer(out, (char *)at, (size_t)r, NULL, true) : r;
		vm_munmap(current->mm, (vaddr_t)at, size);
	}
	put_pair(in, out);
	return err;
}

/* copy_file_range(in, off_in, out, off_out, len, flags): flags 0; two
 * regular files (EISDIR for a directory, EINVAL otherwise), then in
 * readable and out writable, not appending (EBADF); offsets not
 * negative (EOVERFLOW); ranges of one file not overlapping (EINVAL). */
long sys_copy_file_range(int in_fd, int64_t *uoff_in, int out_fd, int64_t *uoff_out, size_t len,
			 unsigned flags)
{
	if (flags)
		return -EINVAL;
	struct file *in = fd_file(in_fd), *out = in ? fd_file(out_fd) : NULL;
	if (!out) {
		if (in)
			file_put(in);
		return -EBADF;
	}
	uint64_t pin = in->pos, pout = out->pos;
	long err = 0;
	struct inode *iin = file_inode(in), *iout = file_inode(out);
	if (S_ISDIR(iin->mode) || S_ISDIR(iout->mode))
		err = -EISDIR;
	else if (!S_ISREG(iin->mode) || !S_ISREG(iout->mode))
		err = -EINVAL;
	else if (!file_readable(in) || !file_writable(out) || (file_flags(out) & O_APPEND) ||
		 ((in->flags | out->flags) & O_PATH))
		err = -EBADF;
	if (!err)
		err = get_off_range(uoff_in, &pin);
	if (!err)
		err = get_off_range(uoff_out, &pout);
	len = MIN(len, MAX_RW_COUNT);
	if (!err && in->inode == out->inode && pin < pout + len && pout < pin + len)
		err = -EINVAL;
	if (!err && len)
		err = copy_at(in, uoff_in, pin, out, uoff_out, pout, len);
	put_pair(in, out);
	return err;
}
