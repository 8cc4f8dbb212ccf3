// UNIT-SRCS: kernel/fs/vfs.c kernel/fs/namei.c kernel/fs/ramfs.c kernel/fs/ramfs_pages.c kernel/fs/ramfs_tree.c kernel/fs/xattr_mem.c kernel/fs/file.c kernel/fs/fdtable.c kernel/mm/frame.c kernel/mm/kmalloc.c tests/unit/fs_harness.c kernel/sys/sysctl.c
/*
 * test_vfs.c - path resolution, ramfs files and directories, rename's
 * rules, mounts and memory accounting, through the VFS's kernel API.
 */
#include <string.h>
#include "unit.h"
#include "fs_harness.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "lib/errno.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"

/* ---- helpers: kernel-side equivalents of the syscalls ---- */

static int t_parent(const char *path, struct inode **dir, struct vfs_last *last)
{
	return vfs_lookup_parent(NULL, path, dir, last);
}

/* Make a node: 'd' directory, 'f' file, 'l' symlink to arg. */
static int t_make(char kind, const char *path, const char *arg)
{
	struct inode *dir, *node = NULL;
	struct vfs_last last;
	int err = t_parent(path, &dir, &last);
	if (err)
		return err;
	if (kind == 'd')
		err = dir->iops->mkdir(dir, last.name, last.len, 0755, 0, 0, &node);
	else if (kind == 'f')
		err = dir->iops->create(dir, last.name, last.len, 0644, 0, 0, &node);
	else
		err = dir->iops->symlink(dir, last.name, last.len, arg, 0, 0, &node);
	if (!err && kind == 'f' && arg)
		inode_write_kernel(node, 0, arg, strlen(arg));
	inode_put(node);
	inode_put(dir);
	return err;
}

static int t_unlink(const char *path, bool dir_too)
{
	struct inode *dir;
	struct vfs_last last;
	int err = t_parent(path, &dir, &last);
	if (err)
		return err;
	err = dir_too ? dir->iops->rmdir(dir, last.name, last.len)
		      : dir->iops->unlink(dir, last.name, last.len);
	inode_put(dir);
	return err;
}

static int t_rename(const char *from, const char *to, unsigned flags)
{
	struct inode *od, *nd;
	struct vfs_last ol, nl;
	int err = t_parent(from, &od, &ol);
	if (err)
		return err;
	err = t_parent(to, &nd, &nl);
	if (!err) {
		err = od->iops->rename(od, ol.name, ol.len, nd, nl.name, nl.len, flags);
		inode_put(nd);
	}
	inode_put(od);
	return err;
}

/* The inode number at path (following), or -errno. */
static long t_ino(const char *path)
{
	struct inode *i;
	int err = vfs_lookup_at(NULL, path, LOOKUP_FOLLOW, &i);
	if (err)
		return err;
	long ino = (long)i->ino;
	inode_put(i);
	return ino;
}

static int t_open(const char *path, uint32_t flags, struct file **f)
{
	struct inode *i;
	int err = vfs_lookup_at(NULL, path, LOOKUP_FOLLOW, &i);
	if (err)
		return err;
	err = file_open_inode(i, flags, f);
	inode_put(i);
	return err;
}

/* Read the file at path from off into buf; bytes read or -errno. */
static long t_read(const char *path, uint64_t off, char *buf, size_t n)
{
	struct file *f;
	int err = t_open(path, O_RDONLY, &f);
	if (err)
		return err;
	long r = f->fops->read(f, buf, n, &off);
	file_put(f);
	return r;
}

static long t_write(const char *path, uint64_t off, const char *buf, size_t n)
{
	struct file *f;
	int err = t_open(path, O_WRONLY, &f);
	if (err)
		return err;
	long r = f->fops->write(f, buf, n, &off);
	file_put(f);
	return r;
}

/* ---- path resolution ---- */

