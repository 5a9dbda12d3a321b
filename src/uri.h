/*
 * uri: pure URL helpers.  Reference resolution is the RFC 3986 section 5.2
 * algorithm (with dot-segment removal), so relative links in feeds and in
 * their HTML resolve as a browser would.  Normalisation builds the story key
 * that deduplicates one story published under several URLs.
 * No state; every returned string is malloc'd and the caller frees it.
 */
#ifndef FEEDMUX_URI_H
#define FEEDMUX_URI_H

#include <stddef.h>

/*
 * Resolves REF against BASE (RFC 3986 5.2).  BASE may be NULL or relative, in
 * which case REF is returned as written.  Any scheme is accepted (mailto:,
 * tag:, urn: ...).  Leading and trailing whitespace of REF is ignored.
 * Returns NULL only when out of memory.  Caller frees.
 */
char	*uri_resolve(const char *base, const char *ref);

/* 1 when S starts with a scheme ("http:", "tag:" ...), else 0. */
int	 uri_is_absolute(const char *s);

/*
 * Writes the lower-cased scheme of S into BUF (LEN bytes) and returns 0, or
 * returns -1 when S has no scheme or it does not fit.
 */
int	 uri_scheme(const char *s, char *buf, size_t len);

/*
 * The story key of an http(s) URL: scheme and host lower-cased, default port
 * dropped, empty path made "/", fragment dropped, tracking parameters
 * (utm_*, fbclid, gclid, mc_cid, mc_eid, ...) removed from the query, the
 * remaining parameters kept in order.  Returns NULL when S is not an
 * absolute http(s) URL or when out of memory.  Caller frees.
 */
char	*uri_normalize(const char *s);

/*
 * 1 when S is an absolute http or https URL with a host, else 0.  Used by
 * conf to reject bad source URLs.
 */
int	 uri_is_http(const char *s);

#endif
