/*
 * parse-int: what parse.c shares with the format rooms parse-rss.c,
 * parse-atom.c and parse-json.c.  parse.c owns the byte-level work (limits,
 * encoding, the entity pre-pass, libxml2) and the helpers every XML format
 * needs: canonical element names (namespaces by URI, never by prefix), sorted
 * tag tables, text constructs, xml:base scoping, URL resolution, HTML
 * sanitizing, people and dates.  Not installed; only the parse-* files
 * include it.
 */
#ifndef FEEDMUX_PARSE_INT_H
#define FEEDMUX_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "doc.h"
#include "parse.h"

/*
 * Ceilings: documents over MAXLEN are refused; past MAXENTRIES entries and
 * MAXLIST links, people, categories, contents or enclosures per entry the
 * rest is dropped (no feed needs them; deduplication stays linear).
 */
#define PARSE_MAXLEN		(64u * 1024 * 1024)
#define PARSE_MAXENTRIES	65536
#define PARSE_MAXLIST		256
#define PARSE_NAMEMAX		128

/* Text kinds of a field before the source says otherwise. */
#define PT_TEXT		0
#define PT_HTML		1

/* One parse: what every handler may need. */
struct pctx {
	struct doc		*doc;
	const struct parse_opts	*opts;
	char			*base;		/* document URL, or NULL */
	const char		*lang;		/* Content-Language, or NULL */
	xmlDocPtr		 xml;
	int			 atom03;	/* Atom 0.3 text constructs */
	const char		*homens;	/* the root's namespace URI */
};

/*
 * Where a handler writes: the feed header or one entry.  The pointers name
 * the fields both share, so one handler serves both levels.
 */
struct ptarget {
	struct doc_entry	 *e;		/* NULL at feed level */
	struct doc_feed		 *f;		/* NULL at entry level */
	char			**title;
	char			**title_type;
	char			**link;
	char			**id;
	char			**rights;
	int64_t			 *updated;
	int64_t			 *published;
	struct doc_link		**links;
	size_t			 *nlinks;
	struct doc_person	**authors;
	size_t			 *nauthors;
	struct doc_person	**contributors;
	size_t			 *ncontributors;
	struct doc_category	**categories;
	size_t			 *ncategories;
	int			  seen;		/* handler-private flags */
};

typedef void	(*ptag_fn)(struct pctx *, xmlNode *, struct ptarget *);

/* One row of a tag table; tables are sorted by name (strcmp). */
struct ptag {
	const char	*name;		/* canonical: "title", "dc:creator" */
	ptag_fn		 fn;
};

/* Growable string with a ceiling; oom is sticky. */
struct pbuf {
	char		*s;
	size_t		 len;
	size_t		 cap;
	int		 oom;
};

/* Format entry points. */
int		 parse_rss(struct pctx *, xmlNode *root);
int		 parse_atom(struct pctx *, xmlNode *root);
int		 parse_json(struct doc *, const char *, size_t,
		    const struct parse_opts *, const char *base);
int		 parse_rss_is_root(const xmlNode *);
int		 parse_atom_is_root(const xmlNode *);
int		 parse_doctype_netscape(const xmlDoc *);

/* Namespaced elements RSS and Atom share (parse-rss.c), sorted. */
extern const struct ptag	parse_rss_ext_tags[];
extern const size_t		parse_rss_ext_ntags;

/* Atom constructs RSS borrows (parse-atom.c). */
void		 atom_link(struct pctx *, xmlNode *, struct ptarget *);
void		 atom_person(struct pctx *, xmlNode *, struct ptarget *);
void		 atom_contributor(struct pctx *, xmlNode *, struct ptarget *);
void		 atom_category(struct pctx *, xmlNode *, struct ptarget *);

/* Targets. */
void		 ptarget_feed(struct ptarget *, struct doc_feed *);
void		 ptarget_entry(struct ptarget *, struct doc_entry *);

/* Element names and dispatch. */
const char	*pname(struct pctx *, const xmlNode *, int atomhome, char *,
		    size_t);
void		 pdispatch(struct pctx *, xmlNode *parent, struct ptarget *,
		    int atomhome, const struct ptag *, size_t,
		    const struct ptag *, size_t);
const char	*pattr(const xmlNode *, const char *name);
int		 pns_is(const xmlNode *, const char *uri);

/* Text. */
char		*ptext(const xmlNode *);
char		*pinner(struct pctx *, const xmlNode *);
int		 ptext_construct(struct pctx *, xmlNode *, int deftype,
		    char **value, char **type);
void		 pset_text(char **dst, const xmlNode *, int keep);
void		 pset_html(struct pctx *, char **dst, xmlNode *, int keep);
char		*psanitize(struct pctx *, const char *, const xmlNode *);
char		*pstrip(char *);

/* URLs. */
char		*pbase(struct pctx *, const xmlNode *, int *scoped);
char		*presolve(struct pctx *, const xmlNode *, const char *ref);
char		*presolve_id(struct pctx *, const xmlNode *, const char *ref);
char		*planguage(struct pctx *, const xmlNode *);

/* Fields. */
int64_t		 pdate(const xmlNode *);
void		 pset_date(int64_t *dst, const xmlNode *, int keep);
long long	 pint(const char *);
void		 pperson_split(struct doc_person *, const char *);
struct doc_person *padd_person(struct doc_person **, size_t *, const char *);
struct doc_link	*padd_link(struct doc_link **, size_t *, const char *rel,
		    const char *type, char *href);
void		 padd_category(struct ptarget *, const char *term,
		    const char *scheme, const char *label);
void		 ppick_link(struct ptarget *);
void		 pentry_finish(struct pctx *, struct doc_entry *);
struct doc_entry *padd_entry(struct doc *);
struct doc_content *padd_content(struct doc_entry *);
struct doc_enclosure *padd_enclosure(struct doc_entry *);

/* Buffers. */
void		 pbuf_add(struct pbuf *, const char *, size_t);
void		 pbuf_adds(struct pbuf *, const char *);
void		 pbuf_escape(struct pbuf *, const char *, int attr);
void		 pxml_serialize(struct pbuf *, const xmlNode *first, int depth);

#endif
