/*
 * quiesce.h - stopping every other CPU where it holds nothing half done,
 * for checkers that must see the whole system at once (vmcheck's census).
 *
 * The safe points are the places a CPU passes often and where it holds
 * no lock and no half-made change: on the way back to user mode, in the
 * idle loop, and at the start of schedule(). Tasks asleep are at such a
 * point too, because kernel code never sleeps in the middle of a change
 * to what holds a frame (the rule docs/testing.md states for vmcheck).
 */
#ifndef ASPEN_PROC_QUIESCE_H
#define ASPEN_PROC_QUIESCE_H
#include "lib/kernel.h"

/* quiesce_others - return once every other CPU waits at a safe point.
 * The caller is at one itself (no lock held, interrupts either way).
 * Spins with interrupts on meanwhile (TLB shootdowns still get served);
 * if another CPU is quiescing, waits for it first. Never sleeps. */
void quiesce_others(void);
/* quiesce_release - let them go on. */
void quiesce_release(void);
/* quiesce_park - quiesce_point's wait, when some CPU quiesces. */
void quiesce_park(void);
extern int quiesce_owner;   /* quiesce.c: the CPU holding the others, or -1 */
/* quiesce_point - a safe point: wait here while another CPU has the
 * others stopped. One load when none has (inline: it is on every
 * return to user mode). */
static inline void quiesce_point(void)
{
	if (unlikely(__atomic_load_n(&quiesce_owner, __ATOMIC_ACQUIRE) >= 0))
		quiesce_park();
}
#endif
