/* gzip.h - data wrapped as a gzip file, stored without compression (gzip.c). */
#ifndef ASPEN_LIB_GZIP_H
#define ASPEN_LIB_GZIP_H
#include "lib/kernel.h"

/* gzip_stored_size - the bytes gzip_stored makes of len bytes. */
size_t gzip_stored_size(size_t len);
/* gzip_stored - write len bytes of data into out (gzip_stored_size(len)
 * bytes) as a gzip file; returns its size. */
size_t gzip_stored(const void *data, size_t len, uint8_t *out);
#endif
