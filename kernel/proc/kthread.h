/*
 * kthread.h - kernel threads (kthread.c).
 */
#ifndef ASPEN_PROC_KTHREAD_H
#define ASPEN_PROC_KTHREAD_H
#include "lib/kernel.h"

struct task;
/* kthread_run - a kernel thread running fn(arg), which must never
 * return; runnable at once. NULL when out of memory. May be called
 * before the other CPUs start. */
struct task *kthread_run(void (*fn)(void *), void *arg);
#endif
