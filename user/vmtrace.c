/*
 * vmtrace - record what a program does to memory, with Aspen's memory
 * event trace (/proc/aspen-trace, docs/view.md).
 *
 *   vmtrace [-o FILE] PROGRAM [ARGS...]   trace PROGRAM and its children
 *   vmtrace [-o FILE] -p PID              trace a running process (and its
 *                                         future children) until interrupted
 *   vmtrace [-o FILE] --pump              only copy the trace out until the
 *                                         session ends (init's live view)
 *
 * The trace goes to FILE (default: standard output, between the
 * program's own lines). tools/aspen-view runs `vmtrace -o /dev/ttyS1
 * PROGRAM`: the second serial port carries the trace to the host.
 *
 * With a PROGRAM, vmtrace forks it stopped on a pipe, turns tracing on
 * for that child alone ("pid N"), starts a copier child of its own (not
 * traced: it is not the program's descendant), lets the program run,
 * waits for it, and turns tracing off ("off"), which snapshots what is
 * left and ends the trace; the copier then reads to the end and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tools.h"

#define TRACE_FILE "/proc/aspen-trace"
#define COPY_BUF   65536
#define EXIT_USAGE 2

static void usage(void)
{
	fprintf(stderr, "usage: vmtrace [-o FILE] PROGRAM [ARGS...]\n"
			"       vmtrace [-o FILE] -p PID\n"
			"       vmtrace [-o FILE] --pump\n");
	exit(EXIT_USAGE);
}

/* Write one control command; 0 or -1 (with a message). */
static int trace_command(const char *cmd)
{
	int fd = open(TRACE_FILE, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : write(fd, cmd, strlen(cmd));
	int saved = errno;
	if (fd >= 0)
		close(fd);
	if (n == (ssize_t)strlen(cmd))
		return 0;
	fprintf(stderr, "vmtrace: %s: %s: %s\n", TRACE_FILE, cmd,
		fd < 0 && saved == ENOENT ? "no memory trace here (Aspen only)" : strerror(saved));
	return -1;
}

/* Copy the trace to out until its end; returns 0 or -1. */
static int copy_trace(int out)
{
	static char buf[COPY_BUF];
	int in = open(TRACE_FILE, O_RDONLY);
	if (in < 0) {
		perror("vmtrace: " TRACE_FILE);
		return -1;
	}
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t done = 0, w; n > 0 && done < n; done += w)
			if ((w = write(out, buf + done, (size_t)(n - done))) <= 0)
				return -1;
	}
	close(in);
	return n < 0 ? -1 : 0;
}

/* A child copying the trace to out; its pid. */
static pid_t start_copier(int out)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(copy_trace(out) ? 1 : 0);
	return pid;
}

/* Fork PROGRAM, held until a byte arrives on *go; its pid. */
static pid_t start_held(char **argv, int *go)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(EXIT_CANNOT_RUN);
		close(p[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "vmtrace: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(EXIT_CANNOT_RUN);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int trace_program(char **argv, int out)
{
	int go, status = 0;
	char cmd[32];
	pid_t prog = start_held(argv, &go);
	if (prog < 0)
		return EXIT_CANNOT_RUN;
	snprintf(cmd, sizeof(cmd), "pid %d", (int)prog);
	if (trace_command(cmd)) {
		kill(prog, SIGKILL);
		waitpid(prog, NULL, 0);
		return EXIT_CANNOT_RUN;
	}
	pid_t copier = start_copier(out);
	if (write(go, "g", 1) != 1)
		kill(prog, SIGKILL);
	close(go);
	waitpid(prog, &status, 0);
	trace_command("off");
	waitpid(copier, NULL, 0);
	return status_code(status);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = 1; }

/* -p PID: trace it, copying until a signal, then end the session. */
static int trace_pid(const char *pid, int out)
{
	char cmd[32];
	snprintf(cmd, sizeof(cmd), "pid %s", pid);
	if (trace_command(cmd))
		return 1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pid_t copier = start_copier(out);
	while (!stop && waitpid(copier, NULL, 0) < 0 && errno == EINTR)
		;
	trace_command("off");
	waitpid(copier, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	int out = STDOUT_FILENO, i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out = open(argv[i + 1], O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, 0644);
		if (out < 0) {
			fprintf(stderr, "vmtrace: %s: %s\n", argv[i + 1], strerror(errno));
			return 1;
		}
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--pump"))
		return copy_trace(out) ? 1 : 0;
	if (i + 1 < argc && !strcmp(argv[i], "-p"))
		return trace_pid(argv[i + 1], out);
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc || argv[i][0] == '-')
		usage();
	return trace_program(argv + i, out);
}
