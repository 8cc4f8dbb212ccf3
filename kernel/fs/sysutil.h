/*
 * sysutil.h - what the file syscalls share: user paths, dirfd-relative
 * lookups and descriptor access. Private to kernel/fs/sys_*.c.
 */
#ifndef ASPEN_FS_SYSUTIL_H
#define ASPEN_FS_SYSUTIL_H
#include "lib/kernel.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/vfs.h"

/* user_path - copy a user path into a kmalloc'd buffer (kfree it).
 * -EFAULT, -ENAMETOOLONG, -ENOENT (empty, unless allow_empty), -ENOMEM. */
int user_path(const char *upath, bool allow_empty, char **out);

/* fd_file - the file at fd of the caller, referenced (file_put it). */
struct file *fd_file(int fd);

/* dirfd_base - the start directory of a dirfd-relative path: NULL for
 * AT_FDCWD or an absolute path, else the dirfd's inode (referenced;
 * -EBADF, -ENOTDIR). */
int dirfd_base(int dirfd, const char *path, struct inode **base);

/* user_lookup_at - resolve a user path relative to dirfd with LOOKUP_*
 * flags; an empty path with AT_EMPTY_PATH in at_flags means dirfd's
 * own inode (or the cwd). *out referenced. */
int user_lookup_at(int dirfd, const char *upath, int lookup_flags, int at_flags,
		   struct inode **out);

/* A parent lookup of a user path: the parent directory and the last name. */
struct user_parent {
	char *path;            /* the kernel copy (freed by user_parent_put) */
	struct inode *dir;     /* referenced */
	struct vfs_last last;
};

/* user_parent_get - resolve all but the last component of upath from
 * dirfd into p; 0 or -errno (nothing to put on error). */
int user_parent_get(int dirfd, const char *upath, struct user_parent *p);
void user_parent_put(struct user_parent *p);

/* splice(2)'s flags (glibc's <fcntl.h>; no UAPI header has them). */
#define SPLICE_F_MOVE 0x1
#define SPLICE_F_NONBLOCK 0x2
#define SPLICE_F_MORE 0x4
#define SPLICE_F_GIFT 0x8
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

/* file_transfer - read or write n bytes at ubuf (user memory) through
 * f's ops, at *pos or (pos NULL) at and moving the file position, as
 * read(2)/pread(2) do. Bytes done or -errno. May sleep. */
long file_transfer(struct file *f, char *ubuf, size_t n, uint64_t *pos, bool write);

/* may_create_in - write and search permission on dir: 0 or -EACCES. */
int may_create_in(struct inode *dir);

/* inode_owner_or_capable - the caller's fsuid owns inode, or it has
 * CAP_FOWNER: 0 or -EPERM. */
int inode_owner_or_capable(struct inode *inode);
/* inode_init_owner - the owner, group and mode (S_IF* included) of a new
 * inode in dir. */
void inode_init_owner(struct inode *dir, uint32_t *mode, uint32_t *uid, uint32_t *gid);
#endif
