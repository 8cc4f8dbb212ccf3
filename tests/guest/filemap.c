/*
 * filemap.c - how a file's mappings follow the file: remap_file_pages(2),
 * as Linux >= 4.0 emulates it (a MAP_FIXED|MAP_SHARED mmap of the same
 * file, splitting the region), and its errors.
 */
#include "gtest.h"
#include <fcntl.h>
#include <sys/stat.h>

#define PAGE 4096
#define NPAGES 4

static long remap(void *start, size_t size, long prot, size_t pgoff, long flags)
{
	return syscall(SYS_remap_file_pages, start, size, prot, pgoff, flags);
}

/* A new /dev/shm file of NPAGES pages, page i filled with 'A' + i, open
 * as flags asks and unlinked at once. */
static int lettered_file(const char *tag, int flags)
{
	char name[64], page[PAGE];

	snprintf(name, sizeof(name), "/dev/shm/gtest-filemap-%s-%d", tag, (int)getpid());
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	for (int i = 0; i < NPAGES; i++) {
		memset(page, 'A' + i, PAGE);
		CHECK_EQ(write(fd, page, PAGE), PAGE);
	}
	int ret = fd;
	if ((flags & O_ACCMODE) != O_RDWR) {
		ret = open(name, flags);
		CHECK(ret >= 0, "open %s: %s", name, strerror(errno));
		close(fd);
	}
	CHECK_EQ(unlink(name), 0);
	return ret;
}

static char *map(int fd, int prot, int flags)
{
	char *p = mmap(NULL, NPAGES * PAGE, prot, flags, fd, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

struct maps_line {
	unsigned long start, end, off;
	char perms[5];
};

/* The lines of /proc/self/maps inside [lo, hi), in order, into out
 * (at most max); how many. */
static int maps_in(const char *lo, const char *hi, struct maps_line *out, int max)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	CHECK(f != NULL, "open /proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct maps_line m;
		if (sscanf(line, "%lx-%lx %4s %lx", &m.start, &m.end, m.perms, &m.off) != 4)
			continue;
		if (m.start >= (unsigned long)lo && m.end <= (unsigned long)hi && n < max)
			out[n++] = m;
	}
	fclose(f);
	return n;
}

GTEST(remap_first_page_to_last_file_page_reads_and_writes_it)
{
	int fd = lettered_file("remap", O_RDWR);
	char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
	char c = 0;

	CHECK_EQ(remap(p, PAGE, 0, 3, 0), 0);
	CHECK_EQ(p[0], 'D');
	CHECK_EQ(p[PAGE - 1], 'D');
	CHECK_EQ(p[PAGE], 'B');             /* the rest is as it was */
	CHECK_EQ(p[3 * PAGE], 'D');
	p[10] = 'x';                        /* through the remapped page ... */
	CHECK_EQ(pread(fd, &c, 1, 3 * PAGE + 10), 1);
	CHECK_EQ(c, 'x');                   /* ... into file page 3 */
	CHECK_EQ(p[3 * PAGE + 10], 'x');    /* seen by its other mapping */
	CHECK_EQ(pread(fd, &c, 1, 10), 1);
	CHECK_EQ(c, 'A');                   /* file page 0 untouched */
	CHECK_EQ(pwrite(fd, "y", 1, 3 * PAGE + 20), 1);
	CHECK_EQ(p[20], 'y');               /* write() shows through it */
	close(fd);
}

GTEST(remap_splits_the_mapping_in_proc_maps)
{
	int fd = lettered_file("maps", O_RDWR);
	char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
	struct maps_line m[4];

	CHECK_EQ(remap(p + PAGE, PAGE, 0, 3, 0), 0);
	CHECK_EQ(maps_in(p, p + NPAGES * PAGE, m, 4), 3);
	CHECK_EQ(m[0].start, (unsigned long)p);
	CHECK_EQ(m[0].end, (unsigned long)p + PAGE);
	CHECK_EQ(m[0].off, 0);
	CHECK_EQ(m[1].start, (unsigned long)p + PAGE);
	CHECK_EQ(m[1].end, (unsigned long)p + 2 * PAGE);
	CHECK_EQ(m[1].off, 3 * PAGE);
	CHECK(strcmp(m[1].perms, "rw-s") == 0, "perms %s", m[1].perms);
	CHECK_EQ(m[2].start, (unsigned long)p + 2 * PAGE);
	CHECK_EQ(m[2].off, 2 * PAGE);
	CHECK_EQ(p[PAGE], 'D');
	CHECK_EQ(p[2 * PAGE], 'C');
	close(fd);
}

GTEST(remap_back_to_linear_merges_the_mapping_again)
{
	int fd = lettered_file("merge", O_RDWR);
	char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
	struct maps_line m[4];

	CHECK_EQ(remap(p, PAGE, 0, 3, 0), 0);
	CHECK_EQ(maps_in(p, p + NPAGES * PAGE, m, 4), 2);
	CHECK_EQ(remap(p, 2 * PAGE, 0, 0, 0), 0);   /* across both regions */
	CHECK_EQ(maps_in(p, p + NPAGES * PAGE, m, 4), 1);
	CHECK_EQ(m[0].off, 0);
	CHECK_EQ(m[0].end - m[0].start, NPAGES * PAGE);
	CHECK_EQ(p[0], 'A');
	close(fd);
}

GTEST(remap_rounds_down_and_ignores_flags_but_nonblock)
{
	int fd = lettered_file("round", O_RDWR);
	char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);

	/* start and size rounded down: one page at p; MAP_SHARED ignored */
	CHECK_EQ(remap(p + 5, PAGE + 7, 0, 2, MAP_SHARED), 0);
	CHECK_EQ(p[0], 'C');
	CHECK_EQ(p[PAGE], 'B');
	CHECK_EQ(remap(p + PAGE, PAGE, 0, 1, MAP_NONBLOCK), 0);
	CHECK_EQ(p[PAGE], 'B');
	close(fd);
}

