/*
 * timer.c - per-CPU queues of one-shot timers (time/timer.h).
 *
 * Each CPU has a timer base: a red-black tree of the timers armed on it,
 * ordered by expiry, with the earliest cached. The CPU's one-shot timer
 * interrupt (arch_timer_set) is kept programmed for that earliest
 * expiry; the interrupt runs every timer that is due and programs the
 * next. Nothing here ticks: the scheduler's tick is one of these timers
 * (proc/sched.c), and stops while its CPU idles.
 *
 * A timer belongs to the base it was last armed on (t->base). t->base
 * changes only under that base's lock while t is neither armed nor
 * running, so lock_timer_base() finds and pins it with a retry.
 */
#include "time/timer.h"
#include "time/clock.h"
#include "lib/spinlock.h"
#include "arch.h"

struct timer_base {
	struct spinlock lock;
	struct rb_root tree;          /* armed timers by expiry */
	struct timer *first;          /* the earliest, or NULL */
	struct timer *running;        /* whose function runs now */
	uint64_t programmed;          /* the expiry the interrupt is set for; 0: none */
	int cpu;
	bool from_user;               /* the current interrupt came from user mode */
	struct list_head realtime;    /* the armed timers with a wall-clock expiry */
};

static struct timer_base bases[ARCH_MAX_CPUS];

static struct timer_base *this_base(void)
{
	return &bases[arch_cpu_id()];
}

void timers_init_cpu(void)
{
	struct timer_base *b = this_base();
	spin_init(&b->lock, "timer_base");
	list_init(&b->realtime);
	b->cpu = arch_cpu_id();
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->fn = fn;
	t->base = NULL;
	t->armed = false;
	t->realtime = false;
	t->expires = 0;
	list_init(&t->rt_link);
}

bool timer_pending(const struct timer *t)
{
	return __atomic_load_n(&t->armed, __ATOMIC_RELAXED);
}

/* Lock the base t belongs to; NULL if it was never armed. */
static struct timer_base *lock_timer_base(struct timer *t)
{
	for (;;) {
		struct timer_base *b = __atomic_load_n(&t->base, __ATOMIC_ACQUIRE);
		if (!b)
			return NULL;
		spin_lock(&b->lock);
		if (t->base == b)
			return b;
		spin_unlock(&b->lock);
	}
}

