/*
 * fuzz-sanitize: libFuzzer target for the sanitizer.  The first byte picks
 * the base URL; the rest is the HTML.  Checked on every output: no element
 * that runs or loads active content, no event handler or navigation
 * attribute, no script URL in a URL attribute, no CSS that can run or
 * fetch; sanitizing the output again changes nothing (what we republish is
 * a fixed point, so a browser's parse cannot turn it into something else);
 * and when the fast path for tidy HTML takes the input, it writes exactly
 * what the full parse writes.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_bases[] = {
	NULL, "http://example.com/a/b.html", "https://h.example/dir/",
	"javascript:alert(1)//", "feed:http://example.com/", "data:text/html,x",
	"mailto:a@example.com", "http://[::1]:8080/x?y#z",
};

/* Elements that must never be written. */
static const char *const fuzz_bad_tags[] = {
	"script", "style", "iframe", "frame", "frameset", "object", "embed",
	"applet", "svg", "math", "base", "meta", "link", "noscript", "template",
	"xmp", "plaintext", "noembed", "noframes", "param", "portal",
};

/* Attributes that must never be written (on* aside). */
static const char *const fuzz_bad_attrs[] = {
	"id", "name", "form", "action", "formaction", "data", "ping", "target",
	"srcdoc", "xmlns", "is", "slot",
};

/* Attributes holding a URL. */
static const char *const fuzz_url_attrs[] = {
	"href", "src", "cite", "background", "poster", "longdesc", "lowsrc",
	"dynsrc", "datasrc", "icon", "vrml",
};

/* Stops the run with what broke; libFuzzer keeps the input. */
static void
fuzz_fail(const char *what, const char *out, const char *other)
{
	fprintf(stderr, "fuzz-sanitize: %s\n  output: \"%s\"\n", what, out);
	if (other != NULL)
		fprintf(stderr, "  other:  \"%s\"\n", other);
	abort();
}

/* Whether NAME (N bytes) is one of the LEN words of LIST, ignoring case. */
static int
fuzz_in(const char *name, size_t n, const char *const *list, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], name, n) == 0)
			return 1;
	return 0;
}

/*
 * Decodes the entities our writer uses and drops what a browser strips
 * from a URL (controls, spaces; with BLANKS, blanks become spaces and
 * stay), lower-cased, into a new string.
 */
