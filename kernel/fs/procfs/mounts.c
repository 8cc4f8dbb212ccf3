/*
 * mounts.c - the mount table as Linux shows it: /proc/mounts (and
 * /proc/PID/mounts), /proc/PID/mountinfo, /proc/filesystems. Aspen has
 * one mount name space, so every process sees the same table.
 */
#include "fs/procfs/procfs.h"
#include "lib/string.h"
#include "fs/mount.h"
#include "fs/uapi.h"
#include "fs/vfs.h"

#define OPTIONS_MAX 160

/* Per-mount flags, then the file system's own options. */
static void options(struct mount *m, char *buf, size_t size, bool fs_too)
{
	mount_flag_string(m->flags, buf, size);
	size_t n = strlen(buf);
	if (fs_too && m->ops->show_options && n < size)
		m->ops->show_options(m, buf + n, size - n);
}

static void show_mount(struct mount *m, void *arg)
{
	char opts[OPTIONS_MAX];
	options(m, opts, sizeof(opts), true);
	pbuf_printf(arg, "%s %s %s %s 0 0\n", m->source, m->path, m->type ? m->type->name : "rootfs",
		    opts);
}

int proc_show_mounts(const struct procfs_node *n, struct pbuf *b)
{
	mount_for_each(show_mount, b);
	return 0;
}

/* "ID PARENT MAJ:MIN ROOT POINT MOUNT-OPTS - TYPE SOURCE SUPER-OPTS" */
static void show_mountinfo(struct mount *m, void *arg)
{
	char opts[OPTIONS_MAX], super[OPTIONS_MAX];
	options(m, opts, sizeof(opts), false);
	super[0] = '\0';
	strlcpy(super, m->flags & MS_RDONLY ? "ro" : "rw", sizeof(super));
	if (m->ops->show_options)
		m->ops->show_options(m, super + 2, sizeof(super) - 2);
	pbuf_printf(arg, "%d %d %u:%u / %s %s - %s %s %s\n", m->id, m->parent_id, DEV_MAJOR(m->dev),
		    DEV_MINOR(m->dev), m->path, opts, m->type ? m->type->name : "rootfs", m->source,
		    super);
}

int proc_show_mountinfo(const struct procfs_node *n, struct pbuf *b)
{
	mount_for_each(show_mountinfo, b);
	return 0;
}

static void show_type(const struct fs_type *t, void *arg)
{
	pbuf_printf(arg, "%s\t%s\n", t->needs_device ? "" : "nodev", t->name);
}

int sys_show_filesystems(const struct procfs_node *n, struct pbuf *b)
{
	mount_for_each_type(show_type, b);
	return 0;
}
