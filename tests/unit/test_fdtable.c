// UNIT-SRCS: kernel/fs/fdtable.c kernel/fs/vfs.c kernel/fs/namei.c kernel/fs/ramfs.c kernel/fs/ramfs_pages.c kernel/fs/ramfs_tree.c kernel/fs/xattr_mem.c kernel/fs/file.c kernel/mm/frame.c kernel/mm/kmalloc.c tests/unit/fs_harness.c kernel/sys/sysctl.c
/*
 * test_fdtable.c - descriptor tables: lowest free slot, growth to the
 * limit, dup2 replacement, close-on-exec, fork copies and reference
 * counts of the files they hold.
 */
#include "unit.h"
#include "fs_harness.h"
#include "lib/errno.h"

/* A file on the root directory, O_PATH (no driver needed). */
static struct file *new_file(struct fs_fixture *fx)
{
	struct file *f = NULL;
	file_open_inode(fx->root, O_PATH, &f);
	return f;
}

UNIT_TEST(install_takes_the_lowest_free_slot)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	struct fdtable *t = fdtable_alloc();
	for (int i = 0; i < 4; i++)
		CHECK_EQ(fd_install(t, new_file(&fx), 0, false), i);
	CHECK_EQ(fd_close(t, 1), 0);
	CHECK_EQ(fd_close(t, 1), -EBADF);
	CHECK_EQ(fd_install(t, new_file(&fx), 0, false), 1);
	CHECK_EQ(fd_install(t, new_file(&fx), 10, false), 10);
	CHECK_EQ(fd_install(t, new_file(&fx), 2, false), 4);
	CHECK(fd_get(t, 5) == NULL);
	CHECK(fd_get(t, -1) == NULL);
	CHECK(fd_get(t, 100000) == NULL);
	fdtable_put(t);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(table_grows_to_the_limit_then_emfile)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	struct fdtable *t = fdtable_alloc();
	struct file *f = new_file(&fx);
	for (int i = 0; i < TEST_NOFILE; i++)
		CHECK_EQ(fd_install(t, file_get(f), 0, false), i);
	CHECK_EQ(fd_install(t, f, 0, false), -EMFILE);
	CHECK_EQ(f->refcount, TEST_NOFILE + 1);
	CHECK_EQ(fd_install(t, f, TEST_NOFILE, false), -EMFILE);
	file_put(f);
	fdtable_put(t);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(install_at_replaces_and_closes_the_old_file)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	struct fdtable *t = fdtable_alloc();
	struct file *a = new_file(&fx), *b = new_file(&fx);
	CHECK_EQ(fd_install(t, a, 0, false), 0);
	file_get(a);
	CHECK_EQ(fd_install_at(t, 0, b, true), 0);
	CHECK_EQ(a->refcount, 1);          /* the table's reference went */
	CHECK_EQ(fd_install_at(t, 700, file_get(b), false), 700);
	CHECK_EQ(fd_get_cloexec(t, 0), 1);
	CHECK_EQ(fd_get_cloexec(t, 700), 0);
	CHECK_EQ(fd_install_at(t, TEST_NOFILE, b, false), -EBADF);
	struct file *g = fd_get(t, 700);
	CHECK(g == b);
	file_put(g);
	file_put(a);
	fdtable_put(t);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(close_on_exec_closes_only_marked_fds)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	struct fdtable *t = fdtable_alloc();
	CHECK_EQ(fd_install(t, new_file(&fx), 0, true), 0);
	CHECK_EQ(fd_install(t, new_file(&fx), 0, false), 1);
	CHECK_EQ(fd_install(t, new_file(&fx), 200, false), 200);
	CHECK_EQ(fd_set_cloexec(t, 200, true), 0);
	CHECK_EQ(fd_set_cloexec(t, 5, true), -EBADF);
	fdtable_close_on_exec(t);
	CHECK(fd_get(t, 0) == NULL);
	CHECK(fd_get(t, 200) == NULL);
	struct file *f = fd_get(t, 1);
	CHECK(f != NULL);
	file_put(f);
	CHECK_EQ(fd_install(t, new_file(&fx), 0, false), 0);
	CHECK_EQ(fd_get_cloexec(t, 0), 0);   /* a reused slot starts clear */
	fdtable_put(t);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(fork_copy_references_every_file_once_more)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	struct fdtable *t = fdtable_alloc();
	struct file *f = new_file(&fx);
	CHECK_EQ(fd_install(t, f, 0, false), 0);
	CHECK_EQ(fd_install(t, file_get(f), 99, true), 99);
	struct fdtable *c = fdtable_dup(t);
	CHECK(c);
	CHECK_EQ(f->refcount, 4);
	CHECK_EQ(fd_get_cloexec(c, 99), 1);
	CHECK_EQ(fd_close(c, 0), 0);           /* the child's close leaves the parent's */
	struct file *g = fd_get(t, 0);
	CHECK(g == f);
	file_put(g);
	fdtable_put(c);
	CHECK_EQ(f->refcount, 2);
	fdtable_put(t);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(fs_context_copy_and_umask)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	struct fs_context *fs = fs_context_alloc(fx.root, fx.root);
	CHECK_EQ(fs_swap_umask(fs, 0777077), 022);
	CHECK_EQ(fs_get_umask(fs), 077);
	struct fs_context *copy = fs_context_dup(fs);
	CHECK_EQ(fs_get_umask(copy), 077);
	struct inode *cwd = fs_get_cwd(copy);
	CHECK(cwd == fx.root);
	fs_set_cwd(copy, cwd);
	fs_context_put(copy);
	fs_context_put(fs);
	CHECK(fs_fixture_end(&fx));
}