static char *
fuzz_url_text(const char *v, size_t n, int blanks)
{
	char		*s, *p;
	unsigned long	 c;
	size_t		 i = 0;

	if ((s = p = malloc(n + 1)) == NULL)
		abort();
	while (i < n) {
		c = (unsigned char)v[i++];
		if (c == '&') {
			if (i < n && v[i] == '#') {
				char *end;
				int hex = i + 1 < n && (v[i + 1] | 0x20) == 'x';

				c = strtoul(v + i + 1 + hex, &end, hex ? 16 : 10);
				i = (size_t)(end - v);
				if (i < n && v[i] == ';')
					i++;
			} else if (strncmp(v + i, "amp;", 4) == 0) {
				i += 4;
			} else if (strncmp(v + i, "quot;", 5) == 0) {
				c = '"';
				i += 5;
			} else if (strncmp(v + i, "lt;", 3) == 0) {
				c = '<';
				i += 3;
			} else if (strncmp(v + i, "gt;", 3) == 0) {
				c = '>';
				i += 3;
			}
		}
		if (blanks && (c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r' || c == '\f')) {
			*p++ = ' ';
			continue;
		}
		if (c <= 0x20 || c == 0x7f)
			continue;
		*p++ = c < 0x80 && c >= 'A' && c <= 'Z' ? (char)(c | 0x20) :
		    (c < 0x80 ? (char)c : '?');
	}
	*p = '\0';
	return s;
}

/* Whether URL text U (decoded, blanks dropped, lower case) runs script. */
static int
fuzz_script_url(const char *u)
{
	return strncmp(u, "javascript:", 11) == 0 ||
	    strncmp(u, "vbscript:", 9) == 0 || strncmp(u, "data:", 5) == 0;
}

/*
 * Whether a candidate URL of srcset VALUE (N bytes) runs script.  As a
 * browser splits it: a URL is a run of non-blanks (trailing commas
 * dropped), then descriptors up to a comma.
 */
static int
fuzz_srcset_bad(const char *value, size_t n)
{
	char		*v = fuzz_url_text(value, n, 1), *u;
	const char	*p = v, *start;
	size_t		 len;
	int		 bad = 0;

	while (*p != '\0' && !bad) {
		while (*p == ' ' || *p == ',')
			p++;
		start = p;
		while (*p != '\0' && *p != ' ')
			p++;
		len = (size_t)(p - start);
		while (len > 0 && start[len - 1] == ',')
			len--;
		u = fuzz_url_text(start, len, 0);
		bad = fuzz_script_url(u);
		free(u);
		/* A URL that ended in a comma has no descriptors. */
		while (len == (size_t)(p - start) && *p != '\0' && *p != ',')
			p++;
	}
	free(v);
	return bad;
}

/* Whether declarations U (blanks dropped) set property NAME. */
static int
fuzz_css_property(const char *u, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = u;

	for (;;) {
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return 1;
		if ((p = strchr(p, ';')) == NULL)
			return 0;
		p++;
	}
}

/* Checks one attribute NAME=VALUE of an element we wrote. */
static void
fuzz_attr(const char *out, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	char	*u;
	int	 srcset = nlen == 6 && strncasecmp(name, "srcset", 6) == 0;

	if (nlen >= 2 && strncasecmp(name, "on", 2) == 0)
		fuzz_fail("event handler written", out, NULL);
	if (fuzz_in(name, nlen, fuzz_bad_attrs,
	    sizeof fuzz_bad_attrs / sizeof *fuzz_bad_attrs))
		fuzz_fail("forbidden attribute written", out, NULL);
	if (fuzz_in(name, nlen, fuzz_url_attrs,
	    sizeof fuzz_url_attrs / sizeof *fuzz_url_attrs) || srcset) {
		u = fuzz_url_text(value, vlen, 0);
		if (srcset ? fuzz_srcset_bad(value, vlen) : fuzz_script_url(u))
			fuzz_fail("script URL written", out, NULL);
		free(u);
	}
	if (nlen == 5 && strncasecmp(name, "style", 5) == 0) {
		u = fuzz_url_text(value, vlen, 0);
		if (strstr(u, "expression(") != NULL ||
		    strstr(u, "url(") != NULL || strstr(u, "javascript:") != NULL ||
		    fuzz_css_property(u, "-moz-binding") ||
		    fuzz_css_property(u, "behavior") ||
		    strstr(u, "@import") != NULL || strchr(u, '\\') != NULL)
			fuzz_fail("active CSS written", out, NULL);
		free(u);
	}
}

/* Walks the markup of OUT and checks every tag and attribute. */
static void
fuzz_check(const char *out)
{
	const char	*p = out, *name, *value;
	size_t		 nlen, vlen;
	char		 q;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (strncmp(p, "!--", 3) == 0)
			fuzz_fail("comment written", out, NULL);
		if (*p == '!' || *p == '?')
			fuzz_fail("declaration written", out, NULL);
		if (*p == '/')
			p++;
		name = p;
		while (*p != '\0' && strchr(" \t\n\f\r/>", *p) == NULL)
			p++;
		if (p == name)
			continue;	/* a '<' that starts no tag */
		if (fuzz_in(name, (size_t)(p - name), fuzz_bad_tags,
		    sizeof fuzz_bad_tags / sizeof *fuzz_bad_tags))
			fuzz_fail("forbidden element written", out, NULL);
		for (;;) {
			while (*p != '\0' && strchr(" \t\n\f\r/", *p) != NULL)
				p++;
			if (*p == '\0' || *p == '>')
				break;
			name = p;
			while (*p != '\0' && strchr(" \t\n\f\r/>=", *p) == NULL)
				p++;
			nlen = (size_t)(p - name);
			value = "";
			vlen = 0;
			if (*p == '=') {
				p++;
				if (*p == '"' || *p == '\'') {
					q = *p++;
					value = p;
					while (*p != '\0' && *p != q)
						p++;
					vlen = (size_t)(p - value);
					if (*p != '\0')
						p++;
				} else {
					value = p;
					while (*p != '\0' &&
					    strchr(" \t\n\f\r>", *p) == NULL)
						p++;
					vlen = (size_t)(p - value);
				}
			}
			fuzz_attr(out, name, nlen, value, vlen);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*base = NULL, *html;
	char		*out, *again, *full, *fast;

	if (size > 0) {
		base = fuzz_bases[data[0] % 8];
		data++;
		size--;
	}
	html = (const char *)data;
	if ((out = sanitize_html(html, size, base)) == NULL)
		return 0;
	fuzz_check(out);

	/* The output is a fixed point. */
	if ((again = sanitize_html(out, strlen(out), base)) != NULL) {
		if (strcmp(again, out) != 0)
			fuzz_fail("sanitizing the output changes it", out, again);
		free(again);
	}

	/* The fast path, when it takes the input, is the full parse. */
	fast = sanitize_html_path(html, size, base, SANITIZE_FAST);
	if (fast != NULL) {
		if ((full = sanitize_html_path(html, size, base,
		    SANITIZE_GUMBO)) == NULL)
			abort();
		if (strcmp(fast, full) != 0)
			fuzz_fail("fast path differs from the full parse",
			    full, fast);
		free(full);
		free(fast);
	}
	free(out);
	return 0;
}