GTEST(remap_keeps_the_rights_of_the_mapping)
{
	int fd = lettered_file("rights", O_RDWR);
	char *p = map(fd, PROT_READ, MAP_SHARED);   /* opened read-write */
	struct maps_line m[4];

	CHECK_EQ(remap(p, PAGE, 0, 3, 0), 0);
	CHECK_EQ(p[0], 'D');
	CHECK_EQ(maps_in(p, p + PAGE, m, 4), 1);
	CHECK(strcmp(m[0].perms, "r--s") == 0, "perms %s", m[0].perms);
	CHECK_EQ(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
	p[1] = 'z';
	char c = 0;
	CHECK_EQ(pread(fd, &c, 1, 3 * PAGE + 1), 1);
	CHECK_EQ(c, 'z');
	close(fd);
}

GTEST(remap_works_on_shared_anonymous_memory)
{
	char *p = map(-1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);

	p[3 * PAGE] = 'q';
	CHECK_EQ(remap(p, PAGE, 0, 3, 0), 0);
	CHECK_EQ(p[0], 'q');
	p[1] = 'r';
	CHECK_EQ(p[3 * PAGE + 1], 'r');
}

GTEST(remap_refuses_bad_arguments_with_einval)
{
	int fd = lettered_file("einval", O_RDWR);
	char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);

	CHECK_ERR(remap(p, PAGE, PROT_READ, 3, 0), EINVAL);      /* prot must be 0 */
	CHECK_ERR(remap(p, 0, 0, 3, 0), EINVAL);                 /* empty */
	CHECK_ERR(remap(p, PAGE - 1, 0, 3, 0), EINVAL);          /* empty once rounded */
	CHECK_ERR(remap(p, -(size_t)PAGE, 0, 0, 0), EINVAL);     /* the range wraps */
	CHECK_ERR(remap(p + PAGE, PAGE, 0, ~0UL, 0), EINVAL);    /* pgoff wraps */
	CHECK_ERR(remap(p + 3 * PAGE, 2 * PAGE, 0, 0, 0), EINVAL); /* past the mapping */
	CHECK_EQ(munmap(p + 2 * PAGE, PAGE), 0);
	CHECK_ERR(remap(p + PAGE, 3 * PAGE, 0, 0, 0), EINVAL);   /* across a hole */
	CHECK_ERR(remap(p + 2 * PAGE, PAGE, 0, 0, 0), EINVAL);   /* nothing mapped */
	CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ), 0);
	CHECK_ERR(remap(p, 2 * PAGE, 0, 0, 0), EINVAL);          /* rights differ */
	CHECK_EQ(p[0], 'A');                                     /* nothing changed */
	close(fd);
}

GTEST(remap_refuses_private_and_read_only_mappings)
{
	int fd = lettered_file("private", O_RDWR);
	char *priv = map(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *anon = map(-1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	int rd = lettered_file("rdonly", O_RDONLY);
	char *ro = map(rd, PROT_READ, MAP_SHARED);   /* Linux drops VM_SHARED */

	CHECK_ERR(remap(priv, PAGE, 0, 3, 0), EINVAL);
	CHECK_ERR(remap(anon, PAGE, 0, 3, 0), EINVAL);
	CHECK_ERR(remap(ro, PAGE, 0, 3, 0), EINVAL);
	CHECK_EQ(priv[0], 'A');
	CHECK_EQ(ro[0], 'A');
	close(fd);
	close(rd);
}

GTEST(remap_past_the_largest_file_offset_is_eoverflow)
{
	int fd = lettered_file("eoverflow", O_RDWR);
	char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
	unsigned long last = ((unsigned long)INT64_MAX - PAGE) / PAGE;   /* 2^51 - 2 */

	CHECK_ERR(remap(p, PAGE, 0, last + 1, 0), EOVERFLOW);
	CHECK_ERR(remap(p, PAGE, 0, 1UL << 52, 0), EOVERFLOW);
	CHECK_EQ(remap(p, PAGE, 0, last, MAP_NONBLOCK), 0);   /* allowed: far past the end */
	CHECK_EQ(remap(p, PAGE, 0, 0, 0), 0);
	CHECK_EQ(p[0], 'A');
	close(fd);
}
