/*
 * httpd: the public side.  An evhttp server on the loop that routes
 * requests: the HTML index (categories with subscribe links and
 * autodiscovery, sources with their health), the merged feeds
 * /feeds/NAME.EXT rendered from store through render and cached in memory
 * until the stored entries change, /healthz, and short 404/405 answers for
 * everything else.  Owns the cached renderings; a reply borrows them.
 */
#ifndef FEEDMUX_HTTPD_H
#define FEEDMUX_HTTPD_H

struct daemon;
struct httpd;

/* Binds the configured listen address; NULL with the error logged. */
struct httpd	*httpd_new(struct daemon *);
/*
 * Serves on FD, a socket already bound and listening (socket activation);
 * the httpd owns it from then on.  NULL with the error logged.
 */
struct httpd	*httpd_new_fd(struct daemon *, int fd);
void		 httpd_free(struct httpd *);

#endif
