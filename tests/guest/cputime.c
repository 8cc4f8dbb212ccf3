// GUEST: glibc
/*
 * cputime.c - CPU time is counted: a process that computes for a while
 * sees it in times(), getrusage() and /proc/self/stat, and its parent
 * sees the child's in wait4's rusage, RUSAGE_CHILDREN and tms_cutime.
 */
#include "gtest.h"
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPIN_MS 300
#define AT_LEAST_MS 100   /* generous: the count is per 10 ms tick */

static long cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Compute until the process has used ms of CPU time (not wall time: on
 * a busy host the wall clock runs ahead of the CPU time we get). */
static void spin(long ms)
{
	volatile unsigned long x = 0;
	long end = cpu_ms() + ms;
	while (cpu_ms() < end)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
}

static long tv_ms(struct timeval tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; }

static long ticks_ms(clock_t ticks) { return (long)ticks * 1000 / sysconf(_SC_CLK_TCK); }

GTEST(spinning_counts_as_user_time)
{
	spin(SPIN_MS);
	struct tms t;
	CHECK(times(&t) != (clock_t)-1);
	CHECK(ticks_ms(t.tms_utime + t.tms_stime) >= AT_LEAST_MS, "tms_utime %ld", (long)t.tms_utime);
	struct rusage ru;
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	CHECK(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= AT_LEAST_MS, "ru_utime %ld ms", tv_ms(ru.ru_utime));
	CHECK(ru.ru_minflt > 0);
}

GTEST(proc_stat_shows_the_time)
{
	spin(SPIN_MS);
	FILE *f = fopen("/proc/self/stat", "r");
	CHECK(f != NULL);
	char line[1024];
	CHECK(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	char *p = strrchr(line, ')');   /* fields after "pid (comm)" */
	CHECK(p != NULL);
	unsigned long utime = 0, stime = 0;
	/* after ")" come: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	CHECK(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2);
	CHECK(ticks_ms((clock_t)(utime + stime)) >= AT_LEAST_MS, "utime %lu stime %lu", utime, stime);
}

GTEST(parent_sees_child_time)
{
	pid_t pid = xfork();
	if (pid == 0) {
		spin(SPIN_MS);
		_exit(0);
	}
	int status;
	struct rusage ru;
	CHECK_EQ(wait4(pid, &status, 0, &ru), pid);
	CHECK(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= AT_LEAST_MS, "wait4 ru_utime %ld ms", tv_ms(ru.ru_utime));
	struct rusage children;
	CHECK(getrusage(RUSAGE_CHILDREN, &children) == 0);
	CHECK(tv_ms(children.ru_utime) + tv_ms(children.ru_stime) >= AT_LEAST_MS);
	struct tms t;
	times(&t);
	CHECK(ticks_ms(t.tms_cutime + t.tms_cstime) >= AT_LEAST_MS, "tms_cutime %ld", (long)t.tms_cutime);
}

static double load_average_1min(void)
{
	double one = 0;
	FILE *f = fopen("/proc/loadavg", "r");
	CHECK(f != NULL);
	CHECK(fscanf(f, "%lf", &one) == 1);
	fclose(f);
	return one;
}

/* The 1-minute load average rises while something runs: after one
 * 5-second fold with this process busy it is above zero. Computes until
 * it is: the test's timeout is the bound, not a guess of how much CPU
 * time a busy host gives it in 5 s (natively the host's load is there
 * already). */
GTEST_SLOW(load_average_rises_while_busy, 60)
{
	while (load_average_1min() <= 0.0)
		spin(100);
}
