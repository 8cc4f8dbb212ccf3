/*
 * string.c - memory and string routines for the kernel.
 *
 * The compiler may emit calls to memcpy, memset, memmove and memcmp on
 * its own (structure copies, large initialisers), so these names must
 * exist. memset and memcpy use the string instructions a quadword at a
 * time (as Linux's clear_page and copy_page); host test builds use
 * plain loops so that the sanitizers see every access.
 */
#include "lib/kernel.h"
#include "lib/string.h"

#ifndef HOST_TEST
/* memset - fill n bytes at dst with the byte c; returns dst. Eight
 * bytes at a time, then the tail. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;
	uint64_t pattern = 0x0101010101010101UL * (uint8_t)c;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(c) : "memory");
	return dst;
}

/* memcpy - copy n bytes from src to dst, which must not overlap;
 * returns dst. Eight bytes at a time, then the tail. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(tail) : : "memory");
	return dst;
}

/* Copy n bytes downward, from the last byte to the first. */
static void copy_backward(void *dst, const void *src, size_t n)
{
	char *d = (char *)dst + n - 1;
	const char *s = (const char *)src + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}
#else
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

static void copy_backward(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		d[n] = s[n];
}
#endif

/* memmove - copy n bytes from src to dst, which may overlap; returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
	if (n == 0 || dst == src)
		return dst;
	if ((uintptr_t)dst < (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
		return memcpy(dst, src, n);
	copy_backward(dst, src, n);
	return dst;
}

/* memcmp - compare n bytes as unsigned chars: <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] - q[i];
	}
	return 0;
}

/* strlen - the length of the string s. */
size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* strnlen - the length of s, or max if s has no NUL in its first max bytes. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

/* strcmp - compare two strings as unsigned chars: <0, 0 or >0. */
int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/* strncmp - compare at most n bytes of two strings: <0, 0 or >0. */
int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x != y)
			return x - y;
		if (x == 0)
			break;
	}
	return 0;
}

/* strchr - the first c in s (the terminator counts), or NULL. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == 0)
			return NULL;
	}
}

/* strrchr - the last c in s (the terminator counts), or NULL. */
char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == 0)
			return (char *)last;
	}
}

/* strlcpy - copy src into dst (size bytes), truncating and always
 * terminating when size > 0; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size > 0) {
		size_t n = MIN(len, size - 1);
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}
