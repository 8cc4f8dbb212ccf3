/* coredump_crash.c - the program tests/boot/coredump_gdb.sh crashes in
 * Aspen: a second thread parks, the main thread faults three calls deep,
 * so the core's backtrace names crash_three, crash_two, crash_one, main
 * and the core holds two threads. Built with -O0 -g. */
#include <pthread.h>
#include <unistd.h>

static volatile int started;

static void *parked(void *arg)
{
	started = 1;
	for (;;)
		pause();
	return arg;
}

__attribute__((noinline)) static void crash_three(int *p)
{
	*p = 42;
}

__attribute__((noinline)) static void crash_two(int *p)
{
	crash_three(p + 1);
}

__attribute__((noinline)) static void crash_one(int *p)
{
	crash_two(p + 1);
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, parked, NULL))
		return 1;
	while (!started)
		usleep(1000);
	crash_one((int *)0);
	return 2;
}
