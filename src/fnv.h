/*
 * fnv: FNV-1a (Fowler, Noll and Vo), the 64-bit hash of short strings and
 * byte runs that the rooms use for their own tables, fingerprints and
 * ETags: hosts, sources, engines, log lines, cached views, category rules.
 * Fast and well spread on names; not keyed, so not for a table whose keys
 * an attacker may choose in bulk, and not for secrets.
 */
#ifndef FEEDMUX_FNV_H
#define FEEDMUX_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV_INIT	0xcbf29ce484222325ULL	/* the offset basis */

/* Continues hash H over N bytes at P. */
static inline uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The hash of the string S; NULL hashes as "". */
static inline uint64_t
fnv_str(const char *s)
{
	uint64_t	h = FNV_INIT;

	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif
