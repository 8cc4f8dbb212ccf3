/*
 * sys_xattr.c - the twelve extended-attribute calls, as Linux's
 * fs/xattr.c: get, set, list and remove, each by path (following a
 * final symlink or not) or by descriptor.
 *
 * The order of checks is Linux's: flags (EINVAL), the name (1 to 255
 * bytes, ERANGE; EFAULT), the value (at most XATTR_SIZE_MAX, E2BIG;
 * EFAULT), then the file (ENOENT, EBADF), a read-only mount (EROFS),
 * the namespace's permission rule, and last the file system.
 *
 * Namespaces (xattr_may, Linux's xattr_permission plus the capability
 * hooks of a kernel without a security module):
 *   user.*      read or write permission on the file; only regular
 *               files and directories (others: EPERM to change, ENODATA
 *               to read); in a sticky directory only its owner or
 *               CAP_FOWNER may change them.
 *   trusted.*   CAP_SYS_ADMIN (without it: EPERM to change, ENODATA to
 *               read, and lists leave them out).
 *   security.*  anyone reads; changing needs CAP_SYS_ADMIN, except
 *               security.capability, as commoncap: setting a non-empty
 *               value needs a revision 2 or 3 header (EINVAL) and
 *               CAP_SETFCAP, removing CAP_SETFCAP, and reading one
 *               converts revision 3 with root uid 0 to revision 2 (an
 *               invalid stored value, e.g. the empty one anyone may set,
 *               reads EINVAL). Stored like any other (Linux's tmpfs and
 *               ext2 without an LSM); exec does not apply file
 *               capabilities.
 *   system.posix_acl_access/default: EOPNOTSUPP (no POSIX ACLs, as
 *               Linux built without CONFIG_FS_POSIX_ACL); other system.*
 *               and unknown prefixes EOPNOTSUPP, after the file's own
 *               permission check as on Linux.
 * A file system without the xattr ops answers EOPNOTSUPP. A change sets
 * ctime (the file system does) and raises IN_ATTRIB.
 */
#include "fs/sysutil.h"
#include "fs/inotify.h"
#include "fs/mount.h"
#include "fs/xattr.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"

#define INDEX_NONE 0            /* a prefix no file system stores */

/* A name from user memory, split into namespace and the rest. */
struct xname {
	char full[XATTR_NAME_MAX + 1];
	int index;              /* XATTR_INDEX_*, or INDEX_NONE */
	const char *suffix;     /* within full: after the prefix */
	bool system;            /* "system.*" */
};

static const struct { int index; const char *prefix; } prefixes[] = {
	{ XATTR_INDEX_USER, XATTR_USER_PREFIX },
	{ XATTR_INDEX_TRUSTED, XATTR_TRUSTED_PREFIX },
	{ XATTR_INDEX_SECURITY, XATTR_SECURITY_PREFIX },
};

const char *xattr_prefix(int index)
{
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (prefixes[i].index == index)
			return prefixes[i].prefix;
	return NULL;
}

/* Copy and split the name at uname: 0, -ERANGE (empty or longer than
 * XATTR_NAME_MAX), -EFAULT. */
static long xname_get(const char *uname, struct xname *n)
{
	long len = strncpy_from_user(n->full, uname, sizeof(n->full));
	if (len == -ENAMETOOLONG || len == 0 || len == (long)sizeof(n->full))
		return -ERANGE;
	if (len < 0)
		return len;
	n->index = INDEX_NONE;
	n->suffix = n->full;
	n->system = strncmp(n->full, XATTR_SYSTEM_PREFIX, XATTR_SYSTEM_PREFIX_LEN) == 0;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t plen = strlen(prefixes[i].prefix);
		if (strncmp(n->full, prefixes[i].prefix, plen) == 0) {
			n->index = prefixes[i].index;
			n->suffix = n->full + plen;
		}
	}
	return 0;
}

/* The inode the call names, referenced: a path (following a final
 * symlink or not) or, with upath NULL, descriptor fd (not O_PATH). */
static long xattr_inode(const char *upath, bool follow, int fd, struct inode **out)
{
	if (upath)
		return user_lookup_at(AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, 0, out);
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long err = (f->flags & O_PATH) ? -EBADF : 0;
	if (!err)
		*out = inode_get(file_inode(f));   /* eventfd, epoll, ...: the anonymous inode */
	file_put(f);
	return err;
}

/* Is n security.capability, whose values commoncap checks and converts? */
static bool is_caps(const struct xname *n)
{
	return n->index == XATTR_INDEX_SECURITY && strcmp(n->suffix, "capability") == 0;
}

/* A security.capability value: a revision 2 or 3 header of its size,
 * revision 3 with a valid root uid. */
