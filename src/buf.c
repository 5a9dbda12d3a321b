/* buf: bounded growable buffer and escaping writers; see buf.h. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

char *
buf_release(struct buf *b, size_t *len)
{
	char	*p = NULL;

	if (!b->failed) {
		if (b->data == NULL)
			buf_add(b, "", 0);
		p = b->data;
		if (len != NULL)
			*len = b->len;
		b->data = NULL;
	}
	buf_free(b);
	return p;
}

/* Makes room for N more bytes plus the NUL; 0 or -1 (and failed). */
static int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->failed)
		return -1;
	if (n > b->max || b->len > b->max - n) {
		b->failed = 1;
		return -1;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap == 0 ? 4096 : b->cap;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/*
 * Length of the valid UTF-8 sequence at S (1-4), with its code point in *CP,
 * or 0 when the bytes are not valid UTF-8 (overlong, surrogate, truncated).
 */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t	c = s[0];
	size_t		n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void
buf_xml(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run = p;
	const char		*esc;
	uint32_t		 cp;
	size_t			 n;

	if (s == NULL)
		return;
	while (*p != '\0') {
		esc = NULL;
		n = utf8_next(p, &cp);
		if (n == 1) {
			switch (cp) {
			case '&': esc = "&amp;"; break;
			case '<': esc = "&lt;"; break;
			case '>': esc = "&gt;"; break;
			case '"': esc = "&quot;"; break;
			case '\'': esc = "&#39;"; break;
			case '\t': case '\n': case '\r': break;
			default:
				if (cp < 0x20)
					esc = "";
				break;
			}
		} else if (n == 0 || cp == 0xfffe || cp == 0xffff)
			esc = "";
		if (esc == NULL) {
			p += n;
			continue;
		}
		buf_add(b, run, p - run);
		buf_puts(b, esc);
		p += n == 0 ? 1 : n;
		run = p;
	}
	buf_add(b, run, p - run);
}

void
buf_json(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run = p;
	char			 esc[8];
	uint32_t		 cp;
	size_t			 n;

	buf_add(b, "\"", 1);
	while (*p != '\0') {
		n = utf8_next(p, &cp);
		if (n > 1 || (n == 1 && cp >= 0x20 && cp != '"' && cp != '\\' &&
		    cp != 0x7f)) {
			p += n;
			continue;
		}
		buf_add(b, run, p - run);
		if (n == 1) {
			switch (cp) {
			case '"': buf_puts(b, "\\\""); break;
			case '\\': buf_puts(b, "\\\\"); break;
			case '\n': buf_puts(b, "\\n"); break;
			case '\r': buf_puts(b, "\\r"); break;
			case '\t': buf_puts(b, "\\t"); break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", cp);
				buf_puts(b, esc);
				break;
			}
		}
		p += n == 0 ? 1 : n;
		run = p;
	}
	buf_add(b, run, p - run);
	buf_add(b, "\"", 1);
}
