/*
 * adjtime.c - adjtimex(2) and clock_adjtime(2): the kernel's NTP state
 * as Linux 6.1 reports it.
 *
 * Aspen runs no NTP discipline: its clock is never steered. What it keeps
 * is the state Linux's adjtimex reads and writes, starting as Linux's
 * does at boot (unsynchronised, STA_UNSYNC, so the call returns
 * TIME_ERROR; maximum and estimated error at the phase limit, 16 s; time
 * constant 2; tick 10000 us). A caller with CAP_SYS_TIME may change the
 * status, errors, time constant, TAI offset, frequency, tick, offset and
 * adjtime's single-shot offset: they are checked as Linux checks them,
 * kept and read back, but steer no clock. ADJ_SETOFFSET steps the wall
 * clock, as Linux's (time/clock.c's clock_realtime_change, as
 * clock_settime). Without CAP_SYS_TIME any change is EPERM.
 * docs/syscalls.md lists this.
 *
 * clock_adjtime(CLOCK_REALTIME) is adjtimex; Linux's other clocks cannot
 * be adjusted (EOPNOTSUPP), unknown ones are EINVAL.
 */
#include "time/clock.h"
#include "proc/cred.h"
#include "mm/usercopy.h"
#include "lib/spinlock.h"
#include "lib/errno.h"
#include <linux/capability.h>

/* <linux/timex.h>, x86-64 */
#define ADJ_OFFSET 0x0001
#define ADJ_FREQUENCY 0x0002
#define ADJ_MAXERROR 0x0004
#define ADJ_ESTERROR 0x0008
#define ADJ_STATUS 0x0010
#define ADJ_TIMECONST 0x0020
#define ADJ_TAI 0x0080
#define ADJ_SETOFFSET 0x0100
#define ADJ_MICRO 0x1000
#define ADJ_NANO 0x2000
#define ADJ_TICK 0x4000
#define ADJ_ADJTIME 0x8000            /* with ADJ_OFFSET: ADJ_OFFSET_SINGLESHOT */
#define ADJ_OFFSET_READONLY 0x2000    /* with ADJ_ADJTIME */
#define STA_PLL 0x0001
#define STA_UNSYNC 0x0040
#define STA_PPSSIGNAL 0x0100
#define STA_PPSJITTER 0x0200
#define STA_PPSWANDER 0x0400
#define STA_PPSERROR 0x0800
#define STA_CLOCKERR 0x1000
#define STA_NANO 0x2000
#define STA_MODE 0x4000
#define STA_CLK 0x8000
#define STA_RONLY (STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR | STA_CLOCKERR | \
		   STA_NANO | STA_MODE | STA_CLK)
#define TIME_OK 0
#define TIME_ERROR 5
#define CLOCK_REALTIME 0
#define CLOCK_SGI_CYCLE 10            /* a hole in Linux's table */
#define MAX_CLOCKS 16

#define USER_HZ 100
#define NTP_PHASE_LIMIT 16000000      /* (MAXPHASE / NSEC_PER_USEC) << 5 */
#define NTP_TOLERANCE 32768000        /* MAXFREQ_SCALED / PPM_SCALE: 500 ppm, scaled */
#define PPM_SCALE 65536000LL          /* freq's unit (ppm << 16) in Linux's time_freq */
#define MAXFREQ_SCALED (500000LL << 32)
#define MAXTC 10
#define MAX_TAI_OFFSET 100000

/* struct __kernel_timex as x86-64 lays it out (208 bytes). */
struct kernel_timex {
	uint32_t modes;
	int32_t pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status, pad1;
	int64_t constant, precision, tolerance;
	int64_t tv_sec, tv_usec;
	int64_t tick, ppsfreq, jitter;
	int32_t shift, pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t reserved[11];
};
_Static_assert(sizeof(struct kernel_timex) == 208, "struct __kernel_timex");

/* The NTP state; every field (N) ntp_lock, a leaf. */
static struct spinlock ntp_lock = SPINLOCK_INIT("ntp");
static struct {
	int64_t offset;     /* ADJ_OFFSET, in the unit status says (ns with STA_NANO, else us) */
	int64_t freq;       /* Linux's scaled time_freq */
	int64_t maxerror, esterror, constant, tick, adjust;
	int32_t status, tai;
} ntp = { .maxerror = NTP_PHASE_LIMIT, .esterror = NTP_PHASE_LIMIT, .constant = 2,
	  .tick = 1000000 / USER_HZ, .status = STA_UNSYNC };

/* Linux's timekeeping_validate_timex: 0, -EINVAL or -EPERM. */
static int timex_check(const struct kernel_timex *tx)
{
	bool may = capable(CAP_SYS_TIME);
	if (tx->modes & ADJ_ADJTIME) {
		if (!(tx->modes & ADJ_OFFSET))
			return -EINVAL;   /* the single shot goes with nothing else */
		if (!(tx->modes & ADJ_OFFSET_READONLY) && !may)
			return -EPERM;
	} else {
		if (tx->modes && !may)
			return -EPERM;
		if ((tx->modes & ADJ_TICK) && (tx->tick < 900000 / USER_HZ || tx->tick > 1100000 / USER_HZ))
			return -EINVAL;
	}
	if (tx->modes & ADJ_SETOFFSET) {
		if (!may)
			return -EPERM;
		int64_t limit = (tx->modes & ADJ_NANO) ? 1000000000 : 1000000;
		if (tx->tv_usec < 0 || tx->tv_usec >= limit)
			return -EINVAL;
	}
	if ((tx->modes & ADJ_FREQUENCY) && (tx->freq < INT64_MIN / PPM_SCALE || tx->freq > INT64_MAX / PPM_SCALE))
		return -EINVAL;
	return 0;
}

