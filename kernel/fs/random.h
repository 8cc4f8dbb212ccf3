/*
 * random.h - the kernel's pseudo-random numbers (/dev/random, /dev/urandom,
 * AT_RANDOM). Not cryptographic: a xoshiro256** generator seeded at boot.
 */
#ifndef ASPEN_FS_RANDOM_H
#define ASPEN_FS_RANDOM_H
#include "lib/kernel.h"

/* random_seed - mix seed (RDRAND, TSC...) into the state. Any time. */
void random_seed(uint64_t seed);
/* random_bytes - fill buf with n pseudo-random bytes. Takes random_lock
 * (a spinlock); does not sleep. */
void random_bytes(void *buf, size_t n);
#endif