static bool caps_valid(const void *value, size_t size)
{
	uint32_t magic, rootid;
	if (size < sizeof(magic))
		return false;
	memcpy(&magic, value, sizeof(magic));
	uint32_t rev = magic & VFS_CAP_REVISION_MASK;
	if (size == XATTR_CAPS_SZ_2 && rev == VFS_CAP_REVISION_2)
		return true;
	if (size != XATTR_CAPS_SZ_3 || rev != VFS_CAP_REVISION_3)
		return false;
	memcpy(&rootid, (const uint8_t *)value + XATTR_CAPS_SZ_2, sizeof(rootid));
	return rootid != (uint32_t)-1;
}

/* Read security.capability as commoncap does (cap_inode_getsecurity):
 * a stored value that is not valid is EINVAL (an empty one, which
 * anyone may set, as on Linux), and revision 3 with root uid 0 reads as
 * revision 2. Its length, copied to buf unless size is 0, or -errno. */
static long caps_get(struct inode *ip, const struct xname *n, void *buf, size_t size)
{
	uint8_t v[XATTR_CAPS_SZ_3] = { 0 };
	uint32_t magic, rootid;
	long len = ip->iops->xattr_get(ip, n->index, n->suffix, v, sizeof(v));
	if (len == -ERANGE || (len >= 0 && !caps_valid(v, (size_t)len)))
		return -EINVAL;
	if (len < 0)
		return len;
	memcpy(&magic, v, sizeof(magic));
	memcpy(&rootid, v + XATTR_CAPS_SZ_2, sizeof(rootid));
	if (len == XATTR_CAPS_SZ_3 && rootid == 0) {
		magic = VFS_CAP_REVISION_2 | (magic & VFS_CAP_FLAGS_EFFECTIVE);
		memcpy(v, &magic, sizeof(magic));
		len = XATTR_CAPS_SZ_2;
	}
	if (size && size < (size_t)len)
		return -ERANGE;
	if (size)
		memcpy(buf, v, (size_t)len);
	return len;
}

/* What a kernel without an LSM asks to change security.*: CAP_SYS_ADMIN,
 * except for security.capability (checked by xattr_change, as commoncap
 * does). 0 or -EPERM. */