static void enqueue_locked(struct timer_base *b, struct timer *t)
{
	struct rb_node **link = &b->tree.node, *parent = NULL;
	bool leftmost = true;
	while (*link) {
		parent = *link;
		if (t->expires < container_of(parent, struct timer, node)->expires) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	rb_link_node(&t->node, parent, link);
	rb_insert_fixup(&b->tree, &t->node);
	if (leftmost)
		b->first = t;
	t->armed = true;
	if (t->realtime)
		list_add(&t->rt_link, &b->realtime);
}

static void dequeue_locked(struct timer_base *b, struct timer *t)
{
	if (b->first == t) {
		struct rb_node *next = rb_next(&t->node);
		b->first = next ? container_of(next, struct timer, node) : NULL;
	}
	rb_erase(&b->tree, &t->node);
	t->armed = false;
	if (t->realtime)
		list_del(&t->rt_link);
}

/* Program this CPU's interrupt for the earliest timer (0: none; so a
 * timer armed for time 0 is programmed for 1, at once). */
static void program_locked(struct timer_base *b)
{
	b->programmed = b->first ? MAX(b->first->expires, 1UL) : 0;
	arch_timer_set(b->programmed);
}

/* t, just armed on b, may now be b's earliest: make b's CPU see it. */
static void notice_new_first_locked(struct timer_base *b, struct timer *t)
{
	if (b->first != t || (b->programmed && b->programmed <= t->expires))
		return;
	if (b == this_base())
		program_locked(b);
	else
		arch_send_resched(b->cpu);   /* its handler runs timer_interrupt */
}

/* The monotonic time at which the wall clock reads rt (0 if it did
 * before boot). */
static uint64_t mono_of_realtime(int64_t rt)
{
	int64_t mono = rt - clock_realtime_offset_ns();
	return mono > 0 ? (uint64_t)mono : 0;
}

/* Arm t for expires (monotonic), or for the wall-clock time rt when
 * realtime; see timer_arm. */
static void arm(struct timer *t, uint64_t expires, bool realtime, int64_t rt)
{
	struct timer_base *here = this_base();
	struct timer_base *b = lock_timer_base(t);
	if (b) {
		if (t->armed)
			dequeue_locked(b, t);
		if (b != here && b->running != t) {
			__atomic_store_n(&t->base, here, __ATOMIC_RELEASE);
			spin_unlock(&b->lock);
			b = NULL;
		}
	}
	if (!b) {
		b = here;
		spin_lock(&b->lock);
		__atomic_store_n(&t->base, b, __ATOMIC_RELEASE);
	}
	t->realtime = realtime;
	t->rt_expires = rt;
	/* Read the offset under the base lock: a setting of the clock either
	 * came before (this sees its offset) or re-keys t after. */
	t->expires = realtime ? mono_of_realtime(rt) : expires;
	enqueue_locked(b, t);
	notice_new_first_locked(b, t);
	spin_unlock(&b->lock);
}

void timer_arm(struct timer *t, uint64_t expires)
{
	arm(t, expires, false, 0);
}

void timer_arm_realtime(struct timer *t, int64_t rt_expires)
{
	arm(t, 0, true, rt_expires);
}

/* Re-key b's wall-clock timers for the offset now, and have b's CPU
 * program its interrupt for the new earliest. */
static void rekey_realtime(struct timer_base *b)
{
	struct timer *t, *n;
	LIST_HEAD(moved);
	spin_lock(&b->lock);
	list_for_each_entry_safe(t, n, &b->realtime, rt_link) {
		dequeue_locked(b, t);
		list_add(&t->rt_link, &moved);   /* re-queued below: enqueue adds it back */
	}
	list_for_each_entry_safe(t, n, &moved, rt_link) {
		list_del(&t->rt_link);
		t->expires = mono_of_realtime(t->rt_expires);
		enqueue_locked(b, t);
	}
	if (b == this_base())
		program_locked(b);
	else if (b->first && (!b->programmed || b->first->expires < b->programmed))
		arch_send_resched(b->cpu);   /* its handler runs timer_interrupt */
	spin_unlock(&b->lock);
}

void timers_clock_was_set(void)
{
	for (int cpu = 0; cpu < arch_ncpus(); cpu++)
		rekey_realtime(&bases[cpu]);
}

int timer_try_cancel(struct timer *t)
{
	struct timer_base *b = lock_timer_base(t);
	if (!b)
		return 0;
	int r = 0;
	if (t->armed) {
		dequeue_locked(b, t);
		r = 1;
	} else if (b->running == t) {
		r = -1;
	}
	spin_unlock(&b->lock);
	return r;
}

bool timer_cancel(struct timer *t)
{
	for (;;) {
		int r = timer_try_cancel(t);
		if (r >= 0)
			return r == 1;
		arch_cpu_relax();
	}
}

void timer_interrupt(bool from_user)
{
	struct timer_base *b = this_base();
	spin_lock(&b->lock);
	b->from_user = from_user;
	for (;;) {
		struct timer *t = b->first;
		if (!t || t->expires > arch_clock_ns())
			break;
		dequeue_locked(b, t);
		b->running = t;
		spin_unlock(&b->lock);
		t->fn(t);   /* t may be gone once this returns */
		spin_lock(&b->lock);
		b->running = NULL;
	}
	program_locked(b);
	spin_unlock(&b->lock);
}

bool timer_irq_from_user(void)
{
	return this_base()->from_user;
}
