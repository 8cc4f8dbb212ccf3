/*
 * kswapd.c - when reclaim runs: the kswapd kernel thread between the
 * watermarks, direct reclaim from a fault that found no frame, and who
 * may use the frame reserve.
 *
 *   free < low      a fault wakes kswapd (reclaim_wake_if_low)
 *   kswapd          reclaims in batches until free >= high, then sleeps
 *                   (it also looks once a second)
 *   free < min      a fault first reclaims a batch itself (throttling the
 *                   process that eats memory, so that free stays near min
 *                   and the kernel's ordinary allocations succeed) if swap
 *                   has room; ordinary allocations fail (ENOMEM to the
 *                   user); faults go on down to min/2, kswapd and swap
 *                   I/O to 0
 *   allocation      an allocation that finds nothing it may take reclaims
 *   fails           a batch directly and tries again, where it may sleep
 *                   (frame_reclaim), as Linux's direct reclaim
 *   fault: no frame reclaim_retry: reclaim directly, wait a little for
 *                   kswapd's writes, then ask the OOM killer
 *
 * Locks: none of its own; kswapd_wq wakes the thread.
 */
#include "mm/reclaim.h"
#include "mm/swap.h"
#include "mm/oom.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "proc/task.h"
#include "proc/sched.h"
#include "lib/errno.h"

#define RESERVE_NONE 0
#define RESERVE_FAULT 1         /* down to min/2 */
#define RESERVE_ALL 2           /* down to nothing: the reclaimer itself */
#define KSWAPD_BATCH 32
#define KSWAPD_PERIOD_NS 1000000000UL
#define KSWAPD_BACKOFF_NS 100000000UL   /* 100 ms after a fruitless run */
#define RETRY_WAIT_NS 10000000UL   /* 10 ms for kswapd's writes before the OOM killer */
#define RETRY_QUIET_TRIES 3
#define RETRY_MAX 1000
#define HIGH_ORDER_SHIFT_MAX 4      /* a block reclaims at most 16 batches at a time */

static struct wait_queue kswapd_wq;
static struct task *kswapd_task;

/* The frames the caller must leave free (frame.h's frame_floor). */
static uint64_t reserve_floor(void)
{
	struct task *t = current;
	uint8_t level = t ? t->memalloc : RESERVE_NONE;
	if (level >= RESERVE_ALL)
		return 0;
	return level == RESERVE_FAULT ? frame_wmark.min / 2 : frame_wmark.min;
}

int reclaim_reserve_enter(void)
{
	struct task *t = current;
	int was = t->memalloc;
	if (was < RESERVE_FAULT)
		t->memalloc = RESERVE_FAULT;
	return was;
}

void reclaim_reserve_leave(int was)
{
	current->memalloc = (uint8_t)was;
}

static bool below(uint64_t mark)
{
	return frames_free() < mark;
}

void reclaim_wake_if_low(void)
{
	if (kswapd_task && below(frame_wmark.low))
		wake_up(&kswapd_wq);
}

/* Sleep for ns without being woken early (other than by a signal's wake). */
static void nap(uint64_t ns)
{
	set_current_state(TASK_INTERRUPTIBLE);
	schedule_until(arch_clock_ns() + ns);
	set_current_state(TASK_RUNNING);
}

/* Direct reclaim of a batch (larger for a block of 2^order frames: the
 * pages freed are scattered, and a few of them must meet), allowed to use
 * the whole reserve; frames freed. Outside a fault, the caller's own
 * locked address space may be scanned too. */
static uint64_t reclaim_direct(unsigned order)
{
	int was = current->memalloc;
	current->memalloc = RESERVE_ALL;   /* reclaim itself must not starve */
	uint64_t want = (uint64_t)KSWAPD_BATCH << MIN(order, HIGH_ORDER_SHIFT_MAX);
	uint64_t freed = reclaim_pages(want, was == RESERVE_NONE ? RECLAIM_OWN_MM : 0);
	current->memalloc = (uint8_t)was;
	return freed;
}

/* frame.h's frame_reclaim: an allocation found nothing it may take.
 * Reclaim only where sleeping is safe (a task, interrupts on so no
 * spinlock held) and not from inside reclaim itself. */
static bool reclaim_for_alloc(unsigned order)
{
	struct task *t = current;
	if (!t || t->is_idle || t->memalloc >= RESERVE_ALL || !arch_irq_enabled() || !swap_space_left())
		return false;
	return reclaim_direct(order) > 0;
}

void reclaim_throttle(void)
{
	if (below(frame_wmark.min) && swap_space_left())
		reclaim_direct(0);
}

bool reclaim_retry(int tries)
{
	if (current->proc->group_exiting || tries >= RETRY_MAX)
		return false;   /* dying anyway: let the fault fail */
	if (reclaim_direct(0))
		return true;
	if (tries < RETRY_QUIET_TRIES) {
		nap(RETRY_WAIT_NS);
		return true;
	}
	return oom_kill_or_wait();
}

/* Reclaim until free frames reach the high watermark; false if nothing
 * more could be freed. */
static bool balance(void)
{
	while (below(frame_wmark.high)) {
		if (!reclaim_pages(KSWAPD_BATCH, 0))
			return false;
		if (current->need_resched)
			schedule();
	}
	return true;
}

static void kswapd_main(void *arg)
{
	task_first_run_unlock();
	current->memalloc = RESERVE_ALL;
	for (;;) {
		struct waiter w = { { NULL, NULL }, NULL, NULL };
		prepare_to_wait(&kswapd_wq, &w, TASK_INTERRUPTIBLE);
		if (!below(frame_wmark.low))
			schedule_until(arch_clock_ns() + KSWAPD_PERIOD_NS);
		finish_wait(&kswapd_wq, &w);
		if (below(frame_wmark.low) && !balance())
			nap(KSWAPD_BACKOFF_NS);   /* nothing to free (no swap, or all locked): wakes would spin */
	}
}

/* The kernel thread, on the idle tasks' process (pid 0, not listed). */
static void start_kswapd(void)
{
	extern struct process swapper_process;
	struct task *t = task_alloc();
	if (!t)
		panic("reclaim_init: out of memory");
	t->proc = &swapper_process;
	t->ctx = arch_new_task_context((uint64_t)t->tf, kswapd_main, NULL);
	kswapd_task = t;
	sched_make_runnable(t);
}

void reclaim_init(void)
{
	struct frame_stats st;
	frame_get_stats(&st);
	reclaim_set_watermarks(st.total);
	frame_floor = reserve_floor;
	frame_reclaim = reclaim_for_alloc;
	wait_queue_init(&kswapd_wq, "kswapd");
	start_kswapd();
}
