/*
 * timer.h - one-shot kernel timers on the monotonic clock.
 *
 * A timer calls its function once the monotonic clock (arch_clock_ns)
 * reaches its expiry (or, armed by timer_arm_realtime, once the wall
 * clock reaches its wall-clock expiry: its monotonic expiry is
 * recomputed whenever the wall clock is set). Each CPU keeps the timers armed on it in a
 * red-black tree ordered by expiry and programs its own one-shot timer
 * interrupt for the earliest (docs/timers.md), so a timer runs within
 * microseconds of its expiry rather than at the next tick.
 *
 * The function runs in the timer interrupt of the CPU the timer was
 * armed on, interrupts off, with no lock held. It may re-arm its own
 * timer. It must not sleep; it may take spinlocks (wake a task, post a
 * signal).
 *
 * Cancelling waits until the function is no longer running anywhere, so
 * the caller may then free the timer. Hence: never cancel while holding
 * a lock the timer's function takes (use timer_try_cancel and retry
 * after dropping it), and never from the function itself.
 *
 * Locks: each CPU's timer base has a spinlock (docs/locking.md) guarding
 * its tree and every field of the timers armed on it.
 */
#ifndef ASPEN_TIME_TIMER_H
#define ASPEN_TIME_TIMER_H
#include "lib/kernel.h"
#include "lib/rbtree.h"
#include "lib/list.h"

struct timer_base;

struct timer {
	struct rb_node node;          /* in its base's tree while armed */
	uint64_t expires;             /* monotonic ns */
	void (*fn)(struct timer *t);  /* what to run at expiry */
	struct timer_base *base;      /* where it was last armed (or NULL) */
	bool armed;
	bool realtime;                /* armed by timer_arm_realtime */
	int64_t rt_expires;           /* then: the CLOCK_REALTIME ns it fires at */
	struct list_head rt_link;     /* then: in its base's list of those */
};

#define NSEC_PER_SEC 1000000000L
#define NSEC_PER_MSEC 1000000L
#define NSEC_PER_USEC 1000L
#define TICK_NS (NSEC_PER_SEC / TIMER_HZ)

/* timer_init - a disarmed timer that will call fn. */
void timer_init(struct timer *t, void (*fn)(struct timer *t));
/* timer_arm - (re)arm t for expires (monotonic ns; in the past: run at
 * once). On this CPU, unless its function is running right now on
 * another, where it then stays. Any context. */
void timer_arm(struct timer *t, uint64_t expires);
/* timer_arm_realtime - (re)arm t for when CLOCK_REALTIME reads
 * rt_expires (ns), following the clock when it is set
 * (timers_clock_was_set), as Linux's absolute CLOCK_REALTIME hrtimers.
 * Any context. */
void timer_arm_realtime(struct timer *t, int64_t rt_expires);
/* timers_clock_was_set - the realtime clock was set: re-key every timer
 * armed by timer_arm_realtime on every CPU, so that those now due run
 * at once. Any context but a timer function's; takes the base locks. */
void timers_clock_was_set(void);
/* timer_cancel - disarm t and wait until its function is not running;
 * true if it was armed. No lock that t's function takes may be held. */
bool timer_cancel(struct timer *t);
/* timer_try_cancel - disarm t without waiting: 1 if it was armed, 0 if
 * it was not, -1 if its function is running now (t may be re-armed by
 * it: drop your locks and retry). Any context. */
int timer_try_cancel(struct timer *t);
/* timer_pending - t is armed (a snapshot). */
bool timer_pending(const struct timer *t);

/* timer_interrupt - the arch's timer interrupt (and the reschedule IPI):
 * run this CPU's expired timers, then program the next. from_user: the
 * interrupt came from user mode (see timer_irq_from_user). Interrupts off. */
void timer_interrupt(bool from_user);
/* timer_irq_from_user - inside a timer function: whether the interrupt
 * that runs it came from user mode (for CPU-time sampling). */
bool timer_irq_from_user(void);
/* timers_init_cpu - this CPU's timer base; before its first timer. */
void timers_init_cpu(void);
#endif
