/*
 * clock.h - the wall clock (sys/misc.c): CLOCK_REALTIME is the
 * monotonic clock plus the Unix time at which it read zero, taken from
 * the hardware clock at boot.
 */
#ifndef ASPEN_SYS_CLOCK_H
#define ASPEN_SYS_CLOCK_H
#include "lib/kernel.h"

/* The resolution clock_getres reports for every clock: nanoseconds of
 * the TSC. (The vDSO reports the same, from its data page.) */
#define CLOCK_RES_NS 1

/* clock_realtime_init - read the hardware clock; boot, once. Whoever
 * changes the realtime offset later must call vdso_clock_changed(). */
void clock_realtime_init(void);
/* clock_realtime_ns - Unix time now, in nanoseconds. */
int64_t clock_realtime_ns(void);
/* clock_realtime_offset_ns - CLOCK_REALTIME minus CLOCK_MONOTONIC. */
int64_t clock_realtime_offset_ns(void);
#endif
