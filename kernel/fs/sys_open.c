/*
 * sys_open.c - open, openat, openat2 and creat: resolving the path,
 * creating the final name (O_CREAT, O_EXCL, O_TMPFILE), the checks on
 * what is opened, and installing the new file in the descriptor table.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "fs/syscalls.h"
#include "fs/sysutil.h"
#include "fs/mount.h"
#include "fs/inotify.h"
#include <linux/openat2.h>

#define O_OPEN_KEEP (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | \
		     O_PATH | O_LARGEFILE | O_DSYNC | O_SYNC | O_NOATIME | O_DIRECT | FASYNC)

/* Create name in dir as a regular file (mode already umasked). */
static int create_in(struct inode *dir, const struct vfs_last *last, uint32_t mode,
		     struct inode **out)
{
	if (!dir->iops->create)
		return -ENOENT;         /* procfs: as Linux, whose lookup there fails */
	int err = may_create_in(dir);
	if (err)
		return err;
	uint32_t uid, gid;
	mode |= S_IFREG;
	inode_init_owner(dir, &mode, &uid, &gid);
	err = dir->iops->create(dir, last->name, last->len, mode & 07777, uid, gid, out);
	if (!err)
		fsnotify_dir(dir, IN_CREATE, false, last->name, last->len, 0);
	return err;
}

/* Tell inotify of f, just opened by path from base: IN_OPEN to it and,
 * with the name, to the directory it was found in. */
static void notify_open(struct file *f, struct inode *base, const char *path,
			const struct lookup_how *how)
{
	struct inode *dir;
	struct vfs_last *last = kmalloc(sizeof(*last));
	if (last && vfs_lookup_parent_how(base, path, how, &dir, last) == 0) {
		if (last->type == LAST_NORM)
			fsnotify_opened(f, dir, last->name, last->len);
		else
			fsnotify_file(f, IN_OPEN);
		inode_put(dir);
	} else {
		fsnotify_file(f, IN_OPEN);
	}
	kfree(last);
}

/* open(O_CREAT) met a final symlink: a magic one opens its object
 * (*out), another gives its text to resolve next (*target). */
static int open_follow_final(struct inode *link, const struct lookup_how *how, struct inode **out,
			     char **target)
{
	struct inode *obj;
	bool magic = vfs_magic_target(link, &obj);
	int err = obj ? 0 : vfs_readlink_kernel(link, target);
	if (!err)
		err = vfs_link_allowed(how, magic, obj ? NULL : *target);
	if (err) {
		kfree(*target);
		*target = NULL;
		inode_put(obj);
	} else if (obj) {
		*out = obj;
	}
	return err;
}

/* One round of open with O_CREAT: the existing file, a new one, or a
 * symlink to follow (*target set to a kmalloc'd copy of its text and
 * *link_dir to its directory, referenced). */
static int open_create_step(struct inode *base, const char *path, int flags, uint32_t mode,
			    const struct lookup_how *how, struct inode **out,
			    struct inode **link_dir, char **target)
{
	struct inode *dir, *child = NULL;
	struct vfs_last last;
	int err = vfs_lookup_parent_how(base, path, how, &dir, &last);
	if (err)
		return err;
	if (last.type != LAST_NORM || last.trailing_slash) {
		err = -EISDIR;
	} else {
		err = vfs_lookup_child(dir, last.name, last.len, &child);
		if (err == -ENOENT)
			err = create_in(dir, &last, mode, out);
		else if (!err && (flags & O_EXCL))
			err = -EEXIST;
		else if (!err && S_ISLNK(child->mode) && !(flags & O_NOFOLLOW))
			err = open_follow_final(child, how, out, target);
		else if (!err)
			*out = inode_get(child);
	}
	inode_put(child);
	if (!err && *target)
		*link_dir = dir;
	else
		inode_put(dir);
	return err;
}

/* Resolve (and with O_CREAT maybe create) what open names. A final
 * symlink is followed through by re-resolving its target from its
 * directory, so a dangling link creates its target as on Linux. */
