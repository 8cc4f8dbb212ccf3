/*
 * forkstrat.c - choosing how fork copies memory (docs/fork.md), and
 * what each strategy shows. Everywhere: every strategy gives the same
 * fork (private pages one's own, MAP_SHARED pages one for both, changes
 * on one side unseen on the other), and threads of a process that forks
 * see each other's writes at once, and a vfork child of a forked child
 * writes that child's memory only. On Aspen: the prctl option is
 * inherited and survives exec; with `shared` the child uses the
 * parent's page tables (counters and /proc/PID/ptables say so) until its
 * first write in one, which copies that one table; pages on the
 * harness's swap disk fork and page out again under every strategy.
 */
#include "gtest.h"
#include "gtest_cred.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/swap.h>

#define PAGE_SIZE     4096UL
#define TABLE_PAGES   512                     /* pages one last-level table maps */
#define TABLE_SPAN    (TABLE_PAGES * PAGE_SIZE)
#define BIG_TABLES    16                      /* a 32 MiB mapping */
#define REPORT_ENV    "FORKSTRAT_REPORT"      /* exec'd copy: exit with the strategy */
#define FLAG_SPIN_MAX 2000000000UL

static const int strategies[] = { ASPEN_FORK_COPY, ASPEN_FORK_COW, ASPEN_FORK_SHARED };

/* Run as FORKSTRAT_REPORT=1 forkstrat: exit with the strategy this
 * process's forks use, before any test runs. */
__attribute__((constructor)) static void report_strategy(void)
{
	if (getenv(REPORT_ENV))
		_exit(prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0));
}

static void set_strategy(int s)
{
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, s, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0), s);
}

/* The strategies to try: all three on Aspen, Linux's own natively. */
static int strategies_to_try(void)
{
	return on_aspen() ? 3 : 1;
}

/* A private anonymous mapping of n pages, byte 0 of page i = 'a' + i % 26,
 * aligned to a page-table boundary (so its tables are its own). */
static char *map_tables(size_t n)
{
	char *p = mmap(NULL, n * PAGE_SIZE + TABLE_SPAN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	p = (char *)(((uintptr_t)p + TABLE_SPAN - 1) & ~(TABLE_SPAN - 1));
	for (size_t i = 0; i < n; i++)
		p[i * PAGE_SIZE] = (char)('a' + i % 26);
	return p;
}

GTEST(unknown_strategy_is_refused)
{
	CHECK_ERR(prctl(PR_ASPEN_SET_FORK_STRATEGY, 7, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_ASPEN_SET_FORK_STRATEGY, -1, 0, 0, 0), EINVAL);
}

/* Aspen: prctl's choice holds for the caller's children and their
 * children, and across exec; ASPEN_FORK_SYSTEM goes back to the
 * system's choice. */
GTEST(strategy_is_inherited_and_kept_across_exec)
{
	ASPEN_ONLY();
	int system = fork_strategy();
	for (unsigned i = 0; i < 3; i++) {
		set_strategy(strategies[i]);
		pid_t pid = xfork();
		if (pid == 0) {
			CHECK_EQ(prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0), strategies[i]);
			setenv(REPORT_ENV, "1", 1);
			execl("/proc/self/exe", "forkstrat", (char *)NULL);
			_exit(100);
		}
		CHECK_EXITED(wait_status(pid), strategies[i]);
	}
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
	CHECK_EQ(fork_strategy(), system);
}

/* ---- /proc/sys/vm/fork_strategy ---- */

#define SYSCTL_PATH "/proc/sys/vm/fork_strategy"

static const char *const strategy_names[] = {
	[ASPEN_FORK_COPY] = "copy", [ASPEN_FORK_COW] = "cow", [ASPEN_FORK_SHARED] = "shared",
};

/* The system's strategy as /proc/sys/vm/fork_strategy reads (a name and
 * a newline) into buf. */
static void read_sysctl(char *buf, size_t size)
{
	CHECK(read_text(SYSCTL_PATH, buf, size) > 0, "%s: %s", SYSCTL_PATH, strerror(errno));
}

