/* memfd.c - memfd_create and file seals as Linux: the name in /proc,
 * close-on-exec, sizes and data shared through mappings, and each seal
 * (SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE) refusing what it forbids,
 * F_SEAL_WRITE with EBUSY while a writable shared mapping exists. */
#include "gtest.h"
#include <sys/stat.h>
#include <linux/memfd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#define SEALS_BASIC (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

GTEST(memfd_is_empty_rw_file_named_in_proc)
{
	int fd = memfd("gtest", 0);
	CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISREG(st.st_mode), "mode %o", st.st_mode);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_uid, getuid());
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	char path[64], link[128];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink: %s", strerror(errno));
	link[n] = 0;
	CHECK(strcmp(link, "/memfd:gtest (deleted)") == 0, "link %s", link);
	close(fd);
}

GTEST(memfd_cloexec_flag_and_bad_arguments)
{
	int fd = memfd("x", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	errno = 0;
	CHECK_ERR(memfd("x", 0x100), EINVAL);
	CHECK_ERR(memfd((const char *)8, 0), EFAULT);
	char name[300];
	memset(name, 'a', sizeof(name));
	name[249] = 0;
	fd = memfd(name, 0);
	CHECK(fd >= 0, "249 bytes: %s", strerror(errno));
	close(fd);
	name[249] = 'a';
	name[250] = 0;
	CHECK_ERR(memfd(name, 0), EINVAL);
}

GTEST(memfd_data_shared_between_write_and_mapping)
{
	int fd = memfd("data", 0);
	CHECK_EQ(ftruncate(fd, 8192), 0);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(pwrite(fd, "hello", 5, 4096), 5);
	CHECK(memcmp(p + 4096, "hello", 5) == 0);
	strcpy(p, "mapped");
	char buf[8] = { 0 };
	CHECK_EQ(pread(fd, buf, 6, 0), 6);
	CHECK(strcmp(buf, "mapped") == 0, "read %s", buf);
	pid_t pid = xfork();
	if (pid == 0) {
		strcpy(p + 100, "child");
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(strcmp(p + 100, "child") == 0);
	munmap(p, 8192);
	close(fd);
}

GTEST(memfd_without_allow_sealing_has_seal_seal)
{
	int fd = memfd("s", 0);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(fd);
	fd = memfd("s", MFD_ALLOW_SEALING);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), 0);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x4000), EINVAL);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	close(fd);
}

GTEST(seals_need_a_writable_descriptor_and_a_sealable_file)
{
	int fd = memfd("s", MFD_ALLOW_SEALING);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int ro = open(path, O_RDONLY);
	CHECK(ro >= 0, "reopen: %s", strerror(errno));
	CHECK_ERR(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	CHECK_EQ(fcntl(ro, F_GET_SEALS), 0);
	close(ro);
	close(fd);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(fcntl(p[0], F_GET_SEALS), EINVAL);
	CHECK_ERR(fcntl(p[1], F_ADD_SEALS, F_SEAL_GROW), EINVAL);
	close(p[0]);
	close(p[1]);
}

GTEST(seal_shrink_and_grow_fix_the_size)
{
	int fd = memfd("size", MFD_ALLOW_SEALING);
	CHECK_EQ(ftruncate(fd, 4096), 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	CHECK_ERR(ftruncate(fd, 100), EPERM);
	CHECK_EQ(ftruncate(fd, 8192), 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
	CHECK_ERR(ftruncate(fd, 8193), EPERM);
	CHECK_EQ(ftruncate(fd, 8192), 0);
	CHECK_EQ(pwrite(fd, "in", 2, 8000), 2);           /* within the size */
	CHECK_EQ(pwrite(fd, "past", 4, 8190), 2);          /* cut at the end */
	CHECK_ERR(pwrite(fd, "x", 1, 8192), EPERM);         /* would grow it */
	CHECK_ERR(fallocate(fd, 0, 0, 16384), EPERM);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 8192);
	close(fd);
}

GTEST(seal_write_refuses_writes_and_writable_mappings)
{
	int fd = memfd("w", MFD_ALLOW_SEALING);
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	CHECK_ERR(write(fd, "d", 1), EPERM);
	CHECK_ERR(pwrite(fd, "d", 1, 0), EPERM);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
	      "shared writable mapping: %s", strerror(errno));
	char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "read-only shared mapping: %s", strerror(errno));
	CHECK(memcmp(p, "abc", 3) == 0);
	CHECK_ERR(mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
	munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "private mapping: %s", strerror(errno));
	p[0] = 'z';                                           /* a private copy */
	char c;
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	CHECK_EQ(c, 'a');
	munmap(p, 4096);
	CHECK_EQ(ftruncate(fd, 100), 0);                      /* size seals are others */
	close(fd);
}

GTEST(seal_write_is_ebusy_while_mapped_writable)
{
	int fd = memfd("busy", MFD_ALLOW_SEALING);
	CHECK_EQ(ftruncate(fd, 8192), 0);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);   /* may become writable */
	CHECK(ro != MAP_FAILED);
	CHECK_EQ(munmap(p, 8192), 0);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	CHECK_EQ(munmap(ro, 4096), 0);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(munmap(p + 4096, 4096), 0);                  /* half of it still maps */
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	pid_t pid = xfork();                                   /* the child's copy counts too */
	if (pid == 0) {
		CHECK_EQ(munmap(p, 4096), 0);
		CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(munmap(p, 4096), 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE);
	close(fd);
}

