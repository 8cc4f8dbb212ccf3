/*
 * overcommit.c - vm.overcommit_memory, overcommit_ratio and
 * overcommit_kbytes as Linux has them, and /proc/meminfo's CommitLimit
 * and Committed_AS: mode 0 refuses only a single allocation larger than
 * RAM + swap, mode 1 nothing, mode 2 whatever would take Committed_AS to
 * CommitLimit (mmap, MAP_NORESERVE, MAP_SHARED anonymous, brk, mremap,
 * mprotect, fork, shmget); every charge comes back on munmap, exit and
 * exec.
 *
 * Natively these change the host's settings: each test saves them,
 * changes them only inside a child it waits for, and restores them
 * before it checks anything. Sizes come from /proc/meminfo (the host has
 * far more RAM than Aspen's guest), and mode 2's limit is set to the
 * current Committed_AS plus half of RAM + swap, so that the rest of the
 * host is never refused for the moment it lasts. Exact Committed_AS
 * figures are checked on Aspen; on a busy host only roughly.
 */
#include "gtest_cred.h"
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#define PAGE 4096UL
#define MODE "/proc/sys/vm/overcommit_memory"
#define RATIO "/proc/sys/vm/overcommit_ratio"
#define KBYTES "/proc/sys/vm/overcommit_kbytes"

/* A number after key in /proc/meminfo (kB), or -1. */
static long meminfo(const char *key)
{
	char buf[8192];
	CHECK(read_text("/proc/meminfo", buf, sizeof(buf)) > 0, "read /proc/meminfo: %s", strerror(errno));
	char *p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static long committed_kb(void) { return meminfo("Committed_AS:"); }

/* RAM + swap in bytes, as mode 0 measures it (whole pages). */
static unsigned long ram_swap_bytes(void)
{
	return ((unsigned long)meminfo("MemTotal:") / 4 + (unsigned long)meminfo("SwapTotal:") / 4) * PAGE;
}

static void set_long(const char *path, long v)
{
	char text[32];
	snprintf(text, sizeof(text), "%ld\n", v);
	CHECK(write_text(path, text) == (ssize_t)strlen(text), "write %ld to %s: %s", v, path, strerror(errno));
}

struct settings { long mode, ratio, kbytes; };

static struct settings settings_now(void)
{
	return (struct settings){ read_long(MODE), read_long(RATIO), read_long(KBYTES) };
}

/* Put back what was: the one of ratio and kbytes that is set decides
 * (writing either clears the other). */
static void settings_restore(const struct settings *s)
{
	if (s->kbytes)
		set_long(KBYTES, s->kbytes);
	else
		set_long(RATIO, s->ratio);
	set_long(MODE, s->mode);
}

/* Run fn in a child under mode (and, if kbytes >= 0, overcommit_kbytes =
 * kbytes), the settings restored before the child's outcome is checked. */
static void under_mode(long mode, long kbytes, void (*fn)(void))
{
	struct settings saved = settings_now();
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (kbytes >= 0)
			set_long(KBYTES, kbytes);
		set_long(MODE, mode);
		fn();
		_exit(0);
	}
	int status = wait_status(pid);
	/* The child set them: put them back whatever became of it. */
	settings_restore(&saved);
	CHECK_EXITED(status, 0);
}

/* How far Committed_AS may stray from a change of want kB: not at all
 * on Aspen; natively a quarter of it and 64 MiB, as the host's other
 * processes take and give back charges meanwhile (a busy build's
 * compilers, gigabytes at a time). */
static long slack_for(long want)
{
	return on_aspen() ? 0 : (want < 0 ? -want : want) / 4 + 65536;
}

/* Committed_AS moved by about want kB: exactly on Aspen, within
 * slack_for(want) natively. */
static void check_moved(long before, long after, long want)
{
	if (on_aspen()) {
		CHECK(after - before == want, "Committed_AS %ld -> %ld kB: expected a change of %ld", before,
		      after, want);
		return;
	}
	long d = after - before, slack = slack_for(want);
	CHECK(d > want - slack && d < want + slack, "Committed_AS %ld -> %ld kB: expected about %+ld", before,
	      after, want);
}

/* x rounded down to whole pairs of pages (so that half of it is pages). */
static unsigned long pages2(unsigned long x) { return x & ~(2 * PAGE - 1); }

