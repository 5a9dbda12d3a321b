/*
 * docjson: a `struct doc` as the JSON object of the `feedmux parse` contract
 * (spec/parse-json.md), keys in the contract's order, unknown values as
 * null or [].  Wraps jansson; nothing else in feedmux sees it for this.
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "doc.h"
#include "docjson.h"

/* A string or null; bytes that are not UTF-8 (never expected) become null. */
static json_t *
docjson_str(const char *s)
{
	json_t	*v;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) == NULL)
		return json_null();
	return v;
}

/* An RFC 3339 UTC date or null. */
static json_t *
docjson_date(int64_t t)
{
	char	buf[DATE_RFC3339_LEN];

	if (t == DOC_NODATE || date_format_rfc3339(t, buf, sizeof buf) == -1)
		return json_null();
	return json_string(buf);
}

/* An integer or null. */
static json_t *
docjson_int(long long v)
{
	if (v == DOC_NOINT)
		return json_null();
	return json_integer(v);
}

/* Sets KEY of O to V, stealing the reference; failures are ignored (oom). */
static void
docjson_put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v != NULL ? v : json_null());
}

/* A links array. */
static json_t *
docjson_links(const struct doc_link *v, size_t n)
{
	json_t	*a = json_array(), *o;
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++) {
		if ((o = json_object()) == NULL)
			break;
		docjson_put(o, "rel", docjson_str(v[i].rel));
		docjson_put(o, "type", docjson_str(v[i].type));
		docjson_put(o, "href", docjson_str(v[i].href));
		docjson_put(o, "title", docjson_str(v[i].title));
		docjson_put(o, "hreflang", docjson_str(v[i].hreflang));
		docjson_put(o, "length", docjson_int(v[i].length));
		json_array_append_new(a, o);
	}
	return a;
}

/* A people array. */
static json_t *
docjson_people(const struct doc_person *v, size_t n)
{
	json_t	*a = json_array(), *o;
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++) {
		if ((o = json_object()) == NULL)
			break;
		docjson_put(o, "name", docjson_str(v[i].name));
		docjson_put(o, "email", docjson_str(v[i].email));
		docjson_put(o, "uri", docjson_str(v[i].uri));
		json_array_append_new(a, o);
	}
	return a;
}

/* A categories array. */
static json_t *
docjson_categories(const struct doc_category *v, size_t n)
{
	json_t	*a = json_array(), *o;
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++) {
		if ((o = json_object()) == NULL)
			break;
		docjson_put(o, "term", docjson_str(v[i].term));
		docjson_put(o, "scheme", docjson_str(v[i].scheme));
		docjson_put(o, "label", docjson_str(v[i].label));
		json_array_append_new(a, o);
	}
	return a;
}

/* The feed object. */
static json_t *
docjson_feed(const struct doc_feed *f)
{
	json_t	*o, *g, *im;

	if ((o = json_object()) == NULL)
		return NULL;
	docjson_put(o, "title", docjson_str(f->title));
	docjson_put(o, "subtitle", docjson_str(f->subtitle));
	docjson_put(o, "rights", docjson_str(f->rights));
	docjson_put(o, "title_type", docjson_str(f->title_type));
	docjson_put(o, "subtitle_type", docjson_str(f->subtitle_type));
	docjson_put(o, "link", docjson_str(f->link));
	docjson_put(o, "links", docjson_links(f->links, f->nlinks));
	docjson_put(o, "id", docjson_str(f->id));
	docjson_put(o, "language", docjson_str(f->language));
	docjson_put(o, "icon", docjson_str(f->icon));
	docjson_put(o, "logo", docjson_str(f->logo));
	docjson_put(o, "updated", docjson_date(f->updated));
	docjson_put(o, "published", docjson_date(f->published));
	docjson_put(o, "authors", docjson_people(f->authors, f->nauthors));
	docjson_put(o, "contributors", docjson_people(f->contributors,
	    f->ncontributors));
	docjson_put(o, "categories", docjson_categories(f->categories,
	    f->ncategories));
	if (f->generator != NULL && (g = json_object()) != NULL) {
		docjson_put(g, "name", docjson_str(f->generator->name));
		docjson_put(g, "uri", docjson_str(f->generator->uri));
		docjson_put(g, "version", docjson_str(f->generator->version));
		docjson_put(o, "generator", g);
	} else
		docjson_put(o, "generator", json_null());
	if (f->image != NULL && (im = json_object()) != NULL) {
		docjson_put(im, "url", docjson_str(f->image->url));
		docjson_put(im, "title", docjson_str(f->image->title));
		docjson_put(im, "link", docjson_str(f->image->link));
		docjson_put(im, "width", docjson_int(f->image->width));
		docjson_put(im, "height", docjson_int(f->image->height));
		docjson_put(o, "image", im);
	} else
		docjson_put(o, "image", json_null());
	docjson_put(o, "ttl", docjson_int(f->ttl));
	return o;
}

