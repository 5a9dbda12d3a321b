/* doc: allocation and small accessors of the feed model; see doc.h. */
#include <stdlib.h>
#include <string.h>

#include "doc.h"

struct doc *
doc_new(void)
{
	struct doc	*d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->feed.updated = d->feed.published = DOC_NODATE;
	d->feed.ttl = DOC_NOINT;
	d->feed.sy_frequency = DOC_NOINT;
	return d;
}

static void
link_free(struct doc_link *l)
{
	free(l->rel);
	free(l->type);
	free(l->href);
	free(l->title);
	free(l->hreflang);
}

static void
links_free(struct doc_link *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		link_free(&v[i]);
	free(v);
}

static void
persons_free(struct doc_person *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].email);
		free(v[i].uri);
	}
	free(v);
}

static void
categories_free(struct doc_category *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].term);
		free(v[i].scheme);
		free(v[i].label);
	}
	free(v);
}

static void
entry_free(struct doc_entry *e)
{
	free(e->id);
	free(e->title);
	free(e->title_type);
	free(e->link);
	free(e->summary);
	free(e->summary_type);
	free(e->rights);
	free(e->comments);
	free(e->orig_link);
	free(e->language);
	links_free(e->links, e->nlinks);
	persons_free(e->authors, e->nauthors);
	persons_free(e->contributors, e->ncontributors);
	categories_free(e->categories, e->ncategories);
	for (size_t i = 0; i < e->ncontent; i++) {
		free(e->content[i].type);
		free(e->content[i].value);
		free(e->content[i].language);
		free(e->content[i].base);
	}
	free(e->content);
	for (size_t i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].href);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
	if (e->source != NULL) {
		free(e->source->id);
		free(e->source->title);
		free(e->source->link);
		free(e->source);
	}
}

void
doc_free(struct doc *d)
{
	struct doc_feed	*f;

	if (d == NULL)
		return;
	f = &d->feed;
	free(f->title);
	free(f->title_type);
	free(f->subtitle);
	free(f->subtitle_type);
	free(f->rights);
	free(f->link);
	free(f->id);
	free(f->language);
	free(f->icon);
	free(f->logo);
	free(f->sy_period);
	links_free(f->links, f->nlinks);
	persons_free(f->authors, f->nauthors);
	persons_free(f->contributors, f->ncontributors);
	categories_free(f->categories, f->ncategories);
	if (f->generator != NULL) {
		free(f->generator->name);
		free(f->generator->uri);
		free(f->generator->version);
		free(f->generator);
	}
	if (f->image != NULL) {
		free(f->image->url);
		free(f->image->title);
		free(f->image->link);
		free(f->image);
	}
	for (size_t i = 0; i < d->nentries; i++)
		entry_free(&d->entries[i]);
	free(d->entries);
	free(d->version);
	free(d->bozo_message);
	free(d->encoding);
	free(d);
}

void *
doc_grow(void **arr, size_t *n, size_t size)
{
	unsigned char	*p;
	size_t		 cap;

	/*
	 * Capacity is implied by n (4, then powers of two), so the arrays
	 * need no capacity field: grow when n is 0 or reaches a power of two.
	 */
	if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) {
		cap = *n == 0 ? 4 : *n * 2;
		if (cap > SIZE_MAX / size)
			return NULL;
		if ((p = realloc(*arr, cap * size)) == NULL)
			return NULL;
		*arr = p;
	}
	p = (unsigned char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

struct doc_entry *
doc_add_entry(struct doc *d)
{
	struct doc_entry	*e;

	e = doc_grow((void **)&d->entries, &d->nentries, sizeof *e);
	if (e != NULL)
		e->published = e->updated = e->created = e->expired =
		    DOC_NODATE;
	return e;
}

struct doc_link *
doc_add_link(struct doc_link **v, size_t *n)
{
	struct doc_link	*l;

	if ((l = doc_grow((void **)v, n, sizeof *l)) != NULL)
		l->length = DOC_NOINT;
	return l;
}

struct doc_person *
doc_add_person(struct doc_person **v, size_t *n)
{
	return doc_grow((void **)v, n, sizeof **v);
}

struct doc_category *
doc_add_category(struct doc_category **v, size_t *n)
{
	return doc_grow((void **)v, n, sizeof **v);
}

struct doc_content *
doc_add_content(struct doc_entry *e)
{
	return doc_grow((void **)&e->content, &e->ncontent,
	    sizeof *e->content);
}

struct doc_enclosure *
doc_add_enclosure(struct doc_entry *e)
{
	struct doc_enclosure	*x;

	x = doc_grow((void **)&e->enclosures, &e->nenclosures, sizeof *x);
	if (x != NULL)
		x->length = DOC_NOINT;
	return x;
}

int
doc_setn(char **dst, const char *src, size_t len)
{
	char	*p = NULL;

	if (src != NULL) {
		if ((p = malloc(len + 1)) == NULL)
			return -1;
		memcpy(p, src, len);
		p[len] = '\0';
	}
	free(*dst);
	*dst = p;
	return 0;
}

int
doc_set(char **dst, const char *src)
{
	return doc_setn(dst, src, src != NULL ? strlen(src) : 0);
}

int64_t
doc_entry_date(const struct doc_entry *e)
{
	if (e->updated != DOC_NODATE)
		return e->updated;
	if (e->published != DOC_NODATE)
		return e->published;
	return e->created;
}

const char *
doc_entry_body(const struct doc_entry *e, const char **type)
{
	if (e->ncontent > 0 && e->content[0].value != NULL) {
		if (type != NULL)
			*type = e->content[0].type;
		return e->content[0].value;
	}
	if (type != NULL)
		*type = e->summary_type;
	return e->summary;
}
