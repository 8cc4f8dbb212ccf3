/*
 * sysctl.c - the table of kernel tunables and their typed handlers:
 * how an int, a long or a string reads and how a write to it parses
 * (Linux's proc_dointvec_minmax, proc_doulongvec_minmax, proc_dostring).
 * The files under /proc/sys are kernel/fs/procfs/sysctl.c.
 */
#include "sys/sysctl.h"
#include "mm/kmalloc.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

/* The descriptors' pointers, placed by the SYSCTL_* macros. */
extern const struct sysctl *const __start_sysctl_table[];
extern const struct sysctl *const __stop_sysctl_table[];

static const struct sysctl **sorted;   /* (-) set once at boot */
static size_t nsorted;

/* Guards the bytes of every string tunable (a leaf lock). */
static struct spinlock sysctl_lock = SPINLOCK_INIT("sysctl");

void sysctl_init(void)
{
	size_t n = (size_t)(__stop_sysctl_table - __start_sysctl_table);
	kfree(sorted);
	sorted = kmalloc(MAX(n, 1) * sizeof(*sorted));
	if (!sorted)
		panic("sysctl_init: out of memory");
	for (size_t i = 0; i < n; i++) {         /* insertion sort by path */
		const struct sysctl *s = __start_sysctl_table[i];
		size_t j = i;
		for (; j > 0 && strcmp(sorted[j - 1]->path, s->path) > 0; j--)
			sorted[j] = sorted[j - 1];
		if (j > 0 && strcmp(sorted[j - 1]->path, s->path) == 0)
			panic("sysctl_init: %s declared twice", s->path);
		sorted[j] = s;
	}
	nsorted = n;
}

size_t sysctl_count(void) { return nsorted; }
const struct sysctl *sysctl_at(size_t i) { return sorted[i]; }

/* ---- parsing ---- */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\0'; }

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Digits at text[*at] in base (0: by prefix) into *mag; false on none or overflow. */
static bool parse_magnitude(const char *text, size_t len, size_t *at, unsigned base,
			    unsigned long *mag)
{
	size_t i = *at;
	if (base == 0) {
		base = 10;
		if (i < len && text[i] == '0') {
			base = 8;
			if (i + 2 < len && (text[i + 1] | 0x20) == 'x' && digit_value(text[i + 2]) < 16) {
				base = 16;
				i += 2;
			}
		}
	}
	size_t start = i;
	unsigned long v = 0;
	for (; i < len && digit_value(text[i]) < (int)base; i++) {
		unsigned d = (unsigned)digit_value(text[i]);
		if (v > (~0UL - d) / base)
			return false;
		v = v * base + d;
	}
	*at = i;
	*mag = v;
	return i > start;
}

/* One number with its sign and the blanks around it: the bytes taken,
 * or -EINVAL. */
static long parse_number(const char *text, size_t len, bool *neg, unsigned long *mag)
{
	size_t i = 0;
	while (i < len && is_blank(text[i]) && text[i])
		i++;
	*neg = i < len && text[i] == '-';
	if (*neg)
		i++;
	if (!parse_magnitude(text, len, &i, 0, mag))
		return -EINVAL;
	if (i < len && !is_blank(text[i]))
		return -EINVAL;
	while (i < len && is_blank(text[i]) && text[i])
		i++;
	return (long)i;
}

long sysctl_parse_long(const char *text, size_t len, long *val)
{
	bool neg;
	unsigned long mag;
	long took = parse_number(text, len, &neg, &mag);
	if (took < 0 || mag > (neg ? (unsigned long)INT64_MAX + 1 : (unsigned long)INT64_MAX))
		return -EINVAL;
	*val = neg ? (long)(0 - mag) : (long)mag;
	return took;
}

long sysctl_parse_ulong(const char *text, size_t len, unsigned long *val)
{
	bool neg;
	long took = parse_number(text, len, &neg, val);
	return took < 0 || neg ? -EINVAL : took;
}

/* ---- the typed handlers ---- */

/* One number in [s->min, s->max] from text: the bytes taken or -EINVAL. */
static long parse_in_range(const struct sysctl *s, const char *text, size_t len, long *v)
{
	long took = sysctl_parse_long(text, len, v);
	return took < 0 || *v < s->min || *v > s->max ? -EINVAL : took;
}

