/*
 * proc_timers.h - the timers a process owns: its three interval timers
 * (setitimer: ITIMER_REAL on the monotonic clock, ITIMER_VIRTUAL and
 * ITIMER_PROF on its CPU time) and its POSIX timers (timer_create).
 * docs/timers.md tells how they fire.
 *
 * Locks: (P) the process's timers lock, taken after tasklist_lock and
 * sighand->lock and before the run-queue locks (docs/locking.md). A timer function
 * takes tasklist_lock then P, so P is never held while cancelling one.
 */
#ifndef ASPEN_TIME_PROC_TIMERS_H
#define ASPEN_TIME_PROC_TIMERS_H
#include "lib/kernel.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "time/timer.h"

struct process;
struct task;
struct ksiginfo;

/* An interval timer on a CPU clock, checked by the tick. */
struct cpu_itimer {
	uint64_t expires;              /* (P) on the clock, ns; 0: disarmed */
	uint64_t interval;             /* (P) */
};

struct proc_timers {
	struct spinlock lock;          /* P */
	struct process *proc;          /* (-) the owner */
	struct timer real;             /* ITIMER_REAL's, fires at real_expires or just after */
	uint64_t real_expires;         /* (P) monotonic ns; 0: disarmed */
	uint64_t real_interval;        /* (P) */
	struct cpu_itimer virt, prof;  /* (P) ITIMER_VIRTUAL, ITIMER_PROF */
	struct list_head posix;        /* (P) struct posix_timer, oldest first */
	int next_id;                   /* (P) the id of the next POSIX timer */
	int count;                     /* (P) POSIX timers */
	int cpu_armed;                 /* (P) armed timers on CPU clocks; the tick peeks */
};

/* proc_timers_init - none armed, for the new process p (fork does not
 * inherit timers). */
void proc_timers_init(struct proc_timers *pt, struct process *p);
/* proc_timers_exit - the last thread of p is exiting: disarm and free
 * them all; none runs after. No lock held; may wait for a running one. */
void proc_timers_exit(struct process *p);
/* proc_timers_exec - execve: p's POSIX timers are deleted (its
 * interval timers stay). No lock held. */
void proc_timers_exec(struct process *p);
/* proc_timers_tick - from the tick of a CPU running t: fire the timers
 * on CPU clocks of t and its process that are due. Interrupts off. */
void proc_timers_tick(struct task *t);
/* posix_timer_signal_taken - a POSIX timer's signal (info, SI_TIMER) is
 * being delivered: remember its overrun for timer_getoverrun. (S) held. */
void posix_timer_signal_taken(struct process *p, const struct ksiginfo *info);

/* ---- shared by the files of time/ ---- */
#define TIMER_MIN_GAP_NS (100 * NSEC_PER_USEC)
/* timer_forward - the first expiry after now on the grid of expires +
 * k * interval (k >= 1), with the expiries skipped in *missed. */
uint64_t timer_forward(uint64_t expires, uint64_t now, uint64_t interval, uint64_t *missed);
/* timer_fire_at - when to program a timer due at expires: no sooner
 * than TIMER_MIN_GAP_NS from now, so a tiny interval cannot flood a CPU
 * with interrupts (expiries are still counted on the grid). */
uint64_t timer_fire_at(uint64_t expires, uint64_t now);
/* posix_timers_cpu_tick_locked - the POSIX timers' part of
 * proc_timers_tick (t runs on this CPU): post what is due. (T) held,
 * not P. */
void posix_timers_cpu_tick_locked(struct proc_timers *pt, struct task *t);
/* posix_timers_delete_all - free every POSIX timer of pt. No lock held. */
void posix_timers_delete_all(struct proc_timers *pt);
#endif
