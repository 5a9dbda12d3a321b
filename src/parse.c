/*
 * parse: bytes of one fetched document to a `struct doc` (see parse.h).
 * This file owns the byte-level pipeline, read top to bottom in parse_doc():
 * size limits, JSON sniffing, character encoding (BOM, HTTP charset, XML
 * declaration, sniffing, windows-1252 repair), the HTML entity pre-pass, the
 * one place that sets libxml2's options, strict parsing then recovery (which
 * sets bozo), not-a-feed detection and format dispatch.  It also holds the
 * helpers that parse-rss.c and parse-atom.c share (parse-int.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memmem */
#endif
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "date.h"
#include "doc.h"
#include "parse-int.h"
#include "parse.h"
#include "sanitize.h"
#include "uri.h"

/*
 * The only libxml2 options this program ever uses.  NOENT substitutes the
 * internal entities once, under libxml2's amplification limits, instead of
 * leaving references that later tree walks would expand again; external
 * entities never load because the process-wide loader refuses them.  No
 * HUGE, no DTDLOAD, no DTDATTR.  The input is UTF-8 by then (we transcode),
 * so the declared encoding is ignored.
 */
#define PARSE_XMLOPTS	(XML_PARSE_NOENT | XML_PARSE_NONET | \
	XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC | XML_PARSE_NOERROR | \
	XML_PARSE_NOWARNING | XML_PARSE_NSCLEAN)

/* Bytes looked at when sniffing declarations and HTML pages. */
#define PARSE_SNIFFLEN	4096

/* Deny-all loader: no external entity, DTD or XInclude is ever read. */
static xmlParserInputPtr
parse_deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* Installs the deny-all entity loader; libxml2 state is process-wide. */
void
parse_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(parse_deny_loader);
}

/* A doc is a feed when a format recognised it. */
int
parse_is_feed(const struct doc *d)
{
	return d != NULL && d->version != NULL && d->version[0] != '\0';
}

/* Sets bozo with MSG unless an earlier message already explains it. */
static void
parse_bozo(struct doc *d, const char *msg)
{
	d->bozo = 1;
	if (d->bozo_message == NULL)
		doc_set(&d->bozo_message, msg);
}

/* ------------------------------------------------------------------ */
/* Buffers. */

/* Appends N bytes of S; past the ceiling the buffer turns oom. */
void
pbuf_add(struct pbuf *b, const char *s, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->oom)
		return;
	if (n >= PARSE_MAXLEN * 2 || b->len + n + 1 > PARSE_MAXLEN * 2) {
		b->oom = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Appends the string S. */
void
pbuf_adds(struct pbuf *b, const char *s)
{
	pbuf_add(b, s, strlen(s));
}

/* Appends S escaped for XML text, or for a double-quoted attribute. */
void
pbuf_escape(struct pbuf *b, const char *s, int attr)
{
	const char	*p, *rep;

	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		default:
			rep = NULL;
			break;
		}
		if (rep == NULL)
			continue;
		pbuf_add(b, s, p - s);
		pbuf_adds(b, rep);
		s = p + 1;
	}
	pbuf_add(b, s, p - s);
}

/* ------------------------------------------------------------------ */
/* Character encodings. */

/* Aliases to IANA preferred names, lower case. */
static const struct {
	const char	*alias;
	const char	*name;
} parse_charsets[] = {
	{ "ascii",		"us-ascii" },
	{ "cp1252",		"windows-1252" },
	{ "gb2312",		"gb18030" },	/* superset */
	{ "iso8859-1",		"iso-8859-1" },
	{ "iso_8859-1",		"iso-8859-1" },
	{ "l1",			"iso-8859-1" },
	{ "latin-1",		"iso-8859-1" },
	{ "latin1",		"iso-8859-1" },
	{ "sjis",		"shift_jis" },
	{ "shift-jis",		"shift_jis" },
	{ "utf16",		"utf-16" },
	{ "utf32",		"utf-32" },
	{ "utf8",		"utf-8" },
	{ "x-sjis",		"shift_jis" },
};

/* Copies a charset label into BUF, lower case, as its preferred name. */
static int
parse_charset_name(const char *s, size_t n, char *buf, size_t len)
{
	size_t	 i;

	while (n > 0 && (isspace((unsigned char)*s) || *s == '"' ||
	    *s == '\''))
		s++, n--;
	while (n > 0 && (isspace((unsigned char)s[n - 1]) ||
	    s[n - 1] == '"' || s[n - 1] == '\''))
		n--;
	if (n == 0 || n >= len)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("-_.:+", s[i]) ==
		    NULL)
			return -1;
		buf[i] = tolower((unsigned char)s[i]);
	}
	buf[n] = '\0';
	for (i = 0; i < sizeof parse_charsets / sizeof parse_charsets[0];
	    i++) {
		if (strcmp(buf, parse_charsets[i].alias) == 0) {
			snprintf(buf, len, "%s", parse_charsets[i].name);
			break;
		}
	}
	return 0;
}

/* The charset parameter of a Content-Type value, into BUF. */
static int
parse_http_charset(const char *ct, char *buf, size_t len)
{
	const char	*p, *v, *e;

	if (ct == NULL)
		return -1;
	for (p = strchr(ct, ';'); p != NULL; p = strchr(p + 1, ';')) {
		v = p + 1;
		while (isspace((unsigned char)*v))
			v++;
		if (strncasecmp(v, "charset", 7) != 0)
			continue;
		v += 7;
		while (isspace((unsigned char)*v))
			v++;
		if (*v != '=')
			continue;
		v++;
		e = v + strcspn(v, ";");
		return parse_charset_name(v, e - v, buf, len);
	}
	return -1;
}

/* The encoding pseudo-attribute of an ASCII-compatible XML declaration. */
static int
parse_decl_charset(const char *s, size_t n, char *buf, size_t len)
{
	const char	*end, *p, *q;
	char		 quote;

	if (n < 6 || memcmp(s, "<?xml", 5) != 0)
		return -1;
	if (n > PARSE_SNIFFLEN)
		n = PARSE_SNIFFLEN;
	if ((end = memmem(s, n, "?>", 2)) == NULL)
		return -1;
	if ((p = memmem(s, end - s, "encoding", 8)) == NULL)
		return -1;
	p += 8;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || *p++ != '=')
		return -1;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || (*p != '"' && *p != '\''))
		return -1;
	quote = *p++;
	if ((q = memchr(p, quote, end - p)) == NULL)
		return -1;
	return parse_charset_name(p, q - p, buf, len);
}

