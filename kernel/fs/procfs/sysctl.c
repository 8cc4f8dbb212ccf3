/*
 * sysctl.c - /proc/sys: the tunables of sys/sysctl.h as a tree of
 * directories and files.
 *
 * Nothing is stored: the tunables are sorted by path (sysctl_at), so
 * the ones under a directory are consecutive. A directory node names
 * its first tunable (node->fd) and the length of its own path
 * (node->tid, 0 for /proc/sys itself); a file node names its
 * tunable. A directory's children are the distinct next components of
 * the paths under it, in path order.
 *
 * Reading formats the value afresh at offset 0 (the text buffer of
 * procfs.c); a write at offset 0 parses and stores it, a write past
 * offset 0 is ignored except for strings (Linux's sysctl_writes_strict).
 */
#include "fs/procfs/procfs.h"
#include "proc/cred.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sys/sysctl.h"
#include "lib/errno.h"
#include "lib/string.h"

static int sysctl_node_show(const struct procfs_node *n, struct pbuf *b);
static long sysctl_node_write(const struct procfs_node *n, const char *ubuf, size_t len,
			      uint64_t pos);

const struct procfs_entry procfs_sysctl_dir_entry = {
	"", S_IFDIR | 0555, .flags = PROCFS_SYSCTL,
};
const struct procfs_entry procfs_sysctl_file_entry = {
	"", S_IFREG | 0644, .show = sysctl_node_show, .write = sysctl_node_write,
};

/* /proc/sys itself: the entry of the root table marked PROCFS_SYSCTL. */
static const struct procfs_entry *sysctl_root_entry(void)
{
	const struct procfs_entry *e = procfs_root_entries;
	while (e->name && !(e->flags & PROCFS_SYSCTL))
		e++;
	return e;
}

static struct procfs_node dir_node(size_t first, size_t len)
{
	const struct procfs_entry *e = len ? &procfs_sysctl_dir_entry : sysctl_root_entry();
	return (struct procfs_node){ e, 0, (int)len, (int)first };
}

/* The first tunable under directory d (/proc/sys itself may come from
 * the root table, with no index set). */
static size_t first_of(const struct procfs_node *d)
{
	return d->tid ? (size_t)d->fd : 0;
}

/* Is tunable i under directory d? */
static bool under(const struct procfs_node *d, size_t i)
{
	if (i >= sysctl_count())
		return false;
	if (d->tid == 0)
		return true;
	const char *dir = sysctl_at((size_t)d->fd)->path, *p = sysctl_at(i)->path;
	size_t len = (size_t)d->tid;
	return strncmp(p, dir, len) == 0 && p[len] == '/';
}

/* The component of tunable i's path right below d: start and length;
 * *is_dir when more of the path follows it. */
static const char *child_name(const struct procfs_node *d, size_t i, size_t *len, bool *is_dir)
{
	const char *p = sysctl_at(i)->path + (d->tid ? d->tid + 1 : 0);
	const char *slash = strchr(p, '/');
	*len = slash ? (size_t)(slash - p) : strlen(p);
	*is_dir = slash != NULL;
	return p;
}

/* The node of the child of d that tunable i falls in. */
static struct procfs_node child_node(const struct procfs_node *d, size_t i)
{
	size_t len;
	bool is_dir;
	const char *name = child_name(d, i, &len, &is_dir);
	if (is_dir)
		return dir_node(i, (size_t)(name - sysctl_at(i)->path) + len);
	return (struct procfs_node){ &procfs_sysctl_file_entry, 0, 0, (int)i };
}

int sysctl_tree_lookup(const struct procfs_node *d, const char *name, size_t len,
		       struct procfs_node *out)
{
	for (size_t i = first_of(d); under(d, i); i++) {
		size_t clen;
		bool is_dir;
		const char *c = child_name(d, i, &clen, &is_dir);
		if (clen == len && memcmp(c, name, len) == 0) {
			*out = child_node(d, i);
			return 0;
		}
	}
	return -ENOENT;
}

