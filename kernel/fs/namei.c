/*
 * namei.c - path resolution.
 *
 * A walk holds a reference on the directory it stands in and on the root
 * it may not climb above, and reads the path left to right one component
 * at a time: "." stays, ".." climbs (stepping off a mounted root to the
 * directory it covers first), anything else is ->lookup'd and mount
 * points are crossed. A symlink met in the middle of the path, or at its
 * end when following, is replaced in place: the remaining path becomes
 * the link's target followed by what was left, and the walk goes on
 * from the root (absolute target) or the link's directory. After
 * SYMLOOP_MAX replacements the walk fails with -ELOOP.
 *
 * No locks are held between components; each ->lookup locks what it needs.
 */
#include "lib/kernel.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "fs/context.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"
#include <linux/openat2.h>

struct walk {
	struct inode *root;   /* referenced: ".." stops here */
	struct inode *cur;    /* referenced: the directory we stand in */
	char *path;           /* kmalloc'd PATH_MAX bytes: the path being read */
	const char *p;        /* the next unread character of path */
	int links;            /* symlinks followed so far */
	const struct lookup_how *how;   /* openat2's limits, or NULL */
};

/* Start a walk of path from start (or root, for an absolute path). */
static int walk_begin(struct walk *w, struct inode *root, struct inode *start, const char *path)
{
	size_t len = strnlen(path, PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	w->path = kmalloc(PATH_MAX);
	if (!w->path)
		return -ENOMEM;
	memcpy(w->path, path, len + 1);
	w->p = w->path;
	w->root = inode_get(root);
	w->cur = inode_get(path[0] == '/' ? root : start);
	w->links = 0;
	w->how = NULL;
	return 0;
}

/* Does the walk have openat2 limit bit? */
static bool walk_limited(const struct walk *w, uint64_t bit)
{
	return w->how && (w->how->resolve & bit);
}

/* Has the walk, now at inode, left the anchor's file system? */
static int walk_check_xdev(const struct walk *w, const struct inode *inode)
{
	return walk_limited(w, RESOLVE_NO_XDEV) && inode->dev != w->how->anchor->dev ? -EXDEV : 0;
}

bool vfs_magic_target(struct inode *link, struct inode **target)
{
	*target = NULL;
	return link->iops->magic_link && link->iops->magic_link(link, target);
}

/* vfs_link_allowed - see vfs.h (Linux's pick_link and nd_jump_link). */
int vfs_link_allowed(const struct lookup_how *how, bool magic, const char *target)
{
	if (!how)
		return 0;
	if (how->resolve & RESOLVE_NO_SYMLINKS)
		return -ELOOP;
	if (magic) {
		if (how->resolve & RESOLVE_NO_MAGICLINKS)
			return -ELOOP;
		if (how->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))
			return -EXDEV;
	}
	if ((how->resolve & RESOLVE_BENEATH) && target && target[0] == '/')
		return -EXDEV;
	return 0;
}

static void walk_end(struct walk *w)
{
	inode_put(w->cur);
	inode_put(w->root);
	kfree(w->path);
}

/* The parent of dir, clamped at the walk's root and stepping off mounted
 * roots to the directory they cover. */
static int lookup_dotdot(struct walk *w, struct inode *dir, struct inode **out)
{
	if (walk_limited(w, RESOLVE_BENEATH) && dir == w->how->anchor)
		return -EXDEV;   /* ".." would leave the anchor */
	inode_get(dir);
	for (;;) {
		if (dir == w->root) {
			*out = dir;
			return 0;
		}
		struct inode *covered = vfs_mount_covered(dir);
		if (!covered)
			break;
		inode_put(dir);
		dir = covered;
	}
	int err = dir->iops->lookup(dir, "..", 2, out);
	inode_put(dir);
	if (!err && (err = walk_check_xdev(w, *out)))
		inode_put(*out);
	return err;
}

/* vfs_lookup_child - the entry name (not "." or "..") of dir, after
 * checking search permission on dir and crossing mounts. 0, -ENOENT,
 * -ENOTDIR, -EACCES. */
