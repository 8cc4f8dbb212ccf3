/*
 * usercopy.c - checked copies between kernel and user memory. The range
 * check keeps kernel addresses out; the arch copy recovers from faults
 * the fault handler could not resolve.
 */
#include "mm/usercopy.h"
#include "arch.h"
#include "lib/errno.h"
#include "lib/string.h"

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!access_ok((uint64_t)usrc, n))
		return -EFAULT;
	return arch_user_copy(dst, usrc, n) ? -EFAULT : 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (!access_ok((uint64_t)udst, n))
		return -EFAULT;
	return arch_user_copy(udst, src, n) ? -EFAULT : 0;
}

int clear_user(void *udst, size_t n)
{
	if (!access_ok((uint64_t)udst, n))
		return -EFAULT;
	return arch_user_clear(udst, n) ? -EFAULT : 0;
}

int user_cmpxchg32(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *seen)
{
	if (((uint64_t)uaddr & 3) || !access_ok((uint64_t)uaddr, sizeof(uint32_t)))
		return -EFAULT;
	return arch_user_cmpxchg32(uaddr, old, new, seen) ? -EFAULT : 0;
}

/* Copy page by page so that a string ending just before an unmapped
 * page is read without touching that page. */
long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	size_t done = 0;
	while (done < max) {
		uint64_t p = (uint64_t)usrc + done;
		size_t chunk = MIN(max - done, PAGE_SIZE - (p & (PAGE_SIZE - 1)));
		if (!access_ok(p, chunk) || arch_user_copy(dst + done, (const void *)p, chunk))
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (dst[done + i] == 0)
				return (long)(done + i);
		done += chunk;
	}
	return -ENAMETOOLONG;
}

/* copy_struct_from_user - see usercopy.h (Linux's helper of the same
 * name): the known part, zeros for what the caller's older struct
 * lacks, and bytes past ours must be zero (-E2BIG). */
int copy_struct_from_user(void *dst, size_t ksize, const void *usrc, size_t usize)
{
	memset(dst, 0, ksize);
	if (copy_from_user(dst, usrc, MIN(ksize, usize)))
		return -EFAULT;
	for (size_t off = ksize; off < usize; off++) {
		uint8_t b;
		if (copy_from_user(&b, (const uint8_t *)usrc + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	return 0;
}
