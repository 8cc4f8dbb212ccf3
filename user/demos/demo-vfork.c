/*
 * demo-vfork - vfork then exec. The child borrows the parent's address
 * space until it calls exec; the parent stays stopped until then. Shown
 * two ways: a store the child makes before exec is seen by the parent
 * (the memory was shared; real code must not do this), and the parent
 * resumes while the exec'd child is still running (it waited for the
 * exec, not for the exit).
 */
#include "demo.h"
#include <time.h>

static volatile int marker;

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
	struct timespec t0;
	char *const args[] = { "sh", "-c", "sleep 1; echo '  child: exec done, now sh pid' $$, exiting", NULL };
	printf("demo-vfork: pid %d, marker = %d before vfork.\n", getpid(), marker);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = vfork();
	if (pid == 0) {
		marker = 1;                  /* lands in the parent's memory: no copy exists */
		execvp("sh", args);
		_exit(127);
	}
	long resumed_ms = ms_since(&t0);
	int status;
	bool still_running = waitpid(pid, &status, WNOHANG) == 0;
	demo_section("the parent, back from vfork");
	printf("  resumed %ld ms after vfork; the child (pid %d) is still running: %s\n",
	       resumed_ms, pid, still_running ? "yes" : "no");
	printf("  marker = %d: the child's store before exec %s\n", marker,
	       marker == 1 ? "is visible here: one address space" : "is not visible");
	fflush(stdout);
	waitpid(pid, &status, 0);
	demo_section("why");
	printf("  vfork is clone(CLONE_VM | CLONE_VFORK): do_clone shares the mm and\n"
	       "  the parent sleeps on a completion (vfork_done). exec_commit completes\n"
	       "  it once the child has its own new address space, so the parent runs\n"
	       "  again while the child's new program is still going.\n");
	return marker == 1 && still_running && WIFEXITED(status) ? 0 : 1;
}
