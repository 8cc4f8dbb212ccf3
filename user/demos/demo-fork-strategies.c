/*
 * demo-fork-strategies - the same fork three ways. The parent fills a
 * buffer, then forks once under each of Aspen's fork strategies
 * (docs/fork.md), chosen with prctl(PR_ASPEN_SET_FORK_STRATEGY):
 *
 *   copy    every private page copied at fork (seed 002's fork);
 *   cow     pages shared read-only, copied on the first write (seeds
 *           003, 004: what Linux does);
 *   shared  the page tables themselves shared, read-only, and copied one
 *           table at a time on the first change (seed 001: the least
 *           fork must copy is the page table; here not even that).
 *
 * For each it prints how long fork took in the parent, how many frames
 * the system used more right after it, how many page-table pages the
 * child has and how many of them it shares with the parent; then what
 * the child's first write costs. Under shared, vmmap shows the two
 * processes using the same page tables. On Linux only Linux's own fork
 * runs, and Aspen's counters read as n/a.
 *
 *   demo-fork-strategies [MiB]      (default 32)
 */
#include "demo.h"
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <uapi/aspen.h>

static const char *const names[] = { [ASPEN_FORK_COPY] = "copy", [ASPEN_FORK_COW] = "cow",
				     [ASPEN_FORK_SHARED] = "shared" };

static bool counters(int pid, struct aspen_counters *c)
{
	return syscall(SYS_aspen_counters, pid, c, sizeof(*c)) == 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The child: wait for the parent's look, write one byte of the buffer,
 * tell, wait again, exit. */
static void child(char *buf, int go, int told)
{
	char c;
	if (read(go, &c, 1) != 1)
		_exit(1);
	buf[0] = 'c';
	if (write(told, "w", 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	_exit(0);
}

/* One fork under strategy s (0: the kernel's own, on Linux); prints its
 * figures. Returns false if something failed. */
static bool fork_once(int s, char *buf, bool show_vmmap)
{
	int to_child[2], to_parent[2];
	struct aspen_counters before, after, kid, kid_after;
	char c;
	bool aspen = s != 0;
	if (pipe(to_child) || pipe(to_parent))
		return false;
	if (aspen && prctl(PR_ASPEN_SET_FORK_STRATEGY, s, 0, 0, 0) != 0)
		return false;
	demo_section(aspen ? names[s] : "Linux's fork");
	aspen = aspen && counters(0, &before);
	uint64_t t0 = now_us();
	pid_t pid = fork();
	if (pid == 0)
		child(buf, to_child[0], to_parent[1]);
	uint64_t took = now_us() - t0;
	if (pid < 0)
		return false;
	if (aspen && counters(0, &after) && counters(pid, &kid)) {
		printf("strategy %s: fork %llu us, frames +%lld, child page tables %llu (%llu shared)\n",
		       names[s], (unsigned long long)took,
		       (long long)(after.sys_frames_used - before.sys_frames_used),
		       (unsigned long long)kid.pt_pages, (unsigned long long)kid.pt_shared_pages);
	} else {
		printf("fork %llu us (Aspen's counters: n/a here)\n", (unsigned long long)took);
	}
	if (show_vmmap)
		demo_vmmap(getpid(), pid);
	if (write(to_child[1], "g", 1) != 1 || read(to_parent[0], &c, 1) != 1)
		return false;
	if (aspen && counters(pid, &kid_after))
		printf("  the child's first write: %llu page copied, %llu page table copied\n",
		       (unsigned long long)(kid_after.cow_copies - kid.cow_copies),
		       (unsigned long long)(kid_after.pt_unshares - kid.pt_unshares));
	int status;
	if (write(to_child[1], "g", 1) != 1 || waitpid(pid, &status, 0) != pid)
		return false;
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32;
	size_t bytes = mib << 20;
	char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 'p', bytes);
	printf("demo-fork-strategies: a %zu MiB buffer at %p, every page written: %zu pages,\n"
	       "mapped by %zu page tables of 512 entries.\n", mib, (void *)buf, bytes / DEMO_PAGE,
	       (bytes / DEMO_PAGE + 511) / 512);
	bool ok = true;
	if (prctl(PR_ASPEN_GET_FORK_STRATEGY, 0, 0, 0, 0) < 0) {
		ok = fork_once(0, buf, false);
	} else {
		for (int s = ASPEN_FORK_COPY; s <= ASPEN_FORK_SHARED; s++)
			ok &= fork_once(s, buf, s == ASPEN_FORK_SHARED);
		prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_SYSTEM, 0, 0, 0);
	}
	demo_section("why");
	printf("  copy:   mm_fork copies every private page (copy_page_fn): the frames used\n"
	       "          grow by the whole buffer, and fork takes longest.\n"
	       "  cow:    pt_fork_cow copies the page tables entry by entry (copy_leaves_cow):\n"
	       "          no page is copied, but every entry is, so fork still grows with the\n"
	       "          buffer; the child's first write copies one page (fault_cow_copy).\n"
	       "  shared: pt_fork_share points the child's tables at the parent's last-level\n"
	       "          tables, read-only, one reference more each: fork costs about the\n"
	       "          same at any size. The first write copies that one table (own_table\n"
	       "          in kernel/mm/pagetable.c), then the page as cow does. vmmap's\n"
	       "          PTABLES column and its last line show the tables the two use together.\n"
	       "  Time here is QEMU's emulated clock; make bench measures it properly.\n");
	return ok ? 0 : 1;
}
