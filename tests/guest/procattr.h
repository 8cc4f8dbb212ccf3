/* procattr.h - what procattr.c and procres.c share: their includes and
 * constants, and exec_report, which execve's the program itself as a
 * helper that prints what the exec kept (pdeath signal, TSC mode,
 * personality, timer slack, no_new_privs, membarrier registrations,
 * ioprio, name). */
#ifndef PROCATTR_H
#define PROCATTR_H
#define _GNU_SOURCE
#include "gtest.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <dirent.h>
#include <linux/kcmp.h>
#include <linux/membarrier.h>

#define HELPER_ENV "PROCATTR_HELPER"
#define BAD_PTR ((void *)8)
#define NO_PID 0x7fffffff

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3
#define IOPRIO(class, level) ((class) << 13 | (level))
#define RT 1
#define BE 2
#define IDLE 3

#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9)
#endif

/* Run with PROCATTR_HELPER set (by exec_report): print what execve
 * kept, one line, and exit. */
__attribute__((constructor)) static void procattr_helper(void)
{
	if (!getenv(HELPER_ENV))
		return;
	int pdeath = -1, tsc = -1;
	char name[16] = "";
	prctl(PR_GET_PDEATHSIG, &pdeath);
	prctl(PR_GET_TSC, &tsc);
	prctl(PR_GET_NAME, name);
	dprintf(1, "pdeath=%d tsc=%d pers=%#x slack=%d nnp=%d mb=%ld ioprio=%ld thp=%d mce=%d name=%s\n",
		pdeath, tsc, personality(0xffffffff), prctl(PR_GET_TIMERSLACK), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
		syscall(SYS_membarrier, MEMBARRIER_CMD_GET_REGISTRATIONS, 0, 0),
		syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0), prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0),
		prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), name);
	_exit(0);
}

/* A child runs setup (if any), then execve's this program as the
 * helper; the helper's line into out. */
static inline void exec_report_after(void (*setup)(void), char *out, size_t size)
{
	char *argv[] = { "/proc/self/exe", NULL };
	char *envp[] = { HELPER_ENV "=1", NULL };
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (setup)
			setup();
		dup2(p[1], 1);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(p[1]);
	ssize_t n, len = 0;
	while (len < (ssize_t)size - 1 && (n = read(p[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(p[0]);
	CHECK_EXITED(wait_status(pid), 0);
}

static inline void exec_report(char *out, size_t size)
{
	exec_report_after(NULL, out, size);
}
#endif