/* Length of the valid UTF-8 prefix of S. */
static size_t
parse_utf8_valid(const unsigned char *s, size_t n)
{
	size_t		 i = 0, k, need;
	unsigned int	 c;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			uint64_t	v;

			i++;
			/* Eight ASCII bytes at once: most text is. */
			while (i + 8 <= n) {
				memcpy(&v, s + i, sizeof v);
				if (v & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			return i;
		for (k = 1; k <= need; k++)
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return i;
		/* Overlongs, surrogates and values past U+10FFFF. */
		if ((c == 0xe0 && s[i + 1] < 0xa0) ||
		    (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) ||
		    (c == 0xf4 && s[i + 1] > 0x8f))
			return i;
		i += need + 1;
	}
	return i;
}

/* Code points of windows-1252 bytes 0x80-0x9f (0 = undefined). */
static const unsigned short parse_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* Appends code point C as UTF-8. */
static void
parse_put_utf8(struct pbuf *b, unsigned int c)
{
	char	u[4];
	size_t	n;

	if (c < 0x80) {
		u[0] = c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = 0xc0 | (c >> 6);
		u[1] = 0x80 | (c & 0x3f);
		n = 2;
	} else if (c < 0x10000) {
		u[0] = 0xe0 | (c >> 12);
		u[1] = 0x80 | ((c >> 6) & 0x3f);
		u[2] = 0x80 | (c & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | (c >> 18);
		u[1] = 0x80 | ((c >> 12) & 0x3f);
		u[2] = 0x80 | ((c >> 6) & 0x3f);
		u[3] = 0x80 | (c & 0x3f);
		n = 4;
	}
	pbuf_add(b, u, n);
}

/*
 * Repairs text declared UTF-8 that is not: valid UTF-8 sequences are kept
 * (a mix of both is common after careless concatenation) and every other
 * byte is read as windows-1252.
 */
static void
parse_repair_utf8(struct pbuf *b, const unsigned char *s, size_t n)
{
	size_t		 i = 0, ok;
	unsigned int	 c;

	while (i < n) {
		ok = parse_utf8_valid(s + i, n - i);
		pbuf_add(b, (const char *)s + i, ok);
		i += ok;
		if (i >= n)
			break;
		c = s[i++];
		if (c >= 0x80 && c < 0xa0)
			c = parse_cp1252[c - 0x80] ? parse_cp1252[c - 0x80] :
			    0xfffd;
		parse_put_utf8(b, c);
	}
}

/*
 * Text that holds C1 controls (U+0080-U+009F) meant windows-1252's
 * punctuation; returns a repaired copy, or NULL when none occur (or out of
 * memory, with *OOM set).
 */
static char *
parse_demoronize(const char *s, size_t len, size_t *outlen, int *oom)
{
	struct pbuf	 b = { 0 };
	const char	*p = s, *e = s + len, *copied = s;
	unsigned int	 c;

	*oom = 0;
	while ((p = memchr(p, 0xc2, e - p)) != NULL && p + 1 < e) {
		c = (unsigned char)p[1];
		if (c < 0x80 || c > 0x9f || parse_cp1252[c - 0x80] == 0) {
			p++;
			continue;
		}
		pbuf_add(&b, copied, p - copied);
		parse_put_utf8(&b, parse_cp1252[c - 0x80]);
		p += 2;
		copied = p;
	}
	if (b.s == NULL && !b.oom)
		return NULL;
	pbuf_add(&b, copied, e - copied);
	if (b.oom) {
		free(b.s);
		*oom = 1;
		return NULL;
	}
	*outlen = b.len;
	return b.s;
}

/*
 * Transcodes with iconv into B; returns 0, 1 when bytes were replaced, or
 * -1 when the encoding is unknown.
 */
static int
parse_iconv(struct pbuf *b, const char *from, const char *s, size_t n)
{
	iconv_t	 cd;
	char	 out[8192], *ip, *op;
	size_t	 il, ol, r;
	int	 bad = 0;

	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return -1;
	ip = (char *)s;
	il = n;
	while (il > 0 && !b->oom) {
		op = out;
		ol = sizeof out;
		r = iconv(cd, &ip, &il, &op, &ol);
		pbuf_add(b, out, op - out);
		if (r == (size_t)-1 && errno != E2BIG) {
			/* Invalid or truncated input: replace, move on. */
			bad = 1;
			pbuf_adds(b, "\xef\xbf\xbd");
			ip++;
			il--;
		}
	}
	op = out;
	ol = sizeof out;
	iconv(cd, NULL, NULL, &op, &ol);
	pbuf_add(b, out, op - out);
	iconv_close(cd);
	return bad;
}

/*
 * Legacy encodings worth guessing for undeclared text that is not UTF-8:
 * the code point ranges of each one's script (letters and its punctuation)
 * and characters frequent in its language's running text.
 */
struct parse_guess {
	const char	*name;
	unsigned int	 range[4][2];
	const char	*frequent;
};

static const struct parse_guess parse_guesses[] = {
	{ "shift_jis", { { 0x3000, 0x30ff }, { 0x4e00, 0x9fff },
	    { 0xff00, 0xffef } },
	    "のにはをたがでてとしれさいるあ"
	    "うかなっこも日本人年一会者出" },
	{ "euc-jp", { { 0x3000, 0x30ff }, { 0x4e00, 0x9fff },
	    { 0xff00, 0xffef } },
	    "のにはをたがでてとしれさいるあ"
	    "うかなっこも日本人年一会者出" },
	{ "euc-kr", { { 0xac00, 0xd7a3 }, { 0x3000, 0x303f },
	    { 0x3130, 0x318f }, { 0xff00, 0xffef } },
	    "이다는의에하고을를가지서한기로"
	    "도사리자대니어그수있것일정적" },
	{ "gb2312", { { 0x4e00, 0x9fff }, { 0x3000, 0x303f },
	    { 0xff00, 0xffef } },
	    "的一是不了在人有我他这个们中来"
	    "上大为和国地到以说时要就出会" },
	{ "big5", { { 0x4e00, 0x9fff }, { 0x3000, 0x303f },
	    { 0xff00, 0xffef } },
	    "的一是不了在人有我他這個們中來"
	    "上大為和國地到以說時要就出會" },
	{ "koi8-r", { { 0x0410, 0x044f }, { 0x0401, 0x0401 },
	    { 0x0451, 0x0451 } },
	    "оеаинтсрвлкмдпуяыьгзбчй" },
	{ "windows-1251", { { 0x0410, 0x044f }, { 0x0401, 0x0401 },
	    { 0x0451, 0x0451 } },
	    "оеаинтсрвлкмдпуяыьгзбчй" },
	{ "windows-1255", { { 0x05d0, 0x05ea } },
	    "יוהלארתבמשנדעכםןפחקצ" },
	{ "tis-620", { { 0x0e01, 0x0e5b } },
	    "านรอกเงมยลวด"
	    "ทสตะีิ่ัไแ" },
};

/* 1 when code point C is in G's script or common punctuation. */
static int
parse_guess_inscript(const struct parse_guess *g, unsigned int c)
{
	size_t	 i;

	if ((c >= 0x2000 && c <= 0x206f) || (c >= 0xa0 && c <= 0xbf))
		return 1;
	for (i = 0; i < 4 && g->range[i][0] != 0; i++)
		if (c >= g->range[i][0] && c <= g->range[i][1])
			return 1;
	return 0;
}

/*
 * How well N bytes of S read in G's encoding: -1 when they do not decode
 * or mostly leave G's script, else the share of characters in the script
 * plus twice the share of the language's frequent ones.
 */
static double
parse_guess_score(const struct parse_guess *g, const char *s, size_t n)
{
	struct pbuf		 b = { 0 };
	iconv_t			 cd;
	const unsigned char	*u;
	char			 out[4096], *ip, *op, ch[5];
	size_t			 il, ol, r, i, k, total = 0, in = 0, hits = 0;
	unsigned int		 c;
	int			 bad = 0;

	if ((cd = iconv_open("UTF-8", g->name)) == (iconv_t)-1)
		return -1;
	ip = (char *)s;
	il = n;
	while (il > 0 && !b.oom) {
		op = out;
		ol = sizeof out;
		r = iconv(cd, &ip, &il, &op, &ol);
		pbuf_add(&b, out, op - out);
		if (r == (size_t)-1 && errno == EILSEQ)
			bad = 1;
		if (r == (size_t)-1 && errno != E2BIG)
			break;		/* invalid, or the sample's cut */
	}
	iconv_close(cd);
	if (bad || b.oom) {
		free(b.s);
		return -1;
	}
	u = (const unsigned char *)b.s;
	for (i = 0; i < b.len; i += k) {
		if (u[i] < 0x80) {
			k = 1;
			continue;
		}
		if (u[i] >= 0xf0 && i + 3 < b.len) {
			k = 4;
			c = (u[i] & 0x07) << 18 | (u[i + 1] & 0x3f) << 12 |
			    (u[i + 2] & 0x3f) << 6 | (u[i + 3] & 0x3f);
		} else if (u[i] >= 0xe0 && i + 2 < b.len) {
			k = 3;
			c = (u[i] & 0x0f) << 12 | (u[i + 1] & 0x3f) << 6 |
			    (u[i + 2] & 0x3f);
		} else if (i + 1 < b.len) {
			k = 2;
			c = (u[i] & 0x1f) << 6 | (u[i + 1] & 0x3f);
		} else
			break;
		total++;
		in += parse_guess_inscript(g, c);
		memcpy(ch, b.s + i, k);
		ch[k] = '\0';
		if (strstr(g->frequent, ch) != NULL)
			hits++;
	}
	free(b.s);
	if (total == 0 || in * 5 < total * 4)
		return -1;
	return (double)in / total + 2.0 * hits / total;
}

/*
 * The legacy encoding that undeclared, non-UTF-8 text most likely is, or
 * NULL for western text (windows-1252).  Western text has its few non-ASCII
 * letters alone inside ASCII words; other scripts come in runs.
 */
static const char *
parse_guess_charset(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	const char		*best = NULL;
	double			 score, top = 0;
	size_t			 i, high = 0, runs = 0;

	if (n > 65536)
		n = 65536;
	for (i = 0; i < n; i++) {
		if (u[i] < 0x80)
			continue;
		high++;
		if ((i > 0 && u[i - 1] >= 0x80) || (i + 1 < n && u[i + 1] >=
		    0x80))
			runs++;
	}
	if (high < 8 || runs * 3 < high * 2)
		return NULL;
	for (i = 0; i < sizeof parse_guesses / sizeof parse_guesses[0]; i++) {
		score = parse_guess_score(&parse_guesses[i], s, n);
		if (score > top) {
			top = score;
			best = parse_guesses[i].name;
		}
	}
	return best;
}

/*
 * Decides the document's encoding and returns its text as UTF-8 without a
 * byte order mark: *OUT points into BUF when no copy was needed, else to
 * *OWNED, which the caller frees.
 */
static int
parse_decode(struct doc *d, const char *buf, size_t len,
    const struct parse_opts *o, const char **out, size_t *outlen,
    char **owned)
{
	const unsigned char	*u = (const unsigned char *)buf;
	char			 http[64], decl[64], name[64];
	const char		*enc = NULL, *from, *guess;
	size_t			 skip = 0;
	struct pbuf		 b = { 0 };
	int			 r, havehttp, declared = 1;

	*owned = NULL;
	havehttp = o != NULL && parse_http_charset(o->content_type, http,
	    sizeof http) == 0;

	/* A byte order mark, then the four bytes of "<?" in wide forms. */
	if (len >= 4 && memcmp(u, "\xff\xfe\0\0", 4) == 0)
		enc = "utf-32le", skip = 4;
	else if (len >= 4 && memcmp(u, "\0\0\xfe\xff", 4) == 0)
		enc = "utf-32be", skip = 4;
	else if (len >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0)
		enc = "utf-8", skip = 3;
	else if (len >= 2 && memcmp(u, "\xfe\xff", 2) == 0)
		enc = "utf-16be", skip = 2;
	else if (len >= 2 && memcmp(u, "\xff\xfe", 2) == 0)
		enc = "utf-16le", skip = 2;
	else if (len >= 4 && memcmp(u, "\0\0\0<", 4) == 0)
		enc = "utf-32be";
	else if (len >= 4 && memcmp(u, "<\0\0\0", 4) == 0)
		enc = "utf-32le";
	else if (len >= 4 && memcmp(u, "\0<\0?", 4) == 0)
		enc = "utf-16be";
	else if (len >= 4 && memcmp(u, "<\0?\0", 4) == 0)
		enc = "utf-16le";
	else if (havehttp)
		enc = http;
	else if (parse_decl_charset(buf, len, decl, sizeof decl) == 0)
		enc = decl;
	else {
		enc = "utf-8";
		declared = 0;
	}

	/* Wide forms report their declared label when it agrees. */
	snprintf(name, sizeof name, "%s", enc);
	if (enc == http && (strcmp(http, "utf-16") == 0 ||
	    strcmp(http, "utf-32") == 0))
		from = http;
	else
		from = enc;
	if (doc_set(&d->encoding, name) == -1)
		return -1;

	buf += skip;
	len -= skip;
	if (strcmp(from, "utf-8") == 0 || strcmp(from, "us-ascii") == 0) {
		if (parse_utf8_valid((const unsigned char *)buf, len) == len) {
			*out = buf;
			*outlen = len;
			return 0;
		}
		if (!declared &&
		    (guess = parse_guess_charset(buf, len)) != NULL &&
		    parse_iconv(&b, guess, buf, len) != -1) {
			parse_bozo(d, "no encoding declared and not utf-8; "
			    "guessed from the text");
			if (doc_set(&d->encoding, guess) == -1) {
				free(b.s);
				return -1;
			}
		} else {
			/* Undeclared, it is windows-1252 in practice. */
			free(b.s);
			b = (struct pbuf){ 0 };
			parse_repair_utf8(&b, (const unsigned char *)buf, len);
			if (declared)
				parse_bozo(d, "document declared as utf-8 but "
				    "is not; read as windows-1252");
		}
	} else if ((r = parse_iconv(&b, from, buf, len)) == -1) {
		/* Unknown label: read as UTF-8, repairing if need be. */
		parse_bozo(d, "unknown character encoding, read as utf-8");
		doc_set(&d->encoding, "utf-8");
		free(b.s);
		b = (struct pbuf){ 0 };
		parse_repair_utf8(&b, (const unsigned char *)buf, len);
	} else if (r == 1)
		parse_bozo(d, "invalid bytes for the declared encoding");
	if (b.oom) {
		free(b.s);
		return -1;
	}
	if (b.s == NULL)
		pbuf_add(&b, "", 0);
	/* A BOM inside wide text decodes to U+FEFF; drop it. */
	if (b.len >= 3 && memcmp(b.s, "\xef\xbb\xbf", 3) == 0) {
		memmove(b.s, b.s + 3, b.len - 2);
		b.len -= 3;
	}
	*out = *owned = b.s;
	*outlen = b.len;
	return b.oom ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* HTML entities. */

/* General entities the internal subset declares (a bounded set). */
struct parse_decls {
	char	 name[64][32];
	size_t	 n;
};

/* Collects the entity names declared in the DOCTYPE's internal subset. */
static void
parse_decls_read(struct parse_decls *dl, const char *s, size_t len)
{
	const char	*p, *e, *start;
	size_t		 k;

	dl->n = 0;
	if (len > 65536)
		len = 65536;
	if ((p = memmem(s, len, "<!DOCTYPE", 9)) == NULL)
		return;
	e = s + len;
	while (dl->n < sizeof dl->name / sizeof dl->name[0] &&
	    (p = memmem(p, e - p, "<!ENTITY", 8)) != NULL) {
		p += 8;
		while (p < e && isspace((unsigned char)*p))
			p++;
		if (p < e && *p == '%')
			continue;	/* a parameter entity */
		for (start = p; p < e && !isspace((unsigned char)*p); p++)
			;
		k = p - start;
		if (k == 0 || k >= sizeof dl->name[0])
			continue;
		memcpy(dl->name[dl->n], start, k);
		dl->name[dl->n++][k] = '\0';
	}
}

/* 1 when NAME is declared in the internal subset. */
static int
parse_decls_has(const struct parse_decls *dl, const char *name)
{
	size_t	 i;

	for (i = 0; i < dl->n; i++)
		if (strcmp(dl->name[i], name) == 0)
			return 1;
	return 0;
}

/* What a '&' starts. */
enum parse_ref {
	REF_KEEP,		/* predefined or declared entity: leave it */
	REF_CHAR,		/* a character: *CP */
	REF_HTML,		/* an HTML entity XML lacks: *CP */
	REF_UPPERX,		/* "&#X41;": *CP, not XML */
	REF_UNKNOWN,		/* "&foo;" nobody defines */
	REF_BARE,		/* a lone '&' */
};

/* Classifies the reference at P (a '&'); *LEN is its length. */
static enum parse_ref
parse_ref_at(const struct parse_decls *dl, const char *p, const char *e,
    unsigned int *cp, size_t *len)
{
	const htmlEntityDesc	*h;
	char			 name[32];
	unsigned long		 v = 0;
	size_t			 n, i;
	int			 hex, upper;

	if (p + 1 < e && p[1] == '#') {
		i = 2;
		hex = upper = 0;
		if (p + i < e && (p[i] == 'x' || p[i] == 'X')) {
			hex = 1;
			upper = p[i] == 'X';
			i++;
		}
		for (n = 0; p + i < e && n < 8; i++, n++) {
			if (p[i] >= '0' && p[i] <= '9')
				v = v * (hex ? 16 : 10) + (p[i] - '0');
			else if (hex && isxdigit((unsigned char)p[i]))
				v = v * 16 + (tolower((unsigned char)p[i]) -
				    'a' + 10);
			else
				break;
		}
		if (n == 0 || p + i >= e || p[i] != ';' || v > 0x10ffff)
			return REF_BARE;
		*cp = v;
		*len = i + 1;
		return upper ? REF_UPPERX : REF_CHAR;
	}
	for (n = 0; p + 1 + n < e && n < sizeof name - 1 &&
	    (isalnum((unsigned char)p[1 + n]) || p[1 + n] == '_' ||
	    (n > 0 && (p[1 + n] == '-' || p[1 + n] == '.'))); n++)
		name[n] = p[1 + n];
	name[n] = '\0';
	if (n == 0 || p + 1 + n >= e || p[1 + n] != ';')
		return REF_BARE;
	*len = n + 2;
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0)
		return REF_KEEP;
	if (parse_decls_has(dl, name))
		return REF_KEEP;
	if ((h = htmlEntityLookup((const xmlChar *)name)) != NULL) {
		*cp = h->value;
		return REF_HTML;
	}
	return REF_UNKNOWN;
}

/*
 * A run of references at P whose code points are the bytes of one UTF-8
 * character (text that was UTF-8, read as Latin-1 and escaped: "&#226;
 * &#128;&#166;" for U+2026): returns the run's length and sets *CP, or 0.
 */
static size_t
parse_ref_double(const struct parse_decls *dl, const char *p, const char *e,
    unsigned int first, size_t firstlen, unsigned int *cp)
{
	enum parse_ref	 k;
	unsigned int	 c, acc;
	size_t		 need, len, total = firstlen, i;

	if (first >= 0xc2 && first <= 0xdf)
		need = 1, acc = first & 0x1f;
	else if (first >= 0xe0 && first <= 0xef)
		need = 2, acc = first & 0x0f;
	else if (first >= 0xf0 && first <= 0xf4)
		need = 3, acc = first & 0x07;
	else
		return 0;
	for (i = 0; i < need; i++) {
		if (p + total >= e || p[total] != '&')
			return 0;
		k = parse_ref_at(dl, p + total, e, &c, &len);
		if ((k != REF_CHAR && k != REF_HTML) || c < 0x80 || c > 0xbf)
			return 0;
		acc = (acc << 6) | (c & 0x3f);
		total += len;
	}
	if ((need == 2 && acc < 0x800) || (need == 3 && acc < 0x10000) ||
	    (acc >= 0xd800 && acc <= 0xdfff) || acc > 0x10ffff)
		return 0;
	*cp = acc;
	return total;
}

/*
 * Repairs references the way every feed reader does, so that strict parsing
 * accepts them: HTML named entities XML lacks (&nbsp; &eacute;) become
 * numeric references, unknown ones and bare ampersands are escaped to stay
 * visible, "&#X41;" is lower-cased, windows-1252 code points written as
 * references (&#146;) become the characters meant, and UTF-8 escaped byte by
 * byte is joined.  Comments, CDATA sections and processing instructions are
 * left alone.  Returns a new buffer, or NULL when nothing needed repair (or
 * out of memory, with *OOM set); *BOZO is set when the input was not
 * well-formed.
 */
static char *
parse_entities(const char *s, size_t len, size_t *outlen, int *oom,
    int *bozo)
{
	struct pbuf	 b = { 0 };
	const char	*p = s, *e = s + len, *copied = s, *q = NULL, *lt;
	const char	*close;
	char		 ref[16];
	enum parse_ref	 k;
	unsigned int	 cp;
	size_t		 n, run;
	struct parse_decls dl;

	*oom = *bozo = 0;
	parse_decls_read(&dl, s, len);
	while (p < e) {
		if (q == NULL || q < p)
			if ((q = memchr(p, '&', e - p)) == NULL)
				q = e;
		/* Markup before the next '&': skip where '&' is literal. */
		if ((lt = memchr(p, '<', q - p)) != NULL) {
			close = NULL;
			if (e - lt >= 4 && memcmp(lt, "<!--", 4) == 0)
				close = memmem(lt + 4, e - lt - 4, "-->", 3);
			else if (e - lt >= 9 && memcmp(lt, "<![CDATA[", 9) == 0)
				close = memmem(lt + 9, e - lt - 9, "]]>", 3);
			else if (e - lt >= 2 && lt[1] == '?')
				close = memmem(lt + 2, e - lt - 2, "?>", 2);
			else {
				p = lt + 1;
				continue;
			}
			if (close == NULL)
				break;
			p = close + 2;
			continue;
		}
		if (q == e)
			break;
		k = parse_ref_at(&dl, q, e, &cp, &n);
		p = q + 1;
		if (k == REF_KEEP) {
			p = q + n;
			continue;
		}
		if (k == REF_CHAR && (cp < 0x80 || cp > 0xff)) {
			p = q + n;
			continue;
		}
		if (k == REF_CHAR || k == REF_HTML || k == REF_UPPERX) {
			run = parse_ref_double(&dl, q, e, cp, n, &cp);
			if (run > 0)
				n = run;
			else if (cp >= 0x80 && cp < 0xa0 &&
			    parse_cp1252[cp - 0x80] != 0)
				cp = parse_cp1252[cp - 0x80];
			else if (k == REF_CHAR) {
				p = q + n;
				continue;
			}
			if (k != REF_CHAR)
				*bozo = 1;
			snprintf(ref, sizeof ref, "&#%u;", cp);
			pbuf_add(&b, copied, q - copied);
			pbuf_adds(&b, ref);
			p = copied = q + n;
			continue;
		}
		/* Unknown entity or bare '&': keep it as text. */
		*bozo = 1;
		pbuf_add(&b, copied, q - copied);
		pbuf_adds(&b, "&amp;");
		p = copied = q + 1;
	}
	if (b.s == NULL && !b.oom)
		return NULL;
	pbuf_add(&b, copied, e - copied);
	if (b.oom) {
		free(b.s);
		*oom = 1;
		return NULL;
	}
	*outlen = b.len;
	return b.s;
}

/* ------------------------------------------------------------------ */
/* Not a feed. */

/* Case-insensitive search for NEEDLE in the first N bytes of S. */
static int
parse_has(const char *s, size_t n, const char *needle)
{
	size_t	 k = strlen(needle), i;

	if (n < k)
		return 0;
	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Skips whitespace, the XML declaration, comments and PIs. */
static const char *
parse_skip_prolog(const char *s, const char *e)
{
	const char	*c;

	for (;;) {
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (e - s >= 4 && memcmp(s, "<!--", 4) == 0) {
			if ((c = memmem(s + 4, e - s - 4, "-->", 3)) == NULL)
				return e;
			s = c + 3;
		} else if (e - s >= 2 && memcmp(s, "<?", 2) == 0) {
			if ((c = memmem(s + 2, e - s - 2, "?>", 2)) == NULL)
				return e;
			s = c + 2;
		} else
			return s;
	}
}

/*
 * A reason when the text is an HTML page (a doctype or <html> first, or
 * ISHTML: the document element was html), naming bot-wall challenges
 * apart; else NULL.
 */
static const char *
parse_not_feed(const char *s, size_t len, int ishtml)
{
	static const char *const walls[] = {
		"cf-browser-verification", "challenge-platform", "cf_chl_",
		"<title>just a moment...</title>",
		"attention required! | cloudflare",
		"_incapsula_resource", "ddos-guard", "sucuri website firewall",
		"captcha-delivery.com",
		"please enable js and disable any ad blocker",
	};
	const char	*p, *e = s + len;
	size_t		 n = len < 65536 ? len : 65536, i;

	p = parse_skip_prolog(s, e);
	if ((size_t)(e - p) >= 14 && strncasecmp(p, "<!doctype html", 14) == 0)
		ishtml = 1;
	else if ((size_t)(e - p) >= 5 && strncasecmp(p, "<html", 5) == 0 &&
	    (p[5] == '>' || isspace((unsigned char)p[5])))
		ishtml = 1;
	if (!ishtml)
		return NULL;
	for (i = 0; i < sizeof walls / sizeof walls[0]; i++)
		if (parse_has(s, n, walls[i]))
			return "challenge page (bot wall), not a feed";
	return "HTML page, not a feed";
}

/* ------------------------------------------------------------------ */
/* XML. */

/* Parses TEXT with libxml2; NULL when it is not well-formed (MSG says why). */
static xmlDocPtr
parse_xml(const char *text, size_t len, int recover, char *msg, size_t msglen,
    int *code)
{
	xmlParserCtxtPtr	 ctxt;
	xmlDocPtr		 x;
	xmlErrorPtr		 err;
	size_t			 n;

	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return NULL;
	x = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL,
	    PARSE_XMLOPTS | (recover ? XML_PARSE_RECOVER : 0));
	*code = ctxt->lastError.code;
	if (*code == XML_ERR_OK && ctxt->errNo == XML_ERR_NO_MEMORY)
		*code = XML_ERR_NO_MEMORY;
	if ((x == NULL || !ctxt->wellFormed) && msglen > 0) {
		err = &ctxt->lastError;
		if (err->message != NULL) {
			snprintf(msg, msglen, "line %d: %s", err->line,
			    err->message);
			n = strlen(msg);
			while (n > 0 && isspace((unsigned char)msg[n - 1]))
				msg[--n] = '\0';
		} else
			snprintf(msg, msglen, "document is not well-formed");
	}
	/*
	 * libxml2 halts on a text or CDATA section over its limits (10 MB
	 * without HUGE), may still call the document well-formed, and names
	 * only what it tripped on next: say what it was.
	 */
	err = &ctxt->lastError;
	if ((*code == XML_ERR_NO_MEMORY || *code == XML_ERR_INTERNAL_ERROR) &&
	    msglen > 0) {
		if (err->message == NULL || strstr(err->message, "huge") !=
		    NULL || strstr(err->message, "element content") != NULL)
			snprintf(msg, msglen, "line %d: parsing stopped at a "
			    "text or CDATA section over 10 MB", err->line);
		else if (x != NULL && ctxt->wellFormed)
			snprintf(msg, msglen, "line %d: parsing stopped: %s",
			    err->line, err->message);
	}
	if (x != NULL && ctxt->wellFormed && !ctxt->nsWellFormed) {
		/* Namespace errors (an undeclared prefix) keep the tree. */
		*code = -1;
		err = &ctxt->lastError;
		snprintf(msg, msglen, "line %d: %s", err->line,
		    err->message != NULL ? err->message : "namespace error");
		n = strlen(msg);
		while (n > 0 && isspace((unsigned char)msg[n - 1]))
			msg[--n] = '\0';
	}
	if (x != NULL && !recover && !ctxt->wellFormed) {
		xmlFreeDoc(x);
		x = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return x;
}

/* 1 when the document's DOCTYPE names Netscape's RSS 0.91 DTD. */
int
parse_doctype_netscape(const xmlDoc *x)
{
	const xmlDtd	*dtd;

	if ((dtd = x->intSubset) == NULL)
		return 0;
	return (dtd->ExternalID != NULL &&
	    strstr((const char *)dtd->ExternalID, "Netscape") != NULL) ||
	    (dtd->SystemID != NULL &&
	    strstr((const char *)dtd->SystemID, "netscape") != NULL);
}

/* 1 when P (after "</", before E) is the end tag of element N. */
static int
parse_endtag_of(const char *p, const char *e, const xmlNode *n)
{
	const char	*name = (const char *)n->name;
	size_t		 len;

	if (n->ns != NULL && n->ns->prefix != NULL) {
		len = strlen((const char *)n->ns->prefix);
		if ((size_t)(e - p) <= len || memcmp(p,
		    (const char *)n->ns->prefix, len) != 0 || p[len] != ':')
			return 0;
		p += len + 1;
	}
	len = strlen(name);
	if ((size_t)(e - p) < len || memcmp(p, name, len) != 0)
		return 0;
	for (p += len; p < e && isspace((unsigned char)*p); p++)
		;
	return p < e && *p == '>';
}

/*
 * 1 unless the document was cut short (a Content-Length shorter than the
 * document, a truncated file): it holds the end tag of ROOT (what follows
 * that, a PHP warning say, is the publisher's noise), or ends with the end
 * tag of ROOT's last element (a generator that forgets </rss>), unless that
 * is an entry (Atom, RSS 1.0), after which more may have been cut.
 */
static int
parse_xml_whole(const char *text, size_t len, const xmlNode *root)
{
	const xmlNode	*last = NULL, *c;
	const char	*p, *e = text + len;

	/* An empty root may close itself; nothing of it can be missing. */
	if (root->children == NULL)
		return 1;
	for (p = e; p - text >= 2; p--)
		if (p[-2] == '<' && p[-1] == '/' && parse_endtag_of(p, e, root))
			return 1;
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			last = c;
	while (e > text && isspace((unsigned char)e[-1]))
		e--;
	if (last == NULL || e == text || e[-1] != '>' ||
	    xmlStrcmp(last->name, BAD_CAST "entry") == 0 ||
	    xmlStrcmp(last->name, BAD_CAST "item") == 0)
		return 0;
	for (p = e - 1; p > text && *p != '<'; p--)
		;
	return e - p > 2 && p[1] == '/' && parse_endtag_of(p + 2, e, last);
}

/*
 * Parses XML text into D; returns 0 for a feed, 1 for not a feed, -1 when
 * out of memory.
 */
static int
parse_xml_doc(struct doc *d, const char *text, size_t len,
    const struct parse_opts *o, char *base)
{
	struct pctx	 ctx;
	xmlDocPtr	 x;
	xmlNode		*root;
	const char	*why;
	char		 msg[256];
	int		 rc, code;

	msg[0] = '\0';
	x = parse_xml(text, len, 0, msg, sizeof msg, &code);
	if (x == NULL) {
		if ((why = parse_not_feed(text, len, 0)) != NULL) {
			parse_bozo(d, why);
			return 1;
		}
		/*
		 * Entity expansion past libxml2's limits is an attack or a
		 * broken generator; recovering would expand it anyway.
		 */
		if (code == XML_ERR_ENTITY_LOOP) {
			parse_bozo(d, "entity expansion limit exceeded, "
			    "not a feed");
			return 1;
		}
		parse_bozo(d, msg[0] ? msg : "document is not well-formed");
		if (code == XML_ERR_NO_MEMORY || code == XML_ERR_INTERNAL_ERROR)
			d->cut = 1;
		x = parse_xml(text, len, 1, msg, sizeof msg, &code);
	} else if (code == -1)
		parse_bozo(d, msg);
	else if (code == XML_ERR_NO_MEMORY || code == XML_ERR_INTERNAL_ERROR) {
		/* Halted (a text node over 10 MB): the rest was never read. */
		parse_bozo(d, msg);
		d->cut = 1;
	}
	if (x == NULL || (root = xmlDocGetRootElement(x)) == NULL) {
		xmlFreeDoc(x);
		parse_bozo(d, "no document element, not a feed");
		return 1;
	}
	if (!parse_xml_whole(text, len, root)) {
		parse_bozo(d, "document ends before its root element does");
		d->cut = 1;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.doc = d;
	ctx.opts = o;
	ctx.base = base;
	ctx.lang = o != NULL ? o->content_language : NULL;
	ctx.xml = x;
	ctx.homens = root->ns != NULL ? (const char *)root->ns->href : NULL;
	if (parse_rss_is_root(root))
		rc = parse_rss(&ctx, root);
	else if (parse_atom_is_root(root))
		rc = parse_atom(&ctx, root);
	else {
		why = parse_not_feed(text, len,
		    strcasecmp((const char *)root->name, "html") == 0);
		free(d->bozo_message);
		d->bozo_message = NULL;
		parse_bozo(d, why != NULL ? why :
		    "unknown document element, not a feed");
		rc = 1;
	}
	xmlFreeDoc(x);
	return rc;
}

/* The pipeline: limits, base, encoding, repairs, libxml2, format. */
struct doc *
parse_doc(const char *buf, size_t len, const struct parse_opts *o)
{
	struct doc	*d;
	const char	*text, *p;
	char		*owned = NULL, *ents = NULL, *base = NULL;
	char		*fixed = NULL;
	size_t		 tlen, elen;
	int		 oom, bozo;

	if ((d = doc_new()) == NULL)
		return NULL;
	if (doc_set(&d->version, "") == -1)
		goto fail;
	if (len > PARSE_MAXLEN || len > INT32_MAX) {
		parse_bozo(d, "document too large");
		return d;
	}
	if (o != NULL && o->content_location != NULL) {
		if ((base = uri_resolve(o->base, o->content_location)) == NULL)
			goto fail;
		/* A javascript: or data: base would poison every link. */
		if (!uri_is_http(base)) {
			free(base);
			base = NULL;
		}
	}
	if (base == NULL && o != NULL && o->base != NULL) {
		if ((base = strdup(o->base)) == NULL)
			goto fail;
	}

	if (parse_decode(d, buf, len, o, &text, &tlen, &owned) == -1)
		goto fail;

	/* JSON Feed: the first significant byte opens an object. */
	for (p = text; p < text + tlen && isspace((unsigned char)*p); p++)
		;
	if (p < text + tlen && *p == '{') {
		parse_json(d, text, tlen, o, base);
		goto done;
	}
	if (p == text + tlen) {
		parse_bozo(d, "empty document, not a feed");
		goto done;
	}

	if ((fixed = parse_demoronize(text, tlen, &elen, &oom)) != NULL) {
		text = fixed;
		tlen = elen;
	} else if (oom)
		goto fail;
	if ((ents = parse_entities(text, tlen, &elen, &oom, &bozo)) != NULL) {
		text = ents;
		tlen = elen;
	} else if (oom)
		goto fail;
	if (bozo)
		parse_bozo(d, "undefined entity or bare '&' (repaired)");
	if (parse_xml_doc(d, text, tlen, o, base) == -1)
		goto fail;
done:
	free(fixed);
	free(ents);
	free(owned);
	free(base);
	return d;
fail:
	free(fixed);
	free(ents);
	free(owned);
	free(base);
	doc_free(d);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Names and dispatch. */

/* Namespace URIs we know, to the prefix our tables use. */
static const struct {
	const char	*uri;
	const char	*prefix;
} parse_ns[] = {
	{ "http://backend.userland.com/creativecommonsrssmodule", "cc" },
	{ "http://backend.userland.com/rss", "" },
	{ "http://backend.userland.com/rss2", "" },
	{ "http://blogs.law.harvard.edu/tech/rss", "" },
	{ "http://channel.netscape.com/rdf/simple/0.9/", "" },
	{ "http://madskills.com/public/xml/rss/module/trackback/",
	    "trackback" },
	{ "http://my.netscape.com/rdf/simple/0.9/", "" },
	{ "http://purl.org/atom/ns#", "atom" },
	{ "http://purl.org/dc/elements/1.1/", "dc" },
	{ "http://purl.org/dc/terms/", "dcterms" },
	{ "http://purl.org/rss/1.0/", "" },
	{ "http://purl.org/rss/1.0/modules/content/", "content" },
	{ "http://purl.org/rss/1.0/modules/slash/", "slash" },
	{ "http://purl.org/rss/1.0/modules/syndication/", "sy" },
	{ "http://purl.org/syndication/thread/1.0", "thr" },
	{ "http://rssnamespace.org/feedburner/ext/1.0", "feedburner" },
	{ "http://search.yahoo.com/mrss", "media" },
	{ "http://search.yahoo.com/mrss/", "media" },
	{ "http://web.resource.org/cc/", "cc" },
	{ "http://webns.net/mvcb/", "admin" },
	{ "http://wellformedweb.org/commentapi/", "wfw" },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes" },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
	{ "http://www.w3.org/1999/xhtml", "xhtml" },
	{ "http://www.w3.org/2005/atom", "atom" },
};

/* The table prefix of namespace URI (case-insensitive, as publishers vary). */
static const char *
parse_ns_prefix(const char *uri)
{
	size_t	 lo = 0, hi = sizeof parse_ns / sizeof parse_ns[0], mid;
	int	 c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcasecmp(uri, parse_ns[mid].uri);
		if (c == 0)
			return parse_ns[mid].prefix;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* 1 when the element is in namespace URI (compared case-insensitively). */
int
pns_is(const xmlNode *n, const char *uri)
{
	return n->ns != NULL && n->ns->href != NULL &&
	    strcasecmp((const char *)n->ns->href, uri) == 0;
}

/*
 * The canonical name of element N in BUF: "prefix:local", lower case, the
 * prefix chosen by namespace URI; the format's own namespace, the document
 * element's (whatever it is) and Atom's when ATOMHOME have no prefix.
 * Unknown namespaces get "?:" so no table row matches them.
 */
const char *
pname(struct pctx *ctx, const xmlNode *n, int atomhome, char *buf, size_t len)
{
	const char	*pfx = "";
	size_t		 i, k;

	if (n->ns != NULL && n->ns->href != NULL && (ctx->homens == NULL ||
	    strcmp((const char *)n->ns->href, ctx->homens) != 0)) {
		if ((pfx = parse_ns_prefix((const char *)n->ns->href)) == NULL)
			pfx = "?";
		else if (atomhome && strcmp(pfx, "atom") == 0)
			pfx = "";
	}
	k = 0;
	if (*pfx != '\0') {
		k = strlen(pfx);
		if (k + 2 >= len)
			return "";
		memcpy(buf, pfx, k);
		buf[k++] = ':';
	}
	for (i = 0; n->name[i] != '\0' && k + 1 < len; i++)
		buf[k++] = tolower(n->name[i]);
	buf[k] = '\0';
	return buf;
}

/* Compares a name with a table row, for bsearch. */
static int
parse_tag_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct ptag *)row)->name);
}

/* Calls the handler of every element child of PARENT found in T1 or T2. */
void
pdispatch(struct pctx *ctx, xmlNode *parent, struct ptarget *t, int atomhome,
    const struct ptag *t1, size_t n1, const struct ptag *t2, size_t n2)
{
	const struct ptag	*row;
	xmlNode			*c;
	char			 buf[PARSE_NAMEMAX];
	const char		*name;

	for (c = parent->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		name = pname(ctx, c, atomhome, buf, sizeof buf);
		row = bsearch(name, t1, n1, sizeof *t1, parse_tag_cmp);
		if (row == NULL && t2 != NULL)
			row = bsearch(name, t2, n2, sizeof *t2, parse_tag_cmp);
		if (row != NULL)
			row->fn(ctx, c, t);
	}
}

/* The value of the un-namespaced attribute NAME, or NULL. */
const char *
pattr(const xmlNode *n, const char *name)
{
	const xmlAttr	*a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL ||
		    strcasecmp((const char *)a->name, name) != 0)
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->type == XML_TEXT_NODE &&
		    a->children->content != NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Targets. */

/* Points a target at the feed header. */
void
ptarget_feed(struct ptarget *t, struct doc_feed *f)
{
	memset(t, 0, sizeof *t);
	t->f = f;
	t->title = &f->title;
	t->title_type = &f->title_type;
	t->link = &f->link;
	t->id = &f->id;
	t->rights = &f->rights;
	t->updated = &f->updated;
	t->published = &f->published;
	t->links = &f->links;
	t->nlinks = &f->nlinks;
	t->authors = &f->authors;
	t->nauthors = &f->nauthors;
	t->contributors = &f->contributors;
	t->ncontributors = &f->ncontributors;
	t->categories = &f->categories;
	t->ncategories = &f->ncategories;
}

/* Points a target at one entry. */
void
ptarget_entry(struct ptarget *t, struct doc_entry *e)
{
	memset(t, 0, sizeof *t);
	t->e = e;
	t->title = &e->title;
	t->title_type = &e->title_type;
	t->link = &e->link;
	t->id = &e->id;
	t->rights = &e->rights;
	t->updated = &e->updated;
	t->published = &e->published;
	t->links = &e->links;
	t->nlinks = &e->nlinks;
	t->authors = &e->authors;
	t->nauthors = &e->nauthors;
	t->contributors = &e->contributors;
	t->ncontributors = &e->ncontributors;
	t->categories = &e->categories;
	t->ncategories = &e->ncategories;
}

/* ------------------------------------------------------------------ */
/* Text. */

/* Strips leading and trailing whitespace in place; returns S. */
char *
pstrip(char *s)
{
	size_t	 n, i = 0;

	if (s == NULL)
		return NULL;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	n = strlen(s + i);
	while (n > 0 && (s[i + n - 1] == ' ' || s[i + n - 1] == '\t' ||
	    s[i + n - 1] == '\n' || s[i + n - 1] == '\r'))
		n--;
	if (i > 0)
		memmove(s, s + i, n);
	s[n] = '\0';
	return s;
}

/* Text content of N, stripped.  Caller frees. */
char *
ptext(const xmlNode *n)
{
	xmlChar	*c;
	char	*s;

	if ((c = xmlNodeGetContent(n)) == NULL)
		return strdup("");
	s = strdup((const char *)c);
	xmlFree(c);
	return pstrip(s);
}

/* Elements that HTML serializes without an end tag. */
static int
parse_void_element(const char *name)
{
	static const char *const v[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input",
		"link", "meta", "param", "source", "track", "wbr",
	};
	size_t	 i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcasecmp(name, v[i]) == 0)
			return 1;
	return 0;
}

/*
 * Serializes the sibling list starting at FIRST as markup: local names,
 * namespaces dropped (the sanitizer sees plain HTML), text escaped, void
 * elements self-closed.
 */
void
pxml_serialize(struct pbuf *b, const xmlNode *first, int depth)
{
	const xmlNode	*n;
	const xmlAttr	*a;
	const char	*name;
	xmlChar		*v;

	if (depth > 512)
		return;
	for (n = first; n != NULL && !b->oom; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				pbuf_escape(b, (const char *)n->content, 0);
			break;
		case XML_ENTITY_REF_NODE:
			pxml_serialize(b, n->children, depth + 1);
			break;
		case XML_ELEMENT_NODE:
			name = (const char *)n->name;
			pbuf_adds(b, "<");
			pbuf_adds(b, name);
			for (a = n->properties; a != NULL; a = a->next) {
				pbuf_adds(b, " ");
				if (a->ns != NULL && a->ns->prefix != NULL &&
				    strcmp((const char *)a->ns->prefix,
				    "xml") == 0)
					pbuf_adds(b, "xml:");
				pbuf_adds(b, (const char *)a->name);
				pbuf_adds(b, "=\"");
				if ((v = xmlNodeListGetString(n->doc,
				    a->children, 1)) != NULL) {
					pbuf_escape(b, (const char *)v, 1);
					xmlFree(v);
				}
				pbuf_adds(b, "\"");
			}
			if (n->children == NULL && parse_void_element(name)) {
				pbuf_adds(b, " />");
				break;
			}
			pbuf_adds(b, ">");
			pxml_serialize(b, n->children, depth + 1);
			pbuf_adds(b, "</");
			pbuf_adds(b, name);
			pbuf_adds(b, ">");
			break;
		default:
			break;
		}
	}
}

