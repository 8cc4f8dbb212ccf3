/*
 * ext2.c - an ext2 file system made by the host's mkfs.ext2 (holding a
 * copy of tests/guest/ext2-tree): its files read back; files written at
 * odd offsets, sparse and truncated; directories made, renamed and
 * removed, with Linux's link counts and errors; shared mappings whose
 * writes reach the file and the disk, and a truncate that takes the
 * pages past the new end out of the mappings; file handles (the inode
 * number and generation: ESTALE once freed); data that survives an unmount;
 * a full disk's ENOSPC; read-only mounts; statfs, fsync, syncfs.
 *
 * In Aspen the harness attaches the image (the DISKS line). On Linux
 * the test makes the same image with mke2fs and mounts it through a loop
 * device (as root, with ASPEN_SRC naming the source tree as run-all
 * sets it; skipped otherwise), so Linux's own ext2 is the reference.
 * Each test mounts the disk, leaves the tree as it found it, unmounts.
 */
// DISKS: ext2:16:tests/guest/ext2-tree
#include "ext2disk.h"
#include <dirent.h>

#define EXT2_MAGIC 0xef53
#define BLOCK 1024
#define NOTES_LINES 500

/* The whole file at path, NUL-terminated, in a malloc'd buffer. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;

	CHECK(fd >= 0 && fstat(fd, &st) == 0, "%s: %s", path, strerror(errno));
	char *buf = malloc((size_t)st.st_size + 1);
	CHECK_EQ(read(fd, buf, (size_t)st.st_size + 1), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static unsigned char pattern(unsigned long long off, unsigned seed)
{
	return (unsigned char)((off * 2654435761u) >> 11 ^ seed);
}

static void write_pattern(int fd, unsigned long long off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);

	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(off + i, seed);
	CHECK_EQ(pwrite(fd, buf, len, (off_t)off), (long long)len);
	free(buf);
}

static void check_pattern(int fd, unsigned long long off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);

	CHECK_EQ(pread(fd, buf, len, (off_t)off), (long long)len);
	for (size_t i = 0; i < len; i++)
		CHECK(buf[i] == pattern(off + i, seed), "byte %llu is %#x", off + i, buf[i]);
	free(buf);
}

GTEST(ext2_host_files_read_back)
{
	struct fs fs = setup(0);
	size_t len;
	char *s = slurp(at(&fs, "hello.txt"), &len), link[128], expect[32];
	struct statfs sf;
	struct stat st;

	CHECK(strcmp(s, "hello, ext2\n") == 0, "hello.txt: %s", s);
	free(s);
	s = slurp(at(&fs, "dir/notes.txt"), &len);
	CHECK_EQ(len, NOTES_LINES * 23);
	for (int i = 0; i < NOTES_LINES; i++) {
		snprintf(expect, sizeof(expect), "line %04d of the notes\n", i);
		CHECK(memcmp(s + i * 23, expect, 23) == 0, "line %d: %.23s", i, s + i * 23);
	}
	free(s);
	CHECK_EQ(readlink(at(&fs, "link"), link, sizeof(link)), 9);
	CHECK(memcmp(link, "hello.txt", 9) == 0);
	ssize_t n = readlink(at(&fs, "longlink"), link, sizeof(link));
	CHECK_EQ(n, 70);                                 /* longer than 59: in a block */
	CHECK(memcmp(link, "target-target-", 14) == 0);
	CHECK_EQ(stat(at(&fs, "link"), &st), 0);         /* followed */
	CHECK_EQ(st.st_size, 12);
	CHECK_EQ(stat(at(&fs, "dir"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 3);                        /* ., its entry, sub's .. */
	CHECK_EQ(stat(at(&fs, "dir/sub/.keep"), &st), 0);
	CHECK_EQ(statfs(fs.dir, &sf), 0);
	CHECK_EQ(sf.f_type, EXT2_MAGIC);
	CHECK_EQ(sf.f_bsize, BLOCK);
	CHECK(sf.f_blocks > 14000 && sf.f_blocks < IMAGE_MIB * 1024, "f_blocks %llu",
	      (unsigned long long)sf.f_blocks);
	CHECK(sf.f_bavail < sf.f_bfree, "the root reserve");
	DIR *d = opendir(fs.dir);
	int seen = 0;
	for (struct dirent *e; (e = readdir(d));)
		seen += !strcmp(e->d_name, "hello.txt") * 1 + !strcmp(e->d_name, "dir") * 2 +
			!strcmp(e->d_name, "lost+found") * 4 + !strcmp(e->d_name, "..") * 8 +
			(!strcmp(e->d_name, "link") && e->d_type == DT_LNK) * 16;
	closedir(d);
	CHECK_EQ(seen, 31);
	teardown(&fs);
}

GTEST(ext2_write_read_sparse_truncate)
{
	struct fs fs = setup(0);
	unsigned long long before = free_blocks(&fs);
	static const struct { unsigned long long off; size_t len; } w[] = {
		{ 0, 100 }, { 1000, 3000 }, { 4095, 3 }, { 12 * BLOCK - 7, 20 },   /* into the indirect */
		{ 300 * 1024 + 11, 9000 },                                          /* double indirect */
	};
	struct stat st;
	int fd = open(at(&fs, "data.bin"), O_RDWR | O_CREAT | O_EXCL, 0640);

	CHECK(fd >= 0, "create: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		write_pattern(fd, w[i].off, w[i].len, (unsigned)i + 1);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		check_pattern(fd, w[i].off, w[i].len, (unsigned)i + 1);
	char zeros[512], buf[512];
	memset(zeros, 0, sizeof(zeros));
	CHECK_EQ(pread(fd, buf, sizeof(buf), 100 * 1024), 512);   /* a hole */
	CHECK(memcmp(buf, zeros, sizeof(buf)) == 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 300 * 1024 + 11 + 9000);
	CHECK(st.st_blocks > 0 && st.st_blocks < 200, "st_blocks %lld (sparse)", (long long)st.st_blocks);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(fdatasync(fd), 0);
	CHECK_EQ(ftruncate(fd, 4000), 0);                          /* shrink mid-block */
	CHECK_EQ(ftruncate(fd, 20000), 0);                         /* then grow: zeros */
	CHECK_EQ(pread(fd, buf, sizeof(buf), 3900), 512);
	check_pattern(fd, 3900, 100, 2);
	CHECK(memcmp(buf + 100, zeros, 412) == 0, "bytes past the truncation came back");
	CHECK_EQ(syncfs(fd), 0);
	close(fd);
	CHECK_EQ(unlink(at(&fs, "data.bin")), 0);
	sync();
	CHECK_EQ(free_blocks(&fs), before);
	teardown(&fs);
}

GTEST(ext2_directories_links_and_renames)
{
	struct fs fs = setup(0);
	struct stat st, parent;
	char target[200];

	CHECK_EQ(mkdir(at(&fs, "a"), 0755), 0);
	CHECK_EQ(mkdir(at(&fs, "a/b"), 0700), 0);
	CHECK_EQ(mkdir(at(&fs, "c"), 0755), 0);
	CHECK_EQ(stat(at(&fs, "a"), &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_ERR(mkdir(at(&fs, "a/b"), 0755), EEXIST);
	CHECK_ERR(rmdir(at(&fs, "a")), ENOTEMPTY);
	int fd = open(at(&fs, "a/b/f"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "payload", 7), 7);
	close(fd);
	CHECK_EQ(link(at(&fs, "a/b/f"), at(&fs, "c/hard")), 0);
	CHECK_EQ(stat(at(&fs, "c/hard"), &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(link(at(&fs, "a"), at(&fs, "c/dirlink")), EPERM);
	/* A directory moves to another parent: its ".." and both counts follow. */
	CHECK_EQ(rename(at(&fs, "a/b"), at(&fs, "c/b")), 0);
	CHECK_EQ(stat(at(&fs, "c/b/.."), &st), 0);
	CHECK_EQ(stat(at(&fs, "c"), &parent), 0);
	CHECK_EQ(st.st_ino, parent.st_ino);
	CHECK_EQ(parent.st_nlink, 3);
	CHECK_EQ(stat(at(&fs, "a"), &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(rename(at(&fs, "c"), at(&fs, "c/b/inside")), EINVAL);
	/* Over an existing file; over a non-empty directory. */
	CHECK_EQ(rename(at(&fs, "c/hard"), at(&fs, "c/b/f")), 0);   /* same inode: nothing */
	CHECK_EQ(symlink("c/b/f", at(&fs, "short")), 0);
	memset(target, 'y', sizeof(target));
	target[150] = '\0';
	CHECK_EQ(symlink(target, at(&fs, "long")), 0);
	CHECK_EQ(readlink(at(&fs, "long"), target, sizeof(target)), 150);
	CHECK_EQ(rename(at(&fs, "short"), at(&fs, "long")), 0);
	CHECK_EQ(readlink(at(&fs, "long"), target, sizeof(target)), 5);
	CHECK_ERR(rename(at(&fs, "a"), at(&fs, "c")), ENOTEMPTY);
	CHECK_ERR(rename(at(&fs, "long"), at(&fs, "a")), EISDIR);
	CHECK_ERR(rename(at(&fs, "a"), at(&fs, "long")), ENOTDIR);
	/* Clean up: the tree is as mkfs left it. */
	CHECK_EQ(unlink(at(&fs, "long")), 0);
	CHECK_EQ(unlink(at(&fs, "c/hard")), 0);
	CHECK_EQ(stat(at(&fs, "c/b/f"), &st), 0);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(unlink(at(&fs, "c/b/f")), 0);
	CHECK_ERR(unlink(at(&fs, "c/b")), EISDIR);
	CHECK_EQ(rmdir(at(&fs, "c/b")), 0);
	CHECK_EQ(rmdir(at(&fs, "c")), 0);
	CHECK_EQ(rmdir(at(&fs, "a")), 0);
	CHECK_ERR(rmdir(at(&fs, "a")), ENOENT);
	teardown(&fs);
}

GTEST(ext2_shared_mapping_writes_reach_the_disk)
{
	struct fs fs = setup(0);
	int fd = open(at(&fs, "mapped"), O_RDWR | O_CREAT, 0644);
	size_t len = 3 * 4096;

	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, (off_t)len), 0);
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	for (size_t i = 0; i < len; i += 512)
		p[i] = (unsigned char)(i / 512 + 1);
	CHECK_EQ(msync(p, len, MS_SYNC), 0);
	unsigned char c;
	CHECK_EQ(pread(fd, &c, 1, 4096 + 512), 1);     /* read() sees the mapping's writes */
	CHECK_EQ(c, 10);
	CHECK_EQ(pwrite(fd, "W", 1, 100), 1);         /* and the mapping sees write()'s */
	CHECK_EQ(p[100], 'W');
	CHECK_EQ(munmap(p, len), 0);
	close(fd);
	unmount_fs(&fs);
	mount_fs(&fs, 0);                             /* from the disk again */
	fd = open(at(&fs, "mapped"), O_RDONLY);
	CHECK(fd >= 0);
	for (size_t i = 0; i < len; i += 512) {
		CHECK_EQ(pread(fd, &c, 1, (off_t)i), 1);
		CHECK_EQ(c, i / 512 + 1);
	}
	CHECK_EQ(pread(fd, &c, 1, 100), 1);
	CHECK_EQ(c, 'W');
	close(fd);
	CHECK_EQ(unlink(at(&fs, "mapped")), 0);
	teardown(&fs);
}

/* The wait status of a child that reads the byte at p. */
static int read_in_child(volatile unsigned char *p)
{
	pid_t pid = xfork();

	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	return wait_status(pid);
}

GTEST(ext2_truncate_unmaps_mapped_pages_past_the_end)
{
	struct fs fs = setup(0);
	int fd = open(at(&fs, "shrunk"), O_RDWR | O_CREAT | O_EXCL, 0644);
	size_t len = 4 * 4096;

	CHECK(fd >= 0);
	write_pattern(fd, 0, len, 7);
	unsigned char *s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned char *cow = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(s != MAP_FAILED && cow != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(s[3 * 4096], pattern(3 * 4096, 7));
	cow[2 * 4096] = 'p';                            /* a private copy */
	CHECK_EQ(ftruncate(fd, 4096 + 100), 0);
	CHECK_SIGNALED(read_in_child(s + 3 * 4096), SIGBUS);
	CHECK_SIGNALED(read_in_child(cow + 2 * 4096), SIGBUS);
	CHECK_EQ(s[4096 + 99], pattern(4096 + 99, 7));
	CHECK_EQ(s[4096 + 100], 0);                     /* the tail of the last page */
	CHECK_EQ(ftruncate(fd, (off_t)len), 0);          /* grown again: zeros */
	CHECK_EQ(s[3 * 4096], 0);
	CHECK_EQ(cow[2 * 4096], 0);
	CHECK_EQ(munmap(s, len), 0);
	CHECK_EQ(munmap(cow, len), 0);
	close(fd);
	CHECK_EQ(unlink(at(&fs, "shrunk")), 0);
	teardown(&fs);
}

struct handle {
	struct file_handle fh;
	uint32_t words[MAX_HANDLE_SZ / 4];
};

/* The handle of path (Linux's ext2: FILEID_INO32_GEN, the inode number
 * and its generation). */
static struct handle handle_of(const char *path)
{
	struct handle h = { .fh.handle_bytes = MAX_HANDLE_SZ };
	int mnt;

	CHECK(name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0) == 0, "name_to_handle_at %s: %s", path,
	      strerror(errno));
	return h;
}

GTEST(ext2_file_handles_open_the_file_and_go_stale)
{
	if (geteuid() != 0)
		SKIP("needs root (CAP_DAC_READ_SEARCH)");
	struct fs fs = setup(0);
	int fd = open(at(&fs, "handled"), O_RDWR | O_CREAT | O_EXCL, 0644);
	struct stat st;
	char buf[16] = "";
	int mnt;

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "by handle", 9), 9);
	CHECK_EQ(fstat(fd, &st), 0);
	close(fd);
	struct handle small = { .fh.handle_bytes = 4 };
	CHECK_ERR(name_to_handle_at(AT_FDCWD, at(&fs, "handled"), &small.fh, &mnt, 0), EOVERFLOW);
	CHECK_EQ(small.fh.handle_bytes, 8);
	CHECK_EQ(small.fh.handle_type, 255);            /* FILEID_INVALID */
	struct handle h = handle_of(at(&fs, "handled"));
	CHECK_EQ(h.fh.handle_bytes, 8);
	CHECK_EQ(h.fh.handle_type, 1);                  /* FILEID_INO32_GEN */
	CHECK_EQ(h.words[0], st.st_ino);
	int mfd = open(fs.dir, O_RDONLY | O_DIRECTORY);
	CHECK(mfd >= 0);
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
	CHECK(fd >= 0, "open_by_handle_at: %s", strerror(errno));
	CHECK_EQ(read(fd, buf, sizeof(buf)), 9);
	CHECK(memcmp(buf, "by handle", 9) == 0);
	close(fd);
	struct handle d = handle_of(fs.dir);            /* the root directory */
	CHECK_EQ(d.words[0], 2);
	fd = open_by_handle_at(mfd, &d.fh, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0, "root by handle: %s", strerror(errno));
	close(fd);
	struct handle bad = h;
	bad.words[1] ^= 1;                              /* another generation */
	CHECK_ERR(open_by_handle_at(mfd, &bad.fh, O_RDONLY), ESTALE);
	bad = h;
	bad.words[0] = 1;                               /* a reserved inode */
	CHECK_ERR(open_by_handle_at(mfd, &bad.fh, O_RDONLY), ESTALE);
	bad.words[0] = 1u << 30;                        /* past the last inode */
	CHECK_ERR(open_by_handle_at(mfd, &bad.fh, O_RDONLY), ESTALE);
	CHECK_EQ(unlink(at(&fs, "handled")), 0);        /* freed */
	CHECK_ERR(open_by_handle_at(mfd, &h.fh, O_RDONLY), ESTALE);
	fd = open(at(&fs, "again"), O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	close(fd);
	struct handle again = handle_of(at(&fs, "again"));
	if (again.words[0] == h.words[0]) {             /* the number, reused */
		CHECK(again.words[1] != h.words[1], "same generation %u", h.words[1]);
		CHECK_ERR(open_by_handle_at(mfd, &h.fh, O_RDONLY), ESTALE);
	}
	CHECK_EQ(unlink(at(&fs, "again")), 0);
	close(mfd);
	teardown(&fs);
}

GTEST(ext2_files_survive_unmount)
{
	struct fs fs = setup(0);
	int fd = open(at(&fs, "kept"), O_WRONLY | O_CREAT, 0600);

	CHECK(fd >= 0);
	write_pattern(fd, 0, 70000, 9);
	close(fd);
	CHECK_EQ(mkdir(at(&fs, "keptdir"), 0750), 0);
	unmount_fs(&fs);
	mount_fs(&fs, 0);
	struct stat st;
	CHECK_EQ(stat(at(&fs, "kept"), &st), 0);
	CHECK_EQ(st.st_size, 70000);
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	fd = open(at(&fs, "kept"), O_RDONLY);
	check_pattern(fd, 0, 70000, 9);
	close(fd);
	CHECK_EQ(stat(at(&fs, "keptdir"), &st), 0);
	CHECK_EQ(st.st_mode, S_IFDIR | 0750);
	CHECK_EQ(unlink(at(&fs, "kept")), 0);
	CHECK_EQ(rmdir(at(&fs, "keptdir")), 0);
	teardown(&fs);
}

GTEST_SLOW(ext2_full_disk_gives_enospc, 120)
{
	struct fs fs = setup(0);
	unsigned long long before = free_blocks(&fs);
	static char buf[64 * 1024];
	int fd = open(at(&fs, "filler"), O_WRONLY | O_CREAT, 0644);
	ssize_t r;
	unsigned long long total = 0;

	CHECK(fd >= 0);
	memset(buf, 0x5a, sizeof(buf));
	while ((r = write(fd, buf, sizeof(buf))) > 0)
		total += (unsigned long long)r;
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, ENOSPC);
	CHECK(total > (IMAGE_MIB - 3) * 1024 * 1024ULL, "only %llu bytes fit", total);
	CHECK(free_blocks(&fs) < 100, "%llu blocks free on a full disk", free_blocks(&fs));
	close(fd);
	CHECK_EQ(unlink(at(&fs, "filler")), 0);
	CHECK_EQ(free_blocks(&fs), before);
	teardown(&fs);
}

GTEST(ext2_readonly_mount_and_busy)
{
	struct fs fs = setup(MS_RDONLY);
	size_t len;

	CHECK_ERR(open(at(&fs, "hello.txt"), O_WRONLY), EROFS);
	CHECK_ERR(open(at(&fs, "new"), O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK_ERR(mkdir(at(&fs, "new"), 0755), EROFS);
	CHECK_ERR(unlink(at(&fs, "hello.txt")), EROFS);
	free(slurp(at(&fs, "hello.txt"), &len));
	CHECK_EQ(len, 12);
	int fd = open(at(&fs, "hello.txt"), O_RDONLY);
	CHECK_ERR(umount(fs.dir), EBUSY);
	close(fd);
	CHECK_EQ(mount(NULL, fs.dir, NULL, MS_REMOUNT, NULL), 0);   /* read-write again */
	fd = open(at(&fs, "now-writable"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0, "after remount: %s", strerror(errno));
	close(fd);
	CHECK_EQ(unlink(at(&fs, "now-writable")), 0);
	teardown(&fs);
}

GTEST(ext2_mount_errors)
{
	char dir[] = "/tmp/ext2-err-XXXXXX", file[] = "/tmp/ext2-zero-XXXXXX", dev[64];

	if (geteuid() != 0)
		SKIP("needs root");
	CHECK(mkdtemp(dir) != NULL);
	CHECK_ERR(mount("/nonexistent-disk", dir, "ext2", 0, NULL), ENOENT);
	CHECK_ERR(mount("/etc", dir, "ext2", 0, NULL), ENOTBLK);
	int back = mkstemp(file);                     /* a disk of zeros: no ext2 on it */
	CHECK(back >= 0 && ftruncate(back, 1 << 20) == 0);
	int keep = loop_attach(back, LO_FLAGS_AUTOCLEAR, file, O_RDWR, dev, sizeof(dev));
	unlink(file);
	close(back);
	if (keep < 0)
		SKIP("no loop device: %s", strerror(errno));
	CHECK_ERR(mount(dev, dir, "ext2", MS_SILENT, NULL), EINVAL);
	close(keep);
	rmdir(dir);
}
