/*
 * parse-rss: the RSS family (0.90, 0.91 Netscape and UserLand, 0.92, 0.93,
 * 0.94, 1.0 RDF, 2.0) and the namespaces feeds mix into it (Dublin Core,
 * content, media RSS, iTunes, syndication, feedburner, atom:link ...) from a
 * libxml2 tree to a `struct doc`.  Elements reach their handlers through
 * sorted tag tables keyed by canonical name (namespace by URI), so a new
 * element is one row.  Shared helpers live in parse.c (parse-int.h).
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "doc.h"
#include "parse-int.h"

#define NTAGS(t)	(sizeof (t) / sizeof (t)[0])
#define RDF_NS		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"

static void	rss_item(struct pctx *, xmlNode *, struct ptarget *);
static void	rss_channel(struct pctx *, xmlNode *, struct ptarget *);

/* Seen flags of struct ptarget. */
#define RSS_SEEN_DESC	0x01	/* description (beats itunes:summary ...) */
#define RSS_SEEN_TITLE	0x02	/* a home title (beats media:title) */

/* The text of N, or NULL when out of memory.  Caller frees. */
static char *
rss_text(xmlNode *n)
{
	return ptext(n);
}

/* title: plain text in every RSS version. */
static void
rss_title(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	pset_text(t->title, n, 0);
	doc_set(t->title_type, "text/plain");
	t->seen |= RSS_SEEN_TITLE;
}

/* dc:title: a second spelling of the title, which the home one beats. */
static void
rss_dc_title(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (t->seen & RSS_SEEN_TITLE)
		return;
	rss_title(ctx, n, t);
	t->seen &= ~RSS_SEEN_TITLE;
}

/* media:title: the title when the item has no other. */
static void
rss_media_title(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (*t->title != NULL)
		return;
	(void)ctx;
	pset_text(t->title, n, 1);
	doc_set(t->title_type, "text/plain");
}

/* Summary or subtitle as HTML; KEEP leaves an earlier one alone. */
static void
rss_describe(struct pctx *ctx, xmlNode *n, struct ptarget *t, int keep)
{
	char	**v, **type;

	if (t->e != NULL) {
		v = &t->e->summary;
		type = &t->e->summary_type;
	} else {
		v = &t->f->subtitle;
		type = &t->f->subtitle_type;
	}
	if (keep && *v != NULL)
		return;
	pset_html(ctx, v, n, 0);
	doc_set(type, "text/html");
}

static void	rss_add_content(struct pctx *, xmlNode *, struct ptarget *,
		    const char *);

/* description or summary; when the item has both, the second is content. */
static void
rss_description(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (t->e != NULL && (t->seen & RSS_SEEN_DESC)) {
		rss_add_content(ctx, n, t, "text/html");
		return;
	}
	rss_describe(ctx, n, t, 0);
	t->seen |= RSS_SEEN_DESC;
}

/* itunes:summary, itunes:subtitle, dc:description, media:description. */
static void
rss_description_alt(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (!(t->seen & RSS_SEEN_DESC))
		rss_describe(ctx, n, t, 1);
}

/* link: the alternate link, relative to the base in scope. */
static void
rss_link(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char		*s, *href;

	if ((s = rss_text(n)) == NULL)
		return;
	if (*s == '\0') {
		free(s);
		return;
	}
	href = presolve(ctx, n, s);
	free(s);
	if (href == NULL)
		return;
	doc_set(t->link, href);
	padd_link(t->links, t->nlinks, "alternate", "text/html", href);
}

/* guid: the id, and the link of items that have none. */
static void
rss_guid(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*pl;
	char		*s, *id;

	if (t->e == NULL || (s = rss_text(n)) == NULL)
		return;
	pl = pattr(n, "isPermaLink");
	/* Only a permalink is a URL that xml:base applies to. */
	if (pl != NULL && strcasecmp(pl, "false") == 0)
		id = strdup(s);
	else
		id = presolve_id(ctx, n, s);
	if (*s == '\0' || id == NULL) {
		free(id);
		free(s);
		return;
	}
	free(t->e->id);
	t->e->id = id;
	/* A permalink guid is the link when the item has none (yet). */
	if ((pl == NULL || strcasecmp(pl, "true") == 0) && t->e->link == NULL)
		t->e->link = presolve(ctx, n, s);
	free(s);
}

