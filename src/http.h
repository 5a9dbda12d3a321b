/*
 * http: a small HTTP/1.1 server on the loop, for GET and HEAD of documents
 * the application already holds in memory.  Owns the listening sockets
 * (TCP on every address a host resolves to, and unix sockets), the
 * connections and their limits: request head size (431), URL length (414),
 * connection count (at the cap the connection idle the longest, keep-alive
 * or a head still trickling in, makes room for the next; the listeners
 * pause only when every connection is answering), idle and I/O timeouts, a
 * deadline for a whole request head, and a ceiling on unsent output per
 * connection (a client that does not read stops being read, then times
 * out), so no client can stall the loop or grow memory without bound.
 * Keep-alive and pipelining are served in order; requests with bodies are
 * answered and the connection closed.  HEAD is answered like GET without
 * the body, here, once.  evhttp was the first choice; it cannot cap
 * connections, and its per-request cost halved the rate of 304 answers.
 */
#ifndef FEEDMUX_HTTP_H
#define FEEDMUX_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct http;
struct http_req;

struct http_limits {
	size_t		 max_head;	/* request line and headers, bytes */
	size_t		 max_uri;	/* request target, bytes */
	int		 max_conns;	/* open connections */
	int		 timeout;	/* seconds of silence before closing */
	size_t		 max_out;	/* unsent bytes before reading stops */
	/* descriptors the rest of the process needs */
	int		 spare_fds;
};

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER
};

/* Called once per request; it must answer with http_reply* before returning. */
typedef void (*http_handler)(struct http_req *, void *arg);

struct http	*http_new(struct event_base *, const struct http_limits *,
		     http_handler, void *arg);
void		 http_free(struct http *);

/*
 * Listens on every address HOST resolves to (an IPv6 wildcard also takes
 * IPv4) at PORT (0: any free port).  Writes the first bound address as
 * "HOST:PORT" into BOUND.  Returns the number of sockets bound, or -1 with
 * the error logged.
 */
int		 http_listen_tcp(struct http *, const char *host, int port,
		     char *bound, size_t boundlen);
/*
 * Listens on the unix socket PATH (a stale socket file is replaced); -1 logged.
 */
int		 http_listen_unix(struct http *, const char *path);

/*
 * Serves on FD, a socket already bound and listening (systemd socket
 * activation); it is made non-blocking and owned from now on.  -1 logged.
 */
int		 http_listen_fd(struct http *, int fd);

/* Open connections now. */
int		 http_connections(const struct http *);
/* Idle connections closed so far to make room at the cap. */
uint64_t	 http_shed_count(const struct http *);

/* The request. */
enum http_method	 http_req_method(const struct http_req *);
const char		*http_req_method_name(const struct http_req *);
/* raw, no query */
const char		*http_req_path(const struct http_req *);
/* after '?', or NULL */
const char		*http_req_query(const struct http_req *);
const char		*http_req_header(const struct http_req *, const char *);

/* Adds a response header (copied); ignored past a small ceiling. */
void	http_resp_header(struct http_req *, const char *name,
	    const char *value);

/*
 * Answers with STATUS and BODY of LEN bytes (copied; TYPE is its
 * Content-Type, NULL for none).  304 sends no body.
 */
void	http_reply(struct http_req *, int status, const char *type,
	    const void *body, size_t len);
/*
 * As http_reply, but the body is borrowed until UNREF(ARG) is called,
 * which may be after the handler returned (the bytes are still queued).
 */
void	http_reply_ref(struct http_req *, int status, const char *type,
	    const void *body, size_t len, void (*unref)(void *), void *arg);

/* The status sent, 0 before a reply. */
int	http_req_status(const struct http_req *);

#endif
