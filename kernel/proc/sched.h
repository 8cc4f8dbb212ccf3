/*
 * sched.h - the scheduler: run queue, sleeping and waking, the tick.
 */
#ifndef ASPEN_PROC_SCHED_H
#define ASPEN_PROC_SCHED_H
#include "lib/kernel.h"
struct trapframe;

/* sched_timer_tick - the periodic interrupt: time and preemption. */
void sched_timer_tick(void);
/* sched_return_to_user - last stop before a trap returns to user mode:
 * deliver signals, reschedule if asked. Interrupts off. */
void sched_return_to_user(struct trapframe *tf);
#endif
