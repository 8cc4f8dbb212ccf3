/*
 * procfs.c - the /proc file system: its inodes, name lookup, directory
 * listing and the file ops that turn a table entry into bytes.
 *
 * An inode is made per lookup and freed with its last reference; it
 * carries a procfs_node (entry, pid, tid, fd) and nothing else. Its
 * number is built from the node, so the same name always has the same
 * number (ls -i, find and getcwd rely on it):
 *
 *   ino = pid << 40 | tid << 24 | entry id << 12 | fd + 1   (root: 1)
 *   /proc/sys: tunable index (fd) << 24 | entry id << 12 | path length (tid)
 *
 * Text files are generated whole into a buffer when read at offset 0
 * and served from it for the reads that follow, so a reader going
 * through a file in small pieces sees one consistent snapshot, and
 * lseek(0) then read shows fresh figures (as Linux's seq_file). Binary
 * files (pagemap, kpagecount) are read at any offset, nothing buffered.
 *
 * Locks: each open text file has a mutex guarding its buffer, held
 * across the copy to user memory (no fault path takes it). Everything
 * else is looked up afresh under the owners' locks (pid.c).
 */
#include "fs/procfs/procfs.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "sync/mutex.h"
#include "sys/sysctl.h"
#include "proc/cred.h"
#include "lib/string.h"
#include <stdarg.h>

#define PROCFS_ROOT_INO  1
#define PBUF_MAX         (8UL << 20)   /* no text file grows past this */
#define DYN_POS_BASE     (1ULL << 32)  /* directory positions of pids/tids/fds */
#define SYSCTL_DIR_ID    124
#define SYSCTL_FILE_ID   125
#define PID_DIR_ID       126
#define FD_ID            127
#define PID_ENTRY_ID0    64
#define NESTED_ID0       100           /* up to 123 */

struct procfs_inode {
	struct inode vfs;
	struct procfs_node node;
	struct inode *root;   /* the root of the mount it hangs under (referenced; itself for a root) */
};

#define PN(inode) (&((struct procfs_inode *)(inode))->node)

static uint32_t procfs_dev;

const struct procfs_node *procfs_node_of(struct inode *inode)
{
	return PN(inode);
}
static struct inode *procfs_root;
static const struct inode_ops procfs_iops;
static const struct file_ops procfs_text_fops;
static const struct file_ops procfs_bin_fops;

static const struct procfs_entry procfs_root_dir = {
	"", S_IFDIR | 0555, .dir = procfs_root_entries, .flags = PROCFS_PID_LIST,
};
const struct procfs_entry procfs_pid_dir_entry = { "", S_IFDIR | 0555, .dir = procfs_pid_entries };
const struct procfs_entry procfs_fd_entry = { "", S_IFLNK | 0700, .link = proc_link_fd };

/* ---- text buffers ---- */

static bool pbuf_reserve(struct pbuf *b, size_t more)
{
	if (b->failed)
		return false;
	if (b->len + more <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more)
		cap *= 2;
	char *data = cap <= PBUF_MAX ? kmalloc(cap) : NULL;
	if (!data) {
		b->failed = true;
		return false;
	}
	if (b->len)
		memcpy(data, b->data, b->len);
	kfree(b->data);
	b->data = data;
	b->cap = cap;
	return true;
}

void pbuf_put(struct pbuf *b, const void *data, size_t len)
{
	if (pbuf_reserve(b, len)) {
		memcpy(b->data + b->len, data, len);
		b->len += len;
	}
}

/* Format into the space left; when it does not fit, grow and format again. */
void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->failed)
		return;
	size_t room = b->cap - b->len;
	va_start(ap, fmt);
	int need = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if ((size_t)need >= room) {
		if (!pbuf_reserve(b, (size_t)need + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)need + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)need;
}

void pbuf_pad(struct pbuf *b, size_t col)
{
	size_t start = b->len;
	while (start > 0 && b->data[start - 1] != '\n')
		start--;
	for (size_t at = b->len - start; at < col; at++)
		pbuf_put(b, " ", 1);
	pbuf_put(b, " ", 1);
}