UNIT_TEST(lookup_handles_dot_dotdot_and_repeated_slashes)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/a", NULL), 0);
	CHECK_EQ(t_make('d', "/a/b", NULL), 0);
	long b = t_ino("/a/b");
	CHECK(b > 0);
	CHECK_EQ(t_ino("//a///b"), b);
	CHECK_EQ(t_ino("/a/./b/."), b);
	CHECK_EQ(t_ino("/a/b/../b"), b);
	CHECK_EQ(t_ino("a/b"), b);
	CHECK_EQ(t_ino("/.."), (long)fx.root->ino);
	CHECK_EQ(t_ino("/../../a/.."), (long)fx.root->ino);
	CHECK_EQ(t_ino("/"), (long)fx.root->ino);
	CHECK_EQ(t_ino(""), -ENOENT);
	CHECK_EQ(t_ino("/nope"), -ENOENT);
	CHECK_EQ(t_make('d', "/a/b", NULL), -EEXIST);
	CHECK_EQ(t_unlink("/a/b", true), 0);
	CHECK_EQ(t_unlink("/a", true), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(symlinks_absolute_and_relative_are_followed)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/a", NULL), 0);
	CHECK_EQ(t_make('d', "/a/b", NULL), 0);
	CHECK_EQ(t_make('f', "/a/b/f", "hi"), 0);
	CHECK_EQ(t_make('l', "/abs", "/a/b"), 0);
	CHECK_EQ(t_make('l', "/a/rel", "b/f"), 0);
	CHECK_EQ(t_make('l', "/a/b/up", "../rel"), 0);
	long f = t_ino("/a/b/f");
	CHECK_EQ(t_ino("/abs/f"), f);
	CHECK_EQ(t_ino("/a/rel"), f);
	CHECK_EQ(t_ino("/abs/up"), f);
	CHECK_EQ(t_ino("/abs/../b/f"), f);   /* ".." of the link's target */
	struct inode *l;
	CHECK_EQ(vfs_lookup_at(NULL, "/a/rel", 0, &l), 0);
	CHECK(S_ISLNK(l->mode));
	CHECK_EQ(l->size, 3);
	inode_put(l);
	char *target;
	CHECK_EQ(vfs_lookup_at(NULL, "/abs", 0, &l), 0);
	CHECK_EQ(vfs_readlink_kernel(l, &target), 0);
	CHECK(strcmp(target, "/a/b") == 0);
	kfree(target);
	inode_put(l);
	CHECK_EQ(t_make('l', "/dangling", "/nowhere"), 0);
	CHECK_EQ(t_ino("/dangling"), -ENOENT);
	CHECK_EQ(t_unlink("/dangling", false), 0);
	CHECK_EQ(t_unlink("/a/b/up", false), 0);
	CHECK_EQ(t_unlink("/a/rel", false), 0);
	CHECK_EQ(t_unlink("/abs", false), 0);
	CHECK_EQ(t_unlink("/a/b/f", false), 0);
	CHECK_EQ(t_unlink("/a/b", true), 0);
	CHECK_EQ(t_unlink("/a", true), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(symlink_loops_give_eloop)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('l', "/x", "/y"), 0);
	CHECK_EQ(t_make('l', "/y", "x"), 0);
	CHECK_EQ(t_make('l', "/self", "self/a"), 0);
	CHECK_EQ(t_ino("/x"), -ELOOP);
	CHECK_EQ(t_ino("/self"), -ELOOP);
	CHECK_EQ(t_ino("/x/z"), -ELOOP);
	t_unlink("/x", false);
	t_unlink("/y", false);
	t_unlink("/self", false);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(trailing_slash_and_file_in_middle_give_enotdir)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/d", NULL), 0);
	CHECK_EQ(t_make('f', "/f", "x"), 0);
	CHECK_EQ(t_make('l', "/ld", "d"), 0);
	CHECK(t_ino("/d/") > 0);
	CHECK(t_ino("/ld/") > 0);
	CHECK_EQ(t_ino("/f/"), -ENOTDIR);
	CHECK_EQ(t_ino("/f/x"), -ENOTDIR);
	CHECK_EQ(t_ino("/f/."), -ENOTDIR);
	struct inode *i;
	CHECK_EQ(vfs_lookup_at(NULL, "/f", LOOKUP_DIRECTORY, &i), -ENOTDIR);
	struct vfs_last last;
	CHECK_EQ(t_parent("/d/new/", &i, &last), 0);
	CHECK(last.trailing_slash);
	CHECK(strcmp(last.name, "new") == 0);
	inode_put(i);
	CHECK_EQ(t_parent("/", &i, &last), 0);
	CHECK_EQ(last.type, LAST_ROOT);
	inode_put(i);
	CHECK_EQ(t_parent("/d/..", &i, &last), 0);
	CHECK_EQ(last.type, LAST_DOTDOT);
	inode_put(i);
	t_unlink("/ld", false);
	t_unlink("/f", false);
	t_unlink("/d", true);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(long_names_give_enametoolong)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	static char name[NAME_MAX + 3], path[PATH_MAX + 2];
	memset(name, 'n', NAME_MAX + 2);
	name[0] = '/';
	name[NAME_MAX + 2] = '\0';      /* "/" + 256 characters */
	CHECK_EQ(t_ino(name), -ENAMETOOLONG);
	name[NAME_MAX + 1] = '\0';      /* "/" + 255: fine, just absent */
	CHECK_EQ(t_ino(name), -ENOENT);
	for (size_t i = 0; i < PATH_MAX; i += 2)
		memcpy(path + i, "/.", 2);
	path[PATH_MAX] = '\0';
	CHECK_EQ(t_ino(path), -ENAMETOOLONG);
	path[PATH_MAX - 2] = '\0';
	CHECK_EQ(t_ino(path), (long)fx.root->ino);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(search_permission_is_checked_for_non_root)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/priv", NULL), 0);
	CHECK_EQ(t_make('f', "/priv/f", "s"), 0);
	CHECK_EQ(t_make('f', "/secret", "s"), 0);
	struct inode *i;
	CHECK_EQ(vfs_lookup_at(NULL, "/priv", 0, &i), 0);
	i->mode = S_IFDIR | 0700;
	inode_put(i);
	CHECK_EQ(vfs_lookup_at(NULL, "/secret", 0, &i), 0);
	i->mode = S_IFREG | 0600;
	test_uid = 1000;
	CHECK_EQ(t_ino("/priv/f"), -EACCES);
	CHECK_EQ(inode_permission(i, MAY_READ), -EACCES);
	test_uid = 0;
	CHECK_EQ(inode_permission(i, MAY_READ | MAY_WRITE), 0);
	CHECK_EQ(inode_permission(i, MAY_EXEC), -EACCES);  /* root needs an x bit */
	inode_put(i);
	t_unlink("/priv/f", false);
	t_unlink("/priv", true);
	t_unlink("/secret", false);
	CHECK(fs_fixture_end(&fx));
}

