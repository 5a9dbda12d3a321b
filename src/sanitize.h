/*
 * sanitize: HTML from publishers made safe to republish.  The fragment is
 * parsed with an HTML5 tree builder (gumbo), so the sanitizer sees the tree a
 * browser would build, then serialized again by our own writer from an
 * allowlist of elements, attributes and URL schemes; everything else is
 * dropped (script, style elements, iframes, forms, object/embed, svg/math,
 * comments, event handlers, javascript:/vbscript:/data: URLs).  A style
 * attribute keeps only declarations that pass a strict CSS allowlist.
 * Text and attribute values are always escaped.  Relative URLs are resolved
 * against BASE.  No state.
 */
#ifndef FEEDMUX_SANITIZE_H
#define FEEDMUX_SANITIZE_H

#include <stddef.h>

/*
 * Sanitizes LEN bytes of HTML (UTF-8).  BASE may be NULL.  Returns the safe
 * serialization (UTF-8, possibly empty), or NULL when out of memory.
 * Caller frees.
 */
char	*sanitize_html(const char *html, size_t len, const char *base);

/* The ways sanitize_html_path may go. */
enum {
	SANITIZE_AUTO,		/* as sanitize_html: fast path, else gumbo */
	SANITIZE_GUMBO,		/* always the full HTML5 parse */
	SANITIZE_FAST		/* the fast path only */
};

/*
 * sanitize_html with the way forced, so that tests can hold the fast path
 * for tidy HTML to the full parse.  With SANITIZE_FAST, NULL also when the
 * fast path declines the input.  Caller frees.
 */
char	*sanitize_html_path(const char *html, size_t len, const char *base,
	    int path);

/*
 * 1 when the URL's scheme may appear in
 * republished HTML (http, https, mailto, ...).
 */
int	 sanitize_url_ok(const char *url);

struct buf;

/*
 * Appends plain TEXT to OUT unescaped, made inert for readers that take a
 * plain-text field (RSS and JSON Feed titles) for HTML: a '<' that would
 * open markup gets U+2060 WORD JOINER after it, invisible as text, except
 * before a bare tag of a name HTML does not know (<tags>, </tags>).
 */
void	 sanitize_inert(struct buf *out, const char *text);

#endif
