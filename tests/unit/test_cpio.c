// UNIT-SRCS: kernel/fs/cpio.c kernel/fs/vfs.c kernel/fs/namei.c kernel/fs/ramfs.c kernel/fs/ramfs_pages.c kernel/fs/ramfs_tree.c kernel/fs/xattr_mem.c kernel/fs/file.c kernel/fs/fdtable.c kernel/mm/frame.c kernel/mm/kmalloc.c tests/unit/fs_harness.c kernel/sys/sysctl.c
/*
 * test_cpio.c - unpacking newc archives built here (and by the host's
 * cpio when there is one), and refusing broken ones without leaking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fs_harness.h"
#include "fs/cpio.h"
#include "fs/ramfs.h"
#include "lib/errno.h"
#include "mm/frame.h"

#define ARCHIVE_MAX (64 * 1024)

struct archive {
	char buf[ARCHIVE_MAX];
	size_t len;
};

struct ent {
	const char *name;
	uint32_t mode, uid, gid, nlink, mtime, ino;
	const char *data;
	uint32_t rmaj, rmin;
};

static void pad4(struct archive *a)
{
	while (a->len % 4)
		a->buf[a->len++] = '\0';
}

/* Append one newc entry with the given magic. */
static void add_magic(struct archive *a, const char *magic, const struct ent *e)
{
	size_t dlen = e->data ? strlen(e->data) : 0;
	a->len += (size_t)sprintf(a->buf + a->len,
		"%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
		e->ino, e->mode, e->uid, e->gid, e->nlink ? e->nlink : 1, e->mtime,
		(unsigned)dlen, 0u, 0u, e->rmaj, e->rmin, (unsigned)strlen(e->name) + 1, 0u);
	memcpy(a->buf + a->len, e->name, strlen(e->name) + 1);
	a->len += strlen(e->name) + 1;
	pad4(a);
	memcpy(a->buf + a->len, e->data ? e->data : "", dlen);
	a->len += dlen;
	pad4(a);
}

static void add(struct archive *a, const struct ent *e) { add_magic(a, "070701", e); }

static void add_trailer(struct archive *a)
{
	struct ent t = { .name = "TRAILER!!!" };
	add(a, &t);
}

/* A small tree: a dir, files (one in a dir the archive never names),
 * a symlink, a device and two names of one file. */
static void build_sample(struct archive *a)
{
	a->len = 0;
	struct ent es[] = {
		{ .name = ".", .mode = S_IFDIR | 0755 },
		{ .name = "bin", .mode = S_IFDIR | 0755, .mtime = 1000 },
		{ .name = "bin/busybox", .mode = S_IFREG | 0755, .uid = 1, .gid = 2, .mtime = 1234,
		  .data = "\177ELF pretend" },
		{ .name = "bin/sh", .mode = S_IFLNK | 0777, .data = "busybox" },
		{ .name = "etc/deep/motd", .mode = S_IFREG | 0644, .data = "hello\n" },
		{ .name = "dev/null", .mode = S_IFCHR | 0666, .rmaj = 1, .rmin = 3 },
		{ .name = "h1", .mode = S_IFREG | 0600, .nlink = 2, .ino = 77 },
		{ .name = "h2", .mode = S_IFREG | 0600, .nlink = 2, .ino = 77, .data = "linked" },
	};
	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++)
		add(a, &es[i]);
	add_trailer(a);
}

static struct inode *at(struct inode *root, const char *path, int flags)
{
	struct inode *i = NULL;
	(void)root;
	if (vfs_lookup_at(NULL, path, flags, &i))
		return NULL;
	return i;
}