/* ---- files ---- */

UNIT_TEST(write_then_read_across_pages)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/f", NULL), 0);
	static char out[3 * PAGE_SIZE + 100], in[sizeof(out)];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13 + 1);
	CHECK_EQ(t_write("/f", 10, out, sizeof(out)), (long)sizeof(out));
	CHECK_EQ(t_read("/f", 10, in, sizeof(in)), (long)sizeof(in));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	CHECK_EQ(t_read("/f", 0, in, 10), 10);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(in[i], 0);
	CHECK_EQ(t_read("/f", sizeof(out) + 10, in, 10), 0);   /* at the end */
	CHECK_EQ(t_read("/f", sizeof(out) + 5, in, 10), 5);
	CHECK_EQ(t_read("/", 0, in, 10), -EISDIR);
	CHECK_EQ(t_unlink("/f", false), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(sparse_file_holes_read_as_zeros_without_frames)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/s", NULL), 0);
	uint64_t before = frames_in_use();
	uint64_t far = 1ULL << 32;        /* 4 GiB in: two tables and one page */
	CHECK_EQ(t_write("/s", far, "end", 3), 3);
	CHECK(frames_in_use() - before <= 4);
	static char buf[PAGE_SIZE];
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(t_read("/s", 12345, buf, sizeof(buf)), (long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(t_read("/s", far, buf, 10), 3);
	CHECK(memcmp(buf, "end", 3) == 0);
	struct inode *i;
	CHECK_EQ(vfs_lookup_at(NULL, "/s", 0, &i), 0);
	CHECK_EQ(i->size, far + 3);
	CHECK_EQ(i->iops->blocks(i), 8);   /* 512-byte units: one frame */
	inode_put(i);
	CHECK_EQ(t_unlink("/s", false), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(truncate_frees_frames_and_zeroes_the_tail)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/t", NULL), 0);
	static char data[4 * PAGE_SIZE];
	memset(data, 'x', sizeof(data));
	CHECK_EQ(t_write("/t", 0, data, sizeof(data)), (long)sizeof(data));
	struct inode *i;
	CHECK_EQ(vfs_lookup_at(NULL, "/t", 0, &i), 0);
	uint64_t before = frames_in_use();
	CHECK_EQ(file_truncate_inode(i, PAGE_SIZE + 10), 0);
	CHECK_EQ(before - frames_in_use(), 2);
	CHECK_EQ(i->iops->blocks(i), 16);
	CHECK_EQ(file_truncate_inode(i, 3 * PAGE_SIZE), 0);   /* grow: a hole */
	static char back[3 * PAGE_SIZE];
	CHECK_EQ(t_read("/t", 0, back, sizeof(back)), (long)sizeof(back));
	CHECK(memcmp(back, data, PAGE_SIZE + 10) == 0);
	for (size_t k = PAGE_SIZE + 10; k < sizeof(back); k++)
		CHECK_EQ(back[k], 0);
	CHECK_EQ(file_truncate_inode(i, RAMFS_MAX_FILE_SIZE + 1), -EFBIG);
	CHECK_EQ(file_truncate_inode(i, 0), 0);
	CHECK_EQ(i->iops->blocks(i), 0);
	inode_put(i);
	CHECK_EQ(t_unlink("/t", false), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(append_writes_go_to_the_end)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/log", "abc"), 0);
	struct file *f;
	CHECK_EQ(t_open("/log", O_WRONLY | O_APPEND, &f), 0);
	uint64_t pos = 0;
	CHECK_EQ(f->fops->write(f, "de", 2, &pos), 2);
	CHECK_EQ(pos, 5);
	file_put(f);
	char buf[8] = { 0 };
	CHECK_EQ(t_read("/log", 0, buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "abcde") == 0);
	t_unlink("/log", false);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(unlinked_open_file_keeps_data_until_close)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/u", "still here"), 0);
	struct file *f;
	CHECK_EQ(t_open("/u", O_RDONLY, &f), 0);
	uint64_t held = frames_in_use();
	CHECK_EQ(t_unlink("/u", false), 0);
	CHECK_EQ(t_ino("/u"), -ENOENT);
	CHECK_EQ(f->inode->nlink, 0);
	CHECK_EQ(frames_in_use(), held);    /* the page is still there */
	char buf[16] = { 0 };
	uint64_t pos = 0;
	CHECK_EQ(f->fops->read(f, buf, sizeof(buf), &pos), 10);
	CHECK(strcmp(buf, "still here") == 0);
	file_put(f);
	CHECK(frames_in_use() < held);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(hard_links_share_data_and_count_links)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/a", "shared"), 0);
	CHECK_EQ(t_make('d', "/d", NULL), 0);
	struct inode *a, *d;
	CHECK_EQ(vfs_lookup_at(NULL, "/a", 0, &a), 0);
	CHECK_EQ(vfs_lookup_at(NULL, "/d", 0, &d), 0);
	CHECK_EQ(d->iops->link(d, "b", 1, a), 0);
	CHECK_EQ(d->iops->link(d, "b", 1, a), -EEXIST);
	CHECK_EQ(fx.root->iops->link(fx.root, "dd", 2, d), -EPERM);
	CHECK_EQ(a->nlink, 2);
	CHECK_EQ(t_ino("/d/b"), (long)a->ino);
	CHECK_EQ(t_unlink("/a", false), 0);
	CHECK_EQ(a->nlink, 1);
	char buf[8] = { 0 };
	CHECK_EQ(t_read("/d/b", 0, buf, 6), 6);
	CHECK(strcmp(buf, "shared") == 0);
	CHECK_EQ(t_unlink("/d/b", false), 0);
	CHECK_EQ(d->iops->link(d, "c", 1, a), -ENOENT);  /* no way back from 0 links */
	inode_put(a);
	inode_put(d);
	CHECK_EQ(t_unlink("/d", true), 0);
	CHECK(fs_fixture_end(&fx));
}

/* ---- directories ---- */

UNIT_TEST(rmdir_refuses_nonempty_and_files)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/d", NULL), 0);
	CHECK_EQ(t_make('f', "/d/f", NULL), 0);
	CHECK_EQ(fx.root->nlink, 3);
	CHECK_EQ(t_unlink("/d", true), -ENOTEMPTY);
	CHECK_EQ(t_unlink("/d", false), -EISDIR);
	CHECK_EQ(t_unlink("/d/f", true), -ENOTDIR);
	CHECK_EQ(t_unlink("/d/f", false), 0);
	CHECK_EQ(t_unlink("/d/f", false), -ENOENT);
	CHECK_EQ(t_unlink("/d", true), 0);
	CHECK_EQ(fx.root->nlink, 2);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(removed_cwd_takes_no_new_entries)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/gone", NULL), 0);
	struct inode *g;
	CHECK_EQ(vfs_lookup_at(NULL, "/gone", 0, &g), 0);
	CHECK_EQ(t_unlink("/gone", true), 0);
	struct inode *n;
	CHECK_EQ(g->iops->create(g, "x", 1, 0644, 0, 0, &n), -ENOENT);
	CHECK_EQ(vfs_lookup_at(g, "..", 0, &n), 0);
	CHECK(n == fx.root);
	inode_put(n);
	inode_put(g);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(rename_moves_and_replaces_files)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/a", "A"), 0);
	CHECK_EQ(t_make('f', "/b", "B"), 0);
	CHECK_EQ(t_make('d', "/d", NULL), 0);
	long a = t_ino("/a");
	CHECK_EQ(t_rename("/a", "/b", RENAME_NOREPLACE), -EEXIST);
	CHECK_EQ(t_rename("/a", "/b", 0), 0);
	CHECK_EQ(t_ino("/a"), -ENOENT);
	CHECK_EQ(t_ino("/b"), a);
	CHECK_EQ(t_rename("/b", "/d/c", 0), 0);
	CHECK_EQ(t_ino("/d/c"), a);
	CHECK_EQ(t_rename("/d/c", "/d/c", 0), 0);
	CHECK_EQ(t_rename("/nope", "/x", 0), -ENOENT);
	CHECK_EQ(t_unlink("/d/c", false), 0);
	CHECK_EQ(t_unlink("/d", true), 0);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(rename_follows_linux_rules_for_directories)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/a", NULL), 0);
	CHECK_EQ(t_make('d', "/a/sub", NULL), 0);
	CHECK_EQ(t_make('d', "/empty", NULL), 0);
	CHECK_EQ(t_make('d', "/full", NULL), 0);
	CHECK_EQ(t_make('f', "/full/x", NULL), 0);
	CHECK_EQ(t_make('f', "/f", NULL), 0);
	CHECK_EQ(t_rename("/a", "/a/sub/a2", 0), -EINVAL);
	CHECK_EQ(t_rename("/a", "/a/new", 0), -EINVAL);
	CHECK_EQ(t_rename("/a", "/f", 0), -ENOTDIR);
	CHECK_EQ(t_rename("/f", "/empty", 0), -EISDIR);
	CHECK_EQ(t_rename("/a", "/full", 0), -ENOTEMPTY);
	CHECK_EQ(t_rename("/a/sub", "/a", 0), -ENOTEMPTY);
	long sub = t_ino("/a/sub");
	CHECK_EQ(t_rename("/a/sub", "/empty", 0), 0);     /* replaces the empty dir */
	CHECK_EQ(t_ino("/empty"), sub);
	CHECK_EQ(t_ino("/empty/.."), (long)fx.root->ino);
	CHECK_EQ(t_rename("/empty", "/full/moved", 0), 0);
	CHECK_EQ(t_ino("/full/moved/../x"), t_ino("/full/x"));
	struct inode *a, *full;
	CHECK_EQ(vfs_lookup_at(NULL, "/a", 0, &a), 0);
	CHECK_EQ(vfs_lookup_at(NULL, "/full", 0, &full), 0);
	CHECK_EQ(a->nlink, 2);
	CHECK_EQ(full->nlink, 3);
	CHECK_EQ(fx.root->nlink, 4);       /* a, full and the root's own */
	inode_put(a);
	inode_put(full);
	t_unlink("/full/moved", true);
	t_unlink("/full/x", false);
	t_unlink("/full", true);
	t_unlink("/a", true);
	t_unlink("/f", false);
	CHECK(fs_fixture_end(&fx));
}

struct names { char all[256]; };

static bool collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		    uint64_t next)
{
	struct names *n = ctx;
	strncat(n->all, name, len);
	strcat(n->all, dtype == IFTODT(S_IFDIR) ? "/ " : " ");
	return true;
}

UNIT_TEST(iterate_lists_entries_in_creation_order)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('f', "/one", NULL), 0);
	CHECK_EQ(t_make('d', "/two", NULL), 0);
	CHECK_EQ(t_make('f', "/three", NULL), 0);
	CHECK_EQ(t_unlink("/one", false), 0);
	struct names n = { "" };
	uint64_t pos = 0;
	CHECK_EQ(fx.root->iops->iterate(fx.root, &pos, collect, &n), 0);
	CHECK(strcmp(n.all, "./ ../ two/ three ") == 0);
	t_unlink("/two", true);
	t_unlink("/three", false);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(getcwd_builds_the_path_and_fails_for_removed_dirs)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/usr", NULL), 0);
	CHECK_EQ(t_make('d', "/usr/lib", NULL), 0);
	struct inode *lib;
	CHECK_EQ(vfs_lookup_at(NULL, "/usr/lib", 0, &lib), 0);
	char buf[64];
	CHECK_EQ(vfs_getcwd(fx.root, lib, buf, sizeof(buf)), 9);
	CHECK(strcmp(buf, "/usr/lib") == 0);
	CHECK_EQ(vfs_getcwd(fx.root, lib, buf, 5), -ERANGE);
	CHECK_EQ(vfs_getcwd(fx.root, fx.root, buf, sizeof(buf)), 2);
	CHECK(strcmp(buf, "/") == 0);
	CHECK_EQ(t_unlink("/usr/lib", true), 0);
	CHECK_EQ(vfs_getcwd(fx.root, lib, buf, sizeof(buf)), -ENOENT);
	inode_put(lib);
	t_unlink("/usr", true);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(mounts_are_crossed_both_ways)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(t_make('d', "/tmp", NULL), 0);
	CHECK_EQ(t_make('f', "/tmp/under", NULL), 0);
	struct inode *tmpfs = ramfs_create();
	CHECK(tmpfs);
	CHECK_EQ(vfs_mount("/tmp", tmpfs), 0);
	CHECK_EQ(vfs_mount("/tmp", tmpfs), -EBUSY);
	CHECK_EQ(t_ino("/tmp"), (long)tmpfs->ino);
	CHECK_EQ(t_ino("/tmp/under"), -ENOENT);
	CHECK_EQ(t_make('f', "/tmp/over", "x"), 0);
	struct inode *over;
	CHECK_EQ(vfs_lookup_at(NULL, "/tmp/over", 0, &over), 0);
	CHECK(over->dev != fx.root->dev);
	inode_put(over);
	CHECK_EQ(t_ino("/tmp/.."), (long)fx.root->ino);
	CHECK_EQ(t_ino("/tmp/../tmp/over"), t_ino("/tmp/over"));
	char buf[32];
	CHECK_EQ(vfs_getcwd(fx.root, tmpfs, buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "/tmp") == 0);
	/* undo the mount by hand: there is no umount */
	struct inode *covered = vfs_mount_covered(tmpfs);
	CHECK_EQ(t_unlink("/tmp/over", false), 0);
	covered->mounted = NULL;
	tmpfs->covered = NULL;
	inode_put(covered);
	inode_put(covered);
	inode_put(tmpfs);
	inode_put(tmpfs);
	t_unlink("/tmp/under", false);
	t_unlink("/tmp", true);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(deleting_everything_returns_every_frame)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	static char page[PAGE_SIZE * 2 + 7];
	memset(page, 'p', sizeof(page));
	char path[32];
	CHECK_EQ(t_make('d', "/many", NULL), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/many/file%d", i);
		CHECK_EQ(t_make('f', path, NULL), 0);
		CHECK_EQ(t_write(path, (uint64_t)i * PAGE_SIZE, page, sizeof(page)), (long)sizeof(page));
		snprintf(path, sizeof(path), "/many/link%d", i);
		CHECK_EQ(t_make('l', path, "file0"), 0);
	}
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/many/file%d", i);
		CHECK_EQ(t_unlink(path, false), 0);
		snprintf(path, sizeof(path), "/many/link%d", i);
		CHECK_EQ(t_unlink(path, false), 0);
	}
	CHECK_EQ(t_unlink("/many", true), 0);
	CHECK(fs_fixture_end(&fx));
}
