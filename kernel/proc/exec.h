/* exec.h - replacing a process's program (proc/exec.c). */
#ifndef ASPEN_PROC_EXEC_H
#define ASPEN_PROC_EXEC_H
#include "lib/kernel.h"

#define EXEC_STRINGS_MAX (2UL << 20)     /* argv + envp bytes: Linux's _STK_LIM / 4 */
#define EXEC_STRING_MAX (32 * PAGE_SIZE) /* one string: Linux's MAX_ARG_STRLEN */
#define EXEC_INTERP_DEPTH 4              /* nested #! interpreters */

/* kernel_execve - exec from the kernel (the first process): argv and
 * envp are kernel strings. Returns -errno on failure, 0 on success (the
 * task's trap frame then starts the new program). */
long kernel_execve(const char *path, const char *const *argv, const char *const *envp);
#endif
