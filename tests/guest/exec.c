/*
 * exec.c - execve as Linux has it: the new program keeps the descriptors
 * not marked close-on-exec and loses the others, gets its argv and envp
 * whole (100 KiB of argv too), runs "#!" scripts through their
 * interpreter, starts with default handlers (ignored signals stay
 * ignored, the mask stays); and an exec that fails returns its errno
 * with the caller's memory untouched.
 *
 * The program re-executes itself as a helper: with EXEC_HELPER set in
 * its environment a constructor runs the check named there before main
 * and exits with 0 for success or a code naming the failed check.
 */
// GUEST: glibc
#include "gtest.h"
#include <fcntl.h>
#include <sys/stat.h>

#define BIG_ARG_LEN (100 * 1024)
#define KEEP_FD 20
#define CLOEXEC_FD 21

extern char **environ;

/* ---- the helper side ---- */

static int helper_fds(void)
{
	if (fcntl(KEEP_FD, F_GETFD) != 0)
		return 10;
	char c;
	if (read(KEEP_FD, &c, 1) != 1 || c != 'k')
		return 11;
	if (fcntl(CLOEXEC_FD, F_GETFD) != -1 || errno != EBADF)
		return 12;
	return 0;
}

static int helper_argv(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[2], "end") != 0)
		return 20;
	if (strlen(argv[1]) != BIG_ARG_LEN)
		return 21;
	for (size_t i = 0; i < BIG_ARG_LEN; i++)
		if (argv[1][i] != 'a' + (char)(i % 26))
			return 22;
	if (!getenv("EXEC_MARK") || strcmp(getenv("EXEC_MARK"), "present") != 0)
		return 23;
	return 0;
}

static int helper_signals(void)
{
	struct sigaction sa;
	sigset_t mask;

	if (sigaction(SIGUSR1, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL)
		return 30;
	if (sigaction(SIGUSR2, NULL, &sa) != 0 || sa.sa_handler != SIG_IGN)
		return 31;
	if (sigprocmask(SIG_SETMASK, NULL, &mask) != 0 || !sigismember(&mask, SIGTERM))
		return 32;
	return 0;
}

__attribute__((constructor)) static void exec_helper(void)
{
	const char *mode = getenv("EXEC_HELPER");
	int argc;

	if (!mode)
		return;
	if (strcmp(mode, "fds") == 0)
		_exit(helper_fds());
	if (strcmp(mode, "argv") == 0) {
		char **argv = initial_argv(&argc);
		_exit(helper_argv(argc, argv));
	}
	if (strcmp(mode, "signals") == 0)
		_exit(helper_signals());
	_exit(99);
}

/* ---- the test side ---- */

/* The path of this program, for re-executing it. */
static const char *self(void)
{
	const char *p = gtest_argv[0];

	if (p[0] != '/')
		SKIP("run with a relative argv[0] (%s)", p);
	return p;
}

/* Run this program as helper mode with argv, in a child; its wait status. */
static int run_helper(const char *mode, char **argv)
{
	pid_t pid = xfork();

	if (pid == 0) {
		char var[64];
		snprintf(var, sizeof(var), "EXEC_HELPER=%s", mode);
		char *envp[] = { var, "EXEC_MARK=present", NULL };
		execve(self(), argv, envp);
		_exit(98);
	}
	return wait_status(pid);
}

GTEST(exec_keeps_fds_closes_cloexec_ones)
{
	int fds[2];
	char *argv[] = { (char *)self(), NULL };

	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write(fds[1], "k", 1), 1);
	CHECK_EQ(dup2(fds[0], KEEP_FD), KEEP_FD);
	CHECK_EQ(dup3(fds[0], CLOEXEC_FD, O_CLOEXEC), CLOEXEC_FD);
	CHECK_EXITED(run_helper("fds", argv), 0);
}