/* Exit 1 from a forked child if its tables are shared with its parent
 * (map_tables gave it one of its own), 0 if not. */
static void report_sharing(void)
{
	_exit(counters_self().pt_shared_pages > 0);
}

/* Aspen: the shell's `echo NAME > /proc/sys/vm/fork_strategy` sets the
 * strategy of every process that follows the system (a child forked
 * after it shares tables only under shared), not of one that chose its
 * own with prctl; a name it does not know is refused with EINVAL and
 * changes nothing. */
GTEST(system_strategy_is_set_in_proc_sys_vm)
{
	ASPEN_ONLY();
	char was[32], now[32], cmd[96];
	read_sysctl(was, sizeof(was));
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
	char *p = map_tables(TABLE_PAGES);
	for (int k = 0; k < 3; k++) {
		const char *name = strategy_names[strategies[k]];
		snprintf(cmd, sizeof(cmd), "echo %s > " SYSCTL_PATH, name);
		CHECK_EQ(system(cmd), 0);
		read_sysctl(now, sizeof(now));
		CHECK(!strncmp(now, name, strlen(name)) && !strcmp(now + strlen(name), "\n"), "read %s", now);
		CHECK_EQ(prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0), strategies[k]);
		pid_t pid = xfork();
		if (pid == 0)
			report_sharing();
		CHECK_EXITED(wait_status(pid), strategies[k] == ASPEN_FORK_SHARED);
		CHECK_ERR(write_text(SYSCTL_PATH, "bogus\n"), EINVAL);
		CHECK_EQ(write_text(SYSCTL_PATH, ""), 0);
		read_sysctl(now, sizeof(now));
		CHECK(!strncmp(now, name, strlen(name)), "read %s after a bad write", now);
	}
	set_strategy(ASPEN_FORK_COPY);
	CHECK_EQ(write_text(SYSCTL_PATH, "cow"), 3);
	CHECK_EQ(prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0), ASPEN_FORK_COPY);
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
	CHECK_EQ(write_text(SYSCTL_PATH, was), (ssize_t)strlen(was));
	CHECK_EQ(munmap(p, TABLE_SPAN), 0);
}

