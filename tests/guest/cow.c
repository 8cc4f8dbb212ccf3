/*
 * cow.c - copy-on-write after fork. Everywhere: MAP_SHARED memory is
 * one copy for parent and child, MAP_PRIVATE memory is not. On Aspen
 * the counters also show where each fork strategy (docs/fork.md) pays:
 * copy copies every page at fork and no write faults after; cow and
 * shared copy no frame at fork, then exactly the pages written (shared
 * also one page table per table written in); and a page left with one
 * owner is not copied again.
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
#define SYSTEM_FRAME_NOISE 16 /* frames freed elsewhere meanwhile: the count is the whole system's,
			       * and another CPU may free a cached page or an exited task's stack */
#define TABLE_PAGES      512 /* pages one last-level page table maps */
#define TABLES_SPANNED(n) ((n) / TABLE_PAGES + 2) /* at most, n contiguous pages */

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
	CHECK(paged_between(&before, &after) || after.resident_pages - before.resident_pages >= COW_WRITE_PAGES,
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

/* The child's side of fork_copies_what_its_strategy_says: reading
 * every page, then writing COW_WRITE_PAGES of them (only the contents
 * are checked when not counted). */
static void cow_child(char *p, const struct aspen_counters *at_fork, int strategy, bool counted)
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
	if (strategy == ASPEN_FORK_COPY) {
		CHECK(after_read.sys_frames_used >= at_fork->sys_frames_used + COW_PAGES,
		      "copy fork of 64 MiB: frames used %llu -> %llu",
		      U(at_fork->sys_frames_used), U(after_read.sys_frames_used));
	} else {
		CHECK(after_read.sys_frames_used <= at_fork->sys_frames_used + FORK_FRAME_SLACK,
		      "fork and reading 64 MiB: frames used %llu -> %llu",
		      U(at_fork->sys_frames_used), U(after_read.sys_frames_used));
		CHECK(after_read.shared_pages >= COW_PAGES, "child shares %llu pages", U(after_read.shared_pages));
	}
	if (strategy == ASPEN_FORK_SHARED)
		CHECK(after_read.pt_shared_pages >= COW_PAGES / TABLE_PAGES, "child shares %llu page tables",
		      U(after_read.pt_shared_pages));
	write_pages(p, COW_WRITE_PAGES, 2);
	written = counters_self();
	CHECK_ROSE_BY(after_read, written, cow_copies, strategy == ASPEN_FORK_COPY ? 0 : COW_WRITE_PAGES);
	if (strategy == ASPEN_FORK_SHARED)
		CHECK(written.pt_unshares - after_read.pt_unshares <= TABLES_SPANNED(COW_WRITE_PAGES),
		      "page tables copied: %llu", U(written.pt_unshares - after_read.pt_unshares));
	if (strategy != ASPEN_FORK_COPY)
		CHECK(written.sys_frames_used + SYSTEM_FRAME_NOISE >= after_read.sys_frames_used + COW_WRITE_PAGES,
		      "writing %d pages: frames used %llu -> %llu", COW_WRITE_PAGES,
		      U(after_read.sys_frames_used), U(written.sys_frames_used));
	_exit(0);
}

/* Aspen: fork of 64 MiB costs frames as its strategy says (copy: all
 * at once; cow, shared: none until written, then exactly what is
 * written); the child's exit gives them back. (With less free RAM than
 * that, the contents are checked while pages go to swap.) */
GTEST_SLOW(fork_copies_what_its_strategy_says, 120)
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
		cow_child(p, &at_fork, fork_strategy(), counted);
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
 * its writes copy nothing: under cow each page is reused (one fault
 * each), under shared each page table is taken back (one fault per
 * table), under copy nothing was ever shared (no fault). */
GTEST(write_after_child_exit_copies_nothing)
{
	char *p;
	pid_t pid;
	int strategy = fork_strategy();

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
	CHECK_EQ(reuse_after.pt_unshares, reuse_before.pt_unshares);
	/* Pages moving to or from swap meanwhile (the low-memory boot) fault
	 * again and may be copied: a page the swap cache or reclaim holds at
	 * that moment is not the writer's alone (Linux copies then too). */
	if (paged_between(&reuse_before, &reuse_after))
		return;
	CHECK_EQ(reuse_after.cow_copies, reuse_before.cow_copies);
	CHECK_ROSE_BY(reuse_before, reuse_after, cow_reuses, strategy == ASPEN_FORK_COW ? COW_WRITE_PAGES : 0);
	if (strategy != ASPEN_FORK_COW)
		CHECK(reuse_after.minor_faults - reuse_before.minor_faults <=
		      (strategy == ASPEN_FORK_SHARED ? TABLES_SPANNED(COW_WRITE_PAGES) : 0) + COUNT_SLACK,
		      "faults %llu -> %llu", U(reuse_before.minor_faults), U(reuse_after.minor_faults));
}
