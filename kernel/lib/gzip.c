/*
 * gzip.c - a gzip file (RFC 1952) of data stored without compression:
 * one or more deflate "stored" blocks (RFC 1951, BTYPE 00), then the
 * CRC-32 and the length. Any gunzip reads it; it is only a little
 * larger than the data. Enough for /proc/config.gz, whose text is a
 * few KiB.
 */
#include "lib/gzip.h"
#include "lib/string.h"

#define STORED_MAX 65535u       /* bytes per stored block */
#define GZIP_HEADER 10
#define GZIP_TRAILER 8
#define BLOCK_HEADER 5

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

size_t gzip_stored_size(size_t len)
{
	size_t blocks = len ? (len + STORED_MAX - 1) / STORED_MAX : 1;
	return GZIP_HEADER + blocks * BLOCK_HEADER + len + GZIP_TRAILER;
}

size_t gzip_stored(const void *data, size_t len, uint8_t *out)
{
	static const uint8_t header[GZIP_HEADER] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	const uint8_t *in = data;
	uint8_t *o = out;
	memcpy(o, header, GZIP_HEADER);
	o += GZIP_HEADER;
	size_t left = len;
	do {
		uint16_t n = (uint16_t)MIN(left, (size_t)STORED_MAX);
		o[0] = left == n;               /* BFINAL on the last block, BTYPE 00 */
		o[1] = (uint8_t)n;
		o[2] = (uint8_t)(n >> 8);
		o[3] = (uint8_t)~n;
		o[4] = (uint8_t)(~n >> 8);
		memcpy(o + BLOCK_HEADER, in, n);
		o += BLOCK_HEADER + n;
		in += n;
		left -= n;
	} while (left);
	put_le32(o, crc32_update(0, data, len));
	put_le32(o + 4, (uint32_t)len);
	return (size_t)(o + GZIP_TRAILER - out);
}
