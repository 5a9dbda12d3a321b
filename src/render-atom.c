/*
 * render-atom: Atom 1.0 (RFC 4287).  Every entry keeps its publisher's id,
 * link, dates, author, categories and content, and names its publisher in
 * atom:source, which also carries the author when the entry has none (so
 * the feed needs no invented author of its own).
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "date.h"
#include "render.h"
#include "store.h"
#include "uri.h"

#define ATOM_NS	"http://www.w3.org/2005/Atom"
#define FH_NS	"http://purl.org/syndication/history/1.0"	/* RFC 5005 */

static void
atom_date(struct buf *b, const char *tag, int64_t t)
{
	char	d[DATE_RFC3339_LEN];

	if (date_format_rfc3339(t, d, sizeof d) == -1)
		return;
	buf_printf(b, "<%s>%s</%s>\n", tag, d, tag);
}

/* A text construct: HTML types become type="html", the rest plain text. */
static void
atom_text(struct buf *b, const char *tag, const char *value, const char *type)
{
	if (value == NULL)
		return;
	if (type != NULL && (strcmp(type, "text/html") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0))
		buf_printf(b, "<%s type=\"html\">", tag);
	else
		buf_printf(b, "<%s>", tag);
	buf_xml(b, value);
	buf_printf(b, "</%s>\n", tag);
}

static void
atom_link(struct buf *b, const char *rel, const char *type, const char *href)
{
	buf_printf(b, "<link rel=\"%s\"", rel);
	if (type != NULL)
		buf_printf(b, " type=\"%s\"", type);
	buf_puts(b, " href=\"");
	buf_xml(b, href);
	buf_puts(b, "\"/>\n");
}

/* One publisher category term. */
static void
atom_category(const char *term, void *arg)
{
	struct buf	*b = arg;

	buf_puts(b, "<category term=\"");
	buf_xml(b, term);
	buf_puts(b, "\"/>\n");
}

static void
atom_begin(struct buf *b, const struct render_feed *f)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"" ATOM_NS "\" xmlns:fh=\"" FH_NS "\">\n<id>");
	buf_xml(b, f->id);
	buf_puts(b, "</id>\n<title>");
	buf_xml(b, f->title);
	buf_puts(b, "</title>\n");
	if (f->subtitle != NULL) {
		buf_puts(b, "<subtitle>");
		buf_xml(b, f->subtitle);
		buf_puts(b, "</subtitle>\n");
	}
	atom_date(b, "updated", f->updated);
	atom_link(b, "self", "application/atom+xml", f->self);
	atom_link(b, "alternate", "text/html", f->alternate);
	if (f->first != NULL)
		atom_link(b, "first", "application/atom+xml", f->first);
	if (f->next != NULL)
		atom_link(b, "next", "application/atom+xml", f->next);
	if (f->current != NULL)
		atom_link(b, "current", "application/atom+xml", f->current);
	if (f->prev_archive != NULL)
		atom_link(b, "prev-archive", "application/atom+xml",
		    f->prev_archive);
	if (f->hub != NULL)
		atom_link(b, "hub", NULL, f->hub);
	if (f->archive)
		buf_puts(b, "<fh:archive/>\n");
	buf_puts(b, "<generator uri=\"" PACKAGE_URL "\" version=\""
	    PACKAGE_VERSION "\">feedmux</generator>\n");
}

static void
atom_item(struct buf *b, const struct render_feed *f,
    const struct store_item *it)
{
	const char	*title;

	(void)f;
	buf_puts(b, "<entry>\n<id>");
	render_entry_id(b, it);
	buf_puts(b, "</id>\n");
	/* atom:title is required; an untitled entry gets an empty one. */
	title = it->title != NULL ? it->title : "";
	atom_text(b, "title", title, it->title_type);
	if (render_link_ok(it->link))
		atom_link(b, "alternate", NULL, it->link);
	atom_date(b, "updated", render_item_date(it));
	/*
	 * The same story from later publishers (README: One story, one entry).
	 */
	for (size_t i = 0; i < it->nvia; i++) {
		if (!render_link_ok(it->via[i].link))
			continue;
		buf_puts(b, "<link rel=\"via\" href=\"");
		buf_xml(b, it->via[i].link);
		buf_puts(b, "\" title=\"");
		buf_xml(b, it->via[i].source_title != NULL ?
		    it->via[i].source_title : it->via[i].source_name);
		buf_puts(b, "\"/>\n");
	}
	if (it->published != STORE_NODATE)
		atom_date(b, "published", it->published);
	if (it->author_name != NULL || it->author_email != NULL) {
		buf_puts(b, "<author><name>");
		buf_xml(b, it->author_name != NULL ? it->author_name :
		    it->author_email);
		buf_puts(b, "</name>");
		if (it->author_email != NULL) {
			buf_puts(b, "<email>");
			buf_xml(b, it->author_email);
			buf_puts(b, "</email>");
		}
		if (render_link_ok(it->author_uri)) {
			buf_puts(b, "<uri>");
			buf_xml(b, it->author_uri);
			buf_puts(b, "</uri>");
		}
		buf_puts(b, "</author>\n");
	}
	render_terms(it, atom_category, b);
	atom_text(b, "summary", it->summary, it->summary_type);
	atom_text(b, "content", it->content, it->content_type);

	buf_puts(b, "<source>\n<id>");
	buf_xml(b, it->source_feed_id != NULL &&
	    uri_is_absolute(it->source_feed_id) &&
	    render_id_ok(it->source_feed_id) ? it->source_feed_id :
	    it->source_url);
	buf_puts(b, "</id>\n<title>");
	buf_xml(b, it->source_title != NULL ? it->source_title :
	    it->source_name);
	buf_puts(b, "</title>\n");
	atom_link(b, "self", NULL, it->source_url);
	if (render_link_ok(it->source_link))
		atom_link(b, "alternate", "text/html", it->source_link);
	if (it->source_updated != STORE_NODATE)
		atom_date(b, "updated", it->source_updated);
	if (it->author_name == NULL && it->author_email == NULL) {
		buf_puts(b, "<author><name>");
		buf_xml(b, it->source_title != NULL ? it->source_title :
		    it->source_name);
		buf_puts(b, "</name></author>\n");
	}
	buf_puts(b, "</source>\n</entry>\n");
}

static void
atom_end(struct buf *b, const struct render_feed *f)
{
	(void)f;
	buf_puts(b, "</feed>\n");
}

const struct render_format render_atom = {
	.ext = "atom",
	.mime = "application/atom+xml; charset=utf-8",
	.begin = atom_begin,
	.item = atom_item,
	.end = atom_end,
};
