// GUEST: glibc
/*
 * reap.c - who collects a dead child. A parent that ignores SIGCHLD, or
 * sets SA_NOCLDWAIT, gets no zombies: the kernel releases the child at
 * once, and wait finds nothing (ECHILD). A child made by clone with an
 * exit signal other than SIGCHLD is seen by wait only with __WCLONE or
 * __WALL.
 */
#include "gtest.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif

static void exits_at_once(void) { _exit(3); }

/* Fork a child that exits, with SIGCHLD set up by the caller; then wait
 * must find no zombie and the pid must be gone. */
static void check_no_zombie(void)
{
	pid_t pid = xfork();
	if (pid == 0)
		exits_at_once();
	int status;
	errno = 0;
	CHECK(waitpid(pid, &status, 0) == -1 && errno == ECHILD, "waitpid returned a zombie");
	CHECK(kill(pid, 0) == -1 && errno == ESRCH, "the child still exists");
}

GTEST(sigchld_ignored_leaves_no_zombie)
{
	CHECK(signal(SIGCHLD, SIG_IGN) != SIG_ERR);
	check_no_zombie();
}

GTEST(sa_nocldwait_leaves_no_zombie)
{
	struct sigaction sa = { .sa_handler = SIG_DFL, .sa_flags = SA_NOCLDWAIT };
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	check_no_zombie();
}

GTEST(default_sigchld_keeps_a_zombie_until_waited)
{
	pid_t pid = xfork();
	if (pid == 0)
		exits_at_once();
	wait_until_zombie(pid, 0);
	CHECK(kill(pid, 0) == 0, "the zombie is gone before wait");
	CHECK_EXITED(wait_status(pid), 3);
}

GTEST(clone_child_seen_only_with_wclone_or_wall)
{
	long pid = syscall(SYS_clone, 0 /* no exit signal */, 0, 0, 0, 0);
	if (pid == 0)
		_exit(5);
	CHECK(pid > 0);
	int status;
	wait_until_zombie((pid_t)pid, __WCLONE);   /* dead, not yet reaped */
	CHECK_ERR(waitpid((pid_t)pid, &status, WNOHANG), ECHILD);
	CHECK_EQ(waitpid((pid_t)pid, &status, __WCLONE), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
}

GTEST(wall_sees_both_kinds)
{
	long pid = syscall(SYS_clone, 0, 0, 0, 0, 0);
	if (pid == 0)
		_exit(6);
	CHECK(pid > 0);
	int status;
	CHECK_EQ(waitpid((pid_t)pid, &status, __WALL), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 6);
	pid_t p2 = xfork();
	if (p2 == 0)
		_exit(7);
	CHECK_EQ(waitpid(p2, &status, __WALL), p2);
	CHECK_EXITED(status, 7);
}
