/*
 * cow.c - copy-on-write after fork. Everywhere: MAP_SHARED memory is
 * one copy for parent and child, MAP_PRIVATE memory is not. On Aspen
 * the counters also show that fork copies no frames, that a write copies
 * exactly the page written, and that a page left with one owner is
 * reused rather than copied.
 */
#include "gtest.h"

#define PAGE_SIZE        4096UL
#define SMALL_PAGES      64
#define COW_BYTES        (64UL << 20)
#define COW_PAGES        (COW_BYTES / PAGE_SIZE)
#define COW_WRITE_PAGES  1000
#define RESERVE_PAGES    2048 /* kept free by the kernel, roughly, besides the test's */
#define FORK_FRAME_SLACK 256 /* page tables and kernel structures of a fork */
#define EXIT_FRAME_SLACK 16  /* the parent's own stack copies, kernel caches */
#define COUNT_SLACK      8   /* faults on stack pages around the measured ones */

static char *map_pages(size_t npages, int flags)
{
	char *p = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap %zu pages: %s", npages, strerror(errno));
	return p;
}

/* Write value into the first byte of each of npages pages. */
static void write_pages(char *p, size_t npages, char value)
{
	for (size_t i = 0; i < npages; i++)
		p[i * PAGE_SIZE] = value;
}

/* The first of npages pages whose first byte is not value, or -1. */
static long first_page_not(const char *p, size_t npages, char value)
{
	for (size_t i = 0; i < npages; i++)
		if (((volatile const char *)p)[i * PAGE_SIZE] != value)
			return (long)i;
	return -1;
}

#define U(x) ((unsigned long long)(x))

/* Counter field rose by n from before to after, give or take COUNT_SLACK
 * faults on the stack around the measured writes. */
