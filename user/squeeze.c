/*
 * squeeze - run a program with memory tight, so that its pages go to
 * swap and come back while it runs.
 *
 *   squeeze [-l] FREE_MIB PROGRAM [ARGS...]
 *
 * squeeze takes all but FREE_MIB of the free memory for itself and keeps
 * it in use (it touches every page each 100 ms), so that the reclaim
 * clock finds the program's idle pages the ones to send to swap, and the
 * program reads them back when it needs them. With -l it locks them
 * instead (mlock): the program then has FREE_MIB and what it can send to
 * swap, whatever the timing. It runs PROGRAM with ARGS, waits for it,
 * prints how many pages went out and came back meanwhile (from
 * /proc/vmstat), and exits with PROGRAM's status (128 + signal if it
 * was killed), as a shell would. make test runs the fork, thread and mm
 * guest tests under it in a boot with little RAM (tests/run-all.sh,
 * LOWMEM_TESTS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include "tools.h"

#define PAGE 4096UL
#define MIB (1UL << 20)
#define TOUCH_NS 100000000L    /* 100 ms between passes over our pages */

/* Map and write (or lock) all but keep_mib of the free memory; its size
 * in *len. */
static volatile char *take_memory(unsigned long keep_mib, bool lock, size_t *len)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return NULL;
	unsigned long free_bytes = si.freeram * si.mem_unit;
	*len = free_bytes > keep_mib * MIB ? (free_bytes - keep_mib * MIB) & ~(PAGE - 1) : PAGE;
	volatile char *p = mmap(NULL, *len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | (lock ? MAP_LOCKED : 0), -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < *len; i += PAGE)
		p[i] = 1;
	return p;
}

int main(int argc, char **argv)
{
	bool lock = argc > 1 && !strcmp(argv[1], "-l");
	argv += lock;
	argc -= lock;
	if (argc < 3) {
		fprintf(stderr, "usage: squeeze [-l] FREE_MIB PROGRAM [ARGS...]\n");
		return 2;
	}
	size_t len;
	volatile char *p = take_memory(strtoul(argv[1], NULL, 10), lock, &len);
	if (!p) {
		perror("squeeze: mmap");
		return EXIT_CANNOT_RUN;
	}
	long in = vmstat("pswpin"), out = vmstat("pswpout");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		munmap((void *)p, len);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "squeeze: %s: %s\n", argv[2], strerror(errno));
		_exit(EXIT_CANNOT_RUN);
	}
	if (pid < 0) {
		perror("squeeze: fork");
		return EXIT_CANNOT_RUN;
	}
	int status;
	struct timespec pause = { 0, TOUCH_NS };
	while (lock ? waitpid(pid, &status, 0) < 0 : waitpid(pid, &status, WNOHANG) == 0) {
		for (size_t i = 0; !lock && i < len; i += PAGE)
			p[i]++;
		if (!lock)
			nanosleep(&pause, NULL);
	}
	printf("# squeeze: %lu MiB held; while it ran, %ld pages went to swap and %ld came back\n",
	       (unsigned long)(len / MIB), vmstat("pswpout") - out, vmstat("pswpin") - in);
	return status_code(status);
}