int vfs_lookup_child(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	int err = inode_permission(dir, MAY_EXEC);
	if (err)
		return err;
	if (!dir->iops->lookup)
		return -ENOENT;
	err = dir->iops->lookup(dir, name, len, out);
	if (!err)
		*out = vfs_cross_mounts(*out);
	return err;
}

/* vfs_readlink_kernel - a symlink's target as a kmalloc'd string. */
int vfs_readlink_kernel(struct inode *link, char **out)
{
	if (!S_ISLNK(link->mode) || !link->iops->readlink)
		return -EINVAL;
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	long n = link->iops->readlink(link, buf, PATH_MAX - 1);
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Replace the walk's remaining path by link's target + rest (rest starts
 * right after the link's name, slashes included) and move to the root
 * for an absolute target. */
static int walk_follow(struct walk *w, struct inode *link, bool magic, const char *rest)
{
	if (++w->links > SYMLOOP_MAX)
		return -ELOOP;
	char *target;
	int err = vfs_readlink_kernel(link, &target);
	if (err)
		return err;
	if ((err = vfs_link_allowed(w->how, magic, target))) {
		kfree(target);
		return err;
	}
	size_t tlen = strlen(target), rlen = strlen(rest);
	if (tlen == 0)
		err = -ENOENT;
	else if (tlen + rlen >= PATH_MAX)
		err = -ENAMETOOLONG;
	if (!err) {
		memmove(w->path + tlen, rest, rlen + 1);
		memcpy(w->path, target, tlen);
		w->p = w->path;
		if (target[0] == '/') {
			inode_put(w->cur);
			w->cur = inode_get(w->root);
		}
	}
	kfree(target);
	return err;
}

/* path_component - the length of the component at p (up to '/' or the
 * end); *next gets the start of the following one, past the slashes. */
size_t path_component(const char *p, const char **next)
{
	const char *end = p;
	while (*end && *end != '/')
		end++;
	*next = end;
	while (**next == '/')
		(*next)++;
	return (size_t)(end - p);
}

/* Fill last with the final component [name, name+len). */
static void set_last(struct vfs_last *last, const char *name, size_t len, bool trailing)
{
	memcpy(last->name, name, len);
	last->name[len] = '\0';
	last->len = len;
	last->trailing_slash = trailing;
	if (len == 1 && name[0] == '.')
		last->type = LAST_DOT;
	else if (len == 2 && name[0] == '.' && name[1] == '.')
		last->type = LAST_DOTDOT;
	else
		last->type = LAST_NORM;
}

/* Resolve one component name of length len in w->cur into *out. */
static int walk_step(struct walk *w, const char *name, size_t len, struct inode **out)
{
	if (len == 1 && name[0] == '.') {
		*out = inode_get(w->cur);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return lookup_dotdot(w, w->cur, out);
	return w->cur->iops->lookup ? w->cur->iops->lookup(w->cur, name, len, out) : -ENOENT;
}

/*
 * The walk itself. With last set, stop before the final component and
 * describe it there (w->cur is then its parent); otherwise resolve it
 * into *out per flags.
 */
static int walk_path(struct walk *w, int flags, struct vfs_last *last, struct inode **out)
{
	for (;;) {
		while (*w->p == '/')
			w->p++;
		if (*w->p == '\0') {             /* "/" alone, or a link to it */
			if (last) {
				last->type = LAST_ROOT;
				last->len = 0;
				last->name[0] = '\0';
				last->trailing_slash = true;
				return 0;
			}
			*out = inode_get(w->cur);
			return 0;
		}
		const char *name = w->p, *next;
		size_t len = path_component(name, &next);
		const char *end = name + len;
		bool is_last = *next == '\0';
		bool trailing = is_last && next != end;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(w->cur->mode))
			return -ENOTDIR;
		int err = inode_permission(w->cur, MAY_EXEC);
		if (err)
			return err;
		if (is_last && last) {
			set_last(last, name, len, trailing);
			return 0;
		}
		struct inode *child;
		err = walk_step(w, name, len, &child);
		if (err)
			return err;
		child = vfs_cross_mounts(child);
		if ((err = walk_check_xdev(w, child))) {
			inode_put(child);
			return err;
		}
		if (S_ISLNK(child->mode) && (!is_last || trailing || (flags & LOOKUP_FOLLOW))) {
			struct inode *target;
			bool magic = vfs_magic_target(child, &target);
			if (!target) {
				err = walk_follow(w, child, magic, end);
				inode_put(child);
				if (err)
					return err;
				continue;
			}
			inode_put(child);           /* a magic link: on at its object */
			child = target;
			err = ++w->links > SYMLOOP_MAX ? -ELOOP : vfs_link_allowed(w->how, true, NULL);
			if (err) {
				inode_put(child);
				return err;
			}
		}
		if (is_last) {
			if ((trailing || (flags & LOOKUP_DIRECTORY)) && !S_ISDIR(child->mode)) {
				inode_put(child);
				return -ENOTDIR;
			}
			*out = child;
			return 0;
		}
		inode_put(w->cur);
		w->cur = child;
		w->p = next;
	}
}

/* Resolve from root/start (both referenced by the caller). */
/* Start a walk within how's limits: IN_ROOT makes the anchor the root;
 * BENEATH refuses an absolute path, NO_XDEV one outside the anchor's
 * file system. */
static int walk_begin_how(struct walk *w, struct inode *root, struct inode *start,
			  const char *path, const struct lookup_how *how)
{
	if (how && (how->resolve & RESOLVE_IN_ROOT))
		root = how->anchor;
	if (how && (how->resolve & RESOLVE_BENEATH) && path[0] == '/')
		return -EXDEV;
	int err = walk_begin(w, root, start, path);
	if (err)
		return err;
	w->how = how;
	if ((err = walk_check_xdev(w, w->cur)))
		walk_end(w);
	return err;
}

static int lookup_from(struct inode *root, struct inode *start, const char *path, int flags,
		       const struct lookup_how *how, struct inode **out)
{
	struct walk w;
	int err = walk_begin_how(&w, root, start, path, how);
	if (err)
		return err;
	err = walk_path(&w, flags, NULL, out);
	walk_end(&w);
	return err;
}

static int lookup_parent_from(struct inode *root, struct inode *start, const char *path,
			      const struct lookup_how *how, struct inode **parent,
			      struct vfs_last *last)
{
	struct walk w;
	int err = walk_begin_how(&w, root, start, path, how);
	if (err)
		return err;
	err = walk_path(&w, 0, last, NULL);
	if (!err)
		*parent = inode_get(w.cur);
	walk_end(&w);
	return err;
}

/* The caller's root and the start directory: dir, or the cwd. A kernel
 * thread without an fs context (boot) uses the name space's root. */
static void caller_root_start(struct inode *dir, struct inode **root, struct inode **start)
{
	struct fs_context *fs = current_fs();
	*root = fs ? fs_get_root(fs) : vfs_root();
	if (dir)
		*start = inode_get(dir);
	else
		*start = fs ? fs_get_cwd(fs) : inode_get(*root);
}

/* vfs_lookup_how - resolve path from dir (NULL: cwd). See vfs.h. */
int vfs_lookup_how(struct inode *dir, const char *path, int flags, const struct lookup_how *how,
		   struct inode **out)
{
	struct inode *root, *start;
	caller_root_start(dir, &root, &start);
	int err = lookup_from(root, start, path, flags, how, out);
	inode_put(start);
	inode_put(root);
	return err;
}

int vfs_lookup_at(struct inode *dir, const char *path, int flags, struct inode **out)
{
	return vfs_lookup_how(dir, path, flags, NULL, out);
}

/* vfs_lookup_parent_how - all but the last component. See vfs.h. */
int vfs_lookup_parent_how(struct inode *dir, const char *path, const struct lookup_how *how,
			  struct inode **parent, struct vfs_last *last)
{
	struct inode *root, *start;
	caller_root_start(dir, &root, &start);
	int err = lookup_parent_from(root, start, path, how, parent, last);
	inode_put(start);
	inode_put(root);
	return err;
}

int vfs_lookup_parent(struct inode *dir, const char *path, struct inode **parent,
		      struct vfs_last *last)
{
	return vfs_lookup_parent_how(dir, path, NULL, parent, last);
}

/* vfs_lookup_root - resolve path from the name space's root (kernel use). */
int vfs_lookup_root(const char *path, int flags, struct inode **out)
{
	struct inode *root = vfs_root();
	if (!root)
		return -ENOENT;
	int err = lookup_from(root, root, path, flags, NULL, out);
	inode_put(root);
	return err;
}

/* vfs_lookup_parent_root - vfs_lookup_parent from the name space's root. */
int vfs_lookup_parent_root(const char *path, struct inode **parent, struct vfs_last *last)
{
	struct inode *root = vfs_root();
	if (!root)
		return -ENOENT;
	int err = lookup_parent_from(root, root, path, NULL, parent, last);
	inode_put(root);
	return err;
}

/* ---- getcwd ---- */

struct name_search {
	uint64_t ino;
	size_t len;
	char name[NAME_MAX + 1];
};

static bool match_ino(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		      uint64_t next_pos)
{
	struct name_search *s = ctx;
	bool dots = (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
	if (dots || ino != s->ino || len > NAME_MAX)
		return true;
	memcpy(s->name, name, len);
	s->len = len;
	return false;
}

/* The name of child in parent, into s (s->len 0: not found). */
static int name_in_parent(struct inode *parent, struct inode *child, struct name_search *s)
{
	s->ino = child->ino;
	s->len = 0;
	uint64_t pos = 0;
	if (!parent->iops->iterate)
		return -ENOENT;
	int err = parent->iops->iterate(parent, &pos, match_ino, s);
	return err ? err : (s->len ? 0 : -ENOENT);
}

#define GETCWD_TOP 1                  /* getcwd_step: the walk passed over the caller's root */
#define UNREACHABLE "(unreachable)"

/* Step from dir to its parent, prepending "/name" at *pos in buf.
 * Consumes the reference on dir; *up gets the parent. 0, GETCWD_TOP
 * at the top of the name space, or -errno. */
static int getcwd_step(struct inode *dir, char *buf, size_t *pos, struct inode **up,
		       struct name_search *s)
{
	struct inode *covered;
	while ((covered = vfs_mount_covered(dir))) {
		inode_put(dir);
		dir = covered;
	}
	struct inode *parent = NULL;
	int err = dir->iops->lookup(dir, "..", 2, &parent);
	if (!err && parent == dir)
		err = GETCWD_TOP;     /* a root above ours (after chroot) */
	if (!err)
		err = name_in_parent(parent, dir, s);
	if (!err && s->len + 1 > *pos)
		err = -ENAMETOOLONG;
	if (!err) {
		*pos -= s->len;
		memcpy(buf + *pos, s->name, s->len);
		buf[--*pos] = '/';
		*up = parent;
	} else {
		inode_put(parent);
	}
	inode_put(dir);
	return err;
}

/* vfs_getcwd - the path of dir below root. See vfs.h. */
long vfs_getcwd(struct inode *root, struct inode *dir, char *buf, size_t size)
{
	if (dir->nlink == 0)
		return -ENOENT;
	char *tmp = kmalloc(PATH_MAX);
	struct name_search *s = kmalloc(sizeof(*s));
	long ret = -ENOMEM;
	if (!tmp || !s)
		goto out;
	size_t pos = PATH_MAX - 1;
	tmp[pos] = '\0';
	struct inode *cur = inode_get(dir);
	ret = 0;
	while (cur != root && !ret) {
		struct inode *up = NULL;
		ret = getcwd_step(cur, tmp, &pos, &up, s);
		cur = up;
	}
	inode_put(cur);
	if (ret < 0)
		goto out;
	if (pos == PATH_MAX - 1)
		tmp[--pos] = '/';
	if (ret == GETCWD_TOP && pos < sizeof(UNREACHABLE)) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	if (ret == GETCWD_TOP) {      /* a cwd outside the root: Linux's prefix */
		pos -= sizeof(UNREACHABLE) - 1;
		memcpy(tmp + pos, UNREACHABLE, sizeof(UNREACHABLE) - 1);
	}
	ret = (long)(PATH_MAX - pos);
	if ((size_t)ret > size)
		ret = -ERANGE;
	else
		memcpy(buf, tmp + pos, (size_t)ret);
out:
	kfree(s);
	kfree(tmp);
	return ret;
}
