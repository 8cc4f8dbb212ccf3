/*
 * tools.h - what Aspen's own programs (init, the tools, the demos) share:
 * reporting a child's end as a shell does, and reading /proc/vmstat.
 * Everything here works the same on Linux.
 */
#ifndef ASPEN_USER_TOOLS_H
#define ASPEN_USER_TOOLS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define EXIT_CANNOT_RUN    127  /* as shells report a command they cannot run */
#define SIGNAL_STATUS_BASE 128  /* a child killed by signal N reports 128 + N */

/* A wait status as a shell reports it: the exit code, or 128 + signal. */
static inline int status_code(int status)
{
	return WIFSIGNALED(status) ? SIGNAL_STATUS_BASE + WTERMSIG(status) : WEXITSTATUS(status);
}

/* The value of counter key in /proc/vmstat ("pswpout", ...), -1 if absent. */
static inline long vmstat(const char *key)
{
	char line[128];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/vmstat", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			v = atol(line + n + 1);
	if (f)
		fclose(f);
	return v;
}
#endif