/* copyright and dc:rights. */
static void
rss_rights(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	pset_text(t->rights, n, 0);
}

/* author, managingEditor, dc:creator, itunes:author: "email (Name)" forms. */
static void
rss_author(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	padd_person(t->authors, t->nauthors, s);
	free(s);
}

/* dc:contributor. */
static void
rss_contributor(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	padd_person(t->contributors, t->ncontributors, s);
	free(s);
}

/* category, its domain the scheme. */
static void
rss_category(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	padd_category(t, s, pattr(n, "domain"), NULL);
	free(s);
}

/* tags: a comma-separated list of categories. */
static void
rss_tags(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s, *p, *tok, *save;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	for (p = s; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL)
		padd_category(t, pstrip(tok), NULL, NULL);
	free(s);
}

/* dc:subject: a category without scheme. */
static void
rss_dc_subject(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	padd_category(t, s, NULL, NULL);
	free(s);
}

/* pubDate and dcterms:issued. */
static void
rss_published(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	pset_date(t->published, n, 0);
}

/* lastBuildDate, dc:date and dcterms:modified. */
static void
rss_updated(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	pset_date(t->updated, n, 0);
}

/* dcterms:created. */
static void
rss_created(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	if (t->e != NULL)
		pset_date(&t->e->created, n, 0);
}

/* expirationDate (RSS 0.93); the last one wins. */
static void
rss_expired(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	if (t->e != NULL)
		pset_date(&t->e->expired, n, 0);
}

/* language and dc:language. */
static void
rss_language(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (t->f != NULL) {
		pset_text(&t->f->language, n, 0);
		/* The channel's language is the default of what follows. */
		if (t->f->language != NULL && *t->f->language != '\0')
			ctx->lang = t->f->language;
		else
			ctx->lang = ctx->opts != NULL ?
			    ctx->opts->content_language : NULL;
	} else
		pset_text(&t->e->language, n, 0);
}

/* comments: the URL of the discussion page. */
static void
rss_comments(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	if (t->e == NULL || (s = rss_text(n)) == NULL)
		return;
	free(t->e->comments);
	t->e->comments = presolve(ctx, n, s);
	free(s);
}

/* Adds an enclosure (and its rel="enclosure" link) unless HREF is known. */
static void
rss_add_enclosure(struct doc_entry *e, char *href, const char *type,
    long long length)
{
	struct doc_enclosure	*x;
	struct doc_link		*l;
	size_t			 i;

	for (i = 0; i < e->nenclosures; i++) {
		if (strcmp(e->enclosures[i].href, href) == 0) {
			free(href);
			return;
		}
	}
	if ((x = padd_enclosure(e)) == NULL) {
		free(href);
		return;
	}
	x->href = href;
	x->length = length;
	if (type != NULL && *type != '\0')
		doc_set(&x->type, type);
	if ((l = padd_link(&e->links, &e->nlinks, "enclosure", x->type,
	    strdup(href))) != NULL)
		l->length = length;
}

/* enclosure: url, length and type attributes. */
static void
rss_enclosure(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*url;
	char		*href;

	if (t->e == NULL || (url = pattr(n, "url")) == NULL || *url == '\0')
		return;
	if ((href = presolve(ctx, n, url)) == NULL)
		return;
	rss_add_enclosure(t->e, href, pattr(n, "type"),
	    pint(pattr(n, "length")));
}

