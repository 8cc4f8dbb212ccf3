/*
 * tmpfs.c - the memory file systems one can mount: tmpfs (a ramfs
 * instance with Linux's tmpfs options: size=, nr_inodes=, mode=, uid=,
 * gid=) and devtmpfs (a tmpfs holding a node for every registered
 * device, made fresh for each mount).
 *
 * Defaults as Linux's: half of RAM for size and for nr_inodes (in
 * pages), root mode 1777. /proc/mounts shows the options that differ from
 * the defaults, in Linux's form (size in KiB, mode in octal).
 */
#include "fs/mount.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"

#define TMPFS_DEFAULT_MODE 01777

struct tmpfs_info {
	struct ramfs_limits limits;   /* (m) */
	uint64_t default_pages, default_inodes;
};

struct tmpfs_options {
	struct ramfs_limits limits;
	uint32_t mode, uid, gid;
	bool set_mode, set_uid, set_gid;
};

/* A number with an optional k/m/g suffix (or %, of RAM in pages, for size). */
static int parse_size(const char *v, bool allow_percent, uint64_t total, uint64_t *out)
{
	uint64_t n = 0;
	const char *p = v;
	if (!*p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	switch (*p) {
	case 'k': case 'K': n <<= 10; p++; break;
	case 'm': case 'M': n <<= 20; p++; break;
	case 'g': case 'G': n <<= 30; p++; break;
	case '%':
		if (!allow_percent)
			return -EINVAL;
		n = total * n / 100 * PAGE_SIZE;
		p++;
		break;
	}
	*out = n;
	return *p ? -EINVAL : 0;
}

static int parse_number(const char *v, int base, uint32_t *out)
{
	uint64_t n = 0;
	if (!*v)
		return -EINVAL;
	for (; *v; v++) {
		if (*v < '0' || *v >= '0' + base)
			return -EINVAL;
		n = n * (uint64_t)base + (uint64_t)(*v - '0');
		if (n > UINT32_MAX)
			return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

/* Options the VFS takes itself (mount(8) normally turns them into flags). */
static bool generic_option(const char *o)
{
	static const char *const names[] = { "ro", "rw", "sync", "async", "dirsync", "lazytime",
					     "nolazytime", "silent", "mand", "nomand" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(o, names[i]) == 0)
			return true;
	return false;
}

/* One "name=value" (or bare name) option into o. */
static int parse_one(char *opt, struct tmpfs_options *o, uint64_t total)
{
	char *v = opt;
	while (*v && *v != '=')
		v++;
	if (*v)
		*v++ = '\0';
	uint64_t n;
	if (strcmp(opt, "size") == 0) {
		if (parse_size(v, true, total, &n))
			return -EINVAL;
		o->limits.max_pages = PAGE_ROUND_UP(n) >> PAGE_SHIFT;
	} else if (strcmp(opt, "nr_inodes") == 0) {
		if (parse_size(v, false, total, &n))
			return -EINVAL;
		o->limits.max_inodes = n;
	} else if (strcmp(opt, "mode") == 0) {
		o->set_mode = true;
		return parse_number(v, 8, &o->mode) || o->mode > 07777 ? -EINVAL : 0;
	} else if (strcmp(opt, "uid") == 0) {
		o->set_uid = true;
		return parse_number(v, 10, &o->uid);
	} else if (strcmp(opt, "gid") == 0) {
		o->set_gid = true;
		return parse_number(v, 10, &o->gid);
	} else if (!generic_option(opt)) {
		printk(LOG_WARN, "tmpfs: Unknown parameter '%s'\n", opt);
		return -EINVAL;
	}
	return 0;
}

/* Parse the comma-separated data over the values already in o. */
static int parse_options(const char *data, struct tmpfs_options *o)
{
	struct frame_stats st;
	frame_get_stats(&st);
	if (!data || !*data)
		return 0;
	size_t len = strlen(data);
	char *copy = kmalloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len + 1);
	int err = 0;
	for (char *opt = copy, *next; opt && !err; opt = next) {
		next = opt;
		while (*next && *next != ',')
			next++;
		next = *next ? (*next = '\0', next + 1) : NULL;
		if (*opt)
			err = parse_one(opt, o, st.total);
	}
	kfree(copy);
	return err;
}

static void tmpfs_statfs(struct mount *m, struct statfs *st)
{
	struct tmpfs_info *ti = m->fs_info;
	uint64_t pages, inodes;
	ramfs_usage(m->root, &pages, &inodes);
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_blocks = ti->limits.max_pages;
	st->f_bfree = st->f_bavail = ti->limits.max_pages > pages ? ti->limits.max_pages - pages : 0;
	st->f_files = ti->limits.max_inodes;
	st->f_ffree = ti->limits.max_inodes > inodes ? ti->limits.max_inodes - inodes : 0;
	st->f_namelen = NAME_MAX;
}

static bool tmpfs_busy(struct mount *m)
{
	return ramfs_busy(m->root, 3);   /* the mount's, the vfs link's, the caller's */
}

static int tmpfs_remount(struct mount *m, unsigned long flags, const char *data)
{
	struct tmpfs_info *ti = m->fs_info;
	struct tmpfs_options o = { .limits = ti->limits };
	int err = parse_options(data, &o);
	if (err)
		return err;
	o.limits.readonly = flags & MS_RDONLY;
	err = ramfs_set_limits(m->root, &o.limits);
	if (!err)
		ti->limits = o.limits;
	return err;
}

static void tmpfs_show_options(struct mount *m, char *buf, size_t size)
{
	struct tmpfs_info *ti = m->fs_info;
	size_t n = 0;
	buf[0] = '\0';
	if (ti->limits.max_pages != ti->default_pages)
		n += (size_t)snprintf(buf + n, size - n, ",size=%luk",
				      (unsigned long)(ti->limits.max_pages * (PAGE_SIZE >> 10)));
	if (n < size && ti->limits.max_inodes != ti->default_inodes)
		n += (size_t)snprintf(buf + n, size - n, ",nr_inodes=%lu",
				      (unsigned long)ti->limits.max_inodes);
	uint32_t mode = m->root->mode & 07777;
	if (n < size && mode != TMPFS_DEFAULT_MODE)
		n += (size_t)snprintf(buf + n, size - n, ",mode=%03o", mode);
	if (n < size && m->root->uid)
		n += (size_t)snprintf(buf + n, size - n, ",uid=%u", m->root->uid);
	if (n < size && m->root->gid)
		snprintf(buf + n, size - n, ",gid=%u", m->root->gid);
}

static void tmpfs_kill(struct mount *m)
{
	ramfs_empty_tree(m->root);
	kfree(m->fs_info);
}

static const struct mount_ops tmpfs_ops = {
	.statfs = tmpfs_statfs, .busy = tmpfs_busy, .remount = tmpfs_remount,
	.show_options = tmpfs_show_options, .kill = tmpfs_kill,
};

static int tmpfs_fill(struct mount *m, const char *data)
{
	struct frame_stats st;
	frame_get_stats(&st);
	struct tmpfs_info *ti = kzalloc(sizeof(*ti));
	if (!ti)
		return -ENOMEM;
	ti->default_pages = ti->default_inodes = st.total / 2;
	struct tmpfs_options o = { .limits = { ti->default_pages, ti->default_inodes, false },
				   .mode = TMPFS_DEFAULT_MODE };
	int err = parse_options(data, &o);
	struct inode *root = err ? NULL : ramfs_create();
	if (!err && !root)
		err = -ENOMEM;
	o.limits.readonly = m->flags & MS_RDONLY;
	if (!err && (err = ramfs_set_limits(root, &o.limits)))
		inode_put(root);
	if (err) {
		kfree(ti);
		return err;
	}
	ti->limits = o.limits;
	root->mode = S_IFDIR | o.mode;
	root->uid = o.uid;
	root->gid = o.gid;
	m->root = root;
	m->dev = root->dev;
	m->ops = &tmpfs_ops;
	m->fs_info = ti;
	return 0;
}

static const struct fs_type tmpfs_type = { .name = "tmpfs", .fill = tmpfs_fill };

/* devtmpfs: a fresh tmpfs (mode 755) with a node for each device. */
static int devtmpfs_fill(struct mount *m, const char *data)
{
	int err = tmpfs_fill(m, data);
	if (err)
		return err;
	m->root->mode = S_IFDIR | 0755;
	err = vfs_make_device_nodes(m->root);
	if (err) {
		tmpfs_kill(m);
		inode_put(m->root);
	}
	return err;
}

static const struct fs_type devtmpfs_type = { .name = "devtmpfs", .fill = devtmpfs_fill };

/* tmpfs_init - register tmpfs and devtmpfs. Boot. */
void tmpfs_init(void)
{
	mount_register_type(&tmpfs_type);
	mount_register_type(&devtmpfs_type);
}
