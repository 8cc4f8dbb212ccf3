/*
 * vdso.c - the vDSO: a small shared object the kernel maps into every
 * process ([vdso], AT_SYSINFO_EHDR) so that reading the clock needs no
 * system call. glibc and musl look these functions up by name and
 * version (LINUX_2.6) and call them instead of the system call.
 *
 * This is user code: built with the host's gcc as position-independent
 * code without libc (the Makefile, vdso.lds, vdso.map), it runs in user
 * mode and reads only its data page, [vvar], found at a fixed distance
 * below itself. The clocks it knows are computed from the TSC exactly
 * as the kernel computes them; any other clock (the CPU-time clocks, a
 * bad id) goes to the real system call, which also gives the errors.
 */
#include <stddef.h>
#include <stdint.h>
#include <linux/time.h>
#include <asm/unistd.h>
#include "vvar.h"

typedef __kernel_clockid_t clockid_t;

#define NSEC_PER_SEC 1000000000L
#define NSEC_PER_USEC 1000L
#define CPU_MASK 0xfff                  /* IA32_TSC_AUX: node << 12 | cpu, as Linux */

/* The data page: the first of the VVAR_PAGES pages below the image
 * (vdso.lds defines the symbol; hidden, so the address is rip-relative). */
extern const volatile struct vvar_data vvar_data __attribute__((visibility("hidden")));

struct getcpu_cache;

static long syscall2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static long syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Nanoseconds of CLOCK_MONOTONIC, and the realtime offset, read as one
 * consistent snapshot of the data page. */
static int64_t read_ns(int64_t *realtime_offset)
{
	uint32_t seq;
	int64_t ns, off;
	do {
		seq = __atomic_load_n(&vvar_data.seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			__asm__ volatile("pause");
			continue;
		}
		uint64_t d = rdtsc_ordered() - vvar_data.tsc_base;
		ns = (int64_t)(((__uint128_t)d * vvar_data.ns_per_tsc_q32) >> 32);
		off = vvar_data.realtime_offset_ns;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || __atomic_load_n(&vvar_data.seq, __ATOMIC_RELAXED) != seq);
	*realtime_offset = off;
	return ns;
}

/* The clocks the vDSO reads itself; the rest go to the kernel. */
enum vdso_clock { VDSO_CLOCK_NONE, VDSO_CLOCK_REALTIME, VDSO_CLOCK_MONOTONIC };

/* The coarse clocks read as the fine ones, as Aspen's system call does. */
static enum vdso_clock vdso_clock_of(clockid_t clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		return VDSO_CLOCK_REALTIME;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return VDSO_CLOCK_MONOTONIC;
	default:
		return VDSO_CLOCK_NONE;
	}
}

/* The nanoseconds of clock, or false for a clock left to the kernel. */
static int clock_ns(clockid_t clock, int64_t *ns)
{
	enum vdso_clock which = vdso_clock_of(clock);
	int64_t off;
	if (which == VDSO_CLOCK_NONE)
		return 0;
	*ns = read_ns(&off) + (which == VDSO_CLOCK_REALTIME ? off : 0);
	return 1;
}

int __vdso_clock_gettime(clockid_t clock, struct __kernel_timespec *ts)
{
	int64_t ns;
	if (!clock_ns(clock, &ns))
		return (int)syscall2(__NR_clock_gettime, clock, (long)ts);
	ts->tv_sec = ns / NSEC_PER_SEC;
	ts->tv_nsec = ns % NSEC_PER_SEC;
	return 0;
}

int __vdso_gettimeofday(struct __kernel_old_timeval *tv, struct timezone *tz)
{
	if (tv) {
		int64_t ns;
		clock_ns(CLOCK_REALTIME, &ns);
		tv->tv_sec = ns / NSEC_PER_SEC;
		tv->tv_usec = (ns % NSEC_PER_SEC) / NSEC_PER_USEC;
	}
	if (tz) {
		uint32_t seq;
		do {
			seq = __atomic_load_n(&vvar_data.seq, __ATOMIC_ACQUIRE);
			tz->tz_minuteswest = vvar_data.tz_minuteswest;
			tz->tz_dsttime = vvar_data.tz_dsttime;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
		} while ((seq & 1) || __atomic_load_n(&vvar_data.seq, __ATOMIC_RELAXED) != seq);
	}
	return 0;
}

__kernel_old_time_t __vdso_time(__kernel_old_time_t *t)
{
	int64_t ns;
	clock_ns(CLOCK_REALTIME, &ns);
	if (t)
		*t = ns / NSEC_PER_SEC;
	return ns / NSEC_PER_SEC;
}

int __vdso_clock_getres(clockid_t clock, struct __kernel_timespec *res)
{
	if (vdso_clock_of(clock) == VDSO_CLOCK_NONE)
		return (int)syscall2(__NR_clock_getres, clock, (long)res);
	if (res) {
		int coarse = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE;
		int64_t ns = coarse ? vvar_data.coarse_res_ns : vvar_data.res_ns;
		res->tv_sec = ns / NSEC_PER_SEC;
		res->tv_nsec = ns % NSEC_PER_SEC;
	}
	return 0;
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, struct getcpu_cache *unused)
{
	uint32_t aux;
	switch (vvar_data.getcpu_mode) {
	case VVAR_GETCPU_RDPID: {
		uint64_t v;
		__asm__ volatile("rdpid %0" : "=r"(v));
		aux = (uint32_t)v;
		break;
	}
	case VVAR_GETCPU_RDTSCP:
		__asm__ volatile("rdtscp" : "=c"(aux) : : "eax", "edx");
		break;
	default:
		return syscall3(__NR_getcpu, (long)cpu, (long)node, (long)unused);
	}
	if (cpu)
		*cpu = aux & CPU_MASK;
	if (node)
		*node = aux >> 12;
	return 0;
}

/* The names without the prefix, as Linux's vDSO also exports them. */
int clock_gettime(clockid_t, struct __kernel_timespec *)
	__attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct __kernel_old_timeval *, struct timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
__kernel_old_time_t time(__kernel_old_time_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(clockid_t, struct __kernel_timespec *)
	__attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, struct getcpu_cache *) __attribute__((weak, alias("__vdso_getcpu")));
