/*
 * cputime.h - reading CPU time: the CPU-time clocks
 * (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the ids of
 * clock_getcpuclockid and pthread_getcpuclockid) and the user/system
 * split that getrusage, times and /proc report.
 *
 * The scheduler measures the time each thread runs at every switch
 * (cpu_times.runtime_ns: the CPUCLOCK_SCHED clock, to the nanosecond).
 * The tick samples whether it interrupted user or kernel code
 * (cpu_times.user, .system: the PROF and VIRT clocks, as Linux's
 * tick-based accounting). Reports split the measured time in the
 * sampled proportion, as Linux's cputime_adjust does.
 */
#ifndef ASPEN_TIME_CPUTIME_H
#define ASPEN_TIME_CPUTIME_H
#include "lib/kernel.h"

struct cpu_times;

/* cpu_times_clock - the value of CPU clock `which` (CPUCLOCK_*) for times c, ns. */
uint64_t cpu_times_clock(const struct cpu_times *c, int which);
/* cputime_read - the CPU times of the thread (thread true) or the
 * process named by pid (0: the caller's), seen by the caller: a thread
 * must be one of the caller's process. 0 or -EINVAL (no such one). */
int cputime_read(int pid, bool thread, struct cpu_times *out);
/* cputime_split - c's run time split into user and system ns in the
 * proportion of the sampled ticks. */
void cputime_split(const struct cpu_times *c, uint64_t *user_ns, uint64_t *system_ns);
/* cputime_split_ticks - the same in clock ticks (USER_HZ, = TIMER_HZ),
 * for times() and /proc. */
void cputime_split_ticks(const struct cpu_times *c, uint64_t *user, uint64_t *system);
#endif