GTEST(seal_future_write_keeps_existing_mappings)
{
	int fd = memfd("fw", MFD_ALLOW_SEALING);
	CHECK_EQ(ftruncate(fd, 4096), 0);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0);
	strcpy(p, "still");                                    /* the old mapping writes */
	char buf[8] = { 0 };
	CHECK_EQ(pread(fd, buf, 5, 0), 5);
	CHECK(strcmp(buf, "still") == 0);
	CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
	      "new writable mapping: %s", strerror(errno));
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), EPERM);
	munmap(p, 4096);
	close(fd);
}

GTEST(memfd_frames_freed_at_last_close)
{
	ASPEN_ONLY();
	int fd = memfd("big", 0);
	CHECK_EQ(ftruncate(fd, 1 << 20), 0);
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 1, 1 << 20);
	munmap(p, 1 << 20);
	close(fd);                                   /* init's frames line checks the rest */
}

/* ---- punching holes under mappings ---- */

#define PG 4096
#define HOLE_FIRST 4   /* the hole: pages [4, 12) of 16 */
#define HOLE_PAGES 8

static long file_blocks(int fd)
{
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	return (long)st.st_blocks;
}

/* A memfd of n pages, page i filled with 'a' + i. */
static int memfd_of_pages(int n)
{
	int fd = memfd("holes", 0);
	CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	char page[PG];
	for (int i = 0; i < n; i++) {
		memset(page, 'a' + i, PG);
		CHECK_EQ(pwrite(fd, page, PG, (off_t)i * PG), PG);
	}
	return fd;
}

/* memfd_of_pages(n) mapped whole with flags (MAP_SHARED or MAP_PRIVATE). */
static char *map_pages(int n, int flags, int *fd)
{
	*fd = memfd_of_pages(n);
	char *m = mmap(NULL, (size_t)n * PG, PROT_READ | PROT_WRITE, flags, *fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	return m;
}

static void punch(int fd, long first, long pages)
{
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, first * PG, pages * PG) == 0,
	      "punch: %s", strerror(errno));
}

/* A hole punched under a shared mapping, in this process and in a
 * child that maps it too, gives its pages back (the file's blocks drop,
 * as Linux's truncate_pagecache_range frees them; on Aspen the frames
 * and the resident pages of both go): every mapping reads zeros there
 * and the data around, and a write allocates a page again. */
GTEST(punch_hole_frees_pages_of_shared_mappings)
{
	int fd;
	char *m = map_pages(16, MAP_SHARED, &fd);
	for (int i = 0; i < 16; i++)
		CHECK(m[i * PG] == 'a' + i);   /* every page mapped here */
	int ready[2], done[2];
	CHECK(pipe(ready) == 0 && pipe(done) == 0);
	pid_t pid = xfork();
	if (pid == 0) {
		int touched = 0;
		for (int i = 0; i < 16; i++)
			touched += m[i * PG] == 'a' + i;
		struct aspen_counters before = { 0 };
		if (on_aspen())
			before = counters_self();
		char c = 1;
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(90);
		if (m[HOLE_FIRST * PG] != 'w')   /* the parent's write after the punch */
			_exit(4);
		for (int i = HOLE_FIRST; i < HOLE_FIRST + HOLE_PAGES; i++)
			if (m[i * PG + 1] != 0 || m[i * PG + PG - 1] != 0)
				_exit(1);
		if (touched != 16 || m[(HOLE_FIRST - 1) * PG] != 'a' + HOLE_FIRST - 1 || m[12 * PG] != 'a' + 12)
			_exit(2);
		/* Aspen: the hole's pages left this address space too (then
		 * the reads above faulted them back in as shared zero-filled
		 * pages of the file, which are counted again). */
		_exit(on_aspen() && counters_self().minor_faults < before.minor_faults + HOLE_PAGES ? 3 : 0);
	}
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	long blocks0 = file_blocks(fd);
	struct aspen_counters before = { 0 }, after = { 0 };
	if (on_aspen())
		before = counters_self();
	punch(fd, HOLE_FIRST, HOLE_PAGES);
	if (on_aspen())
		after = counters_self();
	long blocks1 = file_blocks(fd);
	m[HOLE_FIRST * PG] = 'w';   /* a write fills one page of the hole again */
	long blocks2 = file_blocks(fd);
	CHECK_EQ(write(done[1], &c, 1), 1);
	CHECK_EXITED(wait_status(pid), 0);
	CHECK(blocks1 == blocks0 - HOLE_PAGES * PG / 512, "st_blocks %ld after the punch, %ld before", blocks1, blocks0);
	CHECK(blocks2 == blocks1 + PG / 512, "st_blocks %ld after a write, %ld before", blocks2, blocks1);
	for (int i = 0; i < 16; i++) {
		bool hole = i >= HOLE_FIRST && i < HOLE_FIRST + HOLE_PAGES;
		CHECK(m[i * PG + 5] == (hole ? 0 : 'a' + i), "page %d reads %d", i, m[i * PG + 5]);
	}
	char back;
	CHECK_EQ(pread(fd, &back, 1, HOLE_FIRST * PG), 1);
	CHECK_EQ(back, 'w');
	if (on_aspen()) {
		CHECK(after.resident_pages + HOLE_PAGES == before.resident_pages, "resident pages %lu, were %lu",
		      (unsigned long)after.resident_pages, (unsigned long)before.resident_pages);
		CHECK(after.sys_frames_used + HOLE_PAGES - 1 <= before.sys_frames_used, "frames in use %lu, were %lu",
		      (unsigned long)after.sys_frames_used, (unsigned long)before.sys_frames_used);
	}
	munmap(m, 16 * PG);
	close(fd);
}