static void pbuf_free(struct pbuf *b)
{
	kfree(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- inodes ---- */

/* Entries of the fixed subdirectories of /proc (sysvipc/...): numbered
 * from NESTED_ID0 in table order. */
static unsigned nested_entry_id(const struct procfs_entry *e)
{
	unsigned id = NESTED_ID0;
	for (const struct procfs_entry *d = procfs_root_entries; d->name; d++)
		for (const struct procfs_entry *c = d->dir; c && c->name; c++, id++)
			if (c == e)
				return id;
	return 0;
}

static unsigned entry_id(const struct procfs_entry *e)
{
	if (e == &procfs_pid_dir_entry)
		return PID_DIR_ID;
	if (e == &procfs_fd_entry)
		return FD_ID;
	if (e == &procfs_sysctl_dir_entry)
		return SYSCTL_DIR_ID;
	if (e == &procfs_sysctl_file_entry)
		return SYSCTL_FILE_ID;
	for (unsigned i = 0; procfs_root_entries[i].name; i++)
		if (e == &procfs_root_entries[i])
			return 1 + i;
	for (unsigned i = 0; procfs_pid_entries[i].name; i++)
		if (e == &procfs_pid_entries[i])
			return PID_ENTRY_ID0 + i;
	return nested_entry_id(e);
}

static uint64_t node_ino(const struct procfs_node *n)
{
	if (n->entry == &procfs_root_dir)
		return PROCFS_ROOT_INO;
	if (n->entry == &procfs_sysctl_dir_entry || n->entry == &procfs_sysctl_file_entry)
		return (uint64_t)n->fd << 24 | (uint64_t)entry_id(n->entry) << 12 | (uint64_t)n->tid;
	return (uint64_t)n->pid << 40 | (uint64_t)n->tid << 24 | (uint64_t)entry_id(n->entry) << 12 |
	       (uint64_t)(n->fd + 1);
}

static bool is_sysctl(const struct procfs_node *n)
{
	return (n->entry->flags & PROCFS_SYSCTL) || n->entry == &procfs_sysctl_file_entry;
}

static const struct file_ops *entry_fops(const struct procfs_entry *e)
{
	if (S_ISDIR(e->mode))
		return &dir_file_ops;
	if (e->fops)
		return e->fops;
	if (e->show)
		return &procfs_text_fops;
	if (e->read)
		return &procfs_bin_fops;
	return NULL;
}

/* A new inode for node n (refcount 1), or NULL when out of memory. A
 * process directory belongs to the process's owner. */
/* A new inode for node n below the mount whose root is root (NULL: n is
 * a mount's root). */
static struct inode *procfs_inode_new(const struct procfs_node *n, struct inode *root)
{
	struct procfs_inode *pi = kmalloc(sizeof(*pi));
	if (!pi)
		return NULL;
	pi->root = root ? inode_get(root) : &pi->vfs;
	uint32_t uid = 0, gid = 0;
	struct proc_snapshot s;
	if (n->pid && proc_snapshot_take(n, 0, &s) == 0) {
		uid = s.dumpable ? s.cred->euid : 0;
		gid = s.dumpable ? s.cred->egid : 0;
		proc_snapshot_drop(&s);
	}
	uint32_t mode = is_sysctl(n) ? sysctl_tree_mode(n) : n->entry->mode;
	inode_init(&pi->vfs, procfs_dev, mode, uid, gid, &procfs_iops, entry_fops(n->entry));
	pi->node = *n;
	pi->vfs.ino = node_ino(n);
	return &pi->vfs;
}

#define ROOT_OF(inode) (((struct procfs_inode *)(inode))->root)

/* A new inode for n, in the same mount as dir. */
static int make_node(struct inode *dir, struct procfs_node n, struct inode **out)
{
	*out = procfs_inode_new(&n, ROOT_OF(dir));
	return *out ? 0 : -ENOMEM;
}

static void procfs_evict(struct inode *inode)
{
	if (ROOT_OF(inode) != inode)
		inode_put(ROOT_OF(inode));
	kfree(inode);
}

/* ---- lookup ---- */

static const struct procfs_entry *pid_entry_with(unsigned flag)
{
	for (const struct procfs_entry *e = procfs_pid_entries; e->name; e++)
		if (e->flags & flag)
			return e;
	return NULL;
}

/* The node of dir's parent directory. */
static struct procfs_node parent_node(const struct procfs_node *d)
{
	struct procfs_node up = { &procfs_pid_dir_entry, d->pid, d->tid, -1 };
	if (is_sysctl(d) && d->tid)
		return sysctl_tree_parent(d);
	if (d->entry == &procfs_root_dir || (d->entry == &procfs_pid_dir_entry && !d->tid))
		return (struct procfs_node){ &procfs_root_dir, 0, 0, -1 };
	if (d->entry == &procfs_pid_dir_entry)        /* task/TID: up to task/ */
		return (struct procfs_node){ pid_entry_with(PROCFS_TID_LIST), d->pid, 0, -1 };
	return up;
}

/* The number a name spells, or -1 (no sign, no leading zero, < 2^31). */
static long name_number(const char *name, size_t len)
{
	if (len == 0 || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

static bool entry_visible(const struct procfs_entry *e, const struct procfs_node *d)
{
	return !(d->tid && (e->flags & PROCFS_NOT_IN_TASK));
}

/* A numbered child of a dynamic directory, or -ENOENT. */
static int lookup_number(struct inode *dir, long v, struct inode **out)
{
	const struct procfs_node *d = PN(dir);
	unsigned f = d->entry->flags;
	if ((f & PROCFS_PID_LIST) && v > 0 && proc_exists((int)v, 0))
		return make_node(dir, (struct procfs_node){ &procfs_pid_dir_entry, (int)v, 0, -1 }, out);
	if ((f & PROCFS_TID_LIST) && v > 0 && proc_exists(d->pid, (int)v))
		return make_node(dir, (struct procfs_node){ &procfs_pid_dir_entry, d->pid, (int)v, -1 }, out);
	if ((f & PROCFS_FD_LIST) && v >= 0 && proc_next_fd(d->pid, (int)v) == v)
		return make_node(dir, (struct procfs_node){ &procfs_fd_entry, d->pid, d->tid, (int)v }, out);
	return -ENOENT;
}

static int procfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	const struct procfs_node *d = PN(dir);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		struct procfs_node up = parent_node(d);
		if (up.entry == &procfs_root_dir) {
			*out = inode_get(ROOT_OF(dir));
			return 0;
		}
		return make_node(dir, up, out);
	}
	if (d->pid && !proc_exists(d->pid, d->tid))
		return -ENOENT;
	if (d->entry->flags & PROCFS_SYSCTL) {
		struct procfs_node c;
		int err = sysctl_tree_lookup(d, name, len, &c);
		return err ? err : make_node(dir, c, out);
	}
	for (const struct procfs_entry *e = d->entry->dir; e && e->name; e++)
		if (strlen(e->name) == len && !memcmp(e->name, name, len) && entry_visible(e, d))
			return make_node(dir, (struct procfs_node){ e, d->pid, d->tid, -1 }, out);
	long v = name_number(name, len);
	return v < 0 ? -ENOENT : lookup_number(dir, v, out);
}

/* ---- listing ---- */

static bool emit_node(dir_emit_fn emit, void *ctx, const char *name, const struct procfs_node *n,
		      uint64_t next)
{
	return emit(ctx, name, strlen(name), node_ino(n), IFTODT(n->entry->mode), next);
}

/* The next numbered child at or after from, and its node; false at the end. */
static bool next_number(const struct procfs_node *d, long from, long *v, struct procfs_node *n)
{
	unsigned f = d->entry->flags;
	*n = (struct procfs_node){ &procfs_pid_dir_entry, d->pid, 0, -1 };
	if (f & PROCFS_PID_LIST) {
		*v = proc_next_pid((int)MAX(from, 1));
		n->pid = (int)*v;
	} else if (f & PROCFS_TID_LIST) {
		*v = proc_next_tid(d->pid, (int)MAX(from, 1));
		n->tid = (int)*v;
	} else if (f & PROCFS_FD_LIST) {
		*v = proc_next_fd(d->pid, (int)from);
		*n = (struct procfs_node){ &procfs_fd_entry, d->pid, d->tid, (int)*v };
		return *v >= 0;
	} else {
		return false;
	}
	return *v > 0;
}

/* A /proc/sys directory after "." and "..": position 2 + the index of
 * the first tunable of each child. */
static int sysctl_iterate(const struct procfs_node *d, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	size_t i = (size_t)(*pos - 2);
	struct procfs_node c;
	char name[NAME_MAX + 1];
	while (sysctl_tree_next(d, &i, &c, name, sizeof(name))) {
		uint32_t mode = sysctl_tree_mode(&c);
		if (!emit(ctx, name, strlen(name), node_ino(&c), IFTODT(mode), i + 3))
			return 0;
		*pos = i + 3;
		i++;
	}
	*pos = DYN_POS_BASE;
	return 0;
}

static int procfs_iterate(struct inode *dir, uint64_t *pos, dir_emit_fn emit, void *ctx)
{
	const struct procfs_node *d = PN(dir);
	struct procfs_node up = parent_node(d);
	if (*pos == 0 && emit(ctx, ".", 1, dir->ino, IFTODT(S_IFDIR), 1))
		*pos = 1;
	if (*pos == 1 && emit(ctx, "..", 2, node_ino(&up), IFTODT(S_IFDIR), 2))
		*pos = 2;
	if ((d->entry->flags & PROCFS_SYSCTL) && *pos >= 2 && *pos < DYN_POS_BASE)
		return sysctl_iterate(d, pos, emit, ctx);
	for (const struct procfs_entry *e = d->entry->dir; *pos >= 2 && *pos < DYN_POS_BASE; ) {
		uint64_t i = *pos - 2;
		if (!e || !e[i].name) {
			*pos = DYN_POS_BASE;
			break;
		}
		struct procfs_node n = { &e[i], d->pid, d->tid, -1 };
		if (entry_visible(&e[i], d) && !emit_node(emit, ctx, e[i].name, &n, *pos + 1))
			return 0;
		*pos += 1;
	}
	long v;
	struct procfs_node n;
	while (next_number(d, (long)(*pos - DYN_POS_BASE), &v, &n)) {
		char name[16];
		snprintf(name, sizeof(name), "%ld", v);
		if (!emit_node(emit, ctx, name, &n, DYN_POS_BASE + (uint64_t)v + 1))
			return 0;
		*pos = DYN_POS_BASE + (uint64_t)v + 1;
	}
	return 0;
}

/* ---- symlinks ---- */

static long procfs_readlink(struct inode *link, char *buf, size_t size)
{
	const struct procfs_node *n = PN(link);
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	int err = n->entry->link(n, tmp, PATH_MAX);
	long len = err ? err : (long)MIN(strlen(tmp), size);
	if (!err)
		memcpy(buf, tmp, (size_t)len);
	kfree(tmp);
	return len;
}

/* The links that stand for an object rather than a path (Linux's magic
 * links): fd/N, exe, cwd, root. self and thread-self are plain. */
static bool procfs_magic_link(struct inode *link, struct inode **target)
{
	const struct procfs_node *n = PN(link);
	if (!n->entry->link || n->entry->link == sys_link_self || n->entry->link == sys_link_thread_self)
		return false;
	*target = NULL;
	proc_link_object(n, target);
	return true;
}

/* /proc/sys has Linux's own rule; the rest the usual one. */
static int procfs_permission(struct inode *inode, int mask)
{
	const struct procfs_node *n = PN(inode);
	return is_sysctl(n) ? sysctl_tree_permission(n, mask) : generic_permission(inode, mask);
}

static const struct inode_ops procfs_iops = {
	.permission = procfs_permission,
	.lookup = procfs_lookup,
	.iterate = procfs_iterate,
	.readlink = procfs_readlink,
	.magic_link = procfs_magic_link,
	.evict = procfs_evict,
};

/* ---- text files ---- */

struct procfs_open {
	struct mutex lock;    /* guards buf */
	struct pbuf buf;
	bool filled;
};

static int text_open(struct inode *inode, struct file *f)
{
	struct procfs_open *o = kzalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	mutex_init(&o->lock, "procfs_open");
	f->private = o;
	return 0;
}

static void text_release(struct file *f)
{
	struct procfs_open *o = f->private;
	pbuf_free(&o->buf);
	kfree(o);
}

/* Build the text afresh into o->buf; o->lock held. */
static int text_fill(struct procfs_open *o, const struct procfs_node *n)
{
	pbuf_free(&o->buf);
	o->filled = false;
	int err = n->entry->show(n, &o->buf);
	if (!err && o->buf.failed)
		err = -ENOMEM;
	if (err) {
		pbuf_free(&o->buf);
		return err;
	}
	o->filled = true;
	return 0;
}

static long text_read(struct file *f, char *ubuf, size_t len, uint64_t *pos)
{
	struct procfs_open *o = f->private;
	const struct procfs_node *n = PN(f->inode);
	mutex_lock(&o->lock);
	long ret = 0;
	if (*pos == 0 || !o->filled)
		ret = text_fill(o, n);
	if (ret == 0 && *pos < o->buf.len) {
		size_t k = MIN(len, o->buf.len - (size_t)*pos);
		ret = copy_to_user(ubuf, o->buf.data + *pos, k) ? -EFAULT : (long)k;
		if (ret > 0)
			*pos += (uint64_t)ret;
	}
	mutex_unlock(&o->lock);
	return ret;
}

/* A write goes to the entry's write op (EINVAL without one, as Linux
 * for a file that cannot be written). */
static long text_write(struct file *f, const char *ubuf, size_t len, uint64_t *pos)
{
	const struct procfs_node *n = PN(f->inode);
	if (!n->entry->write)
		return -EINVAL;
	long ret = n->entry->write(n, ubuf, len, *pos);
	if (ret > 0)
		*pos += (uint64_t)ret;
	return ret;
}

/* lseek on a /proc file: SEEK_SET and SEEK_CUR only (no size to end at). */
static long procfs_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

static const struct file_ops procfs_text_fops = {
	.open = text_open,
	.read = text_read,
	.write = text_write,
	.llseek = procfs_llseek,
	.release = text_release,
};

static long bin_read(struct file *f, char *ubuf, size_t len, uint64_t *pos)
{
	const struct procfs_node *n = PN(f->inode);
	long ret = n->entry->read(n, ubuf, len, *pos);
	if (ret > 0)
		*pos += (uint64_t)ret;
	return ret;
}

static const struct file_ops procfs_bin_fops = {
	.read = bin_read,
	.llseek = procfs_llseek,
};

/* ---- mounting ---- */

static void procfs_statfs(struct mount *m, struct statfs *st)
{
	st->f_type = PROC_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
}

/* Busy while any inode below the root lives (each holds the root), or
 * the root has users beyond the mount, the vfs link and the caller. */
static bool procfs_busy(struct mount *m)
{
	return __atomic_load_n(&m->root->refcount, __ATOMIC_RELAXED) > 3;
}

static const struct mount_ops procfs_mount_ops = { .statfs = procfs_statfs, .busy = procfs_busy };

/* A mount of proc: a root of its own over the one process table. */
static int procfs_fill(struct mount *m, const char *data)
{
	struct procfs_node root = { &procfs_root_dir, 0, 0, -1 };
	m->root = procfs_inode_new(&root, NULL);
	if (!m->root)
		return -ENOMEM;
	if (!procfs_root)
		procfs_root = inode_get(m->root);   /* /proc, for procfs_file_path */
	m->dev = procfs_dev;
	m->ops = &procfs_mount_ops;
	return 0;
}

static const struct fs_type procfs_type = { .name = "proc", .fill = procfs_fill };

/* procfs_init - register proc and mount it on /proc. Boot, after mount_init. */
void procfs_init(void)
{
	struct inode *dir, *made;
	struct vfs_last last;
	int err = vfs_lookup_parent_root("/proc", &dir, &last);
	if (!err) {
		err = dir->iops->mkdir(dir, last.name, last.len, 0555, 0, 0, &made);
		if (!err)
			inode_put(made);
		inode_put(dir);
	}
	if (err && err != -EEXIST)
		panic("procfs_init: mkdir /proc: error %d", err);
	sysctl_init();
	procfs_dev = vfs_alloc_dev();
	mount_register_type(&procfs_type);
	err = mount_kernel("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (err)
		panic("procfs_init: mount /proc: error %d", err);
}

/* procfs_file_path - the path of a procfs file that is not a directory:
 * its directory's path, then its name. 0 or -errno. May sleep. */
int procfs_file_path(struct inode *inode, char *buf, size_t size)
{
	const struct procfs_node *n = PN(inode);
	struct procfs_node dir = { &procfs_pid_dir_entry, n->pid, n->tid, -1 };
	char name[16];
	if (n->entry == &procfs_sysctl_file_entry)
		return sysctl_tree_path(n, buf, size);
	if (n->entry == &procfs_fd_entry)
		dir.entry = pid_entry_with(PROCFS_FD_LIST);
	else if (!n->pid)
		dir.entry = &procfs_root_dir;
	snprintf(name, sizeof(name), "%d", n->fd);
	struct inode *d;
	if (dir.entry == &procfs_root_dir)
		d = inode_get(procfs_root);
	else if (!(d = procfs_inode_new(&dir, procfs_root)))
		return -ENOMEM;
	struct inode *root = vfs_root();
	long len = vfs_getcwd(root, d, buf, size);
	inode_put(root);
	inode_put(d);
	if (len < 0)
		return (int)len;
	const char *leaf = n->entry == &procfs_fd_entry ? name : n->entry->name;
	if ((size_t)len + strlen(leaf) + 1 > size)
		return -ENAMETOOLONG;
	snprintf(buf + len - 1, size - (size_t)len + 1, "/%s", leaf);
	return 0;
}

/* procfs_owns - is inode one of ours? (path.c does not search /proc) */
bool procfs_owns(struct inode *inode)
{
	return inode->iops == &procfs_iops;
}
