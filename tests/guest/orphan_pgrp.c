// GUEST: glibc
/*
 * orphan_pgrp.c - a process group that becomes orphaned while one of its
 * members is stopped gets SIGHUP then SIGCONT (POSIX, as Linux does), so
 * that a stopped job whose shell died does not stay stopped for ever.
 * Here: P makes C the leader of a new group in the same session; C stops;
 * P exits, leaving C's group with no parent in the session outside it.
 */
#include "gtest.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int report_fd;

static void on_hup(int sig)
{
	(void)!write(report_fd, "H", 1);
}

static void on_cont(int sig)
{
	(void)!write(report_fd, "C", 1);
}

GTEST(orphaned_stopped_group_gets_sighup_and_sigcont)
{
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t mid = xfork();
	if (mid == 0) {
		pid_t c = fork();
		if (c == 0) {
			report_fd = p[1];
			signal(SIGHUP, on_hup);
			signal(SIGCONT, on_cont);
			setpgid(0, 0);
			raise(SIGSTOP);
			sleep_ms(200);   /* let both handlers run */
			_exit(0);
		}
		int st;
		setpgid(c, c);
		if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st))
			_exit(3);
		_exit(0);   /* C's group is orphaned now */
	}
	close(p[1]);
	CHECK_EXITED(wait_status(mid), 0);
	char got[4] = { 0 };
	int n = 0;
	for (int tries = 0; tries < 300 && n < 2; tries++) {
		ssize_t r = read(p[0], got + n, (size_t)(2 - n));
		if (r > 0)
			n += (int)r;
		else
			break;
	}
	CHECK_EQ(n, 2);
	/* Both arrive while C is stopped; the handlers may run in either order. */
	CHECK((got[0] == 'H' && got[1] == 'C') || (got[0] == 'C' && got[1] == 'H'), "got \"%s\"", got);
}