/* media:content: a media object of the item, kept as an enclosure. */
static void
rss_media_content(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*url;
	char		*href;

	if (t->e == NULL || (url = pattr(n, "url")) == NULL || *url == '\0')
		return;
	if ((href = presolve(ctx, n, url)) == NULL)
		return;
	rss_add_enclosure(t->e, href, pattr(n, "type"),
	    pint(pattr(n, "fileSize")));
}

/* Appends one content object of TYPE from N. */
static void
rss_add_content(struct pctx *ctx, xmlNode *n, struct ptarget *t,
    const char *type)
{
	struct doc_content	*c;

	if (t->e == NULL || (c = padd_content(t->e)) == NULL)
		return;
	pset_html(ctx, &c->value, n, 0);
	doc_set(&c->type, type);
	c->language = planguage(ctx, n);
	c->base = pbase(ctx, n, NULL);
}

/* content:encoded: the full HTML body. */
static void
rss_content_encoded(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	rss_add_content(ctx, n, t, "text/html");
}

/* body and xhtml:body: inline XHTML content. */
static void
rss_xhtml_body(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	rss_add_content(ctx, n, t, "application/xhtml+xml");
}

/* source: the channel an item was taken from. */
static void
rss_source(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_source	*s;
	const char		*url;

	if (t->e == NULL || t->e->source != NULL)
		return;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return;
	s->updated = DOC_NODATE;
	s->title = rss_text(n);
	if (s->title != NULL && *s->title == '\0') {
		free(s->title);
		s->title = NULL;
	}
	if ((url = pattr(n, "url")) != NULL && *url != '\0')
		s->link = presolve(ctx, n, url);
	t->e->source = s;
}

/* feedburner:origLink: the publisher's own URL behind the redirect. */
static void
rss_orig_link(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	if (t->e == NULL || (s = rss_text(n)) == NULL)
		return;
	free(t->e->orig_link);
	t->e->orig_link = presolve(ctx, n, s);
	free(s);
}

/* generator and admin:generatorAgent. */
static void
rss_generator(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_generator	*g;
	xmlChar			*v;

	(void)ctx;
	if (t->f == NULL)
		return;
	if ((g = t->f->generator) == NULL &&
	    (g = t->f->generator = calloc(1, sizeof *g)) == NULL)
		return;
	/* admin:generatorAgent names it in rdf:resource. */
	v = xmlGetNsProp(n, (const xmlChar *)"resource",
	    (const xmlChar *)RDF_NS);
	if (v != NULL) {
		doc_set(&g->name, (const char *)v);
		xmlFree(v);
		return;
	}
	pset_text(&g->name, n, 0);
}

/* cc:license / creativeCommons:license: a rel="license" link. */
static void
rss_license(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	xmlChar	*v;
	char	*s, *href;

	v = xmlGetNsProp(n, (const xmlChar *)"resource",
	    (const xmlChar *)RDF_NS);
	if (v != NULL) {
		s = strdup((const char *)v);
		xmlFree(v);
	} else
		s = rss_text(n);
	if (s == NULL || *s == '\0') {
		free(s);
		return;
	}
	href = presolve(ctx, n, s);
	free(s);
	if (href != NULL)
		padd_link(t->links, t->nlinks, "license", NULL, href);
}

/* ttl: minutes a reader may cache the channel. */
static void
rss_ttl(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	(void)ctx;
	if (t->f == NULL || (s = rss_text(n)) == NULL)
		return;
	t->f->ttl = pint(s);
	free(s);
}

/* sy:updatePeriod: hourly, daily ... */
static void
rss_sy_period(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	if (t->f != NULL)
		pset_text(&t->f->sy_period, n, 0);
}

/* sy:updateFrequency: updates per period. */
static void
rss_sy_frequency(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	(void)ctx;
	if (t->f == NULL || (s = rss_text(n)) == NULL)
		return;
	t->f->sy_frequency = pint(s);
	free(s);
}