/* Under a private mapping the punch takes out the pages that still map
 * the file (they read the hole's zeros) but leaves the copies that
 * writes made, as Linux's hole punch (unlike truncate) does; a partial
 * page at the hole's edges is zeroed in place. */
GTEST(punch_hole_keeps_private_copies)
{
	int fd;
	char *m = map_pages(4, MAP_PRIVATE, &fd);
	CHECK_EQ(m[0], 'a');     /* page 0: the file's page, mapped */
	m[PG] = 'P';             /* page 1: a private copy */
	CHECK_EQ(m[3 * PG], 'd');
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 3 * PG + 100) == 0,
	      "punch: %s", strerror(errno));
	CHECK(m[0] == 0 && m[PG - 1] == 0, "the file's page reads %d", m[0]);
	CHECK(m[PG] == 'P' && m[PG + 1] == 'b', "the private copy reads %c%c", m[PG], m[PG + 1]);
	CHECK(m[2 * PG] == 0, "the untouched page reads %d", m[2 * PG]);
	CHECK(m[3 * PG + 99] == 0 && m[3 * PG + 100] == 'd', "the partial page reads %d %d", m[3 * PG + 99],
	      m[3 * PG + 100]);
	munmap(m, 4 * PG);
	close(fd);
}

/* madvise(MADV_REMOVE) punches the hole through a shared writable
 * mapping (memfd and shared anonymous memory alike), with Linux's errors
 * for the mappings it cannot. */
GTEST(madvise_remove_punches_a_hole_through_the_mapping)
{
	int fd;
	char *m = map_pages(8, MAP_SHARED, &fd);
	CHECK_EQ(m[2 * PG], 'c');
	long blocks0 = file_blocks(fd);
	CHECK(madvise(m + 2 * PG, 3 * PG, MADV_REMOVE) == 0, "MADV_REMOVE: %s", strerror(errno));
	CHECK(file_blocks(fd) == blocks0 - 3 * PG / 512, "st_blocks %ld, was %ld", file_blocks(fd), blocks0);
	CHECK(m[2 * PG] == 0 && m[5 * PG - 1] == 0 && m[5 * PG] == 'f' && m[2 * PG - 1] == 'b', "the mapping reads %d %d %d %d",
	      m[2 * PG], m[5 * PG - 1], m[5 * PG], m[2 * PG - 1]);
	CHECK_ERR(madvise(m + 1, PG, MADV_REMOVE), EINVAL);
	char *priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(priv != MAP_FAILED);
	CHECK_ERR(madvise(priv, PG, MADV_REMOVE), EACCES);
	munmap(priv, PG);
	char *anon = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(anon != MAP_FAILED);
	CHECK_ERR(madvise(anon, PG, MADV_REMOVE), EINVAL);   /* no file */
	char *shared = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	memset(shared, 's', 2 * PG);
	CHECK(madvise(shared, PG, MADV_REMOVE) == 0, "MADV_REMOVE on shared memory: %s", strerror(errno));
	CHECK(shared[0] == 0 && shared[PG] == 's', "shared memory reads %d %d", shared[0], shared[PG]);
	munmap(shared, 2 * PG);
	munmap(anon, 3 * PG);
	munmap(m, 8 * PG);
	close(fd);
}

GTEST(madvise_remove_errors_after_the_mapped_part)
{
	int fd;
	char *m = map_pages(4, MAP_SHARED, &fd);
	CHECK_EQ(munmap(m + 2 * PG, PG), 0);
	CHECK_ERR(madvise(m, 4 * PG, MADV_REMOVE), ENOMEM);   /* page 2 is not mapped */
	CHECK(m[0] == 0 && m[3 * PG] == 0, "the mapped parts were punched: %d %d", m[0], m[3 * PG]);
	char page[PG];
	CHECK_EQ(pread(fd, page, PG, 2 * PG), PG);
	CHECK(page[0] == 'c', "the unmapped page of the file reads %d", page[0]);
	CHECK_EQ(mlock(m, PG), 0);
	CHECK_ERR(madvise(m, PG, MADV_REMOVE), EINVAL);   /* locked */
	munlock(m, PG);
	munmap(m, 4 * PG);
	close(fd);
}
