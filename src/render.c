/* render: the table of output formats and what they share; see render.h. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "render.h"
#include "store.h"
#include "uri.h"

static const struct render_format *const render_formats[] = {
	&render_atom,
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
render_entry_id(struct buf *b, const struct store_item *it)
{
	const char	*id = it->guid != NULL ? it->guid : it->link;
	struct buf	 tmp;

	/* An id that is already a URI without spaces stays as published. */
	if (id != NULL && uri_is_absolute(id) && strpbrk(id, " \t\r\n<>\"") ==
	    NULL) {
		buf_xml(b, id);
		return;
	}
	buf_init(&tmp, 64 * 1024);
	buf_puts(&tmp, "urn:feedmux:");
	render_urn_part(&tmp, it->source_name);
	buf_puts(&tmp, ":");
	if (id != NULL)
		render_urn_part(&tmp, id);
	else
		buf_printf(&tmp, "entry-%lld", (long long)it->id);
	if (!tmp.failed)
		buf_xml(b, tmp.data);
	buf_free(&tmp);
}