/* 1 when N has an element child. */
static int
parse_has_elements(const xmlNode *n)
{
	const xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/*
 * The markup inside N: its children serialized when it has elements (naked
 * markup, inline XHTML), else its text.  Stripped.  Caller frees.
 */
char *
pinner(struct pctx *ctx, const xmlNode *n)
{
	struct pbuf	 b = { 0 };

	(void)ctx;
	if (!parse_has_elements(n))
		return ptext(n);
	pxml_serialize(&b, n->children, 0);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	if (b.s == NULL)
		return strdup("");
	return pstrip(b.s);
}

/* HTML made safe, relative URLs resolved against N's base.  Caller frees. */
char *
psanitize(struct pctx *ctx, const char *html, const xmlNode *n)
{
	char	*base, *out;

	base = pbase(ctx, n, NULL);
	out = sanitize_html(html, strlen(html), base);
	free(base);
	return out != NULL ? pstrip(out) : NULL;
}

/* Sets *DST to N's text (unless KEEP and already set). */
void
pset_text(char **dst, const xmlNode *n, int keep)
{
	char	*s;

	if (keep && *dst != NULL)
		return;
	if ((s = ptext(n)) == NULL)
		return;
	free(*dst);
	*dst = s;
}

/* Sets *DST to N's markup, sanitized (unless KEEP and already set). */
void
pset_html(struct pctx *ctx, char **dst, xmlNode *n, int keep)
{
	char	*s, *v;

	if (keep && *dst != NULL)
		return;
	if ((s = pinner(ctx, n)) == NULL)
		return;
	v = psanitize(ctx, s, n);
	free(s);
	if (v == NULL)
		return;
	free(*dst);
	*dst = v;
}

/* Decodes base64 text in place (whitespace ignored); returns the length. */
static size_t
parse_base64(char *s)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int		 acc = 0;
	size_t			 o = 0;
	int			 bits = 0;
	const char		*p, *c;

	for (p = s; *p != '\0' && *p != '='; p++) {
		if ((c = strchr(tab, *p)) == NULL || *p == '\0')
			continue;
		acc = (acc << 6) | (unsigned int)(c - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[o++] = (acc >> bits) & 0xff;
		}
	}
	s[o] = '\0';
	return o;
}

