/*
 * random.c - xoshiro256** (Blackman and Vigna's public-domain generator
 * design), its four words of state filled from the seeds by splitmix64.
 * random_lock guards the state.
 */
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "fs/random.h"

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ULL

static struct spinlock random_lock = SPINLOCK_INIT("random_lock");
static uint64_t state[4] = { 1, 2, 3, 4 };   /* (random_lock) never all zero */
static uint64_t mix;                          /* (random_lock) splitmix64 counter */

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* One splitmix64 output: spreads a seed over all 64 bits. */
static uint64_t splitmix_next(void)
{
	uint64_t z = (mix += SPLITMIX_GAMMA);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t next_locked(void)
{
	uint64_t result = rotl(state[1] * 5, 7) * 9;
	uint64_t t = state[1] << 17;
	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return result;
}

/* random_seed - fold seed into every word of the state. */
void random_seed(uint64_t seed)
{
	spin_lock(&random_lock);
	mix ^= seed;
	for (int i = 0; i < 4; i++)
		state[i] ^= splitmix_next();
	if (!(state[0] | state[1] | state[2] | state[3]))
		state[0] = 1;
	spin_unlock(&random_lock);
}

/* random_bytes - n pseudo-random bytes into buf. */
void random_bytes(void *buf, size_t n)
{
	char *p = buf;
	spin_lock(&random_lock);
	while (n) {
		uint64_t v = next_locked();
		size_t k = MIN(n, sizeof(v));
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
	spin_unlock(&random_lock);
}
