/*
 * mono: the monotonic clock as one integer, for timing slices, gaps and
 * ages that wall-clock steps must not disturb.  Header only, no state.
 */
#ifndef FEEDMUX_MONO_H
#define FEEDMUX_MONO_H

#include <stdint.h>
#include <time.h>

/* Microseconds on CLOCK_MONOTONIC. */
static inline int64_t
mono_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Milliseconds on CLOCK_MONOTONIC. */
static inline int64_t
mono_ms(void)
{
	return mono_usec() / 1000;
}

#endif
