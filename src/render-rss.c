/*
 * render-rss: RSS 2.0.  Dates in RFC 822 form, the publisher named in
 * <source url>, <guid isPermaLink> true only when the guid is the item's
 * own link, the full HTML in content:encoded beside the description, and
 * the feed's own links (self, paging, archives, hub) as atom:link, which
 * RSS readers and the RSS Advisory Board's profile accept.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "date.h"
#include "render.h"
#include "store.h"
#include "uri.h"

/* <TAG>RFC 822 date</TAG>. */
static void
rss_date(struct buf *b, const char *tag, int64_t t)
{
	char	d[DATE_RFC822_LEN];

	if (date_format_rfc822(t, d, sizeof d) == -1)
		return;
	buf_printf(b, "<%s>%s</%s>\n", tag, d, tag);
}

/* <TAG>escaped VALUE</TAG> when VALUE is set. */
static void
rss_elem(struct buf *b, const char *tag, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, "<%s>", tag);
	buf_xml(b, value);
	buf_printf(b, "</%s>\n", tag);
}

/* <TAG>the text of title VALUE (render_title), escaped</TAG>. */
static void
rss_title(struct buf *b, const char *tag, const char *value, const char *type)
{
	struct buf	t;

	buf_init(&t, b->max);
	render_title(&t, value, type);
	rss_elem(b, tag, t.failed || t.data == NULL ? "" : t.data);
	if (t.failed)
		b->failed = 1;
	buf_free(&t);
}

/*
 * <TAG>VALUE as HTML, escaped</TAG> when VALUE is set: readers take
 * description and content:encoded for HTML, so plain text is escaped once
 * more.
 */
static void
rss_html(struct buf *b, const char *tag, const char *value, const char *type)
{
	struct buf	h;

	if (value == NULL)
		return;
	buf_init(&h, b->max);
	render_html(&h, value, type);
	rss_elem(b, tag, h.failed || h.data == NULL ? "" : h.data);
	if (h.failed)
		b->failed = 1;
	buf_free(&h);
}

/* An atom:link, the way RSS names its own URLs. */
static void
rss_link(struct buf *b, const char *rel, const char *type, const char *href)
{
	buf_printf(b, "<atom:link rel=\"%s\"", rel);
	if (type != NULL)
		buf_printf(b, " type=\"%s\"", type);
	buf_puts(b, " href=\"");
	buf_xml(b, href);
	buf_puts(b, "\"/>\n");
}

/* The channel's head: titles, dates, and its own links. */
static void
rss_begin(struct buf *b, const struct render_feed *f)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	    "xmlns:fh=\"http://purl.org/syndication/history/1.0\">\n"
	    "<channel>\n");
	/* Plain text that readers may take for HTML, as in items. */
	rss_title(b, "title", f->title, NULL);
	rss_elem(b, "link", f->alternate);
	/* description is required; the title stands in when there is none. */
	rss_html(b, "description", f->subtitle != NULL ? f->subtitle :
	    f->title, NULL);
	rss_date(b, "lastBuildDate", f->updated);
	buf_puts(b, "<generator>feedmux " PACKAGE_VERSION "</generator>\n"
	    "<docs>https://www.rssboard.org/rss-specification</docs>\n");
	rss_link(b, "self", "application/rss+xml", f->self);
	if (f->first != NULL)
		rss_link(b, "first", "application/rss+xml", f->first);
	if (f->next != NULL)
		rss_link(b, "next", "application/rss+xml", f->next);
	if (f->current != NULL)
		rss_link(b, "current", "application/rss+xml", f->current);
	if (f->prev_archive != NULL)
		rss_link(b, "prev-archive", "application/rss+xml",
		    f->prev_archive);
	if (f->hub != NULL)
		rss_link(b, "hub", NULL, f->hub);
	if (f->archive)
		buf_puts(b, "<fh:archive/>\n");
}

/* One publisher category term. */
static void
rss_category(const char *term, void *arg)
{
	rss_elem(arg, "category", term);
}

/* One item with its provenance. */
static void
rss_item(struct buf *b, const struct render_feed *f,
    const struct store_item *it)
{
	const char	*desc, *desc_type;
	int		 permalink;

	(void)f;
	buf_puts(b, "<item>\n");
	/*
	 * RSS titles are plain text: an HTML title gives its text, made
	 * inert for the many readers that take it for HTML anyway.
	 */
	if (it->title != NULL)
		rss_title(b, "title", it->title, it->title_type);
	if (render_link_ok(it->link))
		rss_elem(b, "link", it->link);
	desc = it->summary != NULL ? it->summary : it->content;
	desc_type = it->summary != NULL ? it->summary_type : it->content_type;
	rss_html(b, "description", desc, desc_type);
	if (it->content != NULL && desc != it->content)
		rss_html(b, "content:encoded", it->content, it->content_type);
	/* RSS's author must be an address; a bare name goes in dc:creator. */
	if (it->author_email != NULL) {
		buf_puts(b, "<author>");
		buf_xml(b, it->author_email);
		if (it->author_name != NULL) {
			buf_puts(b, " (");
			buf_xml(b, it->author_name);
			buf_puts(b, ")");
		}
		buf_puts(b, "</author>\n");
	} else
		rss_elem(b, "dc:creator", it->author_name);
	render_terms(it, rss_category, b);
	permalink = it->link != NULL && uri_is_http(it->link) &&
	    (it->guid == NULL || strcmp(it->guid, it->link) == 0);
	if (permalink) {
		buf_puts(b, "<guid isPermaLink=\"true\">");
		buf_xml(b, it->link);
	} else {
		buf_puts(b, "<guid isPermaLink=\"false\">");
		render_entry_id(b, it);
	}
	buf_puts(b, "</guid>\n");
	rss_date(b, "pubDate", it->published != STORE_NODATE ? it->published :
	    render_item_date(it));
	buf_puts(b, "<source url=\"");
	buf_xml(b, it->source_url);
	buf_puts(b, "\">");
	buf_xml(b, it->source_title != NULL ? it->source_title :
	    it->source_name);
	buf_puts(b, "</source>\n</item>\n");
}

/* Closes the channel. */
static void
rss_end(struct buf *b, const struct render_feed *f)
{
	(void)f;
	buf_puts(b, "</channel>\n</rss>\n");
}

const struct render_format render_rss = {
	.ext = "rss",
	.mime = "application/rss+xml; charset=utf-8",
	.begin = rss_begin,
	.item = rss_item,
	.end = rss_end,
};