/* The contents of a regular file as a string (static buffer). */
static const char *contents(struct inode *root, const char *path)
{
	static char buf[256];
	struct inode *i = at(root, path, LOOKUP_FOLLOW);
	if (!i)
		return "(missing)";
	long n = inode_read_kernel(i, 0, buf, sizeof(buf) - 1);
	inode_put(i);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* ---- removing a whole tree, to check that nothing leaked ---- */

struct name_list { int n; char names[64][NAME_MAX + 1]; };

static bool list_names(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
		       uint64_t next)
{
	struct name_list *l = ctx;
	if ((len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return true;
	if (l->n == 64)
		return false;
	memcpy(l->names[l->n], name, len);
	l->names[l->n++][len] = '\0';
	return true;
}

static void rm_rf(struct inode *dir)
{
	struct name_list *l = calloc(1, sizeof(*l));
	uint64_t pos = 0;
	dir->iops->iterate(dir, &pos, list_names, l);
	for (int k = 0; k < l->n; k++) {
		const char *nm = l->names[k];
		struct inode *child;
		if (dir->iops->lookup(dir, nm, strlen(nm), &child))
			continue;
		if (S_ISDIR(child->mode)) {
			rm_rf(child);
			dir->iops->rmdir(dir, nm, strlen(nm));
		} else {
			dir->iops->unlink(dir, nm, strlen(nm));
		}
		inode_put(child);
	}
	free(l);
}

/* ---- tests ---- */

UNIT_TEST(unpack_creates_files_dirs_symlinks_and_devices)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	static struct archive a;
	build_sample(&a);
	CHECK_EQ(cpio_unpack(fx.root, a.buf, a.len), 0);
	CHECK(strcmp(contents(fx.root, "/bin/busybox"), "\177ELF pretend") == 0);
	CHECK(strcmp(contents(fx.root, "/bin/sh"), "\177ELF pretend") == 0);
	CHECK(strcmp(contents(fx.root, "/etc/deep/motd"), "hello\n") == 0);
	struct inode *bb = at(fx.root, "/bin/busybox", 0);
	CHECK(bb);
	CHECK_EQ(bb->mode, S_IFREG | 0755);
	CHECK_EQ(bb->uid, 1);
	CHECK_EQ(bb->gid, 2);
	CHECK_EQ(bb->mtime.sec, 1234);
	inode_put(bb);
	struct inode *sh = at(fx.root, "/bin/sh", 0);
	CHECK(sh && S_ISLNK(sh->mode));
	inode_put(sh);
	struct inode *deep = at(fx.root, "/etc/deep", 0);
	CHECK(deep && deep->mode == (S_IFDIR | 0755));
	inode_put(deep);
	struct inode *null = at(fx.root, "/dev/null", 0);
	CHECK(null && S_ISCHR(null->mode));
	CHECK_EQ(null->rdev, MKDEV(1, 3));
	inode_put(null);
	rm_rf(fx.root);
	CHECK(fs_fixture_end(&fx));
}

static struct archive poisoned;
static size_t poisoned_upto;

/* A consumer that spoils what it is given back, as the boot frees it. */
static void poison_consumed(size_t upto)
{
	CHECK(upto >= poisoned_upto && upto <= poisoned.len);
	memset(poisoned.buf + poisoned_upto, 0xa5, upto - poisoned_upto);
	poisoned_upto = upto;
}

/* The boot frees the archive behind the unpacking: bytes given back are
 * never read again (poisoned here, the files still come out whole). */
UNIT_TEST(consumed_bytes_are_not_read_again)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	build_sample(&poisoned);
	poisoned_upto = 0;
	CHECK_EQ(cpio_unpack_consuming(fx.root, poisoned.buf, poisoned.len, poison_consumed), 0);
	CHECK(poisoned_upto > poisoned.len / 2);
	CHECK(strcmp(contents(fx.root, "/bin/busybox"), "\177ELF pretend") == 0);
	CHECK(strcmp(contents(fx.root, "/etc/deep/motd"), "hello\n") == 0);
	CHECK(strcmp(contents(fx.root, "/h1"), "linked") == 0);
	CHECK(strcmp(contents(fx.root, "/h2"), "linked") == 0);
	rm_rf(fx.root);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(hard_links_in_the_archive_share_one_inode)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	static struct archive a;
	build_sample(&a);
	CHECK_EQ(cpio_unpack(fx.root, a.buf, a.len), 0);
	struct inode *h1 = at(fx.root, "/h1", 0), *h2 = at(fx.root, "/h2", 0);
	CHECK(h1 && h1 == h2);
	CHECK_EQ(h1->nlink, 2);
	CHECK(strcmp(contents(fx.root, "/h1"), "linked") == 0);
	inode_put(h1);
	inode_put(h2);
	rm_rf(fx.root);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(crc_magic_is_accepted_and_files_are_replaced)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	static struct archive a;
	a.len = 0;
	struct ent first = { .name = "f", .mode = S_IFREG | 0644, .data = "old" };
	struct ent second = { .name = "f", .mode = S_IFREG | 0600, .data = "new!" };
	add(&a, &first);
	add_magic(&a, "070702", &second);
	add_trailer(&a);
	CHECK_EQ(cpio_unpack(fx.root, a.buf, a.len), 0);
	CHECK(strcmp(contents(fx.root, "/f"), "new!") == 0);
	rm_rf(fx.root);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(truncated_archives_fail_cleanly_at_every_length)
{
	static struct archive a;
	build_sample(&a);
	for (size_t len = 0; len < a.len; len++) {
		struct fs_fixture fx;
		fs_fixture_begin(&fx);
		CHECK_EQ(cpio_unpack(fx.root, a.buf, len), -EINVAL);
		rm_rf(fx.root);
		CHECK(fs_fixture_end(&fx));
	}
}

/* Unpack a one-entry archive whose header text is patched at offset. */
static int unpack_patched(struct inode *root, size_t offset, const char *patch)
{
	static struct archive a;
	a.len = 0;
	struct ent e = { .name = "file", .mode = S_IFREG | 0644, .data = "data" };
	add(&a, &e);
	add_trailer(&a);
	memcpy(a.buf + offset, patch, strlen(patch));
	return cpio_unpack(root, a.buf, a.len);
}

UNIT_TEST(malformed_headers_and_names_are_refused)
{
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(unpack_patched(fx.root, 0, "070707"), -EINVAL);          /* old magic */
	CHECK_EQ(unpack_patched(fx.root, 6 + 8, "0000g1A4"), -EINVAL);    /* bad hex */
	CHECK_EQ(unpack_patched(fx.root, 6 + 11 * 8, "00000000"), -EINVAL); /* namesize 0 */
	CHECK_EQ(unpack_patched(fx.root, 6 + 11 * 8, "00000003"), -EINVAL); /* no NUL */
	CHECK_EQ(unpack_patched(fx.root, 6 + 6 * 8, "7FFFFFFF"), -EINVAL);  /* data past end */
	CHECK_EQ(unpack_patched(fx.root, 6 + 11 * 8, "00001001"), -EINVAL); /* name past end */
	static struct archive a;
	a.len = 0;
	struct ent up = { .name = "../escape", .mode = S_IFREG | 0644 };
	add(&a, &up);
	add_trailer(&a);
	CHECK_EQ(cpio_unpack(fx.root, a.buf, a.len), -EINVAL);
	a.len = 0;
	struct ent file = { .name = "x", .mode = S_IFREG | 0644 };
	struct ent under = { .name = "x/y", .mode = S_IFREG | 0644 };
	add(&a, &file);
	add(&a, &under);
	add_trailer(&a);
	CHECK_EQ(cpio_unpack(fx.root, a.buf, a.len), -EINVAL);
	rm_rf(fx.root);
	CHECK(fs_fixture_end(&fx));
}

UNIT_TEST(host_cpio_output_unpacks)
{
	if (system("command -v cpio >/dev/null 2>&1") != 0) {
		printf("    skip: no cpio on the host\n");
		return;
	}
	char dir[] = "/tmp/aspen-cpio-XXXXXX";
	CHECK(mkdtemp(dir));
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p t/a/b && printf 'abc' > t/a/b/file && ln -s a/b/file t/lnk && "
		 "head -c 9000 /dev/zero | tr '\\0' 'z' > t/big && "
		 "cd t && find . | cpio -o -H newc --quiet > ../arc", dir);
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/arc", dir);
	FILE *fp = fopen(cmd, "rb");
	CHECK(fp);
	static char buf[ARCHIVE_MAX];
	size_t len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
	struct fs_fixture fx;
	fs_fixture_begin(&fx);
	CHECK_EQ(cpio_unpack(fx.root, buf, len), 0);
	CHECK(strcmp(contents(fx.root, "/a/b/file"), "abc") == 0);
	CHECK(strcmp(contents(fx.root, "/lnk"), "abc") == 0);
	struct inode *big = at(fx.root, "/big", 0);
	CHECK(big);
	CHECK_EQ(big->size, 9000);
	inode_put(big);
	rm_rf(fx.root);
	CHECK(fs_fixture_end(&fx));
}