/* skipHours: hours (UTC) the channel is not updated. */
static void
rss_skip_hours(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	xmlNode		*c;
	long long	 h;
	char		*s;

	(void)ctx;
	if (t->f == NULL)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcasecmp((const char *)c->name, "hour") != 0 ||
		    (s = rss_text(c)) == NULL)
			continue;
		/* 24 means midnight in some generators. */
		if ((h = pint(s)) >= 0 && h <= 24)
			t->f->skip_hours |= 1u << (h % 24);
		free(s);
	}
}

/* skipDays: days the channel is not updated. */
static void
rss_skip_days(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	xmlNode		*c;
	char		*s;
	size_t		 d;

	(void)ctx;
	if (t->f == NULL)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcasecmp((const char *)c->name, "day") != 0 ||
		    (s = rss_text(c)) == NULL)
			continue;
		for (d = 0; d < 7; d++)
			if (strncasecmp(s, days[d], 3) == 0)
				t->f->skip_days |= 1u << d;
		free(s);
	}
}

/* Child element NAME of N (case-insensitive local name), or NULL. */
static xmlNode *
rss_child(xmlNode *n, const char *name)
{
	xmlNode	*c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* The text of child NAME of N, or NULL.  Caller frees. */
static char *
rss_child_text(xmlNode *n, const char *name)
{
	xmlNode	*c;
	char	*s;

	if ((c = rss_child(n, name)) == NULL || (s = rss_text(c)) == NULL)
		return NULL;
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* image: the channel's logo (its title and link never bleed into the feed). */
static void
rss_image(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_image	*im;
	char			*s;

	if (t->f == NULL || t->f->image != NULL)
		return;
	if ((im = calloc(1, sizeof *im)) == NULL)
		return;
	im->width = im->height = DOC_NOINT;
	if ((s = rss_child_text(n, "url")) != NULL) {
		im->url = presolve(ctx, n, s);
		free(s);
	}
	im->title = rss_child_text(n, "title");
	if ((s = rss_child_text(n, "link")) != NULL) {
		im->link = presolve(ctx, n, s);
		free(s);
	}
	if ((s = rss_child_text(n, "width")) != NULL) {
		im->width = pint(s);
		free(s);
	}
	if ((s = rss_child_text(n, "height")) != NULL) {
		im->height = pint(s);
		free(s);
	}
	t->f->image = im;
}

/* itunes:image: the artwork URL, when the channel has no image. */
static void
rss_itunes_image(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_image	*im;
	const char		*href;

	if (t->f == NULL)
		return;
	/* Some publishers write url= for href=. */
	if ((href = pattr(n, "href")) == NULL || *href == '\0')
		href = pattr(n, "url");
	if (href == NULL || *href == '\0')
		return;
	if ((im = t->f->image) == NULL) {
		if ((im = calloc(1, sizeof *im)) == NULL)
			return;
		im->width = im->height = DOC_NOINT;
		t->f->image = im;
	}
	if (im->url == NULL)
		im->url = presolve(ctx, n, href);
}

/* itunes:link rel="image": the artwork in the pre-2005 spelling. */
static void
rss_itunes_link(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*rel = pattr(n, "rel");

	if (rel != NULL && strcasecmp(rel, "image") == 0)
		rss_itunes_image(ctx, n, t);
}

/* itunes:category, nested ones included. */
static void
rss_itunes_category(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*text;
	xmlNode		*c;

	if ((text = pattr(n, "text")) != NULL)
		padd_category(t, text, "http://www.itunes.com/", NULL);
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "category") == 0)
			rss_itunes_category(ctx, c, t);
}

/* itunes:keywords: comma-separated categories. */
static void
rss_itunes_keywords(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s, *p, *tok, *save;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	for (p = s; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL)
		padd_category(t, pstrip(tok), "http://www.itunes.com/", NULL);
	free(s);
}

static void	rss_media_group(struct pctx *, xmlNode *, struct ptarget *);