/*
 * Decodes base64 text S (taking it) into UTF-8: bytes that are not UTF-8
 * are read as windows-1252, so every string we hand on stays valid.
 * Returns NULL when out of memory.  Caller frees.
 */
static char *
pbase64(char *s)
{
	struct pbuf	 b = { 0 };
	size_t		 n;

	if (s == NULL)
		return NULL;
	n = parse_base64(s);
	if (parse_utf8_valid((const unsigned char *)s, n) == n)
		return s;
	parse_repair_utf8(&b, (const unsigned char *)s, n);
	free(s);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s != NULL ? b.s : strdup("");
}

/* Maps Atom's short type names to MIME types. */
static const char *
parse_mime(const char *type)
{
	if (type == NULL || *type == '\0' || strcasecmp(type, "text") == 0)
		return "text/plain";
	if (strcasecmp(type, "html") == 0)
		return "text/html";
	if (strcasecmp(type, "xhtml") == 0)
		return "application/xhtml+xml";
	return type;
}

/* 1 when the MIME type carries markup we sanitize. */
static int
parse_mime_html(const char *t)
{
	return strcasecmp(t, "text/html") == 0 ||
	    strcasecmp(t, "application/xhtml+xml") == 0;
}

/* 1 when the MIME type is XML, shown inline in Atom. */
static int
parse_mime_xml(const char *t)
{
	size_t	 n = strlen(t);

	return (n > 4 && strcasecmp(t + n - 4, "+xml") == 0) ||
	    (n > 4 && strcasecmp(t + n - 4, "/xml") == 0);
}

