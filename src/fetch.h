/*
 * fetch: HTTP transfers.  libcurl's multi interface driven by libevent (a
 * socket callback re-arming one event per socket, one one-shot timer, and
 * a drain of finished transfers after every socket action), on engine
 * threads of their own: one per core, up to four, each with its own curl
 * multi handle, event base and share of the transfer slots, and each
 * host's transfers on one engine (by a hash of its name), so its
 * politeness is kept in one place.  The caller's loop only hands requests
 * over and gets results back through a pipe: callbacks run on the loop,
 * never on an engine, and never from inside fetch_start or fetch_cancel.
 * Owns every transfer in flight and the transfers waiting for a slot: a
 * global limit of transfers in flight, and per host (through the host room)
 * a limit of requests in flight and a least gap between starts, slowed as
 * a whole when several of its sources are throttled.  Transfers reach
 * curl only when they may start, so curl's own timeouts never run while a
 * request merely waits (curl's connection limits are only a backstop).
 * Enforces
 * the caps: total and connect timeouts, a low-speed limit, the decoded body
 * size (counted in the write callback, so chunked bodies and gzip bombs are
 * stopped too), the header size, http/https only, bounded redirects, and
 * the SSRF guard on every connection's resolved address.
 */
#ifndef FEEDMUX_FETCH_H
#define FEEDMUX_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct conf_cidr;
struct event_base;
struct fetch;
struct fetch_xfer;
struct sockaddr;

/* What to fetch; strings are copied by fetch_start. */
struct fetch_req {
	const char	*url;
	const char	*etag;		/* sent as If-None-Match, or NULL */
	const char	*last_modified;	/* sent as If-Modified-Since, or NULL */
	const char	*user_agent;
	const char	*who;		/* source, for host-wide throttling */
	/* may connect to loopback/private addresses */
	int		 allow_private;
	const struct conf_cidr *allow_networks;	/* reachable even so */
	size_t		 nallow_networks;
	const char	*proxy;		/* NULL: direct (environment ignored) */
	char *const	*headers;	/* extra "Name: value" lines */
	size_t		 nheaders;
	int64_t		 max_body;	/* decoded bytes (encoded: received) */
	long		 timeout;	/* total seconds */
	const char	*post;		/* form body to POST, NULL: a GET */
	long		 connect_timeout;	/* seconds */
	long		 low_speed_limit;	/* bytes/s ... */
	/* ... for this many seconds: abort */
	long		 low_speed_time;
	/* 1: accept any certificate (tls_verify = no) */
	int		 tls_insecure;
	int		 encoded;	/* 1: body left as sent, for decode.h */
};

/* Why a transfer failed, when it did. */
enum fetch_error {
	FETCH_OK = 0,
	FETCH_ERR_POLICY,	/* address refused by the SSRF guard */
	FETCH_ERR_TOOBIG,	/* body over max_body */
	FETCH_ERR_HEADERS,	/* headers over the cap */
	FETCH_ERR_TIMEOUT,
	FETCH_ERR_TRANSPORT,	/* DNS, connect, TLS, reset, ... */
	FETCH_ERR_TLS_CERT,	/* the peer's certificate did not verify */
	FETCH_ERR_NOT_HTTP,	/* the reply had no HTTP status line */
};

/* A finished transfer; borrowed for the callback only. */
struct fetch_result {
	enum fetch_error	 error;
	const char		*errmsg;	/* human-readable, NULL if ok */
	/* last HTTP status, 0 without a response */
	long			 status;
	/* NUL-terminated, LEN bytes before it */
	const char		*body;
	size_t			 len;
	const char		*effective_url;	/* after redirects */
	const char		*content_type;
	const char		*content_location;
	const char		*content_language;
	/* of the body, when encoded */
	const char		*content_encoding;
	const char		*etag;
	const char		*last_modified;
	const char		*retry_after;
	const char		*cache_control;
	const char		*expires;
	const char		*location;	/* of first redirect, if any */
	/* status of the first response (a 301 ...) */
	long			 first_status;
	int			 cf_mitigated;	/* cf-mitigated header seen */
	/* Retry-After as wall-clock time, 0 if none */
	int64_t			 retry_at;
	/* the host's gap factor now (1: normal) */
	int			 host_slow;
	/* from start, queueing excluded */
	int64_t			 duration_ms;
	int64_t			 queued_ms;	/* waiting for a slot */
};

typedef void (*fetch_done_cb)(const struct fetch_result *, void *arg);

/*
 * MAX_TRANSFERS in flight at once, the rest waiting for their host's turn
 * (by default 2 in flight and 100 ms between requests per host); results
 * are delivered on BASE.  The engine threads start here (NULL if they
 * cannot) and stop in fetch_free, which drops every transfer without a
 * callback.
 */
struct fetch	*fetch_new(struct event_base *, long max_transfers);
void		 fetch_free(struct fetch *);
void		 fetch_set_max(struct fetch *, long max_transfers);
/*
 * The most descriptors fetch may hold with MAX_TRANSFERS in flight: their
 * sockets and resolver pipes, and the idle connections it keeps for reuse.
 */
long		 fetch_fds(long max_transfers);
void		 fetch_set_host_limits(struct fetch *, long connections,
		     int64_t delay_ms);

/*
 * Starts (or queues) a transfer; CB is called once from the loop when it
 * ends, unless it is cancelled first (after fetch_cancel it never is, and
 * ARG is free to go).  NULL when out of memory.  BASE's loop keeps running
 * while a transfer is out.
 */
struct fetch_xfer *fetch_start(struct fetch *, const struct fetch_req *,
		     fetch_done_cb cb, void *arg);
void		 fetch_cancel(struct fetch_xfer *);

/*
 * While held, no waiting transfer starts (transfers in flight go on): the
 * caller's backpressure when it cannot keep up with what arrives.
 */
void		 fetch_hold(struct fetch *, int held);

/* Transfers in flight and waiting. */
size_t		 fetch_inflight(const struct fetch *);
size_t		 fetch_queued(const struct fetch *);

/*
 * 1 when the address is a public unicast one that sources may reach by default.
 */
int		 fetch_addr_public(const struct sockaddr *);

/* 1 when the address is inside one of the N networks. */
int		 fetch_addr_in(const struct sockaddr *,
		     const struct conf_cidr *, size_t n);

/*
 * Retry-After (delta seconds or an HTTP date) as a time after NOW; 0 if none.
 */
int64_t		 fetch_retry_after(const char *, int64_t now);

/*
 * How long a response stays fresh, in seconds from NOW, by its
 * Cache-Control max-age (no-store and no-cache: 0) or else its Expires;
 * 0 when it says nothing.
 */
int64_t		 fetch_fresh_for(const char *cache_control, const char *expires,
		     int64_t now);

/* The lower-cased host name of URL into BUF; -1 when it has none. */
int		 fetch_url_host(const char *url, char *buf, size_t len);

#endif
