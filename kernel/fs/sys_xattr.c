/*
 * sys_xattr.c - extended attributes. Aspen's file systems keep none, as
 * Linux's tmpfs without security modules: every file exists with an
 * empty attribute list; reading or removing a name gives ENODATA,
 * setting one EOPNOTSUPP (ENOTSUP). The path, descriptor and name are still checked
 * as Linux checks them, so a program (coreutils' ls asks for ACLs and
 * SELinux labels) gets the answers it handles quietly.
 */
#include "fs/sysutil.h"
#include "mm/usercopy.h"
#include "lib/errno.h"
#include <linux/xattr.h>

#define XATTR_NAME_MAX 255

/* The file the call names: a path (following a final symlink or not)
 * or, with path NULL, descriptor fd. 0 or -errno. */
static long xattr_file(const char *upath, bool follow, int fd)
{
	struct inode *ip;
	if (upath) {
		long err = user_lookup_at(AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, 0, &ip);
		if (err)
			return err;
		inode_put(ip);
		return 0;
	}
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* An attribute name: 1 to XATTR_NAME_MAX bytes (ERANGE), readable (EFAULT). */
static long xattr_name(const char *uname)
{
	char name[XATTR_NAME_MAX + 1];
	long len = strncpy_from_user(name, uname, sizeof(name));
	if (len == -ENAMETOOLONG || len == 0)
		return -ERANGE;
	return len < 0 ? len : 0;
}

static long xattr_get(const char *upath, bool follow, int fd, const char *uname)
{
	long err = xattr_file(upath, follow, fd);
	if (!err)
		err = xattr_name(uname);
	return err ? err : -ENODATA;
}

static long xattr_set(const char *upath, bool follow, int fd, const char *uname, int flags)
{
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	long err = xattr_file(upath, follow, fd);
	if (!err)
		err = xattr_name(uname);
	return err ? err : -EOPNOTSUPP;
}

long sys_getxattr(const char *p, const char *n, void *v, size_t s) { return xattr_get(p, true, -1, n); }
long sys_lgetxattr(const char *p, const char *n, void *v, size_t s) { return xattr_get(p, false, -1, n); }
long sys_fgetxattr(int fd, const char *n, void *v, size_t s) { return xattr_get(NULL, false, fd, n); }
long sys_removexattr(const char *p, const char *n) { return xattr_get(p, true, -1, n); }
long sys_lremovexattr(const char *p, const char *n) { return xattr_get(p, false, -1, n); }
long sys_fremovexattr(int fd, const char *n) { return xattr_get(NULL, false, fd, n); }

/* The list is empty: 0 bytes, whatever the buffer. */
long sys_listxattr(const char *p, char *l, size_t s) { return xattr_file(p, true, -1); }
long sys_llistxattr(const char *p, char *l, size_t s) { return xattr_file(p, false, -1); }
long sys_flistxattr(int fd, char *l, size_t s) { return xattr_file(NULL, false, fd); }

long sys_setxattr(const char *p, const char *n, const void *v, size_t s, int f)
{
	return xattr_set(p, true, -1, n, f);
}

long sys_lsetxattr(const char *p, const char *n, const void *v, size_t s, int f)
{
	return xattr_set(p, false, -1, n, f);
}

long sys_fsetxattr(int fd, const char *n, const void *v, size_t s, int f)
{
	return xattr_set(NULL, false, fd, n, f);
}
