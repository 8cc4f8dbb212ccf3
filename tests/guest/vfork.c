/*
 * vfork.c - vfork as Linux has it: the child runs in the parent's memory
 * while the parent waits; the parent resumes only once the child has
 * exec'd (here: echo, found through PATH) or exited, with its own
 * variables intact; and what the child wrote before exec comes first.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>

#define CHILD_DELAY_MS 100

extern char **environ;

static volatile int stage;      /* written by the vfork child, in the shared memory */

GTEST(vfork_exec_echo_by_path_parent_waits_for_exec)
{
	int out = open("vfork-out", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	volatile int local = 1234;
	char buf[256];
	pid_t pid;

	CHECK(out >= 0, "open: %s", strerror(errno));
	setenv("PATH", "/bin:/usr/bin", 1);
	stage = 0;
	pid = vfork();
	if (pid == 0) {
		/* The parent is frozen: this write lands first, and the parent
		 * will see stage 2 only because it waited for the exec. */
		write(out, "child\n", 6);
		stage = 1;
		struct timespec ts = { 0, CHILD_DELAY_MS * 1000000L };
		nanosleep(&ts, NULL);
		stage = 2;
		dup2(out, 1);
		execlp("echo", "echo", "from", "echo", (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0, "vfork: %s", strerror(errno));
	CHECK_EQ(stage, 2);
	CHECK_EQ(local, 1234);
	CHECK_EQ(write(out, "parent\n", 7), 7);
	CHECK_EXITED(wait_status(pid), 0);
	read_file("vfork-out", buf, sizeof(buf));
	CHECK(strncmp(buf, "child\n", 6) == 0, "file starts \"%s\"", buf);
	CHECK(strstr(buf, "from echo\n") && strstr(buf, "parent\n"), "file is \"%s\"", buf);
	CHECK_EQ(strlen(buf), 6 + 10 + 7);
	unlink("vfork-out");
}

GTEST(vfork_child_exit_resumes_parent)
{
	pid_t pid;

	stage = 0;
	pid = vfork();
	if (pid == 0) {
		stage = 5;
		_exit(3);
	}
	CHECK_EQ(stage, 5);         /* memory is shared until the child goes */
	CHECK_EXITED(wait_status(pid), 3);
}

GTEST(vfork_failed_exec_then_exit_reports_status)
{
	pid_t pid;
	volatile int err = 0;

	pid = vfork();
	if (pid == 0) {
		execl("/no/such/program", "x", (char *)NULL);
		err = errno;           /* shared memory: the parent sees it */
		_exit(127);
	}
	CHECK_EQ(err, ENOENT);
	CHECK_EXITED(wait_status(pid), 127);
}

GTEST(vfork_child_gets_own_descriptor_table)
{
	int fds[2];
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = vfork();
	if (pid == 0) {
		close(fds[0]);          /* only the child's table */
		_exit(0);
	}
	CHECK_EXITED(wait_status(pid), 0);
	CHECK_EQ(fcntl(fds[0], F_GETFD), 0);
}

GTEST(vfork_getppid_and_getpid)
{
	pid_t me = getpid(), pid;
	volatile pid_t seen_parent = 0, seen_self = 0;

	pid = vfork();
	if (pid == 0) {
		seen_parent = (pid_t)syscall(SYS_getppid);
		seen_self = (pid_t)syscall(SYS_getpid);
		_exit(0);
	}
	CHECK_EQ(seen_parent, me);
	CHECK_EQ(seen_self, pid);
	CHECK_EXITED(wait_status(pid), 0);
}
