/*
 * locks.h - the locks a task holds (locks.c).
 */
#ifndef ASPEN_PROC_LOCKS_H
#define ASPEN_PROC_LOCKS_H
#include "lib/kernel.h"

/* locks_check_return_to_user - panic if the current task goes back to
 * user mode holding a sleeping lock or with a spinlock taken. */
void locks_check_return_to_user(void);
#endif
