// GUEST: glibc
/*
 * clock.c - the clocks: the wall clock comes from the hardware clock and
 * moves with the monotonic one; files get their times from it; sleeping
 * takes about as long as asked.
 */
#include "gtest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double secs(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The wall clock, read between two readings of the monotonic clock:
 * *mono is their middle and *slack half their distance, how long this
 * process may have been held up around the reading on a busy host. */
static double realtime_between_monotonic(double *mono, double *slack)
{
	double before = secs(CLOCK_MONOTONIC), real = secs(CLOCK_REALTIME), after = secs(CLOCK_MONOTONIC);
	*mono = (before + after) / 2;
	*slack = (after - before) / 2;
	return real;
}

GTEST(realtime_and_monotonic_advance_together)
{
	double m0, s0, m1, s1;
	double r0 = realtime_between_monotonic(&m0, &s0);
	sleep_ms(200);
	double r1 = realtime_between_monotonic(&m1, &s1);
	double dr = r1 - r0, dm = m1 - m0;
	CHECK(dm >= 0.19, "monotonic moved %.3f s over a 200 ms sleep", dm);
	CHECK(dr > dm - 0.05 - s0 - s1 && dr < dm + 0.05 + s0 + s1, "realtime moved %.3f s, monotonic %.3f s", dr, dm);
	CHECK(r0 > 1.7e9, "the wall clock reads %.0f, before 2023", r0);
}

GTEST(new_file_times_are_now)
{
	char path[] = "/tmp/clock-XXXXXX";
	double before = secs(CLOCK_REALTIME);
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	double after = secs(CLOCK_REALTIME);
	CHECK(st.st_mtime >= (long)before - 1 && st.st_mtime <= (long)after + 1, "mtime %ld, between %.0f and %.0f",
	      (long)st.st_mtime, before, after);
	close(fd);
	unlink(path);
}
