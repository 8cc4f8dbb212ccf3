/*
 * vvar.h - the vDSO's data page ([vvar]): what the kernel publishes for
 * the vDSO (vdso.c, user code) to read the clock without a system call.
 * Shared by both sides; the kernel writes it (arch/x86_64/vdso.c) under
 * the sequence count, the vDSO only reads it.
 *
 * The page is mapped read-only, VVAR_PAGES pages below the vDSO's ELF
 * header (as Linux 6.1 puts its four vvar pages; only the first holds
 * data, touching the others is SIGBUS).
 */
#ifndef ASPEN_ARCH_X86_64_VDSO_VVAR_H
#define ASPEN_ARCH_X86_64_VDSO_VVAR_H
#include <stdint.h>

#define VVAR_PAGES 4
#define VDSO_PAGES 2            /* the image, padded to Linux 6.1's size */

/* How getcpu finds the CPU number the kernel put in IA32_TSC_AUX. */
#define VVAR_GETCPU_SYSCALL 0   /* neither instruction: ask the kernel */
#define VVAR_GETCPU_RDPID   1
#define VVAR_GETCPU_RDTSCP  2

struct vvar_data {
	/* Even while the fields are stable; odd while the kernel writes
	 * them. A reader retries until it sees the same even value before
	 * and after reading. */
	uint32_t seq;
	uint32_t getcpu_mode;           /* VVAR_GETCPU_* */
	/* CLOCK_MONOTONIC in ns = ((TSC - tsc_base) * ns_per_tsc_q32) >> 32,
	 * exactly as the kernel computes it (arch_clock_ns). */
	uint64_t tsc_base;
	uint64_t ns_per_tsc_q32;
	int64_t realtime_offset_ns;     /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t res_ns;                 /* what clock_getres says of these clocks */
	int64_t coarse_res_ns;          /* and of the _COARSE ones: a tick */
	int32_t tz_minuteswest;         /* the timezone settimeofday set */
	int32_t tz_dsttime;
};
#endif
