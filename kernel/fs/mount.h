/*
 * mount.h - mounted file systems: the kinds of file system (tmpfs, proc,
 * devtmpfs, ext2), the table of mounts that /proc/mounts shows, and what
 * mount(2), umount2(2), statfs(2) and sync(2) ask of them.
 *
 * A mount is one instance of a file system attached at a directory: its
 * root inode covers that directory (vfs.c keeps the two pointers path
 * resolution follows). Every inode of an instance carries the instance's
 * device number (inode->dev), which is how an inode finds its mount.
 *
 * Locks: mount_table_lock (a mutex) guards the table and each mount's
 * fields (m) below; it is held across a file system's fill_super and
 * kill, which may read and write the disk. Order: mount_table_lock, then
 * a file system's own locks.
 */
#ifndef ASPEN_FS_MOUNT_H
#define ASPEN_FS_MOUNT_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "fs/uapi.h"
#include <linux/mount.h>

/* umount2 flags and statfs f_flags, as <sys/mount.h> and <sys/statvfs.h>. */
#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8
#define ST_RDONLY 0x0001
#define ST_NOSUID 0x0002
#define ST_NODEV 0x0004
#define ST_NOEXEC 0x0008
#define ST_SYNCHRONOUS 0x0010
#define ST_VALID 0x0020
#define ST_NOATIME 0x0400
#define ST_NODIRATIME 0x0800
#define ST_RELATIME 0x1000

/* The flags a mount keeps (MS_* values). */
#define MOUNT_FLAGS_KEPT (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | \
			  MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME)

struct inode;
struct blkdev;
struct mount;

/* What a file system does for its mounts. Every op may sleep. */
struct mount_ops {
	/* statfs - f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files,
	 * f_ffree, f_namelen, f_frsize (the rest is filled by the caller). */
	void (*statfs)(struct mount *m, struct statfs *st);
	/* sync - write everything dirty to the medium: 0 or -EIO. NULL: memory. */
	int (*sync)(struct mount *m);
	/* busy - an inode of the instance is in use beyond the mount's own
	 * reference (open files, working directories, mappings). */
	bool (*busy)(struct mount *m);
	/* remount - new flags (MS_*) and options: 0 or -errno (nothing changed). */
	int (*remount)(struct mount *m, unsigned long flags, const char *data);
	/* show_options - ",opt=value..." after the generic options, into buf. */
	void (*show_options)(struct mount *m, char *buf, size_t size);
	/* kill - the mount is gone (the root's reference is dropped by the
	 * caller after this): write back and let go of the instance. */
	void (*kill)(struct mount *m);
};

/* A kind of file system, registered at boot. */
struct fs_type {
	const char *name;
	bool needs_device;     /* the source names a block device (else "nodev") */
	/* fill - make the instance for m: m->flags, m->bdev (if
	 * needs_device), m->source are set; set m->root (referenced), m->dev,
	 * m->ops and m->fs_info. data is the option string (may be NULL).
	 * 0 or -errno (and nothing is left allocated). */
	int (*fill)(struct mount *m, const char *data);
};

struct mount {
	int id, parent_id;                /* (c) as /proc/self/mountinfo numbers them */
	const struct fs_type *type;       /* (c) */
	const struct mount_ops *ops;      /* (c) */
	uint32_t dev;                     /* (c) st_dev of the instance's inodes */
	unsigned long flags;              /* (m) MS_* kept (MOUNT_FLAGS_KEPT) */
	struct inode *root;               /* (c) referenced */
	struct inode *mountpoint;         /* (c) the covered directory, referenced */
	struct blkdev *bdev;              /* (c) referenced, or NULL */
	char *source;                     /* (c) kmalloc'd: "/dev/vdb", "tmpfs" */
	char *path;                       /* (c) kmalloc'd: where, from the root */
	void *fs_info;                    /* (c) the file system's */
	struct list_head link;            /* (m) in the table, in mount order */
};

/* mount_register_type - add a kind of file system. Boot. */
void mount_register_type(const struct fs_type *type);
/* mount_init - the table, with the root file system as mount 1 ("rootfs"),
 * and the built-in kinds. After vfs_init. */
void mount_init(void);
/* tmpfs_init - register tmpfs and devtmpfs (fs/tmpfs.c). Boot. */
void tmpfs_init(void);
/* ext2_init - register ext2 and start its flusher (fs/ext2/super.c). Boot. */
void ext2_init(void);
/* mount_kernel - mount a nodev file system of type at path for the
 * kernel itself (boot): 0 or -errno. */
int mount_kernel(const char *type, const char *path, unsigned long flags, const char *data);

/* mount_for_each - call fn for each mount in the table, in order, with
 * mount_table_lock held (fn must not mount or unmount). */
void mount_for_each(void (*fn)(struct mount *m, void *arg), void *arg);
/* mount_fs_types - call fn for each registered kind, in order. */
void mount_for_each_type(void (*fn)(const struct fs_type *t, void *arg), void *arg);
/* mount_flag_string - "rw,nosuid,relatime" for flags, into buf. */
void mount_flag_string(unsigned long flags, char *buf, size_t size);
/* mount_id_of - the id of inode's mount (mountinfo's first field), or 0. */
int mount_id_of(const struct inode *inode);
/* mount_readonly - is the instance inode belongs to mounted read-only? */
bool mount_readonly(const struct inode *inode);
/* mount_statfs - statfs of the instance inode belongs to (a default
 * memory answer for inodes of no mount, e.g. pipes). 0 or -errno. */
int mount_statfs(struct inode *inode, struct statfs *st);
/* mount_sync_all - sync(2): every mount's sync. mount_sync_inode -
 * syncfs(2): the mount inode belongs to. 0 or -EIO. May sleep. */
int mount_sync_all(void);
int mount_sync_inode(struct inode *inode);
#endif
