/*
 * tiny.c - the small program the benchmark starts: static (musl), and
 * as tiny-dyn dynamically linked (plain gcc: ld.so and libc.so.6).
 *
 *   tiny                      exit 0 at once (the spawn figures)
 *   tiny chain K T0 FD        exec itself K more times, then write the
 *                             nanoseconds since T0 (CLOCK_MONOTONIC) as
 *                             a decimal line at offset 0 of descriptor FD
 *                             (the exec figure)
 *
 * argv[0] must be the program's own path: the chain execs argv[0].
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_EXEC_FAILED 127

static char *const empty_env[] = { NULL };

/* Nanoseconds of CLOCK_MONOTONIC. */
static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* The decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *utoa(unsigned long long v, char *buf)
{
	char tmp[21];
	int n = 0, i = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

/* The last link: report the elapsed time and end. */
static int chain_end(unsigned long long t0, int fd)
{
	char line[32];
	size_t len;

	utoa(now_ns() - t0, line);
	len = strlen(line);
	line[len++] = '\n';
	return pwrite(fd, line, len, 0) == (ssize_t)len ? 0 : 1;
}

int main(int argc, char **argv)
{
	char k_text[21];
	unsigned long k;

	if (argc == 1)
		return 0;
	if (argc != 5 || strcmp(argv[1], "chain") != 0)
		return EXIT_USAGE;
	k = strtoul(argv[2], NULL, 10);
	if (k == 0)
		return chain_end(strtoull(argv[3], NULL, 10), atoi(argv[4]));
	argv[2] = utoa(k - 1, k_text);
	execve(argv[0], argv, empty_env);
	return EXIT_EXEC_FAILED;
}