/*
 * Reads a text construct (Atom's type and mode attributes, else DEFTYPE)
 * into *VALUE and *TYPE; HTML is sanitized.  Returns -1 when out of memory.
 */
int
ptext_construct(struct pctx *ctx, xmlNode *n, int deftype, char **value,
    char **type)
{
	const char	*t, *mode, *mime;
	char		*s = NULL, *v;
	xmlNode		*c, *div = NULL;
	struct pbuf	 b = { 0 };

	t = pattr(n, "type");
	mode = pattr(n, "mode");
	if (t == NULL && deftype == PT_HTML)
		mime = "text/html";
	else
		mime = parse_mime(t);
	if (mode != NULL && strcasecmp(mode, "base64") == 0) {
		s = pbase64(ptext(n));
	} else if (mode != NULL && strcasecmp(mode, "escaped") == 0)
		s = ptext(n);
	else if (strcmp(mime, "application/xhtml+xml") == 0 &&
	    !ctx->atom03) {
		/* Atom 1.0: the content is the children of one xhtml:div. */
		for (c = n->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (div == NULL && strcmp((const char *)c->name,
			    "div") == 0 && pns_is(c,
			    "http://www.w3.org/1999/xhtml"))
				div = c;
			else {
				div = NULL;
				break;
			}
		}
		pxml_serialize(&b, div != NULL ? div->children : n->children,
		    0);
		s = b.oom ? NULL : pstrip(b.s != NULL ? b.s : strdup(""));
		if (b.oom)
			free(b.s);
	} else if (t != NULL && strcmp(mime, "text/html") == 0)
		/* Declared HTML is escaped text; stray elements are dropped. */
		s = ptext(n);
	else if (parse_mime_html(mime) || parse_mime_xml(mime) ||
	    (ctx->atom03 && (mode == NULL || strcasecmp(mode, "xml") == 0)))
		s = pinner(ctx, n);
	else if (!ctx->atom03 && strncasecmp(mime, "text/", 5) != 0) {
		/* Atom 1.0: any other media type is base64. */
		s = pbase64(ptext(n));
	} else
		s = ptext(n);
	if (s == NULL)
		return -1;
	if (parse_mime_html(mime)) {
		v = psanitize(ctx, s, n);
		free(s);
		if ((s = v) == NULL)
			return -1;
	}
	free(*value);
	*value = s;
	if (type != NULL && doc_set(type, mime) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* URLs and languages. */

/*
 * The base URL in force at N: every xml:base from the root down, resolved
 * in turn, starting from the document URL.  *SCOPED tells whether any
 * xml:base applied.  Caller frees (NULL when unknown).
 */
char *
pbase(struct pctx *ctx, const xmlNode *n, int *scoped)
{
	const xmlChar	*chain[64];
	const xmlNode	*p;
	const xmlAttr	*a;
	char		*cur, *next;
	size_t		 k = 0;

	for (p = n; p != NULL && p->type == XML_ELEMENT_NODE; p = p->parent) {
		for (a = p->properties; a != NULL; a = a->next) {
			if (a->ns == NULL || a->ns->href == NULL ||
			    strcmp((const char *)a->name, "base") != 0 ||
			    strcmp((const char *)a->ns->href,
			    (const char *)XML_XML_NAMESPACE) != 0)
				continue;
			if (k < sizeof chain / sizeof chain[0] &&
			    a->children != NULL &&
			    a->children->content != NULL)
				chain[k++] = a->children->content;
		}
	}
	if (scoped != NULL)
		*scoped = k > 0;
	cur = ctx->base != NULL ? strdup(ctx->base) : NULL;
	while (k > 0) {
		k--;
		next = uri_resolve(cur, (const char *)chain[k]);
		free(cur);
		if ((cur = next) == NULL)
			return NULL;
	}
	return cur;
}

/* REF resolved against N's base.  Caller frees. */
char *
presolve(struct pctx *ctx, const xmlNode *n, const char *ref)
{
	char	*base, *r;

	if (ref == NULL)
		return NULL;
	base = pbase(ctx, n, NULL);
	r = uri_resolve(base, ref);
	free(base);
	return r;
}

/* An id as written, resolved only against an xml:base in scope. */
char *
presolve_id(struct pctx *ctx, const xmlNode *n, const char *ref)
{
	char	*base, *r;
	int	 scoped;

	base = pbase(ctx, n, &scoped);
	if (scoped && *ref != '\0')
		r = uri_resolve(base, ref);
	else
		r = strdup(ref);
	free(base);
	return r;
}

/*
 * The xml:lang in force at N as a language tag ("en_US" becomes "en-US"),
 * or NULL, also when the nearest one is blank (RFC 4287: unknown).
 * Caller frees.
 */
char *
planguage(struct pctx *ctx, const xmlNode *n)
{
	const xmlNode	*p;
	const xmlAttr	*a;
	const char	*v = NULL;
	char		*s, *c;

	for (p = n; v == NULL && p != NULL && p->type == XML_ELEMENT_NODE;
	    p = p->parent) {
		for (a = p->properties; a != NULL; a = a->next) {
			if (a->ns != NULL && a->ns->prefix != NULL &&
			    strcmp((const char *)a->ns->prefix, "xml") == 0 &&
			    strcmp((const char *)a->name, "lang") == 0) {
				v = a->children != NULL && a->children->content
				    != NULL ? (const char *)a->children->content
				    : "";
				break;
			}
		}
	}
	if (v == NULL)
		v = ctx->lang;
	if (v == NULL || (s = strdup(v)) == NULL)
		return NULL;
	if (*pstrip(s) == '\0') {
		free(s);
		return NULL;
	}
	for (c = s; *c != '\0'; c++)
		if (*c == '_')
			*c = '-';
	return s;
}

/* ------------------------------------------------------------------ */
/* Fields. */

/* N's text as a date, or DOC_NODATE. */
int64_t
pdate(const xmlNode *n)
{
	char	*s;
	int64_t	 t;

	if ((s = ptext(n)) == NULL)
		return DOC_NODATE;
	t = date_parse(s);
	free(s);
	return t == DATE_UNKNOWN ? DOC_NODATE : t;
}

/* Sets *DST to N's date when it parses (unless KEEP and already set). */
void
pset_date(int64_t *dst, const xmlNode *n, int keep)
{
	int64_t	 t;

	if (keep && *dst != DOC_NODATE)
		return;
	if ((t = pdate(n)) != DOC_NODATE)
		*dst = t;
}

/* A non-negative decimal integer, or DOC_NOINT. */
long long
pint(const char *s)
{
	long long	 v = 0;

	if (s == NULL)
		return DOC_NOINT;
	while (isspace((unsigned char)*s))
		s++;
	if (*s < '0' || *s > '9')
		return DOC_NOINT;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - 9) / 10)
			return DOC_NOINT;
		v = v * 10 + (*s - '0');
	}
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0' ? v : DOC_NOINT;
}

