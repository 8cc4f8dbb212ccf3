/*
 * sysctl.h - kernel tunables, shown as files under /proc/sys.
 *
 * A subsystem declares its own tunables where their variables live, one
 * line each; nothing else needs editing (docs/proc.md):
 *
 *   int pid_max = 32768;
 *   SYSCTL_INT("kernel/pid_max", 0644, &pid_max, 301, PID_MAX_LIMIT);
 *
 *   static char core_pattern[128] = "core";
 *   SYSCTL_STRING("kernel/core_pattern", 0644, core_pattern);
 *
 *   SYSCTL_PROC("kernel/random/boot_id", 0444, show_boot_id, NULL);
 *
 * The macro puts a pointer to a constant descriptor into the linker
 * section "sysctl_table"; sysctl_init sorts them by path at boot, and
 * procfs shows the tree (kernel/fs/procfs/sysctl.c). The path is the
 * file's name under /proc/sys; its directories exist because files
 * are in them.
 *
 * Access as Linux: the mode bits alone decide, root using the owner's
 * bits and others the "other" bits (so 0644 means written by root
 * only, and 0444 by nobody, root included). A value that does not
 * parse, or is outside [min, max], fails the write with EINVAL and
 * leaves the value as it was.
 *
 * Locks: an int or long value is a single word, stored and loaded
 * atomically (read it with SYSCTL_READ). String values are guarded by
 * sysctl_lock, a spinlock taken only for the copy
 * (sysctl_string_get/sysctl_string_set); nothing nests inside it.
 */
#ifndef ASPEN_SYS_SYSCTL_H
#define ASPEN_SYS_SYSCTL_H
#include "lib/kernel.h"

/* The size of the text of one value, as Linux's one page. */
#define SYSCTL_TEXT_MAX PAGE_SIZE

struct sysctl;

/* show - format the value as the file reads (ending in "\n") into buf
 * of size bytes; the length, or -errno. */
typedef long (*sysctl_show_fn)(const struct sysctl *s, char *buf, size_t size);
/* store - parse text (len bytes, NUL-terminated, from a write at offset
 * 0) and set the value; the bytes taken (len, or fewer when it stopped
 * at a value's end), or -errno (EINVAL for a value it refuses). */
typedef long (*sysctl_store_fn)(const struct sysctl *s, const char *text, size_t len);

struct sysctl {
	const char *path;       /* under /proc/sys, '/'-separated: "kernel/pid_max" */
	uint16_t mode;          /* permission bits: 0644, 0444, 0600, ... */
	void *data;             /* the variable */
	size_t size;            /* of a string buffer (including the NUL) */
	long min, max;          /* accepted range of an int or long */
	sysctl_show_fn show;
	sysctl_store_fn store;  /* NULL: read-only whatever the mode */
};

/* The typed handlers. */
long sysctl_show_int(const struct sysctl *s, char *buf, size_t size);
long sysctl_store_int(const struct sysctl *s, const char *text, size_t len);
long sysctl_show_long(const struct sysctl *s, char *buf, size_t size);
long sysctl_store_long(const struct sysctl *s, const char *text, size_t len);
long sysctl_show_ulong(const struct sysctl *s, char *buf, size_t size);
long sysctl_store_ulong(const struct sysctl *s, const char *text, size_t len);
long sysctl_show_intvec(const struct sysctl *s, char *buf, size_t size);
long sysctl_store_intvec(const struct sysctl *s, const char *text, size_t len);
long sysctl_show_string(const struct sysctl *s, char *buf, size_t size);
long sysctl_store_string(const struct sysctl *s, const char *text, size_t len);
/* sysctl_store_string_at - a write to a string at offset pos (others
 * ignore writes past offset 0, as Linux). */
long sysctl_store_string_at(const struct sysctl *s, const char *text, size_t len, uint64_t pos);