/* media:category: a category whose scheme defaults to Media RSS's own. */
static void
rss_media_category(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*scheme;
	char		*s;

	(void)ctx;
	if ((s = rss_text(n)) == NULL)
		return;
	if ((scheme = pattr(n, "scheme")) == NULL || *scheme == '\0')
		scheme = "http://search.yahoo.com/mrss/category_schema";
	padd_category(t, s, scheme, pattr(n, "label"));
	free(s);
}

/* Elements of a channel or an item in namespaces RSS borrows. */
const struct ptag parse_rss_ext_tags[] = {
	{ "admin:generatoragent",	rss_generator },
	{ "atom:author",		atom_person },
	{ "atom:category",		atom_category },
	{ "atom:contributor",		atom_contributor },
	{ "atom:link",			atom_link },
	{ "cc:license",			rss_license },
	{ "content:encoded",		rss_content_encoded },
	{ "dc:author",			rss_author },
	{ "dc:contributor",		rss_contributor },
	{ "dc:creator",			rss_author },
	{ "dc:date",			rss_updated },
	{ "dc:description",		rss_description_alt },
	{ "dc:language",		rss_language },
	{ "dc:rights",			rss_rights },
	{ "dc:subject",			rss_dc_subject },
	{ "dc:title",			rss_dc_title },
	{ "dcterms:created",		rss_created },
	{ "dcterms:issued",		rss_published },
	{ "dcterms:modified",		rss_updated },
	{ "feedburner:origlink",	rss_orig_link },
	{ "itunes:author",		rss_author },
	{ "itunes:category",		rss_itunes_category },
	{ "itunes:image",		rss_itunes_image },
	{ "itunes:keywords",		rss_itunes_keywords },
	{ "itunes:link",		rss_itunes_link },
	{ "itunes:subtitle",		rss_description_alt },
	{ "itunes:summary",		rss_description_alt },
	{ "media:category",		rss_media_category },
	{ "media:content",		rss_media_content },
	{ "media:description",		rss_description_alt },
	{ "media:group",		rss_media_group },
	{ "media:title",		rss_media_title },
	{ "sy:updatefrequency",		rss_sy_frequency },
	{ "sy:updateperiod",		rss_sy_period },
	{ "xhtml:body",			rss_xhtml_body },
};

const size_t parse_rss_ext_ntags = NTAGS(parse_rss_ext_tags);

/* Elements of a media:group. */
static const struct ptag rss_media_tags[] = {
	{ "media:category",		rss_media_category },
	{ "media:content",		rss_media_content },
	{ "media:description",		rss_description_alt },
	{ "media:title",		rss_media_title },
};

/* media:group: alternatives of one media object. */
static void
rss_media_group(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	pdispatch(ctx, n, t, 0, rss_media_tags, NTAGS(rss_media_tags), NULL,
	    0);
}

/* fullitem: an old spelling of the HTML body. */
static void
rss_fullitem(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	rss_add_content(ctx, n, t, "text/html");
}

/* Elements of an item. */
static const struct ptag rss_item_tags[] = {
	{ "author",		rss_author },
	{ "body",		rss_xhtml_body },
	{ "category",		rss_category },
	{ "comments",		rss_comments },
	{ "description",	rss_description },
	{ "enclosure",		rss_enclosure },
	{ "expirationdate",	rss_expired },
	{ "fullitem",		rss_fullitem },
	{ "guid",		rss_guid },
	{ "link",		rss_link },
	{ "pubdate",		rss_published },
	{ "source",		rss_source },
	{ "summary",		rss_description },
	{ "tags",		rss_tags },
	{ "title",		rss_title },
};

/* Elements of a channel. */
static const struct ptag rss_channel_tags[] = {
	{ "author",		rss_author },
	{ "category",		rss_category },
	{ "copyright",		rss_rights },
	{ "description",	rss_description },
	{ "generator",		rss_generator },
	{ "image",		rss_image },
	{ "item",		rss_item },
	{ "language",		rss_language },
	{ "lastbuilddate",	rss_updated },
	{ "link",		rss_link },
	{ "managingeditor",	rss_author },
	{ "pubdate",		rss_published },
	{ "skipdays",		rss_skip_days },
	{ "skiphours",		rss_skip_hours },
	{ "title",		rss_title },
	{ "ttl",		rss_ttl },
};

