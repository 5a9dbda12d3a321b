/*
 * uri: URL helpers over a small RFC 3986 component split; see uri.h.  This
 * room owns reference resolution (section 5.2: transform, merge,
 * remove_dot_segments, recomposition), scheme tests, and the story key that
 * uri_normalize builds for cross-source deduplication.  Every function works
 * on (pointer, length) views of its input and allocates only its result.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

/* A part of a URI: where it starts, how long it is, whether it is present. */
struct uri_part {
	const char	*s;
	size_t		 len;
	int		 defined;
};

/* The five components of RFC 3986 section 3, as views into one string. */
struct uri_parts {
	struct uri_part	scheme;
	struct uri_part	authority;
	struct uri_part	path;		/* always defined */
	struct uri_part	query;
	struct uri_part	fragment;
};

/* A growing output string with a ceiling fixed when it is created. */
struct uri_buf {
	char	*s;
	size_t	 len;
	size_t	 size;
};

/* Whether C is ASCII white space; isspace() would consult the locale. */
static int
uri_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Whether C is an ASCII letter. */
static int
uri_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether C is an ASCII digit. */
static int
uri_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

/* ASCII-only lower-casing. */
static int
uri_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* The value of hex digit C, or -1. */
static int
uri_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether C is an RFC 3986 unreserved character. */
static int
uri_isunreserved(int c)
{
	return uri_isalpha(c) || uri_isdigit(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~';
}

/*
 * The length of the scheme in the LEN bytes at S (RFC 3986 3.1: a letter,
 * then letters, digits, "+", "-" or "."), counting only when a ":" follows;
 * else 0.
 */
static size_t
uri_scheme_len(const char *s, size_t len)
{
	size_t	n;

	if (s == NULL || len == 0 || !uri_isalpha(s[0]))
		return 0;
	for (n = 1; n < len && (uri_isalpha(s[n]) || uri_isdigit(s[n]) ||
	    s[n] == '+' || s[n] == '-' || s[n] == '.'); n++)
		;
	return n < len && s[n] == ':' ? n : 0;
}

/* Splits the LEN bytes at S into components, as RFC 3986 appendix B does. */
static void
uri_split(const char *s, size_t len, struct uri_parts *u)
{
	const char	*end = s + len, *p;
	size_t		 n;

	memset(u, 0, sizeof *u);
	if ((n = uri_scheme_len(s, len)) > 0) {
		u->scheme.s = s;
		u->scheme.len = n;
		u->scheme.defined = 1;
		s += n + 1;
	}
	if (end - s >= 2 && s[0] == '/' && s[1] == '/') {
		s += 2;
		for (p = s; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
			;
		u->authority.s = s;
		u->authority.len = (size_t)(p - s);
		u->authority.defined = 1;
		s = p;
	}
	for (p = s; p < end && *p != '?' && *p != '#'; p++)
		;
	u->path.s = s;
	u->path.len = (size_t)(p - s);
	u->path.defined = 1;
	s = p;
	if (s < end && *s == '?') {
		s++;
		for (p = s; p < end && *p != '#'; p++)
			;
		u->query.s = s;
		u->query.len = (size_t)(p - s);
		u->query.defined = 1;
		s = p;
	}
	if (s < end && *s == '#') {
		s++;
		u->fragment.s = s;
		u->fragment.len = (size_t)(end - s);
		u->fragment.defined = 1;
	}
}

/* Starts B with room for SIZE bytes including the NUL; -1 without memory. */
static int
uri_buf_init(struct uri_buf *b, size_t size)
{
	b->len = 0;
	b->size = size;
	if ((b->s = malloc(size)) == NULL)
		return -1;
	b->s[0] = '\0';
	return 0;
}

/*
 * Appends LEN bytes at S to B.  Sizes are computed before each buffer is
 * born, so running out of room is a bug: loud in debug builds, a truncated
 * but terminated string otherwise.
 */
static void
uri_buf_add(struct uri_buf *b, const char *s, size_t len)
{
	if (len >= b->size - b->len) {
#ifndef NDEBUG
		abort();
#endif
		len = b->size - b->len - 1;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

/* Appends one byte C to B. */
static void
uri_buf_addc(struct uri_buf *b, char c)
{
	uri_buf_add(b, &c, 1);
}

/*
 * RFC 3986 5.2.4: removes "." and ".." segments from the LEN bytes at IN,
 * appending the result to OUT (which must have room for LEN more bytes).
 * The input buffer is a moving view; the two rules that "replace a prefix
 * with /" point it at a static "/" when nothing else remains.
 */
static void
uri_remove_dots(const char *in, size_t len, struct uri_buf *out)
{
	const char	*end = in + len, *p;
	size_t		 base = out->len, n;

	while (in < end) {
		n = (size_t)(end - in);
		if (n >= 3 && memcmp(in, "../", 3) == 0)
			in += 3;				/* A */
		else if (n >= 2 && memcmp(in, "./", 2) == 0)
			in += 2;				/* A */
		else if (n >= 3 && memcmp(in, "/./", 3) == 0)
			in += 2;				/* B */
		else if (n == 2 && memcmp(in, "/.", 2) == 0) {
			in = "/";				/* B */
			end = in + 1;
		} else if ((n >= 4 && memcmp(in, "/../", 4) == 0) ||
		    (n == 3 && memcmp(in, "/..", 3) == 0)) {
			/* C: drop the last output segment and its "/". */
			while (out->len > base && out->s[out->len - 1] != '/')
				out->len--;
			if (out->len > base)
				out->len--;
			out->s[out->len] = '\0';
			if (n == 3) {
				in = "/";
				end = in + 1;
			} else
				in += 3;
		} else if ((n == 1 && in[0] == '.') ||
		    (n == 2 && memcmp(in, "..", 2) == 0))
			in = end;				/* D */
		else {
			/* E: move the first segment, with its leading "/". */
			for (p = in + 1; p < end && *p != '/'; p++)
				;
			uri_buf_add(out, in, (size_t)(p - in));
			in = p;
		}
	}
}

/* Trims ASCII white space around S; returns the start, length in *LEN. */
static const char *
uri_trim(const char *s, size_t *len)
{
	size_t	n;

	while (uri_isspace(*s))
		s++;
	n = strlen(s);
	while (n > 0 && uri_isspace(s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* A NUL-terminated copy of the LEN bytes at S.  Caller frees. */
static char *
uri_strndup(const char *s, size_t len)
{
	char	*r;

	if ((r = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

/* Whether parts A and B are both present and equal ignoring ASCII case. */
static int
uri_part_caseeq(const struct uri_part *a, const struct uri_part *b)
{
	if (!a->defined || !b->defined || a->len != b->len)
		return 0;
	for (size_t i = 0; i < a->len; i++) {
		if (uri_lower(a->s[i]) != uri_lower(b->s[i]))
			return 0;
	}
	return 1;
}

/*
 * Whether scheme part P is one of the hierarchical schemes browsers read
 * "scheme:g" as relative for (the WHATWG "special" schemes).
 */
static int
uri_part_special(const struct uri_part *p)
{
	static const char *const special[] = { "ftp", "file", "http",
	    "https", "ws", "wss" };
	struct uri_part	 w;

	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
		w.s = special[i];
		w.len = strlen(special[i]);
		w.defined = 1;
		if (uri_part_caseeq(p, &w))
			return 1;
	}
	return 0;
}

/*
 * Resolves REF against BASE by RFC 3986 5.2.2 and recomposes by 5.3.  We
 * take the "non-strict" reading that 5.2.2 permits and browsers follow: a
 * reference whose scheme matches the base's ("http:g") is relative, for
 * the hierarchical schemes only, as in browsers ("feed:http://x/y" stays
 * what it says against a feed: base).  Caller frees.
 */
char *
uri_resolve(const char *base, const char *ref)
{
	struct uri_parts	 b, r;
	const struct uri_part	*scheme, *auth, *query;
	struct uri_buf		 out, merged;
	const char		*rs, *slash;
	size_t			 rlen, size;

	rs = uri_trim(ref == NULL ? "" : ref, &rlen);
	if (base == NULL || !uri_is_absolute(base))
		return uri_strndup(rs, rlen);
	uri_split(base, strlen(base), &b);
	uri_split(rs, rlen, &r);

	if (r.scheme.defined && uri_part_caseeq(&r.scheme, &b.scheme) &&
	    uri_part_special(&r.scheme))
		r.scheme.defined = 0;

	/* Room for every component of both plus the delimiters. */
	size = strlen(base) + rlen + 8;
	if (uri_buf_init(&out, size) == -1)
		return NULL;

	if (r.scheme.defined) {
		scheme = &r.scheme;
		auth = &r.authority;
		query = &r.query;
	} else {
		scheme = &b.scheme;
		auth = r.authority.defined ? &r.authority : &b.authority;
		query = &r.query;
		if (!r.authority.defined && r.path.len == 0 && !r.query.defined)
			query = &b.query;
	}

	uri_buf_add(&out, scheme->s, scheme->len);
	uri_buf_addc(&out, ':');
	if (auth->defined) {
		uri_buf_add(&out, "//", 2);
		uri_buf_add(&out, auth->s, auth->len);
	}

	if (r.scheme.defined || r.authority.defined ||
	    (r.path.len > 0 && r.path.s[0] == '/'))
		uri_remove_dots(r.path.s, r.path.len, &out);
	else if (r.path.len == 0)
		uri_buf_add(&out, b.path.s, b.path.len);
	else {
		/* 5.2.3 merge, then dot removal over the merged path. */
		if (uri_buf_init(&merged, b.path.len + r.path.len + 2) == -1) {
			free(out.s);
			return NULL;
		}
		if (b.authority.defined && b.path.len == 0)
			uri_buf_addc(&merged, '/');
		else {
			slash = NULL;
			for (size_t i = 0; i < b.path.len; i++) {
				if (b.path.s[i] == '/')
					slash = b.path.s + i;
			}
			if (slash != NULL)
				uri_buf_add(&merged, b.path.s,
				    (size_t)(slash - b.path.s) + 1);
		}
		uri_buf_add(&merged, r.path.s, r.path.len);
		uri_remove_dots(merged.s, merged.len, &out);
		free(merged.s);
	}

	if (query->defined) {
		uri_buf_addc(&out, '?');
		uri_buf_add(&out, query->s, query->len);
	}
	if (r.fragment.defined) {
		uri_buf_addc(&out, '#');
		uri_buf_add(&out, r.fragment.s, r.fragment.len);
	}
	return out.s;
}

/* Whether S starts with a scheme and its colon. */
int
uri_is_absolute(const char *s)
{
	return s != NULL && uri_scheme_len(s, strlen(s)) > 0;
}

/* Writes the lower-cased scheme of S into BUF of LEN bytes. */
int
uri_scheme(const char *s, char *buf, size_t len)
{
	size_t	n;

	if (s == NULL || (n = uri_scheme_len(s, strlen(s))) == 0 ||
	    buf == NULL || n >= len)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)uri_lower(s[i]);
	buf[n] = '\0';
	return 0;
}

/* The host, port and userinfo of an authority, as views. */
struct uri_authority {
	struct uri_part	userinfo;
	struct uri_part	host;
	struct uri_part	port;
};

/*
 * Splits authority A into userinfo, host and port, checking the host and
 * port syntax (RFC 3986 3.2); -1 when they are malformed.
 */
static int
uri_split_authority(const struct uri_part *a, struct uri_authority *au)
{
	const char	*s = a->s, *end = a->s + a->len, *p;

	memset(au, 0, sizeof *au);
	for (p = end; p > s; p--) {
		if (p[-1] == '@')
			break;
	}
	if (p > s) {
		au->userinfo.s = s;
		au->userinfo.len = (size_t)(p - 1 - s);
		au->userinfo.defined = 1;
		s = p;
	}
	au->host.s = s;
	if (s < end && *s == '[') {
		/* IP literal: hex digits, colons, dots, maybe a "v1." form. */
		for (p = s + 1; p < end && *p != ']'; p++) {
			if (uri_hexval(*p) == -1 && *p != ':' && *p != '.' &&
			    *p != 'v' && *p != 'V')
				return -1;
		}
		if (p == end || p == s + 1)
			return -1;
		p++;
	} else {
		for (p = s; p < end && *p != ':'; p++) {
			unsigned char	c = (unsigned char)*p;

			/* Unreserved, sub-delims, "%" and UTF-8 (IDNs). */
			if (!uri_isunreserved(c) && c < 0x80 &&
			    strchr("!$&'()*+,;=%", c) == NULL)
				return -1;
		}
	}
	au->host.len = (size_t)(p - s);
	au->host.defined = 1;
	if (p < end) {
		if (*p != ':')
			return -1;
		p++;
		au->port.s = p;
		au->port.len = (size_t)(end - p);
		au->port.defined = 1;
		for (; p < end; p++) {
			if (!uri_isdigit(*p))
				return -1;
		}
	}
	return 0;
}

/* The value of a port of digits, capped past 65535 so it cannot overflow. */
static long
uri_port_value(const struct uri_part *port)
{
	long	v = 0;

	for (size_t i = 0; i < port->len; i++) {
		v = v * 10 + (port->s[i] - '0');
		if (v > 65535)
			return 65536;
	}
	return v;
}

/*
 * Splits S (already free of spaces and controls) into U and AU when it is an
 * absolute http or https URL with a host and a valid port; sets *HTTPS.
 */
static int
uri_split_http(const char *s, size_t len, struct uri_parts *u,
    struct uri_authority *au, int *https)
{
	struct uri_part	 http = { "http", 4, 1 };
	struct uri_part	 secure = { "https", 5, 1 };

	uri_split(s, len, u);
	if (uri_part_caseeq(&u->scheme, &http))
		*https = 0;
	else if (uri_part_caseeq(&u->scheme, &secure))
		*https = 1;
	else
		return -1;
	if (!u->authority.defined ||
	    uri_split_authority(&u->authority, au) == -1 || au->host.len == 0)
		return -1;
	if (au->port.defined && au->port.len > 0 &&
	    uri_port_value(&au->port) > 65535)
		return -1;
	return 0;
}

/* Whether the LEN bytes at S hold a space, a control byte or DEL. */
static int
uri_has_controls(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 1;
	}
	return 0;
}

/* Whether S is an absolute http(s) URL with a host. */
int
uri_is_http(const char *s)
{
	struct uri_parts	u;
	struct uri_authority	au;
	size_t			len;
	int			https;

	if (s == NULL)
		return 0;
	len = strlen(s);
	if (uri_has_controls(s, len))
		return 0;
	return uri_split_http(s, len, &u, &au, &https) == 0;
}

/*
 * Appends the LEN bytes at S to B with percent-encoding normalised (RFC 3986
 * 6.2.2.1 and 6.2.2.2): escapes of unreserved characters decoded, the hex
 * digits of the others upper-cased; LOWER also lower-cases, for hosts.
 */
static void
uri_add_normalized(struct uri_buf *b, const char *s, size_t len, int lower)
{
	static const char	 hex[] = "0123456789ABCDEF";
	int			 hi, lo, c, keep;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    (hi = uri_hexval(s[i + 1])) != -1 &&
		    (lo = uri_hexval(s[i + 2])) != -1) {
			c = hi * 16 + lo;
			/*
			 * A hex digit after a stray "%" or "%X" would make a
			 * new escape of it: keep that one encoded, so that
			 * the key of a key is itself.
			 */
			keep = uri_hexval(c) != -1 && ((b->len >= 1 &&
			    b->s[b->len - 1] == '%') || (b->len >= 2 &&
			    b->s[b->len - 2] == '%' &&
			    uri_hexval(b->s[b->len - 1]) != -1));
			if (!keep && uri_isunreserved(c) && lower)
				uri_buf_addc(b, (char)uri_lower(c));
			else if (!keep && uri_isunreserved(c))
				uri_buf_addc(b, (char)c);
			else {
				uri_buf_addc(b, '%');
				uri_buf_addc(b, hex[hi]);
				uri_buf_addc(b, hex[lo]);
			}
			i += 2;
		} else
			uri_buf_addc(b, (char)(lower ? uri_lower(s[i]) : s[i]));
	}
}

/*
 * Query parameters that only say where a reader came from.  An entry ending
 * in "*" matches by prefix.
 */
static const char *uri_tracking[] = {
	"utm_*", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid",
	"_ga", "yclid", "igshid", "ref_src",
};

/* Whether the parameter NAME of LEN bytes is a tracking parameter. */
static int
uri_is_tracking(const char *name, size_t len)
{
	const char	*t;
	size_t		 tlen, j;
	int		 prefix;

	for (size_t i = 0; i < sizeof uri_tracking / sizeof uri_tracking[0];
	    i++) {
		t = uri_tracking[i];
		tlen = strlen(t);
		if ((prefix = t[tlen - 1] == '*'))
			tlen--;
		if (len < tlen || (!prefix && len != tlen))
			continue;
		for (j = 0; j < tlen; j++) {
			if (uri_lower(name[j]) != t[j])
				break;
		}
		if (j == tlen)
			return 1;
	}
	return 0;
}

/*
 * Appends "?" and the parameters of normalised query Q (LEN bytes) to B,
 * dropping tracking and empty parameters and keeping the rest in order;
 * appends nothing when none is left.
 */
static void
uri_add_query(struct uri_buf *b, const char *q, size_t len)
{
	const char	*end = q + len, *p, *eq;
	int		 first = 1;

	for (; q < end; q = p + 1) {
		for (p = q; p < end && *p != '&'; p++)
			;
		for (eq = q; eq < p && *eq != '='; eq++)
			;
		if (p > q && !uri_is_tracking(q, (size_t)(eq - q))) {
			uri_buf_addc(b, first ? '?' : '&');
			uri_buf_add(b, q, (size_t)(p - q));
			first = 0;
		}
		if (p == end)
			break;
	}
}

/*
 * Builds the story key of S.  The key is not a URL to fetch: "https" is
 * written as "http" so a story published under both schemes deduplicates,
 * userinfo and fragment never identify a story, and the default port is
 * judged by the scheme as written (and :80 always goes, since the key is
 * http: the key of a key is itself).  Caller frees.
 */
char *
uri_normalize(const char *s)
{
	struct uri_parts	 u;
	struct uri_authority	 au;
	struct uri_buf		 out, tmp;
	char			 port[8];
	size_t			 len;
	long			 pv;
	int			 https, n;

	if (s == NULL)
		return NULL;
	s = uri_trim(s, &len);
	if (uri_has_controls(s, len) ||
	    uri_split_http(s, len, &u, &au, &https) == -1)
		return NULL;
	/* Normalising never lengthens a part; "/" may be added. */
	if (uri_buf_init(&out, len + 8) == -1)
		return NULL;
	if (uri_buf_init(&tmp, len + 1) == -1) {
		free(out.s);
		return NULL;
	}

	uri_buf_add(&out, "http://", 7);
	uri_add_normalized(&out, au.host.s, au.host.len, 1);
	if (au.port.defined && au.port.len > 0) {
		pv = uri_port_value(&au.port);
		/*
		 * The key is written as http, so :80 goes whatever the scheme.
		 */
		if (pv != 80 && !(https && pv == 443)) {
			n = snprintf(port, sizeof port, ":%ld", pv);
			uri_buf_add(&out, port, (size_t)n);
		}
	}

	if (u.path.len == 0)
		uri_buf_addc(&out, '/');
	else {
		uri_add_normalized(&tmp, u.path.s, u.path.len, 0);
		uri_remove_dots(tmp.s, tmp.len, &out);
	}

	if (u.query.defined) {
		tmp.len = 0;
		uri_add_normalized(&tmp, u.query.s, u.query.len, 0);
		uri_add_query(&out, tmp.s, tmp.len);
	}
	free(tmp.s);
	return out.s;
}
