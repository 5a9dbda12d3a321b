/*
 * render: a view (a feed header and entries from store) to bytes.  Each
 * output format is one `const struct render_format` in a table, written by
 * render-FORMAT.c; this room finds a format by its file extension.  Pure:
 * the caller (httpd) walks the store and owns the buffer.
 */
#ifndef FEEDMUX_RENDER_H
#define FEEDMUX_RENDER_H

#include <stdint.h>

struct buf;
struct store_item;

/* The merged feed being written. */
struct render_feed {
	const char	*name;		/* category name, "all", or a source */
	const char	*id;		/* stable feed id (a URI) */
	const char	*title;
	const char	*subtitle;	/* NULL when none */
	const char	*self;		/* absolute URL of this document */
	const char	*alternate;	/* absolute URL of the HTML index */
	int64_t		 updated;	/* newest change, 0 when empty */
	/* RFC 5005 and WebSub links, absolute; NULL when there is none. */
	const char	*next;		/* paged: the next (older) page */
	const char	*first;		/* paged: first page, on later pages */
	const char	*prev_archive;	/* the newest older archive page */
	const char	*current;	/* on an archive page: the live feed */
	const char	*hub;		/* WebSub hub */
	int		 archive;	/* an archive page: marked fh:archive */
};

struct render_format {
	const char	*ext;		/* "atom" */
	const char	*mime;		/* Content-Type, charset included */
	void		(*begin)(struct buf *, const struct render_feed *);
	void		(*item)(struct buf *, const struct render_feed *,
			    const struct store_item *);
	void		(*end)(struct buf *, const struct render_feed *);
};

extern const struct render_format render_atom;
extern const struct render_format render_rss;
extern const struct render_format render_json;

/*
 * The text of a title: HTML (TYPE text/html or application/xhtml+xml,
 * already sanitized) loses its tags and has its entities decoded; other
 * text is copied.  Writes unescaped into OUT.
 */
void	render_text(struct buf *out, const char *value, const char *type);

/*
 * The value of a text construct as HTML, for fields readers take for HTML
 * (RSS description and content:encoded): HTML types are copied, other
 * text has its markup characters escaped.  Writes into OUT unescaped.
 */
void	render_html(struct buf *out, const char *value, const char *type);

/*
 * A title as plain text (render_text) made inert for readers that take it
 * for HTML (sanitize_inert).  Writes unescaped into OUT.
 */
void	render_title(struct buf *out, const char *value, const char *type);

/*
 * 1 when URL may be written as a link a reader follows: its scheme cannot
 * run script (no javascript:, data:, ...).
 */
int	render_link_ok(const char *url);

/*
 * 1 unless the scheme of absolute ID runs script where a reader takes the
 * id for a link (JSON Feed suggests ids be URLs); ids need not be links
 * (tag:, urn:), so only such schemes are refused.
 */
int	render_id_ok(const char *id);

/* The newest date of an entry: updated, else published, else its sort date. */
int64_t	render_item_date(const struct store_item *);

/*
 * Calls FN for each publisher category term of IT ('\x1f'-separated),
 * NUL-terminated in a bounded copy; longer terms are skipped.
 */
void	render_terms(const struct store_item *, void (*fn)(const char *,
	    void *), void *);

/* The format for EXT ("atom", ...), or NULL. */
const struct render_format	*render_find(const char *ext);

/*
 * The entry's id as a URI: the publisher's id when it is one, else a URN
 * made from the source name and the id (or link).  Writes XML-escaped.
 */
void	render_entry_id(struct buf *, const struct store_item *);
/* The same id unescaped, for formats that escape it their own way. */
void	render_entry_id_text(struct buf *, const struct store_item *);

#endif