/* The child's side of same_fork_under_every_strategy. */
static void check_child(char *priv, volatile char *shared, char *ro)
{
	for (size_t i = 0; i < 2 * TABLE_PAGES; i += 97)
		CHECK_EQ(priv[i * PAGE_SIZE], 'a' + i % 26);
	priv[0] = 'C';
	shared[0] = 'C';
	CHECK_EQ(munmap(priv + TABLE_SPAN, PAGE_SIZE), 0);
	CHECK_EQ(mprotect(priv + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	CHECK_EQ(madvise(priv + 3 * PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	CHECK_EQ(priv[3 * PAGE_SIZE], 0);
	/* The last two pages of the first table move (the page after them
	 * is gone, so they cannot grow in place). */
	char *moved = mremap(priv + (TABLE_PAGES - 2) * PAGE_SIZE, 2 * PAGE_SIZE, 4 * PAGE_SIZE,
			     MREMAP_MAYMOVE);
	CHECK(moved != MAP_FAILED, "mremap: %s", strerror(errno));
	CHECK_EQ(moved[PAGE_SIZE], 'a' + (TABLE_PAGES - 1) % 26);
	moved[0] = 'M';
	CHECK_EQ(ro[0], 'r');
	while (shared[1] != 'P')
		;
	CHECK_EQ(priv[PAGE_SIZE], 'a' + 1);   /* the parent's write is not seen */
	_exit(0);
}

/* Private pages are each side's own, MAP_SHARED ones common; munmap,
 * mprotect, madvise(MADV_DONTNEED) and mremap in the child leave the
 * parent's mapping alone: under every
 * strategy Aspen has, as on Linux. */
GTEST(same_fork_under_every_strategy)
{
	for (int k = 0; k < strategies_to_try(); k++) {
		if (on_aspen())
			set_strategy(strategies[k]);
		char *priv = map_tables(2 * TABLE_PAGES);
		volatile char *shared = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
					     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		char *ro = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(shared != MAP_FAILED && ro != MAP_FAILED);
		ro[0] = 'r';
		CHECK_EQ(mprotect(ro, PAGE_SIZE, PROT_READ), 0);
		pid_t pid = xfork();
		if (pid == 0)
			check_child(priv, shared, ro);
		priv[PAGE_SIZE] = 'P';
		shared[1] = 'P';
		CHECK_EXITED(wait_status(pid), 0);
		CHECK_EQ(shared[0], 'C');
		CHECK_EQ(priv[0], 'a');
		CHECK_EQ(priv[TABLE_SPAN], 'a' + TABLE_PAGES % 26);
		CHECK_EQ(priv[3 * PAGE_SIZE], 'a' + 3);
		CHECK_EQ(priv[(TABLE_PAGES - 2) * PAGE_SIZE], 'a' + (TABLE_PAGES - 2) % 26);
		CHECK_EQ(priv[(TABLE_PAGES - 1) * PAGE_SIZE], 'a' + (TABLE_PAGES - 1) % 26);
		priv[2 * PAGE_SIZE] = 'w';   /* still writable here */
		CHECK_EQ(munmap(priv, 2 * TABLE_SPAN), 0);
	}
	if (on_aspen())
		CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
}

/* The child's side of prot_none_stays_inaccessible_after_fork: touching
 * the page must kill it with SIGSEGV. */
static void touch_and_die(volatile char *p)
{
	(void)p[0];
	_exit(0);
}

/* A PROT_NONE page written before its mprotect stays out of reach in the
 * child, under every strategy (copy makes the child a new frame: it must
 * keep the parent's rights, not its region's defaults). */
GTEST(prot_none_stays_inaccessible_after_fork)
{
	for (int k = 0; k < strategies_to_try(); k++) {
		if (on_aspen())
			set_strategy(strategies[k]);
		char *p = map_tables(1);
		CHECK_EQ(mprotect(p, PAGE_SIZE, PROT_NONE), 0);
		pid_t pid = xfork();
		if (pid == 0)
			touch_and_die(p);
		CHECK_SIGNALED(wait_status(pid), SIGSEGV);
		CHECK_EQ(mprotect(p, PAGE_SIZE, PROT_READ), 0);
		CHECK_EQ(p[0], 'a');
	}
	if (on_aspen())
		CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
}

/* Count the lines of /proc/PID/ptables for tables inside [p, p + len)
 * with exactly `users` users and the given rights ("rw" or "ro"). */
static int count_tables(pid_t pid, const char *p, size_t len, unsigned users, const char *rights)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/ptables", (int)pid);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "%s: %s", path, strerror(errno));
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		unsigned u, pages;
		char rw[3];
		CHECK(sscanf(line, "%lx-%lx users=%u pages=%u %2s", &start, &end, &u, &pages, rw) == 5,
		      "ptables line: %s", line);
		if (start >= (uintptr_t)p && end <= (uintptr_t)p + len && u == users && !strcmp(rw, rights))
			n++;
	}
	fclose(f);
	return n;
}

/* The child's side of shared_fork_shares_tables_until_first_write. */
static void shared_child(char *p, pid_t parent)
{
	struct aspen_counters c = counters_self(), after;
	size_t len = BIG_TABLES * TABLE_SPAN;
	CHECK(c.pt_shared_pages >= BIG_TABLES, "child shares %llu tables", (unsigned long long)c.pt_shared_pages);
	CHECK(c.sys_pt_shared_pages >= BIG_TABLES);
	CHECK_EQ(count_tables(getpid(), p, len, 2, "ro"), BIG_TABLES);
	CHECK_EQ(p[5 * TABLE_SPAN], 'a' + (5 * TABLE_PAGES) % 26);   /* reading copies nothing */
	p[5 * TABLE_SPAN + PAGE_SIZE] = 'x';
	after = counters_self();
	CHECK_EQ(after.pt_unshares - c.pt_unshares, 1);
	CHECK_EQ(after.cow_copies - c.cow_copies, 1);
	CHECK_EQ(count_tables(getpid(), p, len, 2, "ro"), BIG_TABLES - 1);
	CHECK_EQ(count_tables(getpid(), p, len, 1, "rw"), 1);
	CHECK_EQ(count_tables(parent, p, len, 1, "ro"), 1);   /* the parent's, not yet taken back */
	_exit(0);
}

/* Aspen, shared: fork gives the child the parent's page tables (two
 * users each, read-only for both); the child's first write in one
 * copies that one table and the page written. */
GTEST(shared_fork_shares_tables_until_first_write)
{
	ASPEN_ONLY();
	set_strategy(ASPEN_FORK_SHARED);
	char *p = map_tables(BIG_TABLES * TABLE_PAGES);
	struct aspen_counters before = counters_self(), after;
	pid_t pid = xfork();
	if (pid == 0)
		shared_child(p, getppid());
	CHECK_EXITED(wait_status(pid), 0);
	after = counters_self();
	CHECK(after.sys_pt_shared_pages <= before.sys_pt_shared_pages, "%llu shared tables left",
	      (unsigned long long)after.sys_pt_shared_pages);
	CHECK_EQ(count_tables(getpid(), p, BIG_TABLES * TABLE_SPAN, 1, "ro"), BIG_TABLES);
	p[0] = 'y';   /* takes the first table back */
	CHECK_EQ(count_tables(getpid(), p, BIG_TABLES * TABLE_SPAN, 1, "rw"), 1);
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
}

/* ---- threads ---- */

struct watcher {
	volatile char *flag;   /* in a page the main thread writes after forking */
	volatile char *echo;   /* where the watcher answers */
};

static void *watch(void *arg)
{
	struct watcher *w = arg;
	for (unsigned long i = 0; i < FLAG_SPIN_MAX && *w->flag != 'F'; i++)
		;
	*w->echo = *w->flag;
	return NULL;
}

/* A thread spinning on a page while another thread of its process
 * forks and then writes that page: the write copies the page (and under
 * shared its table); the spinning thread, on another CPU if there is
 * one, must see it at once and not a stale copy. Under every strategy. */
GTEST(threads_see_writes_made_after_a_fork)
{
	for (int k = 0; k < strategies_to_try(); k++) {
		if (on_aspen())
			set_strategy(strategies[k]);
		char *p = map_tables(4);
		struct watcher w = { p + PAGE_SIZE, p + 2 * PAGE_SIZE };
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, watch, &w), 0);
		pid_t pid = xfork();
		if (pid == 0)
			_exit(*w.flag == 'b' ? 0 : 1);
		*w.flag = 'F';
		CHECK_EQ(pthread_join(t, NULL), 0);
		CHECK_EQ(*w.echo, 'F');
		CHECK_EXITED(wait_status(pid), 0);
	}
	if (on_aspen())
		CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
}