/* 1 when the N bytes at S look like one e-mail address. */
static int
parse_is_email(const char *s, size_t n)
{
	const char	*at;
	size_t		 i;

	if (n == 0 || (at = memchr(s, '@', n)) == NULL || at == s ||
	    at == s + n - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || strchr("<>()", s[i]) !=
		    NULL)
			return 0;
	return 1;
}

/* Copies N bytes of S, stripped, into *DST unless empty. */
static void
parse_setn_stripped(char **dst, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > 0)
		doc_setn(dst, s, n);
}

/*
 * Splits an author string into name and e-mail: "jane@example.com (Jane
 * Doe)", "Jane Doe <jane@example.com>", "jane@example.com", or a name.
 */
void
pperson_split(struct doc_person *p, const char *s)
{
	const char	*a, *b, *at, *st, *en;
	size_t		 n = strlen(s);

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return;
	/* "email (Name)" */
	if (s[n - 1] == ')' && (a = memchr(s, '(', n)) != NULL &&
	    parse_is_email(s, strcspn(s, " \t(") < (size_t)(a - s) ?
	    strcspn(s, " \t(") : (size_t)(a - s))) {
		b = s + strcspn(s, " \t(");
		parse_setn_stripped(&p->email, s, b - s);
		parse_setn_stripped(&p->name, a + 1, s + n - 1 - a - 1);
		return;
	}
	/* "Name <email>" */
	if (s[n - 1] == '>' && (a = memchr(s, '<', n)) != NULL &&
	    parse_is_email(a + 1, s + n - 1 - a - 1)) {
		parse_setn_stripped(&p->email, a + 1, s + n - 1 - a - 1);
		parse_setn_stripped(&p->name, s, a - s);
		return;
	}
	if (parse_is_email(s, n)) {
		doc_setn(&p->email, s, n);
		return;
	}
	/* An address somewhere inside: take it out, the rest is the name. */
	if ((at = memchr(s, '@', n)) != NULL) {
		for (st = at; st > s && !isspace((unsigned char)st[-1]) &&
		    st[-1] != '(' && st[-1] != '<'; st--)
			;
		for (en = at; en < s + n && !isspace((unsigned char)*en) &&
		    *en != ')' && *en != '>'; en++)
			;
		if (parse_is_email(st, en - st)) {
			doc_setn(&p->email, st, en - st);
			if (st > s && (st[-1] == '(' || st[-1] == '<'))
				st--;
			if (en < s + n && (*en == ')' || *en == '>'))
				en++;
			if (st > s)
				parse_setn_stripped(&p->name, s, st - s);
			else
				parse_setn_stripped(&p->name, en, s + n - en);
			return;
		}
	}
	doc_setn(&p->name, s, n);
}

