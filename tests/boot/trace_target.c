/* trace_target - the program tests/boot/strace_follows_forks.sh and
 * tests/boot/gdb_breakpoint_backtrace.sh trace: it writes, forks a
 * child that writes and exits 3, waits for it, then calls middle(), which
 * calls leaf() (gdb breaks there). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int leaf(int x) { return x * 2 + 1; }
__attribute__((noinline)) int middle(int x) { return leaf(x + 1) + 1; }

int main(void)
{
	write(1, "hello\n", 6);
	pid_t c = fork();
	if (c == 0) {
		write(1, "child\n", 6);
		_exit(3);
	}
	int st;
	waitpid(c, &st, 0);
	printf("middle %d status %d\n", middle(20), WEXITSTATUS(st));
	return 0;
}
