/*
 * spawn.c - posix_spawn and posix_spawnp, which musl and glibc build on
 * clone(CLONE_VM|CLONE_VFORK) with a separate child stack: PATH search,
 * file actions (addopen, adddup2, addclose), a three-stage pipeline,
 * the errno of a failed exec coming back as the return value, and the
 * attributes setpgroup, setsigmask, setsigdef and resetids.
 *
 * Attribute checks re-execute this program as a reporter: with
 * SPAWN_REPORT set, a constructor prints "pid pgid blocked-SIGUSR1
 * SIGUSR2-action uid euid" before main and exits.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <spawn.h>

extern char **environ;

__attribute__((constructor)) static void spawn_reporter(void)
{
	struct sigaction sa;
	sigset_t mask;

	if (!getenv("SPAWN_REPORT"))
		return;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	sigaction(SIGUSR2, NULL, &sa);
	printf("%d %d %d %s %d %d\n", (int)getpid(), (int)getpgid(0), sigismember(&mask, SIGUSR1),
	       sa.sa_handler == SIG_IGN ? "ign" : sa.sa_handler == SIG_DFL ? "dfl" : "handler",
	       (int)getuid(), (int)geteuid());
	fflush(stdout);
	_exit(0);
}

static void set_path(void)
{
	setenv("PATH", "/bin:/usr/bin", 1);
}

/* Read everything from fd until EOF into buf (NUL-terminated). */
static void read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t r;

	while (got < size - 1 && (r = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
}

/* Spawn argv (posix_spawnp) with stdout into a pipe; its output in buf
 * and its wait status returned. */
static int spawn_capture(char *const argv[], posix_spawnattr_t *attr, char *buf, size_t size)
{
	posix_spawn_file_actions_t fa;
	int fds[2];
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, fds[1], 1), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, fds[0]), 0);
	int err = posix_spawnp(&pid, argv[0], &fa, attr, argv, environ);
	CHECK(err == 0, "posix_spawnp %s: %s", argv[0], strerror(err));
	close(fds[1]);
	read_all(fds[0], buf, size);
	close(fds[0]);
	posix_spawn_file_actions_destroy(&fa);
	return wait_status(pid);
}

GTEST(spawnp_echo_by_path)
{
	char *argv[] = { "echo", "hello", "spawn", NULL };
	char buf[64];

	set_path();
	CHECK_EXITED(spawn_capture(argv, NULL, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "hello spawn\n") == 0, "echo printed \"%s\"", buf);
}

GTEST(spawn_addopen_sends_stdout_to_file)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "echo", "into", "the", "file", NULL };
	char buf[64];
	pid_t pid;

	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 1, "spawn-out", O_WRONLY | O_CREAT | O_TRUNC, 0644), 0);
	CHECK_EQ(posix_spawn(&pid, "/bin/echo", &fa, NULL, argv, environ), 0);
	CHECK_EXITED(wait_status(pid), 0);
	int fd = open("spawn-out", O_RDONLY);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	read_all(fd, buf, sizeof(buf));
	CHECK(strcmp(buf, "into the file\n") == 0, "file holds \"%s\"", buf);
	close(fd);
	unlink("spawn-out");
	posix_spawn_file_actions_destroy(&fa);
}

/* printf 'b\na\nc\n' | sort | tr a-z A-Z, each stage spawned with its
 * stdin and stdout dup2'ed from pipes. */
GTEST(spawn_three_stage_pipeline_with_adddup2)
{
	char *stages[3][3] = { { "printf", "b\\na\\nc\\n", NULL }, { "sort", NULL }, { "tr", "a-z", "A-Z" } };
	char *argv3[] = { "tr", "a-z", "A-Z", NULL };
	int p1[2], p2[2], p3[2];
	pid_t pids[3];
	char buf[64];

	set_path();
	CHECK_EQ(pipe(p1), 0);
	CHECK_EQ(pipe(p2), 0);
	CHECK_EQ(pipe(p3), 0);
	int in[3] = { -1, p1[0], p2[0] }, out[3] = { p1[1], p2[1], p3[1] };
	for (int i = 0; i < 3; i++) {
		posix_spawn_file_actions_t fa;
		CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
		if (in[i] >= 0)
			CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, in[i], 0), 0);
		CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, out[i], 1), 0);
		int all[] = { p1[0], p1[1], p2[0], p2[1], p3[0], p3[1] };
		for (int k = 0; k < 6; k++)
			CHECK_EQ(posix_spawn_file_actions_addclose(&fa, all[k]), 0);
		char **argv = i == 2 ? argv3 : stages[i];
		int err = posix_spawnp(&pids[i], argv[0], &fa, NULL, argv, environ);
		CHECK(err == 0, "spawn %s: %s", argv[0], strerror(err));
		posix_spawn_file_actions_destroy(&fa);
	}
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	close(p3[1]);
	read_all(p3[0], buf, sizeof(buf));
	CHECK(strcmp(buf, "A\nB\nC\n") == 0, "pipeline printed \"%s\"", buf);
	for (int i = 0; i < 3; i++)
		CHECK_EXITED(wait_status(pids[i]), 0);
}

