/* render: the table of output formats and what they share; see render.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "render.h"
#include "sanitize.h"
#include "store.h"
#include "uri.h"

static const struct render_format *const render_formats[] = {
	&render_atom,
	&render_rss,
	&render_json,
};

const struct render_format *
render_find(const char *ext)
{
	for (size_t i = 0; i < sizeof render_formats /
	    sizeof render_formats[0]; i++)
		if (strcmp(render_formats[i]->ext, ext) == 0)
			return render_formats[i];
	return NULL;
}

/* Percent-encodes S for the specific part of a URN. */
static void
render_urn_part(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char	enc[3];

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	    p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:/", *p) != NULL) {
			buf_add(b, p, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 15];
		buf_add(b, enc, 3);
	}
}

int
render_id_ok(const char *id)
{
	static const char *const script[] = {
		"javascript", "vbscript", "livescript", "mocha", "data", "jar",
		"view-source", "blob", "feed",
	};
	char	scheme[32];

	if (sanitize_url_ok(id))
		return 1;
	if (uri_scheme(id, scheme, sizeof scheme) == -1)
		return 0;
	/* feed: gets here only wrapping one of the others. */
	for (size_t i = 0; i < sizeof script / sizeof script[0]; i++)
		if (strcmp(scheme, script[i]) == 0)
			return 0;
	return 1;
}

void
render_entry_id_text(struct buf *b, const struct store_item *it)
{
	const char	*id = it->guid != NULL ? it->guid : it->link;

	/* An id that is already a URI without spaces stays as published. */
	if (id != NULL && uri_is_absolute(id) && strpbrk(id, " \t\r\n<>\"") ==
	    NULL && render_id_ok(id)) {
		buf_puts(b, id);
		return;
	}
	buf_puts(b, "urn:feedmux:");
	render_urn_part(b, it->source_name);
	buf_puts(b, ":");
	if (id != NULL)
		render_urn_part(b, id);
	else
		buf_printf(b, "entry-%lld", (long long)it->id);
}

void
render_entry_id(struct buf *b, const struct store_item *it)
{
	struct buf	 tmp;

	buf_init(&tmp, 64 * 1024);
	render_entry_id_text(&tmp, it);
	if (!tmp.failed && tmp.data != NULL)
		buf_xml(b, tmp.data);
	buf_free(&tmp);
}

int64_t
render_item_date(const struct store_item *it)
{
	/*
	 * The publisher's, else when we stored its last edit, else publication.
	 */
	if (it->updated != STORE_NODATE)
		return it->updated;
	if (it->edited != STORE_NODATE)
		return it->edited;
	if (it->published != STORE_NODATE)
		return it->published;
	return it->sort_date;
}

void
render_terms(const struct store_item *it, void (*fn)(const char *, void *),
    void *arg)
{
	const char	*t, *sep;
	char		 term[1024];
	size_t		 n;

	for (t = it->terms; t != NULL && *t != '\0'; t = sep + 1) {
		sep = strchr(t, '\x1f');
		n = sep != NULL ? (size_t)(sep - t) : strlen(t);
		if (n > 0 && n < sizeof term) {
			memcpy(term, t, n);
			term[n] = '\0';
			fn(term, arg);
		}
		if (sep == NULL)
			break;
	}
}

/* Appends code point CP as UTF-8. */
static void
render_utf8(struct buf *b, unsigned long cp)
{
	unsigned char	u[4];
	size_t		n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

void
render_text(struct buf *b, const char *v, const char *type)
{
	static const struct {
		const char	*name;
		const char	*text;
	} ents[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" },
		{ "quot;", "\"" }, { "apos;", "'" }, { "nbsp;", "\xc2\xa0" },
	};
	const char	*p, *e;
	unsigned long	 cp;
	char		*end;
	size_t		 i;

	if (v == NULL)
		return;
	if (type == NULL || (strcmp(type, "text/html") != 0 &&
	    strcmp(type, "application/xhtml+xml") != 0)) {
		buf_puts(b, v);
		return;
	}
	/*
	 * The sanitizer wrote this HTML: tags are whole, '>' in values escaped.
	 */
	for (p = v; *p != '\0'; p++) {
		if (*p == '<') {
			if ((e = strchr(p, '>')) == NULL)
				break;
			p = e;
			continue;
		}
		if (*p != '&') {
			buf_add(b, p, 1);
			continue;
		}
		if (p[1] == '#') {
			cp = p[2] == 'x' || p[2] == 'X' ? strtoul(p + 3, &end,
			    16) : strtoul(p + 2, &end, 10);
			if (*end == ';' && end > p + 2) {
				render_utf8(b, cp);
				p = end;
				continue;
			}
		}
		for (i = 0; i < sizeof ents / sizeof ents[0]; i++)
			if (strncmp(p + 1, ents[i].name,
			    strlen(ents[i].name)) == 0)
				break;
		if (i < sizeof ents / sizeof ents[0]) {
			buf_puts(b, ents[i].text);
			p += strlen(ents[i].name);
		} else
			buf_add(b, p, 1);
	}
}

/* Is TYPE one of the HTML media types a text construct may carry? */
static int
render_is_html(const char *type)
{
	return type != NULL && (strcmp(type, "text/html") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0);
}

void
render_html(struct buf *b, const char *v, const char *type)
{
	const char	*p, *run, *esc;

	if (v == NULL)
		return;
	if (render_is_html(type)) {
		buf_puts(b, v);
		return;
	}
	/* Plain text in an HTML field: its '<' is a character, not a tag. */
	for (p = run = v; *p != '\0'; p++) {
		switch (*p) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_puts(b, esc);
		run = p + 1;
	}
	buf_add(b, run, (size_t)(p - run));
}

void
render_title(struct buf *b, const char *v, const char *type)
{
	struct buf	t;

	buf_init(&t, b->max);
	render_text(&t, v, type);
	if (t.failed)
		b->failed = 1;
	else if (t.data != NULL)
		sanitize_inert(b, t.data);
	buf_free(&t);
}

int
render_link_ok(const char *url)
{
	return url != NULL && sanitize_url_ok(url);
}
