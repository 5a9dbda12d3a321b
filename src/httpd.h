/*
 * httpd: the public side, on the http room's server.  Routes requests:
 * the merged feeds /feeds/NAME.EXT (a category or "all") and one
 * publisher's /sources/NAME.EXT, in every format of the render table, with
 * ?limit and ?before paging (RFC 5005 paged feeds) and fixed-size archive
 * pages /feeds/NAME/archive/K.EXT (RFC 5005 archived feeds); the HTML
 * index; OPML of the sources; /healthz and /metrics.  Owns the rendered
 * documents: cached per (view, format, page, URL base) until the view's
 * own change sequence moves, gzipped once per version, bounded in count
 * and bytes, with strong ETags, Last-Modified and honest Cache-Control.
 * Also the WebSub publisher: pings the hub when a category changes.
 */
#ifndef FEEDMUX_HTTPD_H
#define FEEDMUX_HTTPD_H

struct conf_source;
struct daemon;
struct httpd;

/* Binds the configured listen addresses; NULL with the error logged. */
struct httpd	*httpd_new(struct daemon *);
/*
 * Serves on FD, a socket already bound and listening (socket activation);
 * the httpd owns it from then on.  NULL with the error logged.
 */
struct httpd	*httpd_new_fd(struct daemon *, int fd);
void		 httpd_free(struct httpd *);

/*
 * The stored entries of source CS changed: its views (its categories,
 * "all", the source itself) re-render on their next request, and the hub,
 * if any, hears of each.
 */
void		 httpd_changed(struct httpd *, const struct conf_source *);

/*
 * Category NAME's memberships changed (re-sorted under new rules): its
 * views re-render on their next request, and the hub, if any, hears.
 */
void		 httpd_category_changed(struct httpd *, const char *name);

#endif
