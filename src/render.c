/* render: the table of output formats and what they share; see render.h. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "render.h"
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

void
render_entry_id_text(struct buf *b, const struct store_item *it)
{
	const char	*id = it->guid != NULL ? it->guid : it->link;

	/* An id that is already a URI without spaces stays as published. */
	if (id != NULL && uri_is_absolute(id) && strpbrk(id, " \t\r\n<>\"") ==
	    NULL) {
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
	if (it->updated != STORE_NODATE)
		return it->updated;
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
