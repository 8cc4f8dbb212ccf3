/*
 * demo-cow - copy-on-write, counted. The parent fills a buffer and
 * forks. Right after fork every page of it is shared: one frame, two
 * page tables. The child then writes a quarter of the buffer at a time;
 * after each step it reads its own figures back from /proc: the shared
 * part falls, the private part and the copy count rise by exactly what
 * was written. vmmap shows both processes before and after. On Aspen
 * the fork uses the cow strategy (prctl), whatever the system's is:
 * this is the per-page story (demo-fork-strategies compares the others).
 *
 *   demo-cow [MiB]      (default 16)
 */
#include "demo.h"
#include <sys/prctl.h>
#include <uapi/aspen.h>

#define STEPS 4

static long cow_copies(int pid)
{
	return demo_status_field(pid, "AspenCowCopies");   /* -1 on Linux */
}

static void step_line(int step, size_t written_pages, char *buf)
{
	struct demo_figures f;
	demo_smaps_of(getpid(), buf, &f);
	long copies = cow_copies(getpid());
	printf("  step %d: child has written %5zu pages: shared %6ld KiB, private %6ld KiB,"
	       " cow copies %ld\n", step, written_pages, f.shared, f.private_, copies);
	fflush(stdout);
}

/* The child: write the buffer a quarter at a time, showing the figures,
 * then wait for the parent's word before exiting. */
static void child(char *buf, size_t pages, int go_fd, int done_fd)
{
	char c;
	demo_section("the child writes, a quarter at a time");
	step_line(0, 0, buf);
	for (int s = 1; s <= STEPS; s++) {
		for (size_t p = (s - 1) * pages / STEPS; p < s * pages / STEPS; p++)
			buf[p * DEMO_PAGE] = 'c';
		step_line(s, s * pages / STEPS, buf);
		if (s == STEPS / 2) {
			/* halfway: let the parent look at both of us */
			if (write(done_fd, "h", 1) != 1 || read(go_fd, &c, 1) != 1)
				_exit(1);
		}
	}
	if (write(done_fd, "d", 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	size_t pages = mib * 256;
	char *buf = malloc(pages * DEMO_PAGE);
	int to_child[2], to_parent[2];
	char c;
	if (!buf || pipe(to_child) || pipe(to_parent))
		return 1;
	memset(buf, 'p', pages * DEMO_PAGE);
	prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_COW, 0, 0, 0);   /* EINVAL on Linux: its fork is cow */
	printf("demo-cow: a %zu MiB buffer at %p, every page written by the parent.\n", mib,
	       (void *)buf);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		child(buf, pages, to_child[0], to_parent[1]);
	if (read(to_parent[0], &c, 1) != 1)
		return 1;
	demo_section("halfway: vmmap of the parent and the child");
	demo_vmmap(getpid(), pid);
	if (write(to_child[1], "g", 1) != 1 || read(to_parent[0], &c, 1) != 1)
		return 1;
	demo_section("at the end: vmmap again");
	demo_vmmap(getpid(), pid);
	if (write(to_child[1], "g", 1) != 1)
		return 1;
	int status;
	waitpid(pid, &status, 0);
	demo_section("why");
	printf("  After fork the buffer's pages were shared: mm_fork (pt_fork_cow, then\n"
	       "  copy_leaves_cow for each page table) made each page read-only in both\n"
	       "  page tables and took one more reference on its frame. Each first\n"
	       "  write by the child faulted; the frame had two\n"
	       "  owners, so fault_cow_copy gave the child a copy (AspenCowCopies counts\n"
	       "  them). When the child exits, the parent's next write to such a page\n"
	       "  finds itself sole owner and fault_cow_reuse just makes it writable.\n");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
