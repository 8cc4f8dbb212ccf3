// UNIT-SRCS: kernel/lib/gzip.c
/*
 * test_gzip.c - gzip_stored makes files the host's gzip reads back
 * byte for byte: empty, small, and longer than one stored block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "unit.h"
#include "lib/gzip.h"

/* gunzip n bytes of gz with the host's gzip; the text it gives, in
 * out (size bytes), and its length, or -1 if gzip refused it. */
static long host_gunzip(const uint8_t *gz, size_t n, char *out, size_t size)
{
	char path[] = "/tmp/aspen-test-gzip-XXXXXX", cmd[64];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");
	fwrite(gz, 1, n, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gzip -dc < %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	size_t got = fread(out, 1, size, p);
	int rc = pclose(p);
	remove(path);
	return rc == 0 ? (long)got : -1;
}

static void round_trip(size_t len)
{
	char *text = malloc(len + 1), *back = malloc(len + 16);
	for (size_t i = 0; i < len; i++)
		text[i] = (char)('a' + (i * 7 + i / 26) % 26);
	size_t cap = gzip_stored_size(len);
	uint8_t *gz = malloc(cap);
	CHECK_EQ(gzip_stored(text, len, gz), cap);
	CHECK(gz[0] == 0x1f && gz[1] == 0x8b && gz[2] == 8);
	CHECK_EQ(host_gunzip(gz, cap, back, len + 16), (long)len);
	CHECK(memcmp(text, back, len) == 0);
	free(text);
	free(back);
	free(gz);
}

UNIT_TEST(empty_text_round_trips) { round_trip(0); }
UNIT_TEST(small_text_round_trips) { round_trip(3000); }
UNIT_TEST(two_blocks_round_trip) { round_trip(65535 + 1000); }