/* ---- vfork ---- */

/* The child's side of vfork_in_a_forked_child_writes_its_memory: a
 * vfork child of its own writes in two tables of its memory (copying
 * them from the parent's under shared); it sees the writes. */
static void vforking_child(volatile char *p)
{
	pid_t pid = vfork();
	if (pid == 0) {
		p[0] = 'v';
		p[TABLE_SPAN + PAGE_SIZE] = 'v';
		_exit(0);
	}
	CHECK(pid > 0, "vfork: %s", strerror(errno));
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(p[0], 'v');
	CHECK_EQ(p[TABLE_SPAN + PAGE_SIZE], 'v');
	CHECK_EQ(p[2 * PAGE_SIZE], 'a' + 2);
	_exit(0);
}

/* vfork borrows the address space of a process that has just forked
 * (its tables shared with its parent under shared): the vfork child's
 * writes are its parent's, never the grandparent's. Under every
 * strategy. */
GTEST(vfork_in_a_forked_child_writes_its_memory)
{
	for (int k = 0; k < strategies_to_try(); k++) {
		if (on_aspen())
			set_strategy(strategies[k]);
		char *p = map_tables(2 * TABLE_PAGES);
		pid_t pid = xfork();
		if (pid == 0)
			vforking_child(p);
		CHECK_EXITED(wait_status(pid), 0);
		CHECK_EQ(p[0], 'a');
		CHECK_EQ(p[TABLE_SPAN + PAGE_SIZE], 'a' + (TABLE_PAGES + 1) % 26);
		CHECK_EQ(munmap(p, 2 * TABLE_SPAN), 0);
	}
	if (on_aspen())
		CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
}