static int security_may_change(const struct xname *n)
{
	return is_caps(n) || capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Linux's xattr_permission: may the caller read (MAY_READ) or change
 * (MAY_WRITE) attribute n of ip? 0 or -errno. */
static int xattr_may(struct inode *ip, const struct xname *n, int mask)
{
	bool write = mask & MAY_WRITE;
	if (n->system)
		return 0;
	if (n->index == XATTR_INDEX_SECURITY)
		return write ? security_may_change(n) : 0;
	if (n->index == XATTR_INDEX_TRUSTED) {
		if (!capable(CAP_SYS_ADMIN))
			return write ? -EPERM : -ENODATA;
		return 0;
	}
	if (n->index == XATTR_INDEX_USER) {
		if (!S_ISREG(ip->mode) && !S_ISDIR(ip->mode))
			return write ? -EPERM : -ENODATA;
		if (write && S_ISDIR(ip->mode) && (ip->mode & S_ISVTX) && inode_owner_or_capable(ip))
			return -EPERM;
	}
	return inode_permission(ip, mask);
}

/* After the permission check: can this file system hold n at all?
 * 0, -EOPNOTSUPP, or -EINVAL for a bare prefix ("user."). */
static int xattr_supported(struct inode *ip, const struct xname *n)
{
	if (n->index == INDEX_NONE || !ip->iops->xattr_get)
		return -EOPNOTSUPP;
	return n->suffix[0] ? 0 : -EINVAL;
}

static long xattr_get(const char *upath, bool follow, int fd, const char *uname, void *uvalue,
		      size_t size)
{
	struct xname *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	struct inode *ip = NULL;
	void *buf = NULL;
	size = MIN(size, XATTR_SIZE_MAX);
	long ret = xname_get(uname, n);
	if (!ret)
		ret = xattr_inode(upath, follow, fd, &ip);
	if (!ret)
		ret = xattr_may(ip, n, MAY_READ);
	if (!ret)
		ret = xattr_supported(ip, n);
	if (!ret && size && !(buf = kmalloc(size)))
		ret = -ENOMEM;
	if (!ret)
		ret = is_caps(n) ? caps_get(ip, n, buf, size)
				 : ip->iops->xattr_get(ip, n->index, n->suffix, buf, size);
	if (ret > 0 && size && copy_to_user(uvalue, buf, (size_t)ret))
		ret = -EFAULT;
	kfree(buf);
	inode_put(ip);
	kfree(n);
	return ret;
}

/* Change or (uvalue NULL, remove) the attribute. */
static long xattr_change(struct inode *ip, const struct xname *n, const void *value, size_t size,
			 int flags)
{
	if (mount_readonly(ip))
		return -EROFS;
	if (value && size && is_caps(n)) {          /* commoncap's cap_convert_nscap */
		if (!caps_valid(value, size))
			return -EINVAL;
		if (!capable(CAP_SETFCAP))
			return -EPERM;
	}
	long err = xattr_may(ip, n, MAY_WRITE);
	if (!err && !value && is_caps(n) && !capable(CAP_SETFCAP))
		err = -EPERM;
	if (!err)
		err = xattr_supported(ip, n);
	if (!err)
		err = ip->iops->xattr_set(ip, n->index, n->suffix, value, size, flags);
	if (!err)
		fsnotify_inode(ip, IN_ATTRIB);
	return err;
}

/* The value of a set, copied in: a kmalloc'd block (size 0: one byte, an
 * empty value) or -E2BIG, -EFAULT, -ENOMEM in *err. */
static void *xattr_value_get(const void *uvalue, size_t size, long *err)
{
	if (size > XATTR_SIZE_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	void *value = kmalloc(size ? size : 1);
	if (!value)
		*err = -ENOMEM;
	else if (copy_from_user(value, uvalue, size))
		*err = -EFAULT;
	return value;
}

static long xattr_set(const char *upath, bool follow, int fd, const char *uname,
		      const void *uvalue, size_t size, int flags)
{
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	struct xname *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	struct inode *ip = NULL;
	void *value = NULL;
	long err = xname_get(uname, n);
	if (!err)
		value = xattr_value_get(uvalue, size, &err);
	if (!err)
		err = xattr_inode(upath, follow, fd, &ip);
	if (!err)
		err = xattr_change(ip, n, value, size, flags);
	inode_put(ip);
	kfree(value);
	kfree(n);
	return err;
}

static long xattr_remove(const char *upath, bool follow, int fd, const char *uname)
{
	struct xname *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	struct inode *ip = NULL;
	long err = xname_get(uname, n);
	if (!err)
		err = xattr_inode(upath, follow, fd, &ip);
	if (!err)
		err = xattr_change(ip, n, NULL, 0, 0);
	inode_put(ip);
	kfree(n);
	return err;
}

/* Building a list: the names the caller may see, NUL-terminated. */
struct list_ctx {
	char *buf;              /* NULL: only count */
	size_t size, len;
	bool trusted;           /* the caller may see trusted.* */
};

static int list_emit(void *arg, int index, const char *name, size_t len)
{
	struct list_ctx *c = arg;
	const char *prefix = xattr_prefix(index);
	if (!prefix || (index == XATTR_INDEX_TRUSTED && !c->trusted))
		return 0;
	size_t plen = strlen(prefix), need = plen + len + 1;
	if (c->buf) {
		if (c->len + need > c->size)
			return -ERANGE;
		memcpy(c->buf + c->len, prefix, plen);
		memcpy(c->buf + c->len + plen, name, len);
		c->buf[c->len + need - 1] = '\0';
	}
	c->len += need;
	return 0;
}

static long xattr_list(const char *upath, bool follow, int fd, char *ulist, size_t size)
{
	struct inode *ip;
	long err = xattr_inode(upath, follow, fd, &ip);
	if (err)
		return err;
	struct list_ctx c = { .size = MIN(size, XATTR_LIST_MAX), .trusted = capable(CAP_SYS_ADMIN) };
	if (c.size && !(c.buf = kmalloc(c.size)))
		err = -ENOMEM;
	if (!err && ip->iops->xattr_list)
		err = ip->iops->xattr_list(ip, list_emit, &c);
	if (!err && c.len && c.buf && copy_to_user(ulist, c.buf, c.len))
		err = -EFAULT;
	if (err == -ERANGE && size >= XATTR_LIST_MAX)
		err = -E2BIG;
	kfree(c.buf);
	inode_put(ip);
	return err ? err : (long)c.len;
}

long sys_getxattr(const char *p, const char *n, void *v, size_t s) { return xattr_get(p, true, -1, n, v, s); }
long sys_lgetxattr(const char *p, const char *n, void *v, size_t s) { return xattr_get(p, false, -1, n, v, s); }
long sys_fgetxattr(int fd, const char *n, void *v, size_t s) { return xattr_get(NULL, false, fd, n, v, s); }
long sys_removexattr(const char *p, const char *n) { return xattr_remove(p, true, -1, n); }
long sys_lremovexattr(const char *p, const char *n) { return xattr_remove(p, false, -1, n); }
long sys_fremovexattr(int fd, const char *n) { return xattr_remove(NULL, false, fd, n); }
long sys_listxattr(const char *p, char *l, size_t s) { return xattr_list(p, true, -1, l, s); }
long sys_llistxattr(const char *p, char *l, size_t s) { return xattr_list(p, false, -1, l, s); }
long sys_flistxattr(int fd, char *l, size_t s) { return xattr_list(NULL, false, fd, l, s); }

long sys_setxattr(const char *p, const char *n, const void *v, size_t s, int f)
{
	return xattr_set(p, true, -1, n, v, s, f);
}

long sys_lsetxattr(const char *p, const char *n, const void *v, size_t s, int f)
{
	return xattr_set(p, false, -1, n, v, s, f);
}

long sys_fsetxattr(int fd, const char *n, const void *v, size_t s, int f)
{
	return xattr_set(NULL, false, fd, n, v, s, f);
}