#define SYSCTL_CAT2(a, b) a##b
#define SYSCTL_CAT(a, b) SYSCTL_CAT2(a, b)
#define SYSCTL_DECLARE(...) SYSCTL_DECLARE_AS(SYSCTL_CAT(sysctl_, __LINE__), __VA_ARGS__)
#define SYSCTL_DECLARE_AS(id, ...)                                                   \
	static const struct sysctl id = { __VA_ARGS__ };                             \
	static const struct sysctl *const SYSCTL_CAT(id, _ptr)                       \
		__attribute__((used, section("sysctl_table"))) = &id

/* An int in [lo, hi]. */
#define SYSCTL_INT(path, mode, var, lo, hi)                                          \
	SYSCTL_DECLARE(path, mode, (int *)(var), sizeof(int), lo, hi, sysctl_show_int, \
		       sysctl_store_int)
/* A long in [lo, hi]. */
#define SYSCTL_LONG(path, mode, var, lo, hi)                                         \
	SYSCTL_DECLARE(path, mode, (long *)(var), sizeof(long), lo, hi,                \
		       sysctl_show_long, sysctl_store_long)
/* An unsigned long, any value (Linux's proc_doulongvec_minmax unbounded). */
#define SYSCTL_ULONG(path, mode, var)                                                \
	SYSCTL_DECLARE(path, mode, (unsigned long *)(var), sizeof(long), 0, 0,         \
		       sysctl_show_ulong, sysctl_store_ulong)
/* An array of ints, each in [lo, hi], shown tab-separated; a write sets
 * as many of them as it gives, from the first (Linux's proc_dointvec). */
#define SYSCTL_INTVEC(path, mode, array, lo, hi)                                     \
	SYSCTL_DECLARE(path, mode, (int *)(array), sizeof(array), lo, hi,              \
		       sysctl_show_intvec, sysctl_store_intvec)
/* A string in a char array (a write longer than it is cut short, as Linux). */
#define SYSCTL_STRING(path, mode, array)                                             \
	SYSCTL_DECLARE(path, mode, (array), sizeof(array), 0, 0, sysctl_show_string,   \
		       sysctl_store_string)
/* Custom handlers (store may be NULL). */
#define SYSCTL_PROC(path, mode, show_fn, store_fn)                                   \
	SYSCTL_DECLARE(path, mode, NULL, 0, 0, 0, show_fn, store_fn)

/* SYSCTL_READ - a tunable's current value (an atomic load). */
#define SYSCTL_READ(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)

/* sysctl_string_get - copy the string value src (a buffer of size bytes)
 * into dst, NUL-terminated, under sysctl_lock. */
void sysctl_string_get(char *dst, const char *src, size_t size);
/* sysctl_string_set - store len bytes of text into the string buffer dst
 * of size bytes (cut at size - 1), under sysctl_lock. */
void sysctl_string_set(char *dst, size_t size, const char *text, size_t len);
/* uts_nodename - the host name (kernel.hostname, uname's nodename) into
 * buf, NUL-terminated (sys/uts.c). */
void uts_nodename(char *buf, size_t size);

/* sysctl_parse_long - Linux's reading of one number in a sysctl write:
 * blanks, an optional '-', digits in base 10, or 16 after 0x, or 8
 * after 0; it must end at a blank or the end. Sets *val and returns the
 * bytes taken (blanks after it included), or -EINVAL. */
long sysctl_parse_long(const char *text, size_t len, long *val);
/* sysctl_parse_ulong - the same for an unsigned number ('-' refused). */
long sysctl_parse_ulong(const char *text, size_t len, unsigned long *val);

/* ---- the table (for procfs) ---- */

/* sysctl_count - how many tunables there are. */
size_t sysctl_count(void);
/* sysctl_at - the i-th tunable in the order of their paths (i <
 * sysctl_count()). */
const struct sysctl *sysctl_at(size_t i);
/* sysctl_init - sort the table (boot, before procfs). Panics when out of
 * memory or when two tunables have one path. */
void sysctl_init(void);
#endif