long sysctl_show_int(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%d\n", __atomic_load_n((int *)s->data, __ATOMIC_RELAXED));
}

long sysctl_store_int(const struct sysctl *s, const char *text, size_t len)
{
	long v, took = parse_in_range(s, text, len, &v);
	if (took >= 0)
		__atomic_store_n((int *)s->data, (int)v, __ATOMIC_RELAXED);
	return took;
}

long sysctl_show_long(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%ld\n", __atomic_load_n((long *)s->data, __ATOMIC_RELAXED));
}

long sysctl_store_long(const struct sysctl *s, const char *text, size_t len)
{
	long v, took = parse_in_range(s, text, len, &v);
	if (took >= 0)
		__atomic_store_n((long *)s->data, v, __ATOMIC_RELAXED);
	return took;
}

long sysctl_show_ulong(const struct sysctl *s, char *buf, size_t size)
{
	return snprintf(buf, size, "%lu\n", __atomic_load_n((unsigned long *)s->data, __ATOMIC_RELAXED));
}

long sysctl_store_ulong(const struct sysctl *s, const char *text, size_t len)
{
	unsigned long v;
	long took = sysctl_parse_ulong(text, len, &v);
	if (took >= 0)
		__atomic_store_n((unsigned long *)s->data, v, __ATOMIC_RELAXED);
	return took;
}

long sysctl_show_intvec(const struct sysctl *s, char *buf, size_t size)
{
	const int *v = s->data;
	size_t at = 0, n = s->size / sizeof(int);
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(at < size ? buf + at : NULL, at < size ? size - at : 0, "%d%c",
				   __atomic_load_n(&v[i], __ATOMIC_RELAXED), i + 1 < n ? '\t' : '\n');
		at += (size_t)len;
	}
	return (long)at;
}

/* Every value is parsed and checked before any is stored. */
long sysctl_store_intvec(const struct sysctl *s, const char *text, size_t len)
{
	int vals[16], *v = s->data;
	size_t n = 0, at = 0, max = MIN(s->size / sizeof(int), ARRAY_SIZE(vals));
	while (n < max && at < len && text[at]) {
		long x, took = parse_in_range(s, text + at, len - at, &x);
		if (took < 0)
			return took;
		vals[n++] = (int)x;
		at += (size_t)took;
	}
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		__atomic_store_n(&v[i], vals[i], __ATOMIC_RELAXED);
	return (long)at;
}

long sysctl_show_string(const struct sysctl *s, char *buf, size_t size)
{
	char *tmp = kmalloc(s->size);
	if (!tmp)
		return -ENOMEM;
	sysctl_string_get(tmp, s->data, s->size);
	long n = snprintf(buf, size, "%s\n", tmp);
	kfree(tmp);
	return n;
}

long sysctl_store_string(const struct sysctl *s, const char *text, size_t len)
{
	return sysctl_store_string_at(s, text, len, 0);
}

/* The text up to a newline or NUL replaces the string from offset pos
 * on (writes past its end are dropped), cut to fit: Linux's
 * proc_dostring with sysctl_writes_strict. */
long sysctl_store_string_at(const struct sysctl *s, const char *text, size_t len, uint64_t pos)
{
	size_t n = 0;
	while (n < len && text[n] != '\n' && text[n] != '\0')
		n++;
	spin_lock(&sysctl_lock);
	char *dst = s->data;
	size_t have = MIN(strlen(dst), s->size - 1);
	if (pos <= have) {
		n = MIN(n, s->size - 1 - (size_t)pos);
		memcpy(dst + pos, text, n);
		dst[pos + n] = '\0';
	}
	spin_unlock(&sysctl_lock);
	return (long)len;
}

void sysctl_string_get(char *dst, const char *src, size_t size)
{
	spin_lock(&sysctl_lock);
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	spin_unlock(&sysctl_lock);
}

void sysctl_string_set(char *dst, size_t size, const char *text, size_t len)
{
	len = MIN(len, size - 1);
	spin_lock(&sysctl_lock);
	memcpy(dst, text, len);
	dst[len] = '\0';
	spin_unlock(&sysctl_lock);
}