GTEST(exec_fcntl_setfd_cloexec_is_honoured)
{
	char *argv[] = { (char *)self(), NULL };
	int fds[2];

	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write(fds[1], "k", 1), 1);
	CHECK_EQ(dup2(fds[0], KEEP_FD), KEEP_FD);
	CHECK_EQ(dup2(fds[0], CLOEXEC_FD), CLOEXEC_FD);
	CHECK_EQ(fcntl(CLOEXEC_FD, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EXITED(run_helper("fds", argv), 0);
}

GTEST(exec_argv_of_100k_arrives_whole)
{
	char *big = malloc(BIG_ARG_LEN + 1);

	CHECK(big != NULL);
	for (size_t i = 0; i < BIG_ARG_LEN; i++)
		big[i] = 'a' + (char)(i % 26);
	big[BIG_ARG_LEN] = 0;
	char *argv[] = { (char *)self(), big, "end", NULL };
	CHECK_EXITED(run_helper("argv", argv), 0);
}

GTEST(exec_resets_handlers_keeps_ignored_and_mask)
{
	char *argv[] = { (char *)self(), NULL };
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t mask;

	signal(SIGUSR1, (void (*)(int))exit);     /* any handler */
	CHECK_EQ(sigaction(SIGUSR2, &sa, NULL), 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
	CHECK_EXITED(run_helper("signals", argv), 0);
}

/* Write a file of the given mode and contents in the current directory. */
static void make_file(const char *name, mode_t mode, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);

	CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(chmod(name, mode), 0);
}

GTEST(exec_failures_return_errno_and_leave_caller_intact)
{
	static char pattern[3 * 4096];
	char *argv[] = { "x", NULL };

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (char)(i * 7);
	make_file("exec-noexec", 0644, "#!/bin/sh\nexit 0\n");
	make_file("exec-garbage", 0755, "this is not a program at all\n");
	make_file("exec-empty", 0755, "");
	CHECK_ERR(execve("/no/such/program", argv, environ), ENOENT);
	CHECK_ERR(execve("", argv, environ), ENOENT);
	CHECK_ERR(execve("exec-noexec", argv, environ), EACCES);
	CHECK_ERR(execve(".", argv, environ), EACCES);
	CHECK_ERR(execve("exec-garbage", argv, environ), ENOEXEC);
	CHECK_ERR(execve("exec-empty", argv, environ), ENOEXEC);
	CHECK_ERR(execve("exec-garbage/x", argv, environ), ENOTDIR);
	CHECK_ERR(syscall(SYS_execve, (char *)8, argv, environ), EFAULT);
	CHECK_ERR(syscall(SYS_execve, self(), (char **)8, environ), EFAULT);
	for (size_t i = 0; i < sizeof(pattern); i++)
		CHECK(pattern[i] == (char)(i * 7), "byte %zu changed", i);
	unlink("exec-noexec");
	unlink("exec-garbage");
	unlink("exec-empty");
}

GTEST(exec_string_over_128k_is_e2big)
{
	size_t len = 128 * 1024 + 1;           /* past MAX_ARG_STRLEN with its NUL */
	char *big = malloc(len + 1);

	CHECK(big != NULL);
	memset(big, 'x', len);
	big[len] = 0;
	char *argv[] = { "x", big, NULL };
	CHECK_ERR(execve(self(), argv, environ), E2BIG);
}

GTEST(exec_shebang_script_runs_with_args)
{
	pid_t pid;

	make_file("exec-script.sh", 0755, "#!/bin/sh\nexit $(($1 + $2))\n");
	pid = xfork();
	if (pid == 0) {
		char *argv[] = { "exec-script.sh", "3", "4", NULL };
		execve("./exec-script.sh", argv, environ);
		_exit(98);
	}
	CHECK_EXITED(wait_status(pid), 7);
	unlink("exec-script.sh");
}

GTEST(exec_shebang_passes_optional_argument)
{
	pid_t pid;
	int fds[2];
	char buf[64] = "";

	/* "#!/bin/sh -e": sh gets -e, then the script's path, then the args. */
	make_file("exec-script2.sh", 0755, "#!/bin/sh -e\necho \"$0|$1\"\n");
	CHECK_EQ(pipe(fds), 0);
	pid = xfork();
	if (pid == 0) {
		dup2(fds[1], 1);
		char *argv[] = { "ignored-name", "arg1", NULL };
		execve("./exec-script2.sh", argv, environ);
		_exit(98);
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	CHECK(strcmp(buf, "./exec-script2.sh|arg1\n") == 0, "script printed \"%s\"", buf);
	CHECK_EXITED(wait_status(pid), 0);
	unlink("exec-script2.sh");
}

GTEST(exec_keeps_pid_and_parent)
{
	int fds[2];
	char buf[64] = "", want[64];
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = xfork();
	if (pid == 0) {
		dup2(fds[1], 1);
		char *argv[] = { "sh", "-c", "echo $$ $PPID", NULL };
		execve("/bin/sh", argv, environ);
		_exit(98);
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	snprintf(want, sizeof(want), "%d %d\n", (int)pid, (int)getpid());
	CHECK(strcmp(buf, want) == 0, "child printed \"%s\", expected \"%s\"", buf, want);
	CHECK_EXITED(wait_status(pid), 0);
}