/* Linux's process_adjtimex_modes, for what Aspen keeps. (N) */
static void timex_apply_locked(const struct kernel_timex *tx)
{
	if (tx->modes & ADJ_STATUS) {
		if ((ntp.status & STA_PLL) && !(tx->status & STA_PLL))
			ntp.status = STA_UNSYNC;
		ntp.status = (ntp.status & STA_RONLY) | (tx->status & ~STA_RONLY);
	}
	if (tx->modes & ADJ_NANO)
		ntp.status |= STA_NANO;
	if (tx->modes & ADJ_MICRO)
		ntp.status &= ~STA_NANO;
	if (tx->modes & ADJ_FREQUENCY)
		ntp.freq = MAX(-MAXFREQ_SCALED, MIN(MAXFREQ_SCALED, tx->freq * PPM_SCALE));
	if (tx->modes & ADJ_MAXERROR)
		ntp.maxerror = tx->maxerror;
	if (tx->modes & ADJ_ESTERROR)
		ntp.esterror = tx->esterror;
	if (tx->modes & ADJ_TIMECONST)
		ntp.constant = MAX(0, MIN(MAXTC, tx->constant + ((ntp.status & STA_NANO) ? 0 : 4)));
	if ((tx->modes & ADJ_TAI) && tx->constant >= 0 && tx->constant <= MAX_TAI_OFFSET)
		ntp.tai = (int32_t)tx->constant;
	if (tx->modes & ADJ_OFFSET)
		ntp.offset = tx->offset;
	if (tx->modes & ADJ_TICK)
		ntp.tick = tx->tick;
}

/* ADJ_SETOFFSET: step the wall clock by tx's time (tv_usec in ns with
 * ADJ_NANO, already checked to be in [0, 1 s)), as Linux's
 * timekeeping_inject_offset: 0 or -EINVAL. */
static int step_clock(const struct kernel_timex *tx)
{
	int64_t sub = (tx->modes & ADJ_NANO) ? tx->tv_usec : tx->tv_usec * 1000;
	if (tx->tv_sec > INT64_MAX / 1000000000 - 1 || tx->tv_sec < -(INT64_MAX / 1000000000 - 1))
		return -EINVAL;   /* past any time the clock can read */
	return clock_realtime_change(tx->tv_sec * 1000000000 + sub, true);
}

/* The call on CLOCK_REALTIME: change what tx asks, then report the
 * whole state into tx; the clock state (TIME_OK, or TIME_ERROR while
 * unsynchronised) or -errno. */
static long do_adjtimex(struct kernel_timex *tx)
{
	int err = timex_check(tx);
	if (err)
		return err;
	if (tx->modes & ADJ_SETOFFSET) {
		err = step_clock(tx);
		if (err)
			return err;
	}
	int64_t now = clock_realtime_ns();
	spin_lock(&ntp_lock);
	if (tx->modes & ADJ_ADJTIME) {
		int64_t old = ntp.adjust;
		if (!(tx->modes & ADJ_OFFSET_READONLY))
			ntp.adjust = tx->offset;
		tx->offset = old;
	} else {
		timex_apply_locked(tx);
		tx->offset = ntp.offset;
	}
	bool nano = ntp.status & STA_NANO;
	*tx = (struct kernel_timex){ .modes = tx->modes, .offset = tx->offset,
		.freq = ntp.freq / PPM_SCALE, .maxerror = ntp.maxerror, .esterror = ntp.esterror,
		.status = ntp.status, .constant = ntp.constant, .precision = 1, .tolerance = NTP_TOLERANCE,
		.tv_sec = now / 1000000000, .tv_usec = (now % 1000000000) / (nano ? 1 : 1000),
		.tick = ntp.tick, .tai = ntp.tai };
	long state = (ntp.status & (STA_UNSYNC | STA_CLOCKERR)) ? TIME_ERROR : TIME_OK;
	spin_unlock(&ntp_lock);
	return state;
}

/* clock_adjtime(clock, utx): copy in, act, copy out when it succeeded. */
long sys_clock_adjtime(int clock, void *utx)
{
	struct kernel_timex tx;
	if (copy_from_user(&tx, utx, sizeof(tx)))
		return -EFAULT;
	long ret;
	if (clock < 0 || (clock < MAX_CLOCKS && clock != CLOCK_SGI_CYCLE && clock != CLOCK_REALTIME))
		ret = -EOPNOTSUPP;   /* CPU-time and fd clocks, and every fixed clock but realtime */
	else if (clock != CLOCK_REALTIME)
		ret = -EINVAL;
	else
		ret = do_adjtimex(&tx);
	if (ret >= 0 && copy_to_user(utx, &tx, sizeof(tx)))
		return -EFAULT;
	return ret;
}

/* adjtimex(utx): clock_adjtime on CLOCK_REALTIME. */
long sys_adjtimex(void *utx)
{
	return sys_clock_adjtime(CLOCK_REALTIME, utx);
}
