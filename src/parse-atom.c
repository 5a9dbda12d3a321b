/*
 * parse-atom: Atom 1.0 (RFC 4287) and Atom 0.3 from a libxml2 tree to a
 * `struct doc`: text constructs (text, html, xhtml, Atom 0.3 modes), person
 * constructs, links with every attribute, categories, atom:source, and the
 * namespaced extensions RSS also uses (parse-rss.c's shared table).  Also
 * exports the atom: handlers that RSS feeds borrow (atom:link ...).
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

#define ATOM10_NS	"http://www.w3.org/2005/Atom"
#define ATOM03_NS	"http://purl.org/atom/ns#"

/* Text of the first child element of N whose local name is NAME, or NULL. */
static char *
atom_child_text(xmlNode *n, const char *name, xmlNode **where)
{
	xmlNode	*c;
	char	*s;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcasecmp((const char *)c->name, name) != 0)
			continue;
		if ((s = ptext(c)) == NULL)
			return NULL;
		if (*s == '\0') {
			free(s);
			continue;
		}
		if (where != NULL)
			*where = c;
		return s;
	}
	return NULL;
}

/* Fills a person from an Atom person construct. */
static void
atom_person_fill(struct pctx *ctx, xmlNode *n, struct doc_person *p)
{
	xmlNode	*where = NULL;
	char	*s;

	p->name = atom_child_text(n, "name", NULL);
	p->email = atom_child_text(n, "email", NULL);
	if ((s = atom_child_text(n, "uri", &where)) == NULL &&
	    (s = atom_child_text(n, "url", &where)) == NULL)
		s = atom_child_text(n, "homepage", &where);
	if (s != NULL) {
		p->uri = presolve(ctx, where, s);
		free(s);
	}
	/* A bare string in place of the construct. */
	if (p->name == NULL && p->email == NULL && p->uri == NULL &&
	    (s = ptext(n)) != NULL) {
		if (*s != '\0')
			pperson_split(p, s);
		free(s);
	}
}

/* Appends the person at N to V unless it is empty. */
static void
atom_person_add(struct pctx *ctx, xmlNode *n, struct doc_person **v,
    size_t *nv)
{
	struct doc_person	tmp = { 0 }, *p;

	if (*nv >= PARSE_MAXLIST)
		return;
	atom_person_fill(ctx, n, &tmp);
	if (tmp.name == NULL && tmp.email == NULL && tmp.uri == NULL)
		return;
	if ((p = doc_add_person(v, nv)) == NULL) {
		free(tmp.name);
		free(tmp.email);
		free(tmp.uri);
		return;
	}
	*p = tmp;
}

/* author: a person construct. */
void
atom_person(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	atom_person_add(ctx, n, t->authors, t->nauthors);
}

/* contributor: a person construct. */
void
atom_contributor(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	atom_person_add(ctx, n, t->contributors, t->ncontributors);
}

/* category: term, scheme and label. */
void
atom_category(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	const char	*term;
	char		*s = NULL;

	(void)ctx;
	/* Atom 0.3 and stray feeds put the term in the text. */
	if ((term = pattr(n, "term")) == NULL || *term == '\0') {
		if ((s = ptext(n)) == NULL)
			return;
		term = s;
	}
	padd_category(t, term, pattr(n, "scheme"), pattr(n, "label"));
	free(s);
}

/* link: every attribute kept; rel="enclosure" also makes an enclosure. */
void
atom_link(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_enclosure	*x;
	struct doc_link		*l;
	const char		*href, *v, *rel, *type;
	char			*text = NULL;
	size_t			 i;

	/* Atom 0.3 drafts and strays put the URL in the text. */
	if ((href = pattr(n, "href")) == NULL) {
		if ((text = ptext(n)) == NULL || *text == '\0') {
			free(text);
			return;
		}
		href = text;
	}
	rel = pattr(n, "rel");
	if ((type = pattr(n, "type")) == NULL && rel != NULL &&
	    strcmp(rel, "self") == 0)
		type = "application/atom+xml";
	l = padd_link(t->links, t->nlinks, rel, type, presolve(ctx, n, href));
	free(text);
	if (l == NULL)
		return;
	if (l->href == NULL) {
		(*t->nlinks)--;
		free(l->rel);
		free(l->type);
		return;
	}
	if ((v = pattr(n, "title")) != NULL)
		doc_set(&l->title, v);
	if ((v = pattr(n, "hreflang")) != NULL)
		doc_set(&l->hreflang, v);
	l->length = pint(pattr(n, "length"));
	if (t->e == NULL || strcmp(l->rel, "enclosure") != 0)
		return;
	for (i = 0; i < t->e->nenclosures; i++)
		if (strcmp(t->e->enclosures[i].href, l->href) == 0)
			return;
	if ((x = padd_enclosure(t->e)) == NULL)
		return;
	x->href = strdup(l->href);
	if (l->type != NULL)
		x->type = strdup(l->type);
	x->length = l->length;
}

