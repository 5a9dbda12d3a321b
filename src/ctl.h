/*
 * ctl: the daemon's control socket, and the client that talks to it.  An
 * AF_UNIX stream socket at the configured `control` path (never on the
 * network), accessible to the daemon's user only, speaking one request
 * line and one reply line per connection:
 *
 *	poll NAME	->	ok polling NAME
 *	poll --all	->	ok polling N sources
 *	ping		->	ok feedmuxd VERSION
 *	anything else	->	error MESSAGE
 *
 * Owns the listening socket (and its file, removed at exit) and the
 * connections in flight, each bounded in size, time and number.
 */
#ifndef FEEDMUX_CTL_H
#define FEEDMUX_CTL_H

#include <stddef.h>

struct ctl;
struct daemon;

/* Longest request or reply line, newline included. */
#define CTL_LINE_MAX	512

/* Listens on D's configured control path; NULL with the error logged. */
struct ctl	*ctl_new(struct daemon *d);
void		 ctl_free(struct ctl *);

/*
 * Client: sends REQUEST (one line, without its newline) to the daemon
 * listening on PATH and stores its reply line, without the newline, in
 * REPLY.  Returns 0 for an "ok" reply, 1 for an "error" reply, -1 when
 * the daemon could not be reached or did not answer within TIMEOUT
 * seconds (errno set; REPLY then says why).
 */
int		 ctl_request(const char *path, const char *request, char *reply,
		     size_t len, int timeout);

#endif