#define CHECK_ROSE_BY(before, after, field, n) do { uint64_t d_ = (after).field - (before).field; \
	CHECK(d_ >= (n) && d_ <= (n) + COUNT_SLACK, "%s rose by %llu (%llu -> %llu), expected %lu", \
	      #field, U(d_), U((before).field), U((after).field), (unsigned long)(n)); } while (0)

/* Map SMALL_PAGES pages with flags (MAP_SHARED or MAP_PRIVATE), write
 * 1s, and fork a child that checks it sees them and writes 2s. Returns
 * the mapping once the child is gone. */
static char *child_overwrites(int flags)
{
	char *p = map_pages(SMALL_PAGES, flags);
	pid_t pid;

	write_pages(p, SMALL_PAGES, 1);
	pid = xfork();
	if (pid == 0) {
		CHECK_EQ(first_page_not(p, SMALL_PAGES, 1), -1);
		write_pages(p, SMALL_PAGES, 2);
		CHECK_EQ(first_page_not(p, SMALL_PAGES, 2), -1);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	return p;
}

GTEST(map_shared_child_write_seen_by_parent)
{
	CHECK_EQ(first_page_not(child_overwrites(MAP_SHARED), SMALL_PAGES, 2), -1);
}

GTEST(map_private_child_write_not_seen_by_parent)
{
	CHECK_EQ(first_page_not(child_overwrites(MAP_PRIVATE), SMALL_PAGES, 1), -1);
}

/* A private page never touched before fork: each side fills its own. */
GTEST(map_private_untouched_pages_zero_on_both_sides)
{
	char *p = map_pages(SMALL_PAGES, MAP_PRIVATE);
	pid_t pid = xfork();

	if (pid == 0) {
		CHECK_EQ(first_page_not(p, SMALL_PAGES, 0), -1);
		write_pages(p, SMALL_PAGES, 3);
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(first_page_not(p, SMALL_PAGES, 0), -1);
}

/* Aspen: first touches are counted as zero fills, one per page. */
GTEST(first_touch_counts_zero_fills)
{
	struct aspen_counters before, after = { 0 };
	char *p;

	ASPEN_ONLY();
	p = map_pages(COW_WRITE_PAGES, MAP_PRIVATE);
	before = counters_self();
	write_pages(p, COW_WRITE_PAGES, 1);
	after = counters_self();
	CHECK_ROSE_BY(before, after, zero_fills, COW_WRITE_PAGES);
	CHECK(after.resident_pages - before.resident_pages >= COW_WRITE_PAGES,
	      "resident pages %llu -> %llu", U(before.resident_pages), U(after.resident_pages));
}

/* Do parent and child fit in free RAM twice over? If not (the low-memory
 * boot of make test), pages go to swap and come back meanwhile, and only
 * the contents can be checked, not exact counts of frames. */
static bool fits_in_ram(uint64_t pages)
{
	struct aspen_counters c = counters_self();
	return c.sys_frames_total - c.sys_frames_used > 2 * pages + RESERVE_PAGES;
}

/* The child's side of cow_fork_copies_only_written_pages. */
static void cow_child(char *p, const struct aspen_counters *at_fork, bool counted)
{
	struct aspen_counters after_read = { 0 }, written = { 0 };
	long bad = first_page_not(p, COW_PAGES, 1); /* reads every page */

	after_read = counters_self();
	CHECK_EQ(bad, -1);
	if (!counted) {
		write_pages(p, COW_WRITE_PAGES, 2);
		CHECK_EQ(first_page_not(p, COW_WRITE_PAGES, 2), -1);
		CHECK_EQ(first_page_not(p + COW_WRITE_PAGES * PAGE_SIZE, COW_PAGES - COW_WRITE_PAGES, 1), -1);
		_exit(0);
	}
	CHECK(after_read.sys_frames_used <= at_fork->sys_frames_used + FORK_FRAME_SLACK,
	      "fork and reading 64 MiB: frames used %llu -> %llu",
	      U(at_fork->sys_frames_used), U(after_read.sys_frames_used));
	CHECK(after_read.shared_pages >= COW_PAGES, "child shares %llu pages", U(after_read.shared_pages));
	write_pages(p, COW_WRITE_PAGES, 2);
	written = counters_self();
	CHECK_ROSE_BY(after_read, written, cow_copies, COW_WRITE_PAGES);
	CHECK(written.sys_frames_used >= after_read.sys_frames_used + COW_WRITE_PAGES,
	      "writing %d pages: frames used %llu -> %llu", COW_WRITE_PAGES,
	      U(after_read.sys_frames_used), U(written.sys_frames_used));
	_exit(0);
}

/* Aspen: fork shares 64 MiB without copying; the child's writes copy
 * exactly the pages written; its exit gives the copies back. (With less
 * free RAM than that, the contents are checked while pages go to swap.) */
GTEST_SLOW(cow_fork_copies_only_written_pages, 120)
{
	struct aspen_counters at_fork, after_exit = { 0 };
	char *p;
	pid_t pid;

	ASPEN_ONLY();
	bool counted = fits_in_ram(COW_PAGES);
	p = map_pages(COW_PAGES, MAP_PRIVATE);
	write_pages(p, COW_PAGES, 1);
	at_fork = counters_self();
	pid = xfork();
	if (pid == 0)
		cow_child(p, &at_fork, counted);
	CHECK_EXITED(wait_status(pid), 0);
	after_exit = counters_self();
	CHECK(!counted || after_exit.sys_frames_used <= at_fork.sys_frames_used + EXIT_FRAME_SLACK,
	      "frames used %llu at fork, %llu after the child exited",
	      U(at_fork.sys_frames_used), U(after_exit.sys_frames_used));
	CHECK_EQ(first_page_not(p, COW_PAGES, 1), -1);
}

/* Static, so that they are written (and copied from the test runner)
 * before the measurement rather than during it. */
static struct aspen_counters reuse_before, reuse_after;

/* Aspen: once the child is gone the parent is the only owner again, so
 * its writes reuse the frames instead of copying them. */
GTEST(cow_write_after_child_exit_reuses_frame)
{
	char *p;
	pid_t pid;

	ASPEN_ONLY();
	p = map_pages(COW_WRITE_PAGES, MAP_PRIVATE);
	write_pages(p, COW_WRITE_PAGES, 1);
	pid = xfork();
	if (pid == 0)
		_exit(0);
	CHECK_EXITED(wait_status(pid), 0);
	memset(&reuse_before, 0, sizeof(reuse_before));
	memset(&reuse_after, 0, sizeof(reuse_after));
	reuse_before = counters_self();
	write_pages(p, COW_WRITE_PAGES, 2);
	reuse_after = counters_self();
	CHECK_ROSE_BY(reuse_before, reuse_after, cow_reuses, COW_WRITE_PAGES);
	CHECK_EQ(reuse_after.cow_copies, reuse_before.cow_copies);
}
