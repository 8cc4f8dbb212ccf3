/*
 * membarrier.h - what fork needs of membarrier(2) (sched/membarrier.c).
 */
#ifndef ASPEN_SCHED_MEMBARRIER_H
#define ASPEN_SCHED_MEMBARRIER_H
struct mm;

/* membarrier_fork - a forked child's new mm keeps its parent's
 * registrations, as Linux's. */
void membarrier_fork(struct mm *child, struct mm *parent);
#endif