GTEST(spawn_missing_program_enoent)
{
	char *argv[] = { "nope", NULL };
	pid_t pid = -1;

	set_path();
	CHECK_EQ(posix_spawn(&pid, "/no/such/program", NULL, NULL, argv, environ), ENOENT);
	CHECK_EQ(posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, argv, environ), ENOENT);
	while (waitpid(-1, NULL, 0) > 0)     /* glibc reaps the failed child itself, musl lets us */
		;
}

GTEST(spawn_exec_error_reaches_caller)
{
	char *argv[] = { "x", NULL };
	pid_t pid;
	int fd = open("spawn-noexec", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	CHECK_EQ(posix_spawn(&pid, "./spawn-noexec", NULL, NULL, argv, environ), EACCES);
	unlink("spawn-noexec");
	while (waitpid(-1, NULL, 0) > 0)
		;
}

GTEST(spawn_addclose_closes_in_child_only)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "sh", "-c", "echo x >&5", NULL };
	pid_t pid;
	int null = open("/dev/null", O_WRONLY);

	CHECK_EQ(dup2(null, 5), 5);
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, 5), 0);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0), 0);
	CHECK_EQ(posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ), 0);
	int status = wait_status(pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0, "sh wrote to a closed fd: %s", status_str(status));
	CHECK_EQ(fcntl(5, F_GETFD), 0);   /* still open here */
	posix_spawn_file_actions_destroy(&fa);
}

/* Spawn this program as a reporter with attr; parse its report. */
struct report {
	int pid, pgid, usr1_blocked, uid, euid;
	char usr2[16];
};

static struct report spawn_report(posix_spawnattr_t *attr, pid_t *pid_out)
{
	struct report r;
	char buf[128];
	char *argv[] = { gtest_argv[0], NULL };

	if (gtest_argv[0][0] != '/')
		SKIP("argv[0] is not an absolute path");
	setenv("SPAWN_REPORT", "1", 1);
	int status = spawn_capture(argv, attr, buf, sizeof(buf));
	unsetenv("SPAWN_REPORT");
	CHECK_EXITED(status, 0);
	CHECK(sscanf(buf, "%d %d %d %15s %d %d", &r.pid, &r.pgid, &r.usr1_blocked, r.usr2, &r.uid,
		     &r.euid) == 6, "report \"%s\"", buf);
	if (pid_out)
		*pid_out = r.pid;
	return r;
}

GTEST(spawn_setpgroup_zero_makes_own_group)
{
	posix_spawnattr_t attr;

	CHECK_EQ(posix_spawnattr_init(&attr), 0);
	struct report r = spawn_report(&attr, NULL);
	CHECK_EQ(r.pgid, getpgid(0));                  /* no attribute: ours */
	CHECK_EQ(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP), 0);
	CHECK_EQ(posix_spawnattr_setpgroup(&attr, 0), 0);
	r = spawn_report(&attr, NULL);
	CHECK_EQ(r.pgid, r.pid);
	posix_spawnattr_destroy(&attr);
}

GTEST(spawn_setsigmask_sets_child_mask)
{
	posix_spawnattr_t attr;
	sigset_t mask;

	CHECK_EQ(posix_spawnattr_init(&attr), 0);
	CHECK_EQ(spawn_report(&attr, NULL).usr1_blocked, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	CHECK_EQ(posix_spawnattr_setsigmask(&attr, &mask), 0);
	CHECK_EQ(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK), 0);
	CHECK_EQ(spawn_report(&attr, NULL).usr1_blocked, 1);
	posix_spawnattr_destroy(&attr);
}

GTEST(spawn_setsigdef_resets_ignored_signal)
{
	posix_spawnattr_t attr;
	sigset_t set;
	struct report r;

	signal(SIGUSR2, SIG_IGN);
	CHECK_EQ(posix_spawnattr_init(&attr), 0);
	r = spawn_report(&attr, NULL);
	CHECK(strcmp(r.usr2, "ign") == 0, "SIGUSR2 is %s without setsigdef", r.usr2);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK_EQ(posix_spawnattr_setsigdefault(&attr, &set), 0);
	CHECK_EQ(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF), 0);
	r = spawn_report(&attr, NULL);
	CHECK(strcmp(r.usr2, "dfl") == 0, "SIGUSR2 is %s with setsigdef", r.usr2);
	posix_spawnattr_destroy(&attr);
}

GTEST(spawn_resetids_gives_real_ids)
{
	posix_spawnattr_t attr;

	CHECK_EQ(posix_spawnattr_init(&attr), 0);
	CHECK_EQ(posix_spawnattr_setflags(&attr, POSIX_SPAWN_RESETIDS), 0);
	struct report r = spawn_report(&attr, NULL);
	CHECK_EQ(r.uid, getuid());
	CHECK_EQ(r.euid, getuid());
	posix_spawnattr_destroy(&attr);
}

GTEST(spawn_many_children_in_a_row)
{
	char *argv[] = { "true", NULL };

	set_path();
	for (int i = 0; i < 20; i++) {
		pid_t pid;
		int err = posix_spawnp(&pid, "true", NULL, NULL, argv, environ);
		CHECK(err == 0, "spawn %d: %s", i, strerror(err));
		CHECK_EXITED(wait_status(pid), 0);
	}
}