/* Elements of the document element (RDF puts items beside the channel). */
static const struct ptag rss_root_tags[] = {
	{ "channel",		rss_channel },
	{ "image",		rss_image },
	{ "item",		rss_item },
};

/* item: one entry. */
static void
rss_item(struct pctx *ctx, xmlNode *n, struct ptarget *feed)
{
	struct doc_entry	*e;
	struct ptarget		 t;
	xmlChar			*v;

	(void)feed;
	if ((e = padd_entry(ctx->doc)) == NULL)
		return;
	ptarget_entry(&t, e);
	pdispatch(ctx, n, &t, 0, rss_item_tags, NTAGS(rss_item_tags),
	    parse_rss_ext_tags, parse_rss_ext_ntags);
	/* RSS 1.0 names each item by rdf:about. */
	if (e->id == NULL && (v = xmlGetNsProp(n, (const xmlChar *)"about",
	    (const xmlChar *)RDF_NS)) != NULL) {
		if (*v != '\0')
			e->id = presolve_id(ctx, n, (const char *)v);
		xmlFree(v);
	}
	ppick_link(&t);
	pentry_finish(ctx, e);
}

/* channel: the feed header and, but for RDF, the items. */
static void
rss_channel(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	pdispatch(ctx, n, t, 0, rss_channel_tags, NTAGS(rss_channel_tags),
	    parse_rss_ext_tags, parse_rss_ext_ntags);
}

/* 1 when N is the document element of an RSS or RDF feed. */
int
parse_rss_is_root(const xmlNode *n)
{
	return strcasecmp((const char *)n->name, "rss") == 0 ||
	    strcmp((const char *)n->name, "RDF") == 0;
}

/* The version name of an RSS document. */
static const char *
rss_version(struct pctx *ctx, xmlNode *root)
{
	const char	*v;
	xmlNode		*c;
	xmlNs		*ns;

	if (strcmp((const char *)root->name, "RDF") == 0) {
		for (ns = root->nsDef; ns != NULL; ns = ns->next)
			if (ns->href != NULL && strcmp((const char *)ns->href,
			    "http://my.netscape.com/rdf/simple/0.9/") == 0)
				return "rss090";
		for (c = root->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && (pns_is(c,
			    "http://my.netscape.com/rdf/simple/0.9/") ||
			    pns_is(c,
			    "http://channel.netscape.com/rdf/simple/0.9/")))
				return "rss090";
		return "rss10";
	}
	if ((v = pattr(root, "version")) == NULL)
		return "rss20";
	if (strncmp(v, "0.91", 4) == 0)
		return parse_doctype_netscape(ctx->xml) ? "rss091n" :
		    "rss091u";
	if (strncmp(v, "0.90", 4) == 0)
		return "rss090";
	if (strncmp(v, "0.92", 4) == 0)
		return "rss092";
	if (strncmp(v, "0.93", 4) == 0)
		return "rss093";
	if (strncmp(v, "0.94", 4) == 0)
		return "rss094";
	return "rss20";
}

/* Fills the doc from an RSS or RDF document element. */
int
parse_rss(struct pctx *ctx, xmlNode *root)
{
	struct ptarget	 t;

	if (doc_set(&ctx->doc->version, rss_version(ctx, root)) == -1)
		return -1;
	if (strcmp((const char *)root->name, "RDF") == 0)
		ctx->homens = NULL;
	ptarget_feed(&t, &ctx->doc->feed);
	if (ctx->lang != NULL && ctx->doc->feed.language == NULL)
		doc_set(&ctx->doc->feed.language, ctx->lang);
	pdispatch(ctx, root, &t, 0, rss_root_tags, NTAGS(rss_root_tags),
	    NULL, 0);
	ppick_link(&t);
	return 0;
}
