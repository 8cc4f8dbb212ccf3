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

GTEST(realtime_and_monotonic_advance_together)
{
	double r0 = secs(CLOCK_REALTIME), m0 = secs(CLOCK_MONOTONIC);
	sleep_ms(200);
	double dr = secs(CLOCK_REALTIME) - r0, dm = secs(CLOCK_MONOTONIC) - m0;
	CHECK(dm >= 0.19 && dm < 2.0, "monotonic moved %.3f s over a 200 ms sleep", dm);
	CHECK(dr > dm - 0.05 && dr < dm + 0.05, "realtime moved %.3f s, monotonic %.3f s", dr, dm);
	CHECK(r0 > 1.7e9, "the wall clock reads %.0f, before 2023", r0);
}

GTEST(new_file_times_are_now)
{
	char path[] = "/tmp/clock-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	double now = secs(CLOCK_REALTIME);
	CHECK(st.st_mtime <= now + 1 && st.st_mtime >= now - 5, "mtime %ld, now %.0f", (long)st.st_mtime, now);
	close(fd);
	unlink(path);
}
