/*
 * usercopy.h - the only way the kernel touches user memory.
 *
 * Each function checks that the whole range lies in the user half, then
 * copies inside an access window (SMAP's stac/clac); a page fault on the
 * way is served like a user fault (demand zero, copy-on-write), and an
 * address that stays bad makes the function return -EFAULT instead of
 * crashing the kernel. May sleep (a fault may allocate).
 */
#ifndef ASPEN_MM_USERCOPY_H
#define ASPEN_MM_USERCOPY_H
#include "lib/kernel.h"

/* The user half: [0, USER_TOP). */
#define USER_TOP 0x0000800000000000UL

/* access_ok - [p, p+n) lies wholly below USER_TOP without wrapping. */
static inline bool access_ok(uint64_t p, uint64_t n)
{
	return p + n >= p && p + n <= USER_TOP;
}

/* copy_from_user / copy_to_user - 0, or -EFAULT if any byte is not accessible. */
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
/* clear_user - zero n user bytes; 0 or -EFAULT. */
int clear_user(void *udst, size_t n);
/* user_cmpxchg32 - if the aligned user word at uaddr holds old, store
 * new, atomically against every CPU; *seen gets the value found (equal
 * to old when it stored). 0, or -EFAULT. */
int user_cmpxchg32(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *seen);
/* strncpy_from_user - copy a NUL-terminated string of at most max-1
 * characters plus NUL; returns its length, -ENAMETOOLONG when no NUL
 * within max bytes, or -EFAULT. */
long strncpy_from_user(char *dst, const char *usrc, size_t max);
/* copy_struct_from_user - an extensible struct (clone3's, openat2's) of
 * usize bytes into dst of ksize: a shorter one is zero-extended, a
 * longer one must hold only zeros past ksize. 0, -EFAULT or -E2BIG. */
int copy_struct_from_user(void *dst, size_t ksize, const void *usrc, size_t usize);
#endif
