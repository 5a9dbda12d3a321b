/*
 * jitter: a small, fast generator of uniform numbers in [0, 1) for
 * spreading and jittering times (host gaps, poll intervals, first polls).
 * Not for secrets.  The state is the caller's, one per room instance,
 * seeded once from arc4random, which on glibc 2.36 is a getrandom(2)
 * system call every time: four of them per poll, 40,000 in a warm poll
 * of 10,000 sources.  splitmix64 (Steele, Lea and Flood, 2014).
 */
#ifndef FEEDMUX_JITTER_H
#define FEEDMUX_JITTER_H

#include <stdint.h>
#include <stdlib.h>

static inline uint64_t
jitter_seed(void)
{
	return (uint64_t)arc4random() << 32 | arc4random();
}

static inline double
jitter_next(uint64_t *state)
{
	uint64_t	z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	/* The top 53 bits: every double in [0, 1) this way is exact. */
	return (double)(z >> 11) / 9007199254740992.0;
}

#endif
