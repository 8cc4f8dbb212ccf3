/*
 * profile.h - the sampling profiler (docs/performance.md, "Profiling").
 *
 * While it is on, the CPU that started it takes a non-maskable
 * interrupt every period (arch_profile_timer) and records where it
 * found the CPU (the instruction pointer, kernel or user, and for kernel
 * code the frame-pointer chain of callers), with the task's pid and
 * name, into that CPU's buffer. Under
 * QEMU's -icount the interrupts come at the same instructions on every
 * run, so two runs of the same work give the same samples.
 *
 * It is switched by the kernel command line (profile=US, the period in
 * microseconds of guest time; a bare "profile" takes the default) and by
 * /proc/profile: writing a period starts a new profile (the buffers are
 * emptied), "0" or "off" stops it; reading gives the samples as text
 * (profile_read_text). tools/aspen-prof symbolizes them.
 *
 * Locks: none. Each CPU's buffer is written only by that CPU's NMI and
 * published by its count; commands are serialised by a flag (a second
 * one at the same time gets -EBUSY).
 */
#ifndef ASPEN_TIME_PROFILE_H
#define ASPEN_TIME_PROFILE_H
#include "lib/kernel.h"

#define PROFILE_DEFAULT_US 97   /* not a divisor of the 10 ms tick (the 8254 makes it 97.2 on average) */
#define PROFILE_DEPTH 12        /* instruction pointer + callers kept per sample */

/* profile_boot - start profiling if the command line asks (profile=US).
 * Boot CPU, once, with frames and timers working. */
void profile_boot(void);
/* profile_used - whether profiling has been started since boot: the
 * arch's sampling interrupts may come (any context). */
bool profile_used(void);
/* profile_sample - from the arch's sampling interrupt (an NMI, with
 * arch_irq_callchain answering): record where it found this CPU, if
 * profiling is on. Takes no lock; never sleeps. */
void profile_sample(void);
/* profile_command - a line written to /proc/profile: a period in
 * microseconds (start afresh), "0" or "off" (stop). 0 or -errno
 * (-EINVAL, -ENOMEM, -EBUSY). May sleep. */
int profile_command(const char *cmd, size_t len);
/* profile_read_text - whole sample lines into buf (at most size bytes),
 * from *cursor on (0 at the start of a read), advancing it; 0 at the
 * end. The first line is a header ("# profile period_ns N ..."). */
long profile_read_text(uint64_t *cursor, char *buf, size_t size);
#endif
