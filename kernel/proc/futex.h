/* futex.h - fast user-space locking (proc/futex.c). */
#ifndef ASPEN_PROC_FUTEX_H
#define ASPEN_PROC_FUTEX_H
#include "lib/kernel.h"

struct task;

/* futex_exit_release - a thread is leaving its address space (exit, or
 * execve): mark the robust futexes it still holds OWNER_DIED and wake a
 * waiter of each, then clear its CLONE_CHILD_CLEARTID word and wake one
 * waiter there (pthread_join sleeps on it). Runs in t itself, with its
 * mm still current; no locks held. May sleep. */
void futex_exit_release(struct task *t);

/* futex_wake_shared - wake up to nr waiters on the word at uaddr of the
 * current address space, private or shared; returns how many woke. */
long futex_wake_shared(uint64_t uaddr, int nr);
#endif
