/* errno.h - Linux's errno values, from the installed UAPI headers, so the
 * numbers a syscall returns are exactly Linux's. Syscalls return -E*. */
#ifndef ASPEN_LIB_ERRNO_H
#define ASPEN_LIB_ERRNO_H
#include <asm-generic/errno.h>
#define IS_ERR_VALUE(x) ((uint64_t)(x) >= (uint64_t)-4095)
#endif