/* title: a text construct. */
static void
atom_title(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	ptext_construct(ctx, n, PT_TEXT, t->title, t->title_type);
}

/* subtitle and tagline (Atom 0.3). */
static void
atom_subtitle(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (t->f != NULL)
		ptext_construct(ctx, n, PT_TEXT, &t->f->subtitle,
		    &t->f->subtitle_type);
}

/* summary: a text construct. */
static void
atom_summary(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	if (t->e != NULL)
		ptext_construct(ctx, n, PT_TEXT, &t->e->summary,
		    &t->e->summary_type);
	else
		ptext_construct(ctx, n, PT_TEXT, &t->f->subtitle,
		    &t->f->subtitle_type);
}

/* rights and copyright (Atom 0.3). */
static void
atom_rights(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	ptext_construct(ctx, n, PT_TEXT, t->rights, NULL);
}

/* content: a text construct with its language and base. */
static void
atom_content(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_content	*c;

	if (t->e == NULL || (c = padd_content(t->e)) == NULL)
		return;
	if (ptext_construct(ctx, n, PT_TEXT, &c->value, &c->type) == -1)
		return;
	c->language = planguage(ctx, n);
	c->base = pbase(ctx, n, NULL);
}

/* id: kept as written unless an xml:base applies. */
static void
atom_id(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	if ((s = ptext(n)) == NULL)
		return;
	free(*t->id);
	*t->id = presolve_id(ctx, n, s);
	free(s);
}

/* updated and modified (Atom 0.3). */
static void
atom_updated(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	pset_date(t->updated, n, 0);
}

/* published and issued (Atom 0.3). */
static void
atom_published(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	pset_date(t->published, n, 0);
}

/* created (Atom 0.3). */
static void
atom_created(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	(void)ctx;
	if (t->e != NULL)
		pset_date(&t->e->created, n, 0);
}

/* icon and logo: URLs of the feed's images. */
static void
atom_icon(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	if (t->f == NULL || (s = ptext(n)) == NULL)
		return;
	free(t->f->icon);
	t->f->icon = presolve(ctx, n, s);
	free(s);
}

/* logo: the feed's wide image. */
static void
atom_logo(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	char	*s;

	if (t->f == NULL || (s = ptext(n)) == NULL)
		return;
	free(t->f->logo);
	t->f->logo = presolve(ctx, n, s);
	free(s);
}

/* generator: name, uri (url in 0.3) and version. */
static void
atom_generator(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_generator	*g;
	const char		*v;

	if (t->f == NULL)
		return;
	if ((g = t->f->generator) == NULL &&
	    (g = t->f->generator = calloc(1, sizeof *g)) == NULL)
		return;
	pset_text(&g->name, n, 0);
	if (g->name != NULL && *g->name == '\0') {
		free(g->name);
		g->name = NULL;
	}
	if ((v = pattr(n, "uri")) != NULL || (v = pattr(n, "url")) != NULL) {
		free(g->uri);
		g->uri = presolve(ctx, n, v);
	}
	if ((v = pattr(n, "version")) != NULL)
		doc_set(&g->version, v);
}

/* Elements of atom:source. */
static const struct ptag atom_source_tags[] = {
	{ "id",		atom_id },
	{ "link",	atom_link },
	{ "title",	atom_title },
	{ "updated",	atom_updated },
};

