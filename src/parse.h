/*
 * parse: bytes of one fetched document to a `struct doc`.  This room sniffs
 * the format (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1, or not a
 * feed), decides the character encoding (BOM, HTTP charset, XML declaration,
 * sniffing), runs libxml2 safely (from memory, no network, no external
 * entities, no DTD loading, strict first then recovery which sets bozo) and
 * hands the tree to parse-rss, parse-atom or parse-json.  Text is UTF-8,
 * relative URLs resolved, HTML sanitized: what the daemon stores.
 * No state beyond libxml2's process-wide setup done by parse_init().
 */
#ifndef FEEDMUX_PARSE_H
#define FEEDMUX_PARSE_H

#include <stddef.h>

struct doc;

/* What the fetcher knows about the document; every field may be NULL. */
struct parse_opts {
	const char	*base;			/* the document's URL */
	/* HTTP Content-Type, charset included */
	const char	*content_type;
	const char	*content_location;	/* HTTP Content-Location */
	const char	*content_language;	/* HTTP Content-Language */
};

/* Process-wide libxml2 setup (deny-all entity loader); call once at start. */
void		 parse_init(void);

/*
 * Parses LEN bytes of BUF.  Returns a doc whose version is "" (and bozo set,
 * with a bozo_message saying why) when the bytes are not a feed, or NULL only
 * when out of memory.  Caller frees with doc_free().
 */
struct doc	*parse_doc(const char *buf, size_t len,
		     const struct parse_opts *);

/* 1 when the doc is a recognised feed (version not ""), else 0. */
int		 parse_is_feed(const struct doc *);

#endif