static int open_resolve(struct inode *base, const char *path, int flags, uint32_t mode,
			const struct lookup_how *how, struct inode **out)
{
	if (!(flags & O_CREAT)) {
		int lf = (flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | (flags & O_DIRECTORY ? LOOKUP_DIRECTORY : 0);
		return vfs_lookup_how(base, path, lf, how, out);
	}
	struct inode *dir = base ? inode_get(base) : NULL;
	char *owned = NULL;
	int err = -ELOOP;
	for (int links = 0; links <= SYMLOOP_MAX; links++) {
		struct inode *link_dir = NULL;
		char *target = NULL;
		err = open_create_step(dir, path, flags, mode, how, out, &link_dir, &target);
		inode_put(dir);
		kfree(owned);
		dir = link_dir;
		path = owned = target;
		if (err || !target)
			break;
		err = -ELOOP;
	}
	inode_put(dir);
	kfree(owned);
	return err;
}

/* What may be done with the inode open found: the Linux checks. */
static int open_check(struct inode *inode, int flags)
{
	int acc = flags & O_ACCMODE;
	if (flags & O_PATH)
		return (flags & O_DIRECTORY) && !S_ISDIR(inode->mode) ? -ENOTDIR : 0;
	if (S_ISLNK(inode->mode))
		return -ELOOP;                  /* O_NOFOLLOW met a symlink */
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (S_ISDIR(inode->mode) && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return -EISDIR;
	int mask = (acc != O_WRONLY ? MAY_READ : 0) | (acc != O_RDONLY || (flags & O_TRUNC) ? MAY_WRITE : 0);
	if ((mask & MAY_WRITE) && !S_ISCHR(inode->mode) && !S_ISBLK(inode->mode) &&
	    !S_ISFIFO(inode->mode) && !S_ISSOCK(inode->mode) && mount_readonly(inode))
		return -EROFS;              /* a file of a read-only mount */
	int err = inode_permission(inode, mask);
	if (!err && (flags & O_NOATIME))
		err = inode_owner_or_capable(inode);   /* the owner's (or CAP_FOWNER's) */
	return err;
}

/* Open path (a kernel string) from base (NULL: the cwd) with flags and
 * mode (already umasked), within how's limits (NULL: none), into *out:
 * open(2) without the descriptor. */
static int open_path(struct inode *base, const char *path, int flags, uint32_t mode,
		     const struct lookup_how *how, struct file **out)
{
	struct inode *inode = NULL;
	struct file *f = NULL;
	int err = open_resolve(base, path, flags, mode, how, &inode);
	if (!err)
		err = open_check(inode, flags);
	if (!err)
		err = file_open_inode(inode, (uint32_t)(flags & O_OPEN_KEEP) | O_LARGEFILE, &f);
	if (!err && inotify_active() && !(flags & O_PATH))
		notify_open(f, base, path, how);
	if (!err && (flags & O_TRUNC) && S_ISREG(inode->mode) && inode->size) {
		err = file_truncate_inode(inode, 0);
		if (err)
			file_put(f);   /* truncated once open, as Linux: ETXTBSY comes first */
		else if (inotify_active())
			fsnotify_file(f, IN_MODIFY);
	}
	inode_put(inode);
	if (!err)
		*out = f;
	return err;
}

/* vfs_open_kernel - see file.h. */
int vfs_open_kernel(const char *path, int flags, uint32_t mode, struct file **out)
{
	mode = mode & 07777 & ~fs_get_umask(current_fs());
	return open_path(NULL, path, flags, mode, NULL, out);
}

/* openat2's anchor: dirfd's directory, or the cwd; referenced. */
static int open_anchor(int dirfd, struct inode **anchor)
{
	int err = dirfd_base(dirfd, ".", anchor);
	if (!err && !*anchor)
		*anchor = fs_get_cwd(current_fs());
	return err;
}

/* do_open_how - open path relative to dirfd (within openat2's resolve
 * limits, if any) and install a descriptor. */
static long do_open_how(int dirfd, const char *upath, int flags, uint32_t mode, uint64_t resolve)
{
	if ((flags & O_ACCMODE) == O_ACCMODE || (flags & __O_TMPFILE) == __O_TMPFILE)
		return (flags & __O_TMPFILE) == __O_TMPFILE ? -EOPNOTSUPP : -EINVAL;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char *path;
	int err = user_path(upath, false, &path);
	if (err)
		return err;
	struct inode *base = NULL;
	struct file *f = NULL;
	mode = mode & 07777 & ~fs_get_umask(current_fs());
	struct lookup_how how = { .resolve = resolve };
	if (resolve && !(err = open_anchor(dirfd, &how.anchor)))
		base = inode_get(how.anchor);
	else if (!resolve)
		err = dirfd_base(dirfd, path, &base);
	if (!err)
		err = open_path(base, path, flags, mode, resolve ? &how : NULL, &f);
	inode_put(base);
	inode_put(how.anchor);
	kfree(path);
	if (err)
		return err;
	int fd = fd_install(current_files(), f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(const char *path, int flags, uint32_t mode) { return do_open_how(AT_FDCWD, path, flags, mode, 0); }
long sys_openat(int dirfd, const char *path, int flags, uint32_t mode) { return do_open_how(dirfd, path, flags, mode, 0); }

long sys_creat(const char *path, uint32_t mode)
{
	return do_open_how(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

#define OPEN_HOW_SIZE_VER0 24
#define OPEN_VALID_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			  O_NONBLOCK | O_SYNC | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | \
			  O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | __O_TMPFILE)
#define RESOLVE_KNOWN (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | \
		       RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* openat2's checks of struct open_how, as Linux's build_open_flags.
 * RESOLVE_CACHED: every lookup here is "cached" (the trees are in
 * memory), so only what would have to write is refused (EAGAIN). */
static long open_how_check(const struct open_how *how)
{
	if (how->flags & ~(uint64_t)OPEN_VALID_FLAGS)
		return -EINVAL;
	if (how->resolve & ~(uint64_t)RESOLVE_KNOWN)
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how->flags & (O_CREAT | __O_TMPFILE)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((how->flags & O_PATH) && (how->flags & ~(uint64_t)(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED) && (how->flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

/* openat2: struct open_how of usize bytes (at least the first version's
 * 24; more only if the rest is zeros: E2BIG; at most a page). */
long sys_openat2(int dirfd, const char *path, const struct open_how *uhow, size_t usize)
{
	struct open_how how = { 0 };
	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	long err = copy_struct_from_user(&how, sizeof(how), uhow, usize);
	if (!err)
		err = open_how_check(&how);
	return err ? err : do_open_how(dirfd, path, (int)how.flags, (uint32_t)how.mode, how.resolve);
}

/* ---- file handles: name_to_handle_at, open_by_handle_at ---- */

#define MAX_HANDLE_SZ 128
#define ASPEN_HANDLE_TYPE FILEID_INO32_GEN   /* as tmpfs's */
#define HANDLE_FLAGS (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)

struct file_handle_hdr {              /* struct file_handle without f_handle[] */
	uint32_t handle_bytes;
	int32_t handle_type;
};

struct aspen_fid {                    /* what by_ino's handles hold: 12 bytes */
	uint64_t ino;
	uint32_t dev;
} __attribute__((packed));

/* Does inode's file system give file handles? */
static bool has_handles(const struct inode *inode)
{
	return inode->iops->by_ino || inode->iops->encode_fh;
}

/* inode's handle into fh (room for MAX_HANDLE_SZ bytes): its type and
 * size in bytes (FILEID_INVALID when room bytes are too few). */
static int handle_make(struct inode *inode, uint32_t *fh, uint32_t room, uint32_t *bytes)
{
	if (inode->iops->encode_fh) {
		uint32_t words = room / sizeof(uint32_t);
		int type = inode->iops->encode_fh(inode, fh, &words);
		*bytes = words * sizeof(uint32_t);
		return *bytes > room ? FILEID_INVALID : type;
	}
	struct aspen_fid fid = { inode->ino, inode->dev };
	*bytes = sizeof(fid);
	if (room < sizeof(fid))
		return FILEID_INVALID;
	memcpy(fh, &fid, sizeof(fid));
	return ASPEN_HANDLE_TYPE;
}

/* Encode inode into the user's struct file_handle: -EOVERFLOW (with the
 * size needed and type FILEID_INVALID written back, as Linux) when
 * handle_bytes is too small. */
static long handle_encode(struct inode *inode, void *uhandle)
{
	struct file_handle_hdr h;
	uint32_t fh[MAX_HANDLE_SZ / sizeof(uint32_t)], bytes;
	if (copy_from_user(&h, uhandle, sizeof(h)))
		return -EFAULT;
	if (h.handle_bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	h.handle_type = handle_make(inode, fh, h.handle_bytes, &bytes);
	bool room = h.handle_type != FILEID_INVALID;
	h.handle_bytes = bytes;
	if (room && copy_to_user((char *)uhandle + sizeof(h), fh, bytes))
		return -EFAULT;
	if (copy_to_user(uhandle, &h, sizeof(h)))
		return -EFAULT;
	return room ? 0 : -EOVERFLOW;
}

/* name_to_handle_at - a handle for the file at dirfd/path that
 * open_by_handle_at turns back into it, and its mount's id. */
long sys_name_to_handle_at(int dirfd, const char *path, void *uhandle, int *umnt_id, int flags)
{
	if (flags & ~HANDLE_FLAGS)
		return -EINVAL;
	struct inode *inode;
	long err = user_lookup_at(dirfd, path, flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0,
				  flags & AT_EMPTY_PATH, &inode);
	if (err)
		return err;
	err = has_handles(inode) ? handle_encode(inode, uhandle) : -EOPNOTSUPP;
	int id = mount_id_of(inode);
	if ((!err || err == -EOVERFLOW) && copy_to_user(umnt_id, &id, sizeof(id)))
		err = -EFAULT;
	inode_put(inode);
	return err;
}

/* The inode a user handle names, in the file system of anchor:
 * -EFAULT, -EINVAL (size 0 or above MAX_HANDLE_SZ), -ESTALE. */
static int handle_decode(struct inode *anchor, const void *uhandle, struct inode **out)
{
	struct file_handle_hdr h;
	uint32_t fh[MAX_HANDLE_SZ / sizeof(uint32_t)];
	if (copy_from_user(&h, uhandle, sizeof(h)))
		return -EFAULT;
	if (h.handle_bytes == 0 || h.handle_bytes > MAX_HANDLE_SZ || h.handle_type < 0)
		return -EINVAL;
	if (copy_from_user(fh, (const char *)uhandle + sizeof(h), h.handle_bytes))
		return -EFAULT;
	if (anchor->iops->fh_to_inode)
		return anchor->iops->fh_to_inode(anchor, fh, h.handle_bytes / sizeof(uint32_t), h.handle_type, out);
	struct aspen_fid fid;
	if (h.handle_bytes != sizeof(fid) || h.handle_type != ASPEN_HANDLE_TYPE || !anchor->iops->by_ino)
		return -ESTALE;
	memcpy(&fid, fh, sizeof(fid));
	if (fid.dev != anchor->dev)
		return -ESTALE;
	return anchor->iops->by_ino(anchor, fid.ino, out);
}

/* open_by_handle_at - open what a handle names, on the mount of
 * mount_fd: CAP_DAC_READ_SEARCH's (EPERM), then the open's own checks. */
long sys_open_by_handle_at(int mount_fd, const void *uhandle, int flags)
{
	if (!capable(CAP_DAC_READ_SEARCH))
		return -EPERM;
	struct inode *anchor, *inode;
	int err = dirfd_base(mount_fd, "", &anchor);
	if (!err && !anchor)
		anchor = fs_get_cwd(current_fs());
	if (err)
		return err;
	err = handle_decode(anchor, uhandle, &inode);
	inode_put(anchor);
	if (err)
		return err;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct file *f = NULL;
	err = open_check(inode, flags & ~O_NOFOLLOW);
	if (!err)
		err = file_open_inode(inode, (uint32_t)(flags & O_OPEN_KEEP) | O_LARGEFILE, &f);
	inode_put(inode);
	if (err)
		return err;
	if (inotify_active() && !(flags & O_PATH))
		fsnotify_file(f, IN_OPEN);
	int fd = fd_install(current_files(), f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