bool sysctl_tree_next(const struct procfs_node *d, size_t *i, struct procfs_node *child,
		      char *name, size_t size)
{
	for (size_t k = MAX(*i, first_of(d)); under(d, k); k++) {
		size_t len, plen;
		bool is_dir, pdir;
		const char *c = child_name(d, k, &len, &is_dir);
		if (k > first_of(d)) {
			const char *prev = child_name(d, k - 1, &plen, &pdir);
			if (plen == len && memcmp(prev, c, len) == 0)
				continue;         /* more of the directory before */
		}
		*i = k;
		*child = child_node(d, k);
		snprintf(name, MIN(size, len + 1), "%s", c);
		return true;
	}
	return false;
}

struct procfs_node sysctl_tree_parent(const struct procfs_node *n)
{
	size_t i = (size_t)n->fd;
	const char *path = sysctl_at(i)->path;
	size_t end = n->entry == &procfs_sysctl_file_entry ? strlen(path) : (size_t)n->tid;
	size_t len = end;
	while (len > 0 && path[len - 1] != '/')
		len--;
	len = len ? len - 1 : 0;          /* the parent's path, without the slash */
	while (i > 0 && (len == 0 || (strncmp(sysctl_at(i - 1)->path, path, len) == 0 &&
				      sysctl_at(i - 1)->path[len] == '/')))
		i--;
	return dir_node(i, len);
}

uint32_t sysctl_tree_mode(const struct procfs_node *n)
{
	if (n->entry != &procfs_sysctl_file_entry)
		return n->entry->mode;
	return S_IFREG | sysctl_at((size_t)n->fd)->mode;
}

/* Linux's rule for /proc/sys: the mode bits alone, root using the
 * owner's, the root group the group's, others the rest; directories
 * are never writable, files never executable. */
int sysctl_tree_permission(const struct procfs_node *n, int mask)
{
	if (n->entry != &procfs_sysctl_file_entry)
		return (mask & MAY_WRITE) ? -EACCES : 0;
	if (mask & MAY_EXEC)
		return -EACCES;
	uint32_t mode = sysctl_tree_mode(n);
	const struct cred *c = current_cred();
	if (c->euid == ROOT_UID)
		mode >>= 6;
	else if (cred_in_egroup(c, 0))
		mode >>= 3;
	return ((uint32_t)mask & ~mode & 7) ? -EACCES : 0;
}

int sysctl_tree_path(const struct procfs_node *n, char *buf, size_t size)
{
	const char *path = sysctl_at((size_t)n->fd)->path;
	if ((size_t)snprintf(buf, size, "/proc/sys/%s", path) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int sysctl_node_show(const struct procfs_node *n, struct pbuf *b)
{
	const struct sysctl *s = sysctl_at((size_t)n->fd);
	char *text = kmalloc(SYSCTL_TEXT_MAX);
	if (!text)
		return -ENOMEM;
	long len = s->show(s, text, SYSCTL_TEXT_MAX);
	if (len > 0)
		pbuf_put(b, text, MIN((size_t)len, SYSCTL_TEXT_MAX - 1));
	kfree(text);
	return len < 0 ? (int)len : 0;
}

/* A write: the bytes taken, or -errno (the value is unchanged then). */
static long sysctl_node_write(const struct procfs_node *n, const char *ubuf, size_t len,
			      uint64_t pos)
{
	const struct sysctl *s = sysctl_at((size_t)n->fd);
	if (!s->store)
		return -EINVAL;
	if (pos && s->store != sysctl_store_string)
		return (long)len;
	size_t k = MIN(len, SYSCTL_TEXT_MAX - 1);
	char *text = kmalloc(k + 1);
	if (!text)
		return -ENOMEM;
	long ret = copy_from_user(text, ubuf, k) ? -EFAULT : 0;
	text[k] = '\0';
	if (!ret)
		ret = pos ? sysctl_store_string_at(s, text, k, pos) : s->store(s, text, k);
	kfree(text);
	return ret;
}
