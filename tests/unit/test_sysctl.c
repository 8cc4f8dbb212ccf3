// UNIT-SRCS: kernel/sys/sysctl.c
/*
 * test_sysctl.c - the tunables' table and typed handlers: numbers parse
 * as Linux's proc_dointvec reads them, out-of-range and malformed
 * values are refused and change nothing, strings are cut to their
 * buffer and written at an offset as sysctl_writes_strict says, and
 * the table comes out sorted by path.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "sys/sysctl.h"
#include "lib/errno.h"

void *kmalloc(size_t size) { return malloc(size); }
void kfree(void *p) { free(p); }

static int t_int = 7;
static long t_long = 1;
static char t_str[8] = "abc";
SYSCTL_INT("zz/int", 0644, &t_int, -5, 100);
SYSCTL_LONG("aa/long", 0644, &t_long, 0, 1L << 40);
SYSCTL_STRING("mm/sub/str", 0644, t_str);

static const struct sysctl *find(const char *path)
{
	for (size_t i = 0; i < sysctl_count(); i++)
		if (strcmp(sysctl_at(i)->path, path) == 0)
			return sysctl_at(i);
	return NULL;
}

/* Store text (a C string) into tunable path: the handler's result. */
static long store(const char *path, const char *text)
{
	const struct sysctl *s = find(path);
	return s->store(s, text, strlen(text));
}

UNIT_TEST(table_sorted_by_path)
{
	sysctl_init();
	CHECK_EQ(sysctl_count(), 3);
	CHECK(strcmp(sysctl_at(0)->path, "aa/long") == 0);
	CHECK(strcmp(sysctl_at(1)->path, "mm/sub/str") == 0);
	CHECK(strcmp(sysctl_at(2)->path, "zz/int") == 0);
}

UNIT_TEST(parse_bases_signs_and_blanks)
{
	long v;
	CHECK_EQ(sysctl_parse_long("42", 2, &v), 2);
	CHECK_EQ(v, 42);
	CHECK_EQ(sysctl_parse_long(" \t-17\n", 6, &v), 6);
	CHECK_EQ(v, -17);
	CHECK_EQ(sysctl_parse_long("0x1F", 4, &v), 4);
	CHECK_EQ(v, 31);
	CHECK_EQ(sysctl_parse_long("017", 3, &v), 3);
	CHECK_EQ(v, 15);
	CHECK_EQ(sysctl_parse_long("0", 1, &v), 1);
	CHECK_EQ(v, 0);
	CHECK_EQ(sysctl_parse_long("5 6", 3, &v), 2);     /* stops after the first value */
	CHECK_EQ(v, 5);
	CHECK_EQ(sysctl_parse_long("9223372036854775807", 19, &v), 19);
	CHECK_EQ(v, 9223372036854775807L);
}

UNIT_TEST(parse_ulong_refuses_a_sign)
{
	unsigned long v;
	CHECK_EQ(sysctl_parse_ulong("18446744073709551615", 20, &v), 20);
	CHECK(v == ~0UL);
	CHECK_EQ(sysctl_parse_ulong("-1", 2, &v), -EINVAL);
}

UNIT_TEST(parse_refuses_malformed)
{
	long v;
	static const char *bad[] = { "", " ", "-", "x1", "1x", "0x", "09", "--1",
				     "18446744073709551616", "9223372036854775808" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(sysctl_parse_long(bad[i], strlen(bad[i]), &v), -EINVAL);
}

UNIT_TEST(int_range_enforced_value_kept)
{
	sysctl_init();
	CHECK_EQ(store("zz/int", "100\n"), 4);
	CHECK_EQ(t_int, 100);
	CHECK_EQ(store("zz/int", "101"), -EINVAL);
	CHECK_EQ(store("zz/int", "-6"), -EINVAL);
	CHECK_EQ(store("zz/int", "abc"), -EINVAL);
	CHECK_EQ(t_int, 100);
	CHECK_EQ(store("zz/int", "-5"), 2);
	CHECK_EQ(t_int, -5);
	char buf[32];
	const struct sysctl *s = find("zz/int");
	CHECK_EQ(s->show(s, buf, sizeof(buf)), 3);
	CHECK(strcmp(buf, "-5\n") == 0);
	CHECK_EQ(store("aa/long", "1099511627776"), 13);
	CHECK_EQ(t_long, 1L << 40);
	CHECK_EQ(store("aa/long", "1099511627777"), -EINVAL);
}

UNIT_TEST(string_cut_at_newline_and_size)
{
	sysctl_init();
	const struct sysctl *s = find("mm/sub/str");
	CHECK_EQ(store("mm/sub/str", "hello\nworld"), 11);
	CHECK(strcmp(t_str, "hello") == 0);
	CHECK_EQ(store("mm/sub/str", "0123456789"), 10);
	CHECK(strcmp(t_str, "0123456") == 0);
	CHECK_EQ(sysctl_store_string_at(s, "AB", 2, 2), 2);   /* overwrite from offset 2 */
	CHECK(strcmp(t_str, "01AB") == 0);
	CHECK_EQ(sysctl_store_string_at(s, "Z", 1, 5), 1);    /* past the end: dropped */
	CHECK(strcmp(t_str, "01AB") == 0);
	char buf[16];
	CHECK_EQ(s->show(s, buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "01AB\n") == 0);
}
