/*
 * locks.h - the locks a task holds (locks.c).
 */
#ifndef ASPEN_PROC_LOCKS_H
#define ASPEN_PROC_LOCKS_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "proc/task.h"

/* locks_report_return_to_user - the panic of locks_check_return_to_user. */
__noreturn void locks_report_return_to_user(void);

/* locks_check_return_to_user - panic if the current task goes back to
 * user mode holding a sleeping lock or with a spinlock taken (inline:
 * it is on every return to user mode). */
static inline void locks_check_return_to_user(void)
{
	if (unlikely(irq_push_depth() || current->nheld))
		locks_report_return_to_user();
}
#endif
