/* errno.h - Linux's errno values, from the installed UAPI headers, so the
 * numbers a syscall returns are exactly Linux's. Syscalls return -E*. */
#ifndef ASPEN_LIB_ERRNO_H
#define ASPEN_LIB_ERRNO_H
#include <asm-generic/errno.h>
/* Kernel-internal: a syscall interrupted by a signal. The signal code
 * turns these into a restart or -EINTR; user space never sees them. */
#define ERESTARTSYS 512            /* restart if the handler has SA_RESTART */
#define ERESTARTNOINTR 513         /* always restart */
#define ERESTARTNOHAND 514         /* restart only if no handler ran */
#define ERESTART_RESTARTBLOCK 516  /* restart through restart_syscall */
#define IS_ERR_VALUE(x) ((uint64_t)(x) >= (uint64_t)-4095)
#endif