/* Appends a person parsed from S unless an equal one is already there. */
struct doc_person *
padd_person(struct doc_person **v, size_t *n, const char *s)
{
	struct doc_person	 tmp = { 0 }, *p;
	size_t			 i;

	if (*n >= PARSE_MAXLIST)
		return NULL;
	pperson_split(&tmp, s);
	if (tmp.name == NULL && tmp.email == NULL)
		return NULL;
	for (i = 0; i < *n; i++) {
		p = &(*v)[i];
		if ((tmp.name == NULL) == (p->name == NULL) &&
		    (tmp.email == NULL) == (p->email == NULL) &&
		    (tmp.name == NULL || strcmp(tmp.name, p->name) == 0) &&
		    (tmp.email == NULL || strcmp(tmp.email, p->email) == 0)) {
			free(tmp.name);
			free(tmp.email);
			return p;
		}
	}
	if ((p = doc_add_person(v, n)) == NULL) {
		free(tmp.name);
		free(tmp.email);
		return NULL;
	}
	*p = tmp;
	return p;
}

/* Appends a link taking ownership of HREF (freed on failure). */
struct doc_link *
padd_link(struct doc_link **v, size_t *n, const char *rel, const char *type,
    char *href)
{
	struct doc_link	*l;

	if (*n >= PARSE_MAXLIST || (l = doc_add_link(v, n)) == NULL) {
		free(href);
		return NULL;
	}
	l->href = href;
	doc_set(&l->rel, rel != NULL ? rel : "alternate");
	if (type != NULL)
		doc_set(&l->type, type);
	return l;
}