/* source: the feed an entry was copied from. */
static void
atom_source(struct pctx *ctx, xmlNode *n, struct ptarget *t)
{
	struct doc_source	*s;
	struct doc_feed		 f;
	struct ptarget		 st;

	if (t->e == NULL || t->e->source != NULL)
		return;
	memset(&f, 0, sizeof f);
	f.updated = f.published = DOC_NODATE;
	ptarget_feed(&st, &f);
	pdispatch(ctx, n, &st, 1, atom_source_tags, NTAGS(atom_source_tags),
	    NULL, 0);
	ppick_link(&st);
	if ((s = calloc(1, sizeof *s)) != NULL) {
		s->id = f.id;
		s->title = f.title;
		s->link = f.link;
		s->updated = f.updated;
		f.id = f.title = f.link = NULL;
		t->e->source = s;
	}
	free(f.id);
	free(f.title);
	free(f.title_type);
	free(f.link);
	for (size_t i = 0; i < f.nlinks; i++) {
		free(f.links[i].rel);
		free(f.links[i].type);
		free(f.links[i].href);
		free(f.links[i].title);
		free(f.links[i].hreflang);
	}
	free(f.links);
}

/* Elements of an entry. */
static const struct ptag atom_entry_tags[] = {
	{ "author",		atom_person },
	{ "category",		atom_category },
	{ "content",		atom_content },
	{ "contributor",	atom_contributor },
	{ "copyright",		atom_rights },
	{ "created",		atom_created },
	{ "id",			atom_id },
	{ "issued",		atom_published },
	{ "link",		atom_link },
	{ "modified",		atom_updated },
	{ "published",		atom_published },
	{ "rights",		atom_rights },
	{ "source",		atom_source },
	{ "summary",		atom_summary },
	{ "title",		atom_title },
	{ "updated",		atom_updated },
};

/* entry: one entry. */
static void
atom_entry(struct pctx *ctx, xmlNode *n, struct ptarget *feed)
{
	struct doc_entry	*e;
	struct ptarget		 t;

	(void)feed;
	if ((e = padd_entry(ctx->doc)) == NULL)
		return;
	ptarget_entry(&t, e);
	e->language = planguage(ctx, n);
	pdispatch(ctx, n, &t, 1, atom_entry_tags, NTAGS(atom_entry_tags),
	    parse_rss_ext_tags, parse_rss_ext_ntags);
	ppick_link(&t);
	pentry_finish(ctx, e);
}

/* Elements of a feed. */
static const struct ptag atom_feed_tags[] = {
	{ "author",		atom_person },
	{ "category",		atom_category },
	{ "contributor",	atom_contributor },
	{ "copyright",		atom_rights },
	{ "entry",		atom_entry },
	{ "generator",		atom_generator },
	{ "icon",		atom_icon },
	{ "id",			atom_id },
	{ "issued",		atom_published },
	{ "item",		atom_entry },	/* Atom 0.3 drafts */
	{ "link",		atom_link },
	{ "logo",		atom_logo },
	{ "modified",		atom_updated },
	{ "published",		atom_published },
	{ "rights",		atom_rights },
	{ "subtitle",		atom_subtitle },
	{ "tagline",		atom_subtitle },
	{ "title",		atom_title },
	{ "updated",		atom_updated },
};

/* 1 when N is the document element of an Atom feed. */
int
parse_atom_is_root(const xmlNode *n)
{
	return strcmp((const char *)n->name, "feed") == 0;
}

/* Fills the doc from an Atom document element. */
int
parse_atom(struct pctx *ctx, xmlNode *root)
{
	struct ptarget	 t;
	const char	*v;

	v = pattr(root, "version");
	if (pns_is(root, ATOM03_NS) || (!pns_is(root, ATOM10_NS) && v != NULL &&
	    strncmp(v, "0.", 2) == 0))
		ctx->atom03 = 1;
	if (doc_set(&ctx->doc->version, ctx->atom03 ? "atom03" : "atom10") ==
	    -1)
		return -1;
	ptarget_feed(&t, &ctx->doc->feed);
	ctx->doc->feed.language = planguage(ctx, root);
	pdispatch(ctx, root, &t, 1, atom_feed_tags, NTAGS(atom_feed_tags),
	    parse_rss_ext_tags, parse_rss_ext_ntags);
	ppick_link(&t);
	return 0;
}
