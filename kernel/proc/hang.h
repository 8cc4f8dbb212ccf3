/*
 * hang.h - reports of where every CPU and task is, for a machine that
 * seems hung (see hang.c).
 */
#ifndef ASPEN_PROC_HANG_H
#define ASPEN_PROC_HANG_H
#include "lib/kernel.h"

struct trapframe;

/* hang_report_cpu - this CPU's part of a hang report, from the NMI that
 * interrupted tf; the last CPU of a round also prints every task.
 * Interrupts off; takes no lock; never sleeps. */
void hang_report_cpu(const struct trapframe *tf);
#endif