/* One entry object. */
static json_t *
docjson_entry(const struct doc_entry *e)
{
	json_t	*o, *a, *c, *s;
	size_t	 i;

	if ((o = json_object()) == NULL)
		return NULL;
	docjson_put(o, "id", docjson_str(e->id));
	docjson_put(o, "title", docjson_str(e->title));
	docjson_put(o, "link", docjson_str(e->link));
	docjson_put(o, "summary", docjson_str(e->summary));
	docjson_put(o, "rights", docjson_str(e->rights));
	docjson_put(o, "comments", docjson_str(e->comments));
	docjson_put(o, "title_type", docjson_str(e->title_type));
	docjson_put(o, "summary_type", docjson_str(e->summary_type));
	docjson_put(o, "links", docjson_links(e->links, e->nlinks));
	docjson_put(o, "published", docjson_date(e->published));
	docjson_put(o, "updated", docjson_date(e->updated));
	docjson_put(o, "created", docjson_date(e->created));
	docjson_put(o, "expired", docjson_date(e->expired));
	docjson_put(o, "authors", docjson_people(e->authors, e->nauthors));
	docjson_put(o, "contributors", docjson_people(e->contributors,
	    e->ncontributors));
	docjson_put(o, "categories", docjson_categories(e->categories,
	    e->ncategories));
	a = json_array();
	for (i = 0; a != NULL && i < e->ncontent; i++) {
		if ((c = json_object()) == NULL)
			break;
		docjson_put(c, "type", docjson_str(e->content[i].type));
		docjson_put(c, "value", docjson_str(e->content[i].value));
		docjson_put(c, "language", docjson_str(e->content[i].language));
		docjson_put(c, "base", docjson_str(e->content[i].base));
		json_array_append_new(a, c);
	}
	docjson_put(o, "content", a);
	a = json_array();
	for (i = 0; a != NULL && i < e->nenclosures; i++) {
		if ((c = json_object()) == NULL)
			break;
		docjson_put(c, "href", docjson_str(e->enclosures[i].href));
		docjson_put(c, "type", docjson_str(e->enclosures[i].type));
		docjson_put(c, "length", docjson_int(e->enclosures[i].length));
		json_array_append_new(a, c);
	}
	docjson_put(o, "enclosures", a);
	if (e->source != NULL && (s = json_object()) != NULL) {
		docjson_put(s, "id", docjson_str(e->source->id));
		docjson_put(s, "title", docjson_str(e->source->title));
		docjson_put(s, "link", docjson_str(e->source->link));
		docjson_put(s, "updated", docjson_date(e->source->updated));
		docjson_put(o, "source", s);
	} else
		docjson_put(o, "source", json_null());
	return o;
}

/* The whole doc as contract JSON. */
char *
docjson_dump(const struct doc *d)
{
	json_t	*o, *a;
	char	*s, *out;
	size_t	 i, n;

	if ((o = json_object()) == NULL)
		return NULL;
	docjson_put(o, "version", docjson_str(d->version != NULL ?
	    d->version : ""));
	docjson_put(o, "bozo", json_boolean(d->bozo));
	docjson_put(o, "bozo_message", docjson_str(d->bozo_message));
	docjson_put(o, "encoding", docjson_str(d->encoding));
	docjson_put(o, "feed", docjson_feed(&d->feed));
	a = json_array();
	for (i = 0; a != NULL && i < d->nentries; i++)
		json_array_append_new(a, docjson_entry(&d->entries[i]));
	docjson_put(o, "entries", a);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return NULL;
	/* Newline-terminated, as the contract says. */
	n = strlen(s);
	if ((out = malloc(n + 2)) != NULL) {
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = '\0';
	}
	free(s);
	return out;
}