/* ---- swap ---- */

#define SWAP_DEVICE   "/dev/vda"              /* the harness's swap disk */
#define SWAP_PAGES    (2 * TABLE_PAGES)
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT  21
#endif

/* The caller's VmSwap, in pages. */
static long swapped_pages(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSwap: %ld kB", &kb) == 1)
			break;
	fclose(f);
	CHECK(kb >= 0, "no VmSwap in /proc/self/status");
	return kb / (long)(PAGE_SIZE / 1024);
}

/* Every 7th page of the n at p still holds its first byte. */
static void check_pattern(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 7)
		CHECK_EQ(p[i * PAGE_SIZE], 'a' + i % 26);
}

/* The child's side of swapped_pages_fork_under_every_strategy: it
 * waits until the parent has paged the memory out again (through
 * tables it may share with the child), then reads and writes it. */
static void swap_child(char *p, int go)
{
	char c;
	CHECK_EQ(read(go, &c, 1), 1);
	check_pattern(p, SWAP_PAGES);
	p[3 * PAGE_SIZE] = 'c';
	p[(TABLE_PAGES + 5) * PAGE_SIZE] = 'c';
	CHECK_EQ(p[3 * PAGE_SIZE], 'c');
	_exit(0);
}

/* Aspen, with the harness's swap disk: pages paged out before a fork
 * are the child's too (their swap slots shared), and paging them out
 * again while the child holds them changes nothing either side reads;
 * the child's writes stay its own. Under every strategy. */
GTEST(swapped_pages_fork_under_every_strategy)
{
	ASPEN_ONLY();
	bool own_swap = swapon(SWAP_DEVICE, 0) == 0;
	if (!own_swap && errno != EBUSY)
		SKIP("no swap disk %s: %s", SWAP_DEVICE, strerror(errno));
	for (int k = 0; k < 3; k++) {
		set_strategy(strategies[k]);
		char *p = map_tables(SWAP_PAGES);
		CHECK_EQ(madvise(p, SWAP_PAGES * PAGE_SIZE, MADV_PAGEOUT), 0);
		CHECK(swapped_pages() >= (long)SWAP_PAGES / 2, "%ld pages swapped", swapped_pages());
		p[PAGE_SIZE] = 'b';   /* one back in, written */
		int go[2];
		CHECK_EQ(pipe(go), 0);
		pid_t pid = xfork();
		if (pid == 0)
			swap_child(p, go[0]);
		check_pattern(p, TABLE_PAGES);   /* the first table's come back */
		CHECK_EQ(madvise(p, SWAP_PAGES * PAGE_SIZE, MADV_PAGEOUT), 0);
		CHECK_EQ(write(go[1], "g", 1), 1);
		CHECK_EXITED(wait_status(pid), 0);
		check_pattern(p, SWAP_PAGES);
		CHECK_EQ(p[PAGE_SIZE], 'b');
		CHECK_EQ(p[(TABLE_PAGES + 5) * PAGE_SIZE], 'a' + (TABLE_PAGES + 5) % 26);
		close(go[0]);
		close(go[1]);
		CHECK_EQ(munmap(p, SWAP_PAGES * PAGE_SIZE), 0);
	}
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0), 0);
	if (own_swap)
		CHECK_EQ(swapoff(SWAP_DEVICE), 0);
}
