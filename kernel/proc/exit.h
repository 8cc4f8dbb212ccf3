/*
 * exit.h - ending tasks and processes, and collecting their status.
 */
#ifndef ASPEN_PROC_EXIT_H
#define ASPEN_PROC_EXIT_H
#include "lib/kernel.h"

/* Wait status encodings, as Linux's. */
#define W_EXITCODE(code) (((code) & 0xff) << 8)

/* do_exit_thread - end the calling task with wait status `status`; with
 * group, end every thread of its process (exit_group). The last thread
 * out turns the process into a zombie for its parent. Never returns. */
__noreturn void do_exit_thread(int status, bool group);
#endif
