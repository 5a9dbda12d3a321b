/*
 * render-json: JSON Feed 1.1.  HTML content goes to content_html, plain
 * text to content_text (one of them is always present, as the format
 * requires).  Provenance and the RFC 5005 links JSON Feed has no names for
 * live in a `_feedmux` extension object, documented in the README:
 *   feed:  { "about", "id", "updated", "first_url", "current_url",
 *            "prev_archive_url", "archive" }
 *   item:  { "source": { "name", "title", "feed_url", "home_page_url",
 *            "feed_id", "updated" }, "sort_date" }
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "date.h"
#include "render.h"
#include "store.h"
#include "uri.h"

#define JSON_ABOUT	PACKAGE_URL "#json-feed-extension"

/* ,"KEY":"VALUE" when VALUE is set. */
static void
json_str(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, ",\"%s\":", key);
	buf_json(b, value);
}

/* ,"KEY":"RFC 3339 date" when T is known. */
static void
json_date(struct buf *b, const char *key, int64_t t)
{
	char	d[DATE_RFC3339_LEN];

	if (t == STORE_NODATE || date_format_rfc3339(t, d, sizeof d) == -1)
		return;
	buf_printf(b, ",\"%s\":\"%s\"", key, d);
}

/* ,"title":"its text (render_title)" when VALUE is set. */
static void
json_title(struct buf *b, const char *value, const char *type)
{
	struct buf	t;

	if (value == NULL)
		return;
	buf_init(&t, b->max);
	render_title(&t, value, type);
	json_str(b, "title", t.failed || t.data == NULL ? "" : t.data);
	if (t.failed)
		b->failed = 1;
	buf_free(&t);
}

/* Is TYPE one of the HTML media types a text construct may carry? */
static int
json_is_html(const char *type)
{
	return type != NULL && (strcmp(type, "text/html") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0);
}

/* The feed object up to its items array. */
static void
json_begin(struct buf *b, const struct render_feed *f)
{
	buf_puts(b, "{\"version\":\"https://jsonfeed.org/version/1.1\"");
	json_title(b, f->title, NULL);
	json_str(b, "home_page_url", f->alternate);
	json_str(b, "feed_url", f->self);
	json_str(b, "description", f->subtitle);
	json_str(b, "next_url", f->next);
	if (f->hub != NULL) {
		buf_puts(b, ",\"hubs\":[{\"type\":\"WebSub\",\"url\":");
		buf_json(b, f->hub);
		buf_puts(b, "}]");
	}
	buf_puts(b, ",\"_feedmux\":{\"about\":\"" JSON_ABOUT "\"");
	json_str(b, "id", f->id);
	json_date(b, "updated", f->updated);
	json_str(b, "first_url", f->first);
	json_str(b, "current_url", f->current);
	json_str(b, "prev_archive_url", f->prev_archive);
	if (f->archive)
		buf_puts(b, ",\"archive\":true");
	buf_puts(b, "},\n\"items\":[");
}

struct json_tags {
	struct buf	*b;
	int		 n;
};

/* One publisher category term in the tags array. */
static void
json_tag(const char *term, void *arg)
{
	struct json_tags	*t = arg;

	buf_puts(t->b, t->n++ == 0 ? ",\"tags\":[" : ",");
	buf_json(t->b, term);
}

/* One item with its provenance in _feedmux. */
static void
json_item(struct buf *b, const struct render_feed *f,
    const struct store_item *it)
{
	struct json_tags	 tags;
	struct buf		 id;
	const char		*body, *type;

	(void)f;
	/* Items may be rendered on their own, so the comma looks back. */
	if (b->len > 0 && b->data[b->len - 1] != '[')
		buf_puts(b, ",");
	buf_puts(b, "\n{\"id\":");
	buf_init(&id, 64 * 1024);
	render_entry_id_text(&id, it);
	buf_json(b, id.failed || id.data == NULL ? "" : id.data);
	buf_free(&id);
	if (it->link != NULL && uri_is_absolute(it->link) &&
	    render_link_ok(it->link))
		json_str(b, "url", it->link);
	/*
	 * JSON Feed titles are plain text: an HTML title gives its text, made
	 * inert for readers that take it for HTML anyway.
	 */
	json_title(b, it->title, it->title_type);
	body = it->content != NULL ? it->content : it->summary;
	type = it->content != NULL ? it->content_type : it->summary_type;
	if (body == NULL)
		buf_puts(b, ",\"content_text\":\"\"");
	else
		json_str(b, json_is_html(type) ? "content_html" :
		    "content_text", body);
	if (it->content != NULL && it->summary != NULL)
		json_str(b, "summary", it->summary);
	json_date(b, "date_published", it->published);
	json_date(b, "date_modified", it->updated);
	if (it->author_name != NULL || it->author_uri != NULL) {
		buf_puts(b, ",\"authors\":[{");
		if (it->author_name != NULL) {
			buf_puts(b, "\"name\":");
			buf_json(b, it->author_name);
		}
		if (it->author_uri != NULL && uri_is_absolute(it->author_uri) &&
		    render_link_ok(it->author_uri)) {
			buf_puts(b, it->author_name != NULL ? ",\"url\":" :
			    "\"url\":");
			buf_json(b, it->author_uri);
		} else if (it->author_name == NULL)
			buf_puts(b, "\"name\":\"\"");
		buf_puts(b, "}]");
	}
	tags.b = b;
	tags.n = 0;
	render_terms(it, json_tag, &tags);
	if (tags.n > 0)
		buf_puts(b, "]");
	buf_puts(b, ",\"_feedmux\":{\"source\":{\"name\":");
	buf_json(b, it->source_name);
	json_str(b, "title", it->source_title);
	json_str(b, "feed_url", it->source_url);
	if (render_link_ok(it->source_link))
		json_str(b, "home_page_url", it->source_link);
	if (it->source_feed_id != NULL && render_id_ok(it->source_feed_id))
		json_str(b, "feed_id", it->source_feed_id);
	json_date(b, "updated", it->source_updated);
	buf_puts(b, "}");
	json_date(b, "sort_date", it->sort_date);
	buf_puts(b, "}}");
}

/* Closes the items array and the feed. */
static void
json_end(struct buf *b, const struct render_feed *f)
{
	(void)f;
	buf_puts(b, "\n]}\n");
}

const struct render_format render_json = {
	.ext = "json",
	.mime = "application/feed+json; charset=utf-8",
	.begin = json_begin,
	.item = json_item,
	.end = json_end,
};
