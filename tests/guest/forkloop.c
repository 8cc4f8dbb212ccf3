/*
 * forkloop.c - running out of memory by forking, as a user would try it
 * (issue 12): fork until fork fails, then kill and reap every child.
 * Fork must fail cleanly (ENOMEM or EAGAIN) while the parent lives on,
 * and every child must be reaped; the harness then checks that every
 * frame and every swap slot came back. Aspen-only: natively it would
 * fill the host with processes. In 128 MiB, as the issue tried it.
 */
// MEM: 128
#include "gtest.h"
#include <sys/resource.h>

#define MAX_CHILDREN 40000
#define FORKLOOP_TIMEOUT 600

static pid_t children[MAX_CHILDREN];

/* A child: wait to be killed, holding what a forked process holds. */
static void idle_child(int fd)
{
	char c;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

GTEST_SLOW(fork_until_failure_then_reap_all, FORKLOOP_TIMEOUT)
{
	int fds[2], n = 0, err = 0;

	ASPEN_ONLY();
	CHECK_EQ(pipe(fds), 0);
	while (n < MAX_CHILDREN) {
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[1]);
			idle_child(fds[0]);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		children[n++] = pid;
	}
	CHECK(n < MAX_CHILDREN, "fork never failed");
	CHECK(err == ENOMEM || err == EAGAIN, "fork failed with %s", strerror(err));
	printf("# %d children before fork failed with %s\n", n, strerror(err));
	for (int i = 0; i < n; i++)
		kill(children[i], SIGKILL);
	close(fds[0]);
	close(fds[1]);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(reaped, n);
	pid_t pid = xfork();   /* the system forks again */
	if (pid == 0)
		_exit(7);
	CHECK_EXITED(wait_status(pid), 7);
}
