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

/* 1 when the URL's scheme may appear in republished HTML (http, https, mailto, ...). */
int	 sanitize_url_ok(const char *url);

#endif
