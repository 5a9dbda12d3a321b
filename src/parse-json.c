/*
 * parse-json: JSON Feed 1.0 and 1.1 (jsonfeed.org) to a `struct doc`, with
 * jansson.  HTML content is sanitized and URLs resolved against the
 * document URL like the XML formats; anything that is not a JSON Feed
 * object is "not a feed".
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "doc.h"
#include "parse-int.h"
#include "sanitize.h"
#include "uri.h"

/* String member KEY of O, or NULL. */
static const char *
json_str(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Sets *DST to the string member KEY of O when present. */
static void
json_set(char **dst, const json_t *o, const char *key)
{
	const char	*s;

	if ((s = json_str(o, key)) != NULL && *s != '\0')
		doc_set(dst, s);
}

/* Sets *DST to member KEY of O resolved against BASE. */
static void
json_set_url(char **dst, const json_t *o, const char *key, const char *base)
{
	const char	*s;

	if ((s = json_str(o, key)) != NULL && *s != '\0') {
		free(*dst);
		*dst = uri_resolve(base, s);
	}
}

/* A date member, or DOC_NODATE. */
static int64_t
json_date(const json_t *o, const char *key)
{
	const char	*s;
	int64_t		 t;

	if ((s = json_str(o, key)) == NULL)
		return DOC_NODATE;
	t = date_parse(s);
	return t == DATE_UNKNOWN ? DOC_NODATE : t;
}

/* Appends the authors of O ("authors" in 1.1, "author" in 1.0). */
static void
json_authors(const json_t *o, struct doc_person **v, size_t *n,
    const char *base)
{
	const json_t		*list, *a;
	struct doc_person	*p;
	size_t			 i;

	if ((list = json_object_get(o, "authors")) == NULL ||
	    !json_is_array(list))
		list = NULL;
	for (i = 0; ; i++) {
		if (list != NULL)
			a = json_array_get(list, i);
		else
			a = i == 0 ? json_object_get(o, "author") : NULL;
		if (a == NULL)
			break;
		if (!json_is_object(a))
			continue;
		if (json_str(a, "name") == NULL && json_str(a, "url") == NULL)
			continue;
		if (*n >= PARSE_MAXLIST || (p = doc_add_person(v, n)) == NULL)
			return;
		json_set(&p->name, a, "name");
		json_set_url(&p->uri, a, "url", base);
	}
}

/* One item of "items". */
static void
json_item(struct doc *d, const json_t *it, const char *base)
{
	struct doc_entry	*e;
	struct doc_content	*c;
	struct doc_enclosure	*x;
	struct doc_link		*l;
	const json_t		*v, *a;
	const char		*s;
	char			 num[32];
	size_t			 i;

	if (!json_is_object(it) || (e = padd_entry(d)) == NULL)
		return;
	v = json_object_get(it, "id");
	if (json_is_string(v))
		doc_set(&e->id, json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		doc_set(&e->id, num);
	}
	json_set(&e->title, it, "title");
	if (e->title != NULL)
		doc_set(&e->title_type, "text/plain");
	json_set_url(&e->link, it, "url", base);
	if (e->link != NULL)
		padd_link(&e->links, &e->nlinks, "alternate", "text/html",
		    strdup(e->link));
	if ((s = json_str(it, "external_url")) != NULL && *s != '\0')
		padd_link(&e->links, &e->nlinks, "related", NULL,
		    uri_resolve(base, s));
	json_set(&e->summary, it, "summary");
	if (e->summary != NULL)
		doc_set(&e->summary_type, "text/plain");
	if ((s = json_str(it, "content_html")) != NULL &&
	    (c = padd_content(e)) != NULL) {
		c->value = sanitize_html(s, strlen(s), base);
		doc_set(&c->type, "text/html");
		if (base != NULL)
			doc_set(&c->base, base);
	}
	if ((s = json_str(it, "content_text")) != NULL &&
	    (c = padd_content(e)) != NULL) {
		doc_set(&c->value, s);
		doc_set(&c->type, "text/plain");
		if (base != NULL)
			doc_set(&c->base, base);
	}
	e->published = json_date(it, "date_published");
	e->updated = json_date(it, "date_modified");
	json_authors(it, &e->authors, &e->nauthors, base);
	json_set(&e->language, it, "language");
	v = json_object_get(it, "tags");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		a = json_array_get(v, i);
		if (json_is_string(a) && *json_string_value(a) != '\0') {
			struct doc_category *cat;

			cat = e->ncategories >= PARSE_MAXLIST ? NULL :
			    doc_add_category(&e->categories, &e->ncategories);
			if (cat != NULL)
				doc_set(&cat->term, json_string_value(a));
		}
	}
	v = json_object_get(it, "attachments");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		a = json_array_get(v, i);
		if (!json_is_object(a) || (s = json_str(a, "url")) == NULL ||
		    (x = padd_enclosure(e)) == NULL)
			continue;
		x->href = uri_resolve(base, s);
		json_set(&x->type, a, "mime_type");
		if (json_is_integer(json_object_get(a, "size_in_bytes")))
			x->length = json_integer_value(json_object_get(a,
			    "size_in_bytes"));
		if (x->href != NULL && (l = padd_link(&e->links, &e->nlinks,
		    "enclosure", x->type, strdup(x->href))) != NULL)
			l->length = x->length;
	}
}

