/*
 * wait.c - exit and wait: a dead child stays a zombie until waited for,
 * its exit status or killing signal comes back whole, and the WNOHANG,
 * ECHILD and waitid cases behave as on Linux.
 */
#include "gtest.h"

#define NCHILDREN      8

/* A child that blocks until the returned fd is closed, then exits with
 * code. */
static pid_t blocked_child(int code, int *release_fd)
{
	int fds[2];
	char c;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = xfork();
	if (pid == 0) {
		close(fds[1]);
		while (read(fds[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(code);
	}
	close(fds[0]);
	*release_fd = fds[1];
	return pid;
}

GTEST(zombie_stays_until_waited)
{
	pid_t pid = xfork();

	if (pid == 0)
		_exit(7);
	wait_until_zombie(pid, 0);
	CHECK_EQ(kill(pid, 0), 0); /* still there, as a zombie */
	CHECK_EXITED(wait_status(pid), 7);
	CHECK_ERR(kill(pid, 0), ESRCH);
	CHECK_ERR(waitpid(pid, NULL, 0), ECHILD);
}

GTEST(exit_codes_0_to_255_reach_wait)
{
	for (int code = 0; code < 256; code++) {
		pid_t pid = xfork();
		if (pid == 0)
			_exit(code);
		CHECK_EXITED(wait_status(pid), code);
	}
}

GTEST(exit_status_keeps_low_8_bits)
{
	pid_t pid = xfork();

	if (pid == 0)
		_exit(0x1234);
	CHECK_EXITED(wait_status(pid), 0x34);
}

GTEST(sigkill_reported_by_wait)
{
	int release;
	pid_t pid = blocked_child(0, &release);

	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_SIGNALED(wait_status(pid), SIGKILL);
	close(release);
}

GTEST(wnohang_returns_0_while_child_runs)
{
	int release, status;
	pid_t pid = blocked_child(3, &release);

	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	CHECK_EQ(waitpid(-1, &status, WNOHANG), 0);
	close(release);
	CHECK_EXITED(wait_status(pid), 3);
}

GTEST(wait_without_children_echild)
{
	CHECK_ERR(wait(NULL), ECHILD);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}

/* Only children can be waited for: not the parent, not init. */
GTEST(waitpid_non_child_echild)
{
	CHECK_ERR(waitpid(getppid(), NULL, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(1, NULL, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(getpid(), NULL, WNOHANG), ECHILD);
}

/* wait(-1) reaps every child exactly once, whatever the order. */
GTEST(wait_any_reaps_each_child_once)
{
	pid_t pids[NCHILDREN];
	int seen[NCHILDREN] = { 0 }, status;

	for (int i = 0; i < NCHILDREN; i++) {
		pids[i] = xfork();
		if (pids[i] == 0)
			_exit(i);
	}
	for (int n = 0; n < NCHILDREN; n++) {
		pid_t pid = wait(&status);
		int i = WEXITSTATUS(status);
		CHECK(pid > 0, "wait: %s", strerror(errno));
		CHECK(WIFEXITED(status) && i < NCHILDREN && pids[i] == pid, "%s from pid %d",
		      status_str(status), (int)pid);
		CHECK_EQ(seen[i]++, 0);
	}
	CHECK_ERR(wait(NULL), ECHILD);
}

GTEST(waitid_pid_exited_fills_siginfo)
{
	siginfo_t si;
	pid_t pid = xfork();

	if (pid == 0)
		_exit(42);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 42);
	CHECK_EQ(si.si_uid, getuid());
	CHECK_ERR(waitpid(pid, NULL, 0), ECHILD); /* waitid reaped it */
}

GTEST(waitid_all_killed_fills_siginfo)
{
	int release;
	siginfo_t si;
	pid_t pid = blocked_child(0, &release);

	CHECK_EQ(kill(pid, SIGKILL), 0);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGKILL);
	close(release);
}

/* WNOHANG with nothing to report: returns 0 and leaves si_pid 0. */
GTEST(waitid_wnohang_running_child_returns_0)
{
	int release;
	siginfo_t si;
	pid_t pid = blocked_child(5, &release);

	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);
	close(release);
	CHECK_EXITED(wait_status(pid), 5);
}

/* WNOWAIT reports the child but leaves it waitable. */
GTEST(waitid_wnowait_leaves_zombie)
{
	siginfo_t si;
	pid_t pid = xfork();

	if (pid == 0)
		_exit(9);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_status, 9);
	CHECK_EXITED(wait_status(pid), 9);
}

GTEST(waitid_bad_options_einval)
{
	siginfo_t si;

	CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL); /* no state asked for */
	CHECK_ERR(waitpid(-1, NULL, 0x100 /* no such flag */), EINVAL);
}
