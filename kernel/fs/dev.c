/*
 * dev.c - /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom.
 * They keep no state, so their ops ignore the file position and seeking
 * them always lands at 0, as on Linux.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "mm/usercopy.h"
#include "fs/dev.h"
#include "fs/file.h"
#include "fs/random.h"
#include "fs/vfs.h"

#define MEM_MAJOR 1
#define RANDOM_CHUNK 256      /* bytes generated per copy to user */

static long read_nothing(struct file *f, char *ubuf, size_t n, uint64_t *pos) { return 0; }
static long write_all(struct file *f, const char *ubuf, size_t n, uint64_t *pos) { return (long)n; }
static long write_full(struct file *f, const char *ubuf, size_t n, uint64_t *pos) { return -ENOSPC; }
static long seek_zero(struct file *f, int64_t off, int whence) { return 0; }

static long read_zeros(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	return clear_user(ubuf, n) ? -EFAULT : (long)n;
}

static long read_random(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	char chunk[RANDOM_CHUNK];
	size_t done = 0;
	while (done < n) {
		size_t k = MIN(n - done, sizeof(chunk));
		random_bytes(chunk, k);
		if (copy_to_user(ubuf + done, chunk, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)done;
}

static const struct file_ops null_ops = { .read = read_nothing, .write = write_all, .llseek = seek_zero };
static const struct file_ops zero_ops = { .read = read_zeros, .write = write_all, .llseek = seek_zero };
static const struct file_ops full_ops = { .read = read_zeros, .write = write_full, .llseek = seek_zero };
/* dev_maps_anonymous - does mmap of f give anonymous memory, as
 * /dev/zero's does (private: zero-filled pages; shared: shared anonymous
 * memory)? */
bool dev_maps_anonymous(const struct file *f)
{
	return f->fops == &zero_ops;
}

static const struct file_ops random_ops = { .read = read_random, .write = write_all, .llseek = seek_zero };

static const struct {
	const char *path;
	uint32_t minor;
	const struct file_ops *fops;
} mem_devices[] = {
	{ "/dev/null", 3, &null_ops },
	{ "/dev/zero", 5, &zero_ops },
	{ "/dev/full", 7, &full_ops },
	{ "/dev/random", 8, &random_ops },
	{ "/dev/urandom", 9, &random_ops },
};

/* Make the directory at path (in the root) unless it exists. */
static void make_dir(const char *path, uint32_t mode)
{
	struct inode *dir, *made;
	struct vfs_last last;
	int err = vfs_lookup_parent_root(path, &dir, &last);
	if (err)
		panic("devfs_init: %s: error %d", path, err);
	err = dir->iops->mkdir(dir, last.name, last.len, mode, 0, 0, &made);
	if (!err)
		inode_put(made);
	else if (err != -EEXIST)
		panic("devfs_init: mkdir %s: error %d", path, err);
	inode_put(dir);
}

/* devfs_init - /dev, /dev/shm and the memory devices. See dev.h. */
void devfs_init(void)
{
	make_dir("/dev", 0755);
	make_dir("/dev/shm", 01777);
	for (size_t i = 0; i < ARRAY_SIZE(mem_devices); i++) {
		int err = vfs_register_chardev(mem_devices[i].path, MKDEV(MEM_MAJOR, mem_devices[i].minor),
					       0666, mem_devices[i].fops);
		if (err)
			panic("devfs_init: %s: error %d", mem_devices[i].path, err);
	}
}