/* Parses a JSON Feed into D; returns 0 for a feed, 1 for not a feed. */
int
parse_json(struct doc *d, const char *text, size_t len,
    const struct parse_opts *o, const char *base)
{
	json_t		*root, *items;
	json_error_t	 err;
	const char	*v, *s;
	char		 msg[256];
	size_t		 i;

	(void)o;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		/* Duplicate keys are sloppy, not fatal. */
		root = json_loadb(text, len, 0, &err);
		if (root != NULL) {
			d->bozo = 1;
			doc_set(&d->bozo_message, "duplicate keys in JSON");
		}
	}
	if (root == NULL) {
		snprintf(msg, sizeof msg, "invalid JSON, not a feed: line %d: "
		    "%s", err.line, err.text);
		d->bozo = 1;
		doc_set(&d->bozo_message, msg);
		return 1;
	}
	v = json_str(root, "version");
	if (!json_is_object(root) || v == NULL ||
	    strncmp(v, "https://jsonfeed.org/version/", 29) != 0) {
		if (v != NULL && strncmp(v, "http://jsonfeed.org/version/", 28)
		    == 0)
			v++;
		else {
			json_decref(root);
			d->bozo = 1;
			doc_set(&d->bozo_message,
			    "JSON without a JSON Feed version, not a feed");
			return 1;
		}
	}
	doc_set(&d->version, strcmp(v + 29, "1") == 0 ? "json10" : "json11");
	json_set(&d->feed.title, root, "title");
	if (d->feed.title != NULL)
		doc_set(&d->feed.title_type, "text/plain");
	json_set(&d->feed.subtitle, root, "description");
	if (d->feed.subtitle != NULL)
		doc_set(&d->feed.subtitle_type, "text/plain");
	json_set_url(&d->feed.link, root, "home_page_url", base);
	if (d->feed.link != NULL)
		padd_link(&d->feed.links, &d->feed.nlinks, "alternate",
		    "text/html", strdup(d->feed.link));
	if ((s = json_str(root, "feed_url")) != NULL && *s != '\0')
		padd_link(&d->feed.links, &d->feed.nlinks, "self",
		    "application/feed+json", uri_resolve(base, s));
	json_set_url(&d->feed.icon, root, "favicon", base);
	json_set_url(&d->feed.logo, root, "icon", base);
	json_set(&d->feed.language, root, "language");
	if (d->feed.language == NULL && o != NULL &&
	    o->content_language != NULL)
		doc_set(&d->feed.language, o->content_language);
	json_authors(root, &d->feed.authors, &d->feed.nauthors, base);
	items = json_object_get(root, "items");
	for (i = 0; json_is_array(items) && i < json_array_size(items); i++)
		json_item(d, json_array_get(items, i), base);
	json_decref(root);
	return 0;
}
