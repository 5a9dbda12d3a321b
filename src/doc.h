/*
 * doc: the feed model.  A `struct doc` is what the parser makes of one fetched
 * document, mirroring the `feedmux parse` JSON contract (spec/parse-json.md):
 * a feed header and its entries, every string UTF-8 and owned by the doc.
 * normalize and classify rewrite a doc in place; store only reads it.
 * The structs are open on purpose: the doc is plain data passed between
 * pure stages, with no invariants beyond "every pointer is owned or NULL".
 */
#ifndef FEEDMUX_DOC_H
#define FEEDMUX_DOC_H

#include <stddef.h>
#include <stdint.h>

/* Unknown date or unknown integer (length, width, ttl ...). */
#define DOC_NODATE	INT64_MIN
#define DOC_NOINT	(-1LL)

struct doc_link {
	char		*rel;		/* "alternate" when absent in source */
	char		*type;
	char		*href;		/* absolute when resolvable */
	char		*title;
	char		*hreflang;
	long long	 length;	/* DOC_NOINT when unknown */
};

struct doc_person {
	char		*name;
	char		*email;
	char		*uri;
};

struct doc_category {
	char		*term;
	char		*scheme;
	char		*label;
};

struct doc_content {
	char		*type;		/* "text/plain", "text/html", ... */
	char		*value;		/* sanitized when HTML */
	char		*language;
	char		*base;
};

struct doc_enclosure {
	char		*href;
	char		*type;
	long long	 length;
};

struct doc_generator {
	char		*name;
	char		*uri;
	char		*version;
};

struct doc_image {
	char		*url;
	char		*title;
	char		*link;
	long long	 width;
	long long	 height;
};

/* The publisher of an entry that was itself republished (atom:source). */
struct doc_source {
	char		*id;
	char		*title;
	char		*link;
	int64_t		 updated;
};

struct doc_entry {
	char			*id;
	char			*title;
	char			*title_type;
	char			*link;
	char			*summary;
	char			*summary_type;
	char			*rights;
	char			*comments;
	/* feedburner:origLink, for the story key */
	char			*orig_link;
	int64_t			 published;
	int64_t			 updated;
	int64_t			 created;
	int64_t			 expired;
	struct doc_link		*links;
	size_t			 nlinks;
	struct doc_person	*authors;
	size_t			 nauthors;
	struct doc_person	*contributors;
	size_t			 ncontributors;
	struct doc_category	*categories;
	size_t			 ncategories;
	struct doc_content	*content;
	size_t			 ncontent;
	struct doc_enclosure	*enclosures;
	size_t			 nenclosures;
	struct doc_source	*source;	/* NULL when absent */
	char			*language;
};

struct doc_feed {
	char			*title;
	char			*title_type;
	char			*subtitle;
	char			*subtitle_type;
	char			*rights;
	char			*link;
	char			*id;
	char			*language;
	char			*icon;
	char			*logo;
	int64_t			 updated;
	int64_t			 published;
	struct doc_link		*links;
	size_t			 nlinks;
	struct doc_person	*authors;
	size_t			 nauthors;
	struct doc_person	*contributors;
	size_t			 ncontributors;
	struct doc_category	*categories;
	size_t			 ncategories;
	struct doc_generator	*generator;	/* NULL when absent */
	struct doc_image	*image;		/* NULL when absent */
	/* minutes, DOC_NOINT when absent */
	long long		 ttl;

	/* Freshness hints kept for the scheduler (not in the JSON contract). */
	/* "hourly", "daily", ... or NULL */
	char			*sy_period;
	long long		 sy_frequency;	/* DOC_NOINT when absent */
	uint32_t		 skip_hours;	/* bit h: hour h (UTC) */
	uint8_t			 skip_days;	/* bit d: day d, 0 = Sunday */
};

struct doc {
	/* "rss20", "atom10", ... "" if not a feed */
	char			*version;
	int			 bozo;
	char			*bozo_message;
	/* input or parser ended inside the document */
	int			 cut;
	char			*encoding;	/* IANA name, lower case */
	struct doc_feed		 feed;
	struct doc_entry	*entries;
	size_t			 nentries;
};

/* Allocation. */
struct doc	*doc_new(void);
void		 doc_free(struct doc *);

/*
 * Appends one zeroed element (dates DOC_NODATE, integers DOC_NOINT) to the
 * array *ARR of *N elements of SIZE bytes and returns it, or NULL when out
 * of memory (the array is then unchanged).  Use the typed wrappers below.
 */
void		*doc_grow(void **arr, size_t *n, size_t size);

struct doc_entry	*doc_add_entry(struct doc *);
struct doc_link		*doc_add_link(struct doc_link **, size_t *);
struct doc_person	*doc_add_person(struct doc_person **, size_t *);
struct doc_category	*doc_add_category(struct doc_category **, size_t *);
struct doc_content	*doc_add_content(struct doc_entry *);
struct doc_enclosure	*doc_add_enclosure(struct doc_entry *);

/*
 * Replaces *DST by a copy of SRC (NULL allowed); returns -1 when out of memory.
 */
int		 doc_set(char **dst, const char *src);
/* Same with the first LEN bytes of SRC. */
int		 doc_setn(char **dst, const char *src, size_t len);

/*
 * The entry's best date: updated, else published, else created; or DOC_NODATE.
 */
int64_t		 doc_entry_date(const struct doc_entry *);
/* The entry's body: the first content value, else the summary, or NULL. */
const char	*doc_entry_body(const struct doc_entry *, const char **type);

#endif
