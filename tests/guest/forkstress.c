/*
 * forkstress.c - many processes: a thousand fork/exit/wait cycles, and
 * 64 children alive at once, all reaped. On Aspen every frame comes back
 * afterwards: frames in use return exactly to the baseline.
 */
#include "gtest.h"

#define CYCLES          1000
#define ALIVE           64
#define SETTLE_POLL_MS  10
#define SETTLE_POLLS    2000 /* up to 20 s for a kernel that frees lazily on a busy host */

static void fork_exit_wait_cycles(void)
{
	for (int i = 0; i < CYCLES; i++) {
		pid_t pid = xfork();
		if (pid == 0)
			_exit(i & 0xff);
		CHECK_EXITED(wait_status(pid), i & 0xff);
	}
}

/* ALIVE children each block on a pipe until the parent closes it; none
 * may exit early; then all exit and each is reaped exactly once. */
static void many_alive(void)
{
	static pid_t pids[ALIVE];
	static bool reaped[ALIVE];
	int fds[2], status;
	char c;

	CHECK_EQ(pipe(fds), 0);
	for (int i = 0; i < ALIVE; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(i);
		}
		reaped[i] = false;
	}
	close(fds[0]);
	CHECK_EQ(waitpid(-1, &status, WNOHANG), 0); /* all still blocked */
	close(fds[1]);
	for (int n = 0; n < ALIVE; n++) {
		pid_t pid = wait(&status);
		int i = WEXITSTATUS(status);
		CHECK(pid > 0, "wait: %s", strerror(errno));
		CHECK(WIFEXITED(status) && i < ALIVE && pids[i] == pid && !reaped[i],
		      "%s from pid %d", status_str(status), (int)pid);
		reaped[i] = true;
	}
	CHECK_ERR(wait(NULL), ECHILD);
}

GTEST(fork_exit_wait_1000_cycles)
{
	fork_exit_wait_cycles();
}

GTEST(sixty_four_children_alive_then_reaped)
{
	many_alive();
}

/* Aspen: after a warm-up round (which lets kernel caches grow to their
 * working size), another round returns frames in use exactly to where
 * they were. */
GTEST(forkstress_frames_return_to_baseline)
{
	struct aspen_counters base, now = { 0 };

	ASPEN_ONLY();
	fork_exit_wait_cycles();
	many_alive();
	base = counters_self();
	fork_exit_wait_cycles();
	many_alive();
	for (int i = 0; i < SETTLE_POLLS; i++) {
		now = counters_self();
		if (now.sys_frames_used == base.sys_frames_used)
			break;
		sleep_ms(SETTLE_POLL_MS);
	}
	CHECK_EQ(now.sys_frames_used, base.sys_frames_used);
	CHECK(now.sys_forks - base.sys_forks >= CYCLES + ALIVE, "forks counted %llu -> %llu",
	      (unsigned long long)base.sys_forks, (unsigned long long)now.sys_forks);
}