static void *map(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

GTEST(commit_limit_follows_ratio_and_kbytes)
{
	struct settings saved = settings_now();
	long ram_pages = meminfo("MemTotal:") / 4, swap = meminfo("SwapTotal:");
	CHECK(saved.mode >= 0 && saved.mode <= 2, "overcommit_memory %ld", saved.mode);
	set_long(RATIO, 30);
	long limit30 = meminfo("CommitLimit:"), kb30 = read_long(KBYTES);
	set_long(KBYTES, 1048576);
	long limit1g = meminfo("CommitLimit:"), ratio_after = read_long(RATIO);
	settings_restore(&saved);
	CHECK_EQ(limit30, ram_pages * 30 / 100 * 4 + swap);
	CHECK_EQ(kb30, 0);
	CHECK_EQ(limit1g, 1048576 + swap);
	CHECK_EQ(ratio_after, 0);   /* writing one clears the other */
	CHECK(settings_now().ratio == saved.ratio && settings_now().kbytes == saved.kbytes);
	CHECK_ERR(write_text(MODE, "3\n"), EINVAL);
	CHECK_EQ(read_long(MODE), saved.mode);
}

/* Mode 0: one allocation larger than RAM + swap is refused, one of
 * exactly that size is promised (and counted); MAP_NORESERVE is not. */
static void heuristic(void)
{
	unsigned long all = ram_swap_bytes();
	CHECK(map(all + PAGE, PROT_READ | PROT_WRITE, 0) == MAP_FAILED && errno == ENOMEM,
	      "mmap of RAM + swap + a page in mode 0: %s", strerror(errno));
	long before = committed_kb();
	void *p = map(all, PROT_READ | PROT_WRITE, 0);
	CHECK(p != MAP_FAILED, "mmap of RAM + swap in mode 0: %s", strerror(errno));
	check_moved(before, committed_kb(), (long)(all / 1024));
	CHECK_EQ(munmap(p, all), 0);
	before = committed_kb();
	p = map(2 * all, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	CHECK(p != MAP_FAILED, "MAP_NORESERVE of twice RAM + swap in mode 0: %s", strerror(errno));
	check_moved(before, committed_kb(), 0);
	CHECK_EQ(munmap(p, 2 * all), 0);
	/* Read-only private memory is not promised until it is made writable. */
	p = map(all, PROT_READ, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	before = committed_kb();
	CHECK_EQ(mprotect(p, all, PROT_READ | PROT_WRITE), 0);
	check_moved(before, committed_kb(), (long)(all / 1024));
	/* ... and given back if it becomes read-only again untouched. */
	CHECK_EQ(mprotect(p, all, PROT_READ), 0);
	check_moved(before, committed_kb(), 0);
	CHECK_EQ(munmap(p, all), 0);
}

GTEST(mode0_refuses_only_more_than_ram_and_swap) { under_mode(0, -1, heuristic); }

static void always(void)
{
	unsigned long all = ram_swap_bytes();
	long before = committed_kb();
	void *p = map(2 * all, PROT_READ | PROT_WRITE, 0);
	CHECK(p != MAP_FAILED, "mmap of twice RAM + swap in mode 1: %s", strerror(errno));
	check_moved(before, committed_kb(), (long)(2 * all / 1024));
	CHECK_EQ(munmap(p, 2 * all), 0);
}

GTEST(mode1_refuses_nothing_but_counts) { under_mode(1, -1, always); }

/* Mode 2's margin: half of RAM + swap between Committed_AS and the
 * limit, set through overcommit_kbytes (at least: swap alone may be
 * more). */
static unsigned long margin(void) { return ram_swap_bytes() / 2; }

static long strict_kbytes(void)
{
	long kb = committed_kb() + (long)(margin() / 1024) - meminfo("SwapTotal:");
	return kb > 0 ? kb : 4;
}

static void strict(void)
{
	/* The room left (more than asked when swap alone is above it). */
	long limit = meminfo("CommitLimit:"), now = committed_kb();
	CHECK(limit > now, "CommitLimit %ld kB, Committed_AS %ld kB", limit, now);
	unsigned long m = pages2((unsigned long)(limit - now) * 1024), big = 2 * m, small = pages2(m / 8);

	errno = 0;
	CHECK(map(big, PROT_READ | PROT_WRITE, 0) == MAP_FAILED && errno == ENOMEM,
	      "mmap past CommitLimit in mode 2: %s", strerror(errno));
	errno = 0;
	CHECK(map(big, PROT_READ | PROT_WRITE, MAP_NORESERVE) == MAP_FAILED && errno == ENOMEM,
	      "MAP_NORESERVE past CommitLimit in mode 2 (it is ignored): %s", strerror(errno));
	errno = 0;
	CHECK(mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == ENOMEM, "shared anonymous mmap past CommitLimit: %s", strerror(errno));
	CHECK_ERR(shmget(IPC_PRIVATE, big, IPC_CREAT | 0600), ENOMEM);

	/* Private read-only memory is free until it becomes writable. */
	void *ro = map(big, PROT_READ, 0);
	CHECK(ro != MAP_FAILED, "read-only mmap in mode 2: %s", strerror(errno));
	CHECK_ERR(mprotect(ro, big, PROT_READ | PROT_WRITE), ENOMEM);
	CHECK_EQ(munmap(ro, big), 0);

	/* brk and mremap cannot grow past it either. */
	unsigned long cur = (unsigned long)syscall(SYS_brk, 0);
	CHECK_EQ(syscall(SYS_brk, cur + big), cur);
	void *p = map(small, PROT_READ | PROT_WRITE, 0);
	CHECK(p != MAP_FAILED, "mmap of an eighth of the margin: %s", strerror(errno));
	CHECK(mremap(p, small, big, MREMAP_MAYMOVE) == MAP_FAILED && errno == ENOMEM,
	      "mremap past CommitLimit: %s", strerror(errno));
	CHECK_EQ(munmap(p, small), 0);

	/* fork must promise the child's copy of 60% of the margin again. */
	unsigned long half = pages2(m / 10 * 6);
	p = map(half, PROT_READ | PROT_WRITE, 0);
	CHECK(p != MAP_FAILED, "mmap of 60%% of the margin: %s", strerror(errno));
	CHECK_ERR(fork(), ENOMEM);
	CHECK_EQ(munmap(p, half), 0);
}

GTEST(mode2_refuses_past_commit_limit) { under_mode(2, strict_kbytes(), strict); }

/* Every way of taking a charge, then every way of giving it back: the
 * figure returns to where it was. */
static void round_trip(void)
{
	unsigned long m = pages2(margin() / 16);   /* 8 of these at most at once */
	long start = committed_kb();
	void *a = map(m, PROT_READ | PROT_WRITE, 0);
	void *b = map(m, PROT_READ, 0);
	void *c = mmap(NULL, m, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED && b != MAP_FAILED && c != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_EQ(mprotect(b, m, PROT_READ | PROT_WRITE), 0);
	*(char *)b = 1;
	CHECK_EQ(mprotect(b, m, PROT_READ), 0);   /* touched: stays charged */
	a = mremap(a, m, 2 * m, MREMAP_MAYMOVE);
	CHECK(a != MAP_FAILED, "mremap: %s", strerror(errno));
	unsigned long cur = (unsigned long)syscall(SYS_brk, 0);
	CHECK_EQ(syscall(SYS_brk, cur + 64 * PAGE), cur + 64 * PAGE);
	int id = shmget(IPC_PRIVATE, m, IPC_CREAT | 0600);
	CHECK(id >= 0, "shmget: %s", strerror(errno));
	check_moved(start, committed_kb(), (long)((5 * m + 64 * PAGE) / 1024));

	/* A child's copy is charged while it lives, given back when it exits
	 * (and, for one that execs, its old image given back at exec). */
	long with = committed_kb();
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		char x;
		close(fds[1]);
		read(fds[0], &x, 1);   /* until the parent has looked */
		dup2(open("/dev/null", O_WRONLY), 1);   /* it only says "no such test" */
		execl("/proc/self/exe", "overcommit", "no-such-test", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	long forked = committed_kb();
	long want = (long)(3 * m / 1024);   /* at least: a, b and the heap */
	CHECK(forked - with >= want - slack_for(want), "Committed_AS %ld -> %ld kB across fork: expected %+ld at least",
	      with, forked, want);
	close(fds[1]);
	wait_status(pid);
	check_moved(with, committed_kb(), 0);

	CHECK_EQ(shmctl(id, IPC_RMID, NULL), 0);
	CHECK_EQ(syscall(SYS_brk, cur), cur);
	CHECK_EQ(munmap(a, 2 * m), 0);
	CHECK_EQ(munmap(b, m / 2), 0);   /* in two pieces */
	CHECK_EQ(munmap((char *)b + m / 2, m - m / 2), 0);
	CHECK_EQ(munmap(c, m), 0);
	check_moved(start, committed_kb(), 0);
}

GTEST(commit_charges_return_on_munmap_exit_and_exec) { under_mode(0, -1, round_trip); }

/* The same in strict mode: what was given back can be taken again. */
GTEST(mode2_charges_return_and_can_be_taken_again) { under_mode(2, strict_kbytes(), round_trip); }