/* Appends a category unless the same term and scheme are already there. */
void
padd_category(struct ptarget *t, const char *term, const char *scheme,
    const char *label)
{
	struct doc_category	*c;
	size_t			 i;

	if (term == NULL || *term == '\0' || *t->ncategories >= PARSE_MAXLIST)
		return;
	for (i = 0; i < *t->ncategories; i++) {
		c = &(*t->categories)[i];
		if (strcmp(c->term, term) == 0 && (c->scheme == NULL) ==
		    (scheme == NULL) && (scheme == NULL ||
		    strcmp(c->scheme, scheme) == 0))
			return;
	}
	if ((c = doc_add_category(t->categories, t->ncategories)) == NULL)
		return;
	doc_set(&c->term, term);
	if (scheme != NULL && *scheme != '\0')
		doc_set(&c->scheme, scheme);
	if (label != NULL && *label != '\0')
		doc_set(&c->label, label);
}

/* 1 when a link's type is HTML (or unknown). */
static int
parse_link_html(const struct doc_link *l)
{
	return l->type == NULL || strcasecmp(l->type, "text/html") == 0 ||
	    strcasecmp(l->type, "application/xhtml+xml") == 0;
}

/* Fills *LINK from the links when no plain link was given. */
void
ppick_link(struct ptarget *t)
{
	struct doc_link	*l, *best = NULL;
	size_t		 i;

	if (*t->link != NULL)
		return;
	for (i = 0; i < *t->nlinks; i++) {
		l = &(*t->links)[i];
		if (l->href == NULL || strcmp(l->rel, "alternate") != 0)
			continue;
		if (parse_link_html(l)) {
			best = l;
			break;
		}
		if (best == NULL)
			best = l;
	}
	if (best != NULL)
		doc_set(t->link, best->href);
}

/*
 * Completes an entry: without a summary, a textual first content stands in
 * for it (as every reader shows it).
 */
void
pentry_finish(struct pctx *ctx, struct doc_entry *e)
{
	const struct doc_content	*c;

	(void)ctx;
	if (e->summary != NULL || e->ncontent == 0)
		return;
	c = &e->content[0];
	if (c->value == NULL || c->type == NULL ||
	    (strcmp(c->type, "text/plain") != 0 && !parse_mime_html(c->type)))
		return;
	if (doc_set(&e->summary, c->value) == 0)
		doc_set(&e->summary_type, c->type);
}

/* A new entry, or NULL past the ceiling or when out of memory. */
struct doc_entry *
padd_entry(struct doc *d)
{
	if (d->nentries >= PARSE_MAXENTRIES)
		return NULL;
	return doc_add_entry(d);
}

/* A new content object, or NULL past the ceiling or when out of memory. */
struct doc_content *
padd_content(struct doc_entry *e)
{
	if (e->ncontent >= PARSE_MAXLIST)
		return NULL;
	return doc_add_content(e);
}

/* A new enclosure, or NULL past the ceiling or when out of memory. */
struct doc_enclosure *
padd_enclosure(struct doc_entry *e)
{
	if (e->nenclosures >= PARSE_MAXLIST)
		return NULL;
	return doc_add_enclosure(e);
}
